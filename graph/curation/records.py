"""The plain records of curation: a logged decision, an orphan (a decision whose node is gone), the
replayed state of the log against one graph, and the report of applying it. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracegraph.graph.curation.anchors import Anchor


@dataclass
class Decision:
    id: int
    op: str
    etype: str | None
    source: str | None
    target: str | None
    source_anchor: Anchor | None
    target_anchor: Anchor | None
    field: str | None
    value: str | None
    comment: str
    user: str
    at: str
    undone: bool

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Decision:
        return cls(
            id=int(r["id"]),
            op=str(r["op"]),
            etype=r["etype"],
            source=r["source"],
            target=r["target"],
            source_anchor=Anchor.from_json(r["source_anchor"]),
            target_anchor=Anchor.from_json(r["target_anchor"]),
            field=r["field"],
            value=r["value"],
            comment=r["comment"] or "",
            user=r["user"],
            at=r["at"],
            undone=bool(r["undone"]),
        )


@dataclass
class Orphan:
    """A decision whose node is gone from the documents: shown to the analyst with its old text."""

    decision: int
    op: str
    missing: str  # which end: source | target | node | keep
    node: str  # the id it had
    type: str
    text: str  # its text then
    user: str
    at: str
    comment: str
    etype: str | None = None
    other: str | None = None  # the other end of a link, as it was
    value: str | None = None


@dataclass
class LinkDecision:
    source: str
    target: str
    etype: str
    curated: Decision | None = None  # confirm/add in force
    rejected: Decision | None = None  # reject in force


@dataclass
class CurationState:
    """The replayed log resolved against one graph."""

    links: dict[tuple[str, str, str], LinkDecision] = field(default_factory=dict)
    edits: dict[tuple[str, str], Decision] = field(default_factory=dict)
    merges: list[tuple[str, str, Decision]] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CurationReport:
    confirmed: list[tuple[str, str, str]] = field(default_factory=list)
    added: list[tuple[str, str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    rejected_absent: list[tuple[str, str, str]] = field(default_factory=list)  # nothing left to hide
    edited: list[tuple[str, str, str]] = field(default_factory=list)  # (node, field, value)
    merged: list[tuple[str, str]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)  # re-attached to another id
    orphans: list[Orphan] = field(default_factory=list)


def orphan(d: Decision, missing: str, a: Anchor | None, other: str | None = None) -> Orphan:
    node = a.node if a else str((d.source if missing in ("source", "keep") else d.target) or "")
    return Orphan(
        decision=d.id,
        op=d.op,
        missing=missing,
        node=node,
        type=a.type if a else "",
        text=a.text if a else "（锚点记录已损坏）",
        user=d.user,
        at=d.at,
        comment=d.comment,
        etype=d.etype,
        other=other,
        value=d.value,
    )
