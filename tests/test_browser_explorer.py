"""The explorer (图谱) and the WebGL map (全图) in Debian's headless Chromium, on a two-document workspace:
type-ahead across documents, expand in place by double-click (positions kept, page not reloaded), hide,
pin, multi-select, shortest path, style and caption, a named scene saved and reopened in a fresh browser,
the 溯源图 of a selection; the map drawn with WebGL with labels by level of detail, a click that opens a
node, and the grouped overview past the node limit. No request may leave 127.0.0.1; screenshots go to
test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fixtures import replicated, replicated_workspace, sample_workspace, twin_copy
from test_browser import _require_browser

from tools.bench.app_render import browser, running_app

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SAMPLE = ROOT / "data" / "000_ddb002e987b04e7f.txt"
ROOT_SEL = "[data-testid=tgx-root]"


def _two_documents(folder: Path) -> tuple[Path, Any]:
    """The sample and a second organisation's copy of it: look-alike ids in two documents."""
    ws_dir = folder / "ws"
    return ws_dir, sample_workspace(ws_dir, twin_copy(folder, "市委宣传部对照检查材料.txt"), user="browser-test")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    _require_browser()
    ws_dir, g = _two_documents(tmp_path_factory.mktemp("explorer"))
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ws_dir, log=ws_dir / "app.log") as base, browser((1400, 1100)) as (ctx, page, log):
        yield base, ctx, page, log, g, ws_dir


def _shot(page: Any, name: str) -> None:
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _state(page: Any, expr: str) -> Any:
    return page.evaluate(f"() => {{ const st = document.querySelector('{ROOT_SEL}').tgx; return {expr}; }}")


def _rev(page: Any) -> int:
    return int(page.locator(ROOT_SEL).get_attribute("data-rev") or 0)


def _answered(page: Any, before: int) -> None:
    """Python answered the last event (the explorer drew a newer payload)."""
    page.wait_for_function(f"() => +document.querySelector('{ROOT_SEL}').getAttribute('data-rev') > {before}",
                           timeout=30_000)
    page.wait_for_timeout(150)


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.locator(ROOT_SEL).wait_for(timeout=60_000)
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').tgx !== undefined", timeout=60_000)


def _point(page: Any, node: str) -> dict[str, float]:
    return page.evaluate(
        """(id) => { const st = document.querySelector('[data-testid=tgx-root]').tgx;
                     const p = st.network.canvasToDOM(st.network.getPositions([id])[id]);
                     const r = document.querySelector('[data-testid=tgx-canvas] canvas').getBoundingClientRect();
                     return {x: r.left + p.x, y: r.top + p.y}; }""", node)


def _map_ready(page: Any, timeout_ms: int = 60_000) -> None:
    """The WebGL map has drawn its data."""
    page.wait_for_function("() => { const r = document.querySelector('[data-testid=tgm-root]');"
                           " return r && r.getAttribute('data-ready'); }", timeout=timeout_ms)


def _no_remote(log: Any) -> None:
    assert log.remote() == [], log.remote()


def test_type_ahead_finds_both_documents_and_double_click_expands_in_place(app: Any) -> None:
    base, _ctx, page, log, _g, _ws = app
    _open(page, f"{base}/graph")
    assert _state(page, "st.nodes.length") == 0  # two documents, none chosen: an empty scene and a hint
    assert "在上方输入关键词" in page.locator('[data-testid="tgx-message"]').inner_text()
    page.evaluate("() => { window.__tgNoReload = 1; }")
    page.locator('[data-testid="tgx-search"]').fill("两个责任")
    page.locator(".tgx-item").first.wait_for(timeout=30_000)
    items = page.locator(".tgx-item").all_inner_texts()
    # the same problem in both documents, each named with its own document
    both = [t for t in items if "P5.2" in t]
    assert len(both) == 2 and any("县委组织部" in t for t in both) and any("市委宣传部" in t for t in both), items
    _shot(page, "explorer_typeahead_two_documents")
    first = page.locator(".tgx-item", has_text="P5.2").first
    picked = first.get_attribute("data-id")
    before = _rev(page)
    first.dispatch_event("mousedown")
    _answered(page, before)
    assert _state(page, "st.nodes.getIds()") == [picked]
    # double-click: its neighbours join around it; the node itself does not move; no page reload
    page.wait_for_timeout(300)
    at = _state(page, f"st.network.getPositions(['{picked}'])['{picked}']")
    p = _point(page, picked)
    before = _rev(page)
    page.mouse.dblclick(p["x"], p["y"])  # its first click opens the node's detail (an event of its own)
    _answered(page, before)
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').tgx.nodes.length > 3", timeout=30_000)
    ids = _state(page, "st.nodes.getIds()")
    measure = picked.rsplit(":", 1)[0] + ":M5"
    assert len(ids) > 3 and measure in ids
    assert _state(page, f"st.network.getPositions(['{picked}'])['{picked}']") == at
    assert page.evaluate("() => window.__tgNoReload") == 1
    assert "展开 1 个节点：新增" in page.locator('[data-testid="tgx-message"]').inner_text()
    # a second expansion (of the measure) keeps every position already on the canvas
    kept = _state(page, "st.network.getPositions()")
    before = _rev(page)
    page.evaluate(f"() => document.querySelector('{ROOT_SEL}').tgx.trigger('expand', {{ids: ['{measure}'], t: 1}})")
    _answered(page, before)
    after = _state(page, "st.network.getPositions()")
    assert len(after) > len(kept)
    assert all(after[n] == kept[n] for n in kept)
    assert page.evaluate("() => window.__tgNoReload") == 1
    _shot(page, "explorer_expanded")
    _no_remote(log)


