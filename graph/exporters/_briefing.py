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
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, LINK_TYPES, ORIGIN_LABELS_ZH, TYPE_LABELS_ZH
from tracegraph.graph.query.naming import doc_tags
from tracegraph.graph.query.queries import counted_problems, doubtful, gaps, matrix, policy_refs_of, reading_of, trace

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
    policies: list[str] = field(default_factory=list)  # 政策依据 of a measure and its actions, as 溯源 lists them
    path: str = ""  # section path in its document (for source notes; no offsets, no ids)
    doc: str = ""

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
    path: str = ""
    doc: str = ""
    doc_id: str = ""
    area: str = ""


@dataclass
class Overview:
    """The figures of the opening 总体情况 paragraph. They are ``matrix``/``gaps`` of the selection: the
    problems and measures are ``matrix(sel)``'s, a problem "has a measure" unless ``gaps`` lists it."""

    problems: int
    with_measures: int
    causes: int
    causes_treated: int
    measures: int
    actions: int
    policies: int
    inferred: int

    @property
    def coverage(self) -> int:
        return round(100 * self.with_measures / self.problems) if self.problems else 0

    def sentence(self) -> str:
        if not self.problems:
            text = "本次梳理范围内没有查摆出的问题"
        else:
            text = f"本次梳理问题{self.problems}个，其中{self.with_measures}个有明确的整改措施，覆盖率{self.coverage}%"
        if self.causes:
            text += f"；分析原因{self.causes}个，其中{self.causes_treated}个有对应的整改措施"
        text += f"；涉及整改措施{self.measures}条、具体举措{self.actions}项，引用政策依据{self.policies}项"
        if self.inferred:
            text += f"。上述对应关系中有{self.inferred}条系按用语推断，需人工核实"
        return text + "。"


@dataclass
class InferredLink:
    kind: str  # 针对 / 导致 / 整治
    source: str
    target: str
    score: float | None
    evidence: str


@dataclass
class GapItem:
    kind: str
    title: str
    path: str
    doc: str
    doubted: bool  # the document's reading is in doubt: not stated as a finding


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
    overview: Overview | None = None
    inferred: list[InferredLink] = field(default_factory=list)
    doubts: list[tuple[str, list[str]]] = field(default_factory=list)  # (document title, reading warnings)
    gap_items: list[GapItem] = field(default_factory=list)


def policy_names(g: nx.MultiDiGraph, n: str) -> list[str]:
    """The 政策依据 the 溯源 view lists for a node (``trace(g, n)["policy_refs"]``), by canonical name."""
    if n not in g:
        return []
    return [str(r.get("canonical") or r.get("title") or r["id"]) for r in policy_refs_of(g, n)]


def _short(g: nx.MultiDiGraph, n: str, source: nx.MultiDiGraph | None = None) -> str:
    """A node's short id (P5.2), with its document's short name (〔短名〕P5.2) when the workspace — the whole
    graph `source` — holds several documents, so two documents' P5.2 never read alike."""
    sid = short_id(g, n)
    doc = g.nodes[n].get("doc")
    tag = doc_tags(source if source is not None else g).get(doc) if sid and doc else None
    return f"〔{tag}〕{sid}" if tag else sid


def _link(
    g: nx.MultiDiGraph,
    row: dict[str, Any],
    actions: list[dict[str, Any]] | None = None,
    source: nx.MultiDiGraph | None = None,
) -> Link:
    """``source`` is the whole graph: a measure's policy references are looked up there, so a selection
    that leaves the PolicyRef nodes out still names them."""
    ev = row.get("evidence") or {}
    d = g.nodes[row["id"]]
    sentence = (ev.get("source_sentence") or {}).get("text") or ""
    return Link(
        id=row["id"],
        short=_short(g, row["id"], source),
        title=str(row.get("title") or ""),
        origin=str(row.get("origin") or ""),
        score=row.get("score") if isinstance(row.get("score"), int | float) else None,
        evidence=clip(sentence, EVIDENCE_CHARS),
        shared_terms=list(ev.get("shared_terms") or [])[:6],
        location=location(g, row["id"], offsets=False),
        actions=[(_short(g, a["id"], source), str(a.get("title") or "")) for a in actions or []],
        policies=policy_names(source if source is not None else g, row["id"])
        if d.get("type") in ("Measure", "Action")
        else [],
        path=str(d.get("path") or ""),
        doc=doc_title(g, d.get("doc")),
    )


