"""Plain text (.txt) and Markdown (.md) loaders."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from tracegraph.loaders.formats.document import LoadedDocument, Paragraph, paragraphs_from_lines
from tracegraph.loaders.formats.encoding import DecodeInfo, decode_bytes


def load_txt(path: Path, data: bytes) -> LoadedDocument:
    info = DecodeInfo()
    text, enc = decode_bytes(data, str(path), info)
    return LoadedDocument(
        path=str(path),
        text=text,
        encoding=enc,
        format="txt",
        paragraphs=paragraphs_from_lines(text),
        sha256=hashlib.sha256(data).hexdigest(),
        decode_warnings=info.warnings(),
    )


_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_PREFIX = re.compile(r"^\s*(?:>\s*)+|^\s*[-*+]\s+(?=\S)")
_MD_INLINE = re.compile(r"\*\*|__|`")


def load_md(path: Path, data: bytes) -> LoadedDocument:
    """Markdown: markup is removed from the extracted text; `#` levels become heading hints (a lone
    opening `#` heading is the title, level 0)."""
    info = DecodeInfo()
    raw, enc = decode_bytes(data, str(path), info)
    out: list[str] = []
    paras: list[Paragraph] = []
    pos = 0
    for line in raw.splitlines():
        level = None
        m = _MD_HEADING.match(line)
        if m:
            level = len(m.group(1))
            body = m.group(2)
        else:
            body = _MD_PREFIX.sub("", line)
        body = _MD_INLINE.sub("", body).strip(" \t\u3000")
        if re.fullmatch(r"[-*_=\s]{3,}|\|?[\s:|-]+\|?", body) and "-" in body:
            body = ""  # horizontal rules and table separator rows
        if body.startswith("|") and body.endswith("|"):
            body = "\t".join(c.strip() for c in body.strip("|").split("|"))
        if body:
            paras.append(Paragraph(start=pos, end=pos + len(body), heading_level=level))
        out.append(body)
        pos += len(body) + 1
    # A lone `#` heading that opens the file is the document's title (Markdown's equivalent of Word's
    # Title style), not a section whose wording would give everything below it one role.
    if paras and paras[0].heading_level == 1 and sum(1 for q in paras if q.heading_level == 1) == 1:
        paras[0].heading_level = 0
    text = "\n".join(out)
    return LoadedDocument(
        path=str(path),
        text=text,
        encoding=enc,
        format="md",
        paragraphs=paras,
        sha256=hashlib.sha256(data).hexdigest(),
        decode_warnings=_md_warnings(info, text),
    )


def _md_warnings(info: DecodeInfo, text: str) -> list[dict[str, Any]]:
    """Markdown drops markup, so replacement positions are located again in the text it keeps."""
    from tracegraph.loaders.formats.encoding import replacement_positions

    if info.replaced:
        info.positions = replacement_positions(text)
    return info.warnings()