def test_hide_pin_multi_select_shortest_path_style_and_picture(app: Any) -> None:
    base, _ctx, page, log, g, _ws = app
    doc = sorted(g.graph["documents"])[0]
    p52, m5 = f"{doc}:P5.2", f"{doc}:M5"
    _open(page, f"{base}/graph?focus={p52}")
    ids = _state(page, "st.nodes.getIds()")
    assert p52 in ids and m5 in ids
    # multi-select with Ctrl: two nodes, the buttons that need them come alive
    area = next(n for n in ids if g.nodes[n].get("type") == "Area")
    page.mouse.click(**_point(page, p52))
    page.keyboard.down("Control")
    pt = _point(page, area)
    page.mouse.click(pt["x"], pt["y"])
    page.keyboard.up("Control")
    page.wait_for_timeout(300)
    assert sorted(_state(page, "st.network.getSelectedNodes()")) == sorted([p52, area])
    assert page.locator(".tgx-btn", has_text="最短路径").is_enabled()
    # pin: both fixed, shown with a dashed border
    page.locator(".tgx-btn", has_text="固定/取消").click()
    assert _state(page, f"st.nodes.get('{p52}').fixed") == {"x": True, "y": True}
    # hide the area: gone from the canvas and from the scene Python keeps
    page.evaluate(f"() => document.querySelector('{ROOT_SEL}').tgx.network.selectNodes(['{area}'])")
    before = _rev(page)
    page.locator(".tgx-btn", has_text="隐藏").click()
    _answered(page, before)
    assert area not in _state(page, "st.nodes.getIds()")
    # shortest path from the problem to a policy reference its measure's action cites, added to the scene
    cited = next(v for a in g.successors(m5) for _x, v, d in g.out_edges(a, data=True) if d.get("type") == "CITES")
    page.locator('[data-testid="tgx-search"]').fill(g.nodes[cited]["title"])
    page.locator(".tgx-item", has_text=g.nodes[cited]["title"]).first.wait_for(timeout=30_000)
    before = _rev(page)
    page.locator(f".tgx-item[data-id='{cited}']").dispatch_event("mousedown")
    _answered(page, before)
    page.evaluate(f"() => document.querySelector('{ROOT_SEL}').tgx.network.selectNodes(['{p52}', '{cited}'])")
    before = _rev(page)
    page.evaluate(f"() => document.querySelector('{ROOT_SEL}').tgx.root.querySelectorAll('.tgx-btn')"
                  ".forEach(b => { if (b.textContent === '最短路径') { b.disabled = false; b.click(); } })")
    _answered(page, before)
    message = page.locator('[data-testid="tgx-message"]').inner_text()
    assert message.startswith("最短路径：") and "P5.2" in message, message
    path = _state(page, "Array.from(st.path)")
    assert path[0] == p52 and path[-1] == cited and all(n in _state(page, "st.nodes.getIds()") for n in path)
    # style by document and captions by document: read back from the drawn nodes
    page.locator('[data-testid="tgx-style"]').select_option("document")
    page.locator('[data-testid="tgx-caption"]').select_option("code")
    label = _state(page, f"st.nodes.get('{p52}').label")
    assert label.startswith("〔县委组织部") and label.endswith("〕P5.2"), label  # the id with its document
    colour = _state(page, f"st.nodes.get('{p52}').color.background")
    assert colour == "#1f77b4"  # the first document's colour, not the problem red
    legend = page.locator('[data-testid="tgx-legend"]').inner_text()
    assert "县委组织部" in legend and "问题" not in legend.split("虚线")[0]  # the legend names documents now
    # 溯源图 of the selection, drawn below the explorer
    page.evaluate(f"() => document.querySelector('{ROOT_SEL}').tgx.network.selectNodes(['{p52}'])")
    before = _rev(page)
    page.evaluate(f"() => document.querySelector('{ROOT_SEL}').tgx.trigger('picture', {{ids: ['{p52}'], t: 2}})")
    _answered(page, before)
    page.get_by_text("所选节点的溯源图").wait_for(timeout=30_000)
    frame = page.locator('[data-testid="stMain"] iframe').last.element_handle().content_frame()
    frame.wait_for_function("window.tgReady === true", timeout=30_000)
    assert g.nodes[p52]["title"][:10] in (frame.locator("svg.tg-trace-picture").first.text_content() or "")
    _shot(page, "explorer_path_style_picture")
    _no_remote(log)


