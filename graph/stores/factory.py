"""Choosing a store: Neo4j when a URI is given, otherwise the embedded store over a workspace or graph file."""

from __future__ import annotations

import os
from pathlib import Path

from tracegraph.errors import StoreError
from tracegraph.graph.stores.base import GraphStore
from tracegraph.graph.stores.embedded import EmbeddedStore
from tracegraph.graph.stores.neo4j_store import Neo4jStore


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
