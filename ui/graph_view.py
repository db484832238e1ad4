"""The pyvis (vis-network) page the 图谱 view drew before the explorer (``ui/explore``) and the WebGL map
(``ui/bigmap``) replaced it; kept as the baseline the browser benchmark (``tools/bench/browser.py``) measures
them against. It works offline and is safe with untrusted titles.

- Everything is inlined (``cdn_resources="in_line"``) and the template's Bootstrap CDN tags are removed,
  so the page loads nothing from the network.
- Labels and tooltips are HTML-escaped in Python; the page decodes them into *text* nodes only, so a
  title like ``<img src=x onerror=...>`` is shown as text and never runs.
- The layout is seeded, so the same filters draw the same picture.
- Clicking a node navigates the Streamlit page to ``?view=graph&node=<id>`` (keeping the other view
  state), which opens the node's detail panel. The iframe is sandboxed without top navigation, so the
  link is clicked *in the parent document* (same origin), which the browser allows.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

import networkx as nx

from tracegraph.graph.exporters._style import (  # the one palette, shared with the exports
    CURATED_EDGE_COLOUR,
    EDGE_COLOURS,
    NONE_FOUND_COLOUR,
    TYPE_COLOURS,
)
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, LINK_TYPES, ORIGIN_LABELS_ZH, TYPE_LABELS_ZH
from tracegraph.ui.filters import FilterResult

if TYPE_CHECKING:
    from pyvis.network import Network

TYPE_SHAPES = {"Problem": "dot", "Measure": "square", "Cause": "triangle", "Area": "diamond", "PolicyRef": "dot",
               "Document": "star"}
FONT = "WenQuanYi Zen Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
SEED = 7
LABEL_CHARS = 14

_CDN_TAG = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>|<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>",
    re.IGNORECASE | re.DOTALL)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)
REMOTE_REF = re.compile(r"\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)


def short_code(n: str) -> str:
    """`doc:P5.2` → `P5.2`; `policy:两个责任` stays readable."""
    return n.split(":", 1)[1] if ":" in n and not n.startswith(("policy:", "speaker:")) else ""


def node_label(g: nx.MultiDiGraph, n: str) -> str:
    """Code plus a short title; actions and examples show their code only (their text is in the tooltip)."""
    code = short_code(n)
    if code and g.nodes[n].get("type") in ("Action", "Example", "Quote"):
        return code
    title = str(g.nodes[n].get("title") or n)
    if len(title) > LABEL_CHARS:
        title = title[:LABEL_CHARS] + "…"
    return f"{code} {title}" if code and g.nodes[n].get("type") != "Document" else title


def node_tip(g: nx.MultiDiGraph, n: str) -> str:
    d = g.nodes[n]
    t = TYPE_LABELS_ZH.get(d.get("type", ""), d.get("type", ""))
    return f"{t} {short_code(n) or n}\n{d.get('title') or ''}\n（点击查看详情）"


def edge_tip(d: dict[str, Any]) -> str:
    t = EDGE_LABELS_ZH.get(d.get("type", ""), d.get("type", ""))
    parts = [t, ORIGIN_LABELS_ZH.get(d.get("origin") or "parsed", "")]
    if d.get("score") is not None:
        parts.append(f"得分 {float(d['score']):.2f}")
    return " · ".join(p for p in parts if p)


def build_network(g: nx.MultiDiGraph, result: FilterResult, selected: str = "", height: int = 600) -> Network:
    """The pyvis Network for the filtered nodes/edges (no HTML yet)."""
    from pyvis.network import Network

    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line", bgcolor="#ffffff")
    seeds = set(result.seeds)
    for n in result.nodes:
        d = g.nodes[n]
        t = d.get("type", "")
        colour = TYPE_COLOURS.get(t, "#999999") if d.get("status") != "none_found" else NONE_FOUND_COLOUR
        size = {"Problem": 16, "Measure": 18, "Cause": 15, "Area": 18, "Document": 22}.get(t, 10)
        border = 1
        if n in seeds:
            size, border = size + 6, 3
        if n == selected:
            size, border = size + 8, 5
        net.add_node(
            n, label=html.escape(node_label(g, n)), shape=TYPE_SHAPES.get(t, "dot"), size=size, borderWidth=border,
            color={"background": colour, "border": "#222222" if n in (seeds | {selected}) else colour,
                   "highlight": {"background": colour, "border": "#000000"}},
            tip=html.escape(node_tip(g, n)),
        )
    for u, v, d in result.edges:
        t = d.get("type", "")
        score = d.get("score")
        width = 1 + 3 * float(score) if (t in LINK_TYPES and score is not None) else 1
        colour = EDGE_COLOURS.get(t, "#bbbbbb")
        if d.get("origin") == "curated":
            colour = CURATED_EDGE_COLOUR
        net.add_edge(u, v, color=colour, width=round(width, 2), dashes=d.get("origin") == "inferred",
                     tip=html.escape(edge_tip(d)))
    net.set_options(json.dumps(_options()))
    return net


def _options() -> dict[str, Any]:
    return {
        "layout": {"randomSeed": SEED, "improvedLayout": True},
        "nodes": {"font": {"face": FONT, "size": 16, "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "scaling": {"label": {"drawThreshold": 3}}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": {"type": "continuous"},
                  "selectionWidth": 2},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "multiselect": False},
        "physics": {
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -4000, "centralGravity": 0.35, "springLength": 95,
                          "springConstant": 0.04, "damping": 0.25, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": 400, "fit": True},
            "minVelocity": 1.0,
        },
    }


def legend_html(types: list[str]) -> str:
    items = "".join(
        f'<span class="tg-l"><i style="background:{TYPE_COLOURS.get(t, "#999")}"></i>'
        f'{html.escape(TYPE_LABELS_ZH.get(t, t))}</span>' for t in types)
    lines = ('<span class="tg-l"><b style="border-top:3px solid #1e88e5"></b>针对（措施→问题）</span>'
             '<span class="tg-l"><b style="border-top:3px solid #fb8c00"></b>导致（原因→问题）</span>'
             '<span class="tg-l"><b style="border-top:3px solid #8e24aa"></b>整治（措施→原因）</span>'
             '<span class="tg-l"><b style="border-top:2px dashed #555"></b>'
             '虚线＝推断，实线＝明示/解析，绿色＝人工确认</span>')
    return f'<div id="tg-legend">{items}<br>{lines}</div>'


_STYLE = f"""<style>
body{{margin:0;font-family:{FONT};}}
#tg-legend{{font-size:12px;line-height:1.9;padding:4px 6px;color:#333;}}
.tg-l{{margin-right:12px;white-space:nowrap;}}
.tg-l i{{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:4px;vertical-align:-1px;}}
.tg-l b{{display:inline-block;width:22px;margin-right:4px;vertical-align:middle;}}
#mynetwork{{float:none !important;border:1px solid #e5e5e5 !important;}}
div.vis-tooltip{{font-family:{FONT};white-space:pre-wrap;max-width:360px;font-size:13px;}}
</style>"""

# Runs after pyvis's drawGraph(): decode escaped labels/tooltips into text only, mark the selected node,
# freeze the layout once stable, and turn a click into top-page navigation.
_SCRIPT = """<script>
(function(){
  var SELECTED = %s;
  function decode(s){var t=document.createElement('textarea');t.innerHTML=s||'';return t.value;}
  function tipEl(s){var el=document.createElement('div');el.textContent=decode(s);return el;}
  var nu=[];nodes.forEach(function(n){nu.push({id:n.id,label:decode(n.label),title:tipEl(n.tip)});});
  nodes.update(nu);
  var eu=[];edges.forEach(function(e){eu.push({id:e.id,title:tipEl(e.tip)});});
  edges.update(eu);
  window.tgReady=false;
  function ready(){
    if(window.tgReady){return;}
    network.setOptions({physics:{enabled:false}});
    if(SELECTED && nodes.get(SELECTED)){
      network.selectNodes([SELECTED]);
      // show the selected node with its neighbours, readable, the rest of the picture around it
      var around=network.getConnectedNodes(SELECTED).concat([SELECTED]);
      network.fit({nodes:around,animation:false,maxZoomLevel:0.85});
    }
    window.tgReady=true;
  }
  // a small graph may be stable before this script runs: then no event will come
  if(network.physics && network.physics.stabilized){ready();}
  network.once('stabilizationIterationsDone',ready);
  network.once('stabilized',ready);
  setTimeout(ready,15000);
  function openNode(id){
    var w=window.parent, url;
    try{url=new URL(w.location.href);}catch(e){url=null;}
    if(!url){return;}
    url.searchParams.delete('view');  // the page is the path (/graph); ?view= is from older links
    url.searchParams.set('node',id);
    var d=w.document, a=d.createElement('a');
    a.href=url.pathname+'?'+url.searchParams.toString();
    a.target='_self';a.rel='noopener';a.style.display='none';
    d.body.appendChild(a);a.click();a.remove();
  }
  window.tgOpenNode=openNode;
  network.on('click',function(p){if(p.nodes&&p.nodes.length){openNode(p.nodes[0]);}});
})();
</script>"""


def offline_html(raw: str) -> str:
    """Strip every remote <link>/<script> from the pyvis template (Bootstrap from a CDN)."""
    out = _CDN_TAG.sub("", raw)
    return _EMPTY_HEADING.sub("", out)


def render_html(g: nx.MultiDiGraph, result: FilterResult, selected: str = "", height: int = 600) -> str:
    """A self-contained HTML page for st.iframe."""
    net = build_network(g, result, selected, height)
    raw = net.generate_html(notebook=False)
    page = offline_html(raw)
    types = [t for t in TYPE_COLOURS if any(g.nodes[n].get("type") == t for n in result.nodes)]
    page = page.replace("</head>", _STYLE + "</head>", 1)
    page = re.sub(r"<body>", "<body>" + legend_html(types), page, count=1)
    sel = json.dumps(selected if selected in set(result.nodes) else "")
    script = _SCRIPT % sel.replace("<", "\\u003c")
    idx = page.rfind("</body>")
    page = page[:idx] + script + page[idx:]
    if REMOTE_REF.search(page):
        raise RuntimeError("graph page still refers to a remote resource")
    return page
