"""The bulk load (issue 15, item 3) on a real Neo4j 5.26: new documents created in parallel batches give the
graph a push gives; a re-run or a load that adds documents to a store that has some is exact as well."""

from __future__ import annotations

from typing import Any

from fixtures import normalised, replicated

from tracegraph.graph.stores.neo4j_bulk import bulk_load
from tracegraph.graph.stores.neo4j_io import counts, graph_counts, pull, push


def _subset(g: Any, keep: set[str]) -> Any:
    from tracegraph.graph.stores.neo4j_bulk import _part

    return _part(g, keep)


def test_a_bulk_load_gives_what_a_push_gives(neo4j_driver, sample_graph) -> None:
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
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
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    g = replicated(sample_graph, 5)
    docs = sorted(g.graph["documents"])
    push(_subset(g, set(docs[:2])), neo4j_driver, progress=False)  # two documents pushed earlier
    rep = bulk_load(g, neo4j_driver, workers=2)
    assert (rep.new_documents, rep.known_documents) == (3, 2)
    assert normalised(pull(neo4j_driver)) == normalised(g)
