"""Build a corpus and load it into Neo4j in one pass, never holding the whole graph (graph.build.stream): every
`batch_documents` documents are written by the bulk loader (graph.stores.neo4j_bulk) from a writer thread while the
workers read on, and similar problems are grouped across documents at the end. The loader's memory follows the
batch, not the archive, apart from one short line per problem — the path for an archive too large to build into
one graph file.

The store ends as `build` followed by `neo4j push --bulk` leaves it (tests/test_neo4j_stream.py compares them).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from tracegraph.errors import StoreError
from tracegraph.graph.build.stream import stream_corpus
from tracegraph.graph.corpus.clusters import add_similar_edges, group_problems
from tracegraph.graph.link.config import LinkConfig
from tracegraph.graph.stores.neo4j_bulk import BULK_WORKERS, bulk_load
from tracegraph.graph.stores.neo4j_io import (
    DEFAULT_DATABASE,
    NODE_LABEL,
    counts,
    encode_props,
    ensure_schema,
    tell_stderr,
)

if TYPE_CHECKING:
    from neo4j import Driver

BATCH_DOCUMENTS = 50  # ~12k rows: two 5,000-row transactions and a small one per batch; memory ~4 batches
_CLUSTER_BATCH = 5_000


@dataclass
class StreamReport:
    documents: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): reported, the rest loads
    skipped: list[tuple[str, str]] = field(default_factory=list)
    nodes: int = 0
    relationships: int = 0
    similar: int = 0  # SIMILAR_TO relationships between documents' problems
    batches: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0  # spent by the writer (overlapping the reading)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def mb_per_second(self) -> float:
        """Source megabytes read, linked and stored per second of the whole run."""
        return self.bytes_read / 1e6 / self.seconds if self.seconds > 0 else 0.0

    @property
    def rows_per_second(self) -> float:
        return (self.nodes + self.relationships) / self.seconds if self.seconds > 0 else 0.0


def stream_load(
    paths: Iterable[str | Path],
    driver: Driver,
    database: str = DEFAULT_DATABASE,
    *,
    workers: int | None = None,
    write_sessions: int = BULK_WORKERS,
    batch_documents: int = BATCH_DOCUMENTS,
    cache_dir: str | Path | None = None,
    lexicon_files: Iterable[str] = (),
    link_config: LinkConfig | None = None,
    progress: bool = False,
) -> StreamReport:
    """Read, link and load every supported file under `paths` (see the module docstring)."""
    if batch_documents < 1 or write_sessions < 1:
        raise StoreError("batch_documents 与 write_sessions 必须 ≥ 1")
    t0 = time.monotonic()
    report = StreamReport()
    ensure_schema(driver, database, notice=tell_stderr if progress else None)

    def write(g: nx.MultiDiGraph) -> None:
        t = time.monotonic()
        loaded = bulk_load(g, driver, database, workers=write_sessions, report_counts=False, schema=False)
        report.write_seconds += time.monotonic() - t
        report.nodes += g.number_of_nodes()
        report.relationships += g.number_of_edges()
        report.documents += loaded.new_documents + loaded.known_documents
        report.batches += 1

    streamed = stream_corpus(paths, write, batch_documents=batch_documents, workers=workers, cache_dir=cache_dir,
                             lexicon_files=lexicon_files, link_config=link_config, progress=progress)
    problems = streamed.problems
    report.skipped = [(str(f), why) for f, why in streamed.scan.skipped]
    report.failed = [(str(f), why) for f, why in streamed.scan.refused] + streamed.corpus.failed
    report.bytes_read = streamed.corpus.bytes_read
    if len({d for _, d in problems.nodes(data="doc")}) > 1:
        report.similar = _write_clusters(problems, driver, database)
        report.relationships += report.similar
    report.seconds = time.monotonic() - t0
    report.counts = counts(driver, database)
    return report


def _write_clusters(problems: nx.MultiDiGraph, driver: Driver, database: str) -> int:
    """Similar problems across the loaded documents (graph.corpus.clusters, as `build` does): earlier inferred
    SIMILAR_TO of these problems go, each member gets its cluster and size, and a SIMILAR_TO to its representative."""
    add_similar_edges(problems, group_problems(problems))
    ids = list(problems)
    rows = [{"id": n, "cluster": d["cluster"], "size": d["cluster_size"]}
            for n, d in problems.nodes(data=True) if "cluster" in d]
    edges = [{"s": u, "t": v, "props": encode_props(d)} for u, v, d in problems.edges(data=True)]
    for i in range(0, len(ids), _CLUSTER_BATCH):
        driver.execute_query(f"UNWIND $ids AS id MATCH (:{NODE_LABEL} {{id: id}})-[r:SIMILAR_TO]->() "
                             "WHERE r.origin = 'inferred' DELETE r", ids=ids[i : i + _CLUSTER_BATCH],
                             database_=database)
    for i in range(0, len(rows), _CLUSTER_BATCH):
        driver.execute_query(f"UNWIND $rows AS row MATCH (n:{NODE_LABEL} {{id: row.id}}) "
                             "SET n.cluster = row.cluster, n.cluster_size = row.size",
                             rows=rows[i : i + _CLUSTER_BATCH], database_=database)
    for i in range(0, len(edges), _CLUSTER_BATCH):
        driver.execute_query(f"UNWIND $rows AS row MATCH (a:{NODE_LABEL} {{id: row.s}}) "
                             f"MATCH (b:{NODE_LABEL} {{id: row.t}}) MERGE (a)-[r:SIMILAR_TO]->(b) SET r = row.props",
                             rows=edges[i : i + _CLUSTER_BATCH], database_=database)
    return len(edges)
