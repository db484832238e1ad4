"""Length-preserving normalisation and sentence helpers shared by the parsers.

Normalising full-width ASCII (（一） → (一), ： → :) one character for one character keeps every
offset valid in the original text, so spans found on the normalised copy slice the loader's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH[0xFEFF] = 0x20
_FULLWIDTH[0xA0] = 0x20


_FULLWIDTH_PAIRS = [(chr(a), chr(b)) for a, b in _FULLWIDTH.items()]


def normalise(text: str) -> str:
    """Full-width ASCII → half-width, same length. One C-level replace per character that occurs: str.translate
    with a mapping looks every character up in Python and cost more than reading and parsing the text."""
    out = text
    for fw, hw in _FULLWIDTH_PAIRS:
        if fw in out:
            out = out.replace(fw, hw)
    assert len(out) == len(text)
    return out


CN_NUMERALS = "零一二三四五六七八九十"


def cn_to_int(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23; digits pass through; None when not a numeral."""
    s = s.strip()
    if not s:
        return None
    if s.isdecimal():  # not isdigit(): ① and ² are digits that int() refuses
        return int(s)
    if s == "两":
        return 2
    if any(c not in CN_NUMERALS + "百" for c in s):
        return None
    if "百" in s:
        head, _, tail = s.partition("百")
        h = cn_to_int(head) if head else 1
        t = cn_to_int(tail.lstrip("零")) if tail.lstrip("零") else 0
        return None if h is None or t is None else h * 100 + t
    if "十" in s:
        head, _, tail = s.partition("十")
        h = CN_NUMERALS.index(head) if head else 1
        t = CN_NUMERALS.index(tail) if tail else 0
        return h * 10 + t
    if len(s) == 1:
        return CN_NUMERALS.index(s)
    return None


_SENT_END = "。！？!?；;"


@lru_cache(maxsize=16)
def _special(stops: str) -> re.Pattern[str]:
    return re.compile("[“《「『”》」』" + re.escape(stops) + "]")


def _stops_outside_quotes(text: str, start: int, end: int, stops: str) -> Iterator[int]:
    """Positions of the stops between start and end that stand outside “…” and 《…》 quotes. Visits only quote
    marks and stops, not every character."""
    depth = 0
    for m in _special(stops).finditer(text, start, end):
        ch = m.group()
        if ch in "“《「『":
            depth += 1
        elif ch in "”》」』":
            depth = max(0, depth - 1)
        elif depth == 0:
            yield m.start()


def sentence_end(text: str, start: int, end: int, stops: str = _SENT_END) -> int:
    """End (exclusive, before the punctuation) of the sentence starting at `start`, not stopping
    inside “…” or 《…》 quotes."""
    return next(_stops_outside_quotes(text, start, end, stops), end)


def sentences(text: str, start: int, end: int, stops: str = "。！？!?；;") -> list[tuple[int, int]]:
    """Sentence spans (punctuation included) between start and end, blanks trimmed: one scan over the whole
    range (the same cuts as sentence_end from each sentence start)."""
    spans: list[tuple[int, int]] = []
    blanks = " \t\r\n"

    def emit(a: int, b: int) -> None:
        while a < b and text[a] in blanks:
            a += 1
        while b > a and text[b - 1] in blanks:
            b -= 1
        if b > a:
            spans.append((a, b))

    i = start
    for pos in _stops_outside_quotes(text, start, end, stops):
        emit(i, pos + 1)
        i = pos + 1
    emit(i, end)
    return spans


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with white space."""
    while start < end and text[start] in " \t\r\n\u3000\ufeff":
        start += 1
    while end > start and text[end - 1] in " \t\r\n\u3000":
        end -= 1
    return start, end


HAN = re.compile(r"[\u4e00-\u9fff]")
