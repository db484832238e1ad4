"""Browser benchmark for issue #13 (items 3 and 9), in Debian's headless Chromium (viewport 1400×1000):

1. time to interactive of the WebGL 全图 (/map, until ``data-ready``) against today's pyvis picture of the same
   number of nodes (a file:// page, until ``window.tgReady``), and the map's pan/zoom frame time;
2. interaction latency on the sample workspace: type-ahead, adding a suggestion, expand, shortest path
   (图谱 explorer), switching 总览 → 溯源 in the sidebar, opening /matrix;
3. first render of the 总览 of a 1,000-document workspace, server already running (and where its time goes:
   the page's milestones, and the app's imports, graph read and 总览 code timed in a fresh process).

Times are taken in the page (``performance.now()``, i.e. from navigation start, or from the moment the
event is sent), except page loads driven from Python, which are wall-clock around ``page.goto``. A target
counts as met when the slowest run meets it. Every group also checks that no request left 127.0.0.1.
Each app server is measured once it reports its start-up read of the workspace done (tracegraph.ui.serve).

    python -m tools.bench.browser [--quick] [--json out.json] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tools.bench.app_render import ROOT, browser, running_app, wait_overview
from tools.bench.synth import make_corpus

SAMPLE = ROOT / "data" / "000_ddb002e987b04e7f.txt"
VIEWPORT = (1400, 1000)
TIMEOUT_MS = 180_000

# Runs in every document before its scripts: the moment (ms from navigation start) the map says it is drawn,
# and for the pyvis page the moment its own script starts (network built: tgReady set false), the moment
# window.tgReady turns true, and whether its 15 s fallback timer did it.
_INIT = """(() => {
  const marks = window.__tgMarks = {};
  const note = (k) => { if (!(k in marks)) { marks[k] = performance.now(); } };
  new MutationObserver((muts) => {
    for (const m of muts) { if (m.target.getAttribute && m.target.getAttribute('data-ready')) { note('mapReady'); } }
  }).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-ready']});
  marks.longTaskMs = 0;  // main-thread tasks over 50 ms: the browser's own script and layout work
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) { marks.longTaskMs += e.duration; } })
      .observe({type: 'longtask', buffered: true});
  } catch (e) { /* not supported */ }
  if (location.protocol !== 'file:') { return; }
  let ready = false;
  Object.defineProperty(window, 'tgReady', {configurable: true, get() { return ready; },
    set(v) { ready = v; note(v === true ? 'tgReady' : 'tgScript'); }});
  const plain = window.setTimeout;
  window.setTimeout = function (fn, ms, ...rest) {
    if (ms === 15000 && typeof fn === 'function') {
      const f = fn;
      fn = function () {
        if (!ready) { window.__tgFallback = true; note('tgFallback'); }
        return f.apply(this, arguments);
      };
    }
    return plain.call(window, fn, ms, ...rest);
  };
})();"""

# Shared by the in-page measurements: wait for a condition (checked on every DOM change), then for the next frame.
_PRELUDE = """
  const waitFor = (pred, ms) => new Promise((resolve, reject) => {
    if (pred()) { resolve(); return; }
    let timer = 0;
    const obs = new MutationObserver(() => { if (pred()) { obs.disconnect(); clearTimeout(timer); resolve(); } });
    obs.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    timer = setTimeout(() => { obs.disconnect(); reject(new Error('timed out after ' + ms + ' ms')); }, ms);
  });
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
  // the explorer's root is looked up each time: a change of the page's layout (the detail panel opening
  // beside it) mounts the component afresh
  const R = () => document.querySelector('[data-testid="tgx-root"]');
  const root = R();
  const rev = () => Number(R() ? R().getAttribute('data-rev') : 0);
  const nodes = () => Number(R() ? R().getAttribute('data-nodes') : 0);
