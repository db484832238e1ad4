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
candidates sorted by their key and checked until enough hold the words. When the title hits are fewer, every one
is known, and the rest of the answer is the shortest spans holding the words, read the same way (SPAN_KEY,
SPAN_LENGTH_INDEX: a node's text is its span; a section's span is stored beside it). Then, for the fuzzy step, the
titles holding all the character pairs, all but one, … down to half, and when those are few, the spans level by
level. Words without two Chinese characters in a row are looked up too: a lone character as a pair it starts or
ends, Latin letters and digits as a token holding them (phrase_query). Each index query names a superset of what
the scan would find, every candidate is checked exactly, and a walk stops only where everything it skipped ranks
lower — so the answers do not change; only their cost stops growing with the store: no document's text is read
across documents. A store written before the title keys or the span keys existed is searched as before (the title
index's candidates ranked; every document the text index names read) until graph.stores.neo4j_io.ensure_schema has
given every node its keys (TITLE_KEYS_READY, SPAN_KEYS_READY).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
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
    SPAN_KEY,
    SPAN_KEY_WIDTH,
    SPAN_KEYS_COMPLETE,
    SPAN_LENGTH,
    SPAN_LENGTH_INDEX,
    SPAN_TEXT,
    SPAN_TEXT_TYPES,
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


@dataclass(frozen=True)
class _Order:
    """One order search reads hits in, shortest first — titles (a title hit's score falls with its title's length) or
    spans (so does any other hit's) — and the queries that read it: a key under a range index (length, then id: the
    order of the scores, ties by id) and a full-text index of the text with its length."""

    walk: str  # from the key $from on, at most $budget nodes: the first $take hits (uncurated), in key order
    range: str  # the hits among the nodes the index names for $lq (the words, lengths in a range), in key order
    any: str  # whether the index names any node for $lq (a superset, so "none" is certain)
    top: str  # the lengths of the nodes Lucene ranks best for $lq (its scores favour short fields)
    fields: tuple[str, ...]  # the indexed fields that hold the text
    length: str  # the indexed field that holds the length
    width: int  # digits of a length
    doubling: int  # ranges double in length up to this, then one range to the longest

    @property
    def longest(self) -> int:
        return 10**self.width - 1

    def phrase(self, q: str) -> str | None:
        """A Lucene query every node whose text holds `q` matches (None: the index cannot look `q` up)."""
        parts = [phrase_query(q, f) for f in self.fields]
        return None if parts[0] is None else _any_field(parts)  # (the same runs in every field: all None or none)

    def within(self, phrase: str, lo: int, hi: int) -> str:
        return f"({phrase}) AND {self.length}:[{lo:0{self.width}d} TO {hi:0{self.width}d}]"


def _any_field(queries: list[Any]) -> str:
    """One Lucene query matching where any of `queries` (one per field of the same index) does."""
    return queries[0] if len(queries) == 1 else " OR ".join(f"({x})" for x in queries)


_UNCURATED = ("WITH n WHERE (n.curated IS NULL OR n.curated <> true) AND n.doc IS NOT NULL AND n.start IS NOT NULL "
              "AND n.type <> 'Document' AND n.type IN $types AND {holds} ")


def _order(key: str, index: str, holds: str, length: str, fields: tuple[str, ...], length_field: str, width: int,
           doubling: int) -> _Order:
    check = _UNCURATED.format(holds=holds)
    return _Order(
        walk=(f"MATCH (n:{NODE_LABEL}) WHERE n.{key} >= $from WITH n ORDER BY n.{key} LIMIT $budget " + check
              + f"RETURN n.id AS id, {length} AS len, n.{key} AS key ORDER BY key LIMIT $take"),
        range=(f"CALL db.index.fulltext.queryNodes('{index}', $lq) YIELD node AS n WITH n ORDER BY n.{key} " + check
               + f"RETURN n.id AS id, {length} AS len LIMIT $take"),
        any=f"CALL db.index.fulltext.queryNodes('{index}', $lq, {{limit: 1}}) YIELD node RETURN node.id AS id",
        top=(f"CALL db.index.fulltext.queryNodes('{index}', $lq, {{limit: 20}}) YIELD node AS n "
             f"RETURN {length} AS len"),
        fields=fields, length=length_field, width=width, doubling=doubling,
    )


TITLES = _order(TITLE_KEY, TITLE_LENGTH_INDEX, "n.title CONTAINS $q", "n.title_end - n.title_start", ("title",),
                TITLE_LENGTH, TITLE_KEY_WIDTH, 512)
# a node's span is its `text`, except a section's (SPAN_TEXT_TYPES), whose span is stored apart (SPAN_TEXT)
_SPAN = f"CASE WHEN n.type IN {list(SPAN_TEXT_TYPES)} THEN n.{SPAN_TEXT} ELSE n.text END"
SPANS = _order(SPAN_KEY, SPAN_LENGTH_INDEX, f"{_SPAN} CONTAINS $q", "n.end - n.start", ("text", SPAN_TEXT),
               SPAN_LENGTH, SPAN_KEY_WIDTH, 16384)
TITLE_WALK, TITLE_RANGE, ANY_TITLE, TOP_TITLES = TITLES.walk, TITLES.range, TITLES.any, TITLES.top
SPAN_WALK, SPAN_RANGE = SPANS.walk, SPANS.range
TITLE_CURATED = f"CALL {{ {_CURATED_TITLES}}} {_IN_DOCUMENT}" + _TITLE_HIT
# the curated nodes whose spans hold the words (every one: they are few), read from their document's text
SPAN_CURATED = (
    f"MATCH (n:{NODE_LABEL}) WHERE n.curated = true MATCH (d:{META_LABEL} {{id: n.doc}}) "
    "WITH n, d WHERE n.start IS NOT NULL AND n.type <> 'Document' AND n.type IN $types "
    "AND substring(d.text, n.start, n.end - n.start) CONTAINS $q RETURN n.id AS id, n.end - n.start AS len"
)
WALK_BUDGET = 20_000  # titles read at most: a word in one of that many is cheaper to find by the index
SPAN_WALK_BUDGET = 5_000  # spans read at most (a span's text is longer to read than a title)
FUZZY_WALK_BUDGET = 5_000  # nodes read at most by id for a wide level of the fuzzy step
LONG_WALK_BUDGET = 300_000  # for words the index looks up only by wildcards, or not at all
# whether the store is marked as having every title's (every span's) key: graph.stores.neo4j_io._add_keys marks it
TITLE_KEYS_READY, SPAN_KEYS_READY = (
    f"MATCH (v:{CATALOGUE_LABEL} {{id: 'catalogue'}}) RETURN coalesce(v.{mark}, false) AS ready"
    for mark in (TITLE_KEYS_COMPLETE, SPAN_KEYS_COMPLETE))
# the fuzzy step's titles holding at least $need of the bigrams (a superset from the index, checked exactly): the
# first $take by id that the answer may hold (their type asked for, not already scored), each with how many it holds —
# the candidates are sorted by id and checked one by one until $take are found
_SHARE = "size([b IN $grams WHERE title CONTAINS b])"
_LEVEL = (f"WITH n, title ORDER BY n.id WITH n, {_SHARE} AS k WHERE k >= $need AND n.type IN $types "
          "AND NOT n.id IN $scored RETURN n.id AS id, k LIMIT $take")
# the same from the nodes in id order, at most $budget of them read (uncurated; the curated ones are read apart)
_WALK_BY_ID = (f"MATCH (n:{NODE_LABEL}) WHERE n.id >= '' WITH n ORDER BY n.id LIMIT $budget "
               "WITH n WHERE (n.curated IS NULL OR n.curated <> true) AND n.doc IS NOT NULL AND n.start IS NOT NULL "
               "AND n.type <> 'Document' AND n.type IN $types AND NOT n.id IN $scored {more}"
               "WITH n, {title} AS title WITH n, " + _SHARE + " AS k WHERE k >= $need RETURN n.id AS id, k LIMIT $take")
_CURATED_LEVEL = (f"WITH n, {_SHARE} AS k WHERE k >= $need AND n.type IN $types AND NOT n.id IN $scored "
                  "RETURN n.id AS id, k")


@dataclass(frozen=True)
class _Levels:
    """The fuzzy step's levels over one text of each node (its title, or its span): the nodes holding at least
    $need of the bigrams, from the index (`level`), from the first nodes by id (`walk`), and the curated ones."""

    level: str
    walk: str
    curated: str
    fields: tuple[str, ...]

    def query(self, grams: list[str], need: int) -> str:
        return _any_field([share_query(grams, f, need) for f in self.fields])


TITLE_LEVELS = _Levels(
    level=_TITLED + _LEVEL,
    walk=_WALK_BY_ID.format(more="AND n.title_start IS NOT NULL ", title="n.title"),
    curated=f"CALL {{ {_CURATED_TITLES}}} {_IN_DOCUMENT}" + _CURATED_LEVEL,
    fields=("title",),
)
_CURATED_SPANS = (f"MATCH (n:{NODE_LABEL}) WHERE n.curated = true MATCH (d:{META_LABEL} {{id: n.doc}}) "
                  "RETURN n, substring(d.text, n.start, n.end - n.start) AS title ")
SPAN_LEVELS = _Levels(  # (`title` stands for the span here)
    level=("CALL { "
           f"CALL db.index.fulltext.queryNodes('{SPAN_LENGTH_INDEX}', $lq) YIELD node AS n "
           f"WITH n WHERE n.curated IS NULL OR n.curated <> true RETURN n, {_SPAN} AS title "
           f"UNION {_CURATED_SPANS}}} {_IN_DOCUMENT}" + _LEVEL),
    walk=_WALK_BY_ID.format(more="", title=_SPAN),
    curated=f"CALL {{ {_CURATED_SPANS}}} {_IN_DOCUMENT}" + _CURATED_LEVEL,
    fields=("text", SPAN_TEXT),
)
FUZZY_TITLES_LEVEL, FUZZY_WALK, FUZZY_CURATED = TITLE_LEVELS.level, TITLE_LEVELS.walk, TITLE_LEVELS.curated
FUZZY_SPANS_LEVEL, FUZZY_SPAN_WALK = SPAN_LEVELS.level, SPAN_LEVELS.walk
# how many titles hold at least half of the bigrams, whatever their type (fewer than the limit: the texts are asked)
FUZZY_TITLES_COUNT = _TITLED + f"WITH n, {_SHARE} AS k WHERE k >= $need RETURN count(n) AS k"


# the English words Neo4j's CJK analyzer drops (Lucene's CJKAnalyzer stop set): a text holding one of them holds no
# token for it, so a Latin run inside one cannot be looked up
_STOP_WORDS = ("a and are as at be but by for if in into is it no not of on or s such t that the their then there "
               "these they this to was will with www").split()
_LONE_HAN = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?![\u4e00-\u9fff])")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


