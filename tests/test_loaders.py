"""Loaders on files unlike the sample: GB18030/GBK/BOM/UTF-16/mixed text, Word numbering and tables,
PDF lines broken by the page width, Markdown markup. Each test compares against the source text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracegraph.loaders import load_file

try:
    from tests import fixtures as fx
except ImportError:  # tests/ itself is on sys.path (pytest rootdir-less import mode)
    import fixtures as fx  # type: ignore[no-redef]


def _para_texts(doc) -> list[str]:  # type: ignore[no-untyped-def]
    return [doc.para_text(p) for p in doc.paragraphs]


# --------------------------------------------------------------------------- encodings


def test_gb18030_file_is_detected_and_decoded_exactly(tmp_path: Path) -> None:
    doc = load_file(fx.write_personal_gb18030(tmp_path))
    assert doc.encoding in ("gbk", "gb18030")
    # the author's name has a character GBK lacks, so only GB18030 decodes the file losslessly
    assert doc.encoding == "gb18030"
    assert doc.text == fx.personal_text()
    assert "李𫖮" in doc.text
    assert doc.format == "txt"


def test_gbk_file_is_detected(tmp_path: Path) -> None:
    text = fx.personal_text().replace("𫖮", "华")
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gbk"))
    doc = load_file(path)
    assert doc.encoding == "gbk"
    assert doc.text == text


def test_crlf_and_fullwidth_indent_are_outside_paragraph_spans(tmp_path: Path) -> None:
    doc = load_file(fx.write_personal_gb18030(tmp_path))
    expected = [ln.strip("\u3000\r") for ln in fx.personal_text().split("\r\n") if ln.strip()]
    assert _para_texts(doc) == expected
    assert len(doc.paragraphs) == 1 + 1 + 1 + 3 + 1 + 1 + 4 + 1 + 1 + 3 + 1 + 3 + 1
    assert all("\r" not in t and not t.startswith("\u3000") for t in _para_texts(doc))


def test_utf8_bom_is_removed_and_reported(tmp_path: Path) -> None:
    doc = load_file(fx.write_bom_txt(tmp_path))
    assert doc.encoding == "utf-8-sig"
    assert not doc.text.startswith("\ufeff")
    assert doc.text == fx.bom_text()
    assert doc.para_text(doc.paragraphs[0]) == "清河县统计局党组成员赵某某个人对照检查材料"
    assert doc.paragraphs[0].start == 0


def test_utf16_bom_file(tmp_path: Path) -> None:
    """Windows Notepad's “Unicode” is UTF-16 LE with a BOM."""
    path = tmp_path / "unicode.txt"
    path.write_bytes(fx.bom_text().encode("utf-16"))
    doc = load_file(path)
    assert doc.encoding == "utf-16"
    assert doc.text == fx.bom_text()


def test_lines_pasted_from_utf8_and_gbk_sources(tmp_path: Path) -> None:
    lines = fx.bom_text().splitlines(keepends=True)
    data = b"".join(ln.encode("utf-8" if i % 2 else "gbk") for i, ln in enumerate(lines))
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    doc = load_file(path)
    assert doc.encoding == "mixed(gb18030+utf-8)"
    assert doc.text == fx.bom_text()


# --------------------------------------------------------------------------- Word


def test_docx_renders_automatic_list_numbers(tmp_path: Path) -> None:
    import docx

    path = fx.write_docx(tmp_path)
    # the numbers are not in the document's text: Word generates them from numbering.xml
    raw = [p.text for p in docx.Document(str(path)).paragraphs]
    assert f"{fx.DOCX_PROBLEMS[0][0]}。{fx.DOCX_PROBLEMS[0][1]}" in raw
    assert not any(t.startswith(("1.", "（一）")) for t in raw)

    doc = load_file(path)
    texts = _para_texts(doc)
    problems = [f"{n}.{t}。{b}" for n, (t, b) in enumerate(fx.DOCX_PROBLEMS, 1)]
    causes = [f"（{'一二三'[n]}）{t}。{b}" for n, (t, b) in enumerate(fx.DOCX_CAUSES)]
    i = texts.index(problems[0])
    assert texts[i : i + 4] == problems
    j = texts.index(causes[0])
    assert texts[j : j + 3] == causes


def test_docx_heading_levels_and_order(tmp_path: Path) -> None:
    doc = load_file(fx.write_docx(tmp_path))
    headings = [(doc.para_text(p), p.heading_level) for p in doc.paragraphs if p.heading_level is not None]
    assert headings == [(fx.DOCX_TITLE, 0), ("存在的主要问题", 1), ("原因分析", 1), ("整改措施", 1)]
    kinds = [p.kind for p in doc.paragraphs]
    first_row = kinds.index("table_row")
    assert _para_texts(doc)[first_row - 2] == "整改措施"
    assert kinds[first_row : first_row + 5] == ["table_row"] * 5
    assert _para_texts(doc)[first_row + 5 :] == ["中共清河县教育局党组", "2024年3月15日"]


