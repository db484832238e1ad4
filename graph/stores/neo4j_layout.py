"""The names tracegraph gives things in Neo4j (labels, indexes), in one place so the writer (graph.stores.neo4j_io)
and the readers that aggregate on the server (neo4j_summary, neo4j_search) agree without importing each other."""

from __future__ import annotations

from tracegraph.graph.model.schema import SHARED_TYPES

__all__ = [
    "CATALOGUE_LABEL",
    "CATALOGUE_PROPERTY",
    "COUNTS_LABEL",
    "DOCUMENT_TEXT_INDEX",
    "FULLTEXT_INDEX",
    "META_LABEL",
    "NODE_LABEL",
    "SHARED_TYPES",
    "SPAN_KEY",
    "SPAN_KEYS_COMPLETE",
    "SPAN_LENGTH",
    "SPAN_LENGTH_INDEX",
    "SPAN_TEXT",
    "STORE_ONLY",
    "TITLE_KEY",
    "TITLE_KEYS_COMPLETE",
    "TITLE_LENGTH",
    "TITLE_LENGTH_INDEX",
    "span_key",
    "span_length",
    "title_key",
]

NODE_LABEL = "TGNode"
META_LABEL = "TGDocumentMeta"
# one per document: its numbers (graph.query.summary.counts as pushed), written with the document, so a corpus's
# numbers are a sum over documents instead of an aggregate over every node
COUNTS_LABEL = "TGDocumentCounts"
# one node whose `version` every write of documents raises: the app re-reads its document catalogue only then
CATALOGUE_LABEL = "TGCatalogue"
FULLTEXT_INDEX = "tg_fulltext"  # nodes' title and text, CJK analyzer (bigrams)
DOCUMENT_TEXT_INDEX = "tg_document_text"  # documents' full text, CJK analyzer

# a store-only property of every node with a title span: its title's length (five digits) and its id, under a range
# index, so search can walk titles shortest first — the order its scores give title hits — and stop at the answer.
# Never part of the graph read back (graph.stores.neo4j_io._add_node drops it).
TITLE_KEY = "tg_title_key"
# set on the catalogue node once every titled node has its key (a store written before keys existed is given them by
# graph.stores.neo4j_io.ensure_schema); until then search does not walk the keys
TITLE_KEYS_COMPLETE = "title_keys"
TITLE_KEY_WIDTH = 5
# the same length alone (five digits, a string so a full-text index takes it), indexed beside the title in
# TITLE_LENGTH_INDEX: search asks for the titles holding a word within a range of lengths, shortest range first
TITLE_LENGTH = "tg_title_length"
TITLE_LENGTH_INDEX = "tg_title_length"


def _length(start: int, end: int, width: int) -> str:
    """A length as a key holds it: zero-padded, so the keys sort by length as strings."""
    return f"{max(end - start, 0):0{width}d}"


def _length_cypher(start: str, end: str, width: int) -> str:
    """_length of n.`start` and n.`end` in Cypher, for the nodes of a store written before keys existed."""
    return (f"right('{'0' * width}' + toString(CASE WHEN n.{end} > n.{start} THEN n.{end} - n.{start} ELSE 0 END), "
            f"{width})")


def title_length(title_start: int, title_end: int) -> str:
    """TITLE_LENGTH of a node."""
    return _length(title_start, title_end, TITLE_KEY_WIDTH)


def title_key(node_id: str, title_start: int, title_end: int) -> str:
    """TITLE_KEY of a node: its titles sort by length, then by id."""
    return f"{title_length(title_start, title_end)}|{node_id}"


# the same in Cypher (must equal title_key)
TITLE_LENGTH_CYPHER = _length_cypher("title_start", "title_end", TITLE_KEY_WIDTH)
TITLE_KEY_CYPHER = f"{TITLE_LENGTH_CYPHER} + '|' + n.id"

# a store-only property of each document: its entry in the app's index (graph.stores.base.catalogue_entry) as JSON,
# written with the document, so the index of a hundred thousand documents is one list of short strings
CATALOGUE_PROPERTY = "tg_catalogue"

# the same for spans — what search ranks a node by when its title does not hold the words (the shorter the span, the
# better): every node in a document gets its span's length (eight digits) and id under a range index, and the length
# alone in SPAN_LENGTH_INDEX beside the span's text, so the nodes whose spans hold a word are found shortest first
# without reading every document that holds it. A node's `text` is its span's text, except a section's (its heading:
# its body is its children's); a section gets its span's text as SPAN_TEXT. All three are store-only.
SPAN_KEY = "tg_span_key"
SPAN_KEY_WIDTH = 8
SPAN_LENGTH = "tg_span_length"
SPAN_LENGTH_INDEX = "tg_span_length"
SPAN_TEXT = "tg_span"
SPAN_KEYS_COMPLETE = "span_keys"
# the node types whose `text` is not their span's text
SPAN_TEXT_TYPES = ("Section",)


def span_length(start: int, end: int) -> str:
    """SPAN_LENGTH of a node."""
    return _length(start, end, SPAN_KEY_WIDTH)


def span_key(node_id: str, start: int, end: int) -> str:
    """SPAN_KEY of a node: its spans sort by length, then by id."""
    return f"{span_length(start, end)}|{node_id}"


SPAN_LENGTH_CYPHER = _length_cypher("start", "end", SPAN_KEY_WIDTH)
SPAN_KEY_CYPHER = f"{SPAN_LENGTH_CYPHER} + '|' + n.id"

# the properties of a node that are the store's own, never read back into the graph
STORE_ONLY = (TITLE_KEY, TITLE_LENGTH, SPAN_KEY, SPAN_LENGTH, SPAN_TEXT)
