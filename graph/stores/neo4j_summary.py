"""A corpus's numbers (graph.query.summary.counts) on the shared store: the server counts, only the totals travel.
Each condition mirrors one definition in graph.query.queries (negative findings apart, rejected links hidden, a
measure counted as linked through its actions). A push stores each document's numbers beside it, so the corpus's
numbers are one sum over documents however many nodes the store holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracegraph.graph.query.summary import ADDITIVE, COUNT_TYPES
from tracegraph.graph.stores.neo4j_layout import CATALOGUE_LABEL, COUNTS_LABEL, META_LABEL, NODE_LABEL

if TYPE_CHECKING:
    from neo4j import Driver

Run = Callable[..., list[dict[str, Any]]]

_LIVE = "(r.rejected IS NULL OR r.rejected = false)"
_COUNTED = "(n.status IS NULL OR n.status <> 'none_found')"
COUNTS_CHUNK = 500  # documents per aggregate or write

# each additive number of one document (graph.query.summary.ADDITIVE), as a condition on one of its nodes
_CONDITIONS: dict[str, str] = {
    "Problem": f"n:Problem AND {_COUNTED}",
    **{t: f"n:{t}" for t in COUNT_TYPES},
    "negative_findings": "n:Problem AND n.status = 'none_found'",
    "problems_without_measures": f"n:Problem AND {_COUNTED} AND NOT EXISTS {{ MATCH (n)<-[r:ADDRESSES]-() "
                                 f"WHERE {_LIVE} }}",
    "problems_without_causes": f"n:Problem AND {_COUNTED} AND NOT EXISTS {{ MATCH (n)<-[r:EXPLAINS]-() "
                               f"WHERE {_LIVE} }}",
    "causes_without_measures": f"n:Cause AND NOT EXISTS {{ MATCH (n)<-[r:TREATS]-() WHERE {_LIVE} }}",
    "measures_addressing_nothing": (
        f"n:Measure AND NOT EXISTS {{ MATCH (n)-[r:ADDRESSES|TREATS]->() WHERE {_LIVE} }} "
        f"AND NOT EXISTS {{ MATCH (n)-[:HAS_ACTION]->()-[r:ADDRESSES]->() WHERE {_LIVE} }}"
    ),
}
assert tuple(_CONDITIONS) == ADDITIVE

# a document pushed from a workspace with its decisions in it (the team's log then decides: see neo4j_store)
CARRIES_DECISIONS = "carries_decisions"
_CARRIES = "n.curated = true OR EXISTS { MATCH (n)-[r]-() WHERE r.origin = 'curated' OR r.rejected = true }"
PER_DOCUMENT = (
    f"UNWIND $docs AS did OPTIONAL MATCH (n:{NODE_LABEL} {{doc: did}}) WITH did, n RETURN did AS doc, "
    + ", ".join(f"sum(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {key}" for key, cond in _CONDITIONS.items())
    + f", max(CASE WHEN {_CARRIES} THEN 1 ELSE 0 END) AS {CARRIES_DECISIONS}"
)
STORED_TOTALS = f"MATCH (c:{COUNTS_LABEL}) RETURN " + ", ".join(f"sum(c.{key}) AS {key}" for key in ADDITIVE)
# the label counts Neo4j keeps (no scan): equal when every document has its numbers, as a push leaves it
ALL_COUNTED = (f"RETURN COUNT {{ MATCH (d:{META_LABEL}) }} AS documents, COUNT {{ MATCH (c:{COUNTS_LABEL}) }} "
               "AS counted")
CITED_POLICIES = ("MATCH (p:PolicyRef) WHERE EXISTS { MATCH ()-[r:CITES]->(p) "
                  "WHERE r.mentions_json IS NOT NULL AND r.mentions_json <> '[]' } RETURN count(p) AS n")


def document_counts(run: Run, docs: list[str]) -> dict[str, dict[str, int]]:
    """graph.query.summary.counts(g, doc)'s additive numbers of each document as pushed, counted by the server,
    and whether it was pushed with decisions in it (CARRIES_DECISIONS, 0 or 1)."""
    out: dict[str, dict[str, int]] = {}
    for i in range(0, len(docs), COUNTS_CHUNK):
        for r in run(PER_DOCUMENT, docs=docs[i : i + COUNTS_CHUNK]):
            out[r["doc"]] = {k: int(r[k] or 0) for k in (*ADDITIVE, CARRIES_DECISIONS)}
    return out


def refresh_document_counts(driver: Driver, database: str, docs: list[str]) -> None:
    """Store the numbers of documents just written, so the corpus's numbers are a sum over documents."""

    def run(query: str, **params: Any) -> list[dict[str, Any]]:
        return [r.data() for r in driver.execute_query(query, params, database_=database).records]

    for i in range(0, len(docs), COUNTS_CHUNK):
        rows = [{"doc": d, "counts": c} for d, c in document_counts(run, docs[i : i + COUNTS_CHUNK]).items()]
        driver.execute_query(f"UNWIND $rows AS row MERGE (c:{COUNTS_LABEL} {{doc: row.doc}}) SET c += row.counts",
                             rows=rows, database_=database)
    if docs:
        driver.execute_query(f"MERGE (v:{CATALOGUE_LABEL} {{id: 'catalogue'}}) "
                             "SET v.version = coalesce(v.version, 0) + 1", database_=database)


