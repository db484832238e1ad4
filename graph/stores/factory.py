"""Choosing a store: Neo4j when a URI is given, otherwise the embedded store over a workspace or graph file."""

from __future__ import annotations

import os
from pathlib import Path

from tracegraph.errors import StoreError
from tracegraph.graph.stores.base import GraphStore
from tracegraph.graph.stores.embedded import EmbeddedStore
from tracegraph.graph.stores.neo4j_store import Neo4jStore


def neo4j_credentials(
    user: str | None = None, password: str | None = None, database: str | None = None
) -> tuple[str, str, str]:
    """(user, password, database): the arguments, else NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE, else "neo4j"
    for the user and the database; no password at all is an error. The app and the store factory read them alike."""
    pw = password if password is not None else os.environ.get("NEO4J_PASSWORD")
    if pw is None:
        raise StoreError("连接 Neo4j 需要密码：请设置环境变量 NEO4J_PASSWORD")
    return user or os.environ.get("NEO4J_USER") or "neo4j", pw, database or os.environ.get("NEO4J_DATABASE") or "neo4j"


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
        return Neo4jStore.connect(neo4j_uri, *neo4j_credentials(user, password, database))
    if workspace_or_graph_path is None:
        raise StoreError("请给出图文件（graph.json）或工作区目录，或 Neo4j 地址")
    return EmbeddedStore.from_path(workspace_or_graph_path)
