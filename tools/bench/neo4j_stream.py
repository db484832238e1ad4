"""The streamed load (`tracegraph neo4j load`) of a corpus folder into a fresh Neo4j, then each app view's latency
from the loaded store: the path for sizes whose whole graph does not fit in memory.

    python -m tools.bench.neo4j_stream CORPUS_DIR --harness [--json FILE]

Reports MB/s and rows/s of the whole run (read, link and write overlapping), this process's peak RSS (the loader:
batches, problem titles, the writer) and the largest reading worker's, the store's size on disk, and the views
(tools.bench.neo4j_views, in a process of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

from tools.bench.neo4j_push import Servers
from tools.bench.neo4j_views import own_peak_rss_mb


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
    row = driver.execute_query(
        "MATCH (d:TGDocumentMeta) WITH d ORDER BY d.id SKIP $k LIMIT 1 "
        "MATCH (p:Problem {doc: d.id}) RETURN d.id AS doc, p.id AS problem ORDER BY p.id LIMIT 1",
        k=rep.documents // 2).records[0]
    proc = subprocess.run(
        [sys.executable, "-m", "tools.bench.neo4j_views", servers.uri, "--doc", row["doc"], "--problem",
         row["problem"], "--user", servers.user], capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[2], env=dict(os.environ, NEO4J_PASSWORD=servers.password))
    out["views"] = (json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0
                    else {"error": proc.stderr.strip()[-500:]})
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
    if not args.harness and os.environ.get("NEO4J_PASSWORD") is None:
        print("set NEO4J_PASSWORD (or use --harness)", file=sys.stderr)
        return 2
    servers = Servers(args.uri, args.user, os.environ.get("NEO4J_PASSWORD"), args.harness)
    try:
        out = stream_run(Path(args.folder), servers, args.workers, args.sessions)
    finally:
        servers.close()
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
