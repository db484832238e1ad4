"""Decode text files without assuming an encoding: BOMs, strict UTF-8, GB18030/GBK, UTF-8 with a few invalid
bytes replaced, then per-line mixes. Replacements and dropped control characters are counted and reported
(`DecodeInfo`), never silent: one bad byte no longer refuses a file, and nothing invisible enters the graph."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tracegraph.errors import LoadError

# Control characters dropped from every document's text (before paragraphs are built, so offsets stay
# consistent): C0 except tab/newline/carriage return, DEL, C1 except NEL. Line separators of other kinds
# (vertical tab, form feed, file/group/record separators, NEL) become a newline, which splitlines() already
# treated as a break, so no line is glued to the next.
_DROP_RE = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x1c": "\n", "\x1d": "\n", "\x1e": "\n", "\x85": "\n"})
_BREAK_PAIRS = [(chr(c), "\n") for c in _BREAKS]
MAX_POSITIONS = 20


@dataclass
class DecodeInfo:
    """What reading changed in the text: invalid bytes replaced by U+FFFD (positions in the final text, the
    first MAX_POSITIONS) and control characters dropped."""

    replaced: int = 0
    positions: list[int] = field(default_factory=list)
    controls_dropped: int = 0

    def warnings(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.replaced:
            where = "、".join(str(p) for p in self.positions[:5]) + ("…" if len(self.positions) > 5 else "")
            out.append(
                {
                    "code": "invalid_bytes_replaced",
                    "count": self.replaced,
                    "positions": list(self.positions),
                    "text": f"{self.replaced} 处无效字节已替换为 �（位置：第 {where} 字）",
                }
            )
        if self.controls_dropped:
            out.append(
                {
                    "code": "control_chars_dropped",
                    "count": self.controls_dropped,
                    "text": f"删除了 {self.controls_dropped} 个控制字符（如 NUL）",
                }
            )
        return out


_SHOW_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL_OR_FORMAT = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: object) -> str:
    """A name or message made safe for a terminal: control characters (ESC, BEL, newline…) and bidi overrides
    shown as escapes (\\x1b, \\n, \\u202e) instead of being sent to the terminal."""

    def one(m: re.Match[str]) -> str:
        ch = m.group()
        if ch in _SHOW_ESCAPES:
            return _SHOW_ESCAPES[ch]
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _CONTROL_OR_FORMAT.sub(one, str(text))


def clean_controls(text: str) -> tuple[str, int]:
    """Drop control characters (returns the text and how many were dropped); other line separators → newline."""
    for ch, nl in _BREAK_PAIRS:  # str.translate with a mapping costs more than parsing: replace what occurs
        if ch in text:
            text = text.replace(ch, nl)
    cleaned, n = _DROP_RE.subn("", text)
    return cleaned, n


def replacement_positions(text: str, limit: int = MAX_POSITIONS) -> list[int]:
    out: list[int] = []
    i = text.find("\ufffd")
    while i >= 0 and len(out) < limit:
        out.append(i)
        i = text.find("\ufffd", i + 1)
    return out

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _looks_binary(data: bytes) -> bool:
    """A renamed image or archive, not a text with a stray NUL (those are dropped and counted)."""
    sample = data[:8192]
    if sample.count(b"\x00") > max(2, len(sample) // 1000):
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROLS))  # counted in C, not byte by byte
    return controls > max(4, len(sample) // 50)


def _plausible(text: str) -> bool:
    """Reject decodings that are mostly control or private-use characters (a wrong guess)."""
    if not text:
        return True
    bad = sum(
        1
        for ch in text[:20000]
        if (ord(ch) < 32 and ch not in "\t\r\n\f") or 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd"
    )
    return bad <= max(2, len(text[:20000]) // 200)


def decode_bytes(data: bytes, path: str, info: DecodeInfo | None = None) -> tuple[str, str]:
    """Return (text, encoding name) or raise LoadError naming the file. Control characters are dropped and
    replacements located; both are recorded in `info` when given."""
    text, enc = _decode(data, path)
    text, dropped = clean_controls(text)
    # blank in any encoding (全角 spaces, a lone BOM) is an empty file, not a document without structure
    if not text.replace("\ufeff", "").strip():
        raise LoadError(path, "文件为空（0 字节或只有空白）")
    if info is not None:
        info.controls_dropped += dropped
        if "replaced)" in enc:
            info.replaced += max(1, text.count("\ufffd") - data.count(b"\xef\xbf\xbd"))
            info.positions = replacement_positions(text)
    return text, enc


def _decode(data: bytes, path: str) -> tuple[str, str]:
    if not data.strip():
        raise LoadError(path, "文件为空（0 字节或只有空白）")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise LoadError(path, f"带 {enc} 字节顺序标记，但内容无法按 {enc} 解码：{exc.reason}") from None
            if enc.startswith("utf-16"):
                text = text.lstrip("\ufeff")
                enc = "utf-16"
            return text, enc
    if _looks_binary(data):
        raise LoadError(path, "不是文本文件（含二进制内容）")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):  # a UTF-8 file with a few broken bytes: before GBK, which could misread it
        return data.decode("utf-8", errors="replace"), "utf-8(replaced)"
    for enc in ("gbk", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text, enc
    text, parts, replaced = _decode_mixed(data)
    if _plausible(text) and len(parts) > 1:
        return text, "mixed(" + "+".join(sorted(parts)) + ("+replaced)" if replaced else ")")
    if len(parts) == 1 and (not replaced or _plausible_replaced(text)):
        return text, f"{next(iter(parts))}(replaced)" if replaced else next(iter(parts))
    raise LoadError(path, "无法识别文本编码（既不是 UTF-8 也不是 GB18030/GBK）")


def _utf8_errors(data: bytes) -> int:
    """Invalid UTF-8 sequences, counted in C (U+FFFD already in the file is not an error)."""
    return data.decode("utf-8", errors="replace").count("\ufffd") - data.count(b"\xef\xbf\xbd")


def _mostly_utf8(data: bytes) -> bool:
    """Few invalid sequences among many non-ASCII bytes: GBK text fails UTF-8 on nearly every character."""
    nonascii = len(data) - len(data.translate(None, bytes(range(128))))
    return _utf8_errors(data) * 50 < nonascii


def _plausible_replaced(text: str) -> bool:
    return text.count("\ufffd") <= max(3, len(text) // 100)


def _decode_mixed(data: bytes) -> tuple[str, set[str], bool]:
    """Line by line, for files pasted together from sources in different encodings; a line neither decodes
    is read in whichever of the two needs fewer replacements. Returns (text, encodings used, replaced?)."""
    out: list[str] = []
    used: set[str] = set()
    replaced = False
    for line in data.splitlines(keepends=True):
        if line.isascii():  # the same in every candidate: says nothing about the encoding
            out.append(line.decode("ascii"))
            continue
        for enc in ("utf-8", "gb18030"):
            try:
                out.append(line.decode(enc))
                used.add(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            u8 = line.decode("utf-8", errors="replace")
            gb = line.decode("gb18030", errors="replace")
            enc, best = ("utf-8", u8) if u8.count("\ufffd") <= gb.count("\ufffd") else ("gb18030", gb)
            out.append(best)
            used.add(enc)
            replaced = True
    return "".join(out), used, replaced