def phrase_query(q: str, field: str = "") -> str | None:
    """A Lucene query every text holding `q` matches. The CJK analyzer indexes Chinese as overlapping character
    pairs (a character with no Chinese neighbour alone) and a run of Latin letters and digits as one lower-case
    token; so each run of two or more Chinese characters is a phrase (a run inside a longer one still matches), a
    lone Chinese character a pair it starts or ends, and a Latin run a token holding it. None when `q` gives none of
    these (punctuation only, or Latin inside a word the analyzer drops): then nothing narrows the scan."""
    prefix = f"{field}:" if field else ""
    clauses = [f'{prefix}"{r}"' for r in HAN_RUN.findall(q)]
    clauses += [f"({prefix}{c}* OR {prefix}*{c})" for c in _LONE_HAN.findall(q)]
    clauses += [f"{prefix}*{r}*" for r in (m.lower() for m in _ALNUM_RUN.findall(q))
                if len(r) <= 255 and not any(r in w for w in _STOP_WORDS)]
    return " AND ".join(clauses) if clauses else None


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
    answered = False  # the verbatim hits' answer is known
    if indexed and doc is None:
        # titles first: title hits outrank every other hit, so when there are `take` of them they are the answer
        # (words without two Chinese characters in a row: only the walk of the shortest titles, no index to ask)
        titles = _title_first(run, q, list(types), take, by_index=lq is not None)
        if titles is not None:
            scored, answered = titles, len(titles) >= take
        if titles is not None and not answered:  # every title hit is known: the rest are the shortest spans
            spans = _span_first(run, q, list(types), take, by_index=lq is not None)
            if spans is not None:
                spans.update(titles)  # a title hit's score outranks its span's
                scored, answered = dict(sorted(spans.items(), key=lambda kv: (-kv[1], kv[0]))[:take]), True
    if not answered:
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