def test_a_named_scene_is_saved_in_the_workspace_and_reopens_in_a_fresh_browser(app: Any) -> None:
    base, ctx, page, log, g, ws_dir = app
    doc = sorted(g.graph["documents"])[1]
    _open(page, f"{base}/graph?focus={doc}:P5.2")
    page.evaluate(f"() => document.querySelector('{ROOT_SEL}').tgx.network.moveNode('{doc}:P5.2', 123, -45)")
    page.locator('[data-testid="tgx-style"]').select_option("origin")
    ids = sorted(_state(page, "st.nodes.getIds()"))
    page.locator('[data-testid="tgx-scene-name"]').fill("宣传部两个责任")
    before = _rev(page)
    page.locator(".tgx-btn", has_text="保存场景").click()
    _answered(page, before)
    page.locator('[data-testid="tgx-message"]', has_text="已保存场景“宣传部两个责任”").wait_for(timeout=30_000)
    # the explorer was not mounted anew when the saved-scene list appeared above it
    assert _state(page, f"st.network.getPositions(['{doc}:P5.2'])['{doc}:P5.2']") == {"x": 123, "y": -45}
    from tracegraph.graph.curation.workspace import Workspace

    with Workspace(ws_dir) as ws:
        saved = ws.scenes.get("宣传部两个责任")
    assert sorted(saved.nodes) == ids and saved.positions[f"{doc}:P5.2"] == (123.0, -45.0)
    assert saved.style == "origin"
    # a fresh browser page (no session): the URL opens the saved scene where it was left
    fresh = ctx.new_page()
    try:
        _open(fresh, f"{base}/graph?scene=宣传部两个责任")
        fresh.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').tgx.nodes.length === {len(ids)}",
                                timeout=30_000)
        assert sorted(_state(fresh, "st.nodes.getIds()")) == ids
        pos = _state(fresh, f"st.network.getPositions(['{doc}:P5.2'])['{doc}:P5.2']")
        assert (pos["x"], pos["y"]) == (123, -45)
        assert fresh.locator('[data-testid="tgx-style"]').input_value() == "origin"
        assert "已打开场景“宣传部两个责任”" in fresh.locator('[data-testid="tgx-message"]').inner_text()
        fresh.get_by_text("导出当前场景").click()
        fresh.get_by_text("导出范围：场景“宣传部两个责任”").wait_for(timeout=30_000)
        _shot(fresh, "explorer_saved_scene_reopened")
    finally:
        fresh.close()
    _no_remote(log)


