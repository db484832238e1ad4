"""One self-contained, interactive HTML file: vis-network (from the pyvis package) and the data are
inlined, so it opens from disk or an e-mail attachment with no network. A Content-Security-Policy forbids
every fetch. Document text never becomes markup: it travels as JSON inside a non-executed script block
(with ``<``, ``>`` and ``&`` escaped so no ``</script>`` can end it), and the page puts it on screen
only through ``textContent`` and canvas labels."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.errors import ExportError
from tracegraph.graph.exporters._layout import layered_layout
from tracegraph.graph.exporters._registry import ExportJob, register
from tracegraph.graph.exporters._style import (
    EDGE_COLORS,
    ORIGIN_STYLES,
    TYPE_COLORS,
    clip,
    location,
    node_label,
    present_types,
    type_zh,
)
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, ORIGIN_LABELS_ZH, STATUS_LABELS_ZH

VIS_VERSION = "vis-9.1.2"
X_STEP, Y_STEP = 270, 64
FONT_FACE = "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'SimHei', sans-serif"
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)


def vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS as shipped inside the installed pyvis package."""
    try:
        import pyvis
    except ImportError:  # pragma: no cover - pyvis is a declared dependency
        raise ExportError("缺少 pyvis（其中带有 vis-network），无法导出 HTML") from None
    lib = Path(pyvis.__file__).parent / "templates" / "lib" / VIS_VERSION
    js, css = lib / "vis-network.min.js", lib / "vis-network.css"
    if not js.is_file() or not css.is_file():
        raise ExportError(f"pyvis 中找不到 {VIS_VERSION}/vis-network.min.js")
    return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8")


