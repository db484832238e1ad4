"""The app on a store too large to hold — the team's Neo4j (`tracegraph app --neo4j`) or an archive file on this
machine (`tracegraph app --archive`): never the whole graph in memory.

A page gets the part of the store it shows: one document with every node one step away (its own items, the
policy references they cite, other documents' items linked to them), with the team's decisions applied.
Which document: the sidebar's, else the one the URL's node belongs to, else — when the store holds one
document — that one. Without a document a page gets the *index*: every document's metadata and no nodes;
总览 then shows the corpus's numbers as the server counts them and the other pages ask for a document (or a
search across the store finds one). Nothing here is used without $TRACEGRAPH_NEO4J_URI or $TRACEGRAPH_ARCHIVE.
The store's address is the Neo4j URI, or "archive:" and the archive's path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.stores.parts import PartStore
from tracegraph.ui.workspace import ARCHIVE_ENV, NEO4J_URI_ENV, team_log, workspace_root

INDEX = "index"  # g.graph["scope"] of a graph that holds documents' metadata only
ARCHIVE = "archive:"


def uri() -> str | None:
    """The address of the store the app answers from, None for the workspace's own graph."""
    if os.environ.get(NEO4J_URI_ENV):
        return os.environ[NEO4J_URI_ENV]
    return ARCHIVE + os.environ[ARCHIVE_ENV] if os.environ.get(ARCHIVE_ENV) else None


def is_archive(address: str) -> bool:
    return address.startswith(ARCHIVE)


def source_zh(address: str) -> str:
    """Where the graph comes from, for the reader."""
    return f"档案库 {address[len(ARCHIVE):]}" if is_archive(address) else f"共享的 Neo4j {address}"


def store(address: str) -> PartStore:
    """One store per address, workspace and process (the driver and the archive's connections are thread-safe),
    answering with the decisions: the team's log on Neo4j, the workspace's own on an archive."""
    return _store(address, str(workspace_root()))


@st.cache_resource(show_spinner=False)
def _store(address: str, workspace: str) -> PartStore:
    from tracegraph.graph.curation.store import CurationStore

    if is_archive(address):
        from tracegraph.graph.stores.archive_store import ArchiveStore

        return ArchiveStore(address[len(ARCHIVE):], curation=CurationStore(Path(workspace) / "curation.sqlite",
                                                                            user="app"))
    from tracegraph.graph.stores.factory import open_store
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    s = open_store(address)  # NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE
    assert isinstance(s, Neo4jStore)
    log = team_log()
    if log is not None:
        s.curation = CurationStore(log, user="app")
    return s


def index_graph(address: str) -> nx.MultiDiGraph:
    """Every document's entry in the catalogue (graph.stores.base.catalogue_entry: its name, format, size and the
    warnings that put its reading in doubt; no text, no nodes), read again only when documents were written since
    (a push, a load, an archive build): asking costs one small query, reading the catalogue of a hundred thousand
    documents about half a second."""
    return _index(address, store(address).catalogue_version())


@st.cache_resource(max_entries=2, show_spinner="正在读取文档目录……")
def _index(address: str, version: tuple[int, int]) -> nx.MultiDiGraph:
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    g.graph["documents"] = {d["id"]: d for d in store(address).catalogue()}
    g.graph["scope"] = INDEX
    return g


@st.cache_resource(ttl=60, max_entries=16, show_spinner="正在读取文档……")
def document_graph(address: str, doc: str, version: int, catalogue: tuple[int, int]) -> nx.MultiDiGraph:
    """One document and its neighbourhood, curated; read again after a decision or a write of documents."""
    return store(address).load_graph(doc)


def counts(address: str) -> dict[str, int]:
    """The corpus's numbers (graph.query.summary.counts) as the store counts them, counted again after a decision or a
    write of documents."""
    return _counts(address, version(), store(address).catalogue_version())


@st.cache_data(max_entries=4, show_spinner="正在统计……")
def _counts(address: str, decisions: int, catalogue: tuple[int, int]) -> dict[str, int]:
    return store(address).counts()


def version() -> int:
    """The decisions' version: a decision re-reads the parts it changes."""
    log = team_log()
    if log is not None:
        return log.version()
    address = uri()
    s = store(address) if address and is_archive(address) else None
    return s.curation.version() if s is not None and s.curation is not None else 0


def scope(address: str, chosen: str, nodes: list[str]) -> tuple[nx.MultiDiGraph, nx.MultiDiGraph, str]:
    """(the index of all documents, the graph the page is drawn from, its document or "") for the sidebar's
    document `chosen` and the node ids the URL names."""
    index = index_graph(address)
    docs = index.graph["documents"]
    doc = chosen if chosen in docs else next((n.split(":", 1)[0] for n in nodes if n and n.split(":", 1)[0] in docs),
                                            next(iter(docs)) if len(docs) == 1 else "")
    if not doc:
        return index, index, ""
    return index, document_graph(address, doc, version(), store(address).catalogue_version()), doc


def is_index(g: nx.MultiDiGraph) -> bool:
    return g.graph.get("scope") == INDEX


def find(address: str, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """The store's search across every document (the full-text index)."""
    return store(address).search(q, limit=limit)