def _title_first(run: Run, q: str, types: list[str], take: int, by_index: bool = True) -> dict[str, float] | None:
    """The best `take` title hits across documents (TITLE_FIRST's answer; all of them when fewer). On a store where
    every title has its key and length: the first WALK_BUDGET titles, shortest first, when enough of them hold the
    words; else a range of lengths at a time (_ranges). On an older store: every title the index names, ranked.
    Without `by_index` (the words give the index nothing to look up): the walk's answer, or a longer walk's, when it
    holds `take`, else None — not known."""
    if not _ready(run, TITLE_KEYS_READY):
        if not by_index:
            return None
        return {r["id"]: float(r["s"]) for r in run(TITLE_FIRST, lq=phrase_query(q, "title"), q=q, qlen=len(q),
                                                    types=types, take=take)}
    hits = _shortest(run, TITLES, q, types, take, by_index)
    if hits is None:
        return None
    scored = {r["id"]: 2.0 + len(q) / (r["len"] if r["len"] > 1 else 1) for r in hits}
    scored.update({r["id"]: float(r["s"]) for r in run(TITLE_CURATED, q=q, qlen=len(q), types=types, take=take)})
    return dict(sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:take])


def _span_first(run: Run, q: str, types: list[str], take: int, by_index: bool = True) -> dict[str, float] | None:
    """The best `take` nodes whose spans hold the words, scored as the scan scores a hit outside the title
    (1.5 − 0.0001 × its span's length; all of them when fewer), read shortest span first as the titles are; None when
    not known (a store without span keys, or words the index cannot look up that the long walk does not find)."""
    if not _ready(run, SPAN_KEYS_READY):
        return None
    hits = _shortest(run, SPANS, q, types, take, by_index)
    if hits is None:
        return None
    found = {r["id"]: int(r["len"]) for r in hits}
    found.update({r["id"]: int(r["len"]) for r in run(SPAN_CURATED, q=q, types=types)})
    best = sorted(found.items(), key=lambda kv: (kv[1], kv[0]))[:take]
    return {i: 1.5 - 0.0001 * length for i, length in best}