def script_json(obj: Any) -> str:
    """JSON that is inert inside <script>: no '<', '>' or '&' and no JS line separators left raw."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for raw, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, esc)
    return text


def _inline_script(code: str) -> str:
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def _node_details(g: nx.MultiDiGraph, n: str, d: dict[str, Any]) -> list[list[str]]:
    rows = [["类型", type_zh(d.get("type"))], ["编号", str(n)], ["标题", str(d.get("title") or "")]]
    if d.get("status"):
        rows.append(["状态", STATUS_LABELS_ZH.get(d["status"], str(d["status"]))])
    loc = location(g, n)
    if loc:
        rows.append(["出处", loc])
    for key, label in (
        ("canonical", "规范名称"),
        ("owner", "责任人"),
        ("department", "责任部门"),
        ("deadline", "时限"),
    ):
        if d.get(key):
            rows.append([label, str(d[key])])
    if d.get("aliases"):
        rows.append(["别名", "、".join(map(str, d["aliases"]))])
    if d.get("text") and d.get("text") != d.get("title"):
        rows.append(["原文", str(d["text"])])
    return rows


def _edge_details(g: nx.MultiDiGraph, u: str, v: str, d: dict[str, Any]) -> list[list[str]]:
    t = d.get("type") or ""
    rows = [
        ["关系", f"{EDGE_LABELS_ZH.get(t, t)}（{t}）"],
        ["起点", f"{u} {g.nodes[u].get('title') or ''}"],
        ["终点", f"{v} {g.nodes[v].get('title') or ''}"],
        ["来源", ORIGIN_LABELS_ZH.get(d.get("origin") or "", str(d.get("origin") or ""))],
    ]
    if isinstance(d.get("score"), int | float):
        rows.append(["得分", f"{d['score']:.3f}"])
    ev = d.get("evidence") or {}
    for key, label in (("source_sentence", "起点依据句"), ("target_sentence", "终点依据句")):
        text = (ev.get(key) or {}).get("text")
        if text:
            rows.append([label, str(text)])
    if ev.get("shared_terms"):
        rows.append(["共同词语", "、".join(map(str, ev["shared_terms"]))])
    if ev.get("shared_refs"):
        rows.append(["共同政策依据", "、".join(map(str, ev["shared_refs"]))])
    if d.get("mentions"):
        rows.append(["引用原文", "；".join(str(m[3]) for m in d["mentions"] if len(m) > 3)])
    if d.get("comment"):
        rows.append(["备注", str(d["comment"])])
    return rows


def graph_data(job: ExportJob) -> dict[str, Any]:
    g = job.graph
    pos = layered_layout(g)
    nodes = []
    for n, d in g.nodes(data=True):
        color = TYPE_COLORS.get(d.get("type") or "", "#555555")
        x, y = pos.get(n, (0.0, 0.0))
        details = _node_details(g, n, d)
        nodes.append(
            {
                "id": str(n),
                "label": node_label(g, n, 14, 2),
                "x": round(x * X_STEP),
                "y": round(y * Y_STEP),
                "color": {
                    "background": "#ffffff",
                    "border": color,
                    "highlight": {"background": "#fff8dc", "border": color},
                },
                "borderWidth": 2,
                "group": d.get("type") or "",
                "tip": [f"{type_zh(d.get('type'))} {n}", clip(str(d.get("title") or ""), 120)],
                "details": details,
                "search": f"{n} {d.get('title') or ''}",
            }
        )
    edges = []
    for i, (u, v, d) in enumerate(g.edges(data=True)):
        t, origin = d.get("type") or "", d.get("origin") or "parsed"
        style, width = ORIGIN_STYLES.get(origin, ("solid", 0.8))
        edges.append(
            {
                "id": f"e{i}",
                "from": str(u),
                "to": str(v),
                "dashes": style == "dashed",
                "width": width * 1.4,
                "color": {"color": EDGE_COLORS.get(t, "#888888"), "opacity": 0.85},
                "tip": [
                    f"{EDGE_LABELS_ZH.get(t, t)} · {ORIGIN_LABELS_ZH.get(origin, origin)}"
                    + (f" {d['score']:.2f}" if isinstance(d.get("score"), int | float) else "")
                ],
                "details": _edge_details(g, u, v, d),
            }
        )
    return {"nodes": nodes, "edges": edges, "font": FONT_FACE}


def _legend(g: nx.MultiDiGraph) -> str:
    items = [
        f'<span class="tg-key"><i style="border-color:{TYPE_COLORS.get(t, "#555555")}"></i>'
        f"{html.escape(type_zh(t))}</span>"
        for t in present_types(g)
    ]
    items.append('<span class="tg-key"><b class="tg-dash"></b>推断关联（需核实）</span>')
    return "".join(items)


STYLE = """
html, body { margin: 0; height: 100%; font-family: %FONT%; color: #1a1a1a; }
body { display: flex; flex-direction: column; }
header { padding: 8px 14px; border-bottom: 1px solid #ddd; }
header h1 { font-size: 18px; margin: 0 0 4px; }
header p { margin: 0 0 6px; font-size: 13px; color: #555; }
.tg-key { display: inline-block; margin-right: 12px; font-size: 12px; }
.tg-key i { display: inline-block; width: 14px; height: 10px; border: 2px solid; margin-right: 4px; }
.tg-dash { display: inline-block; width: 22px; border-top: 2px dashed #333; margin-right: 4px;
           vertical-align: middle; }
#tg-search { margin-top: 6px; width: 260px; padding: 3px 6px; font: inherit; font-size: 13px; }
main { flex: 1; display: flex; min-height: 0; }
#tg-network { flex: 1; min-width: 0; }
#tg-details { width: 340px; overflow-y: auto; border-left: 1px solid #ddd; padding: 8px 12px;
              font-size: 13px; }
#tg-details dt { font-weight: bold; margin-top: 6px; color: #444; }
#tg-details dd { margin: 2px 0 0; white-space: pre-wrap; word-break: break-all; }
.tg-tip { max-width: 360px; white-space: pre-wrap; font-size: 12px; }
"""

APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tg-data").textContent);
  function tip(lines) {
    var el = document.createElement("div");
    el.className = "tg-tip";
    lines.forEach(function (line) {
      var p = document.createElement("div");
      p.textContent = line;
      el.appendChild(p);
    });
    return el;
  }
  var byId = {};
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    byId[n.id] = n;
    return {id: n.id, label: n.label, x: n.x, y: n.y, color: n.color, borderWidth: n.borderWidth,
            shape: "box", title: tip(n.tip), font: {face: data.font, size: 13, multi: false}};
  }));
  var edgeById = {};
  var edges = new vis.DataSet(data.edges.map(function (e) {
    edgeById[e.id] = e;
    return {id: e.id, from: e.from, to: e.to, dashes: e.dashes, width: e.width, color: e.color,
            arrows: "to", title: tip(e.tip)};
  }));
  var panel = document.getElementById("tg-details");
  function show(rows) {
    panel.replaceChildren();
    var dl = document.createElement("dl");
    rows.forEach(function (row) {
      var dt = document.createElement("dt");
      dt.textContent = row[0];
      var dd = document.createElement("dd");
      dd.textContent = row[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    panel.appendChild(dl);
  }
  var network = new vis.Network(document.getElementById("tg-network"), {nodes: nodes, edges: edges}, {
    physics: false,
    interaction: {hover: true, tooltipDelay: 150, multiselect: true, navigationButtons: false},
    nodes: {shape: "box", margin: 6, widthConstraint: {maximum: 220}},
    edges: {smooth: {enabled: true, type: "cubicBezier", forceDirection: "horizontal", roundness: 0.35},
            arrows: {to: {scaleFactor: 0.5}}}
  });
  network.fit({animation: false});
  network.on("click", function (params) {
    if (params.nodes.length) { show(byId[params.nodes[0]].details); }
    else if (params.edges.length) { show(edgeById[params.edges[0]].details); }
  });
  document.getElementById("tg-search").addEventListener("input", function (ev) {
    var q = ev.target.value.trim();
    if (!q) { network.unselectAll(); return; }
    var hits = data.nodes.filter(function (n) { return n.search.indexOf(q) >= 0; })
                         .map(function (n) { return n.id; });
    network.selectNodes(hits);
    if (hits.length) { network.focus(hits[0], {scale: 1.0, animation: false}); show(byId[hits[0]].details); }
  });
  network.once("afterDrawing", function () {
    document.body.setAttribute("data-tracegraph-ready", String(data.nodes.length));
  });
  window.tracegraphNetwork = network;
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="%CSP%">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tracegraph">
<title>%TITLE%</title>
<style>%VISCSS%</style>
<style>%STYLE%</style>
</head>
<body>
<header>
<h1>%TITLE%</h1>
<p>范围：%SCOPE% · 节点 %N% · 关系 %M% · %DATE%</p>
<div>%LEGEND%</div>
<input id="tg-search" type="search" placeholder="搜索编号或标题，如 P5.2、两个责任">
</header>
<main>
<div id="tg-network"></div>
<aside id="tg-details"><p>点击节点或关系查看原文、出处和关联依据。</p></aside>
</main>
<script type="application/json" id="tg-data">%DATA%</script>
<script>%VISJS%</script>
<script>%APPJS%</script>
</body>
</html>
"""


_PLACEHOLDER = re.compile(r"%[A-Z]+%")


def render_html(job: ExportJob) -> str:
    """The page from PAGE in one pass: each placeholder of the template is replaced once, and no replacement
    text (a title, the data, the library code) is ever searched for placeholders again — so a title such as
    ``%DATA%`` stays that text."""
    js, css = vis_assets()
    g = job.graph
    parts = {
        "%CSP%": CSP,
        "%TITLE%": html.escape(job.title),
        "%SCOPE%": html.escape(job.scope),
        "%N%": str(g.number_of_nodes()),
        "%M%": str(g.number_of_edges()),
        "%DATE%": job.generated.isoformat(),
        "%LEGEND%": _legend(g),
        "%STYLE%": STYLE.replace("%FONT%", FONT_FACE),  # our own constants only
        "%DATA%": script_json(graph_data(job)),
        "%VISCSS%": css.replace("</style", "<\\/style"),
        "%VISJS%": _inline_script(js),
        "%APPJS%": _inline_script(APP_JS),
    }
    return _PLACEHOLDER.sub(lambda m: parts[m.group(0)], PAGE)


@register("html", ".html", "text/html; charset=utf-8", "交互式网页（单文件，离线可用）")
def write_html(job: ExportJob, out: Path) -> None:
    out.write_text(render_html(job), encoding="utf-8")
