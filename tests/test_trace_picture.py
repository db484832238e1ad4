"""溯源图 (issue 13 item 1): the inline SVG the 溯源 page draws first — every node of the trace with its full
title, one path per relation, no path through a box it does not end at (the exporters' geometric check),
rejected links left out, text escaped, each box a relative link — and the 溯源 page showing it (AppTest)."""

from __future__ import annotations

import html
import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fixtures import sample_workspace

from tracegraph.graph.exporters._layout import Box, segment_hits_box
from tracegraph.ui.views.trace_picture import label, picture_graph, picture_html, svg

ROOT = Path(__file__).resolve().parents[1]
DOC = "000_ddb002e987b04e7f"
P53 = f"{DOC}:P5.3"


def _parse(markup: str) -> ET.Element:
    """The picture as XML: esc writes only numeric character references, which XML reads as characters."""
    return ET.fromstring(f"<root>{markup}</root>")


def _picture(g, n: str | list[str]) -> dict:  # type: ignore[no-untyped-def]
    root = _parse(svg(picture_graph(g, n), focus=n))
    boxes: dict[str, Box] = {}
    texts: dict[str, str] = {}
    hrefs: dict[str, str] = {}
    for a in root.iter("a"):
        rect = a.find("rect")
        assert rect is not None
        x, y, w, h = (float(rect.get(k) or 0) for k in ("x", "y", "width", "height"))
        node = a.get("data-node") or ""
        boxes[node] = (x, y, x + w, y + h)
        texts[node] = "".join(t.text or "" for t in a.iter("tspan"))
        hrefs[node] = a.get("href") or ""
    edges = []
    for e in root.iter("g"):
        if e.get("class") != "tg-edge":
            continue
        path = e.find("path")
        assert path is not None
        nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d") or "")]
        pts = list(zip(nums[::2], nums[1::2], strict=True))
        edges.append((e.get("data-source"), e.get("data-target"), e.get("data-type"), e.get("data-origin"), pts,
                      path.get("stroke-dasharray"), path.get("stroke")))
    return {"boxes": boxes, "texts": texts, "hrefs": hrefs, "edges": edges, "root": root}


def _crossings(boxes: dict[str, Box], edges: list) -> list[str]:  # type: ignore[type-arg]
    bad = []
    for u, v, _t, _o, pts, _d, _s in edges:
        for a, b in itertools.pairwise(pts):
            for n, box in boxes.items():
                if n not in (u, v) and segment_hits_box(a, b, box):
                    bad.append(f"{u}→{v} crosses {n}")
    return bad


def test_p53_picture_has_every_node_full_titles_one_path_per_relation_and_no_crossing(sample_graph):
    sub = picture_graph(sample_graph, P53)
    pic = _picture(sample_graph, P53)
    # every node of the trace, with its whole title (wrapped over lines, never cut with …)
    assert set(pic["boxes"]) == set(sub.nodes) == {P53, f"{DOC}:C4", f"{DOC}:M5", f"{DOC}:M5.A1"}
    for n in sub.nodes:
        title = sample_graph.nodes[n]["title"]
        assert pic["texts"][n] == label(sub, n) and " ".join(title.split()) in pic["texts"][n]
        assert "…" not in pic["texts"][n]
    long_title = max(sub.nodes, key=lambda n: len(sub.nodes[n]["title"]))
    assert len(sub.nodes[long_title]["title"]) > 14  # more than the old 14-character cut, shown in full
    # one path per relation (rejected ones are not relations of the picture)
    drawn = sorted((u, v, t) for u, v, t, *_ in pic["edges"])
    assert drawn == sorted((u, v, d["type"]) for u, v, d in sub.edges(data=True) if u != v)
    assert len(drawn) == 5
    # no path passes through a box it does not end at; each starts and ends on its own boxes' borders
    assert not _crossings(pic["boxes"], pic["edges"])
    for u, v, *_rest in pic["edges"]:
        pts = _rest[2]
        for node, (x, y) in ((u, pts[0]), (v, pts[-1])):
            x0, y0, x1, y1 = pic["boxes"][node]
            assert min(abs(x - x0), abs(x - x1)) < 0.2 and y0 - 0.2 <= y <= y1 + 0.2
    # layered left to right: 原因 → 问题 → 整改措施 → 具体举措
    left = {sample_graph.nodes[n]["type"]: b[0] for n, b in pic["boxes"].items()}
    assert left["Cause"] < left["Problem"] < left["Measure"] < left["Action"]
    # inferred links dashed, parsed ones solid, in the app's edge colours
    from tracegraph.graph.exporters._style import edge_colour

    for u, v, t, origin, _pts, dash, stroke in pic["edges"]:
        assert (dash is not None) == (origin == "inferred"), (u, v, origin)
        assert stroke == edge_colour(next(d for _, x, d in sub.out_edges(u, data=True) if x == v and d["type"] == t))
    # each box is a relative link on the app itself
    assert pic["hrefs"][f"{DOC}:M5"] == f"trace?trace={DOC}:M5"
    assert pic["hrefs"][f"{DOC}:M5.A1"] == f"graph?node={DOC}:M5.A1"
    assert all(h.startswith(("trace?", "graph?")) and "//" not in h for h in pic["hrefs"].values())


