"""The initial load of a large corpus into Neo4j: documents the store does not hold yet are written with CREATE
(no lookup per row, which MERGE pays) in labelled UNWIND batches from several sessions at once; documents it
already holds go through the idempotent push (graph.stores.neo4j_io.push), so a load can be re-run or resumed.

Why not the offline import tool (`neo4j-admin database import`): it writes a new database's store files while
that database is stopped, which a shared server in use cannot do, and it ships with the server distribution,
not with the driver. The UNWIND path works against any running Neo4j 5, with the same layout as the push.
"""

from __future__ import annotations

import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from tracegraph.errors import StoreError
from tracegraph.graph.stores.neo4j_io import (
    DEFAULT_DATABASE,
    META_LABEL,
    NODE_LABEL,
    SHARED_TYPES,
    PushReport,
    _batches,
    _edge_rows,
    _node_rows,
    counts,
    document_row,
    ensure_schema,
    push,
)
from tracegraph.graph.stores.neo4j_summary import refresh_document_counts

if TYPE_CHECKING:
    from neo4j import Driver, ManagedTransaction

BULK_BATCH = 5_000  # rows per transaction, as the push (of 500, 1,000 and 5,000 the fastest there)
BULK_WORKERS = 2


@dataclass
class LoadReport:
    """What a load wrote and how fast: `created` for the new documents, `pushed` for those already there."""

    new_documents: int = 0
    known_documents: int = 0
    nodes: int = 0
    relationships: int = 0
    batches: int = 0
    write_seconds: float = 0.0
    seconds: float = 0.0
    pushed: PushReport | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        """Nodes plus relationships created per second of batched writing."""
        return (self.nodes + self.relationships) / self.write_seconds if self.write_seconds > 0 else 0.0


def documents_part(g: nx.MultiDiGraph, docs: set[str]) -> nx.MultiDiGraph:
    """The documents' nodes, the shared nodes, the edges among them, the documents' metadata."""
    keep = {n for n, d in g.nodes(data=True) if d.get("doc") in docs or d.get("type") in SHARED_TYPES
            or (not d.get("doc") and n in docs)}
    sub = g.subgraph(keep).copy()
    sub.graph = {"documents": {k: v for k, v in g.graph.get("documents", {}).items() if k in docs}}
    return sub


def bulk_load(
    g: nx.MultiDiGraph,
    driver: Driver,
    database: str = DEFAULT_DATABASE,
    *,
    batch_size: int = BULK_BATCH,
    workers: int = BULK_WORKERS,
    report_counts: bool = True,
    schema: bool = True,
) -> LoadReport:
    """Write `g` into Neo4j: its new documents by CREATE, in parallel batches; the ones already there by push.
    `report_counts` off: the store's totals (a scan of every relationship) are left out of the report; `schema`
    off: the caller made sure of the constraints and indexes (a loader calling this once per batch)."""
    if batch_size < 1 or workers < 1:
        raise StoreError("batch_size 与 workers 必须 ≥ 1")
    t0 = time.monotonic()
    if schema:
        ensure_schema(driver, database)
    docs = set(g.graph.get("documents", {}))
    known = {r["id"] for r in driver.execute_query(
        f"MATCH (d:{META_LABEL}) WHERE d.id IN $ids RETURN d.id AS id", ids=sorted(docs), database_=database).records}
    new = docs - known
    report = LoadReport(new_documents=len(new), known_documents=len(known))
    if known:
        report.pushed = push(documents_part(g, known), driver, database, progress=False)
    if new:
        _create(documents_part(g, new) if known else g, driver, database, batch_size, workers, report)
        refresh_document_counts(driver, database, sorted(new))
    report.seconds = time.monotonic() - t0
    if report_counts:
        report.counts = counts(driver, database)
    return report


def _create(part: nx.MultiDiGraph, driver: Driver, database: str, batch_size: int, workers: int,
            report: LoadReport) -> None:
    shared = {n for n, d in part.nodes(data=True) if d.get("type") in SHARED_TYPES}
    node_rows = _node_rows(part)
    edge_rows = _edge_rows(part)
    doc_rows = [document_row(did, meta) for did, meta in part.graph.get("documents", {}).items()]

    def run(query: str, rows: list[dict[str, Any]]) -> int:
        def work(tx: ManagedTransaction) -> None:
            tx.run(query, rows=rows).consume()

        with driver.session(database=database) as session:
            session.execute_write(work)
        return len(rows)

    jobs: list[tuple[str, list[dict[str, Any]]]] = []
    for chunk in _batches(doc_rows, batch_size):
        jobs.append((f"UNWIND $rows AS row CREATE (d:{META_LABEL}) SET d = row.props", chunk))
    for lbl, rows in node_rows.items():
        fresh = [r for r in rows if r["id"] not in shared]
        old = [r for r in rows if r["id"] in shared]  # shared across documents: may be there already
        for chunk in _batches(fresh, batch_size):
            jobs.append((f"UNWIND $rows AS row CREATE (n:{lbl}:{NODE_LABEL}) SET n = row.props", chunk))
        for chunk in _batches(old, batch_size):
            jobs.append((f"UNWIND $rows AS row MERGE (n:{lbl} {{id: row.id}}) SET n = row.props, n:{NODE_LABEL}",
                         chunk))
    t_write = time.monotonic()
    report.nodes = sum(len(r) for r in node_rows.values())
    _parallel(run, jobs, workers)
    # relationships once every node is there; a relationship touching a new document's node is new (CREATE),
    # one between two shared nodes may exist (MERGE). Batches of one type and source document run together, so
    # two sessions rarely lock the same nodes.
    edge_jobs: list[tuple[str, list[dict[str, Any]]]] = []
    for t, rows in edge_rows.items():
        by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            both_shared = r["s"] in shared and r["t"] in shared
            by_doc["" if both_shared else str(part.nodes[r["s"]].get("doc") or "")].append(r)
        verb = {"": "MERGE"}
        for doc, drows in sorted(by_doc.items()):
            q = (f"UNWIND $rows AS row MATCH (a:{NODE_LABEL} {{id: row.s}}) MATCH (b:{NODE_LABEL} {{id: row.t}}) "
                 f"{verb.get(doc, 'CREATE')} (a)-[r:{t}]->(b) SET r = row.props")
            for chunk in _batches(drows, batch_size):
                edge_jobs.append((q, chunk))
    _parallel(run, _grouped(edge_jobs, batch_size), workers)
    report.relationships = sum(len(r) for r in edge_rows.values())
    report.batches = len(jobs) + len(edge_jobs)
    report.write_seconds = time.monotonic() - t_write


def _grouped(jobs: list[tuple[str, list[dict[str, Any]]]], size: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """Small batches of the same statement joined up to `size` rows (a document has a few dozen edges of a type)."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for q, rows in jobs:
        if out and out[-1][0] == q and len(out[-1][1]) + len(rows) <= size:
            out[-1][1].extend(rows)
        else:
            out.append((q, list(rows)))
    return out


def _parallel(run: Any, jobs: list[tuple[str, list[dict[str, Any]]]], workers: int) -> None:
    if workers == 1 or len(jobs) < 2:
        for q, rows in jobs:
            run(q, rows)
        return
    with ThreadPoolExecutor(workers) as ex:
        for f in [ex.submit(run, q, rows) for q, rows in jobs]:
            f.result()  # a failed batch fails the load (it can be re-run: known documents are pushed)