"""

_JS_TYPEAHEAD = "async ([q, ms]) => {" + _PRELUDE + """
  const input = root.querySelector('[data-testid="tgx-search"]');
  const list = root.querySelector('.tgx-suggest');
  input.value = ''; input.dispatchEvent(new Event('input', {bubbles: true}));
  await nextFrame();
  const shown = () => list.style.display === 'block' && list.querySelector('.tgx-item') !== null
    && list.querySelector('.tgx-item').offsetParent !== null;
  const t0 = performance.now();
  input.value = q; input.dispatchEvent(new Event('input', {bubbles: true}));
  await waitFor(shown, ms); await nextFrame();
  return {ms: performance.now() - t0, items: list.querySelectorAll('.tgx-item').length};
}"""

_JS_ADD = "async ([ms]) => {" + _PRELUDE + """
  const have = new Set(root.tgx.nodes.getIds());
  const items = Array.from(root.querySelectorAll('.tgx-suggest .tgx-item'));
  const item = items.find((i) => !have.has(i.getAttribute('data-id'))) || items[0];
  const r0 = rev(), n0 = nodes();
  const t0 = performance.now();
  item.dispatchEvent(new MouseEvent('mousedown', {bubbles: true, cancelable: true}));
  await waitFor(() => rev() > r0, ms); await nextFrame();
  return {ms: performance.now() - t0, id: item.getAttribute('data-id'), added: nodes() - n0, remounted: R() !== root};
}"""

_JS_EVENT = "async ([event, ids, ms]) => {" + _PRELUDE + """
  const r0 = rev(), n0 = nodes();
  const t0 = performance.now();
  root.tgx.trigger(event, {ids, t: Date.now()});
  await waitFor(() => rev() > r0, ms); await nextFrame();
  const msg = R().querySelector('[data-testid="tgx-message"]');
  return {ms: performance.now() - t0, added: nodes() - n0, path: R().tgx.path.size,
          message: msg ? msg.textContent : '', remounted: R() !== root};
}"""

_JS_NAV = "async ([title, extra, ms]) => {" + _PRELUDE + """
  const link = Array.from(document.querySelectorAll('[data-testid="stSidebarNav"] a'))
    .find((a) => a.textContent.trim() === title);
  if (!link) { throw new Error('no navigation link ' + title); }
  const heading = () => Array.from(document.querySelectorAll('[data-testid="stMain"] :is(h1, h2, h3)'))
    .some((h) => h.textContent.trim() === title && h.offsetParent !== null);
  const shown = () => !extra || Array.from(document.querySelectorAll('[data-testid="stMain"] ' + extra))
    .some((e) => e.offsetParent !== null);
  const t0 = performance.now();
  link.click();
  await waitFor(heading, ms);
  const t1 = performance.now();
  await waitFor(shown, ms); await nextFrame();
  return {ms: performance.now() - t0, heading: t1 - t0};
}"""

# Frame time of the map: each event (wheel zoom or drag pan) → the frame that draws it (data-frames advanced);
# "draw" is the part of that frame after the frame's first callback, i.e. roughly the map's draw itself;
# "idle" the interval between frames when nothing is drawn (the compositor's cadence).
_JS_FRAMES = """async ([count]) => {
  const root = document.querySelector('[data-testid="tgm-root"]');
  const canvas = root.querySelector('[data-testid="tgm-canvas"]');
  const r = canvas.getBoundingClientRect();
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  const frames = () => Number(root.getAttribute('data-frames') || 0);
  const drawn = (f0) => new Promise((res) => {
    const chk = () => { if (frames() > f0) { res(); } else { requestAnimationFrame(chk); } };
    requestAnimationFrame(chk);
  });
  const out = {wheel: [], wheelDraw: [], pan: [], panDraw: [], idle: []};
  let last = await new Promise((res) => requestAnimationFrame(res));
  for (let i = 0; i < count; i++) {  // the frame cadence with nothing to draw
    const t = await new Promise((res) => requestAnimationFrame(res));
    out.idle.push(t - last); last = t;
  }
  const one = async (fire, lat, draw) => {
    const f0 = frames();
    let first = 0;
    requestAnimationFrame(() => { first = performance.now(); });
    const t0 = performance.now();
    fire();
    await drawn(f0);
    const t1 = performance.now();
    lat.push(t1 - t0); draw.push(t1 - (first || t0));
  };
  for (let i = 0; i < count; i++) {
    const dy = (i % 10) < 5 ? -200 : 200;
    await one(() => canvas.dispatchEvent(new WheelEvent('wheel', {deltaY: dy, clientX: cx, clientY: cy,
      bubbles: true, cancelable: true})), out.wheel, out.wheelDraw);
  }
  canvas.dispatchEvent(new MouseEvent('mousedown', {clientX: cx, clientY: cy, buttons: 1, bubbles: true}));
  for (let i = 1; i <= count; i++) {
    const x = cx + 15 * Math.sin(i / 3) * i / 2, y = cy + 10 * i % 80;
    await one(() => canvas.dispatchEvent(new MouseEvent('mousemove', {clientX: x, clientY: y, buttons: 1,
      bubbles: true})), out.pan, out.panDraw);
  }
  window.dispatchEvent(new MouseEvent('mouseup', {clientX: cx, clientY: cy, bubbles: true}));
  return out;
}"""


# ------------------------------------------------------------------------------------------ workspaces


class Workspaces:
    """Built workspaces for this run, one per size (0 = the sample document), under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: dict[int, Path] = {}

    def get(self, n: int) -> Path:
        """The workspace of n synthetic documents (n = 0: the sample), built once per run."""
        if n in self.paths:
            return self.paths[n]
        from tracegraph.graph.curation.workspace import Workspace

        ws_dir = self.root / ("ws-sample" if n == 0 else f"ws{n}")
        files = [SAMPLE] if n == 0 else make_corpus(self.root / "corpus", n)
        if not (ws_dir / "build" / "graph.curation").exists():
            t0 = time.perf_counter()
            ws = Workspace(ws_dir, user="bench")
            try:
                for f in files:
                    ws.import_file(f)
                ws.current_graph()  # builds, and stamps the build so the app reads it instead of rebuilding
            finally:
                ws.close()
            print(f"  built workspace of {max(n, 1)} document(s) in {time.perf_counter() - t0:.0f} s", flush=True)
        self.paths[n] = ws_dir
        return ws_dir