def test_picture_tells_curated_from_inferred_and_leaves_rejected_out(sample_graph):
    g = sample_graph.copy()
    c4, m5 = f"{DOC}:C4", f"{DOC}:M5"
    g.edges[c4, P53, "EXPLAINS"]["rejected"] = True
    g.edges[m5, P53, "ADDRESSES"]["origin"] = "curated"
    pic = _picture(g, P53)
    drawn = {(u, v, t): (o, d, s) for u, v, t, o, _p, d, s in pic["edges"]}
    assert (c4, P53, "EXPLAINS") not in drawn  # rejected: not drawn
    origin, dash, stroke = drawn[(m5, P53, "ADDRESSES")]
    assert origin == "curated" and dash is None and stroke == "#2e7d32"
    legend = html.unescape(picture_html(g, P53))
    assert "人工关联（绿色）" in legend and "推断关联（虚线）" in legend


def test_every_trace_picture_of_the_sample_crosses_no_box(sample_graph):
    starts = [n for n, d in sample_graph.nodes(data=True) if d.get("type") in ("Problem", "Measure", "Cause")]
    assert len(starts) > 20
    for n in starts:
        sub = picture_graph(sample_graph, n)
        if sub.number_of_nodes() < 2:
            continue
        pic = _picture(sample_graph, n)
        assert len(pic["edges"]) == sum(1 for u, v in sub.edges() if u != v)
        assert set(pic["boxes"]) == set(sub.nodes)
        assert not _crossings(pic["boxes"], pic["edges"]), n


def test_hostile_title_is_text_in_the_picture(sample_graph):
    g = sample_graph.copy()
    hostile = '<script>alert(1)</script><img src="http://127.0.0.1:9/x.png">[点](http://127.0.0.1:9/)'
    g.nodes[f"{DOC}:M5"]["title"] = hostile
    markup = picture_html(g, P53)
    assert "<script" not in markup and "<img" not in markup and "http://" not in markup
    pic = _picture(g, P53)
    assert pic["texts"][f"{DOC}:M5"].replace("\u2060", "") == f"M5 {hostile}"
    assert not list(pic["root"].iter("script")) and not list(pic["root"].iter("img"))


# --- the 溯源 page shows it ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ws-picture")
    sample_workspace(ws)
    return ws


