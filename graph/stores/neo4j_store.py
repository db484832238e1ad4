"""The graph store on a shared Neo4j server (the official driver; the layout of graph.neo4j_io).

A question fetches just the part of the graph it needs into networkx and is answered by graph.queries, so
trace, matrix and gaps are the embedded store's answers exactly. Search is ranked by the server with the same
definition (graph.stores.neo4j_search) and the corpus's numbers are Cypher aggregates (graph.stores.neo4j_summary):
only the answer travels.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import networkx as nx

from tracegraph.errors import NotFoundError
from tracegraph.graph.curation.apply import apply_curation, strip_curation
from tracegraph.graph.query import queries, summary
from tracegraph.graph.stores import neo4j_search
from tracegraph.graph.stores.base import check_depth, stable_trace
from tracegraph.graph.stores.neo4j_io import (
    DEFAULT_DATABASE,
    DOCUMENT_TEXT_INDEX,
    FULLTEXT_INDEX,
    NODE_LABEL,
    connect,
    documents_meta,
    fetch_subgraph,
    neo4j_errors,
    pull,
)
from tracegraph.graph.stores.neo4j_summary import corpus_state

if TYPE_CHECKING:
    from neo4j import Driver

    from tracegraph.graph.curation.store import CurationStore

class Neo4jStore:
    """GraphStore over Neo4j. Use `connect` (owns and closes its driver) or pass a driver you manage."""

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

    def _fetch(self, ids: list[str] | None, documents: bool = True) -> nx.MultiDiGraph:
        with self._errors():
            g = fetch_subgraph(self.driver, ids, self.database, documents)
        self.rows_read += g.number_of_nodes() + g.number_of_edges() + len(g.graph.get("documents") or {})
        return g

    def _doc_graph(self, doc: str, documents: bool = True, curated: bool = True) -> nx.MultiDiGraph:
        """A document and every node one step away, with the team's decisions applied (unless `curated` is off:
        the graph as pushed)."""
        rows = self._run(
            f"MATCH (n:{NODE_LABEL} {{doc: $doc}}) OPTIONAL MATCH (n)--(m:{NODE_LABEL}) "
            "RETURN collect(DISTINCT n.id) + collect(DISTINCT m.id) AS ids",
            doc=doc,
        )
        g = self._fetch(sorted(set(rows[0]["ids"])), documents)
        return self._curated(g) if curated else g

    def _curated(self, g: nx.MultiDiGraph) -> nx.MultiDiGraph:
        if self.curation is not None:
            strip_curation(g)  # decisions a push carried from a workspace's own file: the team's log decides
            apply_curation(g, self.curation)
        return g

    def counts(self, doc: str | None = None) -> dict[str, int]:
        """Per document: counted on its fetched neighbourhood. For the corpus: Cypher aggregates over the graph
        as pushed, then each document the team's decisions touch (or that was pushed with decisions in it) is
        counted again both ways and the difference applied — exact, without the whole graph."""
        if doc is not None:
            if not self._run("MATCH (d:TGDocumentMeta {id: $doc}) RETURN d.id AS id", doc=doc):
                raise NotFoundError(str(doc))
            return summary.counts(self._doc_graph(doc), doc)
        total, carrying = corpus_state(self._run)
        if self.curation is None:
            return total
        decisions = self.curation.decisions()
        touched = set(carrying)
        for d in decisions:
            for a in (d.source_anchor, d.target_anchor):
                if a is not None and a.doc:
                    touched.add(a.doc)
        known = {r["id"] for r in self._run("MATCH (d:TGDocumentMeta) WHERE d.id IN $ids RETURN d.id AS id",
                                            ids=sorted(touched))}
        for doc_id in sorted(known):
            pushed = self._doc_graph(doc_id, documents=True, curated=False)
            before = summary.counts(pushed, doc_id)
            after = summary.counts(self._curated(pushed), doc_id)
            for k in summary.ADDITIVE:
                total[k] += after[k] - before[k]
        merged = [d for d in decisions if d.op == "merge" and d.source and d.target]
        if merged:  # a merge in force joins two cited references into one
            ids = sorted({x for d in merged for x in (d.source, d.target) if x})
            cited = {r["id"] for r in self._run(
                "MATCH (p:PolicyRef) WHERE p.id IN $ids AND EXISTS { MATCH ()-[r:CITES]->(p) "
                "WHERE r.mentions_json <> '[]' } RETURN p.id AS id", ids=ids)}
            total["PolicyRef"] -= sum(1 for d in merged if d.source in cited and d.target in cited)
        return total

    def load_graph(self, doc: str | None = None) -> nx.MultiDiGraph:
        if doc is None:
            with self._errors():
                g = pull(self.driver, self.database)
            self.rows_read += g.number_of_nodes() + g.number_of_edges() + len(g.graph.get("documents") or {})
            return self._curated(g)
        if not self._run("MATCH (d:TGDocumentMeta {id: $doc}) RETURN d.id AS id", doc=doc):
            raise NotFoundError(str(doc))
        return self._doc_graph(doc)

    def _node(self, node_id: str) -> dict[str, Any]:
        rows = self._run(f"MATCH (n:{NODE_LABEL} {{id: $id}}) RETURN n.doc AS doc, n.type AS type", id=node_id)
        if not rows:
            raise NotFoundError(str(node_id))
        return rows[0]

    def neighbours(self, node_id: str, depth: int = 1) -> nx.MultiDiGraph:
        check_depth(depth)
        self._node(node_id)
        seen = {node_id}
        frontier = [node_id]
        for _ in range(depth):
            if not frontier:
                break
            rows = self._run(
                f"UNWIND $ids AS id MATCH (:{NODE_LABEL} {{id: id}})--(m:{NODE_LABEL}) RETURN DISTINCT m.id AS id",
                ids=frontier,
            )
            frontier = [r["id"] for r in rows if r["id"] not in seen]
            seen.update(frontier)
        return self._curated(self._fetch(sorted(seen)))

    def trace(self, node_id: str) -> dict[str, Any]:
        node = self._node(node_id)
        g = self._doc_graph(node["doc"], documents=False) if node["doc"] else self.neighbours(node_id, 1)
        return stable_trace(queries.trace(g, node_id))

    def matrix(self, doc: str | None = None) -> dict[str, Any]:
        return queries.matrix(self._doc_graph(doc, documents=False) if doc else self.load_graph(), doc)

    def gaps(self, doc: str | None = None) -> dict[str, list[dict[str, Any]]]:
        return queries.gaps(self._doc_graph(doc, documents=False) if doc else self.load_graph(), doc)

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
