"""The offline HTML export opened in Debian's headless Chromium: it draws the graph with no request leaving
the machine, and a node titled with script-bearing markup cannot run it (the page title stays)."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from tools.bench.app_render import browser, chromium_path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


def _require_browser() -> None:
    if chromium_path() is None:
        msg = "Debian chromium is not installed (bash scripts/system-deps.sh)"
        if os.environ.get("TRACEGRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + " and TRACEGRAPH_REQUIRE_BROWSER=1")
        pytest.skip(msg)


def test_html_export_draws_offline_and_keeps_hostile_titles_inert(tmp_path: Path, sample_graph, sample_doc_id) -> None:
    _require_browser()
    from tracegraph.graph.exporters import export

    g = copy.deepcopy(sample_graph)
    hostile_node = f"{sample_doc_id}:P5.2"
    g.nodes[hostile_node]["title"] = HOSTILE
    out = tmp_path / "graph.html"
    export(g, f"trace:{hostile_node}", "html", out)
    html = out.read_text(encoding="utf-8")
    assert "<img src=x" not in html  # never as markup in the file
    ARTIFACTS.mkdir(exist_ok=True)
    with browser((1200, 900)) as (_ctx, page, log):
        page.goto(out.as_uri())
        page.wait_for_selector("body[data-tracegraph-ready]", timeout=30_000)
        drawn = int(page.get_attribute("body", "data-tracegraph-ready") or "0")
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "export_html.png"))
        title = page.title()
        labels = page.evaluate("() => window.tracegraphNetwork ? window.tracegraphNetwork.body.data.nodes.get()"
                               ".map(n => n.label || '') : []")
        canvas_pixels = page.evaluate(
            """() => { const c = document.querySelector('canvas'); if (!c) return 0;
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
                 for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240)) n++; }
                 return n; }"""
        )
        remote = log.remote()
    assert title != "pwned"
    assert drawn >= 5  # the problem, its causes, measures, actions and policy references
    assert canvas_pixels > 1000  # something was drawn
    assert any("<img src=x" in lbl.replace("\n", "") for lbl in labels)  # shown as the literal text it is
    assert remote == [], remote