def load_graph(ws_dir: Path) -> Any:
    """The workspace's curated graph, as the app reads it."""
    from tracegraph.graph.curation.workspace import Workspace

    ws = Workspace(ws_dir)
    try:
        return ws.current_graph()
    finally:
        ws.close()


def map_node_count(g: Any) -> int:
    """Points the 全图 draws for the whole workspace (before the browser says so)."""
    from tracegraph.ui.bigmap.layout import map_data

    return len(map_data(g)["id"])


def docs_for_nodes(spaces: Workspaces, targets: list[int], probe: int = 10) -> dict[int, int]:
    """Corpus sizes whose map draws about each target number of nodes (scaled from a small probe corpus)."""
    per_doc = map_node_count(load_graph(spaces.get(probe))) / probe
    return {t: max(1, round(t / per_doc)) for t in targets}


# ------------------------------------------------------------------------------------------ helpers


def summary(values: list[float]) -> dict[str, Any]:
    """Median and max (and the runs themselves)."""
    return {"median": statistics.median(values), "max": max(values), "runs": [round(v, 1) for v in values]}


def row(what: str, size: str, values_ms: list[float], unit: str = "ms", target_ms: float | None = None,
        remote: int = 0, note: str = "") -> dict[str, Any]:
    """One line of the result table (times in ms; shown in ``unit``)."""
    s = summary(values_ms)
    out = {"what": what, "size": size, "n": len(values_ms), "unit": unit, "median_ms": round(s["median"], 1),
           "max_ms": round(s["max"], 1), "runs_ms": s["runs"], "target_ms": target_ms, "remote_requests": remote,
           "note": note}
    if target_ms is not None:
        out["met"] = s["max"] <= target_ms
    return out


WARM_DONE = ("已预加载工作区图谱", "预加载工作区图谱失败")


