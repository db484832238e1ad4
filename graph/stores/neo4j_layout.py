"""The names tracegraph gives things in Neo4j (labels, indexes), in one place so the writer (graph.stores.neo4j_io)
and the readers that aggregate on the server (neo4j_summary, neo4j_search) agree without importing each other."""

from __future__ import annotations

from tracegraph.graph.model.schema import SHARED_TYPES

__all__ = ["CATALOGUE_LABEL", "COUNTS_LABEL", "DOCUMENT_TEXT_INDEX", "FULLTEXT_INDEX", "META_LABEL", "NODE_LABEL",
           "SHARED_TYPES"]

NODE_LABEL = "TGNode"
META_LABEL = "TGDocumentMeta"
# one per document: its numbers (graph.query.summary.counts as pushed), written with the document, so a corpus's
# numbers are a sum over documents instead of an aggregate over every node
COUNTS_LABEL = "TGDocumentCounts"
# one node whose `version` every write of documents raises: the app re-reads its document catalogue only then
CATALOGUE_LABEL = "TGCatalogue"
FULLTEXT_INDEX = "tg_fulltext"  # nodes' title and text, CJK analyzer (bigrams)
DOCUMENT_TEXT_INDEX = "tg_document_text"  # documents' full text, CJK analyzer
