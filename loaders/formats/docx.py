"""Word (.docx) loader: body paragraphs and tables in document order, heading styles as hints,
and automatic list numbering rendered into the text (Word stores those numbers outside the text)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from tracegraph.errors import LoadError
from tracegraph.loaders.formats.document import LoadedDocument, Paragraph
from tracegraph.loaders.formats.encoding import MAX_POSITIONS, DecodeInfo, clean_controls
from tracegraph.loaders.formats.limits import Limits, limits, mb

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 105 → 一百零五 (enough for list numbering)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = ""
        if rest:
            tail = (
                ("零" + chinese_number(rest))
                if rest < 10
                else (_CN_DIGITS[rest // 10] + "十" + (_CN_DIGITS[rest % 10] if rest % 10 else ""))
            )
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "chineseLegalSimplified",
        "ideographDigital",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
    ):
        return chinese_number(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, k = "", n
        for v, s in vals:
            while k >= v:
                out, k = out + s, k - v
        return out.upper() if fmt == "upperRoman" else out
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Resolves w:numPr to rendered labels, keeping counters as Word does."""

    def __init__(self, doc: Any) -> None:
        self.levels: dict[str, dict[int, dict[str, Any]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = doc.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, dict[str, Any]]] = {}
        for an in root.findall(f"{_W}abstractNum"):
            lv: dict[int, dict[str, Any]] = {}
            for lvl in an.findall(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt = lvl.find(f"{_W}numFmt")
                txt = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                lv[ilvl] = {
                    "fmt": fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    "text": txt.get(f"{_W}val") if txt is not None else f"%{ilvl + 1}.",
                    "start": int(start.get(f"{_W}val")) if start is not None else 1,
                }
            abstract[an.get(f"{_W}abstractNumId")] = lv
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            lv = {k: dict(v) for k, v in abstract.get(ref.get(f"{_W}val"), {}).items()}
            for ov in num.findall(f"{_W}lvlOverride"):
                so = ov.find(f"{_W}startOverride")
                ilvl = int(ov.get(f"{_W}ilvl", "0"))
                if so is not None and ilvl in lv:
                    lv[ilvl]["start"] = int(so.get(f"{_W}val"))
            # counters are shared per abstract list, as Word continues numbering across num ids
            self.levels[num.get(f"{_W}numId")] = lv
            self.counters.setdefault(num.get(f"{_W}numId"), {})

    def label(self, num_id: str, ilvl: int) -> str:
        lv = self.levels.get(num_id)
        if not lv or ilvl not in lv:
            return ""
        counters = self.counters[num_id]
        counters[ilvl] = counters.get(ilvl, lv[ilvl]["start"] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = lv[ilvl]["text"]
        if lv[ilvl]["fmt"] in ("bullet", "none"):
            return ""

        def repl(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            if k not in lv:
                return ""
            value = counters.get(k, lv[k]["start"])
            return _format_number(value, lv[k]["fmt"])

        return re.sub(r"%(\d)", repl, text)


def _num_pr(p_el: Any, styles: dict[str, Any]) -> tuple[str, int] | None:
    ppr = p_el.find(f"{_W}pPr")
    style_id = None
    if ppr is not None:
        num = ppr.find(f"{_W}numPr")
        if num is not None:
            nid = num.find(f"{_W}numId")
            ilvl = num.find(f"{_W}ilvl")
            if nid is not None and nid.get(f"{_W}val") != "0":
                return nid.get(f"{_W}val"), int(ilvl.get(f"{_W}val")) if ilvl is not None else 0
        ps = ppr.find(f"{_W}pStyle")
        style_id = ps.get(f"{_W}val") if ps is not None else None
    seen = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        st = styles.get(style_id)
        if st is None:
            break
        sppr = st.find(f"{_W}pPr")
        if sppr is not None:
            num = sppr.find(f"{_W}numPr")
            if num is not None and num.find(f"{_W}numId") is not None:
                ilvl = num.find(f"{_W}ilvl")
                return num.find(f"{_W}numId").get(f"{_W}val"), int(ilvl.get(f"{_W}val")) if ilvl is not None else 0
        based = st.find(f"{_W}basedOn")
        style_id = based.get(f"{_W}val") if based is not None else None
    return None


_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def check_package(path: Path, data: bytes, lim: Limits | None = None) -> None:
    """Refuse a .docx whose zip would expand beyond the budgets, from its central directory alone (before any
    member is inflated): total expanded size, XML size, member count and compression ratio."""
    lim = lim or limits()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError, RuntimeError) as exc:
        # NotImplementedError: a zip version or compression the standard library cannot read
        raise LoadError(path, f".docx 文件已损坏，无法打开：{type(exc).__name__}") from None
    if len(infos) > lim.max_zip_members:
        raise LoadError(
            path, f".docx 含 {len(infos)} 个压缩成员，超过上限 {lim.max_zip_members}（TRACEGRAPH_MAX_ZIP_MEMBERS）"
        )
    total = sum(i.file_size for i in infos)
    if total > lim.max_expanded_bytes:
        raise LoadError(
            path, f".docx 解压后共 {mb(total)}，超过上限 {mb(lim.max_expanded_bytes)}（TRACEGRAPH_MAX_EXPANDED_MB）"
        )
    xml = sum(i.file_size for i in infos if i.filename.lower().endswith((".xml", ".rels")))
    if xml > lim.max_xml_bytes:
        raise LoadError(
            path, f".docx 的 XML 内容解压后 {mb(xml)}，超过上限 {mb(lim.max_xml_bytes)}（TRACEGRAPH_MAX_XML_MB）"
        )
    for i in infos:
        if i.file_size > lim.ratio_floor_bytes and i.file_size > lim.max_ratio * max(i.compress_size, 1):
            raise LoadError(
                path,
                f".docx 成员 {i.filename!r} 压缩比 {i.file_size / max(i.compress_size, 1):.0f}:1，"
                f"超过上限 {lim.max_ratio:.0f}:1（TRACEGRAPH_MAX_RATIO，疑似压缩炸弹）",
            )


class _StyleIndex:
    """Paragraph style names by id, read once: python-docx's `paragraph.style` searches every style with an
    XPath query per paragraph (about 0.9 ms each on a real style sheet, minutes for a long document)."""

    def __init__(self, styles: dict[str, Any]) -> None:
        self.names: dict[str, str] = {}
        self.default = ""
        for sid, st in styles.items():
            if st.get(f"{_W}type", "paragraph") != "paragraph":
                continue
            n = st.find(f"{_W}name")
            name = _ui_name(n.get(f"{_W}val", "") if n is not None else "")
            if sid is not None:
                self.names[sid] = name
            if st.get(f"{_W}default") in ("1", "true", "on"):
                self.default = name

    def name(self, p_el: Any) -> str:
        ppr = p_el.find(f"{_W}pPr")
        ps = ppr.find(f"{_W}pStyle") if ppr is not None else None
        sid = ps.get(f"{_W}val") if ps is not None else None
        return self.names.get(sid, self.default) if sid is not None else self.default


_R = f"{_W}r"
_RUN_PARTS = tuple(f"{_W}{t}" for t in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))


_T = f"{_W}t"


def _p_text(p_el: Any, lost: list[int] | None = None) -> str:
    """python-docx's `Paragraph.text` (runs and hyperlinks' runs; tabs, breaks and no-break hyphens rendered by
    their element classes) without its two XPath queries per paragraph and per run, which were most of the cost
    of reading a long document.

    A `w:t` holds text only; anything inside it (an unresolved entity, a comment, an instruction) cannot be
    read: python-docx returns the text before it and silently loses the rest. Here the readable text around
    it is kept and one count per unreadable node is appended to `lost`, so the loader can say so."""
    out: list[str] = []
    for e in p_el.iterchildren(_R, f"{_W}hyperlink"):
        runs = (e,) if e.tag == _R else e.iterchildren(_R)
        for r in runs:
            for x in r.iterchildren(*_RUN_PARTS):
                if x.tag == _T and len(x):
                    if lost is not None:
                        lost.append(len(x))
                    out.append((x.text or "") + "".join(c.tail or "" for c in x))
                else:
                    out.append(str(x))
    return "".join(out)


def _ui_name(name: str) -> str:
    """Word's internal built-in names as python-docx shows them ("heading 1" → "Heading 1")."""
    low = name.lower()
    if low.startswith("heading ") or low in ("title", "subtitle", "normal", "caption"):
        return name[:1].upper() + name[1:]
    return name


def _heading_level(p_el: Any, style_index: _StyleIndex) -> int | None:
    name = style_index.name(p_el)
    if name.lower() == "title" or name == "标题":
        return 0
    m = _HEADING_STYLE.match(name.strip())
    if m:
        return int(m.group(1))
    ppr = p_el.find(f"{_W}pPr")
    if ppr is not None:
        ol = ppr.find(f"{_W}outlineLvl")
        if ol is not None and ol.get(f"{_W}val", "9").isdigit() and int(ol.get(f"{_W}val")) < 9:
            return int(ol.get(f"{_W}val")) + 1
    return None


def load_docx(path: Path, data: bytes) -> LoadedDocument:
    try:
        import docx  # python-docx
        from docx.table import Table
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise LoadError(path, f"缺少 python-docx：{exc}") from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise LoadError(path, "不是有效的 .docx（可能是旧版 .doc 或已加密的 Word 文件），请另存为 .docx")
        raise LoadError(path, "不是有效的 .docx 文件（不是 ZIP 格式，可能已损坏）")
    check_package(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on broken packages
        raise LoadError(path, f".docx 文件已损坏，无法打开：{type(exc).__name__}") from None

    styles = {s.get(f"{_W}styleId"): s for s in document.styles.element.findall(f"{_W}style")}
    style_index = _StyleIndex(styles)
    numbering = _Numbering(document)
    info = DecodeInfo()
    pieces: list[str] = []
    paras: list[Paragraph] = []
    pos = 0

    def clean(text: str) -> str:
        text, n = clean_controls(text)
        info.controls_dropped += n
        return text

    unreadable: list[tuple[int, int, int]] = []  # (paragraph number, offset in the text, nodes)
    para_no = 0

    def read(p_el: Any) -> str:
        """One paragraph's text; what it holds that cannot be read is noted with its position."""
        nonlocal para_no
        para_no += 1
        lost: list[int] = []
        text = _p_text(p_el, lost)
        if lost:
            unreadable.append((para_no, pos, sum(lost)))
        return text

    def emit(text: str, **kw: Any) -> Paragraph:
        nonlocal pos
        para = Paragraph(start=pos, end=pos + len(text), **kw)
        pieces.append(text + "\n")
        pos += len(text) + 1
        paras.append(para)
        return para

    table_no = 0
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            text = clean(read(child)).strip()
            if not text:
                continue
            npr = _num_pr(child, styles)
            label = numbering.label(*npr) if npr else ""
            if label and not text.startswith(label):
                text = label + text
            emit(text, heading_level=_heading_level(child, style_index))
        elif child.tag == f"{_W}tbl":
            table_no += 1
            table = Table(child, document)
            header: list[str] = []
            for r, row in enumerate(table.rows):
                cells_text: list[str] = []
                seen_tc: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen_tc:
                        continue
                    seen_tc.add(id(cell._tc))
                    cell_lines = []
                    for cp in cell.paragraphs:
                        t = clean(read(cp._p)).strip()
                        if not t:
                            continue
                        npr = _num_pr(cp._p, styles)
                        label = numbering.label(*npr) if npr else ""
                        cell_lines.append(label + t if label and not t.startswith(label) else t)
                    cells_text.append("\n".join(cell_lines).replace("\t", " "))
                if not any(cells_text):
                    continue
                if r == 0:
                    header = cells_text
                spans = []
                offset = pos
                for i, c in enumerate(cells_text):
                    spans.append((offset, offset + len(c)))
                    offset += len(c) + (1 if i < len(cells_text) - 1 else 0)
                emit("\t".join(cells_text), kind="table_row", cells=spans, table=table_no, header=list(header))
    if not paras:
        raise LoadError(path, ".docx 中没有文字内容")
    return LoadedDocument(
        path=str(path),
        text="".join(pieces),
        encoding="docx",
        format="docx",
        paragraphs=paras,
        sha256=hashlib.sha256(data).hexdigest(),
        decode_warnings=info.warnings() + _unreadable_warning(unreadable),
    )


def _unreadable_warning(unreadable: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """Paragraphs whose XML held something that cannot be read (an unresolved entity, a comment or an
    instruction inside the text): their readable text is kept, the lost part is reported with its position."""
    if not unreadable:
        return []
    nodes = sum(n for _, _, n in unreadable)
    where = "、".join(f"第 {no} 段（第 {off} 字）" for no, off, _ in unreadable[:5])
    where += "…" if len(unreadable) > 5 else ""
    return [
        {
            "code": "unreadable_xml",
            "count": nodes,
            "paragraphs": [no for no, _, _ in unreadable[:MAX_POSITIONS]],
            "positions": [off for _, off, _ in unreadable[:MAX_POSITIONS]],
            "text": f"{len(unreadable)} 个段落含无法读取的 XML（未解析的实体等，共 {nodes} 处），"
            f"该处文字未读入：{where}",
        }
    ]