def test_trace_page_shows_the_picture_first(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TRACEGRAPH_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["view"] = "trace"
    at.query_params["trace"] = P53
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    bodies = [str(e.proto.srcdoc) for e in at.get("iframe")]
    pictures = [b for b in bodies if "tg-trace-picture" in b]
    assert len(pictures) == 1
    pic = html.unescape(pictures[0])
    for n in (P53, f"{DOC}:C4", f"{DOC}:M5", f"{DOC}:M5.A1"):
        assert f'data-node="{n}"' in pic
    assert pic.count('class="tg-edge"') == 5
    assert "//" not in pic.replace("</", "") and "src=" not in pic  # the page loads nothing from anywhere
    md = [html.unescape(str(e.value)) for e in at.markdown]
    assert "##### 溯源图" in md
    # the picture comes before the lists of the trace
    assert md.index("##### 溯源图") < next(i for i, v in enumerate(md) if v.startswith("##### 原因"))


# --- the picture of an area, a document, a policy reference or a selection (issue 13 item 1) --------------


def _of_type(sub, t: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {n for n, d in sub.nodes(data=True) if d.get("type") == t}


def _linked_to(g, problems: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """The causes and measures that EXPLAIN or ADDRESS one of the problems (rejected links left out)."""
    return {u for p in problems for u, _, d in g.in_edges(p, data=True)
            if not d.get("rejected") and d["type"] in ("EXPLAINS", "ADDRESSES")
            and g.nodes[u]["type"] in ("Cause", "Measure")}


def _assert_drawn_cleanly(g, seeds: str | list[str]) -> dict:  # type: ignore[no-untyped-def]
    sub = picture_graph(g, seeds)
    pic = _picture(g, seeds)
    assert set(pic["boxes"]) == set(sub.nodes)
    assert len(pic["edges"]) == sum(1 for u, v in sub.edges() if u != v)
    assert not _crossings(pic["boxes"], pic["edges"])
    return pic


def test_area_picture_holds_exactly_its_problems_and_what_links_to_them(sample_graph):
    area = f"{DOC}:A5"
    contained = {v for _, v, d in sample_graph.out_edges(area, data=True) if d["type"] == "CONTAINS"}
    problems = {n for n in contained if sample_graph.nodes[n]["type"] == "Problem"}
    assert problems == {f"{DOC}:P5.1", f"{DOC}:P5.2", P53}
    sub = picture_graph(sample_graph, area)
    assert _of_type(sub, "Problem") == problems  # no problem of another area
    assert _of_type(sub, "Cause") | _of_type(sub, "Measure") == _linked_to(sample_graph, problems)
    assert {f"{DOC}:C4", f"{DOC}:M5"} <= set(sub.nodes) and area not in sub  # the area itself is no column
    _assert_drawn_cleanly(sample_graph, area)


def test_document_picture_holds_all_its_counted_problems(sample_graph, sample_doc_id):
    from tracegraph.graph.query.queries import counted_problems
    from tracegraph.ui.views.trace_picture import picture_scope

    counted = counted_problems(sample_graph, sample_doc_id)
    assert len(counted) == 17
    assert sample_graph.nodes[sample_doc_id]["type"] == "Document"  # the Document node and the doc id are one
    sub, left_out = picture_scope(sample_graph, sample_doc_id)
    assert left_out == 0
    assert _of_type(sub, "Problem") == set(counted)
    assert not {n for n in sub if sample_graph.nodes[n].get("status") == "none_found"}  # 未发现 are not problems
    assert _of_type(sub, "Cause") | _of_type(sub, "Measure") == _linked_to(sample_graph, set(counted))
    _assert_drawn_cleanly(sample_graph, sample_doc_id)


def test_selection_of_two_problems_is_the_union_with_both_seeds_in_focus(sample_graph):
    p11 = f"{DOC}:P1.1"
    one, two = picture_graph(sample_graph, P53), picture_graph(sample_graph, p11)
    both = picture_graph(sample_graph, [P53, p11])
    assert set(both.nodes) == set(one.nodes) | set(two.nodes)
    assert set(both.edges(keys=True)) == set(one.edges(keys=True)) | set(two.edges(keys=True))
    assert _of_type(both, "Problem") == {P53, p11}
    pic = _assert_drawn_cleanly(sample_graph, [P53, p11])
    widths = {a.get("data-node"): (a.find("rect").get("stroke-width")) for a in pic["root"].iter("a")}  # type: ignore[union-attr]
    assert {n for n, w in widths.items() if w == "2.6"} == {P53, p11}


def test_policy_ref_picture_draws_what_cites_it(sample_graph):
    ref = "policy:两个确立"
    citers = {u for u, _, d in sample_graph.in_edges(ref, data=True)
              if d["type"] == "CITES" and sample_graph.nodes[u]["type"] in ("Problem", "Cause")}
    assert citers
    sub = picture_graph(sample_graph, ref)
    assert ref in sub and citers <= set(sub.nodes)
    pic = _assert_drawn_cleanly(sample_graph, ref)
    assert any(e[1] == ref and e[2] == "CITES" for e in pic["edges"])


def test_cap_keeps_the_first_problems_in_document_order_and_counts_the_rest(
        sample_graph, sample_doc_id, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracegraph.graph.query.queries import counted_problems
    from tracegraph.ui.views import trace_picture

    monkeypatch.setattr(trace_picture, "MAX_PROBLEMS", 3)
    counted = counted_problems(sample_graph, sample_doc_id)
    sub, left_out = trace_picture.picture_scope(sample_graph, sample_doc_id)
    assert left_out == len(counted) - 3 == 14
    kept = set(counted[:3])
    assert kept == {f"{DOC}:P1.1", f"{DOC}:P1.2", f"{DOC}:P1.3"}
    assert _of_type(sub, "Problem") == kept
    # nothing drawn that hangs only on a problem left out
    assert _of_type(sub, "Cause") | _of_type(sub, "Measure") == _linked_to(sample_graph, kept)
    assert trace_picture.left_out_note(sub, left_out) == "共 17 个问题，图中画出前 3 个；其余 14 个见矩阵或导出。"
    # a selection of two areas: six problems, the first three kept
    sub, left_out = trace_picture.picture_scope(sample_graph, [f"{DOC}:A2", f"{DOC}:A1"])
    assert left_out == 3 and _of_type(sub, "Problem") == kept
    _assert_drawn_cleanly(sample_graph, sample_doc_id)


def test_matrix_page_shows_the_document_picture_folded(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from tracegraph.graph.build.pipeline import build
    from tracegraph.graph.query.queries import counted_problems

    monkeypatch.setenv("TRACEGRAPH_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["view"] = "matrix"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert next(str(e.label) for e in at.expander) == "溯源图（本文档）"
    pictures = [html.unescape(str(e.proto.srcdoc)) for e in at.get("iframe") if "tg-trace-picture" in e.proto.srcdoc]
    assert len(pictures) == 1
    g, _ = build([ROOT / "data" / f"{DOC}.txt"])
    drawn = set(re.findall(r'data-node="([^"]+)"', pictures[0]))
    assert {n for n in drawn if g.nodes[n]["type"] == "Problem"} == set(counted_problems(g, DOC))
    assert at.dataframe[0].value.shape == (17, 5)  # the matrix itself is still there


def test_matrix_page_with_several_documents_asks_for_one(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from tracegraph.graph.curation.workspace import Workspace

    text = (ROOT / "data" / f"{DOC}.txt").read_text(encoding="utf-8")
    core = Workspace(tmp_path / "ws")
    for name, org in (("甲.txt", "县教育局"), ("乙.txt", "县财政局")):
        (tmp_path / name).write_text(f"{org}领导班子2023年度民主生活会对照检查材料\n" + text, encoding="utf-8")
        core.import_file(tmp_path / name)
    g = core.build().graph
    core.close()
    assert len(g.graph["documents"]) == 2
    monkeypatch.setenv("TRACEGRAPH_WORKSPACE", str(tmp_path / "ws"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["view"] = "matrix"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "溯源图：请在左侧选择一个文档以查看其溯源图。" in [str(c.value) for c in at.caption]
    assert not [e for e in at.get("iframe") if "tg-trace-picture" in e.proto.srcdoc]
    # a document chosen: its picture, and only its problems
    second = list(g.graph["documents"])[1]
    at.sidebar.selectbox(key="tg_doc").set_value(second).run()
    assert not at.exception, [e.value for e in at.exception]
    pictures = [html.unescape(str(e.proto.srcdoc)) for e in at.get("iframe") if "tg-trace-picture" in e.proto.srcdoc]
    assert len(pictures) == 1
    problems = {n for n in re.findall(r'data-node="([^"]+)"', pictures[0]) if g.nodes[n]["type"] == "Problem"}
    assert len(problems) == 17 and all(g.nodes[n]["doc"] == second for n in problems)
