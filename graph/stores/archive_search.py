"""graph.query.queries.search on the archive file, reading only where its FTS5 indexes point.

The same definition, step by step (see queries.search): (1) every node whose span holds the words, scored
2 + len(words)/len(title) when its title holds them, else 1.5 − 0.0001 × span length, best first and ties by id —
across documents the titles the title index names come first (a title hit outranks every other hit, so `limit` × 3
of them are the answer), then the spans the span index names, shortest first, until enough hold the words; (2) nodes
without a document (policy references, speakers) on their title, aliases and text; (3) only when fewer than `limit`
answers: the share of the words' character pairs in each title and, when titles give too few, in each span × 0.8, at
least one half — the titles where the title index names those holding half of the pairs
(graph.stores.text_index.share_query), the spans level by level (all the pairs, all but one, …) until a level gives
enough.

Every index query names a superset of the texts the scan would find and each candidate is checked exactly, so the
answers are the embedded store's (tests/test_archive.py). An archive made before the span index existed reads the
documents the text index names instead; a query without two Chinese characters in a row (`PPT`, `12次`) reads every
document's text.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx

from tracegraph.graph.query.queries import _SEARCH_TYPES, _han_bigrams, result_rows, shared_score
from tracegraph.graph.stores.archive_db import has_span_index
from tracegraph.graph.stores.text_index import HAN_RUN, pair_tokens, share_query

Fetch = Callable[[list[str]], nx.MultiDiGraph]
Row = tuple[str, str, int, int, int | None, int | None, str | None]  # id, type, start, end, title span, title
_NODE = ("SELECT n.id, n.type, n.start, n.end, n.title_start, n.title_end, n.span_title FROM nodes n ")
_SPANS = " AND n.start IS NOT NULL AND n.type <> 'Document'"
# the nodes the span index names for a query (id, type, document, span)
_SPAN_ROWS = ("SELECT n.id, n.type, n.doc, n.start, n.end FROM nodes n JOIN span_grams s ON s.rowid = n.rowid "
              "WHERE span_grams MATCH ?" + _SPANS)
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
    titled: dict[str, float] = {}
    if doc is None and fts is not None:
        titled = {r[0]: 2.0 + len(q) / max((r[5] or 0) - (r[4] or 0), 1) for r in _title_rows(con, fts)
                  if r[1] in types and r[4] is not None and q in (r[6] or "")}
        scored = _best(titled, take)
    spans = doc is None and fts is not None and has_span_index(con)
    if len(scored) < take and spans:  # every title hit is known: the rest are the shortest spans holding the words
        found = _span_hits(con, q, types, fts or "", take)
        found.update(titled)  # a title hit's score outranks its span's
        scored = _best(found, take)
    elif len(scored) < take:
        found = {}
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


def _span_hits(con: sqlite3.Connection, q: str, types: tuple[str, ...], fts: str, take: int) -> dict[str, float]:
    """The `take` shortest spans holding `q` (ties by id), scored as a hit outside the title: the nodes the span index
    names, shortest first, each checked against its document's text until enough hold the words."""
    found: dict[str, float] = {}
    texts = _Texts(con)
    holds: dict[str, bool] = {}  # whether a document's text holds the words at all: most candidates' do not, often
    for nid, ntype, doc, start, end in con.execute(
            _SPAN_ROWS + " ORDER BY n.end - n.start, n.id", (fts,)):
        if ntype not in types:
            continue
        if doc not in holds:
            holds[doc] = q in texts.get(doc)
        if holds[doc] and q in texts.get(doc)[start:end]:
            found[nid] = 1.5 - 0.0001 * (end - start)
            if len(found) >= take:
                break
    return found


class _Texts:
    """Documents' texts read once each while they are asked for (the last few kept)."""

    def __init__(self, con: sqlite3.Connection, keep: int = 64) -> None:
        self.con, self.keep = con, keep
        self.held: dict[str, str] = {}

    def get(self, doc: str) -> str:
        if doc not in self.held:
            if len(self.held) >= self.keep:
                self.held.pop(next(iter(self.held)))
            row = self.con.execute("SELECT text FROM documents WHERE id = ?", (doc,)).fetchone()
            self.held[doc] = row[0] if row else ""
        return self.held[doc]


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
    if len(fuzzy) < limit and doc is None and has_span_index(con):  # too few titles: the spans too, level by level
        fuzzy.update(_fuzzy_spans(con, grams, types, scored, limit * 3, fuzzy, kind))
    elif len(fuzzy) < limit:  # too few titles: every span too, where the text index points
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


def _fuzzy_spans(con: sqlite3.Connection, grams: list[str], types: tuple[str, ...], scored: dict[str, float],
                 take: int, titles: dict[str, float], kind: dict[str, str]) -> dict[str, float]:
    """Each span at 0.8 × its share of the pairs (or its title's share, when more): the spans holding all the pairs,
    then all but one, … down to the share that still scores a half; a level gives the first `take` by id (of the
    types asked for, not yet scored) among the spans holding that many, and when it gives that many, they and the
    better levels' (all known, fewer) settle the answer — every title holding half is known already (`titles`)."""
    n = len(grams)
    texts = _Texts(con)
    found: dict[str, float] = {}
    for need in (k for k in range(n, 0, -1) if 0.8 * k / n >= 0.5):
        got = 0
        for nid, ntype, doc, start, end in con.execute(
                _SPAN_ROWS + " ORDER BY n.id", (share_query(grams, need=need),)):
            if ntype not in types or nid in scored:
                continue
            k = _share(grams, texts.get(doc)[start:end])
            if k >= need:
                kind[nid] = ntype
                found[nid] = max(titles.get(nid, 0.0), found.get(nid, 0.0), 0.8 * k / n)
                got += 1
                if got >= take:
                    return found
    return found
