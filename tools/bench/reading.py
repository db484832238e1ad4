"""`python -m tools.bench.reading [--baseline REV] [--repeat N]`: reading throughput (load + parse, CPU time) in
MB/s on the sample and the real documents, and the CPU time of a whole build (read + link, one process) of a
100-document synthetic corpus — this checkout beside an older revision measured in the same run.

The baseline revision is checked out with `git worktree` into a temporary folder and measured in its own
process, so both figures come from the same machine at the same time (the ratio is what to read)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = [
    ROOT / "data" / "000_ddb002e987b04e7f.txt",
    *sorted((ROOT / "tests" / "data" / "real").glob("*.txt")),
    *sorted((ROOT / "tests" / "data" / "real_more").glob("*.txt")),
]

_MEASURE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
try:  # a tree from before the tracegraph namespace has loaders/ at its top; never fall through to this checkout
    from loaders import load_file, parse
    assert sys.modules["loaders"].__file__.startswith(sys.argv[1])
except ImportError:
    from tracegraph.loaders import load_file, parse
paths, repeat = json.loads(sys.argv[2]), int(sys.argv[3])
out = {}
for p in paths:
    size = len(open(p, "rb").read())
    best = None
    for _ in range(repeat):
        t = time.process_time()
        parse(load_file(p))
        dt = time.process_time() - t
        best = dt if best is None else min(best, dt)
    out[p] = {"bytes": size, "cpu_s": best}
if len(sys.argv) > 4:  # a whole build of a folder, in this process (CPU time)
    try:
        from graph.build import build
        assert sys.modules["graph.build"].__file__.startswith(sys.argv[1])
    except ImportError:
        from tracegraph.graph.build.pipeline import build
    t = time.process_time()
    build([sys.argv[4]], workers=0)  # in this process (0 reads in-process in both trees), so CPU time counts it
    out["__build__"] = {"bytes": 0, "cpu_s": time.process_time() - t}
print(json.dumps(out))
"""


def measure(tree: Path | None, repeat: int, corpus: Path) -> dict[str, dict[str, float]]:
    """Best-of-`repeat` CPU seconds per document and one build of `corpus`; `tree` None means this checkout."""
    path = str(tree) if tree else str(ROOT.parent / "__none__")
    res = subprocess.run(
        [sys.executable, "-c", _MEASURE, path, json.dumps([str(p) for p in DOCS]), str(repeat), str(corpus)],
        capture_output=True, text=True, check=True, cwd=tempfile.gettempdir(),
    )
    return json.loads(res.stdout)


def _best(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {k: a[k] if a[k]["cpu_s"] <= b[k]["cpu_s"] else b[k] for k in a}


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.reading", description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="7501a00", help="git revision to compare against (default: before #12)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from tools.bench.synth import make_corpus

        corpus = Path(tmp) / "corpus"
        make_corpus(corpus, 100)
        now = measure(None, args.repeat, corpus)
        wt = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(wt), args.baseline], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            old = measure(wt, args.repeat, corpus)
            # interleaved (new, old, new, old): a shared machine's load shifts over a run; keep each one's best
            now = _best(now, measure(None, args.repeat, corpus))
            old = _best(old, measure(wt, args.repeat, corpus))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(wt)], cwd=ROOT, capture_output=True)
    print(f"{'document':44} {'KB':>7} {'now MB/s':>9} {args.baseline + ' MB/s':>14} {'ratio':>6}")
    tb = tn = to = 0.0
    build_now, build_old = now.pop("__build__"), old.pop("__build__")
    for p in now:
        b, n, o = now[p]["bytes"], now[p]["cpu_s"], old[p]["cpu_s"]
        tb, tn, to = tb + b, tn + n, to + o
        print(f"{Path(p).name[:44]:44} {b / 1024:7.1f} {b / 1e6 / n:9.2f} {b / 1e6 / o:14.2f} {o / n:6.2f}")
    print(f"{'all':44} {tb / 1024:7.1f} {tb / 1e6 / tn:9.2f} {tb / 1e6 / to:14.2f} {to / tn:6.2f}")
    b_now, b_old = build_now["cpu_s"], build_old["cpu_s"]
    print(f"{'build of 100 synthetic documents (CPU s)':44} {'':7} {b_now:9.2f} {b_old:14.2f} {b_old / b_now:6.2f}")
    print("(ratio = baseline CPU time / current CPU time; ≥ 1 means no slower than before)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
