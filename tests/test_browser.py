"""The app in a real browser: `tracegraph app` on a free loopback port, Debian's headless Chromium driven by
Playwright. Every page at its URL path, search, trace, matrix, ask, a click on a graph node that opens its
detail panel, a hostile title that must stay text — and not one request may leave 127.0.0.1 during the
whole session.

Screenshots of each view go to test-artifacts/. Skipped when chromium is missing, unless
TRACEGRAPH_REQUIRE_BROWSER=1 (CI), where that is a failure."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tools.bench.app_render import browser, chromium_path, running_app, wait_overview

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
DOC = "000_ddb002e987b04e7f"
HOSTILE = '<img src=x onerror="window.top.__xss=1">'
HOSTILE_NODE = f"{DOC}:M3.A2"
HOSTILE_PROBLEM = f"{DOC}:P3.1"
HOSTILE_P = '<script>window.top.__xss=2</script><img src=x onerror="window.top.__xss=3">回应群众需求不及时'
# page URL path → (its title in the navigation, its heading)
PAGES = {
    "overview": ("总览", "总览"), "graph": ("图谱", "图谱"), "map": ("全图", "全图"), "trace": ("溯源", "溯源"),
    "matrix": ("矩阵", "矩阵"),
    "ask": ("问答", "问答"), "corpus": ("语料", "语料分析"), "curation": ("校对", "校对"), "review": ("评估", "评估"),
}


def _require_browser() -> None:
    required = os.environ.get("TRACEGRAPH_REQUIRE_BROWSER") == "1"
    missing = None
    if chromium_path() is None:
        missing = "Debian chromium is not installed (bash scripts/system-deps.sh)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright Python package is not installed"
    if missing:
        if required:
            pytest.fail(missing + " and TRACEGRAPH_REQUIRE_BROWSER=1")
        pytest.skip(missing)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(base URL, page, request log, graph) for the whole module: one server, one browser. The graph gives
    the link-dependent expectations (the linker is tuned over time; the structure is fixed)."""
    _require_browser()
    from tracegraph.graph.curation.workspace import Workspace

    ws = tmp_path_factory.mktemp("browser-ws")
    core = Workspace(ws, user="browser-test")
    core.import_file(ROOT / "data" / f"{DOC}.txt")
    built = core.build()
    assert not built.failed
    # titles are untrusted input: an analyst's curation writes this one, and every view must show it as text
    core.curation.edit_node(built.graph, HOSTILE_NODE, title=HOSTILE + "建立定期调研制度", comment="hostile")
    core.curation.edit_node(built.graph, HOSTILE_PROBLEM, title=HOSTILE_P, comment="hostile problem")
    g = core.build().graph
    assert g.nodes[HOSTILE_NODE]["title"].startswith(HOSTILE)
    core.close()
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ws, log=ws / "app.log") as base, browser((1400, 1100)) as (_ctx, page, log):
        yield base, page, log, g


def _shot(page: Any, name: str) -> None:
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _no_remote(log: Any) -> None:
    assert log.urls, "no request was recorded at all"
    assert log.remote() == [], f"requests left 127.0.0.1: {log.remote()}"


def _see(page: Any, *texts: str, timeout: int = 60_000) -> None:
    """Wait until each text is drawn in the main area (Streamlit draws a run's elements one by one)."""
    main = page.locator('[data-testid="stMain"]')
    for t in texts:
        main.get_by_text(t).first.wait_for(timeout=timeout)


def _main_text(page: Any) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def _nav(page: Any, title: str) -> Any:
    """The page's link in the sidebar navigation."""
    return page.locator('[data-testid="stSidebarNav"] a', has_text=re.compile(f"^{title}$"))


def _path(url: str) -> str:
    return urlsplit(url).path


