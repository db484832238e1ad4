"""graph.query.queries.search on the archive file, reading only where its FTS5 indexes point.

The same definition, step by step (see queries.search): (1) every node whose span holds the words, scored
2 + len(words)/len(title) when its title holds them, else 1.5 − 0.0001 × span length, best first and ties by id —
across documents the titles the title index names come first (a title hit outranks every other hit, so `limit` × 3
of them are the answer), then the documents the text index names; (2) nodes without a document (policy
references, speakers) on their title, aliases and text; (3) only when fewer than `limit` answers: the share of the
words' character pairs in each title and, when titles give too few, in each span × 0.8, at least one half — read
where the indexes name texts holding half of the pairs (graph.stores.text_index.share_query).

Every index query names a superset of the texts the scan would find and each candidate is checked exactly, so the
answers are the embedded store's (tests/test_archive.py); a query without two Chinese characters in a row
(`PPT`, `12次`) reads every document's text.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx

from tracegraph.graph.query.queries import _SEARCH_TYPES, _han_bigrams, result_rows, shared_score
from tracegraph.graph.stores.text_index import HAN_RUN, pair_tokens, share_query

Fetch = Callable[[list[str]], nx.MultiDiGraph]
Row = tuple[str, str, int, int, int | None, int | None, str | None]  # id, type, start, end, title span, title
_NODE = ("SELECT n.id, n.type, n.start, n.end, n.title_start, n.title_end, n.span_title FROM nodes n ")
_SPANS = " AND n.start IS NOT NULL AND n.type <> 'Document'"
# JSON escapes these, so a word holding one is not found verbatim in a node's stored attributes
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def _all_pairs(q: str) -> str | None:
    """An FTS5 query every text holding `q` matches: all its character pairs (None: `q` has none)."""
    pairs = sorted(set(pair_tokens(q)))
    return " AND ".join(f'"{p}"' for p in pairs) if pairs else None


def _title_rows(con: sqlite3.Connection, fts: str) -> list[Row]:
    return con.execute(_NODE + "JOIN title_grams t ON t.rowid = n.rowid WHERE title_grams MATCH ?" + _SPANS,
                       (fts,)).fetchall()


def _documents(con: sqlite3.Connection, doc: str | None, fts: str | None) -> Iterator[tuple[str, str]]:
    """(id, text) of the document `doc`, else of those the text index names for `fts`, else of every one."""
    if doc is not None:
        yield from con.execute("SELECT id, text FROM documents WHERE id = ?", (doc,))
    elif fts is not None:
        yield from con.execute("SELECT d.id, d.text FROM documents d JOIN text_grams t ON t.rowid = d.rowid "
                               "WHERE text_grams MATCH ?", (fts,))
    else:
        yield from con.execute("SELECT id, text FROM documents")


def _nodes_of(con: sqlite3.Connection, doc: str) -> list[Row]:
    return con.execute(_NODE + "WHERE n.doc = ?" + _SPANS, (doc,)).fetchall()


def _exact(q: str, text: str, row: Row) -> float | None:
    _, _, s, e, ts, te, _ = row
    if q not in text[s:e]:
        return None
    if ts is None or te is None:
        ts = te = s
    if q in text[ts:te]:
        return 2.0 + len(q) / max(te - ts, 1)
    return 1.5 - 0.0001 * (e - s)


def _best(rows: dict[str, float], take: int) -> dict[str, float]:
    return dict(heapq.nsmallest(take, rows.items(), key=lambda x: (-x[1], x[0])))


def _share(grams: list[str], text: str) -> int:
    return sum(1 for b in grams if b in text)


def search(con: sqlite3.Connection, fetch: Fetch, query: str, types: tuple[str, ...] | None = None,
           doc: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """graph.query.queries.search(g, …) of the archived graph `g` (with the decisions `fetch` applies), without
    reading it: see the module docstring."""
    q = re.sub(r"\s+", "", query)
    if not q:
        return []
    types = types or _SEARCH_TYPES
    grams = sorted(_han_bigrams(q))
    take = limit * 3
    fts = _all_pairs(q) if HAN_RUN.search(q) else None
    scored: dict[str, float] = {}
    if doc is None and fts is not None:
        titled = {r[0]: 2.0 + len(q) / max((r[5] or 0) - (r[4] or 0), 1) for r in _title_rows(con, fts)
                  if r[1] in types and r[4] is not None and q in (r[6] or "")}
        scored = _best(titled, take)
    if len(scored) < take:
        found: dict[str, float] = {}
        for doc_id, text in _documents(con, doc, fts):
            if q not in text:
                continue
            for row in _nodes_of(con, doc_id):
                if row[1] in types and (s := _exact(q, text, row)) is not None:
                    found[row[0]] = s
        scored = _best(found, take)
    shared = _shared_candidates(con, [q, *grams], types)
    g = fetch(sorted(set(scored) | set(shared)))
    for n in shared:
        s = shared_score(g.nodes[n], q, types) if n in g else None
        if s is not None and s > scored.get(n, -1.0):
            scored[n] = s
    if len(scored) < limit and len(grams) >= 2:
        for n, f in _fuzzy(con, grams, types, doc, scored, limit).items():
            scored[n] = f
        for n in shared:
            if n not in scored and n in g:
                s = shared_score(g.nodes[n], q, types, set(grams))
                if s is not None:
                    scored[n] = s
        g = fetch(sorted(scored))
    return result_rows(g, {n: s for n, s in scored.items() if n in g}, q, limit)


def _shared_candidates(con: sqlite3.Connection, words: list[str], types: tuple[str, ...]) -> list[str]:
    """Nodes without a document that may hold one of `words` (their stored attributes do; every one of the types
    when a word is one JSON escapes)."""
    marks = ",".join("?" * len(types))
    rows = con.execute(f"SELECT id, attrs FROM nodes WHERE doc IS NULL AND type IN ({marks})", types).fetchall()
    if any(_JSON_ESCAPED.search(w) for w in words):
        return [r[0] for r in rows]
    return [nid for nid, raw in rows if any(w in raw for w in words)]


def _fuzzy(con: sqlite3.Connection, grams: list[str], types: tuple[str, ...], doc: str | None,
           scored: dict[str, float], limit: int) -> dict[str, float]:
    """Step (3): the nodes (not yet scored) sharing at least half of the pairs, best `limit` × 3."""
    n = len(grams)
    share = share_query(grams)
    if doc is not None:
        rows = _nodes_of(con, doc)
    else:
        rows = _title_rows(con, share)
    title_share = {r[0]: _share(grams, r[6] or "") / n for r in rows}  # "" without a title span
    fuzzy = {k: v for k, v in title_share.items() if v >= 0.5}
    kind = {r[0]: r[1] for r in rows}
    if len(fuzzy) < limit:  # too few titles: every span too, where the text index points
        fuzzy = {}
        for doc_id, text in _documents(con, doc, share):
            for row in _nodes_of(con, doc_id):
                nid = row[0]
                kind[nid] = row[1]
                ts = _share(grams, row[6] or "") / n
                f = max(ts, 0.8 * _share(grams, text[row[2] : row[3]]) / n)
                if f >= 0.5:
                    fuzzy[nid] = f
    wanted = {k: v for k, v in fuzzy.items() if k not in scored and kind[k] in types}
    return {k: round(v, 3) for k, v in _best(wanted, limit * 3).items()}
