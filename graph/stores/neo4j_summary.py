"""A corpus's numbers (graph.query.summary.counts) as Cypher aggregates on the shared store: the server counts,
only the totals travel. Each query mirrors one definition in graph.query.queries (negative findings apart,
rejected links hidden, a measure counted as linked through its actions)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from tracegraph.graph.query.summary import COUNT_TYPES
from tracegraph.graph.stores.neo4j_io import META_LABEL

Run = Callable[..., list[dict[str, Any]]]

_LIVE = "(r.rejected IS NULL OR r.rejected = false)"
_COUNTED = "(p.status IS NULL OR p.status <> 'none_found')"

QUERIES: dict[str, str] = {
    "documents": f"MATCH (d:{META_LABEL}) RETURN count(d) AS n",
    "Problem": f"MATCH (p:Problem) WHERE {_COUNTED} RETURN count(p) AS n",
    **{t: f"MATCH (n:{t}) RETURN count(n) AS n" for t in COUNT_TYPES},
    "PolicyRef": "MATCH (p:PolicyRef) WHERE EXISTS { MATCH ()-[r:CITES]->(p) "
                 "WHERE r.mentions_json IS NOT NULL AND r.mentions_json <> '[]' } RETURN count(p) AS n",
    "negative_findings": "MATCH (p:Problem) WHERE p.status = 'none_found' RETURN count(p) AS n",
    "problems_without_measures": f"MATCH (p:Problem) WHERE {_COUNTED} "
                                 f"AND NOT EXISTS {{ MATCH (p)<-[r:ADDRESSES]-() WHERE {_LIVE} }} RETURN count(p) AS n",
    "problems_without_causes": f"MATCH (p:Problem) WHERE {_COUNTED} "
                               f"AND NOT EXISTS {{ MATCH (p)<-[r:EXPLAINS]-() WHERE {_LIVE} }} RETURN count(p) AS n",
    "causes_without_measures": f"MATCH (c:Cause) WHERE NOT EXISTS {{ MATCH (c)<-[r:TREATS]-() WHERE {_LIVE} }} "
                               "RETURN count(c) AS n",
    "measures_addressing_nothing": (
        f"MATCH (m:Measure) WHERE NOT EXISTS {{ MATCH (m)-[r:ADDRESSES|TREATS]->() WHERE {_LIVE} }} "
        f"AND NOT EXISTS {{ MATCH (m)-[:HAS_ACTION]->()-[r:ADDRESSES]->() WHERE {_LIVE} }} RETURN count(m) AS n"
    ),
}


def corpus_counts(run: Run) -> dict[str, int]:
    """graph.query.summary.counts(g) for the whole store, as pushed (the team's decisions not applied)."""
    return {k: int(run(q)[0]["n"]) for k, q in QUERIES.items()}


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


def curated_documents(run: Run) -> list[str]:
    """Documents whose pushed graph already carries decisions (pushed from a curated workspace)."""
    rows = run("MATCH (n:TGNode)-[r]-() WHERE r.origin = 'curated' OR r.rejected = true RETURN DISTINCT n.doc AS doc "
               "UNION MATCH (n:TGNode) WHERE n.curated = true RETURN DISTINCT n.doc AS doc")
    return sorted(r["doc"] for r in rows if r["doc"])