def test_overview_renders_in_chinese(session: Any) -> None:
    base, page, log, g = session
    t0 = time.perf_counter()
    page.goto(base + "/")
    wait_overview(page)
    first_render = time.perf_counter() - t0
    page.wait_for_url(re.compile(r"/overview$"), timeout=30_000)  # the root URL opens 总览 at its own path
    problems = page.locator('[data-testid="stMetric"]', has_text="问题").first
    assert problems.locator('[data-testid="stMetricValue"]').inner_text().strip() == "17"
    from tracegraph.graph.query.queries import gaps

    missing = gaps(g)["problems_without_measures"]
    _see(page, "覆盖情况", f"{17 - len(missing)} / 17", "引用最多的政策依据", *[r["title"] for r in missing])
    # a CJK font is installed, so Chinese is drawn with real glyphs (not tofu boxes): their width
    # differs from that of a string of code points no font has
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    assert fonts.strip(), "no Chinese font (apt-get install fonts-wqy-zenhei)"
    widths = page.evaluate("""() => { const c = document.createElement('canvas').getContext('2d');
        c.font = '16px sans-serif';
        return [c.measureText('问题原因措施').width, c.measureText('\\u{E000}'.repeat(6)).width]; }""")
    assert widths[0] > 0 and abs(widths[0] - widths[1]) > 1
    _shot(page, "overview")
    assert first_render < 60
    _no_remote(log)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_is_reachable_by_its_url_path(session: Any, path: str) -> None:
    """Typed into the address bar, /<path> opens that page: its Chinese heading, its link marked as the
    current one in the navigation (the eight titles in order), the document filter's sidebar, no error."""
    base, page, log, _g = session
    title, heading = PAGES[path]
    page.goto(f"{base}/{path}")
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    assert _path(page.url) == f"/{path}"
    links = page.locator('[data-testid="stSidebarNav"] a')
    assert [t.strip() for t in links.all_inner_texts()] == [t for t, _ in PAGES.values()]
    current = _nav(page, title)
    assert current.get_attribute("aria-current") == "page"
    page.locator('[data-testid="stSidebar"]').get_by_text("整改材料知识图谱").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    _no_remote(log)


def test_an_old_view_link_opens_its_page_at_its_path(session: Any) -> None:
    """A bookmark from before the pages had paths (/?view=trace&trace=…) lands on /trace?trace=…."""
    base, page, log, _g = session
    page.goto(f"{base}/?view=trace&trace={DOC}:P5.2")
    _see(page, "还存在“两个责任”履行不够到位的问题")
    page.wait_for_url(lambda u: _path(u) == "/trace" and "view=" not in u, timeout=30_000)
    assert parse_qs(urlsplit(page.url).query)["trace"] == [f"{DOC}:P5.2"]
    _no_remote(log)


def test_search_finds_the_gap_problem_and_its_trace_shows_candidates(session: Any) -> None:
    """Type-ahead in the explorer: the problem is offered, picked into the scene with its detail beside it,
    and its 溯源 button leads to the trace."""
    base, page, log, g = session
    page.goto(base + "/")
    wait_overview(page)
    _nav(page, "图谱").click()
    page.get_by_role("heading", name="图谱", exact=True).wait_for()
    page.wait_for_url(re.compile(r"/graph(\?|$)"), timeout=30_000)
    _explorer(page)
    box = page.locator('[data-testid="tgx-search"]')
    box.fill("软弱涣散")
    item = page.locator(".tgx-item").first
    item.wait_for(timeout=30_000)
    assert "对如何运用党史做好组织工作结合上还不够好" in item.inner_text() and "P4.1" in item.inner_text()
    _shot(page, "graph_typeahead")
    item.dispatch_event("mousedown")
    trace_button = page.locator(f".st-key-dt-trace-{DOC}-P4-1 button")
    trace_button.wait_for(timeout=30_000)
    assert f"{DOC}:P4.1" in page.evaluate("() => document.querySelector('[data-testid=tgx-root]').tgx.nodes.getIds()")
    trace_button.click()
    page.get_by_role("heading", name="溯源", exact=True).wait_for()
    from tracegraph.graph.query.queries import trace

    p41 = f"{DOC}:P4.1"
    measures = trace(g, p41)["measures"]
    _see(page, "问题 P4.1：对如何运用党史做好组织工作结合上还不够好")
    if measures:  # linked: its measures are listed
        _see(page, f"整改措施（{len(measures)}）", *[m["title"] for m in measures])
    else:  # a coverage gap: said so, with the linker's nearest candidates (not drawn as links)
        candidates = [c["title"] for c in g.nodes[p41].get("suggestions", {}).get("ADDRESSES", [])]
        assert candidates
        _see(page, "覆盖缺口：这个问题没有对应的整改措施", "可能对应的整改措施（候选，未建立关联，供核实）",
             *candidates)
    page.wait_for_url(lambda u: _path(u) == "/trace" and f"trace={DOC}:P4.1" in unquote(u), timeout=30_000)
    _shot(page, "trace_gap")
    _no_remote(log)


