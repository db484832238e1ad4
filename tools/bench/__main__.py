"""`python -m bench --sizes 10,100,1000,10000 [--json FILE]`: build throughput, peak RSS and query times on
synthetic corpora, each beside a naive baseline measured in the same run, printed as a table.

Also: linking one 25 KB document (lexical path), and — when they are available on this machine — the app's
first render (headless Chromium) and the Neo4j push rate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tools.bench.synth import ROOT, make_corpus


def link_benchmark(repeat: int = 30) -> dict[str, Any]:
    """Median time to link the sample (23 KB), against the per-pair dictionary baseline."""
    from tools.bench.baselines import naive_link_scores
    from tracegraph.graph.build.document import add_document, new_graph
    from tracegraph.graph.link.linker import link_document
    from tracegraph.loaders import load_file, parse

    sample = next((ROOT / "data").glob("*.txt"))
    parsed = parse(load_file(sample))
    g = new_graph()
    add_document(g, parsed, "bench")
    # CPU time, not wall time: on a shared 2-core machine other processes stretch wall time several-fold
    times = []
    for _ in range(repeat):
        t = time.process_time()
        link_document(g, "bench")
        times.append((time.process_time() - t) * 1000)
    items = [
        (n, d["type"], d["text"], d["title"])
        for n, d in g.nodes(data=True)
        if d.get("type") in ("Problem", "Cause", "Measure")
    ]
    naive = []
    for _ in range(max(3, repeat // 5)):
        t = time.process_time()
        naive_link_scores(parsed.doc.text, items)
        naive.append((time.process_time() - t) * 1000)
    ours, base = statistics.median(times), statistics.median(naive)
    return {
        "doc_kb": round(sample.stat().st_size / 1024, 1),
        "link_cpu_ms": round(ours, 1),
        "naive_first_version_cpu_ms": round(base, 1),
        "ratio": round(base / ours, 2) if ours else None,
    }


def run_size(n: int, workdir: Path, baseline_max: int, cluster_baseline_max: int,
             graph_file: Path | None = None) -> dict[str, Any]:
    folder = workdir / f"n{n}"
    t = time.perf_counter()
    make_corpus(folder, n)
    gen = time.perf_counter() - t
    cmd = [sys.executable, "-m", "tools.bench.measure", "--dir", str(folder)]
    if graph_file is not None:
        cmd += ["--out", str(graph_file)]
    if n <= baseline_max:
        cmd.append("--baseline")
    if n <= cluster_baseline_max:
        cmd.append("--baseline-cluster")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        return {"docs": n, "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["generate_s"] = round(gen, 1)
    return res


def _ratio(a: Any, b: Any) -> str:
    try:
        return f"{float(b) / float(a):.1f}×"
    except (TypeError, ValueError, ZeroDivisionError):
        return "—"


def print_table(rows: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    hdr = [
        "docs",
        "MB",
        "build s",
        "MB/s",
        "peak RSS MB",
        "trace ms",
        "matrix ms",
        "search ms",
        "fuzzy ms",
        "cluster s",
        "naive build s",
        "build ×",
        "naive trace/matrix/search ms",
        "query ×",
        "naive cluster s",
        "cluster ×",
        "same groups",
    ]
    print(" | ".join(hdr))
    print(" | ".join("---" for _ in hdr))
    for r in rows:
        if "error" in r:
            print(f"{r['docs']} | error: {r['error']}")
            continue
        naive_q = "/".join(str(r.get(k, "—")) for k in ("naive_trace_ms", "naive_matrix_ms", "naive_search_ms"))
        q_ratio = "/".join(
            _ratio(r.get(a), r.get(b))
            for a, b in (
                ("trace_ms", "naive_trace_ms"),
                ("matrix_ms", "naive_matrix_ms"),
                ("search_ms", "naive_search_ms"),
            )
        )
        print(
            " | ".join(
                str(x)
                for x in [
                    r["docs"],
                    r["mb"],
                    r["build_s"],
                    r["build_mb_s"],
                    r["peak_rss_mb"],
                    r["trace_ms"],
                    r["matrix_ms"],
                    r["search_ms"],
                    r["fuzzy_search_ms"],
                    r["cluster_s"],
                    r.get("naive_build_s", "—"),
                    _ratio(r["build_s"], r.get("naive_build_s")),
                    naive_q,
                    q_ratio,
                    r.get("naive_cluster_s", "—"),
                    _ratio(r["cluster_s"], r.get("naive_cluster_s")),
                    r.get("same_groups", "—"),
                ]
            )
        )
    for k, v in extra.items():
        print(f"{k}: {json.dumps(v, ensure_ascii=False)}")


def _workspace_for(folder: Path, ws_dir: Path) -> Path:
    """A workspace holding the corpus's documents, built once (the app's first load then reads the cache)."""
    from tracegraph.graph.curation.workspace import Workspace

    if not (ws_dir / "build" / "linked.json").exists():
        ws = Workspace(ws_dir)
        for f in sorted(folder.glob("*.txt")):
            ws.import_file(f)
        ws.build()
        ws.close()
    return ws_dir


def optional_measurements(workdir: Path) -> dict[str, Any]:
    """App first render (headless Chromium) and Neo4j push rate, when the browser and Java are present."""
    out: dict[str, Any] = {}
    from tools.bench.app_render import first_render_seconds

    for n in (1, 1000):
        folder = workdir / f"n{n}"
        make_corpus(folder, n)
        try:
            ws = _workspace_for(folder, workdir / f"ws{n}")
            out[f"app_first_render_s_{n}_docs"] = round(first_render_seconds(ws), 2)
        except Exception as exc:  # the browser may be missing on this machine
            out[f"app_first_render_s_{n}_docs"] = f"skipped: {type(exc).__name__}: {exc}"
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from neo4j_server import neo4j_unavailable_reason, start_neo4j  # type: ignore[import-not-found]

        from tools.bench.neo4j_push import push_rate
        from tracegraph.graph.build.pipeline import build_corpus, iter_input_files

        reason = neo4j_unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        g, _ = build_corpus(iter_input_files([workdir / "n1000"], [".txt"]))
        server = start_neo4j()
        try:
            out["neo4j_push_1000_docs"] = push_rate(g, server.uri, server.user, server.password)
        finally:
            server.stop()
    except Exception as exc:
        out["neo4j_push_1000_docs"] = f"skipped: {type(exc).__name__}: {exc}"
    return out


# the harness's memory for a store of n documents (README "Neo4j settings for a large archive"): about 0.18 MB of
# store per document in the page cache, a heap for two sessions' 5,000-row batches
def harness_settings(n: int) -> dict[str, str]:
    cache_mb = max(96, min(int(n * 0.2), 6144))  # past 30,000 documents: 6 GB, beside an 8 GB heap on 24 GB
    heap = "-Xms512m -Xmx512m" if n <= 1000 else "-Xms2g -Xmx2g" if n <= 10_000 else "-Xms8g -Xmx8g"
    return {"NEO4J_HARNESS_PAGECACHE_MB": str(cache_mb), "NEO4J_HARNESS_JAVA_OPTS": heap}


IN_MEMORY_MAX = 10_000  # larger corpora are not built into one graph (tens of GB): only the streamed load runs


def neo4j_size(n: int, workdir: Path) -> dict[str, Any]:
    """Issue 15's figures for one size. Up to IN_MEMORY_MAX documents: the in-memory build (MB/s, peak RSS) and,
    each into a fresh harness server, today's push, the bulk load and an incremental push
    (tools.bench.neo4j_push --compare). Every size: the streamed load (`tracegraph neo4j load`) into a fresh
    server, then each app view's latency from that store beside the way it was answered before
    (tools.bench.neo4j_stream)."""
    env = dict(os.environ, **harness_settings(n))
    res: dict[str, Any] = {"docs": n}
    if n <= IN_MEMORY_MAX:
        graph_file = workdir / f"n{n}.graph.json"
        res = run_size(n, workdir, 0, 0, graph_file)
        if "error" in res:
            return res
        cmd = [sys.executable, "-m", "tools.bench.neo4j_push", str(graph_file), "--harness", "--compare",
               "--no-views", "--json", str(workdir / f"n{n}.neo4j.json")]
        if n > 1000:  # one bulk load (two sessions): at this size each stage takes minutes
            cmd += ["--bulk-workers", "2"]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        res["neo4j"] = (json.loads((workdir / f"n{n}.neo4j.json").read_text(encoding="utf-8"))
                        if proc.returncode == 0 else {"error": (proc.stderr.strip() or "failed")[-800:]})
        graph_file.unlink(missing_ok=True)
    else:
        t = time.perf_counter()
        make_corpus(workdir / f"n{n}", n)
        res["generate_s"] = round(time.perf_counter() - t, 1)
    out_file = workdir / f"n{n}.stream.json"
    proc = subprocess.run([sys.executable, "-m", "tools.bench.neo4j_stream", str(workdir / f"n{n}"), "--harness",
                           "--json", str(out_file)], capture_output=True, text=True, cwd=ROOT, env=env)
    res["stream"] = (json.loads(out_file.read_text(encoding="utf-8")) if proc.returncode == 0
                     else {"error": (proc.stderr.strip() or "failed")[-800:]})
    return res


def print_neo4j_table(rows: list[dict[str, Any]]) -> None:
    """Build and load figures per size, then per view: now, and before (where the run measured it)."""
    hdr = ["docs", "MB", "build MB/s", "peak RSS MB", "push rows/s (today)", "bulk rows/s", "bulk ×",
           "incremental 10 docs s", "streamed load MB/s", "streamed rows/s", "loader RSS MB", "worker RSS MB",
           "store MB", "views process RSS MB"]
    print(" | ".join(hdr))
    print(" | ".join("---" for _ in hdr))
    for r in rows:
        neo, st = r.get("neo4j") or {}, r.get("stream") or {}
        for err in (r.get("error"), neo.get("error"), st.get("error")):
            if err:
                print(f"{r['docs']} | error: {err}")
        bulk = neo.get("bulk_2") or neo.get("bulk_1") or {}
        push = neo.get("push") or {}
        views = st.get("views") or {}
        print(" | ".join(str(x) for x in [
            r["docs"], r.get("mb", st.get("mb", "—")), r.get("build_mb_s", "—"), r.get("peak_rss_mb", "—"),
            push.get("rows_per_second", "—"), bulk.get("rows_per_second", "—"),
            _ratio(push.get("rows_per_second"), bulk.get("rows_per_second")),
            (neo.get("incremental") or {}).get("seconds", "—"), st.get("mb_per_second", "—"),
            st.get("rows_per_second", "—"), st.get("loader peak RSS MB", "—"),
            st.get("largest worker peak RSS MB", "—"),
            round(sum((st.get("disk_mb") or {}).values())), views.get("views process peak RSS MB", "—")]))
    names = [k for r in rows for k, v in ((r.get("stream") or {}).get("views") or {}).items() if isinstance(v, dict)]
    print()
    print(" | ".join(["view (median / slowest ms, records)", *(str(r["docs"]) for r in rows)]))
    print(" | ".join("---" for _ in range(len(rows) + 1)))
    for name in dict.fromkeys(names):
        cells = []
        for r in rows:
            v = ((r.get("stream") or {}).get("views") or {}).get(name)
            cells.append(f"{v['median_ms']} / {v['max_ms']} ({v['records']})" if v else "—")
        print(" | ".join([name, *cells]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--json", help="also write all figures to this file")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "tracegraph-bench"))
    ap.add_argument("--baseline-max", type=int, default=1000, help="largest size with a sequential-build baseline")
    ap.add_argument("--cluster-baseline-max", type=int, default=1000, help="largest size with all-pairs grouping")
    ap.add_argument("--skip-optional", action="store_true", help="skip the app render and Neo4j measurements")
    ap.add_argument("--neo4j", action="store_true",
                    help="issue 15: per size, build MB/s and peak RSS, then push, bulk and incremental load rows/s "
                         "and each view's latency from Neo4j (the test harness's server, started per stage)")
    args = ap.parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if args.neo4j:
        rows = [neo4j_size(n, workdir) for n in sizes]
        print_neo4j_table(rows)
        if args.json:
            Path(args.json).write_text(json.dumps({"sizes": rows}, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0
    extra: dict[str, Any] = {"link_one_document": link_benchmark()}
    rows = [run_size(n, workdir, args.baseline_max, args.cluster_baseline_max) for n in sizes]
    if not args.skip_optional:
        extra.update(optional_measurements(workdir))
    print_table(rows, extra)
    if args.json:
        Path(args.json).write_text(json.dumps({"sizes": rows, **extra}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
