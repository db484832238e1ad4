"""A long single document costs in proportion to its length (issue 17): the sample pasted into one file until it
holds 1 MB and 3 MB is built (read + link) in its own process; 3 MB takes less than 4× the CPU time of 1 MB and
stays under 600 MB. The reader cuts the file into its parts (the top-level numbering starts again) and the linker
links part by part. CPU time, not wall time: other processes on a shared machine stretch wall time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "000_ddb002e987b04e7f.txt"

_RUN = r"""
import json, sys, time
from pathlib import Path
from tracegraph.graph.build.pipeline import build
t = time.process_time()
g, report = build([sys.argv[1]], workers=1)
# VmHWM, not ru_maxrss: ru_maxrss survives exec, so it would report the (large) pytest process that started us
hwm = next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM:"))
print(json.dumps({"cpu": time.process_time() - t, "rss_mb": hwm / 1024,
                  "failed": report.failed, "nodes": g.number_of_nodes(),
                  "links": sum(1 for *_e, d in g.edges(data=True) if d.get("type") == "ADDRESSES")}))
"""


def _build(tmp_path: Path, mb: int) -> dict:
    text = SAMPLE.read_text(encoding="utf-8")
    copies = int(mb * 1_000_000 / len(text.encode("utf-8"))) + 1
    f = tmp_path / f"pasted-{mb}mb.txt"
    f.write_text(text * copies, encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", _RUN, str(f)], capture_output=True, text=True, check=True, timeout=600)
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "copies": copies}


def test_three_megabytes_cost_less_than_four_times_one(tmp_path: Path) -> None:
    one, three = _build(tmp_path, 1), _build(tmp_path, 3)
    assert not one["failed"] and not three["failed"]
    # every copy is read and linked on its own, never across copies: as many links per copy at either size
    assert abs(one["links"] / one["copies"] - three["links"] / three["copies"]) < 0.5
    assert three["cpu"] < 4 * one["cpu"], (one, three)
    assert three["rss_mb"] < 600, three
