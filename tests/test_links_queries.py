"""Linking, trace, matrix, gaps and ask on the sample, asserting the actual answers."""

from __future__ import annotations

import networkx as nx

from tracegraph.graph.query.ask import ask
from tracegraph.graph.query.queries import active_links, gaps, matrix, search, trace


def _short(n: str) -> str:
    return n.split(":", 1)[1]


def test_every_link_has_score_and_evidence(sample_graph):
    links = active_links(sample_graph)
    assert len(links) >= 30
    for u, v, d in links:
        assert 0.0 <= d["score"] <= 1.0
        assert d["origin"] in ("explicit", "inferred")
        ev = d["evidence"]
        src, tgt = sample_graph.nodes[u], sample_graph.nodes[v]
        s = ev["source_sentence"]
        assert src["start"] <= s["start"] < s["end"] <= src["end"]
        t = ev["target_sentence"]
        assert tgt["start"] <= t["start"] < t["end"] <= tgt["end"]


def test_treats_pairs_mirror_causes(sample_graph):
    pairs = {(_short(u), _short(v)) for u, v, d in active_links(sample_graph, ("TREATS",))}
    assert pairs == {("M1", "C1"), ("M2", "C2"), ("M3", "C5"), ("M4", "C6"), ("M5", "C4")}


def test_trace_two_responsibilities_problem(sample_graph, sample_doc_id):
    tr = trace(sample_graph, f"{sample_doc_id}:P5.2")
    measures = {_short(m["id"]): m for m in tr["measures"]}
    assert "M5" in measures
    m5 = measures["M5"]
    assert m5["title"] == "加强自身建设，提升能力水平"
    assert "三会一课" in m5["evidence"]["source_sentence"]["text"]
    assert "三会一课" in m5["evidence"]["shared_terms"] + m5["evidence"]["shared_refs"]
    assert any("三会一课" in a["title"] for a in m5["actions"])
    refs = {r["canonical"] for r in tr["policy_refs"]}
    assert {"两个责任", "三会一课", "全面从严治党"} <= refs
    assert [e["marker"] for e in tr["examples"]] == ["比如", "再如"]


def test_trace_measure_reverse(sample_graph, sample_doc_id):
    tr = trace(sample_graph, f"{sample_doc_id}:M3")
    problems = [_short(p["id"]) for p in tr["problems"] if p["type"] == "Problem"]
    assert problems[0] == "P3.1"
    assert [_short(c["id"]) for c in tr["causes"]] == ["C5"]
    assert len(tr["actions"]) >= 2


def test_matrix_cells(sample_graph, sample_doc_id):
    mx = matrix(sample_graph, sample_doc_id)
    assert len(mx["measures"]) == 5
    assert len(mx["problems"]) == 17
    cell = mx["cells"][f"{sample_doc_id}:M3|{sample_doc_id}:P3.1"]
    assert cell["origin"] == "inferred" and cell["score"] > 0.5
    assert f"{sample_doc_id}:M1|{sample_doc_id}:P3.1" not in mx["cells"]


def test_gaps_are_findings(sample_graph, sample_doc_id):
    gp = gaps(sample_graph, sample_doc_id)
    uncovered = {_short(p["id"]) for p in gp["problems_without_measures"]}
    assert uncovered <= {"P4.1", "O1"}
    assert {_short(p["id"]) for p in gp["negative_findings"]} == {"O3", "O5"}
    assert gp["measures_addressing_nothing"] == []
    for p in gp["problems_without_measures"]:
        assert sample_graph.nodes[p["id"]]["suggestions"]["ADDRESSES"]


def test_search_chinese_substring_and_fuzzy(sample_graph):
    hits = search(sample_graph, "软弱涣散")
    assert _short(hits[0]["id"]).startswith("P4.1")
    fuzzy = search(sample_graph, "两个责任履行", types=("Problem",))
    assert _short(fuzzy[0]["id"]) == "P5.2"


def test_ask_measures_for_named_problem(sample_graph):
    ans = ask(sample_graph, "哪些措施针对“两个责任”履行不够到位的问题")
    assert _short(ans.targets[0]["id"]) == "P5.2"
    assert "M5" in {_short(r["id"]) for r in ans.results}
    assert ans.intent == "Problem->Measure"