def warm_up_seconds(log_path: Path, timeout: float = 600.0) -> float | None:
    """Wait until the app's log says its start-up read of the workspace (tracegraph.ui.serve) is over; the
    seconds it reports (None when it failed, or this app has no warm-up and said nothing in `timeout`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
        for line in text.splitlines():
            if line.startswith(WARM_DONE[0]):
                m = re.search(r"([0-9.]+) 秒", line)
                return float(m.group(1)) if m else None
            if line.startswith(WARM_DONE[1]):
                return None
        time.sleep(0.2)
    return None


@contextlib.contextmanager
def app(ws_dir: Path, log_path: Path, warm: bool = True) -> Iterator[tuple[str, float | None]]:
    """`tracegraph app` on the workspace: (base URL, its start-up read in s), once that read is over (unless
    `warm` is off: then as soon as the server answers, with None)."""
    with running_app(ws_dir, log=log_path) as base:
        yield base, (warm_up_seconds(log_path) if warm else None)


def _remote_since(log: Any, start: int) -> list[str]:
    from tools.bench.app_render import is_local

    return sorted({u for u in log.urls[start:] if not is_local(u)})


@contextlib.contextmanager
def session() -> Iterator[tuple[Any, Any]]:
    """(page, request log) in headless Chromium with the timing hooks installed."""
    with browser(VIEWPORT) as (ctx, page, log):
        ctx.add_init_script(_INIT)
        yield page, log


def _marks(page: Any) -> dict[str, float]:
    return dict(page.evaluate("() => window.__tgMarks || {}"))


# ------------------------------------------------------------------------------------------ 1. map vs pyvis


def open_map(page: Any, base: str) -> dict[str, Any]:
    """Navigate to /map; ms from navigation start until the map is drawn, and what it drew."""
    t0 = time.perf_counter()
    page.goto(base + "/map", wait_until="commit")
    root = page.locator('[data-testid="tgm-root"][data-ready]')
    root.wait_for(timeout=TIMEOUT_MS)
    wall = (time.perf_counter() - t0) * 1000
    marks = _marks(page)
    el = page.locator('[data-testid="tgm-root"]')
    return {"ms": marks.get("mapReady", wall), "wall_ms": wall, "nodes": int(el.get_attribute("data-nodes") or 0),
            "edges": int(el.get_attribute("data-edges") or 0),
            "load_ms": float(el.get_attribute("data-load-ms") or 0), "error": el.get_attribute("data-error"),
            "page": page_load(page)}


def pyvis_page(g: Any, nodes: int, out: Path) -> dict[str, Any]:
    """Write today's pyvis picture of `nodes` nodes (every item type, ranked as the 图谱 page ranks them)."""
    from tracegraph.graph.model.schema import NODE_TYPES
    from tracegraph.ui.filters import FilterSpec, apply_filters
    from tracegraph.ui.graph_view import render_html

    t0 = time.perf_counter()
    result = apply_filters(g, FilterSpec(types=NODE_TYPES, cap=nodes))
    html = render_html(g, result)
    out.write_text(html, encoding="utf-8")
    return {"path": out, "nodes": len(result.nodes), "edges": len(result.edges),
            "python_ms": (time.perf_counter() - t0) * 1000, "kb": len(html.encode()) // 1024}


def open_pyvis(page: Any, path: Path) -> dict[str, Any]:
    """Open the pyvis page; ms from navigation start until window.tgReady, and whether the fallback fired."""
    t0 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="commit")
    page.wait_for_function("() => window.tgReady === true", timeout=TIMEOUT_MS)
    wall = (time.perf_counter() - t0) * 1000
    marks = _marks(page)
    fallback = bool(page.evaluate("() => window.__tgFallback === true"))
    return {"ms": marks.get("tgReady", wall), "wall_ms": wall, "fallback": fallback,
            "script_ms": marks.get("tgScript", 0.0), "fallback_ms": marks.get("tgFallback")}


def frame_times(page: Any, count: int = 20) -> dict[str, list[float]]:
    """Wheel zoom and drag pan on the drawn map: ms from each event to the frame that shows it."""
    return dict(page.evaluate(_JS_FRAMES, [count]))


