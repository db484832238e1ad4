"""The explorer without a browser: type-ahead, neighbours, shortest paths and scene payloads
(graph/query/explore.py), and what each browser event does to the explorer's state (ui/explore/scene_state.py)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import networkx as nx
import pytest
from fixtures import two_document_graph

from tracegraph.graph.curation.scenes import Scene, SceneStore
from tracegraph.graph.model.schema import LINK_TYPES
from tracegraph.graph.query.explore import neighbours, node_row, scene_payload, shortest_path, suggest
from tracegraph.graph.query.naming import shown_id
from tracegraph.ui.explore import scene_state as ss
from tracegraph.ui.explore.scene_state import ExplorerState, expand, handle, layered_positions, open_scene, payload


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    return two_document_graph(tmp_path_factory.mktemp("twins"))


def _id(doc: str, code: str) -> str:
    return f"{doc}:{code}"


def _joined(g: nx.MultiDiGraph, u: str, v: str) -> bool:
    return g.has_edge(u, v) or g.has_edge(v, u)


def _area_of(g: nx.MultiDiGraph, n: str) -> str:
    return next(u for u, _v, d in g.in_edges(n, data=True)
                if d.get("type") == "CONTAINS" and g.nodes[u].get("type") == "Area")


def _problem_and_cited_policy(g: nx.MultiDiGraph) -> tuple[str, str, str]:
    """A problem, an item addressing it (a measure if any) and a policy that item cites but the problem does not."""
    found = []
    for p, d in sorted(g.nodes(data=True)):
        if d.get("type") != "Problem":
            continue
        own = {v for _u, v, e in g.out_edges(p, data=True) if e.get("type") == "CITES"}
        for m, _p, e in g.in_edges(p, data=True):
            if e.get("type") != "ADDRESSES":
                continue
            for _m, r, c in g.out_edges(m, data=True):
                if c.get("type") == "CITES" and r not in own and g.nodes[r].get("type") == "PolicyRef":
                    found.append((g.nodes[m].get("type") != "Measure", p, m, r))
    assert found, "the sample has a problem whose measures cite a policy the problem does not"
    _not_measure, p, m, r = sorted(found)[0]
    return p, m, r


def _reject_all_edges_of(g: nx.MultiDiGraph, n: str) -> nx.MultiDiGraph:
    gc = g.copy()  # new edge-data dicts: the session graph is left as it was
    for _u, _v, d in [*gc.out_edges(n, data=True), *gc.in_edges(n, data=True)]:
        d["rejected"] = True
    return gc


def _leaf(g: nx.MultiDiGraph, doc: str) -> tuple[str, str]:
    """An example hanging off P5.2 by its one edge, and P5.2."""
    p = _id(doc, "P5.2")
    leaf = next(v for _u, v, d in g.out_edges(p, data=True) if d.get("type") == "HAS_EXAMPLE" and g.degree(v) == 1)
    return leaf, p


# ------------------------------------------------------------------ suggest / node_row


def test_suggest_finds_the_one_weak_organisation_problem(sample_graph, sample_doc_id) -> None:
    hits = suggest(sample_graph, "软弱涣散")
    assert hits, "软弱涣散 is found"
    first = hits[0]
    assert first["id"] == _id(sample_doc_id, "P4.1")
    assert first["typeZh"] == "问题" and first["type"] == "Problem"
    assert first["title"] == "对如何运用党史做好组织工作结合上还不够好"
    assert first["code"] == "P4.1"  # one document: the short id needs no document tag
    assert first["doc"] == sample_doc_id


def test_suggest_empty_query_is_empty(sample_graph) -> None:
    assert suggest(sample_graph, "") == []
    assert suggest(sample_graph, "   ") == []


def test_suggest_names_each_document_in_a_two_document_graph(twins) -> None:
    docs = sorted(twins.graph["documents"])
    hits = suggest(twins, "软弱涣散")
    by_doc = {h["doc"]: h for h in hits if h["id"].endswith(":P4.1")}
    assert set(by_doc) == set(docs), "both documents' P4.1 are offered"
    a, b = (by_doc[d] for d in docs)
    assert a["title"] == b["title"]  # look-alikes …
    assert a["code"] != b["code"]  # … told apart by their document
    for h in (a, b):
        assert h["docTag"] and h["code"] == f"〔{h['docTag']}〕P4.1"
    assert a["docTag"] != b["docTag"]


def test_suggest_restricted_to_one_document(twins) -> None:
    for doc in twins.graph["documents"]:
        hits = suggest(twins, "软弱涣散", doc=doc)
        assert hits and all(h["doc"] == doc for h in hits)
        assert hits[0]["id"] == _id(doc, "P4.1")


def test_node_row_of_a_document_has_no_code(sample_graph, sample_doc_id) -> None:
    row = node_row(sample_graph, sample_doc_id)
    assert row["type"] == "Document" and row["code"] == ""
    assert row["title"]


# ------------------------------------------------------------------ neighbours


def test_neighbours_of_p52_include_m5_and_its_area(sample_graph, sample_doc_id) -> None:
    g, p = sample_graph, _id(sample_doc_id, "P5.2")
    got, total = neighbours(g, p)
    assert _id(sample_doc_id, "M5") in got
    assert _area_of(g, p) in got
    assert total == len(got) == len(set(got))
    assert p not in got
    expected = {v for _u, v in g.out_edges(p)} | {u for u, _v in g.in_edges(p)}
    assert set(got) == expected - {p}


def test_neighbours_put_links_first_best_score_first(sample_graph, sample_doc_id) -> None:
    g, p = sample_graph, _id(sample_doc_id, "P5.2")
    got, _total = neighbours(g, p)
    linked: dict[str, float] = {}
    for u, v, d in [*g.out_edges(p, data=True), *g.in_edges(p, data=True)]:
        if d.get("type") in LINK_TYPES:
            m = v if u == p else u
            linked[m] = max(linked.get(m, 0.0), float(d.get("score") or 1.0))
    assert linked, "P5.2 has ADDRESSES/EXPLAINS links"
    assert set(got[: len(linked)]) == set(linked), "links come before structural neighbours"
    scores = [linked[m] for m in got[: len(linked)]]
    assert scores == sorted(scores, reverse=True)


def test_neighbours_exclude_and_limit(sample_graph, sample_doc_id) -> None:
    g, p, m5 = sample_graph, _id(sample_doc_id, "P5.2"), _id(sample_doc_id, "M5")
    full, total = neighbours(g, p)
    without, total2 = neighbours(g, p, exclude=[m5])
    assert m5 not in without and total2 == total - 1
    assert without == [n for n in full if n != m5]
    cut, total3 = neighbours(g, p, limit=2)
    assert cut == full[:2] and total3 == total > 2
    assert neighbours(g, "nowhere:X") == ([], 0)


def test_neighbours_do_not_follow_a_rejected_link(sample_graph, sample_doc_id) -> None:
    p, m5 = _id(sample_doc_id, "P5.2"), _id(sample_doc_id, "M5")
    gc = sample_graph.copy()
    keys = list(gc[m5][p])
    assert keys
    for k in keys:
        gc.edges[m5, p, k]["rejected"] = True
    assert not gc.has_edge(p, m5)
    got, total = neighbours(gc, p)
    assert m5 not in got
    assert total == neighbours(sample_graph, p)[1] - 1
    assert not any(d.get("rejected") for _u, _v, d in sample_graph.edges(data=True))  # the copy only


# ------------------------------------------------------------------ shortest_path


def test_shortest_path_from_a_problem_to_a_policy_its_measure_cites(sample_graph, sample_doc_id) -> None:
    g = sample_graph
    p, m, r = _problem_and_cited_policy(g)
    path = shortest_path(g, p, r)
    assert path[0] == p and path[-1] == r
    assert all(_joined(g, a, b) for a, b in itertools.pairwise(path))
    assert len(path) == 3  # problem — the item that addresses it — the policy
    assert all(g.nodes[n].get("type") != "Document" for n in path)
    assert sample_doc_id not in path
    back = shortest_path(g, r, p)
    assert back[0] == r and back[-1] == p and len(back) == 3
    assert m in g and g.has_edge(m, p) and g.has_edge(m, r)


def test_shortest_path_trivial_cases(sample_graph, sample_doc_id) -> None:
    p = _id(sample_doc_id, "P5.2")
    assert shortest_path(sample_graph, p, p) == [p]
    assert shortest_path(sample_graph, p, "nowhere:X") == []
    assert shortest_path(sample_graph, "nowhere:X", p) == []


def test_shortest_path_never_uses_a_rejected_link(sample_graph, sample_doc_id) -> None:
    leaf, p = _leaf(sample_graph, sample_doc_id)
    assert shortest_path(sample_graph, p, leaf) == [p, leaf]
    gc = _reject_all_edges_of(sample_graph, leaf)
    assert shortest_path(gc, p, leaf) == []
    assert shortest_path(gc, leaf, _id(sample_doc_id, "M5")) == []
    assert shortest_path(sample_graph, p, leaf) == [p, leaf]  # the session graph is untouched


# ------------------------------------------------------------------ scene_payload


def test_scene_payload_edges_among_scene_nodes_only(sample_graph, sample_doc_id) -> None:
    g = sample_graph
    p, m5 = _id(sample_doc_id, "P5.2"), _id(sample_doc_id, "M5")
    area = _area_of(g, p)
    nodes = [p, m5, area, "gone:P9.9", p]
    out = scene_payload(g, nodes)
    assert [r["id"] for r in out["nodes"]] == [p, m5, area]
    assert out["missing"] == ["gone:P9.9"]
    inside = {p, m5, area}
    assert all(e["from"] in inside and e["to"] in inside for e in out["edges"])
    expected = {(u, v, k) for u, v, k in g.edges(keys=True) if u in inside and v in inside}
    assert {(e["from"], e["to"], e["type"]) for e in out["edges"]} == expected
    assert len(out["edges"]) == len(expected)
    addr = next(e for e in out["edges"] if e["from"] == m5 and e["to"] == p)
    assert addr["type"] == "ADDRESSES" and addr["link"] and not addr["rejected"]
    assert addr["typeZh"] and addr["origin"]
    json.dumps(out, ensure_ascii=False)


def test_scene_payload_keeps_rejected_links_marked(sample_graph, sample_doc_id) -> None:
    p, m5 = _id(sample_doc_id, "P5.2"), _id(sample_doc_id, "M5")
    gc = sample_graph.copy()
    for k in list(gc[m5][p]):
        gc.edges[m5, p, k]["rejected"] = True
        gc.edges[m5, p, k]["comment"] = "不相关"
    out = scene_payload(gc, [p, m5])
    edges = [e for e in out["edges"] if e["from"] == m5 and e["to"] == p]
    assert edges and all(e["rejected"] for e in edges)
    assert edges[0]["comment"] == "不相关"


# ------------------------------------------------------------------ scene_state


def test_search_event_fills_suggestions(sample_graph, sample_doc_id) -> None:
    xs = ExplorerState()
    handle(sample_graph, xs, "search", " 软弱涣散 ")
    assert xs.suggestions is not None and xs.suggestions["q"] == "软弱涣散"
    assert xs.suggestions["items"][0]["id"] == _id(sample_doc_id, "P4.1")
    assert xs.rev == 1 and xs.nodes == []
    handle(sample_graph, xs, "search", {"q": ""})
    assert xs.suggestions == {"q": "", "items": []}


def test_add_event_adds_once_and_opens_the_node(sample_graph, sample_doc_id) -> None:
    g, p = sample_graph, _id(sample_doc_id, "P5.2")
    xs = ExplorerState(suggestions={"q": "x", "items": []})
    handle(g, xs, "add", {"id": p})
    handle(g, xs, "add", {"id": p})
    assert xs.nodes == [p]
    assert xs.opened == xs.anchor == p and xs.select == [p]
    assert xs.suggestions is None
    assert "P5.2" in xs.message
    handle(g, xs, "add", {"id": "nowhere:X"})
    assert xs.nodes == [p]


def test_expand_event_adds_neighbours_and_says_how_many(sample_graph, sample_doc_id) -> None:
    g, p = sample_graph, _id(sample_doc_id, "P5.2")
    xs = ExplorerState(nodes=[p])
    handle(g, xs, "expand", {"ids": [p]})
    _got, total = neighbours(g, p)
    assert len(xs.nodes) == 1 + total
    assert set(xs.nodes) >= {p, _id(sample_doc_id, "M5")}
    assert f"新增 {total} 个相邻节点" in xs.message and "未展开" not in xs.message
    assert xs.anchor == p and xs.select == [p]
    handle(g, xs, "expand", {"ids": [p]})  # nothing new the second time
    assert len(xs.nodes) == 1 + total and "新增 0 个" in xs.message


def test_expand_with_a_limit_says_how_many_were_left_out(sample_graph, sample_doc_id) -> None:
    g, p = sample_graph, _id(sample_doc_id, "P5.2")
    _got, total = neighbours(g, p)
    xs = ExplorerState(nodes=[p])
    expand(g, xs, [p], limit=1)
    assert len(xs.nodes) == 2
    assert "新增 1 个相邻节点" in xs.message
    assert f"另有 {total - 1} 个相邻节点未展开" in xs.message and "每次最多 1 个" in xs.message


def test_hide_event_removes_from_nodes_path_and_pinned(sample_graph, sample_doc_id) -> None:
    p, m5, m1 = (_id(sample_doc_id, c) for c in ("P5.2", "M5", "M1"))
    xs = ExplorerState(nodes=[p, m5, m1], path=[m5, p], pinned=[m5, m1])
    handle(sample_graph, xs, "hide", {"ids": [m5]})
    assert xs.nodes == [p, m1] and xs.path == [p] and xs.pinned == [m1]
    assert "已隐藏 1 个节点" in xs.message


def test_path_event_puts_the_path_into_the_scene(sample_graph) -> None:
    g = sample_graph
    p, _m, r = _problem_and_cited_policy(g)
    xs = ExplorerState(nodes=[p])
    handle(g, xs, "path", {"ids": [p, r]})
    path = shortest_path(g, p, r)
    assert xs.path == path
    assert all(n in xs.nodes for n in path) and len(xs.nodes) == len(path)
    assert xs.message.startswith(f"最短路径：{len(path) - 1} 步")
    assert " → ".join(shown_id(g, n) for n in path) in xs.message
    assert xs.select == [p, r] and xs.anchor == p


def test_path_event_without_a_path_says_so(sample_graph, sample_doc_id) -> None:
    leaf, p = _leaf(sample_graph, sample_doc_id)
    gc = _reject_all_edges_of(sample_graph, leaf)
    xs = ExplorerState(nodes=[p, leaf], path=[p])
    handle(gc, xs, "path", {"ids": [p, leaf]})
    assert xs.path == [] and "没有关联路径" in xs.message
    assert xs.nodes == [p, leaf]
    handle(gc, xs, "path", {"ids": [p]})  # one node is not a pair
    assert xs.path == [] and "没有关联路径" in xs.message


def test_save_event_stores_the_scene(sample_graph, sample_doc_id, tmp_path: Path) -> None:
    g = sample_graph
    p, m5 = _id(sample_doc_id, "P5.2"), _id(sample_doc_id, "M5")
    store = SceneStore(tmp_path / "scenes.sqlite", "钱")
    try:
        xs = ExplorerState(nodes=[p, m5])
        handle(g, xs, "save", {"name": "  两个 责任 ", "nodes": [p, m5], "positions": {p: [10, 20], "x:y": [1, 1]},
                               "pinned": [p], "style": "document", "caption": "code"}, scenes=store)
        assert xs.saved == xs.scene_name == "两个 责任"
        assert xs.message.startswith("已保存场景") and "2 个节点" in xs.message
        assert xs.positions == {p: (10.0, 20.0)} and xs.pinned == [p]
        assert (xs.style, xs.caption) == ("document", "code")
        got = store.get("两个 责任")
        assert got.nodes == [p, m5] and got.saved_by == "钱" and got.style == "document"

        handle(g, xs, "save", {"name": "", "nodes": [p]}, scenes=store)
        assert xs.message.startswith("未保存") and xs.saved == ""
        handle(g, xs, "save", {"name": "坏的", "nodes": "P5.2"}, scenes=store)
        assert xs.message.startswith("未保存")
        handle(g, xs, "save", {"name": "坏的", "nodes": [p], "positions": [[p, 1, 2]]}, scenes=store)
        assert xs.message.startswith("未保存")
        assert store.names() == ["两个 责任"]
    finally:
        store.close()
    handle(g, xs, "save", {"name": "无处", "nodes": [p]}, scenes=None)
    assert "没有打开的工作区" in xs.message


def test_clear_event_bumps_seq_and_empties(sample_graph, sample_doc_id) -> None:
    p = _id(sample_doc_id, "P5.2")
    xs = ExplorerState(nodes=[p], path=[p], pinned=[p], select=[p], opened=p, picture=[p], seq=3,
                       positions={p: (1.0, 2.0)})
    handle(sample_graph, xs, "clear", None)
    assert xs.seq == 4
    assert (xs.nodes, xs.path, xs.pinned, xs.select, xs.picture, xs.positions) == ([], [], [], [], [], {})
    assert xs.opened == "" and "已清空" in xs.message


def test_scene_size_is_capped(sample_graph, sample_doc_id, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ss, "MAX_SCENE", 3)
    g, p = sample_graph, _id(sample_doc_id, "P5.2")
    _got, total = neighbours(g, p)
    xs = ExplorerState(nodes=[p])
    handle(g, xs, "expand", {"ids": [p]})
    assert len(xs.nodes) == 3
    assert "场景最多 3 个节点" in xs.message and f"{total - 2} 个未加入" in xs.message
    handle(g, xs, "add", {"id": _id(sample_doc_id, "P4.1")})
    assert len(xs.nodes) == 3 and _id(sample_doc_id, "P4.1") not in xs.nodes
    xs.replace_scene([n for n in g if g.nodes[n].get("type") == "Problem"])
    assert len(xs.nodes) == 3


def test_look_and_open_events(sample_graph, sample_doc_id) -> None:
    p = _id(sample_doc_id, "P5.2")
    xs = ExplorerState()
    handle(sample_graph, xs, "look", {"style": "origin", "caption": "nonsense"})
    assert (xs.style, xs.caption) == ("origin", "code_title")
    handle(sample_graph, xs, "open", {"id": p})
    assert xs.opened == p
    handle(sample_graph, xs, "open", {"id": "nowhere:X"})
    assert xs.opened == ""
    handle(sample_graph, xs, "picture", {"ids": [p, "nowhere:X"]})
    assert xs.picture == [p]


def test_open_scene_drops_nodes_no_longer_in_the_graph(sample_graph, sample_doc_id) -> None:
    p, m5 = _id(sample_doc_id, "P5.2"), _id(sample_doc_id, "M5")
    scene = Scene("旧场景", [p, "gone:P9.9", m5], positions={p: (1.0, 2.0), "gone:P9.9": (3.0, 4.0)},
                  pinned=[p, "gone:P9.9"], style="document", caption="title")
    xs = ExplorerState(nodes=[_id(sample_doc_id, "P4.1")], seq=5)
    open_scene(sample_graph, xs, scene)
    assert xs.nodes == [p, m5] and xs.seq == 6
    assert "1 个节点在当前图谱中已不存在" in xs.message and "2 个节点" in xs.message
    assert xs.positions == {p: (1.0, 2.0)} and xs.pinned == [p]
    assert (xs.style, xs.caption, xs.scene_name) == ("document", "title", "旧场景")
    open_scene(sample_graph, xs, Scene("全在", [p]))
    assert "不存在" not in xs.message


def test_payload_is_deterministic_and_carries_seq_and_rev(sample_graph, sample_doc_id) -> None:
    g, p = sample_graph, _id(sample_doc_id, "P5.2")
    xs = ExplorerState()
    handle(g, xs, "add", {"id": p})
    handle(g, xs, "expand", {"ids": [p]})
    xs.positions = {p: (5.0, 6.0)}
    one, two = payload(g, xs), payload(g, xs)
    assert one == two
    assert json.dumps(one, ensure_ascii=False, sort_keys=True) == json.dumps(two, ensure_ascii=False, sort_keys=True)
    assert one["seq"] == xs.seq and one["rev"] == xs.rev == 2
    assert [n["id"] for n in one["scene"]["nodes"]] == xs.nodes
    assert one["scene"]["positions"] == {p: [5.0, 6.0]}
    assert one["documents"] == [sample_doc_id]
    assert one["typeLabels"]["Problem"] == "问题"


def test_layered_positions_read_causes_problems_measures(sample_graph, sample_doc_id) -> None:
    g = sample_graph
    p = _id(sample_doc_id, "P5.2")
    causes = [u for u, _v, d in g.in_edges(p, data=True) if d.get("type") == "EXPLAINS"]
    measures = [u for u, _v, d in g.in_edges(p, data=True)
                if d.get("type") == "ADDRESSES" and g.nodes[u].get("type") == "Measure"]
    assert causes and measures
    pos = layered_positions(g, [*measures, p, *causes, "gone:P9.9"])
    assert "gone:P9.9" not in pos
    assert max(pos[c][0] for c in causes) < pos[p][0] < min(pos[m][0] for m in measures)
    xs = ExplorerState()
    xs.replace_scene([*measures, p, *causes], g=g)
    assert xs.positions == pos  # a new scene from the graph is laid out in the same columns