def _ready(run: Run, marker: str) -> bool:
    return run(marker)[:1] == [{"ready": True}]


def _shortest(run: Run, order: _Order, q: str, types: list[str], take: int, by_index: bool
              ) -> list[dict[str, Any]] | None:
    """The first `take` uncurated hits in `order` (all of them when fewer): the walk from the shortest, else the
    ranges of lengths; without `by_index`, a longer walk instead, and None when that too holds fewer than `take`."""
    hits = _walk(run, order, q, types, take, len(q))
    if len(hits) < take and not HAN_RUN.search(q) and not _ALNUM_RUN.search(q):
        # lone characters: the index looks them up as every pair they start or end (slow), if at all
        hits = _walk(run, order, q, types, take, len(q), LONG_WALK_BUDGET)
    if len(hits) >= take:
        return hits
    return _ranges(run, order, q, types, take) if by_index else None


def _walk(run: Run, order: _Order, q: str, types: list[str], take: int, shortest: int, budget: int | None = None
          ) -> list[dict[str, Any]]:
    """`order`'s walk from the nodes `shortest` characters long: the first `take` hits among at most `budget` nodes
    (by default WALK_BUDGET titles, SPAN_WALK_BUDGET spans)."""
    if budget is None:
        budget = WALK_BUDGET if order is TITLES else SPAN_WALK_BUDGET
    return run(order.walk, q=q, types=types, take=take, budget=budget, **{"from": f"{shortest:0{order.width}d}"})


