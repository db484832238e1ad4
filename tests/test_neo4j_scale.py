"""What keeps the shared store's answers from growing with the corpus, with the answers unchanged: each document's
numbers stored beside it at push time (graph.stores.neo4j_summary), and search across documents looking where the
full-text indexes point (graph.stores.neo4j_search) — candidate queries that name a superset of what a scan finds."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fixtures import empty_neo4j

from tracegraph.graph.stores.neo4j_search import phrase_query, share_query

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (ROOT / "data", ROOT / "tests/data/real", ROOT / "tests/data/real_more", ROOT / "tests/data/layouts")

# common words (many title hits), rare ones (span hits only), Latin and digits (no Chinese run: the scan), a
# single character, words no title holds verbatim (the fuzzy step, by titles and by texts), words nowhere
QUERIES = (
    "学习", "理论学习", "整改", "党风廉政建设", "主体责任", "形式主义", "干部", "问题", "制度",
    "巡视", "意识形态", "12次", "2022年", "PPT", "党", "学习理论不深入", "整改落实不到位问题",
    "干部监督管理不严格", "基层党组织建设薄弱", "量子纠缠", "“两个确立”", "四个意识",
)


@pytest.fixture(scope="module")
def corpus_graph():  # type: ignore[no-untyped-def]
    from tracegraph.graph.build.pipeline import build_corpus

    files = sorted(p for f in FOLDERS for p in f.glob("*.txt"))
    g, report = build_corpus(files, workers=1)
    assert not report.failed
    assert len(g.graph["documents"]) >= 8
    return g


@contextmanager
def walks(budget: int | None) -> Iterator[None]:
    """Every walk of search reads at most `budget` nodes (None: as shipped)."""
    from tracegraph.graph.stores import neo4j_search as ns

    names = ("WALK_BUDGET", "SPAN_WALK_BUDGET", "FUZZY_WALK_BUDGET")
    saved = [getattr(ns, n) for n in names]
    try:
        for n in names:
            setattr(ns, n, budget if budget is not None else getattr(ns, n))
        yield
    finally:
        for n, v in zip(names, saved, strict=True):
            setattr(ns, n, v)


def recorded(store) -> list[str]:  # type: ignore[no-untyped-def]
    """The queries the store runs from now on, in order (the list fills as it runs them)."""
    ran: list[str] = []
    run = store._run

    def recording(query: str, **params):  # type: ignore[no-untyped-def]
        ran.append(query)
        return run(query, **params)

    store._run = recording
    return ran


def test_titles_are_the_text_of_their_spans(corpus_graph) -> None:
    """The title index is searched on `title`; the scan reads the title span: they must be the same text."""
    docs = corpus_graph.graph["documents"]
    titled = [(n, d) for n, d in corpus_graph.nodes(data=True) if d.get("title_start") is not None]
    assert len(titled) > 500
    for n, d in titled:
        assert d["title"] == docs[d["doc"]]["text"][d["title_start"] : d["title_end"]], n
    # the span walk reads a node's `text` as its span (a section's span is stored apart), and a title hit is a span
    # hit: the title lies in the span
    spanned = [(n, d) for n, d in corpus_graph.nodes(data=True)
               if d.get("doc") is not None and d.get("start") is not None and d["type"] != "Document"]
    assert len(spanned) > len(titled) // 2
    for n, d in spanned:
        if d["type"] != "Section":
            assert d["text"] == docs[d["doc"]]["text"][d["start"] : d["end"]], n
        if d.get("title_start") is not None:
            assert d["start"] <= d["title_start"] <= d["title_end"] <= d["end"], n


def test_the_lucene_queries() -> None:
    assert phrase_query("理论学习") == '"理论学习"'
    # a lone character: a pair it starts or ends (or itself, alone); Latin and digits: a token holding them
    assert phrase_query("开展12次专题研讨", "title") == 'title:"开展" AND title:"次专题研讨" AND title:*12*'
    assert phrase_query("党") == "(党* OR *党)" and phrase_query("PPT") == "*ppt*"
    assert phrase_query("12次", "text") == "(text:次* OR text:*次) AND text:*12*"
    # Latin inside an English word the analyzer drops (the, www, s…) is not looked up; nor is punctuation
    assert phrase_query("the") is None and phrase_query("ww") is None and phrase_query("、。“”") is None
    assert phrase_query("党，AB") == '(党* OR *党) AND *ab*' and phrase_query("x") == "*x*"
    grams = ["不严", "严格", "干部", "管理", "理不", "监督", "督管", "部监"]
    q = share_query(grams)
    groups = [set(part.strip("()").replace('"', "").split(" AND ")) for part in q.split(" OR ")]
    assert sorted(b for grp in groups for b in grp) == sorted(grams) and len(groups) == 5
    # pigeonhole: every choice of half the bigrams holds one group whole
    for present in itertools.combinations(grams, 4):
        assert any(grp <= set(present) for grp in groups), present
    # few choices: each one, so a text holding fewer of the pairs is never named (意见 alone is not 2 of 3)
    few = share_query(["征求", "意见", "求意"], need=2)
    assert few == '("征求" AND "意见") OR ("征求" AND "求意") OR ("意见" AND "求意")'
    seven = share_query(grams, need=7)
    groups = [set(part.strip("()").replace('"', "").split(" AND ")) for part in seven.split(" OR ")]
    assert len(groups) == 8 and all(len(grp) == 7 for grp in groups)


def test_indexed_search_answers_as_the_embedded_store(neo4j_driver, corpus_graph) -> None:
    from tracegraph.graph.stores.embedded import EmbeddedStore
    from tracegraph.graph.stores.neo4j_io import push
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    empty_neo4j(neo4j_driver)
    push(corpus_graph, neo4j_driver, progress=False)
    emb, neo = EmbeddedStore(corpus_graph), Neo4jStore(neo4j_driver)
    assert neo._indexed()
    # the catalogue the app lists documents from: only what a list shows, the reading report included
    from tracegraph.graph.stores.base import CATALOGUE_FIELDS

    catalogue = neo.documents(CATALOGUE_FIELDS)
    assert catalogue == emb.documents(CATALOGUE_FIELDS) and len(catalogue) == len(corpus_graph.graph["documents"])
    assert all("reading" in d and "title" in d and "sha256" not in d for d in catalogue)
    assert all("sha256" in d for d in neo.documents())
    assert all("tg_catalogue" not in d for d in neo.documents())
    # the app's index: each document's stored entry, equal to the entry made from its whole metadata; a store
    # written before entries were stored lists its documents alike
    from tracegraph.graph.stores.base import catalogue_entry

    entries = [catalogue_entry(d["id"], d) for d in emb.documents(CATALOGUE_FIELDS)]
    assert neo.catalogue() == entries
    doubted = [e for e in entries if "reading" in e]
    assert doubted and all(e["reading"]["warnings"] for e in doubted)  # the real 述职 file's reading is in doubt
    assert all(set(e) <= {"id", "title", "original_name", "format", "chars", "meta", "reading"} for e in entries)
    neo4j_driver.execute_query("MATCH (d:TGDocumentMeta) WITH d ORDER BY d.id LIMIT 3 REMOVE d.tg_catalogue")
    assert neo.catalogue() == entries
    ran = recorded(neo)
    from tracegraph.graph.stores import neo4j_search as ns

    # (the walks from Lucene's best title and the fuzzy step's walk by id: the synthetic test below)
    steps = {"titles walked": 0, "titles by length": 0, "spans walked": 0, "spans by length": 0, "fuzzy by titles": 0,
             "fuzzy by spans": 0}
    # the walks read up to WALK_BUDGET nodes (or the span and fuzzy walks' budgets): all of these here, or 40 —
    # then they rarely hold enough, and the ranges, Lucene's hint and the index's candidates answer instead
    for budget in (None, 40):
        with walks(budget):
            for q in QUERIES:
                for types, limit in ((None, 20), (("Measure",), 5), (("Problem", "Cause"), 50)):
                    ran.clear()
                    assert neo.search(q, types=types, limit=limit) == emb.search(q, types=types, limit=limit), (
                        q, types, budget)
                    # no query scans every document's text: each gives the index something to look up
                    assert not [x for x in ran if x.startswith("MATCH (d:TGDocumentMeta) WHERE")], q
                    assert ns.TITLE_FIRST not in ran  # every title has its key and length here
                    # the documents holding the words are never read: titles, then spans, shortest first
                    assert ns.SUBSTRING["indexed"] not in ran, q
                    # answered by walking titles: no range ranked, no span read
                    walked = ns.TITLE_WALK in ran and ns.TITLE_RANGE not in ran and ns.SPAN_WALK not in ran
                    steps["titles walked"] += walked
                    if walked:
                        assert ns.TITLE_CURATED in ran, q  # the curated nodes, read by their spans, merged
                    steps["titles by length"] += ns.TITLE_RANGE in ran
                    steps["spans walked"] += ns.SPAN_WALK in ran and ns.SPAN_RANGE not in ran
                    steps["spans by length"] += ns.SPAN_RANGE in ran
                    if ns.SPAN_WALK in ran:
                        assert ns.SPAN_CURATED in ran, q
                    steps["fuzzy by titles"] += ns.FUZZY_TITLES_LEVEL in ran
                    steps["fuzzy by spans"] += ns.FUZZY_SPANS_LEVEL in ran or ns.FUZZY_SPAN_WALK in ran
                    assert ns.FUZZY["indexed"] not in ran, q
    print(steps)
    assert all(steps.values()), steps  # every indexed step was taken, and answered alike
    assert steps["titles walked"] >= 4, steps
    nonempty = [q for q in QUERIES if emb.search(q)]
    assert len(nonempty) >= len(QUERIES) - 2
    empty_neo4j(neo4j_driver)


def test_a_title_edit_pushed_with_the_graph_is_searched_as_the_scan_searches_it(neo4j_driver, sample_graph) -> None:
    """A graph pushed with an analyst's title edit in it: the node's title no longer is its span's text; the
    indexed search still answers as the embedded store (by the span), not by the edited title."""
    import copy

    from tracegraph.graph.stores.embedded import EmbeddedStore
    from tracegraph.graph.stores.neo4j_io import push
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    g = copy.deepcopy(sample_graph)
    node, d = next((n, d) for n, d in g.nodes(data=True) if d.get("type") == "Problem" and d.get("title_start"))
    span_title = g.graph["documents"][d["doc"]]["text"][d["title_start"] : d["title_end"]]
    d.update(title="量子纠缠现象研究不够", curated=True)
    # the end of the text, in no node's span: Latin in the text's case, in another, inside a word the analyzer drops
    g.graph["documents"][d["doc"]]["text"] += "\n附：the PPT www 2022"
    empty_neo4j(neo4j_driver)
    push(g, neo4j_driver, progress=False)
    emb, neo = EmbeddedStore(g), Neo4jStore(neo4j_driver)
    assert neo._indexed()
    for q in (span_title, span_title[:4], "量子纠缠", "量子纠缠现象研究", "PPT", "ppt", "he", "ww", "022"):
        assert neo.search(q) == emb.search(q), q
    assert node in {h["id"] for h in neo.search(span_title)}
    assert node not in {h["id"] for h in neo.search("量子纠缠")}
    empty_neo4j(neo4j_driver)


def test_the_corpus_numbers_are_the_documents_stored_numbers(neo4j_driver, corpus_graph) -> None:
    """A push stores each document's numbers; the corpus's numbers are their sum and equal the embedded store's,
    also for a store pushed before numbers were stored (counted by the server then) and after a partial push."""
    from tracegraph.graph.query import summary
    from tracegraph.graph.stores.embedded import EmbeddedStore
    from tracegraph.graph.stores.neo4j_bulk import documents_part
    from tracegraph.graph.stores.neo4j_io import push
    from tracegraph.graph.stores.neo4j_store import Neo4jStore
    from tracegraph.graph.stores.neo4j_summary import curated_documents

    empty_neo4j(neo4j_driver)
    push(corpus_graph, neo4j_driver, progress=False)
    docs = sorted(corpus_graph.graph["documents"])
    stored = {r["doc"]: r["c"] for r in neo4j_driver.execute_query(
        "MATCH (c:TGDocumentCounts) RETURN c.doc AS doc, properties(c) AS c").records}
    assert sorted(stored) == docs
    for d in docs:
        expected = summary.counts(corpus_graph, d)
        assert {k: stored[d][k] for k in summary.ADDITIVE} == {k: expected[k] for k in summary.ADDITIVE}, d
    emb, neo = EmbeddedStore(corpus_graph), Neo4jStore(neo4j_driver)
    total = emb.counts()
    assert total["Problem"] >= 40 and total["problems_without_measures"] > 0 and total["Measure"] > 100
    assert neo.counts() == total
    assert curated_documents(neo._run) == []
    # a store from before: no stored numbers (the server counts every document now), then one document re-pushed
    neo4j_driver.execute_query("MATCH (c:TGDocumentCounts) DELETE c")
    assert neo.counts() == total
    push(documents_part(corpus_graph, {docs[0]}), neo4j_driver, progress=False)
    assert neo4j_driver.execute_query("MATCH (c:TGDocumentCounts) RETURN count(c) AS n").records[0]["n"] == 1
    assert neo.counts() == total
    # a document pushed with a decision in it is named (the team's log then recounts it)
    g = corpus_graph.copy()
    u, v, k = next((u, v, k) for u, v, k, d in g.edges(keys=True, data=True)
                   if d.get("type") == "ADDRESSES" and g.nodes[u].get("doc") == docs[1])
    g.edges[u, v, k]["rejected"] = True
    push(documents_part(g, {docs[1]}), neo4j_driver, progress=False)
    assert curated_documents(neo._run) == [docs[1]]
    neo4j_driver.execute_query("MATCH (c:TGDocumentCounts) DELETE c")
    assert curated_documents(neo._run) == [docs[1]]
    empty_neo4j(neo4j_driver)


def test_every_write_of_documents_raises_the_catalogue_version(neo4j_driver, sample_graph) -> None:
    """The app re-reads the document catalogue only when this changes: a push and a bulk load each raise it."""
    import copy

    from tracegraph.graph.stores.neo4j_bulk import bulk_load
    from tracegraph.graph.stores.neo4j_io import push
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    empty_neo4j(neo4j_driver)
    store = Neo4jStore(neo4j_driver)
    assert store.catalogue_version() == (0, 0)
    push(copy.deepcopy(sample_graph), neo4j_driver, progress=False)
    assert store.catalogue_version() == (1, 1)
    bulk_load(copy.deepcopy(sample_graph), neo4j_driver)
    assert store.catalogue_version() == (1, 2)
    empty_neo4j(neo4j_driver)


def test_a_store_written_before_title_and_span_keys_and_catalogue_entries_gets_them_once(
        neo4j_driver, sample_graph) -> None:
    """Search walks titles by their keys only on a store marked complete; ensure_schema gives an older store's nodes
    the keys its writer gives (length, then id) and marks it, and its documents the catalogue entries the writer
    stores; neither comes back in the graph read."""
    from tracegraph.graph.stores.embedded import EmbeddedStore
    from tracegraph.graph.stores.neo4j_io import add_span_keys, add_title_keys, ensure_schema, pull, push
    from tracegraph.graph.stores.neo4j_layout import STORE_ONLY, span_key, span_length, title_key
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    empty_neo4j(neo4j_driver)
    push(sample_graph, neo4j_driver, progress=False)
    titled = {n: d for n, d in sample_graph.nodes(data=True) if d.get("title_start") is not None}
    keys = {r["id"]: r["k"] for r in neo4j_driver.execute_query(
        "MATCH (n:TGNode) WHERE n.tg_title_key IS NOT NULL RETURN n.id AS id, n.tg_title_key AS k").records}
    assert keys == {n: title_key(n, d["title_start"], d["title_end"]) for n, d in titled.items()}
    assert len(keys) > 20 and keys[min(keys)].split("|")[0].isdigit()
    span_q = ("MATCH (n:TGNode) WHERE n.tg_span_key IS NOT NULL "
              "RETURN n.id AS id, n.tg_span_key AS k, n.tg_span_length AS l, n.tg_span AS t")
    spans = {r["id"]: (r["k"], r["l"], r["t"]) for r in neo4j_driver.execute_query(span_q).records}
    docs = sample_graph.graph["documents"]
    assert spans == {
        n: (span_key(n, d["start"], d["end"]), span_length(d["start"], d["end"]),
            docs[d["doc"]]["text"][d["start"] : d["end"]] if d["type"] == "Section" else None)
        for n, d in sample_graph.nodes(data=True)
        if d.get("doc") is not None and d.get("start") is not None and d["type"] != "Document"}
    assert sum(t is not None for _k, _l, t in spans.values()) >= 3  # the sections
    read = pull(neo4j_driver)
    assert not set(STORE_ONLY) & {k for _, d in read.nodes(data=True) for k in d}
    assert dict(read.nodes(data=True)) == dict(sample_graph.nodes(data=True))
    entries_q = "MATCH (d:TGDocumentMeta) RETURN d.id AS id, d.tg_catalogue AS e"
    entries = {r["id"]: r["e"] for r in neo4j_driver.execute_query(entries_q).records}
    assert len(entries) == len(sample_graph.graph["documents"]) and all(entries.values())
    # as a store written before keys and catalogue entries existed: no keys, no mark, no entries
    neo4j_driver.execute_query("MATCH (d:TGDocumentMeta) REMOVE d.tg_catalogue")
    neo4j_driver.execute_query("MATCH (n:TGNode) REMOVE n.tg_title_key")
    neo4j_driver.execute_query("MATCH (n:TGNode) REMOVE n.tg_span_key, n.tg_span")
    neo4j_driver.execute_query("DROP INDEX tg_span_length IF EXISTS")  # made once the keys are there
    neo4j_driver.execute_query("MATCH (v:TGCatalogue) REMOVE v.title_keys, v.span_keys")
    from tracegraph.graph.stores import neo4j_search as ns

    neo, emb = Neo4jStore(neo4j_driver), EmbeddedStore(sample_graph)
    assert neo._run(ns.TITLE_KEYS_READY)[0]["ready"] is False
    assert neo._run(ns.SPAN_KEYS_READY)[0]["ready"] is False
    ran = recorded(neo)
    for q in ("问题", "民主生活会", "整改措施"):
        assert neo.search(q) == emb.search(q)  # answered from the index, not from the missing keys
    assert ns.SPAN_WALK not in ran and ns.SUBSTRING["indexed"] in ran
    told: list[str] = []
    ensure_schema(neo4j_driver, notice=told.append)
    assert len(told) == 2 and all("较早版本" in t and "1 份文档" in t for t in told), told  # titles, then spans
    assert {r["id"]: (r["k"], r["l"], r["t"]) for r in neo4j_driver.execute_query(span_q).records} == spans
    assert neo._run(ns.SPAN_KEYS_READY)[0]["ready"] is True
    assert neo4j_driver.execute_query("SHOW INDEXES YIELD name, state WHERE name = 'tg_span_length' "
                                      "RETURN state").records[0]["state"] == "ONLINE"
    ran.clear()
    for q in ("问题", "民主生活会", "整改措施"):
        assert neo.search(q) == emb.search(q)
    assert ns.SPAN_WALK in ran and ns.SUBSTRING["indexed"] not in ran
    assert add_span_keys(neo4j_driver) == 0
    assert {r["id"]: r["k"] for r in neo4j_driver.execute_query(
        "MATCH (n:TGNode) WHERE n.tg_title_key IS NOT NULL RETURN n.id AS id, n.tg_title_key AS k").records} == keys
    assert neo._run(ns.TITLE_KEYS_READY)[0]["ready"] is True
    assert {r["id"]: r["e"] for r in neo4j_driver.execute_query(entries_q).records} == entries
    assert add_title_keys(neo4j_driver) == 0  # marked: nothing scanned again
    empty_neo4j(neo4j_driver)


def test_search_of_a_synthetic_archive_takes_each_shortcut_with_the_same_answers(neo4j_driver, tmp_path) -> None:
    """Synthetic documents as the benchmark writes them (many titles alike, long examples cut at one length):
    with walks shorter than the store, a rarer word's titles are found from Lucene's best (none shorter, then
    walked from there) and the fuzzy step walks the nodes by id — and every answer equals the embedded store's."""
    import sys

    from tracegraph.graph.build.pipeline import build_corpus
    from tracegraph.graph.stores import neo4j_search as ns
    from tracegraph.graph.stores.embedded import EmbeddedStore
    from tracegraph.graph.stores.neo4j_io import push
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    sys.path.insert(0, str(ROOT))
    from tools.bench.synth import make_corpus

    g, report = build_corpus(make_corpus(tmp_path / "synth", 40), workers=1)
    assert not report.failed
    empty_neo4j(neo4j_driver)
    push(g, neo4j_driver, progress=False)
    emb, neo = EmbeddedStore(g), Neo4jStore(neo4j_driver)
    ran = recorded(neo)
    paths: dict[str, dict[str, int]] = {}
    with walks(1100):  # of the store's nodes
        assert g.number_of_nodes() > 2 * ns.WALK_BUDGET
        # (征求意见: in most documents' texts, in no node's span — their preambles; 高度重视: in spans, in no title)
        for q in ("理论学习", "软弱涣散", "干部监督管理不严格", "形式主义", "整改落实不到位问题",
                  "征求意见", "高度重视"):
            for types, limit in ((None, 20), (None, 10), (None, 3), (("Problem",), 10)):
                ran.clear()
                assert neo.search(q, types=types, limit=limit) == emb.search(q, types=types, limit=limit), (q, types)
                paths[f"{q} {types} {limit}"] = {name: ran.count(getattr(ns, name)) for name in (
                    "TITLE_WALK", "TOP_TITLES", "TITLE_RANGE", "SPAN_WALK", "SPAN_RANGE", "FUZZY_WALK", "FUZZY_CURATED",
                    "FUZZY_TITLES_LEVEL", "FUZZY_SPANS_LEVEL", "FUZZY_SPAN_WALK")}
                assert ns.SUBSTRING["indexed"] not in ran and ns.FUZZY["indexed"] not in ran
    print(paths)
    hinted = [k for k, p in paths.items() if p["TITLE_WALK"] == 2 and not p["TITLE_RANGE"]]
    fuzzy_walked = [k for k, p in paths.items() if p["FUZZY_CURATED"]]
    spans_hinted = [k for k, p in paths.items() if p["SPAN_WALK"] == 2 and not p["SPAN_RANGE"]]
    spans_fuzzy_walked = [k for k, p in paths.items() if p["FUZZY_SPAN_WALK"]]
    assert hinted and fuzzy_walked and spans_hinted and spans_fuzzy_walked, paths
    empty_neo4j(neo4j_driver)
