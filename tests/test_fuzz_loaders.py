"""Property-based fuzz of the loaders and the structure parser, plus targeted pathological inputs.

The contract: whatever bytes or text arrive, reading and parsing either succeed or raise one of the
project's own errors (TracegraphError and subclasses, which carry a one-line reason) — never anything
else — and every example finishes within a time bound. Example counts are reported at the end of the
module (they show in `pytest -q` output).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracegraph.errors import TracegraphError
from tracegraph.loaders import load_file, parse

DEADLINE_MS = 2000  # per example
BOUND_S = 5.0  # per pathological input
RAN: Counter[str] = Counter()
OUTCOME: Counter[str] = Counter()

MARKERS = [
    "一、", "二、", "三、", "十二、", "（一）", "（二）", "(三)", "1.", "2.", "3、", "10.", "（1）", "(2)", "①", "②",
    "⑳", "一是", "二是", "三是", "十是", "首先，", "其次，", "再次，", "最后，", "第一，", "第二，", "第一部分",
    "第二章", "问题1：", "问题2：", "问题三：", "整改措施：", "责任领导：", "责任部门：", "完成时限：", "针对问题：",
    "整改情况：", "存在的问题", "查摆的主要问题", "原因分析", "产生问题的原因", "整改措施", "努力方向和整改措施",
    "下一步打算", "整改落实情况", "其他事项说明：", "未发现", "在学习方面，", "关于“", "”问题的整改", "针对“",
    "比如，", "再如，", "以上", "“", "”", "《", "》", "。", "；", "：", "，", "\n", "\n\n", "\r\n", "\t", "\u3000",
    "\ufeff", "XX县", "某市", "# ", "## ", "### ", "> ", "- ", "**", "| 问题 | 整改措施 | 责任领导 |",
    "|---|---|---|", "| a | b | c |", "习近平新时代中国特色社会主义思想", "“两个确立”", "中央八项规定",
    "《中国共产党纪律处分条例》",
]  # fmt: skip
HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=12)
PIECE = st.one_of(st.sampled_from(MARKERS), HAN, st.text(max_size=12))
HEADS = [
    "一、存在的问题", "二、原因分析", "三、整改措施", "四、下一步打算", "（一）存在的问题", "一、查摆的主要问题",
    "二、产生问题的原因", "三、整改落实情况", "# 存在的问题", "## 整改措施", "问题1：", "其他事项说明：",
    "第一部分 问题",
]  # fmt: skip
ITEM_MARKERS = ["一是", "二是", "三是", "1.", "2.", "（1）", "（一）", "（二）", "①", "首先，", "其次，", "第一，", ""]
LINE = st.lists(PIECE, max_size=8).map("".join)
ITEM = st.tuples(st.sampled_from(ITEM_MARKERS), HAN, st.sampled_from(["。", "，", "；", ""]), LINE).map("".join)
# Free mixtures of pieces, and line-structured documents (headings, numbered items, noise) that reach
# deep into the parser instead of stopping at "no structure found".
DOC_TEXT = st.one_of(
    st.lists(PIECE, max_size=80).map("".join),
    st.lists(st.one_of(st.sampled_from(HEADS), ITEM, ITEM, LINE), max_size=40).map("\n".join),
)
FUZZ = settings(
    max_examples=300, deadline=DEADLINE_MS, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _read(name: str, data: bytes) -> str:
    """Load and parse; returns the outcome, lets anything but TracegraphError through."""
    try:
        parse(load_file(Path(name), data=data))
    except TracegraphError as exc:
        assert str(exc).strip() and "\n" not in getattr(exc, "reason", "x")
        return type(exc).__name__
    return "parsed"


def _count(test: str, outcome: str) -> None:
    RAN[test] += 1
    OUTCOME[f"{test}:{outcome}"] += 1


@pytest.fixture(scope="module", autouse=True)
def report_counts(request: pytest.FixtureRequest):
    yield
    tr = request.config.pluginmanager.getplugin("terminalreporter")
    lines = []
    for k, v in sorted(RAN.items()):
        parts = [f"{o.split(':', 1)[1]} {n}" for o, n in sorted(OUTCOME.items()) if o.startswith(k + ":")]
        lines.append(f"  {k}: {v} examples ({', '.join(parts)})")
    msg = f"\n[fuzz] {sum(RAN.values())} examples in total\n" + "\n".join(lines)
    capman = request.config.pluginmanager.getplugin("capturemanager")
    if tr is not None and capman is not None:
        with capman.global_and_fixture_disabled():  # teardown output is captured otherwise
            tr.write_line(msg)
    else:  # pragma: no cover
        print(msg)


# ---------------------------------------------------------------------------------------------- properties
@FUZZ
@given(text=DOC_TEXT, enc=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_text_with_markers_never_crashes(text: str, enc: str) -> None:
    _count("txt text", _read("f.txt", text.encode(enc)))


@FUZZ
@given(text=DOC_TEXT)
def test_markdown_never_crashes(text: str) -> None:
    _count("md text", _read("f.md", text.encode("utf-8")))


@settings(FUZZ, max_examples=200)
@given(data=st.binary(max_size=4096), ext=st.sampled_from([".txt", ".md", ".docx", ".pdf"]))
def test_arbitrary_bytes_never_crash(data: bytes, ext: str) -> None:
    _count("bytes", _read("f" + ext, data))


@settings(FUZZ, max_examples=100)
@given(body=st.binary(max_size=4096))
def test_pdf_shaped_bytes_never_crash(body: bytes) -> None:
    _count("pdf-shaped", _read("f.pdf", b"%PDF-1.4\n" + body))


def _docx(paras: list[tuple[str, int]], table: list[list[str]]) -> bytes:
    import docx

    d = docx.Document()
    for text, level in paras:
        clean = "".join(ch for ch in text if ch in "\t\n" or (ord(ch) >= 32 and ch not in "\ufffe\uffff"))
        try:
            d.add_heading(clean, level) if level else d.add_paragraph(clean)
        except ValueError:  # python-docx refuses some XML-invalid characters: not what is under test
            d.add_paragraph("x")
    if table:
        t = d.add_table(rows=len(table), cols=max(len(r) for r in table))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = "".join(ch for ch in cell if ord(ch) >= 32 and ch not in "\ufffe\uffff")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@settings(FUZZ, max_examples=80)
@given(
    paras=st.lists(st.tuples(DOC_TEXT, st.integers(0, 4)), max_size=15),
    table=st.lists(st.lists(st.one_of(st.sampled_from(["问题", "整改措施", "责任领导", "原因"]), PIECE), min_size=1,
                            max_size=4), max_size=5),
)  # fmt: skip
def test_generated_docx_never_crashes(paras: list[tuple[str, int]], table: list[list[str]]) -> None:
    _count("docx", _read("f.docx", _docx(paras, table)))


@settings(FUZZ, max_examples=80)
@given(paras=st.lists(DOC_TEXT, min_size=1, max_size=6), flips=st.lists(st.tuples(st.integers(0), st.integers(0, 255)),
                                                                          min_size=1, max_size=8))  # fmt: skip
def test_damaged_docx_never_crashes(paras: list[str], flips: list[tuple[int, int]]) -> None:
    data = bytearray(_docx([(p, 0) for p in paras], []))
    for pos, val in flips:
        data[pos % len(data)] = val
    _count("docx damaged", _read("f.docx", bytes(data)))


XML_PIECES = [
    "<w:p>", "</w:p>", "<w:t>", "</w:t>", "<w:r>", "</w:r>", "&amp;", "<w:tbl>", "</w:tbl>", "<w:tr>", "</w:tr>",
    "<w:tc>", "</w:tc>", '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>',
    '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>', "<w:p><w:r><w:t>一、存在的问题</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>一是学习不够。二是作风不实。</w:t></w:r></w:p>",
]  # fmt: skip
XML_TEXT = PIECE.map(lambda x: x.replace("<", "").replace("&", ""))


@settings(FUZZ, max_examples=60)
@given(xml=st.lists(st.one_of(st.sampled_from(XML_PIECES), XML_TEXT), max_size=40).map("".join))
def test_hand_made_docx_packages_never_crash(xml: str) -> None:
    """A real package (styles, numbering parts) whose document.xml body is replaced by fuzzed markup."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = _docx([("模板", 0)], [["问题", "整改措施"], ["a", "b"]])
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = f'<?xml version="1.0"?><w:document {ns}><w:body>{xml}</w:body></w:document>'
    src, out = zipfile.ZipFile(io.BytesIO(_TEMPLATE)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            z.writestr(item, body.encode("utf-8") if item.filename == "word/document.xml" else src.read(item))
    _count("docx hand-made", _read("f.docx", out.getvalue()))


_TEMPLATE: bytes | None = None


@settings(FUZZ, max_examples=100, deadline=DEADLINE_MS * 2)
@given(text=DOC_TEXT)
def test_parsed_documents_build_and_link(text: str) -> None:
    """What the parser returns must also be safe for the graph builder and the linker."""
    from tracegraph.graph.build.document import add_document, new_graph
    from tracegraph.graph.link.linker import link_graph

    try:
        parsed = parse(load_file(Path("f.txt"), data=text.encode("utf-8")))
    except TracegraphError as exc:
        _count("build+link", type(exc).__name__)
        return
    g = new_graph()
    add_document(g, parsed, "d")
    link_graph(g)
    _count("build+link", "linked")


# ---------------------------------------------------------------------------------------------- pathological
def _timed(name: str, data: bytes, ext: str = ".txt") -> tuple[str, float]:
    t = time.perf_counter()
    outcome = _read("p" + ext, data)
    return outcome, time.perf_counter() - t


BODY = "部领导班子学习不够深入，存在问题。"
LONG_LINES = {
    "enumerated 一是…九是": "一、存在的问题\n" + "".join(f"{'一二三四五六七八九'[k % 9]}是{BODY}" for k in range(6000)),
    "一是 repeated": "一、存在的问题\n" + "一是" * 50000,
    "（一） repeated": "一、存在的问题\n" + "（一）" * 33334,
    "unclosed quotes": "一、存在的问题\n一是" + "“" * 100000,
    "sentence stops": "一、存在的问题\n" + "。" * 100000,
    "named problem": "三、整改措施\n（一）关于“" + "问" * 99990 + "”问题的整改",
    "examples": "一、存在的问题\n一是不够。" + "比如，" * 33334,
    "topics": "一、存在的问题\n其他事项说明：" + "在学习方面，" * 16667,
    "none-found sentences": "一、存在的问题\n其他事项说明：" + "未发现问题。" * 16667,
    "redactions": "一、存在的问题\n一是" + "XX县" * 33334,
    "numerals": "一、存在的问题\n" + "十" * 100000 + "是",
}


@pytest.mark.parametrize("kind", list(LONG_LINES))
def test_one_100000_character_line(kind: str) -> None:
    text = LONG_LINES[kind]
    line = max(text.split("\n"), key=len)
    assert len(line) >= 100000
    outcome, secs = _timed(kind, text.encode("utf-8"))
    _count("100k line", outcome)
    assert secs < BOUND_S, f"{kind}: {secs:.1f} s for one {len(line)}-character line ({outcome})"


def test_10000_nested_numbering_levels() -> None:
    """Every marker style in turn, each opening a deeper level, 10,000 headings; plus a 10,000-level
    dotted number and Markdown headings cycling through all six depths."""
    styles = ["一、", "（一）", "1.", "（1）", "①", "一是", "问题1：", "第一部分"]
    lines = ["一、存在的问题"] + [f"{styles[k % len(styles)]}干部学习不够深入的问题{k}" for k in range(10000)]
    outcome, secs = _timed("levels", "\n".join(lines).encode("utf-8"))
    _count("10k levels", outcome)
    assert outcome == "parsed" and secs < BOUND_S, secs
    dotted = "一、存在的问题\n" + ".".join(["1"] * 10000) + " 学习不够深入\n" + ".".join(["1"] * 10000)
    outcome, secs = _timed("dotted", dotted.encode("utf-8"))
    _count("10k levels", outcome)
    assert secs < BOUND_S, secs
    md = ["# 一、存在的问题"] + [("#" * (k % 6 + 1)) + f" {k % 9 + 1}.学习不够深入{k}" for k in range(10000)]
    outcome, secs = _timed("md", "\n".join(md).encode("utf-8"), ".md")
    _count("10k levels", outcome)
    assert secs < BOUND_S, secs


def test_many_numbered_items_scale_linearly() -> None:
    """A 台账-sized document: 8× the numbered items may take about 8× the time, not 64× (a quadratic
    step). 16,000 items is 0.5 MB of text, far under the 50 MB cap."""

    def doc(n: int) -> bytes:
        return ("一、存在的问题\n" + "\n".join(f"一是存在问题{k}。二是学习不够{k}。" for k in range(n))).encode()

    _timed("warm", doc(100))
    _, small = _timed("1000", doc(1000))
    outcome, large = _timed("8000", doc(8000))
    _count("scaling", outcome)
    assert large < 20 * small + 0.5, f"1,000 paragraphs: {small:.2f} s, 8,000 paragraphs: {large:.2f} s"


def test_ledger_table_without_headings() -> None:
    """The shrunk fuzz failure as the real document it stands for: a 整改台账 .docx that is a title line
    and a table (存在问题 | 整改措施 | 责任领导), no numbered headings — common in practice."""
    data = _docx(
        [("县委组织部巡察整改台账", 0)],
        [
            ["存在问题", "整改措施", "责任领导"],
            ["理论学习不深入", "制定学习计划", "张三"],
            ["作风不实", "开展作风整顿", "李四"],
        ],
    )
    outcome = _read("ledger.docx", data)
    _count("ledger table", outcome)
    assert outcome == "parsed"


def test_mixed_encodings() -> None:
    sample = (Path(__file__).resolve().parents[1] / "data" / "000_ddb002e987b04e7f.txt").read_text(encoding="utf-8")
    lines = sample.split("\n")

    def mix(encs: list[str], reps: int = 1) -> bytes:
        return b"\n".join(ln.encode(encs[i % len(encs)], errors="replace") for i, ln in enumerate(lines * reps))

    cases = {
        "utf-8 + gbk lines": mix(["utf-8", "gbk"]),
        "utf-8 + gbk, 10×": mix(["utf-8", "gb18030", "utf-8"], 10),
        "utf-8 + big5": mix(["utf-8", "big5"]),
        "seven encodings": mix(["utf-8", "gbk", "gb18030", "big5", "shift_jis", "utf-16-le", "latin-1"]),
        "utf-8 BOM over gbk": b"\xef\xbb\xbf" + sample.encode("gbk"),
        "utf-16 BOM over utf-8": b"\xff\xfe" + sample.encode("utf-8"),
        "utf-16 without BOM": sample.encode("utf-16-le"),
        "utf-32": sample.encode("utf-32"),
        "hz": sample.encode("hz", errors="replace"),
        "utf-7": sample.encode("utf-7"),
        "gbk with one bad byte per line": b"\n".join(ln.encode("gbk") + b"\xff" for ln in lines),
    }
    outcomes = {}
    for name, data in cases.items():
        outcome, secs = _timed(name, data)
        _count("mixed encodings", outcome)
        outcomes[name] = outcome
        assert secs < BOUND_S, (name, secs)
    assert outcomes["utf-8 + gbk lines"] == "parsed" and outcomes["utf-8 + gbk, 10×"] == "parsed"
    assert outcomes["utf-8 BOM over gbk"] == "LoadError"
