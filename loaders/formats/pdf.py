"""PDF loader for files with a text layer: lines broken by the page width are joined back into
paragraphs, page numbers dropped; a scan without text gets a clear message.

Line geometry decides the joins where it is available: a line that runs to the right margin continues
on the next line unless that one is indented or opens a numbered item. pdfminer puts a blank line
between lines whose leading exceeds its line margin (公文 use 16 pt type on ~28 pt leading), so the
blank lines of its plain-text output cannot tell a paragraph break from a wrapped line.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tracegraph.errors import LoadError
from tracegraph.loaders.formats.document import LoadedDocument, paragraphs_from_lines
from tracegraph.loaders.formats.encoding import DecodeInfo, clean_controls
from tracegraph.loaders.formats.limits import Limits, limits, mb

_STREAM = re.compile(rb"stream\r?\n")

_SENTENCE_END = tuple("。！？；：!?;:…”」』）)")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d{1,4}(?:\s*/\s*\d{1,4})?)\s*$"
)
_STARTS_ITEM = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、.．](?!\d)|[①-⑳]"
    r"|[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，、章节部分条]|问题\s*\d+|整改措施|责任|完成时限|#)"
)


def rejoin_lines(lines: list[str], page_width_hint: int = 0) -> str:
    """Join a line to the previous one when the previous did not end a sentence and the next
    does not open a new numbered item; keeps real paragraph breaks."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip(" \u3000\t")
        if not line:
            if out and out[-1] != "":
                out.append("")
            continue
        if _PAGE_NUMBER.match(line):
            continue
        if out and out[-1] and not out[-1].endswith(_SENTENCE_END) and not _STARTS_ITEM.match(line):
            prev = out[-1]
            sep = (
                " " if prev[-1:].isascii() and prev[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum() else ""
            )
            out[-1] = prev + sep + line
        else:
            if out and out[-1] == "":
                out.pop()
            out.append(line)
    return "\n".join(x for x in out if x != "")


@dataclass
class LayoutLine:
    """One extracted text line and where its visible characters sit on the page (points)."""

    text: str
    x0: float  # first visible character
    x1: float  # last visible character
    size: float  # font size, taken as the width of one CJK character


def _layout_lines(data: bytes) -> list[LayoutLine]:
    """Text lines in pdfminer's reading order, with where their visible characters start and end."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    out: list[LayoutLine] = []
    for page in extract_pages(io.BytesIO(data)):
        for el in page:
            if not isinstance(el, LTTextContainer):
                continue
            for line in [el] if isinstance(el, LTTextLine) else [x for x in el if isinstance(x, LTTextLine)]:
                text = line.get_text().strip(" \u3000\t\r\n")
                chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip(" \u3000")]
                if not text or not chars:
                    continue
                out.append(LayoutLine(text, min(c.x0 for c in chars), max(c.x1 for c in chars),
                                 max(c.size for c in chars)))
    return out


def rejoin_layout(lines: list[LayoutLine]) -> str:
    """Join wrapped lines using their geometry (also across page breaks)."""
    body = [ln for ln in lines if not _PAGE_NUMBER.match(ln.text)]
    if not body:
        return ""
    left = Counter(round(ln.x0) for ln in body).most_common(1)[0][0]
    right = max(ln.x1 for ln in body)
    centre = (left + right) / 2

    def centred(x: LayoutLine) -> bool:
        return x.x0 > left + x.size and x.x1 < right - x.size and abs((x.x0 + x.x1) / 2 - centre) < x.size

    out: list[str] = []
    prev: LayoutLine | None = None
    for ln in body:
        join = False
        if prev is not None:
            full = prev.x1 >= right - 2 * prev.size
            indented = ln.x0 > left + 0.6 * ln.size
            # a two-line centred title: the second line is centred, in the same type as the first
            title_wrap = centred(ln) and (full or centred(prev)) and abs(prev.size - ln.size) < 0.5
            join = (full and not indented and not _STARTS_ITEM.match(ln.text)) or (
                title_wrap and not prev.text.endswith(_SENTENCE_END)
            )
        if join:
            sep = " " if out[-1][-1:].isascii() and out[-1][-1:].isalnum() and ln.text[:1].isascii() \
                and ln.text[:1].isalnum() else ""
            out[-1] += sep + ln.text
        else:
            out.append(ln.text)
        prev = ln
    return "\n".join(out)


def check_streams(path: Path, data: bytes, lim: Limits | None = None) -> None:
    """Inflate every Flate stream into a bounded buffer, counting (never keeping) what it expands to, and refuse
    the file before pdfminer inflates anything when the total or one stream's ratio is beyond the budget."""
    import zlib

    lim = lim or limits()
    total = 0
    for m in _STREAM.finditer(data):
        start = m.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        if not data[start : start + 1] or data[start] != 0x78:  # no zlib header: not Flate, or not compressed
            continue
        d = zlib.decompressobj()
        size = 0
        chunk = data[start:end]
        try:
            while chunk and not d.eof and total + size <= lim.max_expanded_bytes:
                out = d.decompress(chunk, 1 << 20)
                if not out and d.unconsumed_tail == chunk:
                    break  # no progress: a truncated stream
                size += len(out)
                chunk = d.unconsumed_tail
        except zlib.error:
            pass  # a damaged stream is pdfminer's to report; what inflated so far still counts
        total += size
        if total > lim.max_expanded_bytes:
            raise LoadError(
                path, f"PDF 内容解压后超过上限 {mb(lim.max_expanded_bytes)}（TRACEGRAPH_MAX_EXPANDED_MB，疑似压缩炸弹）"
            )
        if size > lim.ratio_floor_bytes and size > lim.max_ratio * max(end - start, 1):
            raise LoadError(
                path,
                f"PDF 数据流压缩比 {size / max(end - start, 1):.0f}:1，超过上限 {lim.max_ratio:.0f}:1"
                "（TRACEGRAPH_MAX_RATIO，疑似压缩炸弹）",
            )


def load_pdf(path: Path, data: bytes) -> LoadedDocument:
    if not data.startswith(b"%PDF"):
        raise LoadError(path, "不是有效的 PDF 文件（缺少 %PDF 文件头）")
    check_streams(path, data)
    try:
        from pdfminer.high_level import extract_text
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as exc:  # pragma: no cover
        raise LoadError(path, f"缺少 pdfminer.six：{exc}") from None
    try:
        text = rejoin_layout(_layout_lines(data))
        if not text.strip():
            # no positioned characters: fall back to the plain-text reading and its punctuation rules
            lines: list[str] = []
            for page in extract_text(io.BytesIO(data)).split("\f"):
                lines.extend(page.splitlines())
                lines.append("")
            text = rejoin_lines(lines)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise LoadError(path, "PDF 已加密，需要密码才能读取") from None
    except Exception as exc:
        raise LoadError(path, f"PDF 已损坏，无法解析：{type(exc).__name__}") from None
    info = DecodeInfo()
    text, info.controls_dropped = clean_controls(text)
    if len(re.sub(r"\s", "", text)) < 5:
        raise LoadError(path, "PDF 没有可提取的文字层（可能是扫描件），请先做 OCR 文字识别")
    return LoadedDocument(
        path=str(path),
        text=text,
        encoding="pdf",
        format="pdf",
        paragraphs=paragraphs_from_lines(text),
        sha256=hashlib.sha256(data).hexdigest(),
        decode_warnings=info.warnings(),
    )
