"""The numbers a corpus is first read by: items per type, coverage counts, the most-cited policy references.

One definition for every store: the embedded store computes them here on its graph; the Neo4j store computes the
same numbers with Cypher aggregates (graph.stores.neo4j_summary) and, for the documents the team's curation
touches, with these functions on the fetched documents — so the two stores give the same numbers and a corpus
overview never needs the whole graph in memory.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from tracegraph.graph.query.queries import counted_problems, gaps

COUNT_TYPES = ("Cause", "Measure", "Action", "Example")
# additive over documents (a corpus's figure is the sum of its documents')
ADDITIVE = ("Problem", *COUNT_TYPES, "negative_findings", "problems_without_measures", "problems_without_causes",
            "causes_without_measures", "measures_addressing_nothing")


def type_counts(g: nx.MultiDiGraph, doc: str | None) -> dict[str, int]:
    """Counts the analyst reads first; problems exclude negative findings (未发现…). One pass over the nodes."""
    out = {"Problem": len(counted_problems(g, doc)), **{t: 0 for t in COUNT_TYPES}}
    for _, d in g.nodes(data=True):
        t = d.get("type")
        if t in COUNT_TYPES and (doc is None or d.get("doc") == doc):
            out[t] += 1
    out["PolicyRef"] = len(cited_policies(g, doc))
    return out


def cited_policies(g: nx.MultiDiGraph, doc: str | None) -> list[dict[str, Any]]:
    """Policy references with how often they are mentioned (in one document or all), most cited first."""
    rows: dict[str, dict[str, Any]] = {}
    for u, v, d in g.edges(data=True):
        if d.get("type") != "CITES":
            continue
        mentions = [m for m in d.get("mentions") or [] if doc is None or (m and m[0] == doc)]
        if not mentions:
            continue
        r = rows.setdefault(v, {"id": v, "title": g.nodes[v].get("title"), "kind": g.nodes[v].get("kind") or "",
                                "mentions": 0, "nodes": set()})
        r["mentions"] += len(mentions)
        r["nodes"].add(u)
    out = sorted(rows.values(), key=lambda r: (-r["mentions"], -len(r["nodes"]), r["title"] or ""))
    for r in out:
        r["nodes"] = len(r["nodes"])
    return out


def counts(g: nx.MultiDiGraph, doc: str | None = None) -> dict[str, int]:
    """Items per type and coverage counts of one document (or of every document in `g`)."""
    gp = gaps(g, doc)
    docs = g.graph.get("documents", {})
    return {
        "documents": (1 if doc in docs else 0) if doc else len(docs),
        **type_counts(g, doc),
        **{k: len(gp[k]) for k in ADDITIVE if k in gp},
    }