def test_a_bookmarked_search_lists_its_hits_with_trace_buttons(session: Any) -> None:
    base, page, log, _g = session
    page.goto(f"{base}/graph?q=软弱涣散")
    page.locator(f".st-key-sr-trace-{DOC}-P4-1 button").wait_for(timeout=60_000)
    page.get_by_text("搜索“软弱涣散”").wait_for()
    assert "对如何运用党史做好组织工作结合上还不够好" in _main_text(page)
    _no_remote(log)


def test_trace_of_a_problem_shows_its_measures_and_evidence(session: Any) -> None:
    base, page, log, g = session
    page.goto(f"{base}/trace?trace={DOC}:P5.2")  # a bookmarked view
    from tracegraph.graph.query.queries import trace

    tr = trace(g, f"{DOC}:P5.2")
    _see(page, "还存在“两个责任”履行不够到位的问题", f"整改措施（{len(tr['measures'])}）",
         "M5 加强自身建设，提升能力水平", f"政策依据（{len(tr['policy_refs'])}）",
         *[c["title"] for c in tr["causes"]], *[m["title"] for m in tr["measures"]])
    m5 = page.locator('[data-testid="stVerticalBlock"]', has_text="M5 加强自身建设，提升能力水平").last
    assert "三会一课" in m5.inner_text()
    _shot(page, "trace")
    _no_remote(log)


def test_matrix_view(session: Any) -> None:
    _base, page, log, g = session
    _nav(page, "矩阵").click()
    page.get_by_role("heading", name="矩阵", exact=True).wait_for(timeout=60_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    from tracegraph.graph.query.queries import gaps

    missing = gaps(g)["problems_without_measures"]
    _see(page, "M3 强化宗旨观念，体现激励关爱", f"没有整改措施的问题（{len(missing)}）",
         "未发现违规发放公务员工资、津贴、补贴的情况")
    page.wait_for_url(lambda u: _path(u) == "/matrix", timeout=30_000)
    _shot(page, "matrix")
    _no_remote(log)


def test_ask_view(session: Any) -> None:
    base, page, log, _g = session
    page.goto(f"{base}/ask")
    box = page.get_by_placeholder("如：第三条整改措施解决了哪些问题")
    box.wait_for(timeout=60_000)
    box.fill("第三条整改措施解决了哪些问题")
    box.press("Enter")
    answer = page.locator('[data-testid="stAlert"]', has_text="回应群众需求不及时")
    answer.first.wait_for(timeout=30_000)
    assert "强化宗旨观念，体现激励关爱" in answer.first.inner_text()
    _shot(page, "ask")
    _no_remote(log)


def _explorer(page: Any) -> Any:
    """The explorer, drawn: its root (with ``.tgx``, the drawn state)."""
    root = page.locator('[data-testid="tgx-root"]')
    root.wait_for(timeout=60_000)
    page.wait_for_function("() => +document.querySelector('[data-testid=tgx-root]').getAttribute('data-nodes') > 0",
                           timeout=60_000)
    return root


def node_point(page: Any, node: str) -> dict[str, float]:
    """Where a node of the explorer is on the screen."""
    return page.evaluate(
        """(id) => { const st = document.querySelector('[data-testid=tgx-root]').tgx;
                     st.network.focus(id, {scale: 1.0, animation: false});
                     const p = st.network.canvasToDOM(st.network.getPositions([id])[id]);
                     const r = document.querySelector('[data-testid=tgx-canvas] canvas').getBoundingClientRect();
                     return {x: r.left + p.x, y: r.top + p.y}; }""", node)


def test_clicking_a_graph_node_opens_its_detail_panel(session: Any) -> None:
    base, page, log, g = session
    target = f"{DOC}:P5.2"
    page.goto(f"{base}/graph?focus={target}")  # in the scene, its detail not open
    _explorer(page)
    assert page.locator('[data-testid="stVerticalBlock"]', has_text="节点详情").count() == 0
    page.evaluate("() => { window.__tgNoReload = 1; }")
    point = node_point(page, target)
    page.mouse.click(point["x"], point["y"])
    panel = page.locator('[data-testid="stVerticalBlock"]', has_text="节点详情").last
    panel.wait_for(timeout=60_000)
    from tracegraph.ui.views.detail import node_links

    _see(page, "节点详情", "问题 P5.2", "还存在“两个责任”履行不够到位的问题", f"关联（{len(node_links(g, target))}）")
    mark = page.locator(".tg-source mark").first
    assert "还存在“两个责任”履行不够到位的问题" in mark.inner_text()
    # the click reran the page's fragment only: the page was not reloaded and the node is still selected
    assert page.evaluate("() => window.__tgNoReload") == 1
    assert page.evaluate("() => document.querySelector('[data-testid=tgx-root]').tgx.network.getSelectedNodes()") \
        == [target]
    _shot(page, "graph_detail")
    _no_remote(log)


def test_hostile_title_stays_text(session: Any) -> None:
    base, page, log, _g = session
    page.goto(f"{base}/graph?node={HOSTILE_NODE}")
    _see(page, "节点详情", HOSTILE)  # shown as text in the detail panel
    _explorer(page)
    # hover the node: vis-network shows its tooltip, which must hold text, not an <img>
    point = node_point(page, HOSTILE_NODE)
    page.mouse.move(point["x"], point["y"])
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=10_000)
    assert HOSTILE in tip.inner_text()
    assert page.locator("div.vis-tooltip img").count() == 0
    assert page.evaluate("() => window.__xss") is None
    assert not [u for u in log.urls if u.rstrip("/").endswith("/x")]
    _shot(page, "hostile_title")
    _no_remote(log)