def test_webgl_map_draws_every_node_with_labels_by_level_of_detail(app: Any) -> None:
    base, _ctx, page, log, g, _ws = app
    from tracegraph.ui.bigmap.layout import map_data

    expected = map_data(g)
    page.goto(f"{base}/map")
    root = page.locator('[data-testid="tgm-root"]')
    _map_ready(page)
    assert int(root.get_attribute("data-nodes") or 0) == len(expected["id"])
    assert int(root.get_attribute("data-edges") or 0) == len(expected["ec"])
    assert page.evaluate("() => !!document.querySelector('[data-testid=tgm-canvas]').getContext('webgl')")
    # the WebGL canvas really holds the picture: some pixels are not white
    coloured = page.evaluate("""() => { const c = document.querySelector('[data-testid=tgm-canvas]');
        const gl = c.getContext('webgl'); const px = new Uint8Array(c.width * c.height * 4);
        gl.readPixels(0, 0, c.width, c.height, gl.RGBA, gl.UNSIGNED_BYTE, px);
        let n = 0; for (let i = 0; i < px.length; i += 4) { if (px[i] < 200 || px[i+1] < 200) { n++; } }
        return n; }""")
    assert coloured > 500
    overview_labels = int(root.get_attribute("data-labels") or 0)
    assert 0 < overview_labels < len(expected["id"])  # not every label at once
    _shot(page, "map_overview")
    # zoom in on the first document's problems: fewer nodes in view, each labelled, labels longer
    i = expected["l"].index(next(lab for lab in expected["l"] if "〕P5.2" in lab))
    xy = page.evaluate(f"() => document.querySelector('[data-testid=tgm-root]').tgmScreen({i})")
    box = page.locator('[data-testid="tgm-canvas"]').bounding_box()
    page.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
    for _ in range(6):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(60)
    page.wait_for_timeout(300)
    xy = page.evaluate(f"() => document.querySelector('[data-testid=tgm-root]').tgmScreen({i})")
    page.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
    tip = page.locator(".tgm-tip")
    tip.wait_for(state="visible", timeout=10_000)
    assert "两个责任" in tip.inner_text()
    _shot(page, "map_zoomed")
    # a click opens the node's detail panel below the map
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.get_by_text("节点详情").wait_for(timeout=30_000)
    assert "还存在“两个责任”履行不够到位的问题" in page.locator('[data-testid="stMain"]').inner_text()
    _no_remote(log)


