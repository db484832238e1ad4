"""PDF loader for files with a text layer: lines broken by the page width are joined back into
paragraphs, page numbers dropped; a scan without text gets a clear message."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from .document import LoadedDocument, paragraphs_from_lines
from .errors import LoadError

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


def load_pdf(path: Path, data: bytes) -> LoadedDocument:
    if not data.startswith(b"%PDF"):
        raise LoadError(path, "不是有效的 PDF 文件（缺少 %PDF 文件头）")
    try:
        from pdfminer.high_level import extract_text
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as exc:  # pragma: no cover
        raise LoadError(path, f"缺少 pdfminer.six：{exc}") from None
    try:
        raw = extract_text(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise LoadError(path, "PDF 已加密，需要密码才能读取") from None
    except Exception as exc:
        raise LoadError(path, f"PDF 已损坏，无法解析：{type(exc).__name__}") from None
    pages = raw.split("\f")
    lines: list[str] = []
    for page in pages:
        lines.extend(page.splitlines())
        lines.append("")
    text = rejoin_lines(lines)
    if len(re.sub(r"\s", "", text)) < 5:
        raise LoadError(path, "PDF 没有可提取的文字层（可能是扫描件），请先做 OCR 文字识别")
    return LoadedDocument(
        path=str(path),
        text=text,
        encoding="pdf",
        format="pdf",
        paragraphs=paragraphs_from_lines(text),
        sha256=hashlib.sha256(data).hexdigest(),
    )
