"""Where the app and the CLI get their graph from: a workspace graph.json in memory, or a shared Neo4j.

Both stores answer through graph.queries, so an answer never depends on where the graph lives: the Neo4j
store fetches the part of the graph a question needs (a document plus every node one step away from it)
and runs the same Python code on it.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import networkx as nx

from tracegraph.errors import NotFoundError, SelectionError, StoreError
from tracegraph.graph.model.schema import EDGE_TYPES
from tracegraph.graph.query import queries

MAX_DEPTH = 6


@runtime_checkable
class GraphStore(Protocol):
    """What the app and the CLI need from a graph, wherever it is stored."""

    def documents(self) -> list[dict[str, Any]]:
        """Document metadata without the full text, in id order."""
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

    def set_edge_attrs(self, source: str, target: str, type: str, **attrs: Any) -> None:
        """Change attributes of an existing edge (curation: reject, comment, re-score)."""
        ...

    def add_edge(self, source: str, target: str, type: str, **attrs: Any) -> None:
        """Add (or update) an edge between existing nodes; origin defaults to 'curated'."""
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


class EmbeddedStore:
    """The graph in memory (from a workspace graph.json, or given); answers delegate to graph.queries.
    With a path, write hooks save the file again (atomically) after each change."""

    def __init__(self, g: nx.MultiDiGraph, path: str | Path | None = None) -> None:
        self.g = g
        self.g.graph.setdefault("documents", {})
        self.path = Path(path) if path is not None else None

    @classmethod
    def from_path(cls, workspace_or_graph_path: str | Path) -> EmbeddedStore:
        """A workspace folder (its graph.json) or a graph JSON file."""
        from tracegraph.graph.model.io import read_json

        p = Path(workspace_or_graph_path)
        if p.is_dir():
            p = p / "graph.json"
        return cls(read_json(p), p)

    def documents(self) -> list[dict[str, Any]]:
        docs = self.g.graph.get("documents", {})
        return [{k: v for k, v in docs[d].items() if k != "text"} for d in sorted(docs)]

    def load_graph(self, doc: str | None = None) -> nx.MultiDiGraph:
        if doc is None:
            return induced(self.g, set(self.g.nodes))
        if doc not in self.g.graph.get("documents", {}):
            raise NotFoundError(str(doc))
        return induced(self.g, document_neighbourhood(self.g, doc))

    def neighbours(self, node_id: str, depth: int = 1) -> nx.MultiDiGraph:
        return induced(self.g, within(self.g, node_id, check_depth(depth)))

    def trace(self, node_id: str) -> dict[str, Any]:
        return stable_trace(queries.trace(self.g, node_id))

    def matrix(self, doc: str | None = None) -> dict[str, Any]:
        return queries.matrix(self.g, doc)

    def gaps(self, doc: str | None = None) -> dict[str, list[dict[str, Any]]]:
        return queries.gaps(self.g, doc)

    def search(
        self, q: str, types: tuple[str, ...] | None = None, doc: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        return queries.search(self.g, q, types, doc, limit)

    def set_edge_attrs(self, source: str, target: str, type: str, **attrs: Any) -> None:
        check_edge_type(type)
        if not self.g.has_edge(source, target, type):
            raise NotFoundError(str(f"{source}-[{type}]->{target}"))
        attrs.pop("type", None)
        self.g.edges[source, target, type].update(attrs)
        self._saved()

    def add_edge(self, source: str, target: str, type: str, **attrs: Any) -> None:
        check_edge_type(type)
        for n in (source, target):
            if n not in self.g:
                raise NotFoundError(str(n))
        attrs.setdefault("origin", "curated")
        attrs["type"] = type
        self.g.add_edge(source, target, key=type, **attrs)
        self._saved()

    def save(self) -> None:
        if self.path is None:
            raise StoreError("这个图不是从文件打开的，无法保存")
        from tracegraph.graph.model.io import write_json

        write_json(self.g, self.path)

    def _saved(self) -> None:
        if self.path is not None:
            self.save()

    def close(self) -> None:
        """Nothing to release; present so callers can treat every store alike."""

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- choosing a store


def open_store(
    neo4j_uri: str | None,
    workspace_or_graph_path: str | Path | None = None,
    *,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> GraphStore:
    """A Neo4j store when a URI is given (password from the argument or NEO4J_PASSWORD), otherwise the
    embedded store over a workspace folder or graph JSON file."""
    if neo4j_uri:
        from tracegraph.graph.stores.neo4j_store import Neo4jStore

        pw = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        if pw is None:
            raise StoreError("连接 Neo4j 需要密码：请设置环境变量 NEO4J_PASSWORD")
        return Neo4jStore.connect(
            neo4j_uri,
            user or os.environ.get("NEO4J_USER") or "neo4j",
            pw,
            database or os.environ.get("NEO4J_DATABASE") or "neo4j",
        )
    if workspace_or_graph_path is None:
        raise StoreError("请给出图文件（graph.json）或工作区目录，或 Neo4j 地址")
    return EmbeddedStore.from_path(workspace_or_graph_path)
