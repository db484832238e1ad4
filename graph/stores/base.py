"""Where the app and the CLI get their graph from: a workspace graph.json in memory, or a shared Neo4j.

Both stores answer through graph.queries, so an answer never depends on where the graph lives: the Neo4j
store fetches the part of the graph a question needs (a document plus every node one step away from it)
and runs the same Python code on it.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol, runtime_checkable

import networkx as nx

from tracegraph.errors import NotFoundError, SelectionError
from tracegraph.graph.model.schema import EDGE_TYPES
from tracegraph.graph.query.naming import LABEL_META, title_names
from tracegraph.loaders.structure.reading import doubt_warnings

MAX_DEPTH = 6


# what a list of documents shows of each (its name by graph.query.naming.doc_label, format, size and the reading
# report whose doubts every list must carry): GraphStore.documents(CATALOGUE_FIELDS)
CATALOGUE_FIELDS = ("title", "original_name", "path", "format", "chars", "meta", "version", "reading")


def catalogue_entry(doc_id: str, meta: dict[str, Any]) -> dict[str, Any]:
    """A document as the app's index of a paged store lists it: its name (title, or what doc_label reads instead),
    format, size, and only the warnings that put its reading in doubt (as a report of those warnings alone). A
    hundred thousand of these fit in tens of MB; the whole reading report comes with the document's part."""
    out: dict[str, Any] = {"id": doc_id}
    for k in ("title", "original_name", "format", "chars"):
        if meta.get(k) not in (None, ""):
            out[k] = meta[k]
    named = meta.get("meta") or {}
    if not title_names(str(meta.get("title") or doc_id)) and isinstance(named, dict):
        label = {k: named[k] for k in LABEL_META if named.get(k)}
        if label:
            out["meta"] = label
    doubts = doubt_warnings(meta.get("reading"))
    if doubts:
        out["reading"] = {"warnings": doubts, "doubts_only": True}
    return out

@runtime_checkable
class GraphStore(Protocol):
    """What the app and the CLI need from a graph, wherever it is stored."""

    def documents(self, fields: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        """Document metadata without the full text, in id order; with `fields`, only those (and the id): a
        catalogue of ten thousand documents is read in a fraction of the time."""
        ...

    def load_graph(self, doc: str | None = None) -> nx.MultiDiGraph:
        """A copy of the whole graph, or of one document with every node one step away from it."""
        ...

    def neighbours(self, node_id: str, depth: int = 1) -> nx.MultiDiGraph:
        """The nodes within `depth` steps (either direction) of a node, with the edges among them."""
        ...

    def trace(self, node_id: str) -> dict[str, Any]: ...

    def matrix(self, doc: str | None = None) -> dict[str, Any]: ...

    def gaps(self, doc: str | None = None) -> dict[str, list[dict[str, Any]]]: ...

    def search(
        self, q: str, types: tuple[str, ...] | None = None, doc: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]: ...

    def counts(self, doc: str | None = None) -> dict[str, int]:
        """graph.query.summary.counts: items per type and coverage counts, of one document or the corpus."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> GraphStore: ...

    def __exit__(self, *exc: object) -> None: ...


# --------------------------------------------------------------------------- helpers shared by both stores


def _order_key(row: dict[str, Any]) -> tuple[str, int, str]:
    return (row.get("doc") or "", row.get("start") or 0, row["id"])


def stable_trace(result: dict[str, Any]) -> dict[str, Any]:
    """graph.queries.trace lists generic neighbours (and ties among citing nodes) in storage order; a store
    answers in document order instead, so the answer does not depend on how the graph was loaded."""
    if "neighbours" in result:
        result["neighbours"] = sorted(result["neighbours"], key=_order_key)
    if "cited_by" in result:
        result["cited_by"] = sorted(result["cited_by"], key=_order_key)
    return result


def document_neighbourhood(g: nx.MultiDiGraph, doc: str) -> set[str]:
    """A document's nodes plus every node one step away (shared PolicyRef/Speaker nodes, and nodes of
    other documents linked to it): enough for trace, matrix and gaps on that document to be exact."""
    core = {n for n, d in g.nodes(data=True) if d.get("doc") == doc or n == doc}
    rim = {m for n in core for m in nx.all_neighbors(g, n)}
    return core | rim


def within(g: nx.MultiDiGraph, node_id: str, depth: int) -> set[str]:
    """Node ids within `depth` undirected steps of `node_id`."""
    if node_id not in g:
        raise NotFoundError(str(node_id))
    seen = {node_id}
    frontier = deque([(node_id, 0)])
    while frontier:
        n, dist = frontier.popleft()
        if dist >= depth:
            continue
        for m in nx.all_neighbors(g, n):
            if m not in seen:
                seen.add(m)
                frontier.append((m, dist + 1))
    return seen


def induced(g: nx.MultiDiGraph, nodes: set[str]) -> nx.MultiDiGraph:
    """A standalone copy of `g` restricted to `nodes`, with the metadata of the documents they belong to."""
    sub = g.subgraph(nodes).copy()
    docs = {d.get("doc") for _, d in sub.nodes(data=True) if d.get("doc")}
    sub.graph = {"documents": {k: dict(v) for k, v in g.graph.get("documents", {}).items() if k in docs}}
    return sub


def check_depth(depth: int) -> int:
    if not 0 <= depth <= MAX_DEPTH:
        raise SelectionError(f"depth 应在 0–{MAX_DEPTH} 之间，实际为 {depth}")
    return depth


def check_edge_type(etype: str) -> str:
    if etype not in EDGE_TYPES:
        raise SelectionError(f"未知的关系类型 {etype!r}（只接受 {', '.join(EDGE_TYPES)}）")
    return etype


# --------------------------------------------------------------------------- embedded store
