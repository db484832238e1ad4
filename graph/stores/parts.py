"""A store that never holds the whole graph: it fetches the part a question needs (a document and every node one
step away) and answers with graph.query on that part, with the analysts' decisions applied.

Two stores work this way — the shared Neo4j (graph.stores.neo4j_store) and the archive file on disk
(graph.stores.archive_store) — and differ only in how they read: the primitives below. Everything an answer
means (which part, how decisions change the corpus's numbers) is written once here, so the two give the same
answers as the embedded store on the same graph.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import networkx as nx

from tracegraph.errors import NotFoundError
from tracegraph.graph.curation.apply import apply_curation, strip_curation
from tracegraph.graph.query import queries, summary
from tracegraph.graph.stores.base import CATALOGUE_FIELDS, catalogue_entry, check_depth, stable_trace

if TYPE_CHECKING:
    from tracegraph.graph.curation.store import CurationStore


class PartStore:
    """GraphStore answers from parts; a subclass supplies the reading primitives (the methods raising
    NotImplementedError) and `search`/`documents`."""

    curation: CurationStore | None = None
    rows_read = 0  # nodes, edges and documents (or records) read: what a view costs (the tests hold views to it)

    # ------------------------------------------------------------------ per store

    def documents(self, fields: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        """GraphStore.documents."""
        raise NotImplementedError

    def catalogue(self) -> list[dict[str, Any]]:
        """Every document as the app's index lists it (graph.stores.base.catalogue_entry), in id order: read in well
        under a second, and held in tens of MB, at a hundred thousand documents."""
        return [catalogue_entry(d["id"], d) for d in self.documents(CATALOGUE_FIELDS)]

    def search(
        self, q: str, types: tuple[str, ...] | None = None, doc: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        """GraphStore.search (graph.query.queries.search's answers, read where the store's indexes point)."""
        raise NotImplementedError

    def type_counts(self) -> tuple[dict[str, Counter[str]], Counter[str], Counter[str]]:
        """(nodes per type per document, edges per type, shared nodes per type): `tracegraph stats`."""
        raise NotImplementedError

    def catalogue_version(self) -> tuple[int, int]:
        """A value that changes whenever documents are written (read without a scan): the app re-reads its document
        catalogue only then."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> PartStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading primitives

    def _fetch(self, ids: list[str], documents: bool = True) -> nx.MultiDiGraph:
        """The nodes with these ids, every edge among them and (with `documents`) their documents' metadata."""
        raise NotImplementedError

    def _part_ids(self, doc: str) -> list[str]:
        """A document's nodes and every node one step away from them."""
        raise NotImplementedError

    def _adjacent(self, ids: list[str]) -> list[str]:
        """Every node one step (either direction) from these."""
        raise NotImplementedError

    def _node_doc(self, node_id: str) -> str | None:
        """The document a node belongs to (None: shared); NotFoundError when there is no such node."""
        raise NotImplementedError

    def _known_documents(self, ids: list[str]) -> set[str]:
        """Which of these document ids the store holds."""
        raise NotImplementedError

    def _cited(self, ids: list[str]) -> set[str]:
        """Which of these policy references some node cites with a mention."""
        raise NotImplementedError

    def _corpus_state(self) -> tuple[dict[str, int], list[str]]:
        """(summary.counts of the whole store as written, decisions not applied; the documents written with
        decisions in them)."""
        raise NotImplementedError

    def _whole(self) -> nx.MultiDiGraph:
        """Every node, edge and document (only `load_graph()` without a document asks for it)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ answers (one definition)

    def _doc_graph(self, doc: str, documents: bool = True, curated: bool = True) -> nx.MultiDiGraph:
        """A document and every node one step away, with the decisions applied (unless `curated` is off: the
        graph as written)."""
        g = self._fetch(sorted(set(self._part_ids(doc))), documents)
        return self._curated(g) if curated else g

    def _curated(self, g: nx.MultiDiGraph) -> nx.MultiDiGraph:
        if self.curation is not None:
            strip_curation(g)  # decisions written with the graph from a workspace's own file: the log decides
            apply_curation(g, self.curation)
        return g

    def _require_document(self, doc: str) -> None:
        if not self._known_documents([doc]):
            raise NotFoundError(str(doc))

    def counts(self, doc: str | None = None) -> dict[str, int]:
        """Per document: counted on its part. For the corpus: the stored numbers of the graph as written, then
        each document the decisions touch (or that was written with decisions in it) is counted again both ways
        and the difference applied — exact, without the whole graph."""
        if doc is not None:
            self._require_document(doc)
            return summary.counts(self._doc_graph(doc), doc)
        total, carrying = self._corpus_state()
        if self.curation is None:
            return total
        decisions = self.curation.decisions()
        touched = set(carrying)
        for d in decisions:
            for a in (d.source_anchor, d.target_anchor):
                if a is not None and a.doc:
                    touched.add(a.doc)
        for doc_id in sorted(self._known_documents(sorted(touched))):
            written = self._doc_graph(doc_id, documents=True, curated=False)
            before = summary.counts(written, doc_id)
            after = summary.counts(self._curated(written), doc_id)
            for k in summary.ADDITIVE:
                total[k] += after[k] - before[k]
        merged = [d for d in decisions if d.op == "merge" and d.source and d.target]
        if merged:  # a merge in force joins two cited references into one
            cited = self._cited(sorted({x for d in merged for x in (d.source, d.target) if x}))
            total["PolicyRef"] -= sum(1 for d in merged if d.source in cited and d.target in cited)
        return total

    def load_graph(self, doc: str | None = None) -> nx.MultiDiGraph:
        if doc is None:
            return self._curated(self._whole())
        self._require_document(doc)
        return self._doc_graph(doc)

    def neighbours(self, node_id: str, depth: int = 1) -> nx.MultiDiGraph:
        check_depth(depth)
        self._node_doc(node_id)
        seen = {node_id}
        frontier = [node_id]
        for _ in range(depth):
            if not frontier:
                break
            frontier = [m for m in self._adjacent(frontier) if m not in seen]
            seen.update(frontier)
        return self._curated(self._fetch(sorted(seen)))

    def trace(self, node_id: str) -> dict[str, Any]:
        doc = self._node_doc(node_id)
        g = self._doc_graph(doc, documents=False) if doc else self.neighbours(node_id, 1)
        return stable_trace(queries.trace(g, node_id))

    def matrix(self, doc: str | None = None) -> dict[str, Any]:
        return queries.matrix(self._doc_graph(doc, documents=False) if doc else self.load_graph(), doc)

    def gaps(self, doc: str | None = None) -> dict[str, list[dict[str, Any]]]:
        # with its document's metadata: the reading report says when a gap may be the reader's
        return queries.gaps(self._doc_graph(doc) if doc else self.load_graph(), doc)
