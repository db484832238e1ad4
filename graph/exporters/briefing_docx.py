"""The briefing as a Word document in 公文 layout (GB/T 9704-2012), written like a 汇报.
(Just over 400 lines: the page setup, the fonts on every run and the parts of the 汇报 are one document's rules.)

Layout: A4 portrait; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; a grid of
22 lines of 28 characters (``w:docGrid`` line pitch 579 twips with exact 28.95 pt line spacing;
character spacing −0.25 pt so exactly 28 characters of 3号 fill the 156 mm line); title 2号
方正小标宋简体 centred; body 3号 仿宋_GB2312; headings 一、 黑体, （一） 楷体_GB2312,
1. 仿宋_GB2312 bold; page numbers “— 1 —” in 4号 宋体 at the outer edge (odd pages right,
even pages left).

Content: 一、总体情况 (figures counted exactly as ``matrix``/``gaps`` count the selection), the figure,
二、问题整改情况 — one part per problem: 问题表现, 原因分析, 整改措施 (each with its actions, 政策依据 and the
evidence sentence) —, 三、覆盖缺口, 四、需人工核实的推断关联, and an appendix 出处 (document title and section
path; the body carries only the note numbers, never offsets or internal ids). A document whose reading is in
doubt is named with its warnings, and its gaps are listed as 待核实, not as findings.

Fonts: python-docx's ``font.name`` only sets the Latin slots, so every style *and every run* gets
``w:eastAsia`` and ``w:lang w:eastAsia="zh-CN"`` (theme font attributes are removed because Word and
LibreOffice let them override the explicit names). Fallback where the 公文 fonts are missing: Word substitutes
by name (方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体 on current Windows, which ship 仿宋/楷体 but
not the _GB2312 names); the font table names those substitutes as ``w:altName``. LibreOffice on Linux falls back
to the installed CJK font (WenQuanYi Zen Hei, fonts-wqy-zenhei). Install the 方正/GB2312 fonts for print."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from tracegraph.graph.exporters._briefing import Briefing, Link, ProblemRow, briefing
from tracegraph.graph.exporters._flat import xml_safe
from tracegraph.graph.exporters._registry import ExportJob, register
from tracegraph.graph.model.schema import ORIGIN_LABELS_ZH

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN = "Times New Roman"
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", H2_FONT: "楷体"}
TITLE_PT = 22  # 2号
BODY_PT = 16  # 3号
PAGE_NUMBER_PT = 14  # 4号
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINE_PITCH_TWIPS = 579  # 225 mm of text height / 22 lines
CHAR_SPACING_TWIPS = -5  # −0.25 pt between characters: 28 characters of 3号 per 156 mm line
LINE_PT = LINE_PITCH_TWIPS / 20
TEXT_W_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
FIGURE_MAX_NODES = 40
FIGURE_MAX_H_MM = 150
CORE_TYPES = ("Problem", "Cause", "Measure")
NUMERALS = "一二三四五六七八九十"


def cn_number(i: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (headings 一、 and （一）)."""
    if i <= 10:
        return NUMERALS[i - 1]
    tens, ones = divmod(i, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _set_fonts(owner: object, east_asia: str, latin: str = LATIN) -> None:
    """All four font slots on a style or run; theme fonts that would override them are dropped."""
    rpr = owner.get_or_add_rPr()  # type: ignore[attr-defined]
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


def _run(
    par: Paragraph, text: str, font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False, sup: bool = False
) -> None:
    run = par.add_run(xml_safe(text))
    run.font.size = Pt(size)
    run.bold = bold
    if sup:
        run.font.superscript = True
    _set_fonts(run._r, font)


def _par(doc: DocumentObject, indent: bool = True, align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
    par = doc.add_paragraph()
    _no_hanging(par._p.get_or_add_pPr())
    fmt = par.paragraph_format
    fmt.first_line_indent = Pt(2 * BODY_PT) if indent else Pt(0)
    if align is not None:
        par.alignment = align
    return par


def _page_setup(doc: DocumentObject) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    sec.header_distance, sec.footer_distance = Mm(15), Mm(25)  # the page number sits 7 mm below the text
    grid = sec._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sec._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element, BODY_FONT)
    # 28 characters a line: each 3号 character advances 16 pt − 0.25 pt, and 28 × 15.75 pt fit the 442 pt line
    # (Word and LibreOffice both honour character spacing; LibreOffice reads a character grid differently)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CHAR_SPACING_TWIPS))
    normal.element.get_or_add_rPr().append(spacing)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # punctuation stays inside the text block (no 标点溢出边界): the right margin is 26 mm on every line
    _no_hanging(normal.element.get_or_add_pPr())
    for name in ("Caption", "Footer", "Header"):
        _set_fonts(doc.styles[name].element, BODY_FONT)
    _font_table_fallbacks(doc)


def _no_hanging(ppr: object) -> None:
    """``w:overflowPunct w:val="0"``, in its place in the schema order (LibreOffice reads it per paragraph)."""
    overflow = OxmlElement("w:overflowPunct")
    overflow.set(qn("w:val"), "0")
    ppr.insert_element_before(  # type: ignore[attr-defined]
        overflow, "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
        "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    )  # fmt: skip


def _font_table_fallbacks(doc: DocumentObject) -> None:
    """Name the substitutes Word uses when a 公文 font is not installed (``w:altName`` in fontTable.xml)."""
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/></w:font>'
        for name, alt in FALLBACKS.items()
    ).encode("utf-8")
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            blob = part.blob
            end = blob.rfind(b"</w:fonts>")
            if end > 0:
                part._blob = blob[:end] + entries + blob[end:]


def _field(par: Paragraph, instr: str, shown: str) -> None:
    """A Word field (PAGE) as begin/instr/separate/result/end runs, in 4号 宋体."""

    def fld(kind: str) -> None:
        run = par.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
        run.font.size = Pt(PAGE_NUMBER_PT)
        _set_fonts(run._r, PAGE_NUMBER_FONT)

    fld("begin")
    run = par.add_run()
    instr_el = OxmlElement("w:instrText")
    instr_el.set(qn("xml:space"), "preserve")
    instr_el.text = f" {instr} "
    run._r.append(instr_el)
    _set_fonts(run._r, PAGE_NUMBER_FONT)
    fld("separate")
    _run(par, shown, PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    fld("end")


def _page_numbers(doc: DocumentObject) -> None:
    """“— 1 —” at the outer edge, one character in: odd pages right, even pages left."""
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        par = footer.paragraphs[0]
        par.alignment = align
        fmt = par.paragraph_format
        fmt.first_line_indent = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = Pt(PAGE_NUMBER_PT)
        else:
            fmt.left_indent = Pt(PAGE_NUMBER_PT)
        _run(par, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        _field(par, "PAGE", "1")
        _run(par, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


class _Notes:
    """Source locations as numbered notes, listed in the appendix 出处 (document title · section path)."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def mark(self, par: Paragraph, doc_title: str, path: str) -> None:
        where = f"《{doc_title}》" + (f"，{path.replace('/', ' › ')}" if path else "") if doc_title else path
        if not where:
            return
        if where not in self.items:
            self.items.append(where)
        _run(par, f"〔{self.items.index(where) + 1}〕", sup=True, size=BODY_PT - 4)


def _h1(doc: DocumentObject, text: str) -> None:
    _run(_par(doc), text, H1_FONT)


def _h2(doc: DocumentObject, text: str) -> None:
    _run(_par(doc), text, H2_FONT)


def _lead(doc: DocumentObject, label: str) -> Paragraph:
    """A paragraph opening with a 1. heading in 仿宋 bold, the text following on the same line."""
    par = _par(doc)
    _run(par, label, BODY_FONT, bold=True)
    return par


def _how(link: Link) -> str:
    origin = ORIGIN_LABELS_ZH.get(link.origin, link.origin)
    if link.origin == "inferred":
        return f"（推断关联，得分{link.score:.2f}，需核实）" if link.score is not None else "（推断关联，需核实）"
    return f"（{origin}）"


def _strip_end(text: str) -> str:
    return text.rstrip("。；;，, ")


def _problem_part(doc: DocumentObject, i: int, row: ProblemRow, notes: _Notes) -> None:
    _h2(doc, f"（{cn_number(i)}）{_strip_end(row.title)}")
    par = _lead(doc, "1.问题表现。")
    text = _strip_end(row.title)
    if row.area:
        text = f"该问题属于“{_strip_end(row.area)}”方面：{text}"
    _run(par, text + "。")
    notes.mark(par, row.doc, row.path)
    if row.examples:
        _run(par, "具体事例：" + "；".join(_strip_end(e) for e in row.examples) + "。")
    par = _lead(doc, "2.原因分析。")
    if row.causes:
        _run(par, "经分析，主要原因是：")
        for k, c in enumerate(row.causes):
            _run(par, _strip_end(c.title) + _how(c) + ("；" if k < len(row.causes) - 1 else "。"))
            notes.mark(par, c.doc, c.path)
    else:
        _run(par, "材料未对该问题作原因分析。")
    par = _lead(doc, "3.整改措施。")
    if not row.measures:
        _run(par, "材料中未见针对该问题的整改措施。")
    else:
        _run(par, f"针对该问题，材料提出整改措施{len(row.measures)}条。")
    for k, m in enumerate(row.measures, 1):
        par = _par(doc)
        _run(par, f"（{k}）{_strip_end(m.title)}{_how(m)}。")
        notes.mark(par, m.doc, m.path)
        if m.actions:
            _run(par, "具体举措：" + "；".join(_strip_end(t) for _s, t in m.actions) + "。")
        if m.policies:
            _run(par, "政策依据：" + "、".join(m.policies) + "。")
        if m.evidence:
            _run(par, f"原文依据：“{_strip_end(m.evidence)}”。")
    if row.policies:
        par = _lead(doc, "4.政策依据。")
        _run(par, "问题表述中引用：" + "、".join(row.policies) + "。")


def _figure(doc: DocumentObject, job: ExportJob) -> None:
    """The layered figure at text width. A whole large subgraph is unreadable at page size: past
    FIGURE_MAX_NODES the figure keeps the 问题—原因—整改措施 core (the PNG/SVG exports show everything)."""
    core = job.graph.number_of_nodes() > FIGURE_MAX_NODES
    if core:
        keep = [n for n, d in job.graph.nodes(data=True) if d.get("type") in CORE_TYPES]
        job = replace(job, graph=job.graph.subgraph(keep).copy())
    if not job.graph.number_of_nodes():
        return
    from PIL import Image

    from tracegraph.graph.exporters._draw import save_figure

    with tempfile.TemporaryDirectory(prefix="tracegraph-fig-") as tmp:
        png = Path(tmp) / "figure.png"
        save_figure(job, png, "png", dpi=200, compact=True)
        with Image.open(png) as im:
            w, h = im.size
        width = min(float(TEXT_W_MM), FIGURE_MAX_H_MM * w / h)
        par = _par(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        par.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        run = par.add_run()
        _set_fonts(run._r, BODY_FONT)
        run.add_picture(str(png), width=Mm(width))
    what = "问题—原因—整改措施关系（完整子图见 PNG/SVG 导出）" if core else "整改追溯关系图"
    cap = _par(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(cap, f"图1  {what}（原因→问题→整改措施→具体举措；虚线为推断关联，需人工核实）", H2_FONT, 12)


def _gaps(doc: DocumentObject, b: Briefing, notes: _Notes) -> None:
    if not b.gap_items:
        _run(_par(doc), "所选范围内未发现覆盖缺口。")
        return
    kinds = list(dict.fromkeys(item.kind for item in b.gap_items))
    for i, kind in enumerate(kinds, 1):
        items = [it for it in b.gap_items if it.kind == kind]
        _h2(doc, f"（{cn_number(i)}）{kind}（{len(items)}个）")
        for k, it in enumerate(items, 1):
            par = _par(doc)
            _run(par, f"{k}.", bold=True)
            _run(par, _strip_end(it.title) + "。")
            if it.doubted:
                _run(par, "（该文档读取存疑，此项可能是读取问题，待人工核实，不作为结论。）")
            notes.mark(par, it.doc, it.path)


def build_document(job: ExportJob) -> DocumentObject:
    b = briefing(job)
    doc = Document()
    _page_setup(doc)
    _page_numbers(doc)
    doc.core_properties.title = xml_safe(b.title)
    doc.core_properties.subject = xml_safe(job.subject or b.scope)
    doc.core_properties.author = "tracegraph"
    doc.core_properties.created = datetime(job.generated.year, job.generated.month, job.generated.day)
    notes = _Notes()

    title = _par(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(max(LINE_PT, TITLE_PT * 1.3))
    _run(title, b.title, TITLE_FONT, TITLE_PT)
    sub = _par(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(sub, f"（{job.subject or '全部材料'}  {b.date}）", H2_FONT)
    _par(doc)  # one blank line between the title block and the body, as 公文 do

    _h1(doc, "一、总体情况")
    par = _par(doc)
    assert b.overview is not None
    _run(par, b.overview.sentence())
    if b.documents:
        _run(par, "材料来源：" + "、".join(f"《{d}》" for d in b.documents) + "。")
    for title_, warnings in b.doubts:
        par = _par(doc)
        _run(par, f"需要说明的是，《{title_}》的读取存疑（{'；'.join(warnings)}），该文档中“没有整改措施”等缺口")
        _run(par, "可能源于读取而非原文，下文列为待核实事项，不作为结论。")
    _figure(doc, job)

    _h1(doc, "二、问题整改情况")
    if not b.rows:
        _run(_par(doc), "所选范围内没有查摆出的问题。")
    for i, row in enumerate(b.rows, 1):
        _problem_part(doc, i, row, notes)

    _h1(doc, "三、覆盖缺口")
    _gaps(doc, b, notes)

    _h1(doc, "四、需人工核实的推断关联")
    if not b.inferred:
        _run(_par(doc), "所选范围内的对应关系均为原文明示或人工确认。")
    else:
        _run(_par(doc), f"以下{len(b.inferred)}条对应关系系按用语和政策依据相似度推断，请逐条核实：")
    for k, link in enumerate(b.inferred, 1):
        par = _par(doc)
        score = f"，得分{link.score:.2f}" if link.score is not None else ""
        _run(par, f"{k}.", bold=True)
        _run(par, f"“{_strip_end(link.source)}”{link.kind}“{_strip_end(link.target)}”{score}。")
        if link.evidence:
            _run(par, f"依据：“{_strip_end(link.evidence)}”。")

    if notes.items:
        brk = _par(doc, indent=False)
        run = brk.add_run()
        _set_fonts(run._r, BODY_FONT)
        run.add_break(WD_BREAK.PAGE)
        _run(_par(doc, indent=False), "附件", H1_FONT)
        _run(_par(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER), "出处", TITLE_FONT, TITLE_PT)
        for k, where in enumerate(notes.items, 1):
            _run(_par(doc), f"〔{k}〕{where}")
    return doc


@register(
    "docx",
    ".docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "汇报材料（Word 公文格式：总体情况、关系图、逐题整改情况、覆盖缺口、出处）",
)
def write_docx(job: ExportJob, out: Path) -> None:
    build_document(job).save(str(out))
