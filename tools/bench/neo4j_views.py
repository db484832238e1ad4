"""What each app page asks of a shared Neo4j store, timed in a process of its own, so the process's peak RSS is what
serving those pages takes (the app on Neo4j holds no more than this: the document index and the parts it opened).

    NEO4J_PASSWORD=... python -m tools.bench.neo4j_views bolt://127.0.0.1:7687 --doc D --problem P

Prints one JSON object: per view the median and slowest of `--repeat` runs (ms) and the records received, plus
the same questions answered the way the store answered them before it stored each document's numbers and searched
through its full-text indexes ("before" rows: the aggregate over every node, the scan of every text).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

# the middle document ($k = half the documents), or the next one holding a problem (a README read as a document holds
# none), and its first problem: what the views are asked about
MIDDLE_PROBLEM = ("MATCH (d:TGDocumentMeta) WITH d ORDER BY d.id SKIP $k LIMIT 1 MATCH (p:Problem) WHERE p.doc >= d.id "
                  "RETURN p.doc AS doc, p.id AS problem ORDER BY p.doc, p.id LIMIT 1")
SEARCHES = {
    "a common word": "理论学习",
    "a rarer word": "软弱涣散",
    "no verbatim hit (fuzzy)": "干部监督管理不严格",
    "one character (no pair for the index)": "党",
    "a word in many items' texts, in no title": "高度重视",
    "a word only the documents' preambles hold (no item)": "征求意见",
    "Latin letters": "PPT",
    "digits and one character": "12次",
}
# the searches the previous releases could answer at 100,000 documents without reading most documents' texts, timed
# again the way they answered them ("(earlier)"); the others took minutes then (the scan of every text holding them)
EARLIER = ("a common word", "a rarer word", "no verbatim hit (fuzzy)")


def own_peak_rss_mb() -> int:
    """This process's peak RSS since it started (VmHWM). Not ru_maxrss: Linux carries that over an exec from the
    parent's size at the fork, so a child of a process holding a graph would report the parent's memory."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return 0


def timed(fn: Callable[[], Any], store: Any, repeat: int) -> dict[str, Any]:
    fn()  # the first call plans the queries
    times = []
    rows = store.rows_read
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t0))
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
            "records": (store.rows_read - rows) // repeat}


def without_keys(search: Callable[[str], Any], q: str) -> Any:
    """A search as on a store without title and span keys: every title the index names ranked, then every document
    holding the words read (the release before the title keys), no walk (the fuzzy step still goes level by level)."""
    from tracegraph.graph.stores import neo4j_search

    saved = neo4j_search.WALK_BUDGET, neo4j_search.TITLE_KEYS_READY, neo4j_search.SPAN_KEYS_READY
    neo4j_search.WALK_BUDGET = 0
    neo4j_search.TITLE_KEYS_READY = neo4j_search.SPAN_KEYS_READY = "RETURN false AS ready"
    try:
        return search(q)
    finally:
        neo4j_search.WALK_BUDGET, neo4j_search.TITLE_KEYS_READY, neo4j_search.SPAN_KEYS_READY = saved


def latencies(uri: str, user: str, password: str, doc: str, problem: str, repeat: int = 5,
              database: str = "neo4j", before: bool = True) -> dict[str, Any]:
    """Without `before`, only today's requests (past 10,000 documents the scans of every node or text take minutes
    each)."""
    from tracegraph.graph.curation.store import CurationStore
    from tracegraph.graph.query.summary import ADDITIVE
    from tracegraph.graph.stores.base import CATALOGUE_FIELDS
    from tracegraph.graph.stores.neo4j_curation import Neo4jDecisionLog
    from tracegraph.graph.stores.neo4j_io import connect
    from tracegraph.graph.stores.neo4j_store import Neo4jStore
    from tracegraph.graph.stores.neo4j_summary import document_counts

    driver = connect(uri, user, password)
    try:
        store = Neo4jStore(driver, database, curation=CurationStore(Neo4jDecisionLog(driver, database), user="bench"))
        scanning = Neo4jStore(driver, database, curation=store.curation)
        scanning._indexed = lambda: False  # type: ignore[method-assign]
        ids = [d["id"] for d in store.documents()] if before else []

        def aggregated() -> dict[str, int]:
            per_doc = document_counts(store._run, ids)
            return {k: sum(c[k] for c in per_doc.values()) for k in ADDITIVE}

        asks: dict[str, Callable[[], Any]] = {
            "corpus counts (总览, no document)": store.counts,
            "corpus counts, aggregated over every node (before)": aggregated,
            "document index (sidebar, 总览's list): each document's stored entry": store.catalogue,
            "document index, its fields read whole (before)": lambda: store.documents(CATALOGUE_FIELDS),
            "one document's part (a page with a document)": lambda: store.load_graph(doc),
            "trace of a problem": lambda: store.trace(problem),
            "matrix of a document": lambda: store.matrix(doc),
            "gaps of a document": lambda: store.gaps(doc),
            "neighbours of a problem (explorer expand)": lambda: store.neighbours(problem),
            "search in one document": lambda: store.search(SEARCHES["a common word"], doc=doc),
        }
        for what, q in SEARCHES.items():
            asks[f"search across the store, {what}: {q}"] = lambda q=q: store.search(q)
            asks[f"search across the store, {what}: {q}, scanning every text (before)"] = (
                lambda q=q: scanning.search(q))
            if what in EARLIER:
                asks[f"search across the store, {what}: {q}, without title and span keys (earlier)"] = (
                    lambda q=q: without_keys(store.search, q))
        if not before:  # "(earlier)": the way of the previous release, cheap enough at any size
            asks = {k: v for k, v in asks.items() if "(before)" not in k}
        out: dict[str, Any] = {"documents": len(ids) if before else store.catalogue_version()[0]}
        for name, fn in asks.items():
            which = scanning if "scanning" in name else store
            out[name] = timed(fn, which, repeat)
        out["views process peak RSS MB"] = own_peak_rss_mb()
        return out
    finally:
        driver.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.neo4j_views", description=__doc__.splitlines()[0])
    ap.add_argument("uri")
    ap.add_argument("--doc", required=True)
    ap.add_argument("--problem", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--user", default=os.environ.get("NEO4J_USER") or "neo4j")
    ap.add_argument("--no-before", dest="before", action="store_false", help="only today's requests")
    args = ap.parse_args(argv)
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        print("set NEO4J_PASSWORD", file=sys.stderr)
        return 2
    print(json.dumps(latencies(args.uri, args.user, password, args.doc, args.problem, args.repeat,
                               before=args.before), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
