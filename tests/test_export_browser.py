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


PLACEHOLDERS = "%DATA%%VISJS%%APPJS%%VISCSS%%STYLE%%TITLE%%SCOPE%%CSP%%LEGEND%%N%%M%%DATE%%FONT%"


def _placeholder_export(tmp_path: Path, sample_graph, sample_doc_id) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    from tracegraph.graph.exporters import export

    g = copy.deepcopy(sample_graph)
    node = f"{sample_doc_id}:P5.2"
    g.nodes[node]["title"] = "占位符" + PLACEHOLDERS + "</script><!--"
    g.nodes[node]["text"] = PLACEHOLDERS + (g.nodes[node].get("text") or "")
    out = tmp_path / "placeholders.html"
    export(g, f"trace:{node}", "html", out, title="%DATA%" + PLACEHOLDERS)
    return out, node


def test_html_export_keeps_template_placeholders_in_data_as_text(tmp_path: Path, sample_graph, sample_doc_id) -> None:
    """Titles and text holding every placeholder of the template (and a --title of "%DATA%") come out as the
    text they are: the page is filled in one pass, the data block is intact JSON, the library appears once."""
    import html as html_mod
    import json
    import re

    out, _node = _placeholder_export(tmp_path, sample_graph, sample_doc_id)
    page = out.read_text(encoding="utf-8")
    assert page.count("<title>") == 1
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)  # type: ignore[union-attr]
    assert html_mod.unescape(title) == "%DATA%" + PLACEHOLDERS  # the title is the title, not the data
    data = json.loads(re.search(r'<script type="application/json" id="tg-data">(.*?)</script>', page,
                                re.S).group(1))  # type: ignore[union-attr]
    titles = [str(n.get("label") or "") + " " + json.dumps(n, ensure_ascii=False) for n in data["nodes"]]
    assert any(PLACEHOLDERS in t for t in titles)
    assert page.count("</script>") == 3 and "<!--" not in page.split("<body>", 1)[1].split("<script>", 1)[0]
    assert page.count("vis-network") >= 1 and page.count('id="tg-data"') == 1


def test_html_export_with_placeholders_draws_in_chromium(tmp_path: Path, sample_graph, sample_doc_id) -> None:
    _require_browser()
    out, _node = _placeholder_export(tmp_path, sample_graph, sample_doc_id)
    with browser((1200, 900)) as (_ctx, page, log):
        page.goto(out.as_uri())
        page.wait_for_selector("body[data-tracegraph-ready]", timeout=30_000)
        title = page.title()
        h1 = page.inner_text("h1")
        labels = page.evaluate("() => window.tracegraphNetwork.body.data.nodes.get().map(n => n.label || '')")
        data = page.evaluate("() => JSON.stringify(JSON.parse(document.getElementById('tg-data').textContent))")
        remote = log.remote()
    assert title == "%DATA%" + PLACEHOLDERS and h1 == title
    assert any("占位符%DATA%" in lbl.replace("\n", "") for lbl in labels)  # drawn (labels are shortened)
    assert PLACEHOLDERS + "</script><!--" in data  # the whole title, as text, in the data block
    assert remote == [], remote
