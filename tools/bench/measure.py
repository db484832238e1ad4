"""One benchmark size, in its own process so peak RSS belongs to that size alone. Prints one JSON line."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from . import baselines


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def _median_ms(fn, repeat: int = 7) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2)


def measure(folder: Path, workers: int, baseline: bool, baseline_cluster: bool,
            out_file: Path | None = None) -> dict[str, Any]:
    from tracegraph.graph.build.pipeline import build_corpus, iter_input_files
    from tracegraph.graph.corpus.clusters import add_similar_edges, group_problems, group_problems_all_pairs
    from tracegraph.graph.query.queries import matrix, search, trace

    files = iter_input_files([folder], [".txt"])
    size_bytes = sum(f.stat().st_size for f in files)
    out: dict[str, Any] = {"docs": len(files), "mb": round(size_bytes / 1e6, 2), "workers": workers}
    t = time.perf_counter()
    g, report = build_corpus(files, workers=workers)
    out["build_s"] = round(time.perf_counter() - t, 2)
    out["failed"] = len(report.failed)
    out["build_mb_s"] = round(out["mb"] / out["build_s"], 3)
    out["nodes"] = g.number_of_nodes()
    out["edges"] = g.number_of_edges()

    t = time.perf_counter()
    clusters = group_problems(g)
    out["cluster_s"] = round(time.perf_counter() - t, 3)
    out["clusters"] = len(clusters.clusters)
    add_similar_edges(g, clusters)

    docs = list(g.graph["documents"])
    doc = docs[len(docs) // 2]
    problem = next(n for n in g if g.nodes[n].get("doc") == doc and g.nodes[n].get("type") == "Problem")
    matrix(g, doc)  # first call builds the per-document index
    search(g, "软弱涣散")  # first call builds the search index
    out["trace_ms"] = _median_ms(lambda: trace(g, problem))
    out["matrix_ms"] = _median_ms(lambda: matrix(g, doc))
    out["search_ms"] = _median_ms(lambda: search(g, "软弱涣散"))
    out["fuzzy_search_ms"] = _median_ms(lambda: search(g, "两个责任履行", types=("Problem",)), repeat=3)
    out["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    if out_file is not None:  # for the Neo4j load (after the peak is read: writing is not building)
        from tracegraph.graph.model.io import write_json

        write_json(g, out_file)

    if baseline:
        out["naive_trace_ms"] = _median_ms(lambda: baselines.naive_trace(g, problem), repeat=3)
        out["naive_matrix_ms"] = _median_ms(lambda: baselines.naive_matrix(g, doc), repeat=3)
        out["naive_search_ms"] = _median_ms(lambda: baselines.naive_search(g, "软弱涣散"), repeat=3)
        del g
        t = time.perf_counter()
        build_corpus(files, workers=1)
        out["naive_build_s"] = round(time.perf_counter() - t, 2)
    if baseline_cluster:
        from tracegraph.graph.build.pipeline import build_corpus as _bc

        g2, _ = _bc(files, workers=workers)
        t = time.perf_counter()
        naive = group_problems_all_pairs(g2)
        out["naive_cluster_s"] = round(time.perf_counter() - t, 3)
        ours = group_problems(g2)
        out["same_groups"] = sorted(map(tuple, naive.clusters)) == sorted(map(tuple, ours.clusters))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--baseline-cluster", action="store_true")
    ap.add_argument("--out", help="write the built graph here (graph.json)")
    args = ap.parse_args(argv)
    res = measure(Path(args.dir), args.workers, args.baseline, args.baseline_cluster,
                  Path(args.out) if args.out else None)
    print(json.dumps(res, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
