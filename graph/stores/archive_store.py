"""The archive store: a corpus in one file on disk (graph.stores.archive_db), answered part by part like the shared
Neo4j (graph.stores.parts), so a workstation serves ten thousand documents in the memory of one. The decisions of
the workspace's curation log (`curation`) are applied to every answer."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from tracegraph.errors import NotFoundError
from tracegraph.graph.stores import archive_db, archive_search
from tracegraph.graph.stores.parts import PartStore

if TYPE_CHECKING:
    from tracegraph.graph.curation.store import CurationStore


class ArchiveStore(PartStore):
    """GraphStore over an archive file. One SQLite connection per thread (the app serves sessions from threads)."""

    def __init__(self, path: str | Path, curation: CurationStore | None = None) -> None:
        self.path = Path(path)
        self.curation = curation
        self.rows_read = 0  # nodes, edges and documents read: what a view costs (the tests hold views to it)
        self._cons: dict[int, sqlite3.Connection] = {}  # per thread
        self._lock = threading.Lock()
        self.con  # noqa: B018 — open now: a missing or foreign file fails here, naming it

    @property
    def con(self) -> sqlite3.Connection:
        """This thread's connection. The app runs each page on a new thread: a thread's connection is closed once
        the thread has ended, so a server running for weeks holds one per live thread, not one per page drawn."""
        me = threading.get_ident()
        con = self._cons.get(me)
        if con is None:
            con = archive_db.connect(self.path)
            with self._lock:
                alive = {t.ident for t in threading.enumerate()}
                for ident in [i for i in self._cons if i not in alive]:
                    self._cons.pop(ident).close()
                self._cons[me] = con
        return con

    def documents(self, fields: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        out = list(archive_db.documents_meta(self.con, None, include_text=False, fields=fields).values())
        self.rows_read += len(out)
        return out

    def _count(self, g: nx.MultiDiGraph) -> nx.MultiDiGraph:
        self.rows_read += g.number_of_nodes() + g.number_of_edges() + len(g.graph.get("documents") or {})
        return g

    def _fetch(self, ids: list[str], documents: bool = True) -> nx.MultiDiGraph:
        return self._count(archive_db.fetch(self.con, ids, documents))

    def _part_ids(self, doc: str) -> list[str]:
        return archive_db.part_ids(self.con, doc)

    def _adjacent(self, ids: list[str]) -> list[str]:
        return archive_db.adjacent(self.con, ids)

    def _node_doc(self, node_id: str) -> str | None:
        row = self.con.execute("SELECT doc FROM nodes WHERE id = ?", (node_id,)).fetchone()
        if row is None:
            raise NotFoundError(str(node_id))
        return row[0] or None

    def _known_documents(self, ids: list[str]) -> set[str]:
        return set(archive_db.documents_meta(self.con, ids, fields=()))

    def _cited(self, ids: list[str]) -> set[str]:
        marks = ",".join("?" * len(ids))  # the table the corpus's count of cited references is read from
        return {r[0] for r in self.con.execute(f"SELECT DISTINCT ref FROM cited WHERE ref IN ({marks})", ids)}

    def _corpus_state(self) -> tuple[dict[str, int], list[str]]:
        return archive_db.corpus_state(self.con)

    def catalogue_version(self) -> tuple[int, int]:
        return archive_db.catalogue_version(self.con)

    def type_counts(self) -> tuple[dict[str, Counter[str]], Counter[str], Counter[str]]:
        """(nodes per type per document, edges per type, shared nodes per type), counted in SQL."""
        per_doc: dict[str, Counter[str]] = {}
        for doc, ntype, n in self.con.execute(
                "SELECT doc, type, count(*) FROM nodes WHERE doc IS NOT NULL GROUP BY doc, type ORDER BY doc"):
            per_doc.setdefault(doc, Counter())[ntype] = n
        edges = Counter(dict(self.con.execute("SELECT type, count(*) FROM edges GROUP BY type").fetchall()))
        shared = Counter(dict(self.con.execute(
            "SELECT type, count(*) FROM nodes WHERE doc IS NULL GROUP BY type").fetchall()))
        return per_doc, edges, shared

    def _whole(self) -> nx.MultiDiGraph:
        return self._count(archive_db.fetch(self.con, None))

    def search(
        self, q: str, types: tuple[str, ...] | None = None, doc: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        return archive_search.search(self.con, lambda ids: self._curated(self._fetch(ids, documents=False)),
                                     q, types, doc, limit)

    def close(self) -> None:
        with self._lock:
            for con in self._cons.values():
                con.close()
            self._cons.clear()

    def __enter__(self) -> ArchiveStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
