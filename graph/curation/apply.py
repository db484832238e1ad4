"""Applying the curation log to a freshly built graph: policy merges, node edits, curated links and
rejections overlaid in place. Separate from the store, which only records and replays decisions."""

from __future__ import annotations

from typing import Any

import networkx as nx

from tracegraph.graph.curation.records import CurationReport, Decision
from tracegraph.graph.curation.store import CurationStore


def apply_curation(g: nx.MultiDiGraph, store: CurationStore) -> CurationReport:
    """Overlay the decisions on a freshly built and linked graph (in place): policy merges, node edits,
    curated links (origin "curated", overriding the inferred edge) and rejections (`rejected: True`,
    kept so they can be listed and restored). Call again after any re-linking."""
    st = store.state(g)
    rep = CurationReport(moved=st.moved, orphans=list(st.orphans))
    for keep, drop, d in st.merges:
        if drop in g and keep in g and drop != keep:
            _merge_policy_nodes(g, keep, drop, d)
            rep.merged.append((keep, drop))
    for (n, fld), d in st.edits.items():
        if n not in g:
            continue
        node = g.nodes[n]
        node.setdefault(f"orig_{fld}", node.get(fld))
        node[fld] = d.value
        node["curated"] = True
        if fld == "type" and node.pop("role_uncertain", None):
            node["role_decided"] = True  # the analyst settled a role the reader had only guessed
        node.setdefault("curation", {})[fld] = {"by": d.user, "at": d.at, "comment": d.comment, "decision": d.id}
        rep.edited.append((n, fld, str(d.value)))
    for (s, t, etype), ld in st.links.items():
        if ld.curated is not None:
            c = ld.curated
            if g.has_edge(s, t, etype):
                e = g.edges[s, t, etype]
                if e.get("origin") != "curated":
                    e["previous_origin"] = e.get("origin")
            else:
                g.add_edge(s, t, key=etype, type=etype, score=1.0, evidence={"curated": True, "comment": c.comment})
                e = g.edges[s, t, etype]
            e.update(origin="curated", curated_by=c.user, curated_at=c.at, comment=c.comment, decision=c.id)
            e.pop("rejected", None)
            (rep.confirmed if c.op == "confirm" else rep.added).append((s, t, etype))
        if ld.rejected is not None:
            r = ld.rejected
            if g.has_edge(s, t, etype):
                g.edges[s, t, etype].update(
                    rejected=True, rejected_by=r.user, rejected_at=r.at, rejection_comment=r.comment, decision=r.id
                )
                rep.rejected.append((s, t, etype))
            else:
                rep.rejected_absent.append((s, t, etype))
    g.graph["curation"] = {
        "confirmed": len(rep.confirmed),
        "added": len(rep.added),
        "rejected": len(rep.rejected),
        "edited": len(rep.edited),
        "merged": len(rep.merged),
        "orphans": len(rep.orphans),
    }
    return rep


_EDGE_MARKS = ("curated_by", "curated_at", "comment", "decision", "previous_origin")
_REJECT_MARKS = ("rejected", "rejected_by", "rejected_at", "rejection_comment")


def strip_curation(g: nx.MultiDiGraph) -> int:
    """Take back (in place) what apply_curation wrote into a graph: links added by hand go, confirmed links
    get their earlier origin back, rejections and node edits are lifted. For a graph that was pushed with
    decisions already applied: the team's log is then applied to the graph as built, so a decision undone
    in the log is undone in the graph too. Policy merges cannot be taken back (the merged node is gone).
    Returns how many marks it removed."""
    removed = 0
    for u, v, k, e in list(g.edges(keys=True, data=True)):
        if e.get("origin") == "curated" and not e.get("previous_origin"):
            g.remove_edge(u, v, key=k)
            removed += 1
            continue
        if e.get("origin") == "curated":
            e["origin"] = e["previous_origin"]
        marks = [m for m in (*_EDGE_MARKS, *_REJECT_MARKS) if m in e]
        for m in marks:
            del e[m]
        removed += bool(marks)
    for _, d in g.nodes(data=True):
        if not d.get("curated") or "curation" not in d:
            continue
        for fld in list(d["curation"]):
            if fld != "merge" and f"orig_{fld}" in d:
                d[fld] = d.pop(f"orig_{fld}")
                del d["curation"][fld]
        if d.pop("role_decided", None):
            d["role_uncertain"] = True
        if not d["curation"]:
            del d["curation"], d["curated"]
        removed += 1
    g.graph.pop("curation", None)
    return removed


def _merge_policy_nodes(g: nx.MultiDiGraph, keep: str, drop: str, d: Decision) -> None:
    """Citations of `drop` move to `keep` (mentions joined), aliases are united, `drop` goes."""
    k, dr = g.nodes[keep], g.nodes[drop]
    for u, _, key, data in list(g.in_edges(drop, keys=True, data=True)):
        _move_edge(g, u, keep, key, data)
    for _, v, key, data in list(g.out_edges(drop, keys=True, data=True)):
        _move_edge(g, keep, v, key, data)
    aliases = [*(k.get("aliases") or [])]
    for a in [*(dr.get("aliases") or []), dr.get("canonical") or dr.get("title")]:
        if a and a not in aliases and a != k.get("canonical"):
            aliases.append(a)
    k["aliases"] = aliases
    k["merged_from"] = [*(k.get("merged_from") or []), drop]
    k["curated"] = True
    k.setdefault("curation", {})["merge"] = {"by": d.user, "at": d.at, "comment": d.comment, "decision": d.id}
    g.remove_node(drop)


def _move_edge(g: nx.MultiDiGraph, u: str, v: str, key: Any, data: dict[str, Any]) -> None:
    if u == v:
        return
    if g.has_edge(u, v, key):
        e = g.edges[u, v, key]
        if "mentions" in data:
            e["mentions"] = [
                *(e.get("mentions") or []),
                *[m for m in data["mentions"] if m not in e.get("mentions", [])],
            ]
    else:
        g.add_edge(u, v, key=key, **data)