def problem_rows(g: nx.MultiDiGraph, source: nx.MultiDiGraph | None = None) -> list[ProblemRow]:
    """One row per admitted problem of the subgraph, links as the subgraph holds them."""
    rows = []
    for p in counted_problems(g):
        tr = trace(g, p)
        measures = [_link(g, m, m.get("actions"), source) for m in tr["measures"]]
        in_measure = {a["id"] for m in tr["measures"] for a in m.get("actions", [])}
        # actions whose measure is not in the selection still belong in the measures column
        loose = [a for a in tr["actions"] if a["id"] not in in_measure]
        measures += [_link(g, a, None, source) for a in loose]
        d = g.nodes[p]
        rows.append(
            ProblemRow(
                id=p,
                short=_short(g, p, source),
                title=str(d.get("title") or ""),
                location=location(g, p),
                examples=[clip(e.get("title"), 60) for e in tr["examples"]],
                causes=[_link(g, c, None, source) for c in tr["causes"]],
                measures=measures,
                policies=[str(r.get("canonical") or r.get("title") or r["id"]) for r in tr["policy_refs"]],
                path=str(d.get("path") or ""),
                doc=doc_title(g, d.get("doc")),
                doc_id=str(d.get("doc") or ""),
                area=str(g.nodes[d["area"]].get("title") or "") if d.get("area") in g else "",
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
            (_short(g, r["id"], job.source) or r["id"], str(r.get("title") or ""), location(g, r["id"], False))
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
    links = Counter(d.get("origin") for _, _, d in g.edges(data=True) if d.get("type") in LINK_TYPES)
    link_counts = [(ORIGIN_LABELS_ZH.get(o, o), links[o]) for o in ("explicit", "curated", "inferred") if links.get(o)]
    day = job.generated
    doubts = [(doc_title(g, d), w) for d in sorted(g.graph.get("documents", {})) if (w := doubtful(reading_of(g, d)))]
    doubted_ids = {d for d in g.graph.get("documents", {}) if doubtful(reading_of(g, d))}
    found = gaps(job.source)
    items = []
    for key, label in GAP_LABELS.items():
        for r in found.get(key, []):
            if r["id"] in g:
                nd = g.nodes[r["id"]]
                doubted = nd.get("doc") in doubted_ids and key != "negative_findings"
                title, path = str(r.get("title") or ""), str(nd.get("path") or "")
                items.append(GapItem(label, title, path, doc_title(g, nd.get("doc")), doubted))
    return Briefing(
        title=job.title,
        scope=job.scope,
        date=f"{day.year}年{day.month}月{day.day}日",
        documents=[doc_title(g, d) for d in g.graph.get("documents", {})],
        counts=counts,
        link_counts=link_counts,
        rows=problem_rows(g, job.source),
        gaps=_gaps(job),
        overview=overview(job),
        inferred=inferred_links(g),
        doubts=doubts,
        gap_items=items,
    )


def overview(job: ExportJob) -> Overview:
    """Counted on the selection exactly as ``matrix`` and ``gaps`` count (a test runs both on the same
    selection and compares)."""
    g = job.graph
    mx = matrix(g)
    gp = gaps(g)
    problems = len(mx["problems"])
    causes = [n for n, d in g.nodes(data=True) if d.get("type") == "Cause"]
    return Overview(
        problems=problems,
        with_measures=problems - len(gp["problems_without_measures"]),
        causes=len(causes),
        causes_treated=len(causes) - len(gp["causes_without_measures"]),
        measures=len(mx["measures"]),
        actions=sum(1 for _, d in g.nodes(data=True) if d.get("type") == "Action"),
        policies=len(_policy_ids(g, job.source)),
        inferred=sum(
            1 for _, _, d in g.edges(data=True) if d.get("type") in LINK_TYPES and d.get("origin") == "inferred"
        ),
    )


def _policy_ids(g: nx.MultiDiGraph, source: nx.MultiDiGraph) -> set[str]:
    """Policy references cited by the selected problems, causes, measures and actions (looked up in the
    whole graph, as 溯源 does)."""
    out: set[str] = set()
    for n, d in g.nodes(data=True):
        if d.get("type") == "PolicyRef":
            out.add(n)
        elif d.get("type") in ("Problem", "Cause", "Measure", "Action") and n in source:
            out.update(r["id"] for r in policy_refs_of(source, n))
    return out


def inferred_links(g: nx.MultiDiGraph) -> list[InferredLink]:
    """Links the linker drew and nobody confirmed: listed for checking, strongest first."""
    out = []
    for u, v, d in g.edges(data=True):
        if d.get("type") in LINK_TYPES and d.get("origin") == "inferred":
            ev = (d.get("evidence") or {}).get("source_sentence") or {}
            score = d.get("score") if isinstance(d.get("score"), int | float) else None
            out.append(
                InferredLink(
                    EDGE_LABELS_ZH.get(d["type"], d["type"]),
                    str(g.nodes[u].get("title") or ""),
                    str(g.nodes[v].get("title") or ""),
                    score,
                    clip(ev.get("text") or "", EVIDENCE_CHARS),
                )
            )
    out.sort(key=lambda r: (-(r.score or 0.0), r.source, r.target))
    return out


def count_line(b: Briefing) -> str:
    text = "，".join(f"{label} {n} 个" for label, n in b.counts)
    if b.link_counts:
        text += "；关联 " + "，".join(f"{label} {n} 条" for label, n in b.link_counts)
    return text


ORIGIN_NOTE = (
    "关联来源：明示 = 原文写明对应关系；人工 = 分析人员确认；推断 = 按用语和政策依据相似度推断，"
    "需人工核实。得分越高，依据越充分。"
)