def _ranges(run: Run, order: _Order, q: str, types: list[str], take: int) -> list[dict[str, Any]]:
    """The first `take` uncurated hits in `order`, a range of lengths at a time, the shortest first (q to 2q
    characters, then to 4q, …): every hit of a range outranks every hit of the next, so once `take` are found the
    longer ones are never read. The nodes Lucene ranks best say where the shortest may start: when the index names
    none shorter, the nodes are walked from there first. A range the index names nothing in is skipped; in one it
    does, the nodes are first walked from its shortest (the hits may be dense there), then its candidates ranked."""
    phrase, lo = order.phrase(q), len(q)
    assert phrase is not None
    hits: list[dict[str, Any]] = []
    top = run(order.top, lq=order.within(phrase, lo, order.longest))
    if not top:  # nothing can hold the words
        return hits
    start = min(int(r["len"]) for r in top)
    if start > lo and not run(order.any, lq=order.within(phrase, lo, start - 1)):  # none shorter: walk from there
        walked = _walk(run, order, q, types, take, start)
        if len(walked) >= take:
            return walked
        lo = start
    while True:
        hi = order.longest if lo > order.doubling else 2 * lo
        if run(order.any, lq=order.within(phrase, lo, hi)):
            walked = _walk(run, order, q, types, take - len(hits), lo)
            if len(walked) >= take - len(hits):
                return hits + walked
            hits += run(order.range, lq=order.within(phrase, lo, hi), q=q, types=types, take=take - len(hits))
        if len(hits) >= take or hi >= order.longest:
            return hits
        lo = hi + 1


def _fuzzy_indexed(run: Run, grams: list[str], types: tuple[str, ...], scored: dict[str, float],
                   limit: int) -> list[dict[str, Any]]:
    """The fuzzy step across documents where the indexes point: the titles holding half the bigrams, the best first
    (_levels). When those are fewer than `limit`, the spans too, each at 0.8 × its share: the spans holding all the
    bigrams, all but one, … down to the share that still scores a half — every title of the answer is then known, so
    each level's first `limit` × 3 by id settle it as the title levels do (on a store without span keys, every node
    of the documents holding half of them)."""
    take, n, half = limit * 3, len(grams), math.ceil(len(grams) / 2)
    asked = {"grams": grams, "types": list(types), "scored": sorted(scored), "take": take}
    titles, settled = _levels(run, TITLE_LEVELS, grams, range(n, half - 1, -1), take, asked)
    found = {i: k / n for i, k in titles.items()}
    few = not settled and len(found) < limit and int(run(FUZZY_TITLES_COUNT, lq=share_query(grams, "title", half),
                                                         grams=grams, need=half)[0]["k"] or 0) < limit
    if few and not _ready(run, SPAN_KEYS_READY):
        return run(FUZZY["indexed"], lq=share_query(grams), grams=grams, texts=True, types=list(types),
                   scored=sorted(scored), take=take)
    if few:
        needs = [k for k in range(n, 0, -1) if 0.8 * k / n >= 0.5]  # as the server computes the span's score
        spans, _ = _levels(run, SPAN_LEVELS, grams, needs, take, asked)
        for i, k in spans.items():
            found[i] = max(found.get(i, 0.0), 0.8 * k / n)
    best = sorted(found.items(), key=lambda h: (-h[1], h[0]))[:take]
    return [{"id": i, "f": f} for i, f in best]


def _levels(run: Run, levels: _Levels, grams: list[str], needs: range | list[int], take: int, asked: dict[str, Any]
            ) -> tuple[dict[str, int], bool]:
    """How many bigrams each node holds, level by level (`needs`, the most first), and whether a level settled the
    answer: a level gives the first `take` by id among the nodes holding that many; when it gives that many, they
    and the better levels' (all known, fewer) are the answer. A wide level first reads the first FUZZY_WALK_BUDGET
    nodes by id, which give them when they hold that many (with the curated nodes, read by their spans)."""
    found: dict[str, int] = {}
    for need in needs:
        rows: list[dict[str, Any]] = []
        if need <= 0.75 * len(grams):  # a wide level: the first nodes by id may well hold enough
            rows = run(levels.walk, need=need, budget=FUZZY_WALK_BUDGET, **asked)
            rows = rows if len(rows) >= take else []
        if rows:
            rows += run(levels.curated, need=need, **asked)
        else:
            rows = run(levels.level, lq=levels.query(grams, need), need=need, **asked)
        found.update({r["id"]: int(r["k"]) for r in rows})
        if len(rows) >= take:
            return found, True
    return found, False
