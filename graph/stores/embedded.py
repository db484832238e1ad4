"""The embedded store: a built graph held in memory (networkx), answering like the Neo4j store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.errors import NotFoundError
from tracegraph.graph.query import queries, summary
from tracegraph.graph.stores.base import check_depth, document_neighbourhood, induced, stable_trace, within


class EmbeddedStore:
    """The graph in memory (from a workspace graph.json, or given); answers delegate to graph.query.
    Read-only: curation is written through graph.curation (one write path), never into this graph."""

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

    def documents(self, fields: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        docs = self.g.graph.get("documents", {})
        keep = None if fields is None else {"id", *fields}
        return [{k: v for k, v in docs[d].items() if k != "text" and (keep is None or k in keep)} for d in sorted(docs)]

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

    def counts(self, doc: str | None = None) -> dict[str, int]:
        return summary.counts(self.g, doc)

    def search(
        self, q: str, types: tuple[str, ...] | None = None, doc: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        return queries.search(self.g, q, types, doc, limit)

    def close(self) -> None:
        """Nothing to release; present so callers can treat every store alike."""

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
