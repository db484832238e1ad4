"""溯源图 in a real browser (issue 13 item 1): /trace?trace=P5.3 draws the picture first, every box a same-origin
link; clicking the measure's box opens that measure's 溯源; not one request leaves 127.0.0.1. A screenshot
goes to test-artifacts/trace_picture.png.

Skipped when chromium is missing, unless TRACEGRAPH_REQUIRE_BROWSER=1 (CI), where that is a failure."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from fixtures import sample_workspace

from tools.bench.app_render import browser, running_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_browser import _require_browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
DOC = "000_ddb002e987b04e7f"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    _require_browser()
    ws = tmp_path_factory.mktemp("browser-picture-ws")
    g = sample_workspace(ws, user="browser-test")
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ws, log=ws / "app.log") as base, browser((1400, 1100)) as (_ctx, page, log):
        yield base, page, log, g


def test_clicking_a_measure_box_opens_its_trace(session: Any) -> None:
    base, page, log, g = session
    p53, m5 = f"{DOC}:P5.3", f"{DOC}:M5"
    page.goto(f"{base}/trace?trace={p53}")
    main = page.locator('[data-testid="stMain"]')
    el = main.locator("iframe").first
    el.wait_for(timeout=60_000)
    frame = el.element_handle().content_frame()
    frame.wait_for_function("window.tgReady === true", timeout=60_000)
    picture = frame.locator("svg.tg-trace-picture")
    picture.wait_for(timeout=60_000)
    boxes = picture.locator("a.tg-box")
    boxes.first.wait_for(timeout=30_000)
    from tracegraph.ui.views.trace_picture import picture_graph

    sub = picture_graph(g, p53)
    assert sorted(boxes.evaluate_all("els => els.map(e => e.getAttribute('data-node'))")) == sorted(sub.nodes)
    assert picture.locator("g.tg-edge path").count() == sub.number_of_edges()
    # full titles are drawn (wrapped, not cut)
    drawn = picture.evaluate("svg => svg.textContent")
    for n in sub.nodes:
        assert " ".join(g.nodes[n]["title"].split()).replace(" ", "") in drawn.replace(" ", "")
    # every box links to this app, same origin
    hrefs = boxes.evaluate_all("els => els.map(e => e.href.baseVal || e.getAttribute('href'))")
    for h in hrefs:
        full = urljoin(page.url, h)
        assert urlsplit(full).netloc == urlsplit(base).netloc, full
    el.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "trace_picture.png"))
    # click the measure's box: its 溯源 opens
    picture.locator(f'a.tg-box[data-node="{m5}"] rect').click()
    page.wait_for_url(lambda u: parse_qs(urlsplit(u).query).get("trace") == [m5], timeout=30_000)
    assert urlsplit(page.url).path == "/trace"
    main.locator("h3", has_text="M5").first.wait_for(timeout=60_000)
    main.get_by_text(g.nodes[m5]["title"]).first.wait_for(timeout=60_000)
    main.get_by_text("针对的问题").first.wait_for(timeout=60_000)
    frame = main.locator("iframe").first.element_handle().content_frame()
    frame.wait_for_function("window.tgReady === true", timeout=60_000)
    frame.locator(f'a.tg-box[data-node="{m5}"]').wait_for(timeout=60_000)  # the measure's own picture
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "trace_picture_measure.png"))
    assert log.urls, "no request was recorded at all"
    assert log.remote() == [], f"requests left 127.0.0.1: {log.remote()}"
