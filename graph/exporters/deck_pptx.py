"""An editable PowerPoint deck (python-pptx): a title slide, an overview slide with the counts and the
coverage, one slide per problem of the selection (one per area when the selection holds more than
``PER_PROBLEM_MAX`` problems) and a gaps slide.

Each problem slide draws the traceability picture 原因 → 问题 → 整改措施 → 具体举措 as native shapes: a rounded
rectangle per node (named ``<type>·<short id>``, its text the node's full title) and a straight connector per
segment of the relation's route, glued to the shapes it joins (``begin_connect``/``end_connect``), so moving a
box in PowerPoint drags its links. A relation that must pass another column goes through that column's gap
via small junction dots, each segment glued to the dot and the boxes, the same route the figures use
(``_layout.plan_layout``) — no line crosses a box it does not end at. The measures, their actions and their
政策依据 follow as text. Colours are the app's (``_style.TYPE_COLOURS``); every run carries the East Asian
font (``a:ea``: 微软雅黑, falling back to the system's CJK font where it is missing)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from tracegraph.graph.exporters._briefing import Briefing, ProblemRow, briefing
from tracegraph.graph.exporters._flat import xml_safe
from tracegraph.graph.exporters._layout import Plan, plan_layout
from tracegraph.graph.exporters._registry import ExportJob, register
from tracegraph.graph.exporters._style import edge_colour, node_colour, short_id, type_zh
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, LINK_TYPES, TYPE_LABELS_ZH

EA_FONT = "微软雅黑"
LATIN_FONT = "Arial"
SLIDE_W, SLIDE_H = 13.333, 7.5
PER_PROBLEM_MAX = 12
PICTURE = (0.4, 1.15, 12.5, 3.75)  # left, top, width, height (inches) of the picture on a problem slide
DRAWN_EDGES = (*LINK_TYPES, "HAS_ACTION")
PICTURE_TYPES = ("Cause", "Problem", "Measure", "Action")
DOT_IN = 0.05
MAX_MEASURE_LINES = 7
MAX_SCALE = 1.6  # a small picture is enlarged, up to this much
TITLE_CHARS = 30  # a slide title on one line at 24 pt


def _rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper())


def _light(color: str, amount: float = 0.82) -> RGBColor:
    c = color.lstrip("#")
    rgb = [int(c[i : i + 2], 16) for i in (0, 2, 4)]
    return RGBColor(*(round(v + (255 - v) * amount) for v in rgb))


def _fonts(run: Any, size: float, bold: bool = False, color: str = "#1a1a1a") -> None:
    """Latin and East Asian typefaces on the run itself (a:latin + a:ea), so Chinese is set in a CJK font."""
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = _rgb(color)
    font.name = LATIN_FONT
    rpr = run._r.get_or_add_rPr()
    latin = rpr.find(qn("a:latin"))
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = OxmlElement("a:ea")
    ea.set("typeface", EA_FONT)
    latin.addnext(ea)
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")


def _text(
    slide: Slide,
    box: tuple[float, float, float, float],
    lines: Sequence[tuple[str, float, bool]],
    align: PP_ALIGN = PP_ALIGN.LEFT,
    color: str = "#1a1a1a",
) -> Any:
    shape = slide.shapes.add_textbox(Inches(box[0]), Inches(box[1]), Inches(box[2]), Inches(box[3]))
    tf = shape.text_frame
    tf.word_wrap = True
    for i, (text, size, bold) in enumerate(lines):
        par = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        par.alignment = align
        _fonts(_add_run(par, text), size, bold, color)
    return shape


def _add_run(par: Any, text: str) -> Any:
    run = par.add_run()
    run.text = xml_safe(text)
    return run


def _title(slide: Slide, text: str, sub: str = "") -> None:
    _text(slide, (0.4, 0.25, 12.5, 0.6), [(text, 24, True)])
    if sub:
        _text(slide, (0.4, 0.78, 12.5, 0.35), [(sub, 12, False)], color="#555555")


def _fit_size(text: str, w_in: float, h_in: float, largest: float = 11.0, smallest: float = 5.0) -> float:
    """The largest font size (pt) at which the whole title fits the box (CJK characters are square)."""
    size = largest
    while size > smallest:
        per_line = max(1, int((w_in - 0.1) * 72 / size))
        lines = max(1, int((h_in - 0.06) * 72 / (size * 1.2)))
        if per_line * lines >= len(text):
            return size
        size -= 0.5
    return smallest


def neighbourhood(g: nx.MultiDiGraph, problems: list[str]) -> nx.MultiDiGraph:
    """The problems with their causes, measures and actions, and every relation among them."""
    keep: set[str] = set(problems)
    for p in problems:
        for u, _v, d in g.in_edges(p, data=True):
            if d.get("type") in ("EXPLAINS", "ADDRESSES"):
                keep.add(u)
    for n in list(keep):
        if g.nodes[n].get("type") == "Measure":
            keep.update(v for _u, v, d in g.out_edges(n, data=True) if d.get("type") == "HAS_ACTION")
    keep = {n for n in keep if g.nodes[n].get("type") in PICTURE_TYPES}
    out: nx.MultiDiGraph = nx.MultiDiGraph()
    out.graph.update(g.graph)
    out.add_nodes_from((n, g.nodes[n]) for n in sorted(keep))
    for u, v, k, d in g.edges(keys=True, data=True):
        if u in keep and v in keep and u != v and d.get("type") in DRAWN_EDGES:
            out.add_edge(u, v, key=k, **d)
    return out


def draw_picture(slide: Slide, g: nx.MultiDiGraph, area: tuple[float, float, float, float]) -> dict[str, Any]:
    """Boxes and glued connectors for ``g`` inside ``area``; returns the box shape per node."""
    plan: Plan = plan_layout(g, max_rows=6)
    scale = min(area[2] / max(plan.width, 0.1), area[3] / max(plan.height, 0.1), MAX_SCALE)
    ox = area[0] + (area[2] - plan.width * scale) / 2
    oy = area[1]

    def at(x: float, y: float) -> tuple[float, float]:
        return ox + x * scale, oy + y * scale

    shapes: dict[str, Any] = {}
    for n, (x0, y0, x1, y1) in plan.boxes.items():
        d = g.nodes[n]
        color = node_colour(d)
        (sx, sy), w, h = at(x0, y0), (x1 - x0) * scale, (y1 - y0) * scale
        shp = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(sx), Inches(sy), Inches(w), Inches(h))
        shp.name = f"{type_zh(d.get('type'))}·{short_id(g, n) or n}"
        shp.fill.solid()
        shp.fill.fore_color.rgb = _light(color)
        shp.line.color.rgb = _rgb(color)
        shp.line.width = Pt(1.25)
        tf = shp.text_frame
        tf.word_wrap = True
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(tf, side, Inches(0.03))
        title = " ".join(str(d.get("title") or n).split())
        par = tf.paragraphs[0]
        par.alignment = PP_ALIGN.CENTER
        _fonts(_add_run(par, title), _fit_size(title, w, h))
        shapes[n] = shp
    for r in plan.routes:
        color = edge_colour(r.data)
        pts = [at(x, y) for x, y in r.points]
        ends: list[Any] = [shapes[r.source]]
        for x, y in pts[1:-1]:  # junctions where the route turns between two boxes
            dot = slide.shapes.add_shape(
                MSO_SHAPE.OVAL, Inches(x - DOT_IN / 2), Inches(y - DOT_IN / 2), Inches(DOT_IN), Inches(DOT_IN)
            )
            dot.name = f"途经点·{EDGE_LABELS_ZH.get(r.data.get('type') or '', '')}"
            dot.fill.solid()
            dot.fill.fore_color.rgb = _rgb(color)
            dot.line.fill.background()
            ends.append(dot)
        ends.append(shapes[r.target])
        for i in range(len(pts) - 1):
            (x0, y0), (x1, y1) = pts[i], pts[i + 1]
            con = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Inches(x0), Inches(y0), Inches(x1), Inches(y1))
            # glue: boxes at their left (1) / right (3) connection site, junction dots at their centre site
            a, b = ends[i], ends[i + 1]
            con.begin_connect(a, _site(a, x0, shapes))
            con.end_connect(b, _site(b, x1, shapes))
            # begin_connect moves the end points to the site; keep the routed coordinates exactly
            con.begin_x, con.begin_y, con.end_x, con.end_y = Inches(x0), Inches(y0), Inches(x1), Inches(y1)
            con.name = f"{EDGE_LABELS_ZH.get(r.data.get('type') or '', '')}·{r.source}→{r.target}"
            con.line.color.rgb = _rgb(color)
            con.line.width = Pt(2.0 if r.data.get("origin") == "curated" else 1.25)
            if r.data.get("origin") == "inferred":
                con.line.dash_style = MSO_LINE_DASH_STYLE.DASH
            if i == len(pts) - 2:
                ln = con.line._get_or_add_ln()
                tail = OxmlElement("a:tailEnd")
                tail.set("type", "triangle")
                ln.append(tail)
    return shapes


def _site(shape: Any, x: float, boxes: dict[str, Any]) -> int:
    if shape not in boxes.values():
        return 0  # an oval's first connection site; the dot is tiny, so any site is its centre
    mid = Emu(shape.left + shape.width // 2).inches
    return 1 if x < mid else 3


def _legend(slide: Slide, types: list[str], top: float) -> None:
    x = 0.4
    for t in types:
        shp = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(x), Inches(top), Inches(0.3), Inches(0.18))
        shp.fill.solid()
        color = node_colour({"type": t})
        shp.fill.fore_color.rgb = _light(color)
        shp.line.color.rgb = _rgb(color)
        _text(slide, (x + 0.32, top - 0.07, 1.1, 0.3), [(TYPE_LABELS_ZH.get(t, t), 10, False)])
        x += 1.35
    key = "箭头：导致（原因→问题）、针对（措施→问题）、整治（措施→原因）；虚线为推断关联"
    _text(slide, (x, top - 0.07, 6, 0.3), [(key, 10, False)])


def _measure_lines(rows: list[ProblemRow]) -> list[tuple[str, float, bool]]:
    lines: list[tuple[str, float, bool]] = []
    seen: set[str] = set()
    for row in rows:
        for m in row.measures:
            if m.id in seen:
                continue
            seen.add(m.id)
            text = f"{m.title}（{m.how}）"
            if m.actions:
                text += f"；具体举措{len(m.actions)}项"
            lines.append((text, 12, True))
            lines.append(("政策依据：" + ("、".join(m.policies) if m.policies else "未引用"), 11, False))
    if len(lines) > 2 * MAX_MEASURE_LINES:
        rest = (len(lines) - 2 * MAX_MEASURE_LINES) // 2
        lines = [*lines[: 2 * MAX_MEASURE_LINES], (f"……另有{rest}条整改措施，详见汇报材料", 11, False)]
    return lines or [("材料中未见针对该问题的整改措施。", 12, False)]


def _groups(job: ExportJob, b: Briefing) -> list[tuple[str, str, list[ProblemRow]]]:
    """(slide title, subtitle, problems): one per problem, or one per area for larger selections."""
    if len(b.rows) <= PER_PROBLEM_MAX:
        return [(r.title, f"问题 · {r.area}" if r.area else "问题", [r]) for r in b.rows]
    by_area: dict[str, list[ProblemRow]] = {}
    for r in b.rows:
        by_area.setdefault(r.area or "其他问题", []).append(r)
    return [(area, f"{len(rows)}个问题", rows) for area, rows in by_area.items()]


def build_deck(job: ExportJob) -> Any:
    b = briefing(job)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    blank = prs.slide_layouts[6]
    prs.core_properties.title = xml_safe(b.title)
    prs.core_properties.subject = xml_safe(job.subject)
    prs.core_properties.author = "tracegraph"

    s = prs.slides.add_slide(blank)
    _text(s, (0.8, 2.4, 11.7, 1.2), [(b.title, 40, True)], PP_ALIGN.CENTER)
    _text(s, (0.8, 3.7, 11.7, 0.6), [(job.subject or "全部材料", 20, False)], PP_ALIGN.CENTER, "#444444")
    _text(s, (0.8, 4.4, 11.7, 0.5), [(b.date, 16, False)], PP_ALIGN.CENTER, "#666666")

    s = prs.slides.add_slide(blank)
    _title(s, "总体情况")
    ov = b.overview
    assert ov is not None
    figures = [
        ("问题", f"{ov.problems}个"),
        ("有整改措施", f"{ov.with_measures}个"),
        ("覆盖率", f"{ov.coverage}%"),
        ("原因", f"{ov.causes}个"),
        ("整改措施", f"{ov.measures}条"),
        ("具体举措", f"{ov.actions}项"),
        ("政策依据", f"{ov.policies}项"),
        ("推断关联（待核实）", f"{ov.inferred}条"),
    ]
    for i, (label, value) in enumerate(figures):
        x, y = 0.5 + (i % 4) * 3.1, 1.3 + (i // 4) * 1.5
        _text(s, (x, y, 2.9, 0.7), [(value, 32, True)], PP_ALIGN.CENTER, "#c62828" if label == "覆盖率" else "#1a1a1a")
        _text(s, (x, y + 0.75, 2.9, 0.4), [(label, 14, False)], PP_ALIGN.CENTER, "#555555")
    notes = [(ov.sentence(), 14, False)]
    for t, w in b.doubts:
        notes.append((f"注意：《{t}》读取存疑（{'；'.join(w)}），其缺口待人工核实，不作为结论。", 12, False))
    _text(s, (0.5, 4.5, 12.3, 2.6), notes)

    for title, sub, rows in _groups(job, b):
        s = prs.slides.add_slide(blank)
        _title(s, title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…", sub)
        pic = neighbourhood(job.graph, [r.id for r in rows])
        draw_picture(s, pic, PICTURE)
        types = [t for t in PICTURE_TYPES if any(d.get("type") == t for _, d in pic.nodes(data=True))]
        _legend(s, types, PICTURE[1] + PICTURE[3] + 0.12)
        _text(s, (0.4, 5.25, 12.5, 2.1), _measure_lines(rows))

    s = prs.slides.add_slide(blank)
    _title(s, "覆盖缺口与待核实事项")
    lines: list[tuple[str, float, bool]] = []
    for kind in dict.fromkeys(it.kind for it in b.gap_items):
        items = [it for it in b.gap_items if it.kind == kind]
        lines.append((f"{kind}（{len(items)}个）", 16, True))
        for it in items[:8]:
            lines.append((f"· {it.title}" + ("（读取存疑，待核实）" if it.doubted else ""), 12, False))
        if len(items) > 8:
            lines.append((f"……另有{len(items) - 8}个", 12, False))
    if not lines:
        lines.append(("所选范围内未发现覆盖缺口。", 16, False))
    if b.inferred:
        lines.append((f"需人工核实的推断关联 {len(b.inferred)} 条（详见汇报材料）", 14, True))
    _text(s, (0.5, 1.2, 12.3, 6.0), lines)
    return prs


@register(
    "pptx",
    ".pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "汇报幻灯片（PowerPoint，可编辑：总体情况、逐题追溯图、覆盖缺口）",
)
def write_pptx(job: ExportJob, out: Path) -> None:
    build_deck(job).save(str(out))
