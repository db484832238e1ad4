"""The bulk load (issue 15, item 3) on a real Neo4j 5.26: new documents created in parallel batches give the
graph a push gives; a re-run or a load that adds documents to a store that has some is exact as well."""

from __future__ import annotations

from fixtures import empty_neo4j, normalised, replicated

from tracegraph.graph.stores.neo4j_bulk import bulk_load, documents_part
from tracegraph.graph.stores.neo4j_io import counts, graph_counts, pull, push


def test_a_bulk_load_gives_what_a_push_gives(neo4j_driver, sample_graph) -> None:
    empty_neo4j(neo4j_driver)
    g = replicated(sample_graph, 6)
    rep = bulk_load(g, neo4j_driver, batch_size=500, workers=2)  # small batches: many run side by side
    assert (rep.new_documents, rep.known_documents) == (6, 0) and rep.pushed is None
    assert rep.nodes == g.number_of_nodes() and rep.relationships == g.number_of_edges()
    assert rep.counts == graph_counts(g)
    assert normalised(pull(neo4j_driver)) == normalised(g)
    # run again: every document is known now, so it is the idempotent push — nothing doubles
    again = bulk_load(g, neo4j_driver)
    assert (again.new_documents, again.known_documents) == (0, 6) and again.nodes == 0
    assert counts(neo4j_driver) == graph_counts(g)


def test_a_bulk_load_adds_documents_to_a_store_that_has_some(neo4j_driver, sample_graph) -> None:
    empty_neo4j(neo4j_driver)
    g = replicated(sample_graph, 5)
    docs = sorted(g.graph["documents"])
    push(documents_part(g, set(docs[:2])), neo4j_driver, progress=False)  # two documents pushed earlier
    rep = bulk_load(g, neo4j_driver, workers=2)
    assert (rep.new_documents, rep.known_documents) == (3, 2)
    assert normalised(pull(neo4j_driver)) == normalised(g)


def test_both_stores_answer_alike_on_a_thousand_documents(neo4j_driver, sample_graph) -> None:
    """1,000 documents (the sample's items under 1,000 ids, bulk-loaded): the corpus's numbers, and for documents
    across the range their numbers, matrix, gaps, traces and search, equal from Neo4j and from memory."""
    from tracegraph.graph.stores.embedded import EmbeddedStore
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    empty_neo4j(neo4j_driver)
    g = replicated(sample_graph, 1000)
    rep = bulk_load(g, neo4j_driver)
    assert rep.new_documents == 1000 and rep.counts == graph_counts(g)
    emb, neo = EmbeddedStore(g), Neo4jStore(neo4j_driver)
    assert neo.counts() == emb.counts() and neo.counts()["Problem"] == 17_000
    docs = sorted(g.graph["documents"])
    for d in docs[::333]:
        assert neo.counts(d) == emb.counts(d)
        assert neo.matrix(d) == emb.matrix(d)
        assert neo.gaps(d) == emb.gaps(d)
        for code in ("P5.2", "M3", "C1"):
            assert neo.trace(f"{d}:{code}") == emb.trace(f"{d}:{code}")
        assert neo.search("理论学习", doc=d) == emb.search("理论学习", doc=d)
    # a page of one document received about that document's part, not the store
    before = neo.rows_read
    neo.load_graph(docs[500])
    assert neo.rows_read - before < (g.number_of_nodes() + g.number_of_edges()) / 100
    # search across the store is ranked by the server: the answer's nodes travel, not the documents holding the words
    before = neo.rows_read
    assert neo.search("理论学习") == emb.search("理论学习")
    assert neo.search("理论学习", types=("Measure",), limit=5) == emb.search("理论学习", types=("Measure",), limit=5)
    assert neo.rows_read - before < 500
    assert neo.search("学习理论不深入") == emb.search("学习理论不深入")  # no verbatim hit: the fuzzy step
    empty_neo4j(neo4j_driver)  # the next tests start from a small store
