"""Questions analysts ask of the graph, in plain Python so the CLI, the app and the tests share them:
trace a problem (causes, measures, actions, policy references), the reverse for a measure or cause,
the traceability matrix, coverage gaps and search."""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

from .model import LINK_TYPES
from .similarity import BigramTfidf, cosine

SUMMARY_FIELDS = ("type", "title", "doc", "start", "end", "path", "marker", "status", "kind")
_ORIGIN_RANK = {"curated": 3, "explicit": 2, "inferred": 1, "parsed": 0}


def summary(g: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    d = g.nodes[n]
    out = {"id": n}
    for k in SUMMARY_FIELDS:
        if d.get(k) is not None:
            out[k] = d.get(k)
    return out


def active_links(g: nx.MultiDiGraph, etypes: tuple[str, ...] = LINK_TYPES) -> list[tuple[str, str, dict[str, Any]]]:
    """Link edges as every view should see them: rejected ones hidden, one edge per pair and type
    (a curated edge wins over an explicit one, which wins over an inferred one)."""
    best: dict[tuple[str, str, str], dict[str, Any]] = {}
    for u, v, d in g.edges(data=True):
        t = d.get("type")
        if t not in etypes or d.get("rejected"):
            continue
        key = (u, v, t)
        if key not in best or _ORIGIN_RANK.get(d.get("origin", ""), 0) > _ORIGIN_RANK.get(
            best[key].get("origin", ""), 0
        ):
            best[key] = d
    return [(u, v, d) for (u, v, _t), d in best.items()]


def _link_view(g: nx.MultiDiGraph) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    out: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for u, v, d in active_links(g):
        out.setdefault(u, []).append((v, "out", d))
        out.setdefault(v, []).append((u, "in", d))
    return out


def _linked(
    view: dict[str, list[tuple[str, str, dict[str, Any]]]],
    g: nx.MultiDiGraph,
    n: str,
    etype: str,
    direction: str,
    node_type: str | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for other, dirn, d in view.get(n, []):
        if d.get("type") != etype or dirn != direction:
            continue
        if node_type and g.nodes[other].get("type") != node_type:
            continue
        rows.append(
            {
                **summary(g, other),
                "score": d.get("score"),
                "origin": d.get("origin"),
                "evidence": d.get("evidence") or {},
                "comment": d.get("comment"),
            }
        )
    rows.sort(key=lambda r: (-_ORIGIN_RANK.get(r.get("origin") or "", 0), -(r.get("score") or 0), r["id"]))
    return rows


def children(g: nx.MultiDiGraph, n: str, etype: str) -> list[str]:
    return sorted(
        (v for _, v, d in g.out_edges(n, data=True) if d.get("type") == etype),
        key=lambda v: (g.nodes[v].get("start") or 0, v),
    )


def policy_refs_of(g: nx.MultiDiGraph, n: str, deep: bool = True) -> list[dict[str, Any]]:
    """References cited by the node (and by its examples/actions when deep)."""
    sources = [n]
    if deep:
        sources += children(g, n, "HAS_EXAMPLE") + children(g, n, "HAS_ACTION")
    seen: dict[str, dict[str, Any]] = {}
    for s in sources:
        for _, v, d in g.out_edges(s, data=True):
            if d.get("type") == "CITES":
                row = seen.setdefault(v, {**summary(g, v), "canonical": g.nodes[v].get("canonical"), "mentions": []})
                row["mentions"].extend(d.get("mentions", []))
    return sorted(seen.values(), key=lambda r: (r["mentions"][0][1] if r["mentions"] else 0, r["id"]))


def trace(g: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    """Everything a reader follows from one node; the shape depends on the node's type."""
    if n not in g:
        raise KeyError(n)
    t = g.nodes[n].get("type")
    view = _link_view(g)
    out: dict[str, Any] = {"node": {**summary(g, n), "text": g.nodes[n].get("text")}}
    if t == "Problem":
        out["area"] = summary(g, g.nodes[n]["area"]) if g.nodes[n].get("area") in g else None
        out["examples"] = [{**summary(g, e), "text": g.nodes[e].get("text")} for e in children(g, n, "HAS_EXAMPLE")]
        out["causes"] = _linked(view, g, n, "EXPLAINS", "in")
        measures = _linked(view, g, n, "ADDRESSES", "in", "Measure")
        actions = _linked(view, g, n, "ADDRESSES", "in", "Action")
        for m in measures:
            m["actions"] = [a for a in actions if _parent(g, a["id"]) == m["id"]]
        out["measures"] = measures
        out["actions"] = actions
        out["policy_refs"] = policy_refs_of(g, n)
    elif t in ("Measure", "Action"):
        m = n if t == "Measure" else (_parent(g, n) or n)
        out["problems"] = _linked(view, g, n, "ADDRESSES", "out")
        if t == "Action":
            out["measure"] = summary(g, m)
        out["causes"] = _linked(view, g, m, "TREATS", "out")
        out["actions"] = [{**summary(g, a), "text": g.nodes[a].get("text")} for a in children(g, m, "HAS_ACTION")]
        out["policy_refs"] = policy_refs_of(g, n)
        out["owner"] = {
            k: g.nodes[m].get(k) for k in ("owner", "department", "deadline", "status") if g.nodes[m].get(k)
        }
    elif t == "Cause":
        out["problems"] = _linked(view, g, n, "EXPLAINS", "out")
        out["measures"] = _linked(view, g, n, "TREATS", "in")
        out["policy_refs"] = policy_refs_of(g, n)
    elif t == "PolicyRef":
        cited = []
        for u, _, d in g.in_edges(n, data=True):
            if d.get("type") == "CITES":
                cited.append({**summary(g, u), "mentions": d.get("mentions", [])})
        out["cited_by"] = sorted(cited, key=lambda r: (r.get("doc") or "", r.get("start") or 0))
    else:
        out["neighbours"] = [summary(g, v) for v in nx.all_neighbors(g, n)]
    return out


def _parent(g: nx.MultiDiGraph, n: str) -> str | None:
    for u, _, d in g.in_edges(n, data=True):
        if d.get("type") in ("HAS_ACTION", "HAS_EXAMPLE", "CONTAINS"):
            return u
    return None


def _in_doc(g: nx.MultiDiGraph, doc: str | None, types: tuple[str, ...]) -> list[str]:
    nodes = [n for n, d in g.nodes(data=True) if d.get("type") in types and (doc is None or d.get("doc") == doc)]
    return sorted(nodes, key=lambda n: (g.nodes[n].get("doc") or "", g.nodes[n].get("start") or 0, n))


def counted_problems(g: nx.MultiDiGraph, doc: str | None = None) -> list[str]:
    """Problems the material admits (negative findings 未发现 are listed apart, not counted)."""
    return [n for n in _in_doc(g, doc, ("Problem",)) if g.nodes[n].get("status") != "none_found"]


def matrix(g: nx.MultiDiGraph, doc: str | None = None, min_score: float = 0.0) -> dict[str, Any]:
    """Traceability matrix: measures × problems with score and origin per linked cell."""
    measures = _in_doc(g, doc, ("Measure",))
    problems = counted_problems(g, doc)
    cells: dict[str, dict[str, Any]] = {}
    for u, v, d in active_links(g, ("ADDRESSES",)):
        if u in measures and v in problems and (d.get("score") or 0) >= min_score:
            cells[f"{u}|{v}"] = {
                "measure": u,
                "problem": v,
                "score": d.get("score"),
                "origin": d.get("origin"),
                "evidence": d.get("evidence") or {},
            }
    return {
        "measures": [summary(g, m) for m in measures],
        "problems": [summary(g, p) for p in problems],
        "cells": cells,
    }


def gaps(g: nx.MultiDiGraph, doc: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Coverage gaps are findings for the analyst, not errors."""
    links = active_links(g)
    addressed = {v for u, v, d in links if d["type"] == "ADDRESSES"}
    explained = {v for u, v, d in links if d["type"] == "EXPLAINS"}
    treated = {v for u, v, d in links if d["type"] == "TREATS"}
    measuring = {u for u, v, d in links if d["type"] in ("ADDRESSES", "TREATS")}
    measuring |= {_parent(g, u) for u, v, d in links if d["type"] == "ADDRESSES" and g.nodes[u].get("type") == "Action"}
    return {
        "problems_without_measures": [summary(g, p) for p in counted_problems(g, doc) if p not in addressed],
        "problems_without_causes": [summary(g, p) for p in counted_problems(g, doc) if p not in explained],
        "causes_without_measures": [summary(g, c) for c in _in_doc(g, doc, ("Cause",)) if c not in treated],
        "measures_addressing_nothing": [summary(g, m) for m in _in_doc(g, doc, ("Measure",)) if m not in measuring],
        "negative_findings": [
            summary(g, p) for p in _in_doc(g, doc, ("Problem",)) if g.nodes[p].get("status") == "none_found"
        ],
    }


_SEARCH_TYPES = ("Problem", "Cause", "Measure", "Action", "Example", "Area", "PolicyRef", "Quote", "Section")


def search(
    g: nx.MultiDiGraph, query: str, types: tuple[str, ...] | None = None, doc: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Chinese substring search over titles and text, then fuzzy (character-bigram) matches."""
    q = re.sub(r"\s+", "", query)
    if not q:
        return []
    types = types or _SEARCH_TYPES
    cands = [
        (n, d) for n, d in g.nodes(data=True) if d.get("type") in types and (doc is None or d.get("doc") in (doc, None))
    ]
    model = BigramTfidf([(d.get("title") or "") for _, d in cands])
    qv = model.transform(q)
    scored = []
    for n, d in cands:
        title = d.get("title") or ""
        text = d.get("text") or ""
        aliases = "".join(d.get("aliases") or [])
        if q in title or q in aliases:
            s = 2.0 + len(q) / max(len(title), 1)
        elif q in text:
            s = 1.5 + 0.1 * text.count(q) - 0.0001 * len(text)
        else:
            s = max(cosine(qv, model.transform(title)), 0.8 * cosine(qv, model.transform(text)))
            if s < 0.2:
                continue
        scored.append((s, n))
    scored.sort(key=lambda x: (-x[0], x[1]))
    out = []
    for s, n in scored[:limit]:
        row = summary(g, n)
        row["score"] = round(s, 3)
        text = g.nodes[n].get("text") or ""
        k = text.find(q)
        row["snippet"] = text[max(0, k - 20) : k + len(q) + 40] if k >= 0 else text[:60]
        out.append(row)
    return out
