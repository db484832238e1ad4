"""Crash safety: a process writing curation decisions in a burst is SIGKILLed mid-burst (several times);
the store still opens cleanly and holds every write that was acknowledged, each with its audit row."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tracegraph.graph.curation.store import CurationStore

ROOT = Path(__file__).resolve().parents[1]

# Writes decisions forever; prints each decision id only after the call that committed it returned.
WORKER = r"""
import sys
from tracegraph.graph.build.pipeline import build
from tracegraph.graph.curation.store import CurationStore
from tracegraph.graph.model.schema import LINK_TYPES

db, limit, user, sample = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
g, _ = build([sample])
links = sorted((u, v, k) for u, v, k, d in g.edges(keys=True, data=True)
               if k in LINK_TYPES and d.get("origin") == "inferred")
store = CurationStore(db, user=user)
print("ready", flush=True)
for i in range(limit):
    u, v, k = links[i % len(links)]
    op = ("confirm", "reject", "add")[i % 3]
    did = getattr(store, op)(g, u, v, k, f"{user}-{i}")
    print(did, flush=True)
"""


def _start(db: Path, limit: int, user: str, sample: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(db), str(limit), user, str(sample)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_burst_loses_no_acknowledged_write(tmp_path: Path, sample_path: Path) -> None:
    db = tmp_path / "curation.sqlite"
    acked: list[int] = []
    rng = random.Random(20240501)
    for round_no, kill_after in enumerate((40, 173, 311)):
        proc = _start(db, 1_000_000, f"crash{round_no}", sample_path)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        got: list[int] = []
        while len(got) < kill_after:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "worker stopped"
            got.append(int(line))
        time.sleep(rng.uniform(0, 0.02))  # land anywhere in the next write: mid-transaction, mid-commit
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL  # killed while still writing
        got += [int(x) for x in proc.stdout.read().split()]  # printed before the kill: acknowledged too
        proc.stdout.close()
        proc.stderr.close()  # type: ignore[union-attr]
        acked += got

        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {r[0] for r in con.execute("SELECT id FROM decisions")}
        audited = {r[0] for r in con.execute("SELECT decision_id FROM audit")}
        missing = set(acked) - ids
        assert not missing, f"round {round_no}: acknowledged writes lost: {sorted(missing)[:10]}"
        assert ids == audited  # each decision committed with its audit row, never one without the other
        assert len(ids) - len(acked) <= round_no + 1  # at most the one in flight per kill was unacknowledged
        assert len(got) >= kill_after
        con.close()
        print(f"\n[crash round {round_no}] acknowledged {len(got)} writes before SIGKILL; store has {len(ids)}")

    store = CurationStore(db, user="after")  # opens cleanly and keeps working
    assert {d.id for d in store.decisions()} >= set(acked)
    comments = {d.comment for d in store.decisions()}
    assert {"crash0-0", "crash1-172", "crash2-310"} <= comments
    store.undo(everyone=True)
    assert store.log()[-1]["op"] == "undo"
    store.close()
