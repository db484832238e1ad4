"""The graph store on a shared Neo4j server (the official driver; the layout of graph.neo4j_io).

A question fetches just the part of the graph it needs into networkx and is answered by graph.queries, so
trace, matrix and gaps are the embedded store's answers exactly. Search is ranked by the server with the same
definition (graph.stores.neo4j_search) and the corpus's numbers are Cypher aggregates (graph.stores.neo4j_summary):
only the answer travels.
"""

from __future__ import annotations

import json
from collections import Counter
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import networkx as nx

from tracegraph.errors import NotFoundError
from tracegraph.graph.stores import neo4j_search
from tracegraph.graph.stores.neo4j_io import (
    DEFAULT_DATABASE,
    DOCUMENT_TEXT_INDEX,
    FULLTEXT_INDEX,
    NODE_LABEL,
    catalogue_entries,
    connect,
    documents_meta,
    fetch_subgraph,
    neo4j_errors,
    pull,
)
from tracegraph.graph.stores.neo4j_layout import CATALOGUE_PROPERTY, META_LABEL
from tracegraph.graph.stores.neo4j_summary import catalogue_version, corpus_state, type_counts_per_document
from tracegraph.graph.stores.parts import PartStore

if TYPE_CHECKING:
    from neo4j import Driver

    from tracegraph.graph.curation.store import CurationStore

class Neo4jStore(PartStore):
    """GraphStore over Neo4j (graph.stores.parts answers from the parts it reads). Use `connect` (owns and closes
    its driver) or pass a driver you manage."""

    def __init__(
        self,
        driver: Driver,
        database: str = DEFAULT_DATABASE,
        *,
        uri: str = "",
        user: str = "",
        owns_driver: bool = False,
        curation: CurationStore | None = None,
    ) -> None:
        """`curation`: the team's decisions (graph.stores.neo4j_curation), applied to every answer; without it
        the answers are the graph as pushed."""
        self.curation = curation
        self.rows_read = 0  # records received from the server: what a view costs (the tests hold views to it)
        self.driver = driver
        self.database = database
        self.uri = uri
        self.user = user
        self._owns = owns_driver
        self._fulltext = False

    @classmethod
    def connect(cls, uri: str, user: str, password: str, database: str = DEFAULT_DATABASE) -> Neo4jStore:
        """Connect and verify (an unreachable server fails within seconds with a TracegraphError)."""
        return cls(connect(uri, user, password), database, uri=uri, user=user, owns_driver=True)

    def _errors(self) -> AbstractContextManager[None]:
        return neo4j_errors(self.uri, self.user, self.database)

    def _run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        with self._errors():
            rows = [r.data() for r in self.driver.execute_query(query, params, database_=self.database).records]
        self.rows_read += len(rows)
        return rows

    # ------------------------------------------------------------------ reading

    def documents(self, fields: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        with self._errors():
            out = list(documents_meta(self.driver, self.database, include_text=False, fields=fields).values())
        self.rows_read += len(out)
        return out

    def catalogue(self) -> list[dict[str, Any]]:
        """PartStore.catalogue from each document's stored entry (CATALOGUE_PROPERTY): one list of short strings.
        Documents written before entries were stored are read whole and listed alike."""
        with self._errors():
            row = self._run(f"MATCH (d:{META_LABEL}) WITH d ORDER BY d.id RETURN collect(d.{CATALOGUE_PROPERTY}) "
                            f"AS lines, collect(CASE WHEN d.{CATALOGUE_PROPERTY} IS NULL THEN d.id END) AS missing")[0]
            out: list[dict[str, Any]] = json.loads("[" + ",".join(row["lines"]) + "]")
            if row["missing"]:
                out = sorted(out + catalogue_entries(self.driver, self.database, list(row["missing"])),
                             key=lambda e: e["id"])
        self.rows_read += len(out)
        return out

    def _fetch(self, ids: list[str] | None, documents: bool = True) -> nx.MultiDiGraph:
        with self._errors():
            g = fetch_subgraph(self.driver, ids, self.database, documents)
        self.rows_read += g.number_of_nodes() + g.number_of_edges() + len(g.graph.get("documents") or {})
        return g

    def _part_ids(self, doc: str) -> list[str]:
        rows = self._run(
            f"MATCH (n:{NODE_LABEL} {{doc: $doc}}) OPTIONAL MATCH (n)--(m:{NODE_LABEL}) "
            "RETURN collect(DISTINCT n.id) + collect(DISTINCT m.id) AS ids",
            doc=doc,
        )
        return list(rows[0]["ids"])

    def _adjacent(self, ids: list[str]) -> list[str]:
        rows = self._run(
            f"UNWIND $ids AS id MATCH (:{NODE_LABEL} {{id: id}})--(m:{NODE_LABEL}) RETURN DISTINCT m.id AS id",
            ids=ids,
        )
        return [r["id"] for r in rows]

    def _node_doc(self, node_id: str) -> str | None:
        rows = self._run(f"MATCH (n:{NODE_LABEL} {{id: $id}}) RETURN n.doc AS doc", id=node_id)
        if not rows:
            raise NotFoundError(str(node_id))
        return rows[0]["doc"] or None

    def _known_documents(self, ids: list[str]) -> set[str]:
        return {r["id"] for r in self._run("MATCH (d:TGDocumentMeta) WHERE d.id IN $ids RETURN d.id AS id",
                                           ids=ids)}

    def _cited(self, ids: list[str]) -> set[str]:
        return {r["id"] for r in self._run(
            "MATCH (p:PolicyRef) WHERE p.id IN $ids AND EXISTS { MATCH ()-[r:CITES]->(p) "
            "WHERE r.mentions_json <> '[]' } RETURN p.id AS id", ids=ids)}

    def _corpus_state(self) -> tuple[dict[str, int], list[str]]:
        return corpus_state(self._run)

    def catalogue_version(self) -> tuple[int, int]:
        return catalogue_version(self._run)

    def type_counts(self) -> tuple[dict[str, Counter[str]], Counter[str], Counter[str]]:
        """(nodes per type per document, edges per type, shared nodes per type), aggregated by the server."""
        return type_counts_per_document(self._run)

    def _whole(self) -> nx.MultiDiGraph:
        with self._errors():
            g = pull(self.driver, self.database)
        self.rows_read += g.number_of_nodes() + g.number_of_edges() + len(g.graph.get("documents") or {})
        return g

    def search(
        self, q: str, types: tuple[str, ...] | None = None, doc: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Ranked by the server (graph.stores.neo4j_search): only the answer's nodes are fetched."""
        return neo4j_search.search(self._run, lambda ids: self._curated(self._fetch(ids, documents=False)),
                                   q, types, doc, limit, indexed=self._indexed())

    def _indexed(self) -> bool:
        """Both full-text indexes online (a store pushed by an older tracegraph may lack the documents' one until
        its next push: then search scans, with the same answers)."""
        if not self._fulltext:
            rows = self._run("SHOW INDEXES YIELD name, state WHERE name IN $names RETURN name, state",
                             names=[FULLTEXT_INDEX, DOCUMENT_TEXT_INDEX])
            self._fulltext = len([r for r in rows if r["state"] == "ONLINE"]) == 2
        return self._fulltext

    def close(self) -> None:
        if self._owns:
            self.driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
