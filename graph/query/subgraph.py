"""Cut the part of the graph an analyst wants to brief on: a problem's trace, the neighbourhood of some
nodes, certain types or documents, the coverage gaps, or everything.

Selection strings (CLI ``--select``, clauses joined with ``;``):

    all                        everything
    trace:P5.2                 a problem with its causes, measures, actions, examples and policy refs
    focus:<id>,depth=2         nodes within ``depth`` steps of one or more ids (``focus:a,b,depth=1``)
    gaps                       the coverage-gap set (see ``graph.queries.gaps``)
    types:Problem,Measure      only these node types (Chinese names such as 问题 also work)
    doc:<docid>                only these documents (``doc:a,b``)

``all``/``trace``/``focus``/``gaps`` pick nodes and are combined as a union; ``types`` and ``doc`` are
filters applied to that union (with no picking clause the union is the whole graph). Ids may be short
(``P5.2``): they are resolved within the graph, inside the ``doc`` filter when one is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import networkx as nx

from tracegraph.errors import AmbiguousIdError, NotFoundError, SelectionError
from tracegraph.graph.model.schema import NODE_TYPES, TYPE_LABELS_ZH
from tracegraph.graph.query.queries import gaps as coverage_gaps
from tracegraph.graph.query.queries import trace as trace_query

_TYPE_BY_NAME = {t.lower(): t for t in NODE_TYPES} | {zh: t for t, zh in TYPE_LABELS_ZH.items()}
_DEPTH = re.compile(r"^\s*depth\s*=\s*(\d+)\s*$")
MAX_DEPTH = 6


@dataclass(frozen=True)
class Selection:
    """What to export. Empty picking fields plus ``everything=False`` still mean "everything" (filters
    alone select from the whole graph)."""

    everything: bool = False
    focus: tuple[str, ...] = ()
    depth: int = 1
    trace: tuple[str, ...] = ()
    gaps: bool = False
    types: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()

    @property
    def picks_all(self) -> bool:
        return self.everything or not (self.focus or self.trace or self.gaps)


def parse_selection(text: str | None) -> Selection:
    """Parse a CLI selection string; ids stay as written and are resolved by :func:`select`."""
    text = (text or "").strip()
    if not text:
        return Selection(everything=True)
    everything = is_gaps = False
    focus: list[str] = []
    trace: list[str] = []
    types: list[str] = []
    docs: list[str] = []
    depth: int | None = None
    for raw in text.split(";"):
        clause = raw.strip()
        if not clause:
            continue
        name, _, arg = clause.partition(":")
        name = name.strip().lower()
        arg = arg.strip()
        if name in ("all", "gaps") and arg:
            raise SelectionError(f"选择条件“{clause}”不需要参数")
        if name == "all":
            everything = True
        elif name == "gaps":
            is_gaps = True
        elif name == "trace":
            trace.extend(_items(arg, clause))
        elif name == "focus":
            ids, d = _focus_args(arg, clause)
            focus.extend(ids)
            if d is not None:
                depth = max(depth or 0, d)
        elif name == "types":
            types.extend(_type_name(t) for t in _items(arg, clause))
        elif name == "doc":
            docs.extend(_items(arg, clause))
        else:
            raise SelectionError(
                f"无法识别的选择条件“{clause}”（可用：all、trace:ID、focus:ID,depth=N、gaps、types:类型、doc:文档）"
            )
    return Selection(
        everything=everything,
        focus=tuple(focus),
        depth=1 if depth is None else depth,
        trace=tuple(trace),
        gaps=is_gaps,
        types=tuple(dict.fromkeys(types)),
        documents=tuple(dict.fromkeys(docs)),
    )


def _items(arg: str, clause: str) -> list[str]:
    items = [a.strip() for a in arg.split(",") if a.strip()]
    if not items:
        raise SelectionError(f"选择条件“{clause}”缺少参数")
    return items


def _focus_args(arg: str, clause: str) -> tuple[list[str], int | None]:
    ids: list[str] = []
    depth = None
    for item in _items(arg, clause):
        m = _DEPTH.match(item)
        if m:
            depth = int(m.group(1))
            if depth > MAX_DEPTH:
                raise SelectionError(f"depth 最大为 {MAX_DEPTH}（“{clause}”）")
        else:
            ids.append(item)
    if not ids:
        raise SelectionError(f"选择条件“{clause}”缺少节点 ID")
    return ids, depth


def _type_name(name: str) -> str:
    t = _TYPE_BY_NAME.get(name.lower()) or _TYPE_BY_NAME.get(name)
    if not t:
        raise SelectionError(f"未知的节点类型“{name}”（可用：{'、'.join(NODE_TYPES)}）")
    return t


def describe(selection: Selection) -> str:
    """The selection in Chinese, for the scope line of a briefing."""
    parts = []
    if selection.everything or selection == Selection():
        parts.append("全部节点")
    if selection.trace:
        parts.append("追溯：" + "、".join(selection.trace))
    if selection.focus:
        parts.append(f"邻域：{'、'.join(selection.focus)}（{selection.depth} 层）")
    if selection.gaps:
        parts.append("覆盖缺口")
    if selection.types:
        parts.append("类型：" + "、".join(TYPE_LABELS_ZH.get(t, t) for t in selection.types))
    if selection.documents:
        parts.append("文档：" + "、".join(selection.documents))
    return "；".join(parts)


def resolve_id(g: nx.MultiDiGraph, ref: str, documents: tuple[str, ...] = ()) -> str:
    """A full node id from a full or short one (``P5.2`` → ``<docid>:P5.2``); ambiguity is an error."""
    if ref in g:
        return ref
    matches = sorted(n for n in g if isinstance(n, str) and n.endswith(":" + ref))
    if documents:
        matches = [n for n in matches if g.nodes[n].get("doc") in documents]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"找不到节点“{ref}”")
    shown = "、".join(matches[:5]) + ("……" if len(matches) > 5 else "")
    raise AmbiguousIdError(f"节点编号“{ref}”不唯一，对应多个节点（{shown}），请写完整 ID 或加 doc: 条件")


def trace_ids(g: nx.MultiDiGraph, node: str) -> set[str]:
    """The node and every node its trace names (for a problem: causes, measures, actions, examples,
    policy refs)."""
    out = {node}
    result = trace_query(g, node)
    for key, value in result.items():
        if key in ("node", "area", "owner"):  # the area's context lives in the section path
            continue
        rows = value if isinstance(value, list) else [value]
        for row in rows:
            if isinstance(row, dict) and row.get("id") in g:
                out.add(row["id"])
                actions = row.get("actions") or []
                out.update(a["id"] for a in actions if isinstance(a, dict) and a.get("id") in g)
    return out


def gap_ids(g: nx.MultiDiGraph) -> set[str]:
    return {row["id"] for rows in coverage_gaps(g).values() for row in rows}


def _neighbourhood(g: nx.MultiDiGraph, seeds: set[str], depth: int) -> set[str]:
    seen = set(seeds)
    frontier = set(seeds)
    for _ in range(depth):
        nxt: set[str] = set()
        for n in frontier:
            for _, v, d in g.out_edges(n, data=True):
                if not d.get("rejected"):
                    nxt.add(v)
            for u, _, d in g.in_edges(n, data=True):
                if not d.get("rejected"):
                    nxt.add(u)
        frontier = nxt - seen
        seen |= frontier
    return seen


def _in_documents(g: nx.MultiDiGraph, n: str, docs: set[str]) -> bool:
    d = g.nodes[n]
    if d.get("doc") is not None or d.get("type") == "Document":
        return d.get("doc") in docs or n in docs
    # Shared nodes (policy refs, speakers) belong to a document when one of its nodes points at them.
    return any(g.nodes[u].get("doc") in docs for u in g.predecessors(n))


def selected_nodes(g: nx.MultiDiGraph, selection: Selection) -> set[str]:
    """Node ids the selection picks, filters applied."""
    docs = set(selection.documents)
    known = set(g.graph.get("documents", {})) | {n for n in g if g.nodes[n].get("type") == "Document"}
    missing = sorted(docs - known)
    if missing:
        raise NotFoundError(f"图中没有文档“{'、'.join(missing)}”")
    picked: set[str] = set()
    if selection.picks_all:
        picked = set(g.nodes)
    for ref in selection.trace:
        picked |= trace_ids(g, resolve_id(g, ref, selection.documents))
    if selection.focus:
        seeds = {resolve_id(g, ref, selection.documents) for ref in selection.focus}
        picked |= _neighbourhood(g, seeds, selection.depth)
    if selection.gaps:
        picked |= gap_ids(g)
    if selection.types:
        picked = {n for n in picked if g.nodes[n].get("type") in selection.types}
    if docs:
        picked = {n for n in picked if _in_documents(g, n, docs)}
    return picked


def select(g: nx.MultiDiGraph, selection: Selection | str) -> nx.MultiDiGraph:
    """A copy of the selected part: induced on the picked nodes, rejected edges left out, edge origins,
    scores and evidence kept, ``graph["documents"]`` limited to the documents involved."""
    if isinstance(selection, str):
        selection = parse_selection(selection)
    nodes = selected_nodes(g, selection)
    sub: nx.MultiDiGraph = nx.MultiDiGraph()
    for n in sorted(nodes, key=lambda n: _node_order(g, n)):
        sub.add_node(n, **_copy(g.nodes[n]))
    for u, v, k, d in g.edges(keys=True, data=True):
        if u in nodes and v in nodes and not d.get("rejected"):
            sub.add_edge(u, v, key=k, **_copy(d))
    involved = {d.get("doc") for _, d in sub.nodes(data=True) if d.get("doc")}
    involved |= {n for n, d in sub.nodes(data=True) if d.get("type") == "Document"}
    involved |= set(selection.documents)
    # Plain metadata travels; "_"-prefixed entries are caches of the whole graph (query indexes).
    sub.graph.update({k: _copy(v) for k, v in g.graph.items() if k != "documents" and not str(k).startswith("_")})
    sub.graph["documents"] = {k: _copy(v) for k, v in g.graph.get("documents", {}).items() if k in involved}
    return sub


def _node_order(g: nx.MultiDiGraph, n: str) -> tuple[Any, ...]:
    d = g.nodes[n]
    return (d.get("doc") is None, d.get("doc") or "", d.get("start") or 0, str(n))


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
