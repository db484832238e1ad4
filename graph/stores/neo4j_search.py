"""graph.query.queries.search on the shared store, ranked by the server: only the answer's nodes travel.

The same definition, step by step: (1) every node whose span of its document's text holds the words, scored
2 + len(words)/len(title) when its title holds them, else 1.5 − 0.0001 × span length, best first and ties by id;
(2) nodes without a document (policy references, speakers) scored on their title, aliases and text in Python
(graph.query.queries.shared_score); (3) only when fewer than `limit` answers: the share of the words' character
bigrams in each title (and, when titles give too few, in each span × 0.8), at least one half. Spans are taken
from the document's text on the server with `substring`, which counts UTF-16 units: identical to Python's
offsets for text in the Basic Multilingual Plane (all common Chinese), off by one after a character beyond it.

Across documents the steps look only where the indexes point, and stop as soon as the answer is known: title hits
first — they outrank every other hit, so `limit` × 3 of them are the answer. A title hit's score falls with its
title's length, so titles are read shortest first: a range index over each title's length and id (TITLE_KEY) is
walked from the shortest, at most WALK_BUDGET titles; when those hold too few, the walk starts where the titles
Lucene ranks best start (when the index names none shorter), and else a full-text index of titles with their
lengths (TITLE_LENGTH_INDEX) is asked for one range of lengths at a time, the shortest first, each range's
candidates sorted by their key and checked until enough hold the words. Then the documents that can hold the words;
then, for the fuzzy step, the titles holding all the character pairs, all but one, … down to half (or the
documents holding half). Each index query names a superset of what the scan would find, every candidate is checked
exactly, and a walk stops only where everything it skipped ranks lower — so the answers do not change; only their
cost stops growing with the store. A store written before the title keys existed is searched as before until
graph.stores.neo4j_io.ensure_schema has given every title its key (TITLE_KEYS_READY).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import networkx as nx

from tracegraph.graph.query.queries import _SEARCH_TYPES, _han_bigrams, result_rows, shared_score
from tracegraph.graph.stores.neo4j_layout import (
    CATALOGUE_LABEL,
    DOCUMENT_TEXT_INDEX,
    FULLTEXT_INDEX,
    META_LABEL,
    NODE_LABEL,
    SHARED_TYPES,
    TITLE_KEY,
    TITLE_KEY_WIDTH,
    TITLE_KEYS_COMPLETE,
    TITLE_LENGTH,
    TITLE_LENGTH_INDEX,
)
from tracegraph.graph.stores.text_index import HAN_RUN, share_query

__all__ = ["phrase_query", "search", "share_query"]

Run = Callable[..., list[dict[str, Any]]]
Fetch = Callable[[list[str]], nx.MultiDiGraph]

# one document at a time (a subquery per document): its text is read once and the rows of one document are all
# the server holds at a time; each document's best `take`, then the best `take` of those (the same as over all).
# Each query comes in three scopes: every document ("all"), the one whose id is $doc ("doc", an index seek), and
# the documents the full-text index names for the Lucene query $lq ("indexed": a superset of those holding the
# words, checked again exactly).
_MATCH = {
    "all": f"MATCH (d:{META_LABEL})",
    "doc": f"MATCH (d:{META_LABEL} {{id: $doc}})",
    "indexed": f"CALL db.index.fulltext.queryNodes('{DOCUMENT_TEXT_INDEX}', $lq) YIELD node AS d WITH d",
}
_PER_DOC = (
    "{match} WHERE true {where_doc} CALL {{ WITH d WITH d.id AS did, d.text AS t "
    f"MATCH (n:{NODE_LABEL} {{{{doc: did}}}}) WHERE n.start IS NOT NULL AND n.type <> 'Document' "
    "{body} }} {tail}"
)


def _scoped(where_doc: str, body: str, tail: str) -> dict[str, str]:
    """The query in each scope (see _MATCH)."""
    return {one: _PER_DOC.format(match=m, where_doc=where_doc, body=body, tail=tail) for one, m in _MATCH.items()}

SUBSTRING = _scoped("AND d.text CONTAINS $q", (
    "AND n.type IN $types AND substring(t, n.start, n.end - n.start) CONTAINS $q "
    "WITH n, CASE WHEN n.title_start IS NOT NULL "
    "AND substring(t, n.title_start, n.title_end - n.title_start) CONTAINS $q "
    "THEN 2.0 + toFloat($qlen) / CASE WHEN n.title_end - n.title_start > 1 THEN n.title_end - n.title_start ELSE 1 END "
    "ELSE 1.5 - 0.0001 * (n.end - n.start) END AS s "
    "RETURN n.id AS id, s ORDER BY s DESC, id LIMIT $take"
), "RETURN id, s ORDER BY s DESC, id LIMIT $take")
_TITLE_SHARE = (
    "WITH t, n, CASE WHEN n.title_start IS NULL THEN '' "
    "ELSE substring(t, n.title_start, n.title_end - n.title_start) END AS title "
    "WITH t, n, toFloat(size([b IN $grams WHERE title CONTAINS b])) / size($grams) AS ts "
)
TITLE_HITS = _scoped("", _TITLE_SHARE + "WHERE ts >= 0.5 RETURN count(n) AS k", "RETURN sum(k) AS k")
FUZZY = _scoped("", _TITLE_SHARE + (
    "WITH n, ts, CASE WHEN $texts THEN 0.8 * toFloat(size([b IN $grams WHERE "
    "substring(t, n.start, n.end - n.start) CONTAINS b])) / size($grams) ELSE 0.0 END AS xs "
    "WITH n, CASE WHEN xs > ts THEN xs ELSE ts END AS f "
    "WHERE f >= 0.5 AND n.type IN $types AND NOT n.id IN $scored "
    "RETURN n.id AS id, f ORDER BY f DESC, id LIMIT $take"
), "RETURN id, f ORDER BY f DESC, id LIMIT $take")
# the same steps for nodes whose title the node index names (a superset, checked again exactly). A node's title is
# the text of its title span (tests/test_neo4j_scale.py holds the build to that), except where an analyst's
# edit was pushed with the graph (`curated`): those few nodes are read by their span, as the scan reads them.
_CURATED_TITLES = (
    f"MATCH (n:{NODE_LABEL}) WHERE n.curated = true MATCH (d:{META_LABEL} {{id: n.doc}}) "
    "RETURN n, CASE WHEN n.title_start IS NULL THEN '' "
    "ELSE substring(d.text, n.title_start, n.title_end - n.title_start) END AS title "
)
_IN_DOCUMENT = "WITH n, title WHERE n.doc IS NOT NULL AND n.start IS NOT NULL AND n.type <> 'Document' "


def _titled(index: str) -> str:
    """The nodes the full-text `index` names for $lq, with the title to check them by, and every curated node."""
    return ("CALL { "
            f"CALL db.index.fulltext.queryNodes('{index}', $lq) YIELD node AS n "
            "WITH n WHERE n.curated IS NULL OR n.curated <> true "
            "RETURN n, CASE WHEN n.title_start IS NULL THEN '' ELSE n.title END AS title "
            f"UNION {_CURATED_TITLES}}} {_IN_DOCUMENT}")


_TITLED = _titled(FULLTEXT_INDEX)
_TITLE_HIT = (
    "AND n.type IN $types AND n.title_start IS NOT NULL AND title CONTAINS $q "
    "WITH n, 2.0 + toFloat($qlen) / CASE WHEN n.title_end - n.title_start > 1 "
    "THEN n.title_end - n.title_start ELSE 1 END AS s RETURN n.id AS id, s ORDER BY s DESC, id LIMIT $take"
)
TITLE_FIRST = _TITLED + _TITLE_HIT
# the title hits among the titles TITLE_LENGTH_INDEX names for $lq (the words, lengths in a range), shortest first and
# ties by id — the order of their scores — checked one by one until $take hold the words: the candidates are sorted
# by one property each, and only the best are read further. Curated nodes come from TITLE_CURATED.
TITLE_RANGE = (
    f"CALL db.index.fulltext.queryNodes('{TITLE_LENGTH_INDEX}', $lq) YIELD node AS n "
    f"WITH n ORDER BY n.{TITLE_KEY} "
    "WITH n WHERE (n.curated IS NULL OR n.curated <> true) AND n.doc IS NOT NULL AND n.start IS NOT NULL "
    "AND n.type <> 'Document' AND n.type IN $types AND n.title CONTAINS $q "
    "RETURN n.id AS id, n.title_end - n.title_start AS len LIMIT $take"
)
# whether the index names any title for $lq (the best one Lucene finds; a superset, so "none" is certain)
ANY_TITLE = (f"CALL db.index.fulltext.queryNodes('{TITLE_LENGTH_INDEX}', $lq, {{limit: 1}}) YIELD node "
             "RETURN node.id AS id")
# the lengths of the titles Lucene ranks best for $lq (its scores favour short titles): where to start looking
TOP_TITLES = (f"CALL db.index.fulltext.queryNodes('{TITLE_LENGTH_INDEX}', $lq, {{limit: 20}}) YIELD node "
              "RETURN node.title_end - node.title_start AS len")
LONGEST_TITLE = 10**TITLE_KEY_WIDTH - 1
TITLE_CURATED = f"CALL {{ {_CURATED_TITLES}}} {_IN_DOCUMENT}" + _TITLE_HIT
# the titles shortest first (TITLE_KEY: length, then id — the order of their scores, ties by id), at most $budget
# of them: when $take of them hold the words, those are the title hits' answer, found without reading the others.
# Nodes an analyst's edit was pushed with are read by their span (TITLE_CURATED) and merged.
TITLE_WALK = (
    f"MATCH (n:{NODE_LABEL}) WHERE n.{TITLE_KEY} >= $from WITH n ORDER BY n.{TITLE_KEY} LIMIT $budget "
    "WITH n WHERE (n.curated IS NULL OR n.curated <> true) AND n.doc IS NOT NULL AND n.start IS NOT NULL "
    "AND n.type <> 'Document' AND n.type IN $types AND n.title CONTAINS $q "
    f"RETURN n.id AS id, n.title_end - n.title_start AS len, n.{TITLE_KEY} AS key ORDER BY key LIMIT $take"
)
WALK_BUDGET = 20_000  # titles read at most: a word in one title of that many is cheaper to find by the index
LONG_WALK_BUDGET = 300_000  # for words the index cannot look up, before every document's text is read
TITLE_KEYS_READY = (f"MATCH (v:{CATALOGUE_LABEL} {{id: 'catalogue'}}) "
                    f"RETURN coalesce(v.{TITLE_KEYS_COMPLETE}, false) AS ready")
# the fuzzy step's titles holding at least $need of the bigrams (a superset from the index, checked exactly): the
# first $take by id that the answer may hold (their type asked for, not already scored), each with its share — the
# candidates are sorted by id and checked one by one until $take are found
_SHARE = "size([b IN $grams WHERE title CONTAINS b])"
FUZZY_TITLES_LEVEL = _TITLED + (
    f"WITH n, title ORDER BY n.id WITH n, {_SHARE} AS k WHERE k >= $need AND n.type IN $types "
    "AND NOT n.id IN $scored RETURN n.id AS id, toFloat(k) / size($grams) AS f LIMIT $take"
)
# the same from the nodes in id order, at most $budget of them read (uncurated; FUZZY_CURATED adds the curated ones)
FUZZY_WALK = (
    f"MATCH (n:{NODE_LABEL}) WHERE n.id >= '' WITH n ORDER BY n.id LIMIT $budget "
    "WITH n WHERE (n.curated IS NULL OR n.curated <> true) AND n.title_start IS NOT NULL AND n.doc IS NOT NULL "
    "AND n.start IS NOT NULL AND n.type <> 'Document' AND n.type IN $types AND NOT n.id IN $scored "
    "WITH n, size([b IN $grams WHERE n.title CONTAINS b]) AS k WHERE k >= $need "
    "RETURN n.id AS id, toFloat(k) / size($grams) AS f LIMIT $take"
)
FUZZY_CURATED = (f"CALL {{ {_CURATED_TITLES}}} {_IN_DOCUMENT}"
                 f"WITH n, {_SHARE} AS k WHERE k >= $need AND n.type IN $types AND NOT n.id IN $scored "
                 "RETURN n.id AS id, toFloat(k) / size($grams) AS f")
# how many titles hold at least half of the bigrams, whatever their type (fewer than the limit: the texts are asked)
FUZZY_TITLES_COUNT = _TITLED + f"WITH n, {_SHARE} AS k WHERE k >= $need RETURN count(n) AS k"


def phrase_query(q: str, field: str = "") -> str | None:
    """A Lucene query every text holding `q` matches: each run of two or more Chinese characters as a phrase
    (the CJK analyzer indexes overlapping character pairs, so a run inside a longer one still matches). None when
    `q` has no such run: then nothing narrows the scan."""
    runs = HAN_RUN.findall(q)
    prefix = f"{field}:" if field else ""
    return " AND ".join(f'{prefix}"{r}"' for r in runs) if runs else None


SHARED = (
    f"MATCH (n) WHERE ({' OR '.join(f'n:{t}' for t in SHARED_TYPES)}) AND n.doc IS NULL "
    "AND n.type IN $types AND any(w IN $words WHERE "
    "coalesce(n.title, '') CONTAINS w OR coalesce(n.text, '') CONTAINS w "
    "OR any(a IN coalesce(n.aliases, []) WHERE a CONTAINS w)) RETURN n.id AS id"
)


def search(run: Run, fetch: Fetch, query: str, types: tuple[str, ...] | None = None, doc: str | None = None,
           limit: int = 20, indexed: bool = False) -> list[dict[str, Any]]:
    """graph.query.queries.search(g, …) of the stored graph `g`, without reading it: see the module docstring.
    `indexed`: the store has its full-text indexes online, so a search across documents looks only where they
    point (the answer is the same; the work no longer grows with every document's text)."""
    q = re.sub(r"\s+", "", query)
    if not q:
        return []
    types = types or _SEARCH_TYPES
    grams = sorted(_han_bigrams(q))
    take = limit * 3
    lq = phrase_query(q) if indexed and doc is None else None
    scored: dict[str, float] = {}
    if indexed and doc is None:
        # titles first: title hits outrank every other hit, so when there are `take` of them they are the answer
        # (words without two Chinese characters in a row: only the walk of the shortest titles, no index to ask)
        scored = _title_first(run, q, list(types), take, by_index=lq is not None)
    if len(scored) < take:
        scope = "doc" if doc is not None else "indexed" if lq is not None else "all"
        scored = {r["id"]: float(r["s"]) for r in run(SUBSTRING[scope], q=q, qlen=len(q), types=list(types), doc=doc,
                                                      lq=lq, take=take)}
    # nodes without a document: every one that holds the words (or, for the fuzzy step, one of their bigrams)
    shared_ids = [r["id"] for r in run(SHARED, types=list(types), words=[q, *grams])]
    wanted = sorted(set(scored) | set(shared_ids))
    g = fetch(wanted)
    for n in shared_ids:
        s = shared_score(g.nodes[n], q, types) if n in g else None
        if s is not None and s > scored.get(n, -1.0):
            scored[n] = s
    if len(scored) < limit and len(grams) >= 2:
        if indexed and doc is None:
            fuzzy = _fuzzy_indexed(run, grams, types, scored, limit)
        else:
            scope = "doc" if doc is not None else "all"
            few = int(run(TITLE_HITS[scope], grams=grams, doc=doc)[0]["k"] or 0) < limit
            fuzzy = run(FUZZY[scope], grams=grams, doc=doc, texts=few, types=list(types), scored=sorted(scored),
                        take=take)
        for r in fuzzy:
            scored[r["id"]] = round(float(r["f"]), 3)
        for n in shared_ids:
            if n not in scored and n in g:
                s = shared_score(g.nodes[n], q, types, set(grams))
                if s is not None:
                    scored[n] = s
        g = fetch(sorted(scored))
    return result_rows(g, {n: s for n, s in scored.items() if n in g}, q, limit)


def _title_first(run: Run, q: str, types: list[str], take: int, by_index: bool = True) -> dict[str, float]:
    """The best `take` title hits across documents (TITLE_FIRST's answer). On a store where every title has its key
    and length: the first WALK_BUDGET titles, shortest first, when enough of them hold the words; else a range of
    lengths at a time (_title_ranges). On an older store: every title the index names, ranked. Without `by_index`
    (the words give the index nothing to look up): the walk's answer, or a longer walk's, when it holds `take`,
    else none."""
    ready = run(TITLE_KEYS_READY)[:1] == [{"ready": True}]
    if not ready:
        if not by_index:
            return {}
        return {r["id"]: float(r["s"]) for r in run(TITLE_FIRST, lq=phrase_query(q, "title"), q=q, qlen=len(q),
                                                    types=types, take=take)}
    hits = _walk(run, q, types, take, len(q))
    if len(hits) < take and not by_index:  # no index to ask: a longer walk, rather than every text
        hits = _walk(run, q, types, take, len(q), LONG_WALK_BUDGET)
        if len(hits) < take:
            return {}
    if len(hits) < take:
        hits = _title_ranges(run, q, types, take)
    scored = {r["id"]: 2.0 + len(q) / (r["len"] if r["len"] > 1 else 1) for r in hits}
    scored.update({r["id"]: float(r["s"]) for r in run(TITLE_CURATED, q=q, qlen=len(q), types=types, take=take)})
    return dict(sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:take])


