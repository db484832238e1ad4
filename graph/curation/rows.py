"""The rows the 校对 view and `curate list` show (suggestions, curated, rejected, edits, merges,
orphans), read from the log so they work on a curated or a raw graph. Presentation only."""

from __future__ import annotations

from typing import Any

import networkx as nx

from tracegraph.graph.curation.store import CurationStore
from tracegraph.graph.model.schema import LINK_RULES


def _node_row(g: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    d = g.nodes[n] if n in g else {}
    return {"id": n, "type": d.get("type"), "title": d.get("title") or ""}


def review_rows(
    g: nx.MultiDiGraph, store: CurationStore, doc: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """What the 校对 view and `curate list` show, from the log (so it works on a curated or a raw graph):
    suggestions (inferred links nobody decided, best first), curated links, rejected links, node edits,
    policy merges and orphans. With `doc`, only the links and edits touching that document's nodes."""
    out = _review_rows(g, store)
    if doc:

        def ours(n: dict[str, Any]) -> bool:
            return n["id"] in g and g.nodes[n["id"]].get("doc") == doc

        for k in ("suggestions", "curated", "rejected"):
            out[k] = [r for r in out[k] if ours(r["source"]) or ours(r["target"])]
        out["edits"] = [r for r in out["edits"] if ours(r["node"])]
    return out


def _review_rows(g: nx.MultiDiGraph, store: CurationStore) -> dict[str, list[dict[str, Any]]]:
    st = store.state(g)
    decided = {k for k, ld in st.links.items() if ld.curated is not None or ld.rejected is not None}
    out: dict[str, list[dict[str, Any]]] = {
        "suggestions": [],
        "curated": [],
        "rejected": [],
        "edits": [],
        "merges": [],
        "orphans": [o.__dict__ for o in st.orphans],
    }
    for u, v, key, attrs in g.edges(keys=True, data=True):
        if key not in LINK_RULES or attrs.get("origin") != "inferred" or attrs.get("rejected"):
            continue
        if (u, v, key) in decided:
            continue
        out["suggestions"].append(
            {
                "source": _node_row(g, u),
                "target": _node_row(g, v),
                "type": key,
                "score": float(attrs.get("score") or 0),
                "evidence": attrs.get("evidence") or {},
            }
        )
    out["suggestions"].sort(key=lambda r: (-r["score"], r["source"]["id"], r["target"]["id"]))
    for (s, t, etype), ld in sorted(st.links.items()):
        base = {"source": _node_row(g, s), "target": _node_row(g, t), "type": etype, "present": g.has_edge(s, t, etype)}
        if ld.curated is not None and ld.rejected is None:
            c = ld.curated
            out["curated"].append(
                {**base, "op": c.op, "by": c.user, "at": c.at, "comment": c.comment, "decision": c.id}
            )
        if ld.rejected is not None:
            r = ld.rejected
            out["rejected"].append({**base, "by": r.user, "at": r.at, "comment": r.comment, "decision": r.id})
    for (n, fld), d in sorted(st.edits.items()):
        row = _node_row(g, n)
        out["edits"].append(
            {
                "node": row,
                "field": fld,
                "value": d.value,
                "by": d.user,
                "at": d.at,
                "comment": d.comment,
                "decision": d.id,
            }
        )
    for keep, drop, d in st.merges:
        out["merges"].append(
            {"keep": keep, "drop": drop, "by": d.user, "at": d.at, "comment": d.comment, "decision": d.id}
        )
    return out
