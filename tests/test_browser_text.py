"""Text is text, in a real browser: beacon URLs — a Markdown image, a Markdown link, raw <img> HTML, a bare
autolink URL and a www. address — are put into node titles, 责任领导/责任部门/完成时限 values, a document's text
and every URL parameter; each page is opened in Debian's headless Chromium while two tiny HTTP servers on other
loopback ports record every request. None may reach them, and no link to them may be in the DOM.

Skipped when chromium is missing, unless TRACEGRAPH_REQUIRE_BROWSER=1 (CI), where that is a failure."""

from __future__ import annotations

import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tools.bench.app_render import browser, free_port, running_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures as fx
from test_browser import PAGES, _require_browser

DOC = "beacon-ledger"
STRING_PARAMS = ("q", "focus", "node", "trace", "cell", "doc", "area", "ask", "types", "origins", "view")


class Beacon:
    """Two HTTP servers on loopback ports the app never uses; every request they see is recorded."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.servers: list[http.server.HTTPServer] = []
        self.ports: list[int] = []
        beacon = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                beacon.hits.append(f"{self.server.server_address[1]}{self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        for _ in range(2):
            srv = http.server.HTTPServer(("127.0.0.1", free_port()), Handler)
            self.servers.append(srv)
            self.ports.append(srv.server_address[1])
            threading.Thread(target=srv.serve_forever, daemon=True).start()

    def payload(self, tag: str) -> str:
        img, link = self.ports
        return (f"![b](http://127.0.0.1:{img}/{tag}.png)[点此{tag}](http://127.0.0.1:{link}/{tag})"
                f'<img src="http://127.0.0.1:{img}/raw-{tag}.png">http://127.0.0.1:{link}/auto-{tag} '
                f"www.example.org mail@example.org")

    def close(self) -> None:
        for s in self.servers:
            s.shutdown()
            s.server_close()


def beacon_text(b: Beacon) -> str:
    """The ledger fixture with the payload in its title line, a problem's text and the first measure's fields."""
    text = fx.ledger_text()
    blk = fx.LEDGER_BLOCKS[0]
    text = text.replace(fx.LEDGER_TITLE, fx.LEDGER_TITLE + b.payload("title"), 1)
    text = text.replace(str(blk["problem"]), str(blk["problem"]) + b.payload("problem"), 1)
    for k in ("owner", "department", "deadline"):
        text = text.replace(f"：{blk[k]}\n", f"：{blk[k]}{b.payload(k)}\n", 1)
    return text


@pytest.fixture(scope="module")
def beacon_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Any, Beacon]]:
    _require_browser()
    from tracegraph.graph.curation.workspace import Workspace

    b = Beacon()
    # the servers answer: a request that reached them would be seen
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{b.ports[0]}/probe", timeout=5) as r:
        assert r.status == 200
    assert b.hits == [f"{b.ports[0]}/probe"]
    b.hits.clear()

    ws = tmp_path_factory.mktemp("beacon-ws")
    src = ws.parent / f"{DOC}.txt"
    src.write_text(beacon_text(b), encoding="utf-8")
    core = Workspace(ws, user="beacon-test")
    core.import_file(src)
    built = core.build()
    assert not built.failed
    g = built.graph
    assert "http://127.0.0.1" in g.nodes[f"{DOC}:M1"]["owner"]
    core.curation.edit_node(g, f"{DOC}:P1", title="决策制度执行不严格" + b.payload("p1title"), comment="beacon")
    core.curation.edit_node(g, f"{DOC}:M1", title="修订实施办法" + b.payload("m1title"), comment="beacon")
    g = core.build().graph
    core.close()
    try:
        with running_app(ws, log=ws / "app.log") as base, browser((1400, 1100)) as (_ctx, page, log):
            yield base, page, log, b
    finally:
        b.close()


def _settle(page: Any, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=60_000)
    # Streamlit draws a run's elements one by one: wait until it says it is idle
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(1200)


def _no_beacon(page: Any, b: Beacon, where: str) -> None:
    img, link = b.ports
    for frame in page.frames:
        for sel in (f'a[href*="127.0.0.1:{link}"]', f'a[href*="127.0.0.1:{img}"]', f'img[src*="127.0.0.1:{img}"]',
                    'a[href*="example.org"]', 'a[href^="mailto:"]'):
            n = frame.locator(sel).count()
            assert n == 0, f"{where}: {n} × {sel} in {frame.url}"
    assert b.hits == [], f"{where}: the beacon was fetched: {b.hits}"


def _main_text(page: Any) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_every_page_with_beacons_in_every_url_parameter(beacon_app: Any) -> None:
    base, page, log, b = beacon_app
    for path, (_nav, heading) in PAGES.items():
        params = {p: b.payload(f"{path}-{p}") for p in STRING_PARAMS}
        page.goto(f"{base}/{path}?{urlencode(params)}")
        _settle(page, heading)
        _no_beacon(page, b, f"/{path} with hostile parameters")
    assert log.remote() == []


def test_search_and_focus_and_detail_show_the_beacons_as_text(beacon_app: Any) -> None:
    base, page, _log, b = beacon_app
    q = b.payload("q")
    page.goto(f"{base}/graph?{urlencode({'q': q})}")
    _settle(page, "图谱")
    assert "没有找到与“" in _main_text(page) and "点此q" in _main_text(page)  # the query, shown as text
    _no_beacon(page, b, "graph search")
    page.goto(f"{base}/graph?{urlencode({'focus': f'{DOC}:P1', 'node': f'{DOC}:P1'})}")
    _settle(page, "图谱")
    text = _main_text(page)
    assert "节点详情" in text and "点此p1title" in text and f"127.0.0.1:{b.ports[1]}/p1title" in text
    _no_beacon(page, b, "graph focus + detail")
    page.goto(f"{base}/graph?{urlencode({'focus': b.payload('focus'), 'node': b.payload('node')})}")
    _settle(page, "图谱")
    page.locator('[data-testid="tgx-root"]').wait_for(timeout=60_000)  # the explorer, on its starter scene
    _no_beacon(page, b, "graph unknown focus/node")


def test_trace_shows_ledger_fields_and_titles_as_text(beacon_app: Any) -> None:
    base, page, _log, b = beacon_app
    page.goto(f"{base}/trace?trace={DOC}:M1")
    _settle(page, "溯源")
    text = _main_text(page)
    for tag in ("owner", "department", "deadline", "m1title"):
        assert f"点此{tag}" in text, tag  # 责任人/责任单位/完成时限 and the title, as the text they are
    _no_beacon(page, b, "trace of a measure")
    page.goto(f"{base}/trace?trace={DOC}:P1")
    _settle(page, "溯源")
    assert "点此p1title" in _main_text(page)
    page.locator('[data-testid="stExpander"] summary', has_text="原文").first.click()
    page.wait_for_timeout(800)
    _no_beacon(page, b, "trace of a problem")


def test_overview_matrix_ask_curation_review_show_beacons_as_text(beacon_app: Any) -> None:
    base, page, _log, b = beacon_app
    page.goto(f"{base}/overview")
    _settle(page, "总览")
    _no_beacon(page, b, "overview")
    page.goto(f"{base}/matrix?{urlencode({'cell': f'{DOC}:M1|{DOC}:P1'})}")
    _settle(page, "矩阵")
    assert "点此m1title" in _main_text(page)
    _no_beacon(page, b, "matrix")
    page.goto(f"{base}/ask?{urlencode({'ask': '决策制度执行不严格的整改措施有哪些' + b.payload('ask')})}")
    _settle(page, "问答")
    _no_beacon(page, b, "ask")
    page.goto(f"{base}/curation")
    _settle(page, "校对")
    _no_beacon(page, b, "curation")
    page.goto(f"{base}/review")
    _settle(page, "评估")
    _no_beacon(page, b, "review")
    page.goto(f"{base}/corpus")
    _settle(page, "语料分析")
    _no_beacon(page, b, "corpus")