def _walk(run: Run, q: str, types: list[str], take: int, shortest: int, budget: int | None = None
          ) -> list[dict[str, Any]]:
    """TITLE_WALK from the titles `shortest` characters long: the first `take` hits among at most `budget` titles
    (WALK_BUDGET by default)."""
    return run(TITLE_WALK, q=q, types=types, take=take, budget=WALK_BUDGET if budget is None else budget,
               **{"from": f"{shortest:0{TITLE_KEY_WIDTH}d}"})


def _title_ranges(run: Run, q: str, types: list[str], take: int) -> list[dict[str, Any]]:
    """The best `take` uncurated title hits, a range of title lengths at a time, the shortest first (q to 2q
    characters, then to 4q, …): every hit of a range outranks every hit of the next, so once `take` are found the
    longer titles are never read. The titles Lucene ranks best say where the shortest may start: when the index
    names none shorter, the titles are walked from there first. A range the index names no title in is skipped;
    in one it does, the titles are first walked from its shortest (the hits may be dense there), then its
    candidates ranked."""
    phrase, lo = phrase_query(q, "title"), len(q)
    hits: list[dict[str, Any]] = []

    def within(lo: int, hi: int) -> str:
        return f"({phrase}) AND {TITLE_LENGTH}:[{lo:0{TITLE_KEY_WIDTH}d} TO {hi:0{TITLE_KEY_WIDTH}d}]"

    top = run(TOP_TITLES, lq=within(lo, LONGEST_TITLE))
    if not top:  # no title can hold the words
        return hits
    start = min(int(r["len"]) for r in top)
    if start > lo and not run(ANY_TITLE, lq=within(lo, start - 1)):  # none shorter: walk from there
        walked = _walk(run, q, types, take, start)
        if len(walked) >= take:
            return walked
        lo = start
    while True:
        hi = LONGEST_TITLE if lo > 512 else 2 * lo
        if run(ANY_TITLE, lq=within(lo, hi)):
            walked = _walk(run, q, types, take - len(hits), lo)
            if len(walked) >= take - len(hits):
                return hits + walked
            hits += run(TITLE_RANGE, lq=within(lo, hi), q=q, types=types, take=take - len(hits))
        if len(hits) >= take or hi >= LONGEST_TITLE:
            return hits
        lo = hi + 1


