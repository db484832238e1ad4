"""The briefing table as Markdown (for wikis, e-mail and review notes). Cell text is escaped: ``|`` would
split a cell, and raw HTML in a title would be live in most Markdown renderers."""

from __future__ import annotations

import html
from pathlib import Path

from tracegraph.graph.exporters._briefing import ORIGIN_NOTE, Link, briefing, count_line
from tracegraph.graph.exporters._registry import ExportJob, register


def md_escape(text: str) -> str:
    text = html.escape(" ".join(str(text).split()), quote=False)
    for ch in ("\\", "|", "*", "_", "`", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def _links(links: list[Link], empty: str) -> str:
    if not links:
        return empty
    parts = []
    for link in links:
        lines = [f"**{md_escape(link.short)}** {md_escape(link.title)}（{md_escape(link.how)}）"]
        lines += [f"· {md_escape(s)} {md_escape(t)}" for s, t in link.actions]
        if link.policies:
            lines.append("政策依据：" + "、".join(md_escape(p) for p in link.policies))
        if link.evidence:
            lines.append(f"依据：{md_escape(link.evidence)}")
        if link.location:
            lines.append(f"出处：{md_escape(link.location)}")
        parts.append("<br>".join(lines))
    return "<br><br>".join(parts)


def render_markdown(job: ExportJob) -> str:
    b = briefing(job)
    out = [
        f"# {md_escape(b.title)}",
        "",
        f"- 范围：{md_escape(b.scope)}",
        f"- 日期：{b.date}",
        f"- 来源文档：{md_escape('、'.join(b.documents) or '—')}",
        "",
        "## 一、概况",
        "",
        md_escape(b.overview.sentence() if b.overview else ""),
        "",
        md_escape(count_line(b)) + "。",
        "",
        "## 二、问题—原因—整改措施—政策依据",
        "",
    ]
    if b.rows:
        out += ["| 问题 | 原因 | 整改措施 | 政策依据 |", "| --- | --- | --- | --- |"]
        for r in b.rows:
            problem = [f"**{md_escape(r.short)} {md_escape(r.title)}**"]
            problem += [f"事例：{md_escape(e)}" for e in r.examples]
            problem.append(f"出处：{md_escape(r.location)}")
            policies = "<br>".join(md_escape(p) for p in r.policies) or "—"
            out.append(
                f"| {'<br>'.join(problem)} | {_links(r.causes, '（未关联原因）')} | "
                f"{_links(r.measures, '（未关联整改措施）')} | {policies} |"
            )
    else:
        out.append("所选范围内没有查摆出的问题。")
    out += ["", f"> {md_escape(ORIGIN_NOTE)}", "", "## 三、覆盖缺口", ""]
    shown = False
    for label, items in b.gaps:
        if items:
            shown = True
            out += [f"### {md_escape(label)}（{len(items)}）", ""]
            out += [
                f"- **{md_escape(s)}** {md_escape(t)}" + (f"（{md_escape(loc)}）" if loc else "") for s, t, loc in items
            ]
            out.append("")
    if not shown:
        out.append("所选范围内未发现覆盖缺口。")
    return "\n".join(out).rstrip() + "\n"


@register("md", ".md", "text/markdown; charset=utf-8", "简报表格（Markdown）")
def write_markdown(job: ExportJob, out: Path) -> None:
    out.write_text(render_markdown(job), encoding="utf-8")
