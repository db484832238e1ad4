"""Curation from the 溯源 panel in Chromium (issue 13, item 6): 确认 a link with a comment, the decision lands
in the workspace's store by the app's 校对人, the small 撤销 beside the outcome takes it back, and no request
leaves 127.0.0.1. Skipped without chromium unless TRACEGRAPH_REQUIRE_BROWSER=1."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fixtures import sample_workspace

from tests.test_browser import ARTIFACTS, _no_remote, _require_browser, _see
from tools.bench.app_render import browser, running_app


def _css(key: str) -> str:
    """Streamlit's class for a widget key (characters other than letters, digits, - and _ become -)."""
    return ".st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    _require_browser()
    ws = tmp_path_factory.mktemp("browser-cur-ws")
    g = sample_workspace(ws)
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(ws, log=ws / "app.log") as base, browser((1400, 1100)) as (_ctx, page, log):
        yield base, page, log, g, ws


def _decisions(ws: Path) -> list[Any]:
    from tracegraph.graph.curation.workspace import Workspace

    with Workspace(ws) as w:
        return w.curation.decisions()


def _wait_for(check: Any, page: Any, timeout_ms: int = 30_000) -> None:
    for _ in range(timeout_ms // 200):
        if check():
            return
        page.wait_for_timeout(200)
    raise AssertionError("the decision never reached the store")


def test_confirm_from_trace_then_undo(session: Any) -> None:
    from tracegraph.graph.curation.inputs import default_user

    base, page, log, g, ws = session
    c, p = next((u, v) for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1]))
                if k == "EXPLAINS" and d.get("origin") == "inferred")
    page.goto(f"{base}/trace?trace={p}")
    _see(page, g.nodes[p]["title"][:12], g.nodes[c]["title"])
    page.get_by_label(re.compile("^校对备注")).fill("浏览器里确认")
    page.locator(f"{_css(f'tc-c-{c}-ok')} button").click()
    _wait_for(lambda: len(_decisions(ws)) == 1, page)
    [d] = _decisions(ws)
    assert (d.op, d.source, d.target, d.comment, d.user) == ("confirm", c, p, "浏览器里确认", default_user())
    _see(page, "已确认", "备注：浏览器里确认")
    page.screenshot(path=str(ARTIFACTS / "trace_confirmed.png"))
    page.locator(f"{_css(f'tr-msg-{p}-undo')} button").click()
    _wait_for(lambda: _decisions(ws) == [], page)
    _see(page, "已撤销")
    page.locator(f"{_css(f'tc-c-{c}-ok')} button").wait_for(timeout=30_000)  # inferred again: 确认 is back
    page.screenshot(path=str(ARTIFACTS / "trace_undone.png"))
    _no_remote(log)