def bench_map_vs_pyvis(spaces: Workspaces, targets: list[int], repeat: int, tmp: Path) -> list[dict[str, Any]]:
    """Item 1: time to interactive of /map and of the pyvis page at about each target node count."""
    rows: list[dict[str, Any]] = []
    sizes = docs_for_nodes(spaces, targets)
    print(f"  corpus sizes for {targets} map nodes: {sizes}", flush=True)
    for target, n_docs in sizes.items():
        ws_dir = spaces.get(n_docs)
        g = load_graph(ws_dir)
        with app(ws_dir, tmp / f"app-map-{n_docs}.log") as (base, _warm), session() as (page, log):
            first = open_map(page, base)  # the server reads the workspace graph on its first page
            runs = [open_map(page, base) for _ in range(repeat)]
            drawn = runs[-1]["nodes"]
            frames = frame_times(page) if target == max(targets) else None
            remote = _remote_since(log, 0)
        size = f"{drawn:,} nodes, {runs[-1]['edges']:,} edges ({n_docs} docs)"

        def med(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return float(statistics.median(r["page"][key] for r in runs))

        if first.get("error") or runs[-1].get("error"):
            size += f" — map error {runs[-1].get('error')}"
        rows.append(row("time to interactive: WebGL /map (data-ready)", size, [r["ms"] for r in runs], "s",
                        remote=len(remote),
                        note=f"first page after server start {first['ms'] / 1000:.2f} s; DOMContentLoaded "
                             f"{med('dcl') / 1000:.2f} s; main-thread long tasks {med('long') / 1000:.2f} s; "
                             f"JS upload+first draw {statistics.median(r['load_ms'] for r in runs):.0f} ms"))
        if frames:
            rows.append(row("map frame time: wheel zoom, event → frame drawn", f"{drawn:,} nodes", frames["wheel"],
                            remote=len(remote), note=f"draw part median {statistics.median(frames['wheelDraw']):.1f}"
                                                     f" ms, max {max(frames['wheelDraw']):.1f} ms; idle frame interval "
                                                     f"median {statistics.median(frames['idle']):.1f} ms"))
            rows.append(row("map frame time: drag pan, event → frame drawn", f"{drawn:,} nodes", frames["pan"],
                            remote=len(remote), note=f"draw part median {statistics.median(frames['panDraw']):.1f}"
                                                     f" ms, max {max(frames['panDraw']):.1f} ms"))
        pv = pyvis_page(g, drawn, tmp / f"pyvis-{drawn}.html")
        with session() as (page, log):
            pruns = [open_pyvis(page, pv["path"]) for _ in range(repeat)]
            premote = _remote_since(log, 0)
        fb = sum(1 for r in pruns if r["fallback"])
        rows.append(row("time to interactive: pyvis page (tgReady)", f"{pv['nodes']:,} nodes, {pv['edges']:,} edges",
                        [r["ms"] for r in pruns], "s", remote=len(premote),
                        note=(f"not stabilised: the 15 s fallback timer fired in {fb} of {len(pruns)} runs (at "
                              f"{statistics.median(r['fallback_ms'] for r in pruns if r['fallback']) / 1000:.1f} s); "
                              if fb else "layout stabilised; ")
                        + f"network built after {statistics.median(r['script_ms'] for r in pruns) / 1000:.2f} s; "
                        + f"page {pv['kb']:,} KB, written by Python in {pv['python_ms'] / 1000:.2f} s"))
        rows[-1]["target_nodes"] = target
    return rows


# ------------------------------------------------------------------------------------------ 2. interactions


def page_load(page: Any) -> dict[str, float]:
    """The browser's own milestones of the last navigation (ms from its start) and what it fetched."""
    return dict(page.evaluate("""() => {
      const n = performance.getEntriesByType('navigation')[0] || {};
      const res = performance.getEntriesByType('resource');
      return {dcl: n.domContentLoadedEventEnd || 0, load: n.loadEventEnd || 0, resources: res.length,
              kb: res.reduce((a, r) => a + (r.encodedBodySize || 0), 0) / 1024,
              long: (window.__tgMarks || {}).longTaskMs || 0};
    }"""))


def load_note(loads: list[dict[str, float]]) -> str:
    """Where a Streamlit page load's time goes (medians)."""
    med = {k: statistics.median(x[k] for x in loads) for k in loads[0]}
    return (f"DOMContentLoaded {med['dcl'] / 1000:.2f} s, load event {med['load'] / 1000:.2f} s "
            f"({med['resources']:.0f} files, {med['kb']:,.0f} KB), heading {med['heading'] / 1000:.2f} s; browser "
            f"main-thread long tasks {med['long'] / 1000:.2f} s")


def _graph_ready(page: Any, base: str) -> None:
    page.goto(base + "/graph")
    page.locator('[data-testid="tgx-root"][data-seq]').wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)  # let the first layout settle


