"""How a document names the problems a measure or cause answers — 针对“……”问题, 问题3, 第三个问题, 1、2 — and
which problems such a name refers to. Text patterns only; the linker turns the answers into explicit links."""

from __future__ import annotations

import re
from collections.abc import Callable

from tracegraph.loaders.textutil import cn_to_int

_NAMED = re.compile(
    r"(?:针对|关于|围绕|解决|整改|导致|造成|产生|引发)((?:“[^“”]{2,60}”[、和及与]?)+)(?:等)?(?:的)?(?:问题|现象)"
    r"|针对([^，。；“”]{2,40}?)(?:等)?的?问题"
)
_QUOTED_NAME = re.compile(r"“([^“”]{2,60})”")


def named_problems(sentence: str) -> list[str]:
    """Problem names a sentence states: each quoted name, or an unquoted list split at 、/和/及."""
    out: list[str] = []
    for m in _NAMED.finditer(sentence):
        if m.group(1):
            out.extend(_QUOTED_NAME.findall(m.group(1)))
        else:
            out.extend(x for x in re.split(r"[、和及与]", m.group(2)) if len(x) >= 2)
    return out


_ORD = re.compile(
    r"问题\s*([0-9]{1,3}|[一二三四五六七八九十]{1,3})|第\s*([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*(?:个|条|项)?问题|^\s*([0-9、,，\s]+)\s*$"
)


def ordinals(ref: str) -> list[int]:
    """The problem numbers a reference gives (问题3 / 第三个问题 / 1、2), 1-based."""
    nums: list[int] = []
    for m in _ORD.finditer(ref):
        if m.group(3):
            nums += [int(x) for x in re.findall(r"\d+", m.group(3))]
        else:
            v = cn_to_int(m.group(1) or m.group(2))
            if v:
                nums.append(v)
    return nums


def resolve_named(ref: str, titles: list[str], similarity: Callable[[str], list[float]], min_sim: float) -> list[int]:
    """问题3 / 第三个问题 / 1、2 / a quoted title → the index (into `titles`) of the problem(s) it names: by
    number, else every title containing the name (or contained in it), else the one most similar title
    (`similarity(name)` gives one value per title) when at least `min_sim`."""
    nums = ordinals(ref)
    if nums:
        return [n - 1 for n in nums if 0 < n <= len(titles)]
    key = re.sub(r"[“”\"《》]|的问题$|问题$", "", ref).strip()
    if len(key) < 2:
        return []
    sims = similarity(key)
    scored = []
    for i, title in enumerate(titles):
        if key in title or (title and title in key):
            scored.append((1.0, i))
            continue
        if sims[i] >= min_sim:
            scored.append((sims[i], i))
    scored.sort(key=lambda x: -x[0])
    return [i for s, i in scored[:1]] if scored and scored[0][0] < 1.0 else [i for s, i in scored if s == 1.0]
