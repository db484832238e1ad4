"""The briefing as a Word document (汇报材料): title, scope, date, counts, the subgraph figure, the table
问题 | 原因 | 整改措施 | 政策依据 with evidence and source locations, and the coverage gaps.

Chinese needs its own font slot: python-docx's ``font.name`` only sets the Latin fonts, so every style
also gets ``w:eastAsia`` (宋体 for body text, 黑体 for headings) and ``w:lang w:eastAsia="zh-CN"``. Theme
font attributes are removed because Word and LibreOffice let them override the explicit names. Where
宋体/黑体 are missing (Linux), LibreOffice falls back to the installed CJK font (WenQuanYi Zen Hei).
The page is A4 landscape: a four-column traceability table needs the width."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell

from tracegraph.graph.exporters._briefing import ORIGIN_NOTE, Briefing, Link, ProblemRow, briefing, count_line
from tracegraph.graph.exporters._flat import xml_safe
from tracegraph.graph.exporters._registry import ExportJob, register

BODY_FONT = ("Times New Roman", "宋体")
HEADING_FONT = ("Arial", "黑体")
COL_WIDTHS_CM = (6.4, 5.6, 8.6, 5.1)  # 25.7 cm: A4 landscape less 2 cm margins
GREY = RGBColor(0x59, 0x59, 0x59)
FIGURE_MAX_NODES = 40
PAGE_W_CM = 25.7
INLINE_H_CM = 9.5  # what is left on the first page below the overview
FULL_PAGE_H_CM = 15.5
CORE_TYPES = ("Problem", "Cause", "Measure")


def _set_fonts(rpr_owner: object, latin: str, east_asia: str) -> None:
    """Write all four font slots on a style or run and drop theme fonts that would override them."""
    rpr = rpr_owner.get_or_add_rPr()  # type: ignore[attr-defined]
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _setup(doc: DocumentObject) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(2.0))
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    _set_fonts(normal.element, *BODY_FONT)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 12)):
        st = styles[name]
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x1F, 0x1F, 0x1F)
        st.font.bold = True
        _set_fonts(st.element, *HEADING_FONT)
    for name in ("List Bullet", "Caption"):
        _set_fonts(styles[name].element, *BODY_FONT)


def _run(par: object, text: str, bold: bool = False, size: float | None = None, color: RGBColor | None = None) -> None:
    run = par.add_run(xml_safe(text))  # type: ignore[attr-defined]
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color


def _cell_par(cell: _Cell, first: list[bool]) -> object:
    """The cell's first paragraph is created empty with the cell; reuse it once."""
    if first[0]:
        first[0] = False
        par = cell.paragraphs[0]
    else:
        par = cell.add_paragraph()
    par.paragraph_format.space_after = Pt(1)
    par.paragraph_format.space_before = Pt(1)
    return par


def _fixed_layout(table: object) -> None:
    tbl_pr = table._tbl.tblPr  # type: ignore[attr-defined]
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _links(cell: _Cell, links: list[Link], first: list[bool], empty: str) -> None:
    if not links:
        _run(_cell_par(cell, first), empty, size=9, color=GREY)
    for link in links:
        par = _cell_par(cell, first)
        _run(par, f"{link.short} ", bold=True, size=9)
        _run(par, link.title, size=9)
        _run(par, f"（{link.how}）", size=8, color=GREY)
        for short, title in link.actions:
            _run(_cell_par(cell, first), f"· {short} {title}", size=8)
        if link.evidence:
            _run(_cell_par(cell, first), f"依据：{link.evidence}", size=8, color=GREY)
        if link.location:
            _run(_cell_par(cell, first), f"出处：{link.location}", size=7.5, color=GREY)


def _problem_cells(cells: tuple[_Cell, ...], row: ProblemRow) -> None:
    first = [True]
    par = _cell_par(cells[0], first)
    _run(par, f"{row.short} ", bold=True, size=9)
    _run(par, row.title, bold=True, size=9)
    for ex in row.examples:
        _run(_cell_par(cells[0], first), f"事例：{ex}", size=8)
    _run(_cell_par(cells[0], first), f"出处：{row.location}", size=7.5, color=GREY)
    _links(cells[1], row.causes, [True], "（未关联原因）")
    _links(cells[2], row.measures, [True], "（未关联整改措施）")
    first = [True]
    if not row.policies:
        _run(_cell_par(cells[3], first), "—", size=9, color=GREY)
    for name in row.policies:
        _run(_cell_par(cells[3], first), name, size=9)