def bench_interactions(spaces: Workspaces, repeat: int, tmp: Path) -> list[dict[str, Any]]:
    """Item 2: the explorer's round trips and two page changes on the sample workspace."""
    ws_dir = spaces.get(0)
    size = "sample (1 document)"
    target = 1000.0
    keys = ("type", "add", "expand", "path", "trace", "matrix_nav", "matrix")
    out: dict[str, list[float]] = {k: [] for k in keys}
    notes: dict[str, str] = {}
    with app(ws_dir, tmp / "app-sample.log") as (base, _warm), session() as (page, log):
        page.goto(base + "/")
        wait_overview(page)  # warm: the server has read the graph
        _graph_ready(page, base)
        # an untimed first search (the session's first), and the suggestion taken out of the starter scene so
        # that each timed add really adds it
        first = page.evaluate(_JS_TYPEAHEAD, ["软弱", TIMEOUT_MS])
        pick = page.evaluate("() => document.querySelector('.tgx-suggest .tgx-item').getAttribute('data-id')")
        page.evaluate(_JS_EVENT, ["hide", [pick], TIMEOUT_MS])
        added, remounts = [], 0
        for _ in range(repeat):
            r = page.evaluate(_JS_TYPEAHEAD, ["软弱", TIMEOUT_MS])
            out["type"].append(r["ms"])
            a = page.evaluate(_JS_ADD, [TIMEOUT_MS])
            out["add"].append(a["ms"])
            added.append(a["added"])
            remounts += bool(a["remounted"])
            page.evaluate(_JS_EVENT, ["hide", [a["id"]], TIMEOUT_MS])
        notes["type"] = (f"{r['items']} suggestion(s); includes the explorer's 180 ms typing pause; the session's "
                         f"first search {first['ms']:.0f} ms")
        notes["add"] = f"nodes added per click: {added}" + (
            f"; the explorer was mounted afresh in {remounts} of {repeat} (detail panel opened)" if remounts else "")
        ids = page.evaluate("() => document.querySelector('[data-testid=\"tgx-root\"]').tgx.nodes.getIds()")
        grown, remounts = [], 0
        for k in range(repeat):
            e = page.evaluate(_JS_EVENT, ["expand", [ids[k % len(ids)]], TIMEOUT_MS])
            out["expand"].append(e["ms"])
            grown.append(e["added"])
            remounts += bool(e["remounted"])
        notes["expand"] = f"nodes added per expand: {grown}" + (
            f"; mounted afresh in {remounts} of {repeat}" if remounts else "")
        ids = page.evaluate("() => document.querySelector('[data-testid=\"tgx-root\"]').tgx.nodes.getIds()")
        lengths, remounts = [], 0
        for k in range(repeat):
            p = page.evaluate(_JS_EVENT, ["path", [ids[k], ids[-1 - k * 3]], TIMEOUT_MS])
            out["path"].append(p["ms"])
            lengths.append(p["path"])
            remounts += bool(p["remounted"])
        notes["path"] = f"nodes on the path: {lengths}" + (
            f"; mounted afresh in {remounts} of {repeat}" if remounts else "")
        headings: list[float] = []
        for _ in range(repeat):
            page.goto(base + "/")
            wait_overview(page)
            out["trace"].append(page.evaluate(_JS_NAV, ["溯源", "", TIMEOUT_MS])["ms"])
            page.get_by_role("heading", name="溯源", exact=True).wait_for(timeout=TIMEOUT_MS)
            page.goto(base + "/")
            wait_overview(page)
            nav = page.evaluate(_JS_NAV, ["矩阵", '[data-testid="stDataFrame"]', TIMEOUT_MS])
            out["matrix_nav"].append(nav["ms"])
            headings.append(nav["heading"])
        notes["matrix_nav"] = f"heading after {statistics.median(headings):.0f} ms (median)"
        loads = []
        for _ in range(repeat):
            page.goto("about:blank")
            t0 = time.perf_counter()
            page.goto(base + "/matrix", wait_until="commit")
            page.get_by_role("heading", name="矩阵", exact=True).wait_for(timeout=TIMEOUT_MS)
            t1 = time.perf_counter()
            page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first.wait_for(timeout=TIMEOUT_MS)
            out["matrix"].append((time.perf_counter() - t0) * 1000)
            loads.append({**page_load(page), "heading": (t1 - t0) * 1000})
        notes["matrix"] = load_note(loads)
        remote = len(_remote_since(log, 0))
    names = {
        "type": "type-ahead 软弱 → first suggestion shown",
        "add": "add a suggestion (mousedown) → data-rev",
        "expand": "expand a node → data-rev",
        "path": "shortest path between two nodes → data-rev",
        "trace": "总览 → 溯源 (sidebar link) → heading",
        "matrix_nav": "总览 → 矩阵 (sidebar link) → heading",
        "matrix": "open /matrix (new page load) → heading + table",
    }
    return [row(names[k], size, v, target_ms=target, remote=remote, note=notes.get(k, "")) for k, v in out.items()]


# ------------------------------------------------------------------------------------------ 3. first render


def _overview_times(page: Any, base: str) -> dict[str, float]:
    """Wall-clock ms from page.goto to the sidebar, the 总览 heading, the whole 总览 (as wait_overview)."""
    page.goto("about:blank")
    t0 = time.perf_counter()
    page.goto(base + "/", wait_until="commit")
    page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=TIMEOUT_MS)
    tn = time.perf_counter()
    page.get_by_role("heading", name="总览", exact=True).wait_for(timeout=TIMEOUT_MS)
    t1 = time.perf_counter()
    wait_overview(page, timeout_ms=TIMEOUT_MS)
    t2 = time.perf_counter()
    load = page_load(page)
    return {"dcl": load["dcl"], "nav": (tn - t0) * 1000, "heading": (t1 - t0) * 1000, "overview": (t2 - t0) * 1000,
            "long": load["long"]}


def _steps(r: dict[str, float]) -> str:
    return (f"DOMContentLoaded {r['dcl'] / 1000:.2f} s, sidebar {r['nav'] / 1000:.2f} s, heading "
            f"{r['heading'] / 1000:.2f} s, browser main-thread long tasks {r['long'] / 1000:.2f} s")


