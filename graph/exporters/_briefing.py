"""The content of a briefing (DOCX and Markdown share it): counts, one row per problem with its causes,
measures and policy references — each link with its origin, score, evidence sentence and source
location — and the coverage gaps among the selected nodes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from tracegraph.graph.exporters._registry import ExportJob
from tracegraph.graph.exporters._style import clip, doc_title, location, short_id
from tracegraph.graph.model.schema import LINK_TYPES, ORIGIN_LABELS_ZH, TYPE_LABELS_ZH
from tracegraph.graph.query.queries import counted_problems, gaps, trace

EVIDENCE_CHARS = 70
GAP_LABELS = {
    "problems_without_measures": "没有整改措施的问题",
    "problems_without_causes": "未分析原因的问题",
    "causes_without_measures": "没有整改措施的原因",
    "measures_addressing_nothing": "未对应任何问题的整改措施",
    "negative_findings": "未发现问题的事项（不计入问题）",
}
COUNT_TYPES = ("Problem", "Example", "Cause", "Measure", "Action", "PolicyRef")


@dataclass
class Link:
    """A cause or measure linked to a problem."""

    id: str
    short: str
    title: str
    origin: str
    score: float | None
    evidence: str
    shared_terms: list[str]
    location: str
    actions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def how(self) -> str:
        origin = ORIGIN_LABELS_ZH.get(self.origin, self.origin)
        return f"{origin} {self.score:.2f}" if self.score is not None else origin


@dataclass
class ProblemRow:
    id: str
    short: str
    title: str
    location: str
    examples: list[str]
    causes: list[Link]
    measures: list[Link]
    policies: list[str]


@dataclass
class Briefing:
    title: str
    scope: str
    date: str
    documents: list[str]
    counts: list[tuple[str, int]]
    link_counts: list[tuple[str, int]]
    rows: list[ProblemRow]
    gaps: list[tuple[str, list[tuple[str, str, str]]]]


def _link(g: nx.MultiDiGraph, row: dict[str, Any], actions: list[dict[str, Any]] | None = None) -> Link:
    ev = row.get("evidence") or {}
    sentence = (ev.get("source_sentence") or {}).get("text") or ""
    return Link(
        id=row["id"],
        short=short_id(g, row["id"]),
        title=str(row.get("title") or ""),
        origin=str(row.get("origin") or ""),
        score=row.get("score") if isinstance(row.get("score"), int | float) else None,
        evidence=clip(sentence, EVIDENCE_CHARS),
        shared_terms=list(ev.get("shared_terms") or [])[:6],
        location=location(g, row["id"], offsets=False),
        actions=[(short_id(g, a["id"]), str(a.get("title") or "")) for a in actions or []],
    )


def problem_rows(g: nx.MultiDiGraph) -> list[ProblemRow]:
    """One row per admitted problem of the subgraph, links as the subgraph holds them."""
    rows = []
    for p in counted_problems(g):
        tr = trace(g, p)
        measures = [_link(g, m, m.get("actions")) for m in tr["measures"]]
        in_measure = {a["id"] for m in tr["measures"] for a in m.get("actions", [])}
        # actions whose measure is not in the selection still belong in the measures column
        loose = [a for a in tr["actions"] if a["id"] not in in_measure]
        measures += [_link(g, a) for a in loose]
        rows.append(
            ProblemRow(
                id=p,
                short=short_id(g, p),
                title=str(g.nodes[p].get("title") or ""),
                location=location(g, p),
                examples=[clip(e.get("title"), 60) for e in tr["examples"]],
                causes=[_link(g, c) for c in tr["causes"]],
                measures=measures,
                policies=[str(r.get("canonical") or r.get("title") or r["id"]) for r in tr["policy_refs"]],
            )
        )
    return rows


def _gaps(job: ExportJob) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Judged on the whole source graph (a measure left out of the selection is not a gap), listed for
    the selected nodes only."""
    found = gaps(job.source)
    out = []
    for key, label in GAP_LABELS.items():
        g = job.graph
        items = [
            (short_id(g, r["id"]) or r["id"], str(r.get("title") or ""), location(g, r["id"], False))
            for r in found.get(key, [])
            if r["id"] in g
        ]
        out.append((label, items))
    return out


def briefing(job: ExportJob) -> Briefing:
    g = job.graph
    types = Counter(d.get("type") for _, d in g.nodes(data=True))
    counts = [(TYPE_LABELS_ZH[t], types.get(t, 0)) for t in COUNT_TYPES]
    negative = sum(1 for _, d in g.nodes(data=True) if d.get("type") == "Problem" and d.get("status") == "none_found")
    if negative:
        counts[0] = (TYPE_LABELS_ZH["Problem"], types.get("Problem", 0) - negative)
        counts.append(("未发现问题的事项", negative))
    links = Counter(
        d.get("origin") for _, _, d in g.edges(data=True) if d.get("type") in LINK_TYPES
    )
    link_counts = [(ORIGIN_LABELS_ZH.get(o, o), links[o]) for o in ("explicit", "curated", "inferred") if links.get(o)]
    day = job.generated
    return Briefing(
        title=job.title,
        scope=job.scope,
        date=f"{day.year}年{day.month}月{day.day}日",
        documents=[doc_title(g, d) for d in g.graph.get("documents", {})],
        counts=counts,
        link_counts=link_counts,
        rows=problem_rows(g),
        gaps=_gaps(job),
    )


def count_line(b: Briefing) -> str:
    text = "，".join(f"{label} {n} 个" for label, n in b.counts)
    if b.link_counts:
        text += "；关联 " + "，".join(f"{label} {n} 条" for label, n in b.link_counts)
    return text


ORIGIN_NOTE = (
    "关联来源：明示 = 原文写明对应关系；人工 = 分析人员确认；推断 = 按用语和政策依据相似度推断，"
    "需人工核实。得分越高，依据越充分。"
)