def _table(doc: DocumentObject, b: Briefing) -> None:
    table = doc.add_table(rows=1, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_layout(table)
    for i, head in enumerate(("问题", "原因", "整改措施", "政策依据")):
        cell = table.rows[0].cells[i]
        _run(cell.paragraphs[0], head, bold=True, size=10)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _shade(cell, "D9D9D9")
    _repeat_header(table.rows[0])
    for row in b.rows:
        _problem_cells(tuple(table.add_row().cells), row)
    for r in table.rows:
        for i, w in enumerate(COL_WIDTHS_CM):
            r.cells[i].width = Cm(w)
    for i, w in enumerate(COL_WIDTHS_CM):
        table.columns[i].width = Cm(w)


def _figure(doc: DocumentObject, job: ExportJob) -> None:
    """A whole large subgraph is unreadable at page size: past FIGURE_MAX_NODES the figure keeps the
    问题—原因—整改措施 core (the PNG/SVG exports still show everything)."""
    core = job.graph.number_of_nodes() > FIGURE_MAX_NODES
    if core:
        keep = [n for n, d in job.graph.nodes(data=True) if d.get("type") in CORE_TYPES]
        job = replace(job, graph=job.graph.subgraph(keep).copy())
    from tracegraph.graph.exporters._draw import save_figure

    with tempfile.TemporaryDirectory(prefix="tracegraph-fig-") as tmp:
        png = Path(tmp) / "figure.png"
        save_figure(job, png, "png", dpi=200, compact=True)
        from PIL import Image

        with Image.open(png) as im:
            w, h = im.size
        width = min(PAGE_W_CM, INLINE_H_CM * w / h)
        if width < 0.6 * PAGE_W_CM:  # a tall figure gets a page of its own rather than shrinking
            doc.add_page_break()
            width = min(PAGE_W_CM, FULL_PAGE_H_CM * w / h)
        doc.add_picture(str(png), width=Cm(width))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    cap = doc.add_paragraph(style="Caption")
    what = "问题—原因—整改措施关系（完整子图见 PNG/SVG 导出）" if core else "所选子图"
    _run(cap, f"图 1  {what}（颜色表示节点类型；虚线为推断关联，需人工核实）", size=9, color=GREY)
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER


def build_document(job: ExportJob) -> DocumentObject:
    b = briefing(job)
    doc = Document()
    _setup(doc)
    doc.core_properties.title = xml_safe(b.title)
    doc.core_properties.subject = xml_safe(b.scope)
    doc.core_properties.author = "tracegraph"
    doc.core_properties.created = datetime(job.generated.year, job.generated.month, job.generated.day)
    doc.add_heading(xml_safe(b.title), level=0)
    for label, text in (("范围", b.scope), ("日期", b.date), ("来源文档", "、".join(b.documents) or "—")):
        par = doc.add_paragraph()
        _run(par, f"{label}：", bold=True)
        _run(par, text)
    doc.add_heading("一、概况", level=1)
    doc.add_paragraph(count_line(b) + "。")
    _figure(doc, job)
    doc.add_heading("二、问题—原因—整改措施—政策依据", level=1)
    if b.rows:
        _table(doc, b)
    else:
        doc.add_paragraph("所选范围内没有查摆出的问题。")
    note = doc.add_paragraph()
    _run(note, ORIGIN_NOTE, size=8.5, color=GREY)
    doc.add_heading("三、覆盖缺口", level=1)
    shown = False
    for label, items in b.gaps:
        if not items:
            continue
        shown = True
        doc.add_heading(f"{label}（{len(items)}）", level=2)  # fixed wording, no document text
        for short, title, loc in items:
            par = doc.add_paragraph(style="List Bullet")
            _run(par, f"{short} ", bold=True)
            _run(par, title)
            if loc:
                _run(par, f"（{loc}）", size=8.5, color=GREY)
    if not shown:
        doc.add_paragraph("所选范围内未发现覆盖缺口。")
    return doc


@register(
    "docx",
    ".docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "汇报材料（Word：概况、子图、追溯表、覆盖缺口）",
)
def write_docx(job: ExportJob, out: Path) -> None:
    build_document(job).save(str(out))