def test_hostile_problem_title_is_text_in_every_view_and_can_be_curated(session: Any) -> None:
    """A problem whose title carries <script> and onerror markup: 溯源, 矩阵 and 校对 show it as text, and
    confirming one of its links in 校对 works (the trace then marks it 人工)."""
    base, page, log, g = session
    assert g.nodes[HOSTILE_PROBLEM]["title"] == HOSTILE_P
    page.goto(f"{base}/trace?trace={HOSTILE_PROBLEM}")
    _see(page, HOSTILE_P)
    _shot(page, "hostile_trace")
    page.goto(f"{base}/matrix")
    # the matrix is a data grid drawn on a canvas; its accessible cells carry the text
    cell = page.locator('[data-testid^="glide-cell"]', has_text="<script>window.top.__xss=2").first
    cell.wait_for(state="attached", timeout=60_000)
    assert "<img src=" in cell.inner_text()
    page.goto(f"{base}/curation")
    _see(page, "校对")
    main = page.locator('[data-testid="stMain"]')
    # the 确认 button of this very link: Streamlit marks each element with a class made from its widget key
    # (tg_cur_ok|<source>|<target>|<type>|<row>), drawn progressively, so wait for it
    key = f"st-key-tg_cur_ok-{DOC}-M3-{DOC}-P3-1-ADDRESSES-"
    button = main.locator(f'[class*="{key}"] button')
    button.wait_for(timeout=60_000)
    label = main.get_by_text(re.compile(r"M3 强化宗旨观念.*针对.*P3\.1 <script>window\.top\.__xss=2")).first
    label.wait_for(timeout=60_000)  # the label shows the hostile title as text
    button.click()
    _see(page, "已确认")
    _shot(page, "hostile_curation")
    page.goto(f"{base}/trace?trace={HOSTILE_PROBLEM}")
    _see(page, HOSTILE_P, "强化宗旨观念，体现激励关爱")
    m3 = main.locator("div", has_text="强化宗旨观念，体现激励关爱").filter(has_text="人工").first
    m3.wait_for(timeout=60_000)
    assert page.evaluate("() => window.__xss") is None
    assert main.locator("script", has_text="__xss").count() == 0
    _no_remote(log)


def _heading(page: Any, text: str) -> None:
    page.get_by_role("heading", name=text, exact=True).wait_for(timeout=60_000)


