"""The 全图 page's arrays (ui/bigmap/layout.py), checked without a browser: every node drawn once at a finite
place, edges indexing drawn nodes, one tile per document, and the grouped overview past the limit."""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx
import pytest
from fixtures import two_document_graph

from tracegraph.graph.exporters._style import EDGE_COLOURS
from tracegraph.ui.bigmap.layout import EDGE_TYPES, MAP_TYPES, grouped_data, map_data, map_limit, nodes_to_draw

DRAWN_ALONE = ("Area", "Cause", "Problem", "Measure", "Action")


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    return two_document_graph(tmp_path_factory.mktemp("twins-map"))


def _pairs(md: dict) -> list[tuple[int, int, int]]:
    e, ec = md["e"], md["ec"]
    assert len(e) == 2 * len(ec)
    return [(e[2 * i], e[2 * i + 1], ec[i]) for i in range(len(ec))]


def _check_arrays(g: nx.MultiDiGraph, md: dict, etypes: list[str]) -> None:
    ids = md["id"]
    n = len(ids)
    assert len(set(ids)) == n, "every node drawn once"
    for key in ("x", "y", "c", "s", "p", "l", "t"):
        assert len(md[key]) == n, key
    assert all(math.isfinite(v) for v in md["x"] + md["y"])
    assert all(0 <= c < len(md["palette"]) for c in md["c"])
    assert md["edgePalette"] == [EDGE_COLOURS.get(t, "#bbbbbb") for t in etypes]
    for a, b, c in _pairs(md):
        assert 0 <= a < n and 0 <= b < n and 0 <= c < len(etypes)
        u, v, t = ids[a], ids[b], etypes[c]
        assert any(d.get("type") == t and not d.get("rejected") for d in g.get_edge_data(u, v, default={}).values()), \
            (u, v, t)


def test_map_data_draws_every_node_of_the_sample_once(sample_graph, sample_doc_id) -> None:
    g = sample_graph
    md = map_data(g, limit=10_000)
    assert md["grouped"] is False
    _check_arrays(g, md, list(EDGE_TYPES))
    ids = md["id"]
    drawn = Counter(g.nodes[n]["type"] for n in ids)
    graph = Counter(d.get("type") for _n, d in g.nodes(data=True))
    for t in DRAWN_ALONE:
        assert drawn[t] == graph[t] > 0, t
    # policy references cited by the drawn items (the tiles' columns; the document's own citations, like those
    # of sections and examples, do not bring a reference onto the map)
    cited = {v for n in ids if g.nodes[n]["type"] in DRAWN_ALONE
             for _u, v, d in g.out_edges(n, data=True) if d.get("type") == "CITES"}
    assert {n for n in ids if g.nodes[n]["type"] == "PolicyRef"} == cited
    assert drawn["PolicyRef"] == len(cited) > 0
    assert sample_doc_id in ids and drawn["Document"] == 1
    assert not {"Example", "Quote", "Section", "Speaker"} & set(drawn)
    assert md["ec"], "relationships are drawn"
    assert md["info"].startswith(f"{len(ids):,} 个节点、{len(md['ec']):,} 条关系")


def test_map_data_lays_a_tile_out_in_reading_columns(sample_graph) -> None:
    g = sample_graph
    md = map_data(g, limit=10_000)
    x = {n: md["x"][i] for i, n in enumerate(md["id"])}
    col = {t: {x[n] for n in md["id"] if g.nodes[n]["type"] == t} for t in DRAWN_ALONE}
    for t in DRAWN_ALONE:
        assert len(col[t]) == 1, f"{t} stand in one column"
    order = [next(iter(col[t])) for t in DRAWN_ALONE]
    assert order == sorted(order) and len(set(order)) == len(order)
    refs = [x[n] for n in md["id"] if g.nodes[n]["type"] == "PolicyRef"]
    assert min(refs) > max(order), "policy references stand to the right of the tile"


def test_map_data_never_draws_a_rejected_link(sample_graph, sample_doc_id) -> None:
    p, m5 = f"{sample_doc_id}:P5.2", f"{sample_doc_id}:M5"
    before = map_data(sample_graph, limit=10_000)
    where = {n: i for i, n in enumerate(before["id"])}
    assert any((a, b) == (where[m5], where[p]) for a, b, _c in _pairs(before))
    gc = sample_graph.copy()
    for k in list(gc[m5][p]):
        gc.edges[m5, p, k]["rejected"] = True
    after = map_data(gc, limit=10_000)
    _check_arrays(gc, after, list(EDGE_TYPES))
    assert after["id"] == before["id"]
    assert not any((a, b) == (where[m5], where[p]) for a, b, _c in _pairs(after))
    assert len(after["ec"]) == len(before["ec"]) - len(gc[m5][p])