def test_past_the_limit_the_map_groups_by_document_and_opens_one_on_click(
        app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _base, ctx, _page, log, g, ws_dir = app
    monkeypatch.setenv("TRACEGRAPH_MAP_LIMIT", "100")  # a second app on the same workspace inherits it
    page = ctx.new_page()
    with running_app(ws_dir, log=ws_dir / "app-grouped.log") as base:
        page.goto(f"{base}/map")
        _map_ready(page)
        root = page.locator('[data-testid="tgm-root"]')
        assert root.get_attribute("data-nodes") == "2"
        page.get_by_text("超过逐点绘制的上限 100").wait_for()
        _shot(page, "map_grouped")
        xy = page.evaluate("() => document.querySelector('[data-testid=tgm-root]').tgmScreen(1)")
        box = page.locator('[data-testid="tgm-canvas"]').bounding_box()
        page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
        page.wait_for_function(
            "() => +document.querySelector('[data-testid=tgm-root]').getAttribute('data-nodes') > 2", timeout=60_000)
        from tracegraph.ui.bigmap.layout import map_data

        clicked = root.get_attribute("data-clicked")
        assert clicked in g.graph["documents"]
        assert int(root.get_attribute("data-nodes") or 0) == len(map_data(g, clicked)["id"])
        _shot(page, "map_grouped_opened")
        _no_remote(log)
    page.close()


def test_webgl_map_keeps_five_thousand_nodes_interactive(app: Any, tmp_path: Path) -> None:
    """At ≥ 5,000 nodes every node is drawn by the GPU, labels stay few and readable, zoom and hover work,
    and nothing is fetched."""
    from tracegraph.ui.bigmap.layout import map_data

    _base, ctx, _page, log, _g, _ws = app
    ws_dir = tmp_path / "big"
    one = replicated_workspace(ws_dir, 1)
    per_copy = len(map_data(replicated(one, 2))["id"]) - len(map_data(replicated(one, 1))["id"])
    big = replicated_workspace(ws_dir, 5000 // per_copy + 2)
    drawn = len(map_data(big)["id"])
    assert drawn >= 5000
    page = ctx.new_page()
    with running_app(ws_dir, log=ws_dir / "app.log") as base:
        page.goto(f"{base}/map")
        _map_ready(page, 120_000)
        root = page.locator('[data-testid="tgm-root"]')
        assert int(root.get_attribute("data-nodes") or 0) == drawn
        assert 0 < int(root.get_attribute("data-labels") or 0) <= 160
        frames = int(root.get_attribute("data-frames") or 0)
        box = page.locator('[data-testid="tgm-canvas"]').bounding_box()
        data = map_data(big)
        i = next(k for k, lab in enumerate(data["l"]) if "〕P3.1" in lab)  # a problem of some document
        xy = page.evaluate(f"() => document.querySelector('[data-testid=tgm-root]').tgmScreen({i})")
        page.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
        for _ in range(8):
            page.mouse.wheel(0, -300)
            page.wait_for_timeout(40)
        page.wait_for_function(f"() => +document.querySelector('[data-testid=tgm-root]').getAttribute('data-frames')"
                               f" > {frames}", timeout=10_000)
        assert int(root.get_attribute("data-labels") or 0) > 0
        _shot(page, "map_5000_nodes_zoomed")
        _no_remote(log)
    page.close()


def _pick(page: Any, label: str, option_text: str) -> None:
    """Choose an option of a Streamlit selectbox by typing into it (the list is long)."""
    box = page.locator('[data-testid="stSelectbox"]', has_text=label).first
    box.click()
    page.keyboard.type(option_text)
    page.locator('[role="option"]', has_text=option_text).first.click()


def test_a_cross_document_link_is_refused_unless_chosen_explicitly(app: Any) -> None:
    """Two documents both have M5 and P4.1: an 添加关系 from one's M5 to the other's P4.1 is refused with the
    reason; ticking 跨文档关联 adds it, recorded as cross-document."""
    base, _ctx, page, log, g, ws_dir = app
    a, b = sorted(g.graph["documents"])
    from tracegraph.graph.query.naming import doc_tags, shown_id

    tags = doc_tags(g)
    m5, p41 = f"{a}:M5", f"{b}:P4.1"
    assert shown_id(g, m5, tags) != shown_id(g, f"{b}:M5", tags)  # the look-alikes are told apart
    page.goto(f"{base}/curation")
    page.get_by_role("heading", name="校对", exact=True).wait_for(timeout=60_000)
    page.get_by_role("tab", name="添加关系").click()
    _pick(page, "起点", shown_id(g, m5, tags))
    _pick(page, "终点", shown_id(g, p41, tags))
    page.get_by_label("备注（必填：为什么建立这条关系）").fill("两单位共同整改")
    page.get_by_role("button", name="添加").click()
    page.get_by_text("属于不同文档").first.wait_for(timeout=30_000)
    from tracegraph.graph.curation.workspace import Workspace

    with Workspace(ws_dir) as ws:
        assert not [d for d in ws.curation.decisions() if d.op == "add"]
    _shot(page, "curation_cross_document_refused")
    page.get_by_role("tab", name="添加关系").click()
    _pick(page, "起点", shown_id(g, m5, tags))
    _pick(page, "终点", shown_id(g, p41, tags))
    page.get_by_label("备注（必填：为什么建立这条关系）").fill("两单位共同整改")
    page.get_by_text("跨文档关联：起点和终点属于不同文档，这是有意的").click()
    page.get_by_role("button", name="添加").click()
    page.get_by_text("已添加").first.wait_for(timeout=30_000)
    with Workspace(ws_dir) as ws:
        [added] = [d for d in ws.curation.decisions() if d.op == "add"]
    assert (added.source, added.target) == (m5, p41)
    _no_remote(log)


def test_ask_answers_each_document_and_leads_to_its_trace(app: Any) -> None:
    base, _ctx, page, log, _g, _ws = app
    page.goto(f"{base}/ask")
    box = page.get_by_placeholder("如：第三条整改措施解决了哪些问题")
    box.wait_for(timeout=60_000)
    box.fill("哪些措施针对两个责任履行不够到位的问题")
    box.press("Enter")
    buttons = page.locator('[data-testid="stMain"] button', has_text="溯源")
    buttons.first.wait_for(timeout=30_000)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "县委组织部" in text and "市委宣传部" in text  # each document's problem answered on its own
    _shot(page, "ask_two_documents")
    buttons.first.click()
    page.get_by_role("heading", name="溯源", exact=True).wait_for(timeout=30_000)
    page.wait_for_url(lambda u: "/trace" in u and "trace=" in u, timeout=30_000)
    assert "两个责任" in page.locator('[data-testid="stMain"]').inner_text()
    _no_remote(log)
