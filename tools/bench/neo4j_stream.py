"""The streamed load (`tracegraph neo4j load`) of a corpus folder into a fresh Neo4j, then each app view's latency
from the loaded store: the path for sizes whose whole graph does not fit in memory.

    python -m tools.bench.neo4j_stream CORPUS_DIR --harness [--json FILE]

Reports MB/s and rows/s of the whole run (read, link and write overlapping), this process's peak RSS (the loader:
batches, problem titles, the writer) and the largest reading worker's, the store's size on disk, and the views
(tools.bench.neo4j_views, in a process of its own).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from pathlib import Path
from typing import Any

from tools.bench.neo4j_push import Servers, emit, servers_for
from tools.bench.neo4j_views import MIDDLE_PROBLEM, own_peak_rss_mb


def stream_run(folder: Path, servers: Servers, workers: int | None = None, sessions: int = 2) -> dict[str, Any]:
    from tracegraph.graph.stores.neo4j_stream import stream_load

    driver = servers.fresh()
    rep = stream_load([folder], driver, workers=workers, write_sessions=sessions)
    out: dict[str, Any] = {
        "documents": rep.documents,
        "failed": len(rep.failed),
        "mb": round(rep.bytes_read / 1e6, 1),
        "seconds": round(rep.seconds, 1),
        "mb_per_second": round(rep.mb_per_second, 3),
        "rows": rep.nodes + rep.relationships,
        "rows_per_second": round(rep.rows_per_second),
        "write_seconds": round(rep.write_seconds, 1),
        "loader peak RSS MB": own_peak_rss_mb(),
        "largest worker peak RSS MB": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "disk_mb": servers.disk_mb(),
    }
    row = driver.execute_query(MIDDLE_PROBLEM, k=rep.documents // 2).records[0]
    # the "before" ways (every node aggregated, every text scanned) take minutes per request past 10,000 documents
    out["views"] = servers.views(row["doc"], row["problem"], before=rep.documents <= 10_000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.neo4j_stream", description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("uri", nargs="?", default=os.environ.get("TRACEGRAPH_NEO4J_URI") or "bolt://127.0.0.1:7687")
    ap.add_argument("--harness", action="store_true", help="a fresh test-harness Neo4j (tools/neo4j-harness)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--sessions", type=int, default=2)
    ap.add_argument("--user", default=os.environ.get("NEO4J_USER") or "neo4j")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    servers = servers_for(args)
    if servers is None:
        return 2
    try:
        out = stream_run(Path(args.folder), servers, args.workers, args.sessions)
    finally:
        servers.close()
    emit(out, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