def test_map_data_of_two_documents_two_tiles_and_no_citation_lines(twins) -> None:
    g = twins
    md = map_data(g, limit=10_000)
    etypes = [t for t in EDGE_TYPES if t != "CITES"]
    assert md["grouped"] is False
    _check_arrays(g, md, etypes)
    assert EDGE_COLOURS["CITES"] not in md["edgePalette"]
    ids = md["id"]
    for _a, b, _c in _pairs(md):
        assert g.nodes[ids[b]]["type"] != "PolicyRef"  # the only edges into a policy are citations
    docs = sorted(g.graph["documents"])
    assert all(d in ids for d in docs)
    assert len(ids) == len(set(ids))
    graph = Counter(d.get("type") for _n, d in g.nodes(data=True))
    drawn = Counter(g.nodes[n]["type"] for n in ids)
    for t in DRAWN_ALONE:
        assert drawn[t] == graph[t], t
    xs = {n: md["x"][i] for i, n in enumerate(ids)}
    spans = []
    for doc in docs:
        px = [xs[n] for n in ids if g.nodes[n]["type"] == "Problem" and g.nodes[n]["doc"] == doc]
        assert px
        spans.append((min(px), max(px)))
    (_lo1, hi1), (lo2, _hi2) = sorted(spans)
    assert hi1 < lo2, "the two documents' tiles stand side by side"
    assert "2 个文档" in md["info"] and "引用连线不画" in md["info"]


def test_map_data_of_one_document_of_two(twins) -> None:
    doc = sorted(twins.graph["documents"])[1]
    md = map_data(twins, doc=doc, limit=10)  # one document is never grouped
    assert md["grouped"] is False
    assert all((twins.nodes[n].get("doc") == doc) or twins.nodes[n]["type"] == "PolicyRef" for n in md["id"])
    _check_arrays(twins, md, list(EDGE_TYPES))


def test_grouped_when_past_the_limit(twins, sample_graph, sample_doc_id) -> None:
    total = sum(len(v) for v in nodes_to_draw(twins, None).values())
    assert total > 100
    md = map_data(twins, limit=100)
    docs = sorted(twins.graph["documents"])
    assert md["grouped"] is True
    assert sorted(md["id"]) == docs and len(md["x"]) == len(md["y"]) == len(md["s"]) == 2
    assert md["e"] == [] and md["ec"] == []
    assert len({(x, y) for x, y in zip(md["x"], md["y"], strict=True)}) == 2
    assert "上限 100" in md["info"] and f"{total:,} 个节点" in md["info"] and "2 个文档" in md["info"]
    assert md == grouped_data(twins, total, 100) | {"key": md["key"]}

    one = map_data(sample_graph, limit=10)
    assert one["grouped"] is True and one["id"] == [sample_doc_id] and "上限 10" in one["info"]


def test_nodes_to_draw_reading_order_and_policy_block(sample_graph, sample_doc_id) -> None:
    g = sample_graph
    groups = nodes_to_draw(g, None)
    assert set(groups) == {sample_doc_id, ""}
    own = groups[sample_doc_id]
    starts = [g.nodes[n].get("start") for n in own]
    assert starts == sorted(starts)
    assert {g.nodes[n]["type"] for n in own} == set(DRAWN_ALONE)
    refs = groups[""]
    cites = Counter(v for n in own for _u, v, d in g.out_edges(n, data=True) if d.get("type") == "CITES")
    assert set(refs) == set(cites)
    assert [cites[r] for r in refs] == sorted((cites[r] for r in refs), reverse=True), "most cited first"
    no_refs = nodes_to_draw(g, None, types=("Problem",))
    assert set(no_refs) == {sample_doc_id}
    assert all(g.nodes[n]["type"] == "Problem" for n in no_refs[sample_doc_id])
    assert nodes_to_draw(g, "some-other-doc", MAP_TYPES) == {"": []}


def test_map_limit_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACEGRAPH_MAP_LIMIT", raising=False)
    assert map_limit() == 20000
    monkeypatch.setenv("TRACEGRAPH_MAP_LIMIT", "5000")
    assert map_limit() == 5000
    monkeypatch.setenv("TRACEGRAPH_MAP_LIMIT", "lots")
    assert map_limit() == 20000
    monkeypatch.setenv("TRACEGRAPH_MAP_LIMIT", "")
    assert map_limit() == 20000
    monkeypatch.setenv("TRACEGRAPH_MAP_LIMIT", "7")
    assert map_limit() == 100
    monkeypatch.setenv("TRACEGRAPH_MAP_LIMIT", "-3")
    assert map_limit() == 100


def test_map_data_uses_the_environment_limit(sample_graph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEGRAPH_MAP_LIMIT", "100")
    total = sum(len(v) for v in nodes_to_draw(sample_graph, None).values())
    assert total < 100  # the sample alone stays under the smallest limit: drawn node by node
    assert map_data(sample_graph)["grouped"] is False
