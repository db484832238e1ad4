"""Exploration the way graph-browser users work: find a node by typing (across all documents), put it in a
scene, expand its neighbours, find the shortest path between two nodes. Plain functions over the graph, so
the app's explorer and the tests ask the same questions; the scene itself is a list of node ids (what the
analyst chose to look at), the answers are JSON-ready rows the browser draws without knowing the graph."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

import networkx as nx

from tracegraph.graph.model.schema import EDGE_LABELS_ZH, LINK_TYPES, ORIGIN_LABELS_ZH, TYPE_LABELS_ZH
from tracegraph.graph.query.naming import doc_label, doc_tags, shown_id
from tracegraph.graph.query.queries import search

# what type-ahead offers: the things an analyst names (not actions, examples, quotes)
SUGGEST_TYPES = ("Problem", "Measure", "Cause", "Area", "PolicyRef", "Document", "Action")
# a node's neighbours are shown in this order when there are more than one expansion shows
_EXPAND_ORDER = {"Problem": 0, "Cause": 1, "Measure": 2, "PolicyRef": 3, "Action": 4, "Area": 5, "Example": 6,
                 "Document": 7, "Section": 8, "Quote": 9, "Speaker": 10}
EXPAND_LIMIT = 40
# path cost per relationship: a reader's links and citations are short steps, "the same document contains
# both" is a long one — otherwise every path would run through the Document node
_PATH_COST = {"ADDRESSES": 1.0, "EXPLAINS": 1.0, "TREATS": 1.0, "CITES": 1.0, "HAS_ACTION": 1.0,
              "HAS_EXAMPLE": 1.0, "QUOTES": 1.0, "SAID_BY": 1.0, "SIMILAR_TO": 2.0, "CONTAINS": 3.0}


def is_rejected(d: dict[str, Any]) -> bool:
    return bool(d.get("rejected"))


def suggest(g: nx.MultiDiGraph, query: str, limit: int = 12, doc: str | None = None) -> list[dict[str, Any]]:
    """Type-ahead: the nodes whose title (then text) holds what was typed, in every document unless one is
    chosen, each named with its document so look-alike items of two documents are told apart."""
    q = query.strip()
    if not q:
        return []
    tags = doc_tags(g)
    out: list[dict[str, Any]] = []
    for hit in search(g, q, types=SUGGEST_TYPES, doc=doc, limit=limit):
        n = hit["id"]
        if n not in g:
            continue
        out.append(node_row(g, n, tags))
        if len(out) >= limit:
            break
    return out


def node_row(g: nx.MultiDiGraph, n: str, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """What the browser needs to draw and caption one node."""
    d = g.nodes[n]
    t = d.get("type") or ""
    doc = d.get("doc") or ""
    tags = doc_tags(g) if tags is None else tags
    title = str(d.get("title") or (doc_label(g, doc) if t == "Document" and doc else n))
    return {
        "id": n,
        "type": t,
        "typeZh": TYPE_LABELS_ZH.get(t, t),
        "doc": doc,
        "docTag": tags.get(doc, doc_label(g, doc) if doc else ""),
        "code": shown_id(g, n, tags) if t != "Document" else "",
        "title": title,
        "status": d.get("status") or "",
    }


def edge_row(u: str, v: str, k: Any, d: dict[str, Any]) -> dict[str, Any]:
    t = d.get("type") or ""
    score = d.get("score")
    return {
        "id": f"{u}|{v}|{k}",
        "from": u,
        "to": v,
        "type": t,
        "typeZh": EDGE_LABELS_ZH.get(t, t),
        "origin": d.get("origin") or "parsed",
        "originZh": ORIGIN_LABELS_ZH.get(d.get("origin") or "parsed", ""),
        "score": None if score is None else round(float(score), 3),
        "link": t in LINK_TYPES,
        "rejected": is_rejected(d),
        "comment": str(d.get("comment") or d.get("rejection_comment") or ""),
    }


def neighbours(g: nx.MultiDiGraph, n: str, limit: int = EXPAND_LIMIT,
               exclude: Iterable[str] = ()) -> tuple[list[str], int]:
    """The nodes one step from ``n`` (either direction, rejected links left out) that are not already
    shown, best first: a reader's links by score, then by type. Returns (the first ``limit``, how many
    there are in all) so the view can say how many it left out."""
    if n not in g:
        return [], 0
    shown = set(exclude)
    best: dict[str, tuple[int, float, str]] = {}
    for a, b, d in [*g.out_edges(n, data=True), *g.in_edges(n, data=True)]:
        if is_rejected(d):
            continue
        m = b if a == n else a
        if m == n or m in shown:
            continue
        link = d.get("type") in LINK_TYPES
        rank = (0 if link else 1, -float(d.get("score") or (1.0 if link else 0.0)),
                f"{_EXPAND_ORDER.get(g.nodes[m].get('type') or '', 99):02d}{m}")
        if m not in best or rank < best[m]:
            best[m] = rank
    ordered = sorted(best, key=lambda m: best[m])
    return ordered[:limit], len(ordered)


def shortest_path(g: nx.MultiDiGraph, a: str, b: str, max_cost: float = 40.0) -> list[str]:
    """The cheapest chain of relationships between two nodes, in either direction, through links and
    citations before "the same document contains both" (rejected links never); [] when none."""
    if a not in g or b not in g:
        return []
    if a == b:
        return [a]
    dist: dict[str, float] = {a: 0.0}
    prev: dict[str, str] = {}
    heap: list[tuple[float, str]] = [(0.0, a)]
    while heap:
        cost, n = heapq.heappop(heap)
        if n == b:
            break
        if cost > dist.get(n, float("inf")) or cost > max_cost:
            continue
        for u, v, d in [*g.out_edges(n, data=True), *g.in_edges(n, data=True)]:
            if is_rejected(d):
                continue
            m = v if u == n else u
            step = _PATH_COST.get(d.get("type") or "", 2.0)
            if g.nodes[m].get("type") == "Document":
                step += 2.0  # a whole document as a stepping stone says little
            c = cost + step
            if c < dist.get(m, float("inf")):
                dist[m] = c
                prev[m] = n
                heapq.heappush(heap, (c, m))
    if b not in prev:
        return []
    path = [b]
    while path[-1] != a:
        path.append(prev[path[-1]])
    return path[::-1]


def scene_payload(g: nx.MultiDiGraph, nodes: Iterable[str]) -> dict[str, Any]:
    """The nodes of a scene (those still in the graph) with every relationship among them, rejected links
    included and marked (the explorer shows them struck, never silently gone)."""
    tags = doc_tags(g)
    keep = [n for n in dict.fromkeys(nodes) if n in g]
    inside = set(keep)
    edges = []
    for n in keep:
        for _u, v, k, d in g.out_edges(n, keys=True, data=True):
            if v in inside:
                edges.append(edge_row(n, v, k, d))
    return {"nodes": [node_row(g, n, tags) for n in keep], "edges": edges,
            "missing": [n for n in dict.fromkeys(nodes) if n not in g]}
