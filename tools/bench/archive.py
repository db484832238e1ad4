"""The embedded path for an archive (issue 15, item 4): `tracegraph archive build` of a corpus folder, then each
app view's latency from the archive file in a process of its own; with `--baseline`, the in-memory build of the
same folder (today's embedded mode) in the same run, for the ratios.

    python -m tools.bench.archive CORPUS_DIR [--out FILE] [--baseline] [--json FILE]

Peak RSS is each process's own (VmHWM): the builder (batches, the writer), the largest reading worker, the process
answering the views (the app on an archive holds no more than this: the catalogue and the parts it opened), and the
in-memory build's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tools.bench.neo4j_push import emit
from tools.bench.neo4j_views import SEARCHES, own_peak_rss_mb, timed


def build_run(folder: Path, out: Path, workers: int | None) -> dict[str, Any]:
    from tracegraph.graph.stores.archive_build import build_archive

    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    rep = build_archive([folder], out, workers=workers)
    cores = workers or os.cpu_count() or 1
    return {
        "documents": rep.documents, "failed": len(rep.failed), "mb": round(rep.bytes_read / 1e6, 1),
        "seconds": round(rep.seconds, 1), "mb_per_second": round(rep.mb_per_second, 3),
        "mb_per_second_per_core": round(rep.mb_per_second / cores, 3), "cores": cores,
        "rows": rep.nodes + rep.edges, "write_seconds": round(rep.write_seconds, 1),
        "builder peak RSS MB": own_peak_rss_mb(),
        "largest worker peak RSS MB": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "archive MB": round(sum(Path(f"{out}{s}").stat().st_size for s in ("", "-wal") if Path(f"{out}{s}").exists())
                            / 1e6),
    }


def asked_of(store: Any, doc: str, problem: str) -> dict[str, Any]:
    """Every page's question, of any store (the archive's, or the embedded store's over the graph in memory)."""
    from tracegraph.graph.stores.base import CATALOGUE_FIELDS

    return {
        "document catalogue (sidebar)": lambda: store.documents(CATALOGUE_FIELDS),
        "corpus counts (总览)": store.counts,
        "document part (every page)": lambda: store.load_graph(doc),
        "document counts": lambda: store.counts(doc),
        "trace": lambda: store.trace(problem),
        "matrix": lambda: store.matrix(doc),
        "gaps": lambda: store.gaps(doc),
        "neighbours of a problem (explorer expand)": lambda: store.neighbours(problem),
        **{f"search across the corpus, {k} ({q})": (lambda q=q: store.search(q)) for k, q in SEARCHES.items()},
        "search in the document": lambda: store.search("理论学习", doc=doc),
    }


def views(path: Path, repeat: int = 5) -> dict[str, Any]:
    """Every page's question of the archive, timed (median and slowest ms, nodes/edges/documents read)."""
    from tracegraph.graph.stores.archive_store import ArchiveStore

    store = ArchiveStore(path)
    row = store.con.execute(
        "SELECT doc, id FROM nodes WHERE type = 'Problem' AND doc >= (SELECT id FROM documents ORDER BY id "
        "LIMIT 1 OFFSET (SELECT count(*) / 2 FROM documents)) ORDER BY doc, id LIMIT 1").fetchone()
    doc, problem = row
    out: dict[str, Any] = {"doc": doc, "problem": problem}
    for name, fn in asked_of(store, doc, problem).items():
        out[name] = timed(fn, store, repeat)
    out["views process peak RSS MB"] = own_peak_rss_mb()
    return out


class _Counted:
    rows_read = 0


def baseline_run(folder: Path, workers: int | None, doc: str | None, problem: str | None) -> dict[str, Any]:
    """Today's embedded mode: the whole corpus built into one graph in memory, then the same questions of it."""
    from tracegraph.graph.build.pipeline import build
    from tracegraph.graph.stores.embedded import EmbeddedStore

    t0 = time.perf_counter()
    g, rep = build([folder], workers=workers)
    seconds = time.perf_counter() - t0
    mb = g.graph["build"]["bytes"] / 1e6
    out: dict[str, Any] = {"seconds": round(seconds, 1), "mb_per_second": round(mb / seconds, 3),
                           "peak RSS MB after the build": own_peak_rss_mb(), "nodes": g.number_of_nodes(),
                           "edges": g.number_of_edges(), "failed": len(rep.failed)}
    if doc and problem:
        store = EmbeddedStore(g)
        for name, fn in asked_of(store, doc, problem).items():
            out[name] = {k: v for k, v in timed(fn, _Counted(), 5).items() if k != "records"}
    out["peak RSS MB"] = own_peak_rss_mb()
    return out


def _child(args: list[str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    try:
        proc = subprocess.run([sys.executable, "-m", "tools.bench.archive", *args, "--json", str(out)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            return {"error": (proc.stderr.strip() or "failed")[-800:]}
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.archive", description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--out", help="the archive file (default: beside the folder, <folder>.archive.sqlite)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--baseline", action="store_true", help="also the in-memory build, in a process of its own")
    ap.add_argument("--stage", choices=("all", "build", "views", "baseline"), default="all", help=argparse.SUPPRESS)
    ap.add_argument("--doc", help=argparse.SUPPRESS)
    ap.add_argument("--problem", help=argparse.SUPPRESS)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    folder = Path(args.folder)
    out = Path(args.out or f"{folder}.archive.sqlite")
    if args.stage == "build":
        res = build_run(folder, out, args.workers)
    elif args.stage == "views":
        res = views(out)
    elif args.stage == "baseline":
        res = baseline_run(folder, args.workers, args.doc, args.problem)
    else:  # each stage in a process of its own: each peak RSS belongs to that stage alone
        common = [str(folder), "--out", str(out), *(["--workers", str(args.workers)] if args.workers else [])]
        res = {"build": _child([*common, "--stage", "build"]), "views": _child([*common, "--stage", "views"])}
        if args.baseline:
            asked = res["views"] if "doc" in res["views"] else {}
            res["in-memory build (before)"] = _child([*common, "--stage", "baseline",
                                                      *(["--doc", asked["doc"], "--problem", asked["problem"]]
                                                        if asked else [])])
    emit(res, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