def catalogue_version(run: Run) -> tuple[int, int]:
    """(documents, writes of documents so far): changes whenever the catalogue may have, read without a scan."""
    row = run(f"RETURN COUNT {{ MATCH (d:{META_LABEL}) }} AS documents, "
              f"COLLECT {{ MATCH (v:{CATALOGUE_LABEL}) RETURN v.version }} AS versions")[0]
    return int(row["documents"]), int(max(row["versions"] or [0]))


def corpus_state(run: Run) -> tuple[dict[str, int], list[str]]:
    """(graph.query.summary.counts(g) for the whole store as pushed — the team's decisions not applied —, the
    documents whose pushed graph already carries decisions): from the documents' stored numbers; a store holding
    documents pushed before they were stored is counted by the server now, both answers in one pass."""
    label_counts = run(ALL_COUNTED)[0]
    out: dict[str, int] = {"documents": int(label_counts["documents"])}
    if label_counts["documents"] == label_counts["counted"]:
        totals = run(STORED_TOTALS)[0]
        out.update({k: int(totals[k] or 0) for k in ADDITIVE})
        carrying = [r["doc"] for r in run(f"MATCH (c:{COUNTS_LABEL}) WHERE c.{CARRIES_DECISIONS} = 1 "
                                          "RETURN c.doc AS doc")]
    else:
        per_doc = document_counts(run, [r["id"] for r in run(f"MATCH (d:{META_LABEL}) RETURN d.id AS id")])
        out.update({k: sum(c[k] for c in per_doc.values()) for k in ADDITIVE})
        carrying = [d for d, c in per_doc.items() if c[CARRIES_DECISIONS]]
    out["PolicyRef"] = int(run(CITED_POLICIES)[0]["n"])
    numbers = {k: out[k] for k in ("documents", "Problem", *COUNT_TYPES, "PolicyRef", *ADDITIVE[len(COUNT_TYPES) + 1:])}
    return numbers, sorted(carrying)


def curated_documents(run: Run) -> list[str]:
    """Documents whose pushed graph already carries decisions (pushed from a curated workspace)."""
    return corpus_state(run)[1]


def type_counts_per_document(run: Run) -> tuple[dict[str, Counter[str]], Counter[str], Counter[str]]:
    """(nodes per type per document, relationships per type, shared PolicyRef/Speaker nodes) — `tracegraph
    stats` of the store as pushed, aggregated by the server."""
    per_doc: dict[str, Counter[str]] = {}
    for r in run("MATCH (n:TGNode) WHERE n.doc IS NOT NULL RETURN n.doc AS doc, n.type AS type, count(*) AS n"):
        per_doc.setdefault(r["doc"], Counter())[r["type"]] = int(r["n"])
    edges = Counter({r["type"]: int(r["n"]) for r in run(
        "MATCH (:TGNode)-[r]->(:TGNode) RETURN type(r) AS type, count(*) AS n")})
    shared = Counter({r["type"]: int(r["n"]) for r in run(
        "MATCH (n:TGNode) WHERE n.type IN ['PolicyRef', 'Speaker'] RETURN n.type AS type, count(*) AS n")})
    return dict(sorted(per_doc.items())), edges, shared
