"""What every loader returns: the extracted text plus paragraph spans and layout hints.

Offsets everywhere in the project are Unicode code point offsets into `LoadedDocument.text`
(end exclusive), so anything the parser finds can be shown to the user from that text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Paragraph:
    """One block of the extracted text.

    `heading_level` is a layout hint (Word heading style, Markdown `#`), `kind` is "text" or
    "table_row"; a table row keeps the spans of its cells and the header cells of its table.
    """

    start: int
    end: int
    heading_level: int | None = None
    kind: str = "text"
    cells: list[tuple[int, int]] = field(default_factory=list)
    table: int | None = None
    header: list[str] = field(default_factory=list)


@dataclass
class LoadedDocument:
    path: str
    text: str
    encoding: str
    format: str
    paragraphs: list[Paragraph]
    sha256: str
    notes: list[str] = field(default_factory=list)
    # what reading changed in the text: invalid bytes replaced, control characters dropped (DecodeInfo.warnings)
    decode_warnings: list[dict[str, Any]] = field(default_factory=list)

    def para_text(self, p: Paragraph) -> str:
        return self.text[p.start : p.end]


def paragraphs_from_lines(text: str) -> list[Paragraph]:
    """Split plain text into non-blank lines, trimmed of surrounding white space."""
    paras: list[Paragraph] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip(" \t\u3000\ufeff\xa0")
        if stripped:
            lead = len(body) - len(body.lstrip(" \t\u3000\ufeff\xa0"))
            start = pos + lead
            paras.append(Paragraph(start=start, end=start + len(stripped)))
        pos += len(line)
    return paras
