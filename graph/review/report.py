"""The review as a briefing (评估报告): Markdown for screens and mail, Word for the file that goes to the office.

Both follow the same layout: title, document, date, a summary table per dimension (达标/待改进 with the
measured value and its threshold), then the findings, each pointing to its source (document, section
path, quoted text) so the reader can check it against the material.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import CharacterStyle

from tracegraph.graph.review.results import DIMENSIONS, FAIL, PASS, Criterion, DocumentReview, Finding, Review

TITLE = "整改材料质量评估报告"
_SEVERITY_ZH = {"issue": "需关注", "info": "说明", "ok": "良好"}
_CN_ORD = "一二三四五六七八九十"
QUOTE_MAX = 120
_COL_CM = (2.7, 1.6, 4.6, 2.2, 4.8)  # 维度 结论 实际 阈值 说明, on an A4 page with 2.54 cm margins


def _fmt_value(c: Criterion, v: float | int | None) -> str:
    if v is None:
        return "—"
    if c.key.endswith("share"):
        return f"{v:.0%}" if round(v * 100, 1).is_integer() else f"{v:.1%}"
    return str(v)


def criteria_text(criteria: list[Criterion]) -> tuple[str, str]:
    """('有事例的问题占比 59%', '≥ 50%') joined per criterion, for the summary table."""
    measured = "；".join(f"{c.label} {_fmt_value(c, c.value)}" for c in criteria) or "—"
    limits = "；".join(f"{c.op} {_fmt_value(c, c.threshold)}" if c.threshold is not None else "不评" for c in criteria)
    return measured, limits or "—"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def _ordinal(i: int) -> str:
    return _CN_ORD[i] if i < len(_CN_ORD) else str(i + 1)


def visible_findings(d: DocumentReview, dimension: str, include_ok: bool = False) -> list[Finding]:
    """Issues first, then notes; positive findings only when asked for."""
    order = {"issue": 0, "info": 1, "ok": 2}
    rows = [f for f in d.findings_of(dimension) if include_ok or f.severity != "ok"]
    return sorted(rows, key=lambda f: order.get(f.severity, 3))


def finding_lines(d: DocumentReview, f: Finding) -> list[str]:
    """The source lines under a finding: location, quoted text, the evidence that triggered it."""
    lines = []
    if f.source is not None:
        lines.append(f"位置：{d.title} › {f.source.where or '正文'}（第 {f.source.start + 1}–{f.source.end} 字）")
        if f.source.text:
            lines.append(f"原文：“{_quote(f.source.text)}”")
    extra = [e for e in f.evidence if f.source is None or (e.start, e.end) != (f.source.start, f.source.end)]
    if extra:
        seen: dict[str, list[str]] = {}
        for e in extra:
            seen.setdefault(e.label, [])
            elsewhere = e.where and (f.source is None or e.node != f.source.node)
            q = f"“{_quote(e.text)}”" + (f"（{e.where.split(' › ')[-1]}）" if elsewhere else "")
            if q not in seen[e.label]:
                seen[e.label].append(q)
        lines.append("依据：" + "；".join(f"{label} {'、'.join(qs)}" for label, qs in seen.items()))
    return lines


def _overall(d: DocumentReview) -> str:
    fails = [s.label for s in d.scores.values() if s.verdict == FAIL]
    text = f"{d.scored} 个评分维度中 {d.passed} 个达标"
    return text + (f"，待改进：{'、'.join(fails)}" if fails else "")


# ------------------------------------------------------------------------------------------ Markdown


def render_markdown(review: Review, include_ok: bool = False) -> str:
    """The whole review as Markdown (one section per document)."""
    out = [f"# {TITLE}", "", f"- 生成日期：{review.generated}", f"- 评估规则：{review.rules_source}"]
    out += [f"- 材料数：{len(review.documents)}", ""]
    for i, d in enumerate(review.documents):
        out += [f"## {_ordinal(i)}、{d.title}", "", f"- 文档：{d.doc}" + (f"（{d.path}）" if d.path else "")]
        out += [f"- 总体：{_overall(d)}", ""]
        out += ["| 维度 | 结论 | 实际 | 阈值 | 说明 |", "|---|---|---|---|---|"]
        for dim in DIMENSIONS:
            s = d.scores[dim]
            measured, limits = criteria_text(s.criteria)
            out.append(f"| {s.label} | {s.verdict} | {measured} | {limits} | {s.summary} |")
        out.append("")
        for dim in DIMENSIONS:
            s = d.scores[dim]
            rows = visible_findings(d, dim, include_ok)
            out += [f"### {s.label}（{s.verdict}）", "", s.summary, ""]
            for n, f in enumerate(rows, 1):
                out.append(f"{n}. 【{_SEVERITY_ZH.get(f.severity, f.severity)}】{f.message}")
                out += [f"   - {line}" for line in finding_lines(d, f)]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------------------------------ Word


def _set_font(
    style: CharacterStyle, latin: str, east_asia: str, size: float | None = None, bold: bool | None = None
) -> None:
    """Set both the Latin and the East Asian font: Word picks w:eastAsia for Chinese characters, and theme
    fonts (as on the built-in headings) would override it, so they are removed."""
    style.font.name = latin
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def build_docx(review: Review, include_ok: bool = False) -> DocumentObject:
    """The review as a python-docx Document in the briefing style (宋体 body, 黑体 headings)."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)  # A4, as official documents are
    sec.left_margin = sec.right_margin = Cm(2.54)
    _set_font(doc.styles["Normal"], "Times New Roman", "宋体", 12)
    _set_font(doc.styles["Title"], "Times New Roman", "黑体", 18, True)
    for name, size in (("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12)):
        _set_font(doc.styles[name], "Times New Roman", "黑体", size, True)
    title = doc.add_paragraph(TITLE, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph(f"生成日期：{review.generated}    评估规则：{review.rules_source}")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, d in enumerate(review.documents):
        doc.add_heading(f"{_ordinal(i)}、{d.title}", level=1)
        doc.add_paragraph(f"文档：{d.doc}" + (f"（{d.path}）" if d.path else ""))
        doc.add_paragraph(f"总体：{_overall(d)}")
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for cell, text in zip(table.rows[0].cells, ("维度", "结论", "实际", "阈值", "说明"), strict=True):
            cell.text = text
            for r in cell.paragraphs[0].runs:
                r.bold = True
        for dim in DIMENSIONS:
            s = d.scores[dim]
            measured, limits = criteria_text(s.criteria)
            row = table.add_row().cells
            for cell, text in zip(row, (s.label, s.verdict, measured, limits, s.summary), strict=True):
                cell.text = text
            if s.verdict in (PASS, FAIL):
                row[1].paragraphs[0].runs[0].bold = True
        for col, width in zip(table.columns, _COL_CM, strict=True):
            col.width = Cm(width)  # the grid, which LibreOffice reads
            for cell in col.cells:
                cell.width = Cm(width)  # the cells, which Word reads
        for dim in DIMENSIONS:
            s = d.scores[dim]
            doc.add_heading(f"{s.label}（{s.verdict}）", level=2)
            doc.add_paragraph(s.summary)
            for n, f in enumerate(visible_findings(d, dim, include_ok), 1):
                p = doc.add_paragraph()
                head = p.add_run(f"{n}. 【{_SEVERITY_ZH.get(f.severity, f.severity)}】")
                head.bold = True
                p.add_run(f.message)
                for line in finding_lines(d, f):
                    sub = doc.add_paragraph(line)
                    sub.paragraph_format.left_indent = Pt(24)
                    for r in sub.runs:
                        r.font.size = Pt(10.5)
    return doc


def write_docx(review: Review, path: str | Path, include_ok: bool = False) -> None:
    build_docx(review, include_ok).save(str(path))


def docx_bytes(review: Review, include_ok: bool = False) -> bytes:
    """For download buttons: the Word file in memory."""
    buf = io.BytesIO()
    build_docx(review, include_ok).save(buf)
    return buf.getvalue()