def test_ask_soft_organisations_names_the_problem(sample_graph):
    ans = ask(sample_graph, "哪些措施针对软弱涣散基层党组织问题")
    assert _short(ans.targets[0]["id"]) == "P4.1"
    assert "软弱涣散" in sample_graph.nodes[ans.targets[0]["id"]]["text"]
    assert ans.text


def test_ask_ordinal_measure(sample_graph):
    ans = ask(sample_graph, "第三条整改措施解决了哪些问题")
    assert _short(ans.targets[0]["id"]) == "M3"
    assert _short(ans.results[0]["id"]) == "P3.1"
    assert "回应群众需求不及时" in ans.text


def test_ask_causes(sample_graph):
    ans = ask(sample_graph, "扭住不放、狠抓落实的韧劲不足的原因是什么")
    assert ans.intent == "Problem->Cause"
    assert _short(ans.results[0]["id"]) == "C6"


def test_relinking_is_stable(sample_graph):
    from tracegraph.graph.link.linker import link_graph

    g = sample_graph.copy()
    g.graph["documents"] = sample_graph.graph["documents"]
    before = {(u, v, d["type"], d["score"]) for u, v, d in active_links(g)}
    link_graph(g)
    after = {(u, v, d["type"], d["score"]) for u, v, d in active_links(g)}
    assert before == after
    assert isinstance(g, nx.MultiDiGraph)


def test_link_config_changes_the_links_drawn(sample_graph):
    """The linker's knobs live in LinkConfig: allowing no runner-up (max_seconds=0) leaves each problem its
    best-scoring measure or cause only, and the rest of the reading as it was."""
    from tracegraph.graph.link.config import LinkConfig
    from tracegraph.graph.link.linker import link_graph

    def links(config: LinkConfig) -> set[tuple[str, str, str]]:
        g = sample_graph.copy()
        g.graph["documents"] = sample_graph.graph["documents"]
        link_graph(g, config=config)
        return {(_short(u), _short(v), d["type"]) for u, v, d in active_links(g)}

    default = links(LinkConfig())
    assert default == {(_short(u), _short(v), d["type"]) for u, v, d in active_links(sample_graph)}
    best_only = links(LinkConfig(max_seconds=0))
    assert best_only < default
    assert default - best_only == {
        ("C1", "P1.1", "EXPLAINS"),
        ("M2", "P1.2", "ADDRESSES"),
        ("M2.A1", "P1.2", "ADDRESSES"),
        ("M5", "P5.2", "ADDRESSES"),
        ("M5.A2", "P5.2", "ADDRESSES"),
    }
    measures_of: dict[str, set[str]] = {}
    for s, t, etype in best_only:
        if etype == "ADDRESSES" and "." not in s:
            measures_of.setdefault(t, set()).add(s)
    assert measures_of["P5.2"] == {"M1"}  # M5 was P5.2's runner-up


def test_link_config_reaches_the_build_pipeline_and_keys_its_cache(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A LinkConfig given to build() is used in the worker that links each document, and a cached fragment
    built with other settings is not reused."""
    from pathlib import Path

    from tracegraph.graph.build.pipeline import build
    from tracegraph.graph.link.config import LinkConfig

    sample = Path(__file__).resolve().parents[1] / "data" / "000_ddb002e987b04e7f.txt"

    def addresses(g) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
        return {(u, v) for u, v, d in g.edges(data=True) if d.get("type") == "ADDRESSES"}

    default, _ = build([sample], cache_dir=tmp_path)
    strict, _ = build([sample], cache_dir=tmp_path, link_config=LinkConfig(max_seconds=0))
    assert addresses(strict) < addresses(default)
    again, _ = build([sample], cache_dir=tmp_path)
    assert addresses(again) == addresses(default)


def test_a_documents_search_does_not_depend_on_the_rest_of_the_corpus(sample_graph) -> None:
    """Searching one document gives the same answer in a workspace of one document as among 60 copies: the
    fuzzy fallback's "too few answers" is counted in that document, not in the corpus."""
    from fixtures import replicated

    from tracegraph.graph.query.queries import search

    one, many = replicated(sample_graph, 1), replicated(sample_graph, 60)
    doc = sorted(one.graph["documents"])[0]
    assert doc in many.graph["documents"]
    alone = search(one, "理论学习", doc=doc)
    assert len(alone) >= 5 and alone == search(many, "理论学习", doc=doc)
