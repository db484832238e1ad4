"""Neo4j push throughput: nodes plus relationships written per second by graph.neo4j_io.push.

    NEO4J_PASSWORD=... python -m tools.bench.neo4j_push graph.json [bolt://127.0.0.1:7687]
    NEO4J_PASSWORD=... python -m tools.bench.neo4j_push --copies 200 data/000_ddb002e987b04e7f.txt
    python -m tools.bench.neo4j_push graph.json --harness --compare   # issue 15: push, bulk, incremental, pages

The public reference for labelled ``UNWIND`` batches is ~20k rows/s; the figure to compare is
``rows_per_second`` (batched writes only), ``total_rows_per_second`` includes schema setup and pruning.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import networkx as nx


def push_rate(
    graph: nx.MultiDiGraph,
    uri: str,
    user: str,
    password: str,
    *,
    database: str = "neo4j",
    batch_size: int = 5000,
    repush: bool = True,
) -> dict[str, Any]:
    """Push `graph` (first into whatever the database holds, then again when `repush`, which is the
    idempotent MERGE-on-existing case) and report rows per second for each."""
    from tracegraph.graph.stores.neo4j_io import connect, push

    driver = connect(uri, user, password)
    try:
        first = push(graph, driver, database, batch_size=batch_size, progress=False)
        out: dict[str, Any] = {
            "documents": first.documents,
            "nodes": first.nodes,
            "relationships": first.relationships,
            "batch_size": batch_size,
            "seconds": round(first.seconds, 3),
            "write_seconds": round(first.write_seconds, 3),
            "rows_per_second": round(first.rows_per_second, 1),
            "total_rows_per_second": round((first.nodes + first.relationships) / max(first.seconds, 1e-9), 1),
        }
        if repush:
            again = push(graph, driver, database, batch_size=batch_size, progress=False)
            out["repush_seconds"] = round(again.seconds, 3)
            out["repush_rows_per_second"] = round(again.rows_per_second, 1)
    finally:
        driver.close()
    return out


class Servers:
    """Where each stage of a comparison writes: a database emptied first. With the harness, a fresh server per stage
    (emptying millions of rows in chunks takes longer than a start); otherwise the given server, wiped."""

    def __init__(self, uri: str, user: str, password: str | None, harness: bool) -> None:
        self.uri, self.user, self.password, self.harness = uri, user, password or "", harness
        self.server: Any = None
        self.driver: Any = None

    def fresh(self) -> Any:
        from tracegraph.graph.stores.neo4j_io import connect

        self.close()
        if self.harness:
            sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
            from neo4j_server import start_neo4j  # type: ignore[import-not-found]

            self.server = start_neo4j()
            self.uri, self.user, self.password = self.server.uri, self.server.user, self.server.password
            self.driver = connect(self.uri, self.user, self.password)
        else:
            self.driver = connect(self.uri, self.user, self.password)
            while self.driver.execute_query("MATCH (n) WITH n LIMIT 2000 DETACH DELETE n RETURN count(*) AS k"
                                            ).records[0]["k"]:
                pass
        return self.driver

    def disk_mb(self) -> dict[str, float]:
        """The store's size on disk (the harness's database and transaction-log folders)."""
        if self.server is None:
            return {}
        import subprocess

        # as found right after the load: Neo4j Community has no checkpoint procedure, so much of a fresh load
        # is still in the transaction logs (their total is the disk the load took)

        data = self.server.workdir / "db"
        return {str(p.relative_to(data)): round(int(subprocess.check_output(
            ["du", "-sb", str(p)]).split()[0]) / 1e6, 1) for p in sorted(data.rglob("*"))
            if p.is_dir() and p.name in ("databases", "transactions")}

    def views(self, doc: str, problem: str, before: bool = True) -> dict[str, Any]:
        """Each app page's request from the current server (tools.bench.neo4j_views), in a process of its own so
        its peak memory is the pages', not this process's."""
        import subprocess

        cmd = [sys.executable, "-m", "tools.bench.neo4j_views", self.uri, "--doc", doc, "--problem", problem,
               "--user", self.user, *([] if before else ["--no-before"])]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2],
                              env=dict(os.environ, NEO4J_PASSWORD=self.password))
        return (json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0
                else {"error": proc.stderr.strip()[-500:]})

    def close(self) -> None:
        if self.driver is not None:
            self.driver.close()
            self.driver = None
        if self.server is not None:
            self.server.stop()
            self.server = None


def load_rates(graph: nx.MultiDiGraph, servers: Servers, *, changed: int = 10,
               bulk_workers: tuple[int, ...] = (1, 2), push_baseline: bool = True,
               views: bool = True) -> dict[str, Any]:
    """Issue 15 item 3, in one run: today's push into an empty database, the bulk load (one and two sessions) into
    an empty database, then an incremental push of `changed` edited documents, then what each app page asks of
    the loaded store (tools.bench.neo4j_views, in its own process)."""
    import time

    from tracegraph.graph.stores.neo4j_bulk import bulk_load, documents_part
    from tracegraph.graph.stores.neo4j_io import push

    rows = graph.number_of_nodes() + graph.number_of_edges()
    out: dict[str, Any] = {"documents": len(graph.graph.get("documents", {})), "rows": rows}
    if push_baseline:
        first = push(graph, servers.fresh(), progress=False)
        out["push"] = {"seconds": round(first.seconds, 2), "rows_per_second": round(first.rows_per_second)}
    for workers in bulk_workers:
        rep = bulk_load(graph, servers.fresh(), workers=workers)
        out[f"bulk_{workers}"] = {"seconds": round(rep.seconds, 2), "rows_per_second": round(rep.rows_per_second)}
    docs = sorted(graph.graph.get("documents", {}))
    part = documents_part(graph, set(docs[:changed]))
    for _, d in part.nodes(data=True):
        if d.get("type") == "Problem":
            d["title"] = str(d.get("title") or "") + "（修订）"
    t0 = time.monotonic()
    inc = push(part, servers.driver, progress=False)
    out["incremental"] = {"documents": changed, "rows": part.number_of_nodes() + part.number_of_edges(),
                          "seconds": round(time.monotonic() - t0, 2), "rows_per_second": round(inc.rows_per_second)}
    out["disk_mb"] = servers.disk_mb()
    if not views:
        return out
    doc = docs[len(docs) // 2]
    problem = next(n for n, d in graph.nodes(data=True) if d.get("doc") == doc and d.get("type") == "Problem")
    out["views"] = servers.views(doc, problem)
    return out


def replicated(path: str | Path, copies: int) -> nx.MultiDiGraph:
    """One document parsed once and added under `copies` different ids, then linked: a corpus of known
    size with the sample's shape, for measuring throughput."""
    from tracegraph.graph.build.document import add_document, new_graph
    from tracegraph.graph.link.linker import link_graph
    from tracegraph.loaders import load_file, parse

    parsed = parse(load_file(Path(path)))
    g = new_graph()
    for i in range(copies):
        add_document(g, parsed, f"copy{i:04d}")
    link_graph(g)
    return g


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.neo4j_push", description=__doc__.splitlines()[0])
    ap.add_argument("source", help="graph.json, or a document with --copies")
    ap.add_argument("uri", nargs="?", default=os.environ.get("TRACEGRAPH_NEO4J_URI") or "bolt://127.0.0.1:7687")
    ap.add_argument("--copies", type=int, default=0, help="push N copies of one document instead of a graph file")
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--compare", action="store_true",
                    help="push vs bulk load (1 and 2 sessions) vs incremental push, each into an emptied database, "
                         "then what each app page asks of the store")
    ap.add_argument("--harness", action="store_true",
                    help="start the test harness's Neo4j (tools/neo4j-harness) for this run instead of using `uri`")
    ap.add_argument("--user", default=os.environ.get("NEO4J_USER") or "neo4j")
    ap.add_argument("--bulk-workers", default="1,2", help="sessions of each bulk load compared (comma-separated)")
    ap.add_argument("--no-push", action="store_true", help="skip today's push (the baseline) in --compare")
    ap.add_argument("--no-views", action="store_true", help="skip the views' latencies in --compare")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    if args.copies:
        g = replicated(args.source, args.copies)
    else:
        from tracegraph.graph.model.io import read_json

        g = read_json(args.source)
    servers = servers_for(args)
    if servers is None:
        return 2
    try:
        if args.compare:
            workers = tuple(int(w) for w in args.bulk_workers.split(","))
            out = load_rates(g, servers, bulk_workers=workers, push_baseline=not args.no_push,
                             views=not args.no_views)
        else:
            servers.fresh()
            out = push_rate(g, servers.uri, servers.user, servers.password, batch_size=args.batch_size)
            out["disk_mb"] = servers.disk_mb()
    finally:
        servers.close()
    emit(out, args.json)
    return 0


def servers_for(args: argparse.Namespace) -> Servers | None:
    """The servers a bench command's `uri`/`--user`/`--harness` name; None (said why) without a password."""
    if not args.harness and os.environ.get("NEO4J_PASSWORD") is None:
        print("set NEO4J_PASSWORD (or use --harness)", file=sys.stderr)
        return None
    return Servers(args.uri, args.user, os.environ.get("NEO4J_PASSWORD"), args.harness)


def emit(out: dict[str, Any], json_file: str | None) -> None:
    """Print the figures, and write them to `json_file` too when given."""
    if json_file:
        Path(json_file).write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