def _fuzzy_indexed(run: Run, grams: list[str], types: tuple[str, ...], scored: dict[str, float],
                   limit: int) -> list[dict[str, Any]]:
    """The fuzzy step across documents where the indexes point. Titles holding half the bigrams, the best first:
    the titles holding all of them, then all but one, … (each level's index query is narrower than half's). A
    level gives the first `limit` × 3 answers by id among the titles holding that many; when it gives that many,
    they and the better levels' (all known, fewer) are the answer. A wide level first reads the first WALK_BUDGET
    nodes by id, which give them when they hold that many (with the curated nodes, read by their spans). When
    titles holding half are fewer than `limit`, every node of the documents holding half of them (a title or span
    holding half, or 0.625 × as the 0.8 weight asks, lies in such a document)."""
    take, half = limit * 3, math.ceil(len(grams) / 2)
    found: dict[str, float] = {}
    asked = {"grams": grams, "types": list(types), "scored": sorted(scored), "take": take}
    for need in range(len(grams), half - 1, -1):
        rows: list[dict[str, Any]] = []
        if need <= 0.75 * len(grams):  # a wide level: the first nodes by id may well hold enough
            rows = run(FUZZY_WALK, need=need, budget=WALK_BUDGET, **asked)
            rows = rows if len(rows) >= take else []
        if rows:
            rows += run(FUZZY_CURATED, need=need, **asked)
        else:
            rows = run(FUZZY_TITLES_LEVEL, lq=share_query(grams, "title", need), need=need, **asked)
        found.update({r["id"]: r["f"] for r in rows})
        if len(rows) >= take:
            break
    else:
        few = len(found) < limit and int(run(FUZZY_TITLES_COUNT, lq=share_query(grams, "title", half), grams=grams,
                                             need=half)[0]["k"] or 0) < limit
        if few:
            return run(FUZZY["indexed"], lq=share_query(grams), grams=grams, texts=True, types=list(types),
                       scored=sorted(scored), take=take)
    best = sorted(found.items(), key=lambda h: (-h[1], h[0]))[:take]
    return [{"id": i, "f": f} for i, f in best]
