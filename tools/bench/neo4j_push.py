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


def load_rates(graph: nx.MultiDiGraph, uri: str, user: str, password: str, *, database: str = "neo4j",
               changed: int = 10) -> dict[str, Any]:
    """Issue 15 item 3, in one run on one server: today's push into an empty database, the bulk load (one and two
    sessions) into an empty database, then an incremental push of `changed` edited documents. The database is
    emptied between them (use a scratch server)."""
    import time

    from tracegraph.graph.stores.neo4j_bulk import bulk_load, documents_part
    from tracegraph.graph.stores.neo4j_io import connect, push

    driver = connect(uri, user, password)
    rows = graph.number_of_nodes() + graph.number_of_edges()

    def wipe() -> None:
        while driver.execute_query("MATCH (n) WITH n LIMIT 2000 DETACH DELETE n RETURN count(*) AS k",
                                   database_=database).records[0]["k"]:
            pass

    out: dict[str, Any] = {"documents": len(graph.graph.get("documents", {})), "rows": rows}
    try:
        wipe()
        first = push(graph, driver, database, progress=False)
        out["push"] = {"seconds": round(first.seconds, 2), "rows_per_second": round(first.rows_per_second)}
        for workers in (1, 2):
            wipe()
            rep = bulk_load(graph, driver, database, workers=workers)
            out[f"bulk_{workers}"] = {"seconds": round(rep.seconds, 2), "rows_per_second": round(rep.rows_per_second)}
        docs = sorted(graph.graph.get("documents", {}))[:changed]
        part = documents_part(graph, set(docs))
        for _, d in part.nodes(data=True):
            if d.get("type") == "Problem":
                d["title"] = str(d.get("title") or "") + "（修订）"
        t0 = time.monotonic()
        inc = push(part, driver, database, progress=False)
        out["incremental"] = {"documents": len(docs), "rows": part.number_of_nodes() + part.number_of_edges(),
                              "seconds": round(time.monotonic() - t0, 2), "rows_per_second": round(inc.rows_per_second)}
        out["views_ms"] = view_latencies(graph, driver, database)
    finally:
        driver.close()
    return out


def view_latencies(graph: nx.MultiDiGraph, driver: Any, database: str = "neo4j", repeat: int = 5) -> dict[str, Any]:
    """What the app asks the store for on each page, timed (median of `repeat`, ms), with the team's log in place:
    the corpus's numbers (总览 without a document), the document index, one document's part (every page with a
    document), a trace, and search across the store and within a document."""
    import statistics
    import time

    from tracegraph.graph.curation.store import CurationStore
    from tracegraph.graph.stores.neo4j_curation import Neo4jDecisionLog
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    store = Neo4jStore(driver, database, curation=CurationStore(Neo4jDecisionLog(driver, database), user="bench"))
    docs = sorted(graph.graph.get("documents", {}))
    doc = docs[len(docs) // 2]
    problem = next(n for n, d in graph.nodes(data=True) if d.get("doc") == doc and d.get("type") == "Problem")
    asks = {
        "corpus counts (总览, no document)": lambda: store.counts(),
        "document index (sidebar)": lambda: store.documents(),
        "one document's part (a page with a document)": lambda: store.load_graph(doc),
        "trace of a problem": lambda: store.trace(problem),
        "search 理论学习 across the store": lambda: store.search("理论学习"),
        "search 理论学习 in one document": lambda: store.search("理论学习", doc=doc),
    }
    out: dict[str, Any] = {}
    for name, fn in asks.items():
        fn()  # the first call plans the queries
        times = []
        rows = store.rows_read
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(1000 * (time.perf_counter() - t0))
        out[name] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
                     "records": (store.rows_read - rows) // repeat}
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
    args = ap.parse_args(argv)
    if args.copies:
        g = replicated(args.source, args.copies)
    else:
        from tracegraph.graph.model.io import read_json

        g = read_json(args.source)
    server = None
    if args.harness:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
        from neo4j_server import start_neo4j  # type: ignore[import-not-found]

        server = start_neo4j()
        uri, user, password = server.uri, server.user, server.password
    else:
        uri, user, password = args.uri, args.user, os.environ.get("NEO4J_PASSWORD")
        if password is None:
            print("set NEO4J_PASSWORD (or use --harness)", file=sys.stderr)
            return 2
    try:
        if args.compare:
            out = load_rates(g, uri, user, password)
        else:
            out = push_rate(g, uri, user, password, batch_size=args.batch_size)
        if server is not None:  # the store's size on disk after the run
            import subprocess

            data = server.workdir / "db"
            out["disk_mb"] = {str(p.relative_to(data)): round(int(subprocess.check_output(
                ["du", "-sb", str(p)]).split()[0]) / 1e6, 1) for p in sorted(data.rglob("*"))
                if p.is_dir() and p.name in ("databases", "transactions")}
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
