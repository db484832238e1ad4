"""The reading report (读取概况): how much of a document the reader placed, what it set aside, and when to doubt it.

An honest tool says when it may have misread a layout. Every view that could turn a misreading into a confident
finding ("no measure for this problem") asks `doubtful()` first and says so instead."""

from __future__ import annotations

import re
from typing import Any

from tracegraph.loaders.structure.model import ParsedDocument

_COUNTED = ("Problem", "Cause", "Measure", "Example")
_ENUM_INSIDE = re.compile(
    r"(?:^|[。；;：:！!？?\n])\s*(?:[一二三四五六七八九十]{1,2}(?:是|要)|首先|其次|第[一二三四五六七八九十]{1,2}[，,、])"
)
# Warnings that make "no measure" / "no cause" unsafe to state as findings about the material.
DOUBT = ("problems_without_measures", "unsplit_enumeration", "low_coverage")
SET_ASIDE_ZH = {
    "planned": "计划（下一步）",
    "organisational": "组织推进情况",
    "past": "以往整改情况",
    "achievement": "工作成绩（非问题）",
    "context": "背景与引言",
}


def _union(spans: list[tuple[int, int]]) -> int:
    total, end = 0, -1
    for s, e in sorted(spans):
        if e <= end:
            continue
        total += e - max(s, end)
        end = e
    return total


def reading_report(parsed: ParsedDocument) -> dict[str, Any]:
    """Counts per level, the share of body text inside items, what was set aside, and warnings (code, text)."""
    text = parsed.doc.text
    body = sum(len(text[p.start : p.end].strip()) for p in parsed.doc.paragraphs)
    items = [i for i in parsed.items if i.type in _COUNTED]
    covered = _union([(i.start, i.end) for i in items])
    counts: dict[str, int] = {}
    for it in parsed.items:
        key = it.type
        if it.type == "Measure":
            key = f"Measure.{it.attrs.get('status') or 'taken'}"
        counts[key] = counts.get(key, 0) + 1
    problems = sum(1 for i in parsed.items if i.type == "Problem" and i.attrs.get("status") != "none_found")
    measures = sum(1 for i in parsed.items if i.type == "Measure" and not i.attrs.get("set_aside"))
    warnings: list[dict[str, str]] = []
    if problems and not measures:
        warnings.append(
            {
                "code": "problems_without_measures",
                "text": f"识别出 {problems} 个问题，但没有识别出整改措施：可能是版式未读懂，“无措施”不能作为结论",
            }
        )
    starts = {i.start for i in parsed.items}
    with_actions = {c.parent for c in parsed.items if c.type == "Action" and c.parent is not None}
    long_unsplit = [
        i
        for k, i in enumerate(parsed.items)
        if i.type in _COUNTED
        and i.end - i.start > 400
        and k not in with_actions
        and sum(1 for m in _ENUM_INSIDE.finditer(text, i.start + 2, i.end) if m.end() - 2 not in starts) >= 2
    ]
    if long_unsplit:
        warnings.append(
            {
                "code": "unsplit_enumeration",
                "text": f"{len(long_unsplit)} 个条目正文较长且含未拆分的“一是/二是”等列举，条目划分可能不对",
            }
        )
    share = covered / body if body else 0.0
    if body >= 2000 and share < 0.3:
        warnings.append({"code": "low_coverage", "text": f"仅 {share:.0%} 的正文落在条目中，大部分内容未读出结构"})
    if parsed.parts:
        titles = "、".join(t for _, t in parsed.parts[:3])
        warnings.append(
            {
                "code": "several_documents",
                "text": f"文件中似乎有 {len(parsed.parts) + 1} 份文档（另起的标题：{titles}），"
                "已分开读取，条目不跨文档",
            }
        )
    uncertain = sum(1 for i in parsed.items if i.attrs.get("role_uncertain"))
    if uncertain:
        warnings.append({"code": "role_uncertain", "text": f"{uncertain} 个条目的角色是推测的，请在“校对”中确认"})
    return {
        "body_chars": body,
        "item_chars": covered,
        "item_share": round(share, 3),
        "counts": counts,
        "set_aside": dict(parsed.set_aside),
        "documents_in_file": len(parsed.parts) + 1,
        "warnings": warnings,
    }


def doubt_warnings(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The warnings (code and text) that forbid stating a coverage gap as a finding about the material."""
    if not isinstance(report, dict):
        return []
    return [w for w in report.get("warnings", []) if w.get("code") in DOUBT]


def doubtful(report: dict[str, Any] | None) -> list[str]:
    """The texts of doubt_warnings."""
    return [w["text"] for w in doubt_warnings(report)]
