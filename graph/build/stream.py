"""Building a corpus too large to hold: the build pipeline's workers read and link each document as usual, and every
`batch_documents` of them are handed to a writer (the shared Neo4j, graph.stores.neo4j_stream; the archive file,
graph.stores.archive_build) instead of being merged into one graph. The writer runs on a thread of its own with a
queue of one batch, so the workers read on while a batch is written and memory holds a few batches at most. What stays in memory across the run is what
spans documents: the shared policy references and speakers with the aliases seen so far (each batch carries the
union, so the last write of a shared node is the one `build` would make) and one short line per problem, for
grouping similar problems across documents at the end.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.graph.build.document import new_graph
from tracegraph.graph.build.pipeline import CorpusReport, InputScan, build_corpus, merge_fragment, scan_inputs
from tracegraph.graph.link.config import LinkConfig
from tracegraph.graph.model.schema import SHARED_TYPES

# what grouping similar problems reads of a problem (graph.corpus.clusters._problem_texts: title, status, document
# and the first 80 characters of its text)
PROBLEM_FIELDS = ("type", "status", "doc", "title")


@dataclass
class StreamedCorpus:
    scan: InputScan
    corpus: CorpusReport
    problems: nx.MultiDiGraph  # every problem read, in reading order, as grouping reads it (problem_line)


class BatchWriter(threading.Thread):
    """Calls `write` with each batch put, on its own thread (a queue of one: reading waits rather than piling batches
    up in memory). A failed write stops the writing; `finish` raises it in the caller's thread."""

    def __init__(self, write: Callable[[nx.MultiDiGraph], None]) -> None:
        super().__init__(daemon=True)
        self.write = write
        self.batches: queue.Queue[nx.MultiDiGraph | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None

    def run(self) -> None:
        while (g := self.batches.get()) is not None:
            if self.error is not None:
                continue  # drain: the run fails once the reading stops
            try:
                self.write(g)
            except BaseException as exc:  # handed to the caller's thread
                self.error = exc

    def put(self, g: nx.MultiDiGraph) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put(g)

    def finish(self) -> None:
        self.batches.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def problem_line(attrs: dict[str, Any]) -> dict[str, Any]:
    """What graph.corpus.clusters reads of a problem: enough to group problems across documents without them."""
    return {**{k: attrs.get(k) for k in PROBLEM_FIELDS}, "text": (attrs.get("text") or "")[:80]}


def stream_corpus(
    paths: Iterable[str | Path],
    write: Callable[[nx.MultiDiGraph], None],
    *,
    batch_documents: int,
    workers: int | None = None,
    cache_dir: str | Path | None = None,
    lexicon_files: Iterable[str] = (),
    link_config: LinkConfig | None = None,
    progress: bool = False,
    collect_problems: bool = True,
) -> StreamedCorpus:
    """Read and link every supported file under `paths`, calling `write` (on a writer thread) with each batch of
    documents (a graph of their nodes and edges, shared nodes with the aliases united so far). Without `collect_problems` the
    problems are not kept (a writer that reads them back from where it wrote them)."""
    from tracegraph.loaders.formats.registry import supported_extensions

    scan = scan_inputs(paths, supported_extensions())
    problems = new_graph()
    shared: dict[str, dict[str, Any]] = {}
    batch = new_graph()
    writer = BatchWriter(write)
    writer.start()

    def flush() -> None:
        nonlocal batch
        if not batch.graph["documents"]:
            return
        for n, d in batch.nodes(data=True):
            if d.get("type") in SHARED_TYPES:
                seen = shared.setdefault(n, dict(d))
                for a in d.get("aliases") or []:
                    if a not in (seen.get("aliases") or []):
                        seen["aliases"] = [*(seen.get("aliases") or []), a]
                d.update(seen)
        writer.put(batch)
        batch = new_graph()

    def take(frag: dict[str, Any]) -> None:
        merge_fragment(batch, frag)
        for n in frag["nodes"] if collect_problems else ():
            if n.get("type") == "Problem":
                problems.add_node(n["id"], **problem_line(n))
        if len(batch.graph["documents"]) >= batch_documents:
            flush()

    try:
        _, corpus = build_corpus(scan.files, cache_dir=cache_dir, workers=workers, lexicon_files=lexicon_files,
                                 progress=progress, on_fragment=take, link_config=link_config, merge=False)
        flush()
    finally:
        writer.finish()  # every batch written (or the first failure raised) before the caller goes on
    return StreamedCorpus(scan, corpus, problems)
