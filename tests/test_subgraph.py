"""Selections: the parser for ``--select`` strings and ``select`` on the real sample graph."""

from __future__ import annotations

import copy

import networkx as nx
import pytest

from tracegraph.errors import TracegraphError
from tracegraph.graph.query.queries import gaps, trace
from tracegraph.graph.query.subgraph import Selection, describe, parse_selection, resolve_id, select


def _id(doc: str, short: str) -> str:
    return f"{doc}:{short}"


@pytest.fixture(scope="module")
def curated_graph(sample_graph, sample_doc_id):
    """The sample with a curated link and a curated rejection (a copy: the session graph is shared)."""
    g = copy.deepcopy(sample_graph)
    m3, p52, m1 = (_id(sample_doc_id, s) for s in ("M3", "P5.2", "M1"))
    assert not g.has_edge(m3, p52, key="ADDRESSES")
    g.add_edge(m3, p52, key="ADDRESSES", type="ADDRESSES", origin="curated", rejected=True, score=0.5)
    assert g.has_edge(m1, p52, key="ADDRESSES")
    g.edges[m1, p52, "ADDRESSES"].update(origin="curated", comment="经核实")
    return g


@pytest.fixture(scope="module")
def two_doc_graph(sample_graph, sample_doc_id):
    """The sample twice, the second copy under document id ``doc2`` (shared policy nodes stay shared)."""
    other = nx.relabel_nodes(
        sample_graph,
        lambda n: n.replace(sample_doc_id, "doc2", 1) if n == sample_doc_id or n.startswith(sample_doc_id + ":") else n,
    )
    for _, d in other.nodes(data=True):
        if d.get("doc") == sample_doc_id:
            d["doc"] = "doc2"
    g = nx.compose(copy.deepcopy(sample_graph), other)
    g.graph["documents"] = {
        **sample_graph.graph["documents"],
        "doc2": {**sample_graph.graph["documents"][sample_doc_id], "id": "doc2", "title": "二号"},
    }
    return g


def test_parse_clauses():
    sel = parse_selection(" trace:P5.2 ; focus:M1,P1.1,depth=2; types:Problem,整改措施; doc:a,b; gaps ")
    assert sel.trace == ("P5.2",)
    assert sel.focus == ("M1", "P1.1") and sel.depth == 2
    assert sel.types == ("Problem", "Measure")
    assert sel.documents == ("a", "b")
    assert sel.gaps and not sel.everything and not sel.picks_all
    assert describe(sel) == "追溯：P5.2；邻域：M1、P1.1（2 层）；覆盖缺口；类型：问题、整改措施；文档：a、b"
    assert parse_selection("all") == Selection(everything=True)
    assert parse_selection("") == Selection(everything=True)
    assert parse_selection("types:problem").picks_all  # filters alone select from everything
    assert parse_selection("trace:policy:两个责任").trace == ("policy:两个责任",)  # ids keep their colons


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("trace", "缺少参数"),
        ("focus:depth=2", "缺少节点"),
        ("focus:P1.1,depth=99", "depth 最大"),
        ("types:Nope", "未知的节点类型"),
        ("everything", "无法识别"),
        ("gaps:x", "不需要参数"),
    ],
)
def test_parse_errors(text, fragment):
    with pytest.raises(TracegraphError, match=fragment):
        parse_selection(text)


def test_select_all_keeps_everything_but_rejections(curated_graph, sample_doc_id):
    sub = select(curated_graph, "all")
    assert set(sub.nodes) == set(curated_graph.nodes)
    kept = {(u, v, k) for u, v, k, d in curated_graph.edges(keys=True, data=True) if not d.get("rejected")}
    assert set(sub.edges(keys=True)) == kept
    assert (_id(sample_doc_id, "M3"), _id(sample_doc_id, "P5.2"), "ADDRESSES") not in kept
    assert set(sub.graph["documents"]) == {sample_doc_id}
    assert sub.graph["documents"][sample_doc_id]["sha256"] == curated_graph.graph["documents"][sample_doc_id]["sha256"]
    curated_graph.graph["_search_index"] = object()  # a whole-graph cache must not leak into a subgraph
    try:
        assert "_search_index" not in select(curated_graph, "types:Problem").graph
    finally:
        del curated_graph.graph["_search_index"]


