"""溯源图: the first picture of a problem (or measure, or cause) in 溯源 — and of an area, a section, a
document, a policy reference or a selection of several (their problems' traces together, at most
``MAX_PROBLEMS`` problems, the rest counted so the page can say so) — 原因 → 问题 → 整改措施 → 具体举措
(→ 政策依据) left to right, drawn as inline SVG from the exporters' own layout (``_layout.plan_layout``), so
the boxes stand and the edges run exactly as in the Word, PowerPoint and figure exports: no edge through a
box, explicit/inferred/curated told apart, rejected links left out, the one palette of ``_style``. Titles are
wrapped in full; every text goes through ``ui.highlight.esc``; each box is a relative, same-origin link to
the app's own page for that node."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote

import networkx as nx
import streamlit as st

from tracegraph.graph.exporters._layout import Geometry, Plan, Point, plan_layout
from tracegraph.graph.exporters._style import (
    CURATED_EDGE_COLOUR,
    EDGE_COLOURS,
    ORIGIN_STYLES,
    edge_colour,
    node_colour,
    present_types,
    short_id,
    type_zh,
)
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, ORIGIN_LABELS_ZH
from tracegraph.graph.query.queries import counted_problems
from tracegraph.graph.query.subgraph import Selection, resolve_id, select, trace_ids
from tracegraph.ui.highlight import esc
from tracegraph.ui.memo import per_graph

PICTURE_TYPES = ("Cause", "Problem", "Measure", "Action", "PolicyRef")
TRACEABLE = ("Problem", "Measure", "Cause")
PX = 96.0  # pixels per layout inch
BOX_W = 2.0  # inches: about 13 CJK characters of 13 px per line
FONT_PX = 13
LINE_PX = 17
PAD_PX = 8
HEADER_PX = 30
LINE_UNITS = (BOX_W * PX - 2 * PAD_PX) / FONT_PX  # CJK characters per line
MAX_PROBLEMS = 25  # more problems than this make a picture no one can read: the rest are counted, not drawn

Seeds = str | Sequence[str]


def seed_list(seeds: Seeds) -> list[str]:
    """One id or several, as a list without repeats (a lone string is one seed, not its characters)."""
    return list(dict.fromkeys([seeds] if isinstance(seeds, str) else seeds))


def _order(g: nx.MultiDiGraph, n: str) -> tuple[str, int, str]:
    """Document order: the document, then the place in its text."""
    d = g.nodes[n]
    start = d.get("start")
    return (str(d.get("doc") or "~"), start if isinstance(start, int) else 10**9, str(n))


def _contained(g: nx.MultiDiGraph, n: str) -> list[str]:
    """Everything ``n`` CONTAINS, at any depth (only CONTAINS: a problem's causes are not in its area)."""
    seen: set[str] = set()
    stack = [n]
    while stack:
        u = stack.pop()
        for _, v, d in g.out_edges(u, data=True):
            if d.get("type") == "CONTAINS" and not d.get("rejected") and v not in seen:
                seen.add(v)
                stack.append(v)
    return sorted(seen, key=lambda m: _order(g, m))


def _citers(g: nx.MultiDiGraph, ref: str) -> list[str]:
    """The problems, measures and causes that cite ``ref`` — directly or through one of their actions or
    examples (in the sample only actions cite for a measure)."""
    out: list[str] = []
    for u, _, d in g.in_edges(ref, data=True):
        if d.get("type") != "CITES" or d.get("rejected"):
            continue
        if g.nodes[u].get("type") in ("Action", "Example"):
            u = next((p for p, _, e in g.in_edges(u, data=True)
                      if e.get("type") in ("HAS_ACTION", "HAS_EXAMPLE") and not e.get("rejected")), u)
        if g.nodes[u].get("type") in TRACEABLE:
            out.append(u)
    return out


def _roots(g: nx.MultiDiGraph, seed: str) -> list[str]:
    """The nodes whose traces make the picture of one seed: a document's counted problems; an area's or a
    section's counted problems (its measures and causes when it holds none); a policy reference's citers;
    any other node itself (as 溯源 has always drawn it)."""
    docs = g.graph.get("documents", {})
    if seed in docs or (seed in g and g.nodes[seed].get("type") == "Document"):
        return counted_problems(g, seed)
    n = resolve_id(g, seed)
    t = g.nodes[n].get("type")
    if t in ("Area", "Section"):
        inside = _contained(g, n)
        problems = [m for m in inside
                    if g.nodes[m].get("type") == "Problem" and g.nodes[m].get("status") != "none_found"]
        return problems or [m for m in inside if g.nodes[m].get("type") in ("Measure", "Cause")]
    if t == "PolicyRef":
        return _citers(g, n)
    return [n]


def picture_scope(g: nx.MultiDiGraph, seeds: Seeds) -> tuple[nx.MultiDiGraph, int]:
    """The picture of the seeds and how many problems were left out of it: the union of the traces of every
    seed's roots, kept to the picture's columns; beyond ``MAX_PROBLEMS`` problems only the first (in document
    order) are drawn with what links to them, so that the caller can say honestly how many are missing."""
    given = seed_list(seeds)
    roots = list(dict.fromkeys(r for s in given for r in _roots(g, s)))
    traces = {r: trace_ids(g, r) for r in roots}
    shown = {s for s in given if s in g and g.nodes[s].get("type") == "PolicyRef"}  # the cited reference itself
    nodes = set(shown).union(*traces.values())
    problems = sorted((m for m in nodes if g.nodes[m].get("type") == "Problem"), key=lambda m: _order(g, m))
    left_out = max(0, len(problems) - MAX_PROBLEMS)
    if left_out:
        kept, dropped = set(problems[:MAX_PROBLEMS]), set(problems[MAX_PROBLEMS:])
        nodes = set(shown)
        for r, tr in traces.items():
            if r in kept or (r not in dropped and (tr & kept or not tr & dropped)):
                nodes |= tr - dropped
    nodes = {m for m in nodes if g.nodes[m].get("type") in PICTURE_TYPES}
    if not nodes:
        return nx.MultiDiGraph(), left_out
    return select(g, Selection(focus=tuple(sorted(nodes, key=str)), depth=0)), left_out


def picture_graph(g: nx.MultiDiGraph, n: Seeds) -> nx.MultiDiGraph:
    """The picture of one node or several (see :func:`picture_scope`), rejected edges left out, kept to the
    picture's columns: 原因, 问题, 整改措施, 具体举措, 政策依据."""
    return picture_scope(g, n)[0]


def _width(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


def wrap(text: str, units: float = LINE_UNITS) -> list[str]:
    """The whole text in lines of at most ``units`` CJK widths (nothing cut)."""
    lines: list[str] = []
    cur, used = "", 0.0
    for ch in " ".join(text.split()):
        w = _width(ch)
        if cur and used + w > units:
            lines.append(cur)
            cur, used = "", 0.0
        cur += ch
        used += w
    if cur:
        lines.append(cur)
    return lines or [""]


def label(g: nx.MultiDiGraph, n: str) -> str:
    d = g.nodes[n]
    title = " ".join(str(d.get("title") or n).split())
    sid = short_id(g, n)
    return f"{sid} {title}" if sid else title


def href(g: nx.MultiDiGraph, n: str) -> str:
    """A relative link on this app: 溯源 of a problem, measure or cause; the 图谱 detail panel otherwise."""
    t = g.nodes[n].get("type")
    ident = quote(str(n), safe=":")
    return f"trace?trace={ident}" if t in TRACEABLE else f"graph?node={ident}"


def plan(g: nx.MultiDiGraph) -> tuple[Plan, dict[str, list[str]]]:
    """The exporters' plan with boxes tall enough for the longest wrapped title (inches), and each label's lines."""
    lines = {n: wrap(label(g, n)) for n in g.nodes}
    most = max((len(v) for v in lines.values()), default=1)
    box_h = (most * LINE_PX + 2 * PAD_PX) / PX
    geo = Geometry(col_pitch=BOX_W + 0.8, box_w=BOX_W, row_pitch=box_h + 0.32, box_h=box_h, margin=0.3, pad=0.06)
    return plan_layout(g, max_rows=22, geo=geo), lines


def _light(color: str, amount: float = 0.85) -> str:
    c = color.lstrip("#")
    rgb = [int(c[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(v + (255 - v) * amount):02x}" for v in rgb)


def _px(v: float) -> str:
    return f"{v * PX:.1f}"


def _arrow(a: Point, b: Point, colour: str) -> str:
    """A filled arrowhead at b, pointing along a → b (drawn as a polygon, no <marker> needed)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    size, half = 9 / PX, 4 / PX
    bx, by = b[0] - ux * size, b[1] - uy * size
    pts = [b, (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    return f'<polygon points="{" ".join(f"{_px(x)},{_px(y)}" for x, y in pts)}" fill="{colour}"/>'


def svg(g: nx.MultiDiGraph, focus: str | Iterable[str] | None = None) -> str:
    """The picture of a selected subgraph as one inline <svg> (coordinates in pixels); every node in
    ``focus`` (the seeds) drawn with a heavier border."""
    focused = {focus} if isinstance(focus, str) else set(focus or ())
    p, lines = plan(g)
    out: list[str] = []
    w, h = p.width * PX, p.height * PX + HEADER_PX
    out.append(f'<svg class="tg-trace-picture" width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}" '
               f'role="img" aria-label="溯源图" font-size="{FONT_PX}" '
               f'style="font-family:sans-serif;max-width:100%;height:auto;min-width:{w * 0.8:.0f}px">')
    out.append(f'<g transform="translate(0,{HEADER_PX})">')
    # column headings: the type of each column, over its centre
    heads: dict[int, tuple[float, str]] = {}
    for n, c in p.columns.items():
        b = p.boxes[n]
        heads.setdefault(c, ((b[0] + b[2]) / 2, type_zh(g.nodes[n].get("type"))))
    for _c, (cx, name) in sorted(heads.items()):
        out.append(f'<text x="{_px(cx)}" y="{-HEADER_PX / 2 + 5:.1f}" text-anchor="middle" font-weight="bold" '
                   f'fill="#333">{esc(name)}</text>')
    for r in p.routes:
        d = r.data
        origin = d.get("origin") or "parsed"
        style, lw = ORIGIN_STYLES.get(origin, ("solid", 0.8))
        colour = edge_colour(d)
        dash = ' stroke-dasharray="6 4"' if style == "dashed" else ""
        path = " ".join(f"{'M' if i == 0 else 'L'}{_px(x)} {_px(y)}" for i, (x, y) in enumerate(r.points))
        tip = (f"{label(g, r.source)} → {label(g, r.target)}：{EDGE_LABELS_ZH.get(d.get('type') or '', '')}"
               f"（{ORIGIN_LABELS_ZH.get(origin, origin)}）")
        out.append(f'<g class="tg-edge" data-source="{esc(r.source)}" data-target="{esc(r.target)}" '
                   f'data-type="{esc(d.get("type") or "")}" data-origin="{esc(origin)}">'
                   f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{lw * 1.4:.1f}"{dash}/>'
                   f"{_arrow(r.points[-2], r.points[-1], colour)}<title>{esc(tip)}</title></g>")
    for n, (x0, y0, x1, y1) in p.boxes.items():
        colour = node_colour(g.nodes[n])
        width = 2.6 if n in focused else 1.2
        top = y0 * PX + ((y1 - y0) * PX - len(lines[n]) * LINE_PX) / 2  # the lines centred in the box
        texts = "".join(
            f'<tspan x="{_px((x0 + x1) / 2)}" y="{top + (i + 0.8) * LINE_PX:.1f}">{esc(line)}</tspan>'
            for i, line in enumerate(lines[n])
        )
        out.append(f'<a class="tg-box" href="{esc(href(g, n))}" data-node="{esc(n)}" target="_self">'
                   f'<title>{esc(type_zh(g.nodes[n].get("type")))} {esc(label(g, n))}</title>'
                   f'<rect x="{_px(x0)}" y="{_px(y0)}" width="{_px(x1 - x0)}" height="{_px(y1 - y0)}" rx="6" '
                   f'fill="{_light(colour)}" stroke="{colour}" stroke-width="{width}"/>'
                   f'<text text-anchor="middle" fill="#1a1a1a">{texts}</text></a>')
    out.append("</g></svg>")
    return "".join(out)


def legend(g: nx.MultiDiGraph) -> str:
    """Node colours, relation colours and the line of each origin present (HTML, every label escaped)."""
    items: list[str] = []
    for t in present_types(g):
        c = node_colour({"type": t})
        items.append(f'<span style="display:inline-block;width:12px;height:12px;border:1px solid {c};'
                     f'background:{_light(c)};vertical-align:middle;margin-right:3px"></span>{esc(type_zh(t))}')
    edge_types = sorted({d.get("type") or "" for _, _, d in g.edges(data=True)}, key=str)
    for e in edge_types:
        c = EDGE_COLOURS.get(e, "#bbbbbb")
        items.append(_line(c, "solid", 1.6) + esc(EDGE_LABELS_ZH.get(e, e)))
    origins = [o for o in ORIGIN_STYLES if any((d.get("origin") or "parsed") == o for _, _, d in g.edges(data=True))]
    for o in origins:
        style, lw = ORIGIN_STYLES[o]
        colour = CURATED_EDGE_COLOUR if o == "curated" else "#333333"
        extra = "（绿色）" if o == "curated" else "（虚线）" if style == "dashed" else "（实线）"
        items.append(_line(colour, style, lw * 1.4) + esc(f"{ORIGIN_LABELS_ZH.get(o, o)}关联{extra}"))
    spans = "".join(f'<span style="margin-right:14px;white-space:nowrap">{i}</span>' for i in items)
    return f'<div class="tg-trace-legend" style="font-size:12px;color:#333;margin:2px 0 6px">{spans}</div>'


def _line(colour: str, style: str, width: float) -> str:
    dash = ' stroke-dasharray="6 4"' if style == "dashed" else ""
    return (f'<svg width="28" height="10" style="vertical-align:middle;margin-right:3px">'
            f'<line x1="1" y1="5" x2="27" y2="5" stroke="{colour}" stroke-width="{width:.1f}"{dash}/></svg>')


def picture_html(g: nx.MultiDiGraph, n: Seeds) -> str:
    """The legend and the picture (HTML fragment); empty when the node stands alone."""
    return _html(picture_graph(g, n), seed_list(n))


def _html(sub: nx.MultiDiGraph, seeds: list[str]) -> str:
    if sub.number_of_nodes() < 2:
        return ""
    return (legend(sub) + '<div class="tg-trace-scroll" style="overflow-x:auto;max-width:100%">'
            + svg(sub, focus=seeds) + "</div>")


# Streamlit's st.html keeps only HTML (its sanitiser drops <svg>), so the picture is a small page in st.iframe,
# as the 图谱 view's is. The iframe may not navigate the top page, so a box's click is replayed as a click on a
# same-origin link in the parent document: the box's relative href resolved against the page's own URL, refused
# if it would leave the app's origin.
_SCRIPT = """<script>
(function(){
  function open(a){
    var w=window.parent, base;
    try{base=new URL(w.location.href);}catch(e){return;}
    var url=new URL(a.getAttribute('href')||'', base);
    if(url.origin!==base.origin){return;}
    var d=w.document, l=d.createElement('a');
    l.href=url.pathname+url.search;l.target='_self';l.rel='noopener';l.style.display='none';
    d.body.appendChild(l);l.click();l.remove();
  }
  document.querySelectorAll('a.tg-box').forEach(function(a){
    a.addEventListener('click',function(e){e.preventDefault();open(a);});
  });
  window.tgReady=true;
})();
</script>"""

_STYLE = ("<style>body{margin:0;font-family:'WenQuanYi Zen Hei','Noto Sans CJK SC',sans-serif;background:#fff}"
          "a.tg-box{cursor:pointer}a.tg-box:hover rect{stroke-width:2.6}</style>")


def picture_page(g: nx.MultiDiGraph, n: Seeds) -> tuple[str, int]:
    """A self-contained page (nothing loaded from anywhere) and the height it needs; ("", 0) when empty."""
    return _page(picture_html(g, n))


def _page(body: str) -> tuple[str, int]:
    if not body:
        return "", 0
    m = re.search(r'class="tg-trace-picture" width="\d+" height="(\d+)"', body)
    height = int(m[1]) if m else 300
    page = f'<!doctype html><html><head><meta charset="utf-8">{_STYLE}</head><body>{body}{_SCRIPT}</body></html>'
    return page, height + 80


def left_out_note(sub: nx.MultiDiGraph, left_out: int) -> str:
    """The honest line under a capped picture (empty when nothing was left out)."""
    if not left_out:
        return ""
    drawn = sum(1 for _, d in sub.nodes(data=True) if d.get("type") == "Problem")
    return f"共 {drawn + left_out} 个问题，图中画出前 {drawn} 个；其余 {left_out} 个见矩阵或导出。"


def render_picture(g: nx.MultiDiGraph, n: Seeds, key: str | None = None, caption: str | None = None,
                   heading: bool = True) -> bool:
    """溯源图 of one node or several: the heading (left out inside a titled expander), a caption (``caption``
    or the default reading guide), the note on problems left out, and the picture. ``key`` names the
    picture's container, so that two pictures on one page stay apart. False when there was nothing to draw
    (the node stands alone), so that the caller can say so."""
    seeds = seed_list(n)

    def draw() -> tuple[str, int, str]:
        sub, left_out = picture_scope(g, seeds)
        return (*_page(_html(sub, seeds)), left_out_note(sub, left_out))

    # a document's picture is drawn once per (read-only) app graph, not on every visit of its page
    page, height, note = per_graph(g, ("trace_picture", tuple(seeds)), draw)
    if not page:
        return False
    if heading:
        st.markdown("##### 溯源图")
    st.caption(caption or "原因 → 问题 → 整改措施 → 具体举措 → 政策依据；点击方框查看该节点。")
    if note:
        st.caption(note)
    box = st.container(key=f"tg-picture-{key}") if key else st.container()
    with box:
        st.iframe(page, height=height)
    return True
