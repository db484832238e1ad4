"""Document metadata read from the title and preamble: organisation, level, year, genre, meeting theme.

An analyst comparing a province's materials needs to slice them by who wrote them, when and what kind of
material they are; these are guesses from wording, so each comes with where it was read and can be
overridden by the analyst (workspace metadata overrides win over the guess).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from tracegraph.errors import ConfigError

EDITABLE = ("organisation", "level", "year", "genre", "theme")

_ORG_END = r"(?:领导班子|党组|党委|党工委|党总支|党支部|支部委员会|委员会|班子|常委会|[省市县区乡镇旗]委)"
_ORG_TITLE = re.compile(
    r"^(?:中共|中国共产党)?([\u4e00-\u9fffXＸ×]{2,30}?" + _ORG_END + r")"
    r"(?=关于|\d{4}|二[〇○零]|20|年度|专题|民主生活会|组织生活会|对照|巡|整改|班子)"
)
_ORG_PREAMBLE = re.compile(
    r"([\u4e00-\u9fffXＸ×]{2,24}?" + _ORG_END + r")(?:和班子成员|及班子成员|全体成员|成员)?"
    r"(?:聚焦|围绕|认真|坚持|按照|紧扣|深入|严格|通过|在)"
)
_PERSON = re.compile(r"^(?:个人|本人)|个人对照检查|个人检视剖析|发言提纲")
_YEAR = re.compile(r"(20[0-4]\d)\s*年")
_CN_YEAR = re.compile(r"二[〇○零]([〇○零一二三四五六七八九]{2})年")
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_THEME = re.compile(r"([\u4e00-\u9fff“”]{2,30}?)(?:专题民主生活会|专题组织生活会|民主生活会|组织生活会)")

# When each plenum and congress met: a material citing one was written no earlier.
_MEETING_YEAR = {
    "党的十九大": 2017,
    "党的十九届一中全会": 2017,
    "党的十九届二中全会": 2018,
    "党的十九届三中全会": 2018,
    "党的十九届四中全会": 2019,
    "党的十九届五中全会": 2020,
    "党的十九届六中全会": 2021,
    "党的十九届七中全会": 2022,
    "党的二十大": 2022,
    "党的二十届一中全会": 2022,
    "党的二十届二中全会": 2023,
    "党的二十届三中全会": 2024,
    "党的二十届四中全会": 2025,
}

_SPECIAL_LEVELS = [("高校", re.compile(r"大学|学院|学校|高校")), ("国企", re.compile(r"公司|集团|银行|企业"))]
_ADMIN = {
    "省": "省",
    "自": "省",
    "市": "市",
    "州": "市",
    "盟": "市",
    "县": "县",
    "旗": "县",
    "区": "区",
    "乡": "乡镇",
    "镇": "乡镇",
    "街": "乡镇",
    "村": "村",
    "社": "村",
}
_ADMIN_AT = re.compile(r"(?:省|自治区|市|州|盟|县|旗|区|乡|镇|街道|村|社区)")


def level_of(org: str) -> str | None:
    """The administrative level an organisation name starts from (某市卫生健康委 → 市)."""
    for level, pat in _SPECIAL_LEVELS:
        if pat.search(org):
            return level
    m = _ADMIN_AT.search(org)
    return _ADMIN.get(m.group(0)[0]) if m else None


GENRES = [
    ("巡视整改方案", re.compile(r"巡视.{0,20}整改方案|整改方案.{0,20}巡视")),
    ("巡察整改方案", re.compile(r"巡察.{0,20}整改方案|整改方案.{0,20}巡察")),
    ("整改情况通报", re.compile(r"整改(?:进展)?情况的?通报|整改.{0,10}通报|通报.{0,10}整改")),
    ("整改台账", re.compile(r"台账|整改清单|问题清单")),
    ("个人对照检查材料", re.compile(r"个人.{0,6}(?:对照检查|检视剖析|发言提纲)|本人.{0,20}(?:对照检查|查摆)")),
    ("班子对照检查材料", re.compile(r"(?:领导班子|班子).{0,40}(?:对照检查|检视剖析|查摆)|对照检查材料")),
]


def _first_lines(text: str, n: int = 6) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()][:n]


def guess_metadata(text: str, title: str = "", cited: list[str] | None = None) -> dict[str, Any]:
    """Best guesses with their source ("title", "preamble", "citations"); None where nothing was found."""
    lines = _first_lines(text)
    head = "\n".join(lines[:3])
    preamble = "\n".join(lines[:6])[:1200]
    meta: dict[str, Any] = {
        "organisation": None,
        "level": None,
        "year": None,
        "genre": None,
        "theme": None,
        "source": {},
    }
    for where, src in (("title", title or (lines[0] if lines else "")), ("preamble", preamble)):
        m = _ORG_TITLE.search(src) if where == "title" else _ORG_PREAMBLE.search(src)
        if m and not meta["organisation"]:
            meta["organisation"] = m.group(1)
            meta["source"]["organisation"] = where
    level = level_of(meta["organisation"] or "")
    if level:
        meta["level"] = level
        meta["source"]["level"] = "organisation"
    m = _YEAR.search(head) or _CN_YEAR.search(head)
    if m:
        if m.re is _CN_YEAR:
            meta["year"] = 2000 + _CN_DIGIT[m.group(1)[0]] * 10 + _CN_DIGIT[m.group(1)[1]]
        else:
            meta["year"] = int(m.group(1))
        meta["source"]["year"] = "title"
    elif cited:
        years = [_MEETING_YEAR[c] for c in cited if c in _MEETING_YEAR]
        if years:
            meta["year"] = max(years)
            meta["source"]["year"] = "citations"
    for genre, pat in GENRES:
        if pat.search(head) or (genre.endswith("材料") and pat.search(preamble)):
            meta["genre"] = genre
            meta["source"]["genre"] = "title" if pat.search(head) else "preamble"
            break
    if meta["genre"] is None and _PERSON.search(preamble):
        meta["genre"] = "个人对照检查材料"
        meta["source"]["genre"] = "preamble"
    m = _THEME.search(head)
    if m:
        theme = re.sub(r"^(?:关于|召开|开好|这次|本次|根据|按照)+", "", m.group(1))
        if theme and theme not in ("这次", "本次"):
            meta["theme"] = theme + "专题民主生活会" if "专题" in m.group(0) else theme
            meta["source"]["theme"] = "title"
    return meta


def apply_overrides(meta: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The analyst's corrections win; the guess is kept under `guessed` for reference."""
    out = dict(meta)
    for k, v in overrides.items():
        if k in ("organisation", "level", "year", "genre", "theme"):
            out.setdefault("guessed", {})[k] = meta.get(k)
            out[k] = v
            out.setdefault("source", {})[k] = "analyst"
    return out