def bench_first_render(spaces: Workspaces, n_docs: int, repeat: int, tmp: Path) -> list[dict[str, Any]]:
    """Item 3: the 总览 of an n-document workspace, server already running (as ``first_render_seconds``):
    the first page after `repeat` server starts once the server has read the workspace, one opened as soon as
    the server answers, one on a build the app must redo (as tools.bench left its workspace), later pages."""
    ws_dir = spaces.get(n_docs)
    g = load_graph(ws_dir)
    size = f"{n_docs:,} files: {len(g.graph.get('documents') or {}):,} documents, {g.number_of_nodes():,} nodes"
    stamp = ws_dir / "build" / "graph.curation"
    saved = stamp.read_text(encoding="utf-8")
    res: dict[str, list[dict[str, float]]] = {"ready": [], "early": [], "unstamped": [], "later": []}
    warm: dict[str, list[float]] = {"ready": [], "early": [], "unstamped": []}
    remote = 0
    for k, kind in enumerate(["unstamped", "early"] + ["ready"] * repeat):
        if kind == "unstamped":
            stamp.unlink()  # built, never opened: the app's read of the workspace redoes the build (link cache)
        log_path = tmp / f"app-first-{kind}-{k}-{n_docs}.log"
        with app(ws_dir, log_path, warm=kind == "ready") as (base, _), session() as (page, log):
            res[kind].append(_overview_times(page, base))
            if k == repeat + 1:
                res["later"] = [_overview_times(page, base) for _ in range(repeat)]
            remote += len(_remote_since(log, 0))
            took = warm_up_seconds(log_path)  # for the early ones: wait, so the log has it
            if took is not None:
                warm[kind].append(took)
        if not stamp.exists():
            stamp.write_text(saved, encoding="utf-8")
    prof = overview_profile(ws_dir)
    share = max(prof["profiled_render_s"], 1e-9)
    top = ", ".join(f"{t['function'].split('/')[-1]} {100 * t['cum_s'] / share:.0f} %" for t in prof["top"][:4])

    def med(kind: str) -> str:
        return _steps({key: statistics.median(r[key] for r in res[kind]) for key in res[kind][0]})

    def warm_note(kind: str) -> str:
        return f"; the server's start-up read took {statistics.median(warm[kind]):.1f} s" if warm[kind] else ""

    rows = [
        row("first render 总览, server started and done reading the workspace", size,
            [r["overview"] for r in res["ready"]], "s", target_ms=2000.0, remote=remote,
            note=f"medians: {med('ready')}{warm_note('ready')}; in a fresh process: imports {prof['import_s']:.2f} "
                 f"s, graph read {prof['read_s']:.2f} s, 总览 code {prof['render_cold_s']:.2f} s cold / "
                 f"{prof['render_s']:.2f} s with its answers cached (shares of the cold run: {top})"),
        row("first render 总览, page opened as soon as the server answers", size,
            [r["overview"] for r in res["early"]], "s", target_ms=2000.0, remote=remote,
            note=f"{med('early')}{warm_note('early')} (the page waits for it)"),
        row("first render 总览, build not yet stamped (the app redoes it from the link cache)", size,
            [r["overview"] for r in res["unstamped"]], "s", target_ms=2000.0, remote=remote,
            note=f"{med('unstamped')}{warm_note('unstamped')}; the link cache is keyed by the code's version"),
        row("later 总览 page (graph cached in the server)", size, [r["overview"] for r in res["later"]], "s",
            target_ms=2000.0, remote=remote, note=f"medians: {med('later')}"),
    ]
    rows[0]["profile"] = prof
    rows[0]["warm_up_s"] = warm
    return rows


_WRAPPERS = {"render", "per_graph", "<lambda>", "<genexpr>", "<listcomp>", "<dictcomp>", "<setcomp>"}