def test_trace_selection_matches_trace_query(curated_graph, sample_doc_id):
    p = _id(sample_doc_id, "P5.2")
    sub = select(curated_graph, "trace:P5.2")
    tr = trace(curated_graph, p)
    expected = {p} | {r["id"] for key in ("examples", "causes", "measures", "actions", "policy_refs") for r in tr[key]}
    assert set(sub.nodes) == expected
    assert {sub.nodes[n]["type"] for n in sub} == {"Problem", "Example", "Cause", "Measure", "Action", "PolicyRef"}
    assert _id(sample_doc_id, "A5") not in sub  # the area is context, not part of the trace
    assert _id(sample_doc_id, "M3") not in sub  # its only link to P5.2 was rejected
    # Origins, scores and evidence travel with the edges, and the result is a copy.
    m1 = _id(sample_doc_id, "M1")
    edge = sub.edges[m1, p, "ADDRESSES"]
    assert edge["origin"] == "curated" and edge["comment"] == "经核实"
    assert edge["score"] == curated_graph.edges[m1, p, "ADDRESSES"]["score"]
    assert edge["evidence"]["source_sentence"]["text"]
    edge["evidence"]["source_sentence"]["text"] = "改过"
    assert curated_graph.edges[m1, p, "ADDRESSES"]["evidence"]["source_sentence"]["text"] != "改过"
    c1 = _id(sample_doc_id, "C1")
    assert sub.edges[c1, p, "EXPLAINS"]["origin"] == "inferred"


def test_focus_depth(curated_graph, sample_doc_id):
    p = _id(sample_doc_id, "P1.1")
    one = select(curated_graph, "focus:P1.1,depth=1")
    assert set(one.nodes) == {p} | set(nx.all_neighbors(curated_graph, p))
    two = select(curated_graph, "focus:P1.1,depth=2")
    assert set(one.nodes) < set(two.nodes)
    # A rejected link is not a path: M3 is reached from P5.2 only through the rejection.
    around = select(curated_graph, "focus:P5.2,depth=1")
    assert _id(sample_doc_id, "M3") not in around


def test_type_and_gap_filters(curated_graph, sample_doc_id):
    sub = select(curated_graph, "types:Problem,Measure")
    assert {d["type"] for _, d in sub.nodes(data=True)} == {"Problem", "Measure"}
    assert {d["type"] for _, _, d in sub.edges(data=True)} == {"ADDRESSES"}
    found = gaps(curated_graph)
    gap_ids = {r["id"] for rows in found.values() for r in rows}
    assert gap_ids and set(select(curated_graph, "gaps").nodes) == gap_ids
    both = select(curated_graph, "gaps;types:Cause")
    assert set(both.nodes) == {r["id"] for r in found["causes_without_measures"]}


def test_documents_and_short_ids(two_doc_graph, sample_doc_id):
    with pytest.raises(TracegraphError, match="多个节点"):
        select(two_doc_graph, "trace:P5.2")
    sub = select(two_doc_graph, "trace:P5.2;doc:doc2")
    assert "doc2:P5.2" in sub and _id(sample_doc_id, "P5.2") not in sub
    assert set(sub.graph["documents"]) == {"doc2"}
    assert resolve_id(two_doc_graph, "P5.2", ("doc2",)) == "doc2:P5.2"
    only2 = select(two_doc_graph, "doc:doc2")
    assert {d.get("doc") for _, d in only2.nodes(data=True)} == {"doc2", None}
    assert "policy:两个责任" in only2  # policy refs the document cites come along
    assert "doc2" in only2 and sample_doc_id not in only2
    with pytest.raises(TracegraphError, match="没有文档"):
        select(two_doc_graph, "doc:nope")
    with pytest.raises(TracegraphError, match="找不到节点"):
        select(two_doc_graph, "trace:P99.9")
