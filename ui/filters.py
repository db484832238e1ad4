"""Which nodes and edges the graph picture shows: filters by type, document, area, link score and origin,
search, focus with 1–3 hop expansion, and a node cap that says when it cut something.

Plain functions over the networkx graph so the rules are tested without a browser."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from tracegraph.graph.model.schema import LINK_TYPES, NODE_TYPES
from tracegraph.graph.query.queries import active_links, search

# the order in which nodes survive the cap: the analyst's main objects first
_TYPE_RANK = {t: i for i, t in enumerate(
    ("Problem", "Measure", "Cause", "Area", "Action", "PolicyRef", "Example", "Section", "Quote", "Speaker",
     "Document"))}


@dataclass(frozen=True)
class FilterSpec:
    types: tuple[str, ...] = ("Area", "Problem", "Cause", "Measure", "Action")
    doc: str = ""
    area: str = ""
    min_score: float = 0.0
    origins: tuple[str, ...] = ("parsed", "explicit", "inferred", "curated")
    query: str = ""
    focus: str = ""
    hops: int = 1
    cap: int = 150


@dataclass
class FilterResult:
    nodes: list[str]
    edges: list[tuple[str, str, dict[str, Any]]]
    total: int  # nodes that matched before the cap
    seeds: list[str] = field(default_factory=list)  # focus node or search hits (drawn highlighted)
    hits: list[dict[str, Any]] = field(default_factory=list)  # search results, best first
    message: str = ""  # shown to the analyst when the cap cut nodes or nothing matched

    @property
    def capped(self) -> bool:
        return len(self.nodes) < self.total


def visible_edges(g: nx.MultiDiGraph, spec: FilterSpec) -> list[tuple[str, str, dict[str, Any]]]:
    """Structural edges as they are, link edges as every view sees them (rejected hidden, best per pair),
    both filtered by origin; a link edge must also reach the minimum score."""
    out = [(u, v, d) for u, v, d in g.edges(data=True) if d.get("type") not in LINK_TYPES]
    out += active_links(g)
    keep = []
    for u, v, d in out:
        if (d.get("origin") or "parsed") not in spec.origins:
            continue
        score = d.get("score")
        if d.get("type") in LINK_TYPES and (1.0 if score is None else score) < spec.min_score:
            continue
        keep.append((u, v, d))
    return keep


def _in_doc(g: nx.MultiDiGraph, n: str, doc: str, shared_ok: set[str]) -> bool:
    d = g.nodes[n]
    if not doc:
        return True
    if d.get("doc") == doc:
        return True
    return d.get("doc") is None and n in shared_ok


def area_members(g: nx.MultiDiGraph, area: str) -> set[str]:
    """The area node, every node it contains (problems and their examples), and what links to them."""
    if area not in g:
        return set()
    members = {area} | nx.descendants(g, area) if g.nodes[area].get("type") == "Area" else {area}
    members |= {n for n, d in g.nodes(data=True) if d.get("area") == area}
    for n in list(members):
        for _, v, d in g.out_edges(n, data=True):
            if d.get("type") in ("HAS_EXAMPLE", "CITES"):
                members.add(v)
    for u, v, _d in active_links(g):
        if v in members:
            members.add(u)
    return members


def _expand(adj: dict[str, set[str]], seeds: list[str], hops: int) -> dict[str, int]:
    """Breadth-first distances (ignoring direction) from the seeds, up to `hops`."""
    dist = {s: 0 for s in seeds}
    queue = deque(seeds)
    while queue:
        n = queue.popleft()
        if dist[n] >= hops:
            continue
        for m in sorted(adj.get(n, ())):
            if m not in dist:
                dist[m] = dist[n] + 1
                queue.append(m)
    return dist


def apply_filters(g: nx.MultiDiGraph, spec: FilterSpec) -> FilterResult:
    """Nodes and edges to draw for a filter spec, ranked and capped."""
    edges = visible_edges(g, spec)
    types = set(spec.types) & set(NODE_TYPES)
    shared_ok: set[str] = set()
    if spec.doc:
        for u, v, _d in edges:
            if g.nodes[u].get("doc") == spec.doc:
                shared_ok.add(v)
    allowed = {n for n, d in g.nodes(data=True) if d.get("type") in types and _in_doc(g, n, spec.doc, shared_ok)}
    if spec.area:
        allowed &= area_members(g, spec.area)

    hits: list[dict[str, Any]] = []
    seeds: list[str] = []
    if spec.focus and spec.focus in g:
        seeds = [spec.focus]
        allowed.add(spec.focus)
    elif spec.query.strip():
        hits = search(g, spec.query, doc=spec.doc or None, limit=30)
        seeds = [h["id"] for h in hits if h["id"] in allowed]

    adj: dict[str, set[str]] = {}
    for u, v, _d in edges:
        if u in allowed and v in allowed:
            adj.setdefault(u, set()).add(v)
            adj.setdefault(v, set()).add(u)
    if seeds:
        dist = _expand(adj, seeds, spec.hops)
    elif spec.query.strip():
        dist = {}
    else:
        dist = dict.fromkeys(allowed, 0)

    seed_rank = {s: i for i, s in enumerate(seeds)}
    ranked = sorted(dist, key=lambda n: (
        dist[n], seed_rank.get(n, len(seed_rank)), _TYPE_RANK.get(g.nodes[n].get("type", ""), 99),
        -len(adj.get(n, ())), g.nodes[n].get("doc") or "", g.nodes[n].get("start") or 0, n))
    total = len(ranked)
    cap = max(1, spec.cap)
    nodes = ranked[:cap]
    kept = set(nodes)
    shown = [(u, v, d) for u, v, d in edges if u in kept and v in kept]
    message = ""
    if total > cap:
        message = (f"符合条件的节点共 {total} 个，只显示前 {cap} 个（优先显示聚焦/搜索结果及问题、措施、原因）。"
                   "可缩小筛选范围或提高上限。")
    elif total == 0 and spec.query.strip():
        message = f"没有找到与“{spec.query}”相关的节点。"
    elif total == 0:
        message = "没有符合条件的节点，请放宽筛选条件。"
    return FilterResult(nodes=nodes, edges=shown, total=total, seeds=[s for s in seeds if s in kept], hits=hits,
                        message=message)


def spec_from_state(state: Any) -> FilterSpec:
    """The graph view's filter spec from the app's ViewState (kept apart so filters.py needs no Streamlit)."""
    return FilterSpec(types=tuple(state.types), doc=state.doc, area=state.area, min_score=state.min_score,
                      origins=tuple(state.origins), query=state.q, focus=state.focus, hops=state.hops,
                      cap=state.cap)


def areas_of(g: nx.MultiDiGraph, doc: str = "") -> list[str]:
    """Area nodes (of one document or all), in reading order."""
    nodes = [n for n, d in g.nodes(data=True) if d.get("type") == "Area" and (not doc or d.get("doc") == doc)]
    return sorted(nodes, key=lambda n: (g.nodes[n].get("doc") or "", g.nodes[n].get("start") or 0))
