"""Policy references (政策依据): a lexicon users extend without code, plus patterns for what no lexicon
can list in advance — 《…》 titles, plenums and congresses (with coordinated lists expanded), named
meetings, quoted numbered formulations and local work-style slogans."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from tracegraph.loaders.textutil import cn_to_int

KINDS = ("meeting", "document", "theory", "formulation", "campaign", "local_slogan")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    canonical: str
    kind: str
    surface: str


@dataclass
class Lexicon:
    entries: dict[str, str]  # canonical -> kind
    aliases: dict[str, str]  # surface -> canonical
    quoted_only: set[str]
    pattern: re.Pattern[str] | None

    @classmethod
    def load(cls, extra: Iterable[str | Path] = ()) -> Lexicon:
        """The shipped lexicon plus any user files with the same JSON shape."""
        shipped = resources.files("tracegraph.loaders").joinpath("data/policy_lexicon.json")
        docs = [json.loads(shipped.read_text("utf-8"))]
        for f in extra:
            docs.append(json.loads(Path(f).read_text("utf-8")))
        entries: dict[str, str] = {}
        aliases: dict[str, str] = {}
        quoted: set[str] = set()
        for d in docs:
            for e in d.get("entries", []):
                canon = e["canonical"]
                kind = e.get("kind", "formulation")
                if kind not in KINDS:
                    raise ValueError(f"lexicon entry {canon!r}: unknown kind {kind!r}")
                entries[canon] = kind
                for s in [canon, *e.get("aliases", [])]:
                    s = s.strip('“”"')
                    aliases[s] = canon
                    if e.get("quoted_only"):
                        quoted.add(s)
        words = sorted(aliases, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(w) for w in words)) if words else None
        return cls(entries, aliases, quoted, pattern)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.load()


_CN = "一二三四五六七八九十"
_PLENUM_LIST = re.compile(
    rf"(?:党的)?(?:(?:中共|中国共产党)?第?([{_CN}]{{1,3}})届(?:中央委员会)?)((?:[{_CN}]{{1,2}}中[、和及]\s*)*[{_CN}]{{1,2}}中)(?:全会|全体会议)"
)
_BARE_PLENUM = re.compile(rf"(?<![届、{_CN}])([{_CN}]{{1,2}})中全会")
_CONGRESS = re.compile(
    rf"(?:党的|中共)(十[{_CN[:9]}]?|二十[一二三]?)(?:大|次全国代表大会)|(?<![{_CN}\u4e00-\u9fff])(十[一二三四五六七八九]|二十[一二三]?)大(?=[以精和、，。报召胜提作部的]|$)"
)
_MEETING_BAD = re.compile(
    r"召开|提出|指出|强调|关于|的|在|了|要求|部署|通过|精神|以来|贯彻|出席|参加|主持|和|与|及|聚焦|成员|班子|围绕"
)
_TITLE = re.compile(r"《([^《》\n]{2,80})》")
_OWN_REPORT = re.compile(r"对照检查|发言提纲|检视剖析|个人剖析|汇报材料|述职|本人|整改方案$|整改情况的?通报|整改台账")
_GENERIC_TITLE = re.compile(
    r"^(?:实施办法|实施意见|实施细则|办法|意见|规定|细则|方案|决定|通知|制度|规则|若干措施|工作方案)$"
)
_QUOTED = re.compile(r"“([^“”\n]{1,24})”")
_NUMBERED = re.compile(rf"^[{_CN}两](?:个|大|项|种|条|类|化|不|有|严|务|必|基本|在|会|岗|心)")
_NOT_FORMULATION = {"一把手", "两张皮", "一刀切", "一言堂", "一阵风", "一盘棋", "一条心", "一张蓝图", "一般化"}
_SLOGAN_AFTER = re.compile(r"^(?:的)?(?:工作)?作风")
_SLOGAN_BEFORE = re.compile(r"(?:提出|提到|倡导|倡树|要求)的\s*$")
_REDACTED = re.compile(r"^[XＸx×*＊\s]+$")
_HUA_LIST = re.compile(r"(?:[\u4e00-\u9fff]{1,3}化、){2,}[\u4e00-\u9fff]{1,3}化")


# A normative document's title ends with its kind; works, forms, ledgers and publications do not count.
_NORMATIVE_END = re.compile(
    r"(?:条例|规定|办法|意见|通知|决定|准则|细则|方案|规划|纲要|法|章程|制度|标准|规则|决议|措施|守则|要点|计划|指南|"
    r"规范|清单|公报|举措|若干问题|机制|指引|要求|纪要)$"
)
_NOT_NORMATIVE_END = re.compile(r"(?:书|表|台账|通报|丛书|报告|读本|周刊|简史|杂志|报|刊|集|录|选|史|传|记|论|谈)$")
_TRAILING_PAREN = re.compile(r"[（(][^（）()]*[）)]$")


def is_normative_title(inner: str) -> bool:
    """Only normative documents in 《》 are policy references (条例, 办法, 意见, 方案, 法…): not plays, books,
    series, periodicals, articles, forms (…书/…表), ledgers (台账), bulletins or bare abbreviations."""
    t = inner.strip()
    while _TRAILING_PAREN.search(t):  # 《…行动计划（2021-2025年）》, 《…制度（试行）》
        t = _TRAILING_PAREN.sub("", t).strip()
    if _NOT_NORMATIVE_END.search(t) or "分析" in t or "总结" in t:  # a report about measures is not a norm
        return False
    return bool(_NORMATIVE_END.search(t)) and len(t) >= 2


def _qualifier(text: str, start: int) -> str:
    """The words right before a generic title (容误纠错《实施办法》) that say which one it is."""
    k = start
    while k > 0 and "\u4e00" <= text[k - 1] <= "\u9fff" and start - k < 8:
        k -= 1
    q = text[k:start]
    for sep in ("制定了", "出台了", "印发了", "制定", "出台", "印发", "落实", "执行", "了", "的", "和", "与"):
        if sep in q:
            q = q.split(sep)[-1]
    return q if len(q) >= 2 else ""


def extract(text: str, lexicon: Lexicon | None = None) -> list[Mention]:
    """All policy-reference mentions in `text`, sorted by position."""
    lex = lexicon or default_lexicon()
    out: list[Mention] = []
    titles: list[tuple[int, int]] = []
    full_titles: dict[str, str] = {}

    for m in _TITLE.finditer(text):
        inner = m.group(1).strip()
        if _REDACTED.match(inner) or _OWN_REPORT.search(inner):
            titles.append((m.start(), m.end()))
            continue
        canon = lex.aliases.get(inner, inner)
        if canon not in lex.entries and not is_normative_title(inner):
            titles.append((m.start(), m.end()))  # a book, play, periodical, form or ledger: not a policy reference
            continue
        if _GENERIC_TITLE.match(inner):
            q = _qualifier(text, m.start())
            if q:
                canon = f"{q}《{inner}》"
        else:
            for full in full_titles:
                if len(inner) <= 6 and full.endswith(inner):
                    canon = full
        full_titles.setdefault(canon, canon)
        kind = lex.entries.get(canon, "document")
        titles.append((m.start(), m.end()))
        out.append(Mention(m.start(), m.end(), canon, kind, m.group(0)))

    def inside_title(s: int, e: int) -> bool:
        return any(a <= s and e <= b for a, b in titles)

    last_session: str | None = None
    taken: list[tuple[int, int]] = []
    for m in _PLENUM_LIST.finditer(text):
        session = m.group(1)
        last_session = session
        pos = m.start(2)
        for part in re.finditer(rf"([{_CN}]{{1,2}})中", m.group(2)):
            n = part.group(1)
            canon = f"党的{session}届{n}中全会"
            s = pos + part.start() if part.start() else m.start()
            e = m.end() if part.end() == len(m.group(2)) else pos + part.end()
            if part.start() == 0:
                s = m.start()
            out.append(Mention(s, e, canon, "meeting", text[s:e]))
        taken.append((m.start(), m.end()))
    for m in _BARE_PLENUM.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        session = _session_before(text, m.start()) or last_session
        if session and cn_to_int(m.group(1)):
            out.append(Mention(m.start(), m.end(), f"党的{session}届{m.group(1)}中全会", "meeting", m.group(0)))
    for m in _CONGRESS.finditer(text):
        num = m.group(1) or m.group(2)
        out.append(Mention(m.start(), m.end(), f"党的{num}大", "meeting", m.group(0)))
    out.extend(_meetings(text))

    if lex.pattern is not None:
        for m in lex.pattern.finditer(text):
            surface = m.group(0)
            quoted = m.start() > 0 and text[m.start() - 1] == "“" and m.end() < len(text) and text[m.end()] == "”"
            if surface in lex.quoted_only and not quoted:
                continue
            if inside_title(m.start(), m.end()):
                continue
            s, e = (m.start() - 1, m.end() + 1) if quoted else (m.start(), m.end())
            canon = lex.aliases[surface]
            out.append(Mention(s, e, canon, lex.entries[canon], text[s:e]))

    for m in _HUA_LIST.finditer(text):
        # 革命化、年轻化、知识化、专业化: a coordinated 化 list is a named guideline (方针)
        parts = m.group(0).split("、")
        start = m.start() + max(0, len(parts[0]) - len(parts[1]))  # 按照革命化 → 革命化
        out.append(Mention(start, m.end(), text[start : m.end()], "formulation", text[start : m.end()]))

    known = {(m.start, m.end) for m in out}
    for m in _QUOTED.finditer(text):
        inner = m.group(1)
        if (m.start(), m.end()) in known or inner in lex.aliases or _REDACTED.match(inner):
            continue
        after = text[m.end() : m.end() + 6]
        before = text[max(0, m.start() - 6) : m.start()]
        if _SLOGAN_AFTER.match(after) or (_SLOGAN_BEFORE.search(before) and "、" in inner):
            out.append(Mention(m.start(), m.end(), inner, "local_slogan", m.group(0)))
        elif _NUMBERED.match(inner) and len(inner) <= 10 and inner not in _NOT_FORMULATION and "X" not in inner:
            out.append(Mention(m.start(), m.end(), inner, "formulation", m.group(0)))
    return _dedupe(out)


def _session_before(text: str, pos: int) -> str | None:
    found = None
    for m in re.finditer(rf"([{_CN}]{{1,3}})届", text[:pos]):
        found = m.group(1)
    return found


def _meetings(text: str) -> list[Mention]:
    """Named meetings such as 全国农村基层组织建设工作会议: the shortest clean name ending at each 会议."""
    out: list[Mention] = []
    for end_m in re.finditer(r"工作会议|专题民主生活会|民主生活会|座谈会|全体会议|代表大会|会议", text):
        end = end_m.end()
        best = None
        for start_m in re.finditer(
            r"中共中央政治局|中共中央|党中央|中央|全国|国务院|省委|市委|县委|区委",
            text[max(0, end - 32) : end_m.start()],
        ):
            s = max(0, end - 32) + start_m.start()
            name = text[s:end]
            if _MEETING_BAD.search(name[len(start_m.group(0)) :]) or not re.fullmatch(r"[\u4e00-\u9fff]+", name):
                continue
            if len(name) - len(start_m.group(0)) - len(end_m.group(0)) < 2:
                continue
            best = (s, name)
            break  # earliest clean start gives the full name
        if best:
            out.append(Mention(best[0], end, best[1], "meeting", best[1]))
    return out


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    """Same canonical at overlapping spans counts once; keeps the longest."""
    mentions.sort(key=lambda m: (m.start, -(m.end - m.start)))
    out: list[Mention] = []
    for m in mentions:
        if any(o.canonical == m.canonical and o.start < m.end and m.start < o.end for o in out[-6:]):
            continue
        out.append(m)
    return out
