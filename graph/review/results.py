"""What a review produces: findings with their source evidence, a verdict per dimension measured against
its thresholds, a review per document. Plain data classes shared by the checks, the report and the UI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tracegraph.errors import NotFoundError

DIMENSIONS = ("specificity", "cause_depth", "coverage", "checkability", "boilerplate", "negative")
DIMENSION_LABELS_ZH = {
    "specificity": "问题查摆",
    "cause_depth": "原因剖析",
    "coverage": "整改对应",
    "checkability": "措施可检验",
    "boilerplate": "套话雷同",
    "negative": "未发现事项",
}
PASS, FAIL, NOT_APPLICABLE, LISTED = "达标", "待改进", "不适用", "仅列示"


@dataclass
class Evidence:
    """A piece of source text: what it shows (label), where it is (doc, span, node, location)."""

    label: str
    text: str
    doc: str
    start: int
    end: int
    node: str | None = None
    where: str = ""


@dataclass
class Finding:
    dimension: str
    kind: str
    severity: str  # "issue" (counts against the material), "info" or "ok"
    message: str
    doc: str
    nodes: list[str]
    source: Evidence | None
    evidence: list[Evidence] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Criterion:
    key: str
    label: str
    value: float | int | None
    threshold: float | int | None
    op: str  # "≥" or "≤"
    passed: bool | None  # None: not scored (threshold null or nothing to measure)


@dataclass
class DimensionScore:
    dimension: str
    label: str
    verdict: str
    summary: str
    criteria: list[Criterion] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class DocumentReview:
    doc: str
    title: str
    path: str
    scores: dict[str, DimensionScore]
    findings: list[Finding]

    def findings_of(self, dimension: str, severity: str | None = None) -> list[Finding]:
        return [f for f in self.findings if f.dimension == dimension and (severity is None or f.severity == severity)]

    @property
    def passed(self) -> int:
        return sum(1 for s in self.scores.values() if s.verdict == PASS)

    @property
    def scored(self) -> int:
        return sum(1 for s in self.scores.values() if s.verdict in (PASS, FAIL))


@dataclass
class Review:
    documents: list[DocumentReview]
    rules_source: str
    generated: str

    def document(self, doc: str) -> DocumentReview:
        for d in self.documents:
            if d.doc == doc:
                return d
        raise NotFoundError(str(doc))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rules": self.rules_source,
            "generated": self.generated,
            "documents": [{**asdict(d), "passed": d.passed, "scored": d.scored} for d in self.documents],
        }


def criterion(key: str, label: str, value: float | int | None, threshold: Any, op: str) -> Criterion:
    if threshold is None or value is None:
        return Criterion(key, label, value, threshold, op, None)
    ok = value >= threshold if op == "≥" else value <= threshold
    return Criterion(key, label, value, threshold, op, bool(ok))


def _verdict(criteria: list[Criterion]) -> str:
    scored = [c for c in criteria if c.passed is not None]
    if not scored:
        return NOT_APPLICABLE
    return PASS if all(c.passed for c in scored) else FAIL


Checked = tuple[DimensionScore, list[Finding]]


def dimension_score(
    dim: str, summary: str, criteria: list[Criterion], details: dict[str, Any], verdict: str = ""
) -> DimensionScore:
    return DimensionScore(dim, DIMENSION_LABELS_ZH[dim], verdict or _verdict(criteria), summary, criteria, details)