def _pick_trace(page: Any, code_: str, title: str) -> None:
    """Choose a node in 溯源's selectbox the way a reader does: open it, type, press Enter."""
    box = page.locator(".st-key-tg_trace input")
    box.click()
    box.fill(code_)
    page.get_by_role("option", name=re.compile(re.escape(code_))).first.click()
    page.wait_for_url(lambda u: f"trace={DOC}:{code_}" in unquote(u), timeout=30_000)
    _see(page, title)


def test_back_and_forward_move_between_views_and_selections(session: Any) -> None:
    """Each page switch and each selected node is a history entry: Back returns to the previous view (and
    the previous selection), Forward goes there again."""
    base, page, log, g = session
    page.goto(f"{base}/matrix")
    _heading(page, "矩阵")
    _nav(page, "溯源").click()
    _heading(page, "溯源")
    page.wait_for_url(lambda u: _path(u) == "/trace", timeout=30_000)
    p52, m3 = g.nodes[f"{DOC}:P5.2"]["title"], g.nodes[f"{DOC}:M3"]["title"]
    _pick_trace(page, "P5.2", p52)
    _pick_trace(page, "M3", m3)

    def at(path: str, trace: str | None, heading: str, text: str | None = None) -> None:
        page.wait_for_url(lambda u: _path(u) == path and parse_qs(urlsplit(u).query).get("trace") == (
            [trace] if trace else None), timeout=30_000)
        _heading(page, heading)
        if text:
            _see(page, text)
            page.wait_for_timeout(500)  # the run settles (and must not write another URL)
            assert parse_qs(urlsplit(page.url).query).get("trace") == ([trace] if trace else None)

    page.go_back()
    at("/trace", f"{DOC}:P5.2", "溯源", p52)
    page.locator('[data-testid="stMain"] h3', has_text="P5.2").first.wait_for(timeout=30_000)
    page.go_back()
    at("/trace", None, "溯源", "从一个问题出发")
    page.go_back()
    at("/matrix", None, "矩阵", "覆盖缺口")
    page.go_forward()
    at("/trace", None, "溯源", "从一个问题出发")
    page.go_forward()
    at("/trace", f"{DOC}:P5.2", "溯源", p52)
    page.go_forward()
    at("/trace", f"{DOC}:M3", "溯源", m3)
    _shot(page, "back_forward")
    _no_remote(log)


def test_trace_export_downloads_a_word_file_with_a_chinese_name(session: Any, tmp_path: Path) -> None:
    base, page, log, g = session
    from tracegraph.graph.exporters import default_filename

    page.goto(f"{base}/trace?trace={DOC}:P5.2")
    _see(page, g.nodes[f"{DOC}:P5.2"]["title"])
    page.locator('[data-testid="stMain"] [data-testid="stExpander"]', has_text="导出本溯源").locator(
        "summary").click()
    button = page.locator(".st-key-trace-export-docx button").first  # the keyed block holds two buttons
    button.wait_for(timeout=30_000)
    _shot(page, "trace_export")
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    name = download.suggested_filename
    assert name == default_filename(f"trace:{DOC}:P5.2", "docx", g=g)
    assert name.startswith("整改追溯_") and name.endswith(".docx")
    assert re.search(r"[\u4e00-\u9fff]", name.removeprefix("整改追溯_")) and DOC not in name
    out = tmp_path / name
    download.save_as(out)
    import docx

    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "两个责任" in text
    _no_remote(log)


def test_overview_puts_first_steps_and_the_upload_above_the_counts(session: Any) -> None:
    base, page, log, _g = session
    page.goto(f"{base}/overview")
    wait_overview(page)
    _see(page, "使用步骤", "看读取概况", "选择要上传的文件（可多选）", "“Upload”（上传）")
    main = page.locator('[data-testid="stMain"]')
    upload = main.locator('[data-testid="stFileUploader"]').bounding_box()
    metric = main.locator('[data-testid="stMetric"]').first.bounding_box()
    steps = main.get_by_text("使用步骤").first.bounding_box()
    assert steps["y"] < upload["y"] < metric["y"] < 900  # all on the first screen
    _no_remote(log)
