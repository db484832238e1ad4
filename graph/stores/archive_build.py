"""`tracegraph archive build`: read, link and write a corpus into an archive file in one pass, never holding the
whole graph (graph.build.stream). Each batch of documents is written in one transaction as it is read; similar
problems are grouped across every document of the archive at the end, from one short line per problem read back
from the file. The archive then holds what `build` would have put in a graph file (tests/test_archive.py)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from tracegraph.errors import StoreError
from tracegraph.graph.build.stream import stream_corpus
from tracegraph.graph.link.config import LinkConfig
from tracegraph.graph.stores import archive_db

BATCH_DOCUMENTS = 50


@dataclass
class ArchiveReport:
    documents: int = 0  # written in this run
    stored: int = 0  # in the archive after it
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): reported, the rest is written
    skipped: list[tuple[str, str]] = field(default_factory=list)
    nodes: int = 0
    edges: int = 0
    similar: int = 0  # SIMILAR_TO edges between documents' problems
    batches: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def mb_per_second(self) -> float:
        """Source megabytes read, linked and written per second of the whole run."""
        return self.bytes_read / 1e6 / self.seconds if self.seconds > 0 else 0.0


def build_archive(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    workers: int | None = None,
    batch_documents: int = BATCH_DOCUMENTS,
    cache_dir: str | Path | None = None,
    lexicon_files: Iterable[str] = (),
    link_config: LinkConfig | None = None,
    progress: bool = False,
) -> ArchiveReport:
    """Write every supported file under `paths` into the archive `out` (made when missing; documents already in it
    under the same ids are replaced, the others kept)."""
    if batch_documents < 1:
        raise StoreError("batch_documents 必须 ≥ 1")
    t0 = time.monotonic()
    report = ArchiveReport()
    con = archive_db.connect(out, create=True)
    try:
        def write(batch: nx.MultiDiGraph) -> None:
            t = time.monotonic()
            archive_db.write_batch(con, batch)
            report.write_seconds += time.monotonic() - t
            report.documents += len(batch.graph["documents"])
            report.nodes += batch.number_of_nodes()
            report.edges += batch.number_of_edges()
            report.batches += 1

        streamed = stream_corpus(paths, write, batch_documents=batch_documents, workers=workers, cache_dir=cache_dir,
                                 lexicon_files=lexicon_files, link_config=link_config, progress=progress,
                                 collect_problems=False)
        report.skipped = [(str(f), why) for f, why in streamed.scan.skipped]
        report.failed = [(str(f), why) for f, why in streamed.scan.refused] + streamed.corpus.failed
        report.bytes_read = streamed.corpus.bytes_read
        report.stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        if report.documents and report.stored > 1:
            report.similar = archive_db.write_similar(con, archive_db.problem_lines(con))
            report.edges += report.similar
    finally:
        con.close()
    report.seconds = time.monotonic() - t0
    return report
