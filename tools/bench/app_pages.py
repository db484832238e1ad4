"""Each page of the app on an archive file or a Neo4j store, in headless Chromium: how long the server takes to draw
it (the app's own TRACEGRAPH_TIMING log line for that run) the first time and again, and the app server's peak RSS
after every page.

    python -m tools.bench.app_pages ARCHIVE_FILE [--json FILE]
    NEO4J_PASSWORD=… python -m tools.bench.app_pages bolt://127.0.0.1:7687 [--json FILE]

The first visit of the first page reads the document catalogue; each page's first visit with a document reads that
document's part; the second visit is what an analyst moving between pages meets.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tools.bench.app_render import browser, running_app
from tools.bench.neo4j_push import emit
from tools.bench.neo4j_views import MIDDLE_PROBLEM

_TIMING = re.compile(r"\[timing\] (\w+) (\d+) ms")


def _vm_hwm_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return 0


def _middle_problem(source: str) -> tuple[str, str, int]:
    """(the middle document, or the next one holding a problem; its first problem; the number of documents)."""
    if source.startswith(("bolt://", "neo4j://")):
        from tracegraph.graph.stores.factory import open_store

        with open_store(source) as neo:
            n = neo.catalogue_version()[0]
            row = neo._run(MIDDLE_PROBLEM, k=n // 2)[0]  # type: ignore[attr-defined]
            return row["doc"], row["problem"], n
    from tracegraph.graph.stores.archive_store import ArchiveStore

    with ArchiveStore(source) as store:
        doc, problem = store.con.execute(
            "SELECT doc, id FROM nodes WHERE type = 'Problem' AND doc >= (SELECT id FROM documents ORDER BY id "
            "LIMIT 1 OFFSET (SELECT count(*) / 2 FROM documents)) ORDER BY doc, id LIMIT 1").fetchone()
        return doc, problem, store.catalogue_version()[0]


def pages(source: str) -> dict[str, Any]:
    from tracegraph.ui import state as vs

    doc, problem, documents = _middle_problem(source)
    neo4j = source.startswith(("bolt://", "neo4j://"))
    asked = [("overview", {}), ("overview", {"doc": doc}), ("trace", {"trace": problem}), ("matrix", {"doc": doc}),
             ("ask", {"doc": doc}), ("graph", {"doc": doc}), ("map", {"doc": doc}), ("curation", {"doc": doc}),
             ("review", {"doc": doc}), ("matrix", {})]
    out: dict[str, Any] = {"documents": documents, "doc": doc, "problem": problem, "pages": {}}
    os.environ["TRACEGRAPH_TIMING"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "app.log"
        info: dict[str, Any] = {}
        with running_app(Path(tmp) / "ws", log=log, extra=("--neo4j" if neo4j else "--archive", source), info=info,
                         timeout=180) as base, browser((1400, 1000)) as (_ctx, page, requests):
            out["server RSS MB at start"] = _vm_hwm_mb(info["pid"])
            for view, query in asked:
                name = f"{view} ({', '.join(f'{k}={v}' for k, v in query.items()) or 'no document'})"
                runs = []
                for _ in range(2):
                    seen = len(_TIMING.findall(log.read_text(encoding="utf-8")))
                    page.goto(f"{base}/{view}?{urlencode(query)}")
                    page.get_by_role("heading", name=vs.VIEW_LABELS_ZH[view], exact=True).first.wait_for(
                        timeout=120_000)
                    deadline = time.monotonic() + 120
                    while time.monotonic() < deadline:
                        found = _TIMING.findall(log.read_text(encoding="utf-8"))[seen:]
                        if any(v == view for v, _ in found):
                            runs.append(max(int(ms) for v, ms in found if v == view))
                            break
                        time.sleep(0.2)
                out["pages"][name] = {"first_ms": runs[0] if runs else None,
                                      "again_ms": runs[1] if len(runs) > 1 else None}
            out["server peak RSS MB"] = _vm_hwm_mb(info["pid"])
            out["requests leaving the machine"] = requests.remote()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.app_pages", description=__doc__.splitlines()[0])
    ap.add_argument("source", help="an archive file, or a Neo4j bolt:// URI (password in NEO4J_PASSWORD)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    source = args.source if args.source.startswith(("bolt://", "neo4j://")) else str(Path(args.source).resolve())
    res = pages(source)
    emit(res, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