def profile_overview(ws_dir: Path, top: int = 8) -> dict[str, Any]:
    """In this (fresh) process: seconds to import the app's modules, to read the workspace graph, and to run
    the 总览 page's code (Streamlit in bare mode: no browser, elements discarded) the first time and again with
    its answers cached, and, from a third, profiled cold run, the project's functions that took longest."""
    import cProfile
    import logging
    import pstats

    t0 = time.perf_counter()
    from tracegraph.ui import shell  # noqa: F401  (the app's frame imports every page module)
    from tracegraph.ui import state as vs
    from tracegraph.ui.views import overview
    from tracegraph.ui.workspace import open_workspace

    t1 = time.perf_counter()
    logging.disable(logging.WARNING)  # "no ScriptRunContext" warnings of bare mode
    with open_workspace(ws_dir) as ws:
        g = ws.current_graph()
        t2 = time.perf_counter()
        overview.render(g, ws, vs.ViewState())  # computes (and caches) the 总览's answers
        t3 = time.perf_counter()
        overview.render(g, ws, vs.ViewState())
        t4 = time.perf_counter()
        fresh = ws.current_graph()  # a new graph object: nothing cached for it
        prof = cProfile.Profile()  # a third, cold run, for the attribution only (the profiler slows it)
        prof.enable()
        overview.render(fresh, ws, vs.ViewState())
        prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    own = []
    for (file, line, func), (_cc, calls, _tt, cum, _callers) in stats.items():
        if file.startswith(str(ROOT)) and ".venv" not in file and func not in _WRAPPERS:
            own.append({"function": f"{Path(file).relative_to(ROOT)}:{line}({func})", "calls": calls,
                        "cum_s": round(cum, 3)})
    own.sort(key=lambda r: -r["cum_s"])
    total = sum(v[3] for k, v in stats.items() if k[2] == "render" and k[0].endswith("overview.py"))
    return {"import_s": round(t1 - t0, 2), "read_s": round(t2 - t1, 2), "render_cold_s": round(t3 - t2, 2),
            "render_s": round(t4 - t3, 2),
            "profiled_render_s": round(total, 2), "top": own[:top]}


def overview_profile(ws_dir: Path) -> dict[str, Any]:
    """``profile_overview`` in a child process (so that imports are cold, as in a freshly started app)."""
    import subprocess

    done = subprocess.run([sys.executable, "-m", "tools.bench.browser", "--profile-overview", str(ws_dir)],
                          cwd=str(ROOT), capture_output=True, text=True, timeout=1800, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# ------------------------------------------------------------------------------------------ report


def _fmt(ms: float, unit: str) -> str:
    return f"{ms / 1000:.2f} s" if unit == "s" else f"{ms:.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


def markdown(rows: list[dict[str, Any]]) -> str:
    """The result table."""
    lines = ["| measurement | size | runs | median | max | target | off-host requests | note |",
             "| --- | --- | ---: | ---: | ---: | --- | ---: | --- |"]
    for r in rows:
        target = "" if r["target_ms"] is None else (
            f"≤ {_fmt(r['target_ms'], r['unit'])} {'met' if r.get('met') else 'missed'}")
        lines.append(f"| {r['what']} | {r['size']} | {r['n']} | {_fmt(r['median_ms'], r['unit'])} | "
                     f"{_fmt(r['max_ms'], r['unit'])} | {target} | {r['remote_requests']} | {r['note']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the three groups and print the table."""
    ap = argparse.ArgumentParser(prog="python -m tools.bench.browser", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (300/1,000 map nodes, 100 documents)")
    ap.add_argument("--json", help="also write all figures to this file")
    ap.add_argument("--workdir", help="keep built workspaces here (default: a temporary directory)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per interaction (page loads: 3)")
    ap.add_argument("--only", default="map,interactions,first", help="groups to run, comma-separated")
    ap.add_argument("--profile-overview", help=argparse.SUPPRESS)  # the child of overview_profile
    args = ap.parse_args(argv)
    if args.profile_overview:
        print(json.dumps(profile_overview(Path(args.profile_overview))))
        return 0
    targets = [300, 1000] if args.quick else [1000, 5000]
    first_docs = 100 if args.quick else 1000
    groups = set(args.only.split(","))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the app servers and browsers on kill
    tmpdir = None
    if args.workdir:
        work = Path(args.workdir)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmpdir = tempfile.mkdtemp(prefix="tracegraph-browser-bench-")
        work = Path(tmpdir)
    spaces = Workspaces(work)
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        if "map" in groups:
            print("1. time to interactive: WebGL map vs pyvis", flush=True)
            rows += bench_map_vs_pyvis(spaces, targets, 3, work)
        if "interactions" in groups:
            print("2. interactions on the sample workspace", flush=True)
            rows += bench_interactions(spaces, max(5, args.repeat), work)
        if "first" in groups:
            print(f"3. first render of a {first_docs:,}-document workspace", flush=True)
            rows += bench_first_render(spaces, first_docs, 3, work)
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    print()
    print(markdown(rows))
    remote = sum(r["remote_requests"] for r in rows)
    print(f"\nrequests off 127.0.0.1 in all measurements: {remote}")
    print(f"total {time.perf_counter() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"quick": args.quick, "rows": rows, "remote_requests": remote},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if remote == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
