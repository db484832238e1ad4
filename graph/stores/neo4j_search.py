"""graph.query.queries.search on the shared store, ranked by the server: only the answer's nodes travel.

The same definition, step by step: (1) every node whose span of its document's text holds the words, scored
2 + len(words)/len(title) when its title holds them, else 1.5 − 0.0001 × span length, best first and ties by id;
(2) nodes without a document (policy references, speakers) scored on their title, aliases and text in Python
(graph.query.queries.shared_score); (3) only when fewer than `limit` answers: the share of the words' character
bigrams in each title (and, when titles give too few, in each span × 0.8), at least one half. Spans are taken
from the document's text on the server with `substring`, which counts UTF-16 units: identical to Python's
offsets for text in the Basic Multilingual Plane (all common Chinese), off by one after a character beyond it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import networkx as nx

from tracegraph.graph.query.queries import _SEARCH_TYPES, _han_bigrams, result_rows, shared_score
from tracegraph.graph.stores.neo4j_io import META_LABEL, NODE_LABEL, SHARED_TYPES

Run = Callable[..., list[dict[str, Any]]]
Fetch = Callable[[list[str]], nx.MultiDiGraph]

# one document at a time (a subquery per document): its text is read once and the rows of one document are all
# the server holds at a time; each document's best `take`, then the best `take` of those (the same as over all).
# Each query comes in two scopes: every document, or the one whose id is $doc (an index seek).
_MATCH = {False: f"MATCH (d:{META_LABEL})", True: f"MATCH (d:{META_LABEL} {{id: $doc}})"}
_PER_DOC = (
    "{match} WHERE true {where_doc} CALL {{ WITH d WITH d.id AS did, d.text AS t "
    f"MATCH (n:{NODE_LABEL} {{{{doc: did}}}}) WHERE n.start IS NOT NULL AND n.type <> 'Document' "
    "{body} }} {tail}"
)


def _scoped(where_doc: str, body: str, tail: str) -> dict[bool, str]:
    """The query over every document (False) and over the one named $doc (True)."""
    return {one: _PER_DOC.format(match=_MATCH[one], where_doc=where_doc, body=body, tail=tail) for one in _MATCH}


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
SHARED = (
    f"MATCH (n) WHERE ({' OR '.join(f'n:{t}' for t in SHARED_TYPES)}) AND n.doc IS NULL "
    "AND n.type IN $types AND any(w IN $words WHERE "
    "coalesce(n.title, '') CONTAINS w OR coalesce(n.text, '') CONTAINS w "
    "OR any(a IN coalesce(n.aliases, []) WHERE a CONTAINS w)) RETURN n.id AS id"
)


def search(run: Run, fetch: Fetch, query: str, types: tuple[str, ...] | None = None, doc: str | None = None,
           limit: int = 20) -> list[dict[str, Any]]:
    """graph.query.queries.search(g, …) of the stored graph `g`, without reading it: see the module docstring."""
    q = re.sub(r"\s+", "", query)
    if not q:
        return []
    types = types or _SEARCH_TYPES
    grams = sorted(_han_bigrams(q))
    scored: dict[str, float] = {
        r["id"]: float(r["s"])
        for r in run(SUBSTRING[doc is not None], q=q, qlen=len(q), types=list(types), doc=doc, take=limit * 3)
    }
    # nodes without a document: every one that holds the words (or, for the fuzzy step, one of their bigrams)
    shared_ids = [r["id"] for r in run(SHARED, types=list(types), words=[q, *grams])]
    wanted = sorted(set(scored) | set(shared_ids))
    g = fetch(wanted)
    for n in shared_ids:
        s = shared_score(g.nodes[n], q, types) if n in g else None
        if s is not None and s > scored.get(n, -1.0):
            scored[n] = s
    if len(scored) < limit and len(grams) >= 2:
        few = int(run(TITLE_HITS[doc is not None], grams=grams, doc=doc)[0]["k"] or 0) < limit
        fuzzy = run(FUZZY[doc is not None], grams=grams, doc=doc, texts=few, types=list(types), scored=sorted(scored),
                    take=limit * 3)
        for r in fuzzy:
            scored[r["id"]] = round(float(r["f"]), 3)
        for n in shared_ids:
            if n not in scored and n in g:
                s = shared_score(g.nodes[n], q, types, set(grams))
                if s is not None:
                    scored[n] = s
        g = fetch(sorted(scored))
    return result_rows(g, {n: s for n, s in scored.items() if n in g}, q, limit)