def load_overrides(path: str | Path) -> dict[str, dict[str, Any]]:
    """doc id → {field: value} corrections kept by the analyst (a JSON file that survives rebuilds)."""
    p = Path(path)
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{p}: 元数据修订文件不是有效的 JSON（第 {exc.lineno} 行）") from None
    return {str(k): dict(v) for k, v in data.items()}


def save_override(path: str | Path, doc_id: str, field: str, value: Any) -> None:
    if field not in EDITABLE:
        raise ConfigError(f"不能修改字段“{field}”，可修改：{'、'.join(EDITABLE)}")
    if field == "year" and value not in (None, ""):
        try:
            value = int(value)
        except ValueError:
            raise ConfigError(f"年份应为数字：{value}") from None
    data = load_overrides(path)
    data.setdefault(doc_id, {})[field] = value
    p = Path(path)
    tmp = p.with_suffix(p.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, p)


def apply_to_graph(g: Any, overrides: dict[str, dict[str, Any]]) -> int:
    """Apply corrections to the documents present; returns how many documents changed."""
    n = 0
    for doc_id, fields in overrides.items():
        doc = g.graph.get("documents", {}).get(doc_id)
        if doc is None:
            continue
        doc["meta"] = apply_overrides(doc.get("meta") or {}, fields)
        if doc_id in g:
            g.nodes[doc_id].update({k: doc["meta"].get(k) for k in EDITABLE})
        n += 1
    return n
