"""The structure parser on layouts unlike the sample: plain-paragraph problems after a 上年度 section, 台账
blocks, Word lists and tables, a PDF, Markdown headings, mixed 全角/半角 markers. Expected titles and counts
come from the fixture text (tests/fixtures.py), not from the parser's current output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tracegraph.graph.build.pipeline import build
from tracegraph.loaders import Item, ParsedDocument, load_file, parse

try:
    from tests import fixtures as fx
except ImportError:  # tests/ itself is on sys.path (pytest rootdir-less import mode)
    import fixtures as fx  # type: ignore[no-redef]


def _parse(path: Path) -> ParsedDocument:
    return parse(load_file(path))


def _titles(pd: ParsedDocument, type_: str) -> list[str]:
    return [pd.doc.text[i.title_start : i.title_end] for i in pd.of_type(type_)]


def _text(pd: ParsedDocument, it: Item) -> str:
    return pd.doc.text[it.start : it.end]


def _children(pd: ParsedDocument, parent: Item, type_: str) -> list[Item]:
    idx = pd.items.index(parent)
    return [i for i in pd.items if i.parent == idx and i.type == type_]


def _section(pd: ParsedDocument, title: str) -> Item:
    return next(i for i in pd.of_type("Section") if pd.doc.text[i.title_start : i.title_end] == title)


# =========================================================================== 1. 个人对照检查材料, GB18030


@pytest.fixture
def personal(tmp_path: Path) -> ParsedDocument:
    return _parse(fx.write_personal_gb18030(tmp_path))


def test_personal_counts_and_title(personal: ParsedDocument) -> None:
    assert personal.doc.encoding in ("gbk", "gb18030")
    assert personal.title == fx.PERSONAL_TITLE
    assert len(personal.of_type("Problem")) == 4
    assert len(personal.of_type("Cause")) == 3
    assert len(personal.of_type("Measure")) == 3
    assert [i.attrs.get("status") for i in personal.of_type("Problem")] == ["admitted"] * 4
    assert [i.attrs.get("status") for i in personal.of_type("Measure")] == ["planned"] * 3


def test_personal_unmarked_problems_are_lead_sentences(personal: ParsedDocument) -> None:
    assert _titles(personal, "Problem") == fx.PERSONAL_PROBLEM_TITLES
    section = _section(personal, "存在的问题")
    assert section.attrs["role"] == "problem"
    for it, title, body in zip(personal.of_type("Problem"), fx.PERSONAL_PROBLEM_TITLES, fx.PERSONAL_PROBLEM_BODIES,
                               strict=True):
        assert _text(personal, it).startswith(title)
        assert _text(personal, it) == f"{title}。{body}"  # the whole paragraph, no indentation, no CR
        assert it.parent == personal.items.index(section)
        assert it.marker == ""


def test_personal_intro_line_is_not_a_problem(personal: ParsedDocument) -> None:
    assert not any("以下几个方面的问题" in _text(personal, i) for i in personal.of_type("Problem"))


def test_personal_example_inside_problem(personal: ParsedDocument) -> None:
    examples = personal.of_type("Example")
    assert len(examples) == 1
    assert examples[0].parent == personal.items.index(personal.of_type("Problem")[1])
    assert _text(personal, examples[0]).startswith("比如，2023年夏季部分乡镇出现季节性缺水")


def test_personal_last_year_section_gives_no_items(personal: ParsedDocument) -> None:
    past = _section(personal, fx.PERSONAL_PAST_HEADING[2:])
    assert past.attrs["role"] == "past"
    assert fx.PERSONAL_PAST_ITEMS[2] in _text(personal, past)
    inside = [i for i in personal.items if i.type != "Section" and past.start <= i.start < past.end]
    assert inside == []
    assert not any(_text(personal, i).startswith("针对") for i in personal.items if i.type != "Section")


def test_personal_causes(personal: ParsedDocument) -> None:
    causes = personal.of_type("Cause")
    assert _titles(personal, "Cause") == fx.PERSONAL_CAUSE_TITLES
    assert [c.marker for c in causes] == ["（一）", "（二）", "（三）"]
    for c, t, b in zip(causes, fx.PERSONAL_CAUSE_TITLES, fx.PERSONAL_CAUSE_BODIES, strict=True):
        assert _text(personal, c) == f"{c.marker}{t}。{b}"


def test_personal_measures_and_actions(personal: ParsedDocument) -> None:
    measures = personal.of_type("Measure")
    assert _titles(personal, "Measure") == fx.PERSONAL_MEASURE_TITLES
    assert [m.marker for m in measures] == ["1.", "2.", "3."]
    for m, steps in zip(measures, fx.PERSONAL_MEASURE_STEPS, strict=True):
        actions = _children(personal, m, "Action")
        assert [personal.doc.text[a.title_start : a.title_end] for a in actions] == [s.rstrip("；。") for s in steps]


def test_personal_closing_remark_is_not_part_of_last_measure(personal: ParsedDocument) -> None:
    """以上对照检查……恳请批评指正 closes the material; it is neither a measure, an action nor in one."""
    for it in personal.items:
        if it.type != "Section":
            assert "批评指正" not in _text(personal, it), f"{it.type} {it.path} contains the closing remark"
    last = personal.of_type("Measure")[-1]
    assert _text(personal, last).endswith(fx.PERSONAL_MEASURE_STEPS[-1][-1])


# =========================================================================== 2. 整改台账 blocks

LEDGER_LAYOUTS = {
    "blocks-inline-actions": {"section": False, "multiline_actions": False},
    "blocks-actions-one-per-line": {"section": False, "multiline_actions": True},
    "under-heading-inline-actions": {"section": True, "multiline_actions": False},
    "under-heading-actions-one-per-line": {"section": True, "multiline_actions": True},
}


@pytest.fixture(params=[*LEDGER_LAYOUTS, "markdown-under-heading-bold-labels"])
def ledger_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param.startswith("markdown"):
        return fx.write_ledger_md(tmp_path)
    return fx.write_ledger_txt(tmp_path, **LEDGER_LAYOUTS[request.param])


def test_ledger_blocks_give_problems_and_measures(ledger_path: Path) -> None:
    pd = _parse(ledger_path)
    assert _titles(pd, "Problem") == [b["problem"] for b in fx.LEDGER_BLOCKS]
    assert [p.marker for p in pd.of_type("Problem")] == ["问题1：", "问题2：", "问题3："]
    assert len(pd.of_type("Measure")) == len(fx.LEDGER_BLOCKS)
    for p, b in zip(pd.of_type("Problem"), fx.LEDGER_BLOCKS, strict=True):
        assert _text(pd, p) == f"{p.marker}{b['problem']}。{b['detail']}"


def test_ledger_fields_are_measure_attributes(ledger_path: Path) -> None:
    pd = _parse(ledger_path)
    measures = pd.of_type("Measure")
    assert len(measures) == len(fx.LEDGER_BLOCKS)
    for m, b in zip(measures, fx.LEDGER_BLOCKS, strict=True):
        assert m.attrs.get("owner") == b["owner"]
        assert m.attrs.get("department") == b["department"]
        assert m.attrs.get("deadline") == b["deadline"]
    for it in pd.items:
        if it.type in ("Measure", "Action", "Problem"):
            for label in ("责任领导", "责任部门", "完成时限"):
                assert label not in _text(pd, it), f"{it.type} {it.path} swallows the {label} line"


def test_ledger_actions_split_on_numbers(ledger_path: Path) -> None:
    pd = _parse(ledger_path)
    measures = pd.of_type("Measure")
    assert len(measures) == len(fx.LEDGER_BLOCKS)
    for m, b in zip(measures, fx.LEDGER_BLOCKS, strict=True):
        actions = _children(pd, m, "Action")
        acts: list[str] = b["actions"]  # type: ignore[assignment]
        assert [pd.doc.text[a.title_start : a.title_end] for a in actions] == [a.rstrip("。") for a in acts]
        assert [a.marker for a in actions] == [f"{k}." for k in range(1, len(acts) + 1)]
        assert [_text(pd, a) for a in actions] == [f"{k}.{a}" for k, a in enumerate(acts, 1)]


def test_ledger_explicit_addresses_after_build(ledger_path: Path) -> None:
    g, report = build([ledger_path])
    assert report.failed == []
    problems = {d["title"]: n for n, d in g.nodes(data=True) if d.get("type") == "Problem"}
    measures = sorted((n for n, d in g.nodes(data=True) if d.get("type") == "Measure"),
                      key=lambda n: g.nodes[n]["start"])
    assert len(measures) == len(fx.LEDGER_BLOCKS)
    for m, b in zip(measures, fx.LEDGER_BLOCKS, strict=True):
        explicit = [v for _, v, d in g.out_edges(m, data=True)
                    if d.get("type") == "ADDRESSES" and d.get("origin") == "explicit"]
        assert explicit == [problems[b["problem"]]]
        assert g.nodes[m]["owner"] == b["owner"]


# =========================================================================== 3. Word: list numbering + table


@pytest.fixture
def docx_path(tmp_path: Path) -> Path:
    return fx.write_docx(tmp_path)


def test_docx_problems_from_automatic_numbering(docx_path: Path) -> None:
    pd = _parse(docx_path)
    assert pd.title == fx.DOCX_TITLE
    problems = pd.of_type("Problem")
    assert _titles(pd, "Problem") == [t for t, _ in fx.DOCX_PROBLEMS]
    assert [p.marker for p in problems] == ["1.", "2.", "3.", "4."]
    for p, (t, b) in zip(problems, fx.DOCX_PROBLEMS, strict=True):
        assert _text(pd, p) == f"{p.marker}{t}。{b}"
        assert p.parent == pd.items.index(_section(pd, "存在的主要问题"))


def test_docx_causes_from_chinese_counting_list(docx_path: Path) -> None:
    pd = _parse(docx_path)
    assert _titles(pd, "Cause") == [t for t, _ in fx.DOCX_CAUSES]
    assert [c.marker for c in pd.of_type("Cause")] == ["（一）", "（二）", "（三）"]


def test_docx_measures_come_from_table_rows(docx_path: Path) -> None:
    pd = _parse(docx_path)
    table_measures = [m for m in pd.of_type("Measure") if "表" in m.path]
    assert len(table_measures) == len(fx.DOCX_MEASURE_ROWS)
    for m, row in zip(table_measures, fx.DOCX_MEASURE_ROWS, strict=True):
        _, cell, target, dept, deadline = row
        assert _text(pd, m) == cell
        assert pd.doc.text[m.title_start : m.title_end] == cell.split("。")[0]
        assert m.attrs["department"] == dept
        assert m.attrs["deadline"] == deadline
        assert m.attrs["target_text"] == target
        assert [pd.doc.text[a.title_start : a.title_end] for a in _children(pd, m, "Action")] == \
            [s for s in cell.split("。") if s]


def test_docx_signature_after_table_is_not_a_measure(docx_path: Path) -> None:
    """The 落款 (issuing body and date) after the table closes the document."""
    pd = _parse(docx_path)
    assert len(pd.of_type("Measure")) == len(fx.DOCX_MEASURE_ROWS)
    assert not any(_text(pd, i) in ("中共清河县教育局党组", "2024年3月15日") for i in pd.items)


def test_docx_target_column_gives_explicit_addresses(docx_path: Path) -> None:
    g, report = build([docx_path])
    assert report.failed == []
    problems = [t for t, _ in fx.DOCX_PROBLEMS]
    by_title = {d["title"]: n for n, d in g.nodes(data=True) if d.get("type") == "Problem"}
    measure_of = {d["text"]: n for n, d in g.nodes(data=True) if d.get("type") == "Measure"}
    for r, row in enumerate(fx.DOCX_MEASURE_ROWS):
        m = measure_of[row[1]]
        explicit = [v for _, v, d in g.out_edges(m, data=True)
                    if d.get("type") == "ADDRESSES" and d.get("origin") == "explicit"]
        assert explicit == [by_title[problems[fx.DOCX_TARGETS[r]]]], row[2]
        assert g.nodes[m]["department"] == row[3]


# =========================================================================== 4. PDF


def test_pdf_structure_with_whole_titles(tmp_path: Path) -> None:
    pd = _parse(fx.write_pdf(tmp_path))
    assert pd.title == fx.PDF_TITLE
    assert _titles(pd, "Problem") == [t for t, _ in fx.PDF_PROBLEMS]
    assert _titles(pd, "Cause") == [t for t, _ in fx.PDF_CAUSES]
    assert _titles(pd, "Measure") == [t for t, _ in fx.PDF_MEASURES]
    for it, (t, b) in zip(pd.of_type("Problem") + pd.of_type("Cause") + pd.of_type("Measure"),
                          fx.PDF_PROBLEMS + fx.PDF_CAUSES + fx.PDF_MEASURES, strict=True):
        assert _text(pd, it) == f"{it.marker}{t}。{b}"
        assert "\n" not in _text(pd, it)


# =========================================================================== 5. Markdown


def test_markdown_headings_layout(tmp_path: Path) -> None:
    pd = _parse(fx.write_md(tmp_path))
    assert pd.title == fx.MD_TITLE
    roles = {pd.doc.text[s.title_start : s.title_end]: s.attrs["role"] for s in pd.of_type("Section")}
    assert roles == {"总体要求": "none", "存在的主要问题": "problem", "原因剖析": "cause", "整改措施": "measure",
                     "组织保障": "none"}
    assert _titles(pd, "Problem") == [t for t, _ in fx.MD_PROBLEMS]
    assert _titles(pd, "Cause") == [t for t, _ in fx.MD_CAUSES]
    # （一）织密食品安全监管网络 over 一是…二是…: the smallest enumerated units are the measures, the heading
    # above them their group (an Area)
    groups = [a for a in pd.of_type("Area") if a.attrs.get("group") == "measures"]
    assert [pd.doc.text[a.title_start : a.title_end] for a in groups] == [t for t, _ in fx.MD_MEASURES]
    assert _titles(pd, "Measure") == [a for _, acts in fx.MD_MEASURES for a in acts]
    for g, (_, acts) in zip(groups, fx.MD_MEASURES, strict=True):
        units = [m for m in pd.of_type("Measure") if m.parent is not None and pd.items[m.parent] is g]
        assert [m.marker for m in units] == ["一是", "二是", "三是"][: len(acts)]
    # 总体要求 / 组织保障 text produces nothing
    assert not any("统筹推进整改工作" in _text(pd, i) or "条条有整改" in _text(pd, i)
                   for i in pd.items if i.type != "Section")


# =========================================================================== 6. BOM + 全角/半角 markers


def test_bom_and_mixed_width_markers(tmp_path: Path) -> None:
    pd = _parse(fx.write_bom_txt(tmp_path))
    assert pd.doc.encoding == "utf-8-sig"
    for type_, spec in (("Problem", fx.BOM_PROBLEMS), ("Cause", fx.BOM_CAUSES), ("Measure", fx.BOM_MEASURES)):
        items = pd.of_type(type_)
        assert [i.marker for i in items] == [m for m, _, _ in spec]  # markers as written, not normalised
        assert _titles(pd, type_) == [t for _, t, _ in spec]
        assert len({i.parent for i in items}) == 1  # (一) and （二） are one list, not two levels
        for i, (m, t, b) in zip(items, spec, strict=True):
            assert _text(pd, i) == f"{m}{t}。{b}"


def test_signature_after_marked_measures_is_not_in_the_last_measure(tmp_path: Path) -> None:
    """The 落款 (issuing body, date) that ends most materials belongs to no measure or action."""
    path = tmp_path / "带落款.txt"
    path.write_text(fx.bom_text() + "清河县统计局党组\n2024年1月10日\n", encoding="utf-8")
    pd = _parse(path)
    assert len(pd.of_type("Measure")) == len(fx.BOM_MEASURES)
    m, t, b = fx.BOM_MEASURES[-1]
    assert _text(pd, pd.of_type("Measure")[-1]) == f"{m}{t}。{b}"
    assert not any("2024年1月10日" in _text(pd, i) for i in pd.items if i.type != "Section")


# =========================================================================== invariants over every layout

WRITERS: dict[str, Callable[[Path], Path]] = {
    "personal-gb18030": fx.write_personal_gb18030,
    "ledger-under-heading": lambda d: fx.write_ledger_txt(d, section=True),
    "docx": fx.write_docx,
    "pdf": fx.write_pdf,
    "md": fx.write_md,
    "bom": fx.write_bom_txt,
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_spans_are_nested_and_slice_the_text(tmp_path: Path, name: str) -> None:
    pd = _parse(WRITERS[name](tmp_path))
    n = len(pd.doc.text)
    for it in pd.items:
        assert 0 <= it.start <= it.title_start <= it.title_end <= it.end <= n, (it.type, it.path)
        assert _text(pd, it) == _text(pd, it).strip(), (it.type, it.path)
        assert pd.doc.text[it.title_start : it.title_end].strip(), (it.type, it.path)
        if it.parent is not None:
            par = pd.items[it.parent]
            assert par.start <= it.start and it.end <= par.end, (it.type, it.path, par.path)