def test_docx_table_rows_keep_cell_spans_and_header(tmp_path: Path) -> None:
    doc = load_file(fx.write_docx(tmp_path))
    rows = [p for p in doc.paragraphs if p.kind == "table_row"]
    assert len(rows) == 1 + len(fx.DOCX_MEASURE_ROWS)
    assert {r.table for r in rows} == {1}
    for r, want in zip(rows, [fx.DOCX_TABLE_HEADER, *fx.DOCX_MEASURE_ROWS], strict=True):
        assert r.header == fx.DOCX_TABLE_HEADER
        assert [doc.text[s:e] for s, e in r.cells] == want
        assert doc.para_text(r) == "\t".join(want)


# --------------------------------------------------------------------------- PDF


def test_pdf_lines_are_rejoined_into_the_source_paragraphs(tmp_path: Path) -> None:
    doc = load_file(fx.write_pdf(tmp_path))
    assert doc.format == "pdf"
    # every paragraph wraps over 2–4 lines and one runs over the page break; none may stay broken
    assert _para_texts(doc) == fx.pdf_paragraphs()
    assert "\n\n" not in doc.text


def test_pdf_drops_page_numbers(tmp_path: Path) -> None:
    doc = load_file(fx.write_pdf(tmp_path))
    assert "- 1 -" not in doc.text and "- 2 -" not in doc.text
    # the cause that crosses the page break is one paragraph
    t, b = fx.PDF_CAUSES[0]
    assert f"（一）{t}。{b}" in _para_texts(doc)


def test_pdf_two_line_centred_title_is_one_paragraph(tmp_path: Path) -> None:
    doc = load_file(fx.write_pdf(tmp_path))
    assert doc.para_text(doc.paragraphs[0]) == fx.PDF_TITLE


# --------------------------------------------------------------------------- Markdown


def test_markdown_markup_removed_and_heading_levels(tmp_path: Path) -> None:
    doc = load_file(fx.write_md(tmp_path))
    assert doc.format == "md" and doc.encoding == "utf-8"
    texts = _para_texts(doc)
    levels = {doc.para_text(p): p.heading_level for p in doc.paragraphs if p.heading_level is not None}
    assert levels == {
        fx.MD_TITLE: 0,  # the lone opening `#` heading is the title
        "一、总体要求": 2, "二、存在的主要问题": 2, "三、原因剖析": 2, "四、整改措施": 2, "五、组织保障": 2,
        "（一）织密食品安全监管网络": 3, "（二）持续优化营商环境": 3, "（三）提升执法办案规范化水平": 3,
    }
    t, b = fx.MD_PROBLEMS[0]
    assert f"1. {t}。{b}" in texts  # ** removed
    assert not any("**" in x or x.startswith((">", "#", "---")) for x in texts)
    assert texts[-1] == "本方案自印发之日起施行。"
    assert all(doc.text[p.start : p.end] == doc.text[p.start : p.end].strip() for p in doc.paragraphs)


def test_markdown_several_h1_stay_sections(tmp_path: Path) -> None:
    path = tmp_path / "多节.md"
    path.write_text("# 一、存在的问题\n\n正文。\n\n# 二、整改措施\n\n正文。\n", encoding="utf-8")
    doc = load_file(path)
    assert [p.heading_level for p in doc.paragraphs] == [1, None, 1, None]


@pytest.mark.parametrize("suffix", [".TXT", ".Md", ".DOCX", ".PDF"])
def test_extension_is_case_insensitive(tmp_path: Path, suffix: str) -> None:
    writers = {".txt": fx.write_bom_txt, ".md": fx.write_md, ".docx": fx.write_docx, ".pdf": fx.write_pdf}
    src = writers[suffix.lower()](tmp_path)
    upper = src.with_name("大写扩展名" + suffix)
    src.rename(upper)
    doc = load_file(upper)
    assert doc.format == suffix.lower().lstrip(".")
    assert len(doc.paragraphs) > 10


def test_pdf_rejoin_uses_line_geometry() -> None:
    """Margins 85–501 pt, 16 pt type: a full line continues even after 。; a short or indented one ends
    a paragraph; a numbered item at the margin starts one; page numbers go."""
    from tracegraph.loaders.formats.pdf import LayoutLine as L
    from tracegraph.loaders.formats.pdf import rejoin_layout

    lines = [
        L("（一）学习不够深入。对党的创新理论学得不", 117, 501, 16),
        L("够系统，满足于读原文。", 85, 501, 16),  # full line ending in 。: still the same paragraph
        L("运用理论指导实践的能力不强。", 85, 309, 16),  # short: paragraph ends here
        L("- 3 -", 288, 307, 12),
        L("（二）调查研究不够扎实。到基层调研次数偏", 117, 501, 16),
        L("少。", 85, 117, 16),
        L("整改措施如下：", 117, 229, 16),
        L("1.每季度开展一次专题学习，形成学习台账，", 85, 499, 16),
        L("2.每年撰写调研报告不少于2篇。", 85, 330, 16),
    ]
    assert rejoin_layout(lines).split("\n") == [
        "（一）学习不够深入。对党的创新理论学得不够系统，满足于读原文。运用理论指导实践的能力不强。",
        "（二）调查研究不够扎实。到基层调研次数偏少。",
        "整改措施如下：",
        "1.每季度开展一次专题学习，形成学习台账，",
        "2.每年撰写调研报告不少于2篇。",
    ]
