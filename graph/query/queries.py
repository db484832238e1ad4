"""Questions analysts ask of the graph, in plain Python so the CLI, the app and the tests share them:
trace a problem (causes, measures, actions, policy references), the reverse for a measure or cause,
the traceability matrix, coverage gaps and search.

(About 450 lines: the read queries every view shares, plus search with its corpus-wide substring index, which
the stores call as `queries.search`; moving search to its own module waits for the stores to move with it.)"""

from __future__ import annotations

import re
from typing import Any

import networkx as nx
import numpy as np

from tracegraph.errors import NotFoundError
from tracegraph.graph.model.schema import LINK_TYPES
from tracegraph.loaders.structure.reading import doubtful  # the one doubt rule, offered beside reading_of

SUMMARY_FIELDS = ("type", "title", "doc", "start", "end", "path", "marker", "status", "kind")
_ORIGIN_RANK = {"curated": 3, "explicit": 2, "inferred": 1, "parsed": 0}


def summary(g: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    d = g.nodes[n]
    out: dict[str, Any] = {"id": n}
    for k in SUMMARY_FIELDS:
        if d.get(k) is not None:
            out[k] = d.get(k)
    return out


def active_links(g: nx.MultiDiGraph, etypes: tuple[str, ...] = LINK_TYPES) -> list[tuple[str, str, dict[str, Any]]]:
    """Link edges as every view should see them: rejected ones hidden, one edge per pair and type
    (a curated edge wins over an explicit one, which wins over an inferred one)."""
    best: dict[tuple[str, str, str], dict[str, Any]] = {}
    for u, v, d in g.edges(data=True):
        t = d.get("type")
        if t not in etypes or d.get("rejected"):
            continue
        key = (u, v, t)
        if key not in best or _ORIGIN_RANK.get(d.get("origin", ""), 0) > _ORIGIN_RANK.get(
            best[key].get("origin", ""), 0
        ):
            best[key] = d
    return [(u, v, d) for (u, v, _t), d in best.items()]


def _edge_rows(g: nx.MultiDiGraph, n: str, etype: str, direction: str) -> list[tuple[str, dict[str, Any]]]:
    """The node's own link edges of one type (rejected ones hidden, best origin per neighbour):
    local, so a trace costs the same in a 10,000-document corpus as in one document."""
    edges = g.in_edges(n, data=True) if direction == "in" else g.out_edges(n, data=True)
    best: dict[str, dict[str, Any]] = {}
    for u, v, d in edges:
        if d.get("type") != etype or d.get("rejected"):
            continue
        other = u if direction == "in" else v
        if other not in best or _ORIGIN_RANK.get(d.get("origin", ""), 0) > _ORIGIN_RANK.get(
            best[other].get("origin", ""), 0
        ):
            best[other] = d
    return list(best.items())


def _linked(
    g: nx.MultiDiGraph, n: str, etype: str, direction: str, node_type: str | None = None
) -> list[dict[str, Any]]:
    rows = []
    for other, d in _edge_rows(g, n, etype, direction):
        if node_type and g.nodes[other].get("type") != node_type:
            continue
        rows.append(
            {
                **summary(g, other),
                "score": d.get("score"),
                "origin": d.get("origin"),
                "evidence": d.get("evidence") or {},
                "comment": d.get("comment"),
            }
        )
    rows.sort(key=lambda r: (-_ORIGIN_RANK.get(r.get("origin") or "", 0), -(r.get("score") or 0), r["id"]))
    return rows


def children(g: nx.MultiDiGraph, n: str, etype: str) -> list[str]:
    return sorted(
        (v for _, v, d in g.out_edges(n, data=True) if d.get("type") == etype),
        key=lambda v: (g.nodes[v].get("start") or 0, v),
    )


def policy_refs_of(g: nx.MultiDiGraph, n: str, deep: bool = True) -> list[dict[str, Any]]:
    """References cited by the node (and by its examples/actions when deep)."""
    sources = [n]
    if deep:
        sources += children(g, n, "HAS_EXAMPLE") + children(g, n, "HAS_ACTION")
    seen: dict[str, dict[str, Any]] = {}
    for s in sources:
        for _, v, d in g.out_edges(s, data=True):
            if d.get("type") == "CITES":
                row = seen.setdefault(v, {**summary(g, v), "canonical": g.nodes[v].get("canonical"), "mentions": []})
                row["mentions"].extend(d.get("mentions", []))
    return sorted(seen.values(), key=lambda r: (r["mentions"][0][1] if r["mentions"] else 0, r["id"]))


def trace(g: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    """Everything a reader follows from one node; the shape depends on the node's type."""
    if n not in g:
        raise NotFoundError(str(n))
    t = g.nodes[n].get("type")
    out: dict[str, Any] = {"node": {**summary(g, n), "text": g.nodes[n].get("text")}}
    if t == "Problem":
        out["area"] = summary(g, g.nodes[n]["area"]) if g.nodes[n].get("area") in g else None
        out["examples"] = [{**summary(g, e), "text": g.nodes[e].get("text")} for e in children(g, n, "HAS_EXAMPLE")]
        out["causes"] = _linked(g, n, "EXPLAINS", "in")
        measures = _linked(g, n, "ADDRESSES", "in", "Measure")
        actions = _linked(g, n, "ADDRESSES", "in", "Action")
        for m in measures:
            m["actions"] = [a for a in actions if _parent(g, a["id"]) == m["id"]]
        out["measures"] = measures
        out["actions"] = actions
        out["policy_refs"] = policy_refs_of(g, n)
    elif t in ("Measure", "Action"):
        mid = n if t == "Measure" else (_parent(g, n) or n)
        out["problems"] = _linked(g, n, "ADDRESSES", "out")
        if t == "Action":
            out["measure"] = summary(g, mid)
        out["causes"] = _linked(g, mid, "TREATS", "out")
        out["actions"] = [{**summary(g, a), "text": g.nodes[a].get("text")} for a in children(g, mid, "HAS_ACTION")]
        out["policy_refs"] = policy_refs_of(g, n)
        out["owner"] = {
            k: g.nodes[mid].get(k) for k in ("owner", "department", "deadline", "status") if g.nodes[mid].get(k)
        }
    elif t == "Cause":
        out["problems"] = _linked(g, n, "EXPLAINS", "out")
        out["measures"] = _linked(g, n, "TREATS", "in")
        out["policy_refs"] = policy_refs_of(g, n)
    elif t == "PolicyRef":
        cited = []
        for u, _, d in g.in_edges(n, data=True):
            if d.get("type") == "CITES":
                cited.append({**summary(g, u), "mentions": d.get("mentions", [])})
        out["cited_by"] = sorted(cited, key=lambda r: (r.get("doc") or "", r.get("start") or 0))
    else:
        out["neighbours"] = [summary(g, v) for v in nx.all_neighbors(g, n)]
    return out


def _parent(g: nx.MultiDiGraph, n: str) -> str | None:
    for u, _, d in g.in_edges(n, data=True):
        if d.get("type") in ("HAS_ACTION", "HAS_EXAMPLE", "CONTAINS"):
            return u
    return None


def doc_index(g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """doc id → node ids, cached on the graph and rebuilt when the graph's size changes."""
    version = (g.number_of_nodes(), len(g.graph.get("documents", {})))  # both O(1); edges do not matter here
    cached = g.graph.get("_doc_index")
    if nx.is_frozen(g):
        cached = None  # a view shares its parent's graph dict: never cache there
    if cached is None or cached[0] != version:
        index: dict[str, list[str]] = {}
        for n, d in g.nodes(data=True):
            if d.get("doc"):
                index.setdefault(d["doc"], []).append(n)
        cached = (version, index)
        if not nx.is_frozen(g):
            g.graph["_doc_index"] = cached
    return cached[1]


def _in_doc(g: nx.MultiDiGraph, doc: str | None, types: tuple[str, ...]) -> list[str]:
    pool = doc_index(g).get(doc, []) if doc is not None else list(g.nodes)
    nodes = [n for n in pool if g.nodes[n].get("type") in types]
    return sorted(nodes, key=lambda n: (g.nodes[n].get("doc") or "", g.nodes[n].get("start") or 0, n))


def counted_problems(g: nx.MultiDiGraph, doc: str | None = None) -> list[str]:
    """Problems the material admits (negative findings 未发现 are listed apart, not counted)."""
    return [n for n in _in_doc(g, doc, ("Problem",)) if g.nodes[n].get("status") != "none_found"]


def matrix(g: nx.MultiDiGraph, doc: str | None = None, min_score: float = 0.0) -> dict[str, Any]:
    """Traceability matrix: measures × problems with score and origin per linked cell."""
    measures = _in_doc(g, doc, ("Measure",))
    problems = counted_problems(g, doc)
    wanted = set(problems)
    cells: dict[str, dict[str, Any]] = {}
    for m in measures:
        for p, d in _edge_rows(g, m, "ADDRESSES", "out"):
            if p in wanted and (d.get("score") or 0) >= min_score:
                cells[f"{m}|{p}"] = {
                    "measure": m,
                    "problem": p,
                    "score": d.get("score"),
                    "origin": d.get("origin"),
                    "evidence": d.get("evidence") or {},
                }
    return {
        "measures": [summary(g, m) for m in measures],
        "problems": [summary(g, p) for p in problems],
        "cells": cells,
    }


def gaps(g: nx.MultiDiGraph, doc: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Coverage gaps are findings for the analyst, not errors."""
    problems = counted_problems(g, doc)
    measures = _in_doc(g, doc, ("Measure",))

    def has(n: str, etype: str, direction: str) -> bool:
        return bool(_edge_rows(g, n, etype, direction))

    def measure_links(m: str) -> bool:
        if has(m, "ADDRESSES", "out") or has(m, "TREATS", "out"):
            return True
        return any(has(a, "ADDRESSES", "out") for a in children(g, m, "HAS_ACTION"))

    return {
        "problems_without_measures": [summary(g, p) for p in problems if not has(p, "ADDRESSES", "in")],
        "problems_without_causes": [summary(g, p) for p in problems if not has(p, "EXPLAINS", "in")],
        "causes_without_measures": [summary(g, c) for c in _in_doc(g, doc, ("Cause",)) if not has(c, "TREATS", "in")],
        "measures_addressing_nothing": [summary(g, m) for m in measures if not measure_links(m)],
        "negative_findings": [
            summary(g, p) for p in _in_doc(g, doc, ("Problem",)) if g.nodes[p].get("status") == "none_found"
        ],
        # documents whose reading is in doubt: their "gaps" may be the reader's, not the material's
        "reading_doubts": [
            {"doc": d, "warnings": w} for d in sorted(docs_in(g, doc)) if (w := doubtful(reading_of(g, d)))
        ],
    }


def docs_in(g: nx.MultiDiGraph, doc: str | None) -> list[str]:
    docs = g.graph.get("documents", {})
    return [doc] if doc and doc in docs else list(docs) if not doc else []


def reading_of(g: nx.MultiDiGraph, doc: str) -> dict[str, Any] | None:
    """The document's reading report (读取概况), written by the build."""
    return (g.graph.get("documents", {}).get(doc) or {}).get("reading")


_SEARCH_TYPES = ("Problem", "Cause", "Measure", "Action", "Example", "Area", "PolicyRef", "Quote", "Section")


class _SearchIndex:
    """All document texts in one string, so a substring is found across 10,000 documents by one C-level
    scan; only the documents that contain it are then looked at node by node."""

    def __init__(self, g: nx.MultiDiGraph) -> None:
        docs = g.graph.get("documents", {})
        self.doc_ids = [d for d in docs if docs[d].get("text")]
        texts = [docs[d]["text"] for d in self.doc_ids]
        self.offsets: list[int] = []
        pos = 0
        for t in texts:
            self.offsets.append(pos)
            pos += len(t) + 1
        self.big = "\x00".join(texts)
        self.shared = [n for n, d in g.nodes(data=True) if not d.get("doc")]
        self.nodes = doc_index(g)
        # every text node as global spans in `big`, so one query tests all nodes with two searchsorted calls
        offset_of = dict(zip(self.doc_ids, self.offsets, strict=True))
        ids: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        tstarts: list[int] = []
        tends: list[int] = []
        self.doc_spans: dict[str, tuple[int, int]] = {}  # a document's nodes are one run of the span arrays
        for doc, nodes in self.nodes.items():
            base = offset_of.get(doc)
            if base is None:
                continue
            self.doc_spans[doc] = (len(ids), len(ids))
            for n in nodes:
                d = g.nodes[n]
                if d.get("start") is None or d.get("type") == "Document":
                    continue
                ids.append(n)
                starts.append(base + d["start"])
                ends.append(base + d["end"])
                tstarts.append(base + (d.get("title_start") if d.get("title_start") is not None else d["start"]))
                tends.append(base + (d.get("title_end") if d.get("title_end") is not None else d["start"]))
            self.doc_spans[doc] = (self.doc_spans[doc][0], len(ids))
        self.span_ids = ids
        rank = {n: i for i, n in enumerate(sorted(ids))}
        self.id_rank = np.asarray([rank[n] for n in ids], dtype=np.int64)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.ends = np.asarray(ends, dtype=np.int64)
        self.tstarts = np.asarray(tstarts, dtype=np.int64)
        self.tends = np.asarray(tends, dtype=np.int64)
        # every distinct title once in one short string: fuzzy matching looks at titles first, and a corpus repeats
        # its titles (boilerplate) thousands of times, so each is scanned once and the answer spread to its nodes
        unique: dict[str, int] = {}
        self.title_of = np.asarray(
            [unique.setdefault(self.big[a:b], len(unique)) for a, b in zip(tstarts, tends, strict=True)],
            dtype=np.int64,
        )
        titles = list(unique)
        self.title_offsets = np.cumsum([0] + [len(t) + 1 for t in titles[:-1]]).astype(np.int64) if titles else None
        self.title_big = "\x00".join(titles)
        self.title_count = len(titles)

    def title_hits(self, needle: str) -> np.ndarray:
        """For every node: does its title contain the needle (found by scanning the distinct titles only)."""
        if self.title_offsets is None:
            return np.zeros(len(self.starts), dtype=bool)
        pos = []
        k = self.title_big.find(needle)
        while k >= 0:
            pos.append(k)
            k = self.title_big.find(needle, k + 1)
        hit = np.zeros(self.title_count, dtype=bool)
        if pos:
            hit[np.searchsorted(self.title_offsets, np.asarray(pos, dtype=np.int64), side="right") - 1] = True
        return hit[self.title_of]

    def positions(self, needle: str) -> np.ndarray:
        """Global positions of every occurrence (sorted)."""
        out = []
        k = self.big.find(needle)
        while k >= 0:
            out.append(k)
            k = self.big.find(needle, k + 1)
        return np.asarray(out, dtype=np.int64)

    def counts(self, needle: str) -> tuple[np.ndarray, np.ndarray]:
        """For every node: does its span, and does its title, contain the needle (boolean arrays)."""
        in_text = np.zeros(len(self.starts), dtype=bool)
        in_title = np.zeros(len(self.starts), dtype=bool)
        idx, title = self.containing(needle)
        in_text[idx] = True
        in_title[idx[title]] = True
        return in_text, in_title

    def containing(self, needle: str) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the nodes whose span contains the needle, and for each whether its title does. The
        title lies inside the span, so titles are only checked for the nodes already found."""
        pos = self.positions(needle)
        if not len(pos):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        n = len(needle)
        hits = np.searchsorted(pos, self.ends - n, side="right") - np.searchsorted(pos, self.starts, side="left")
        idx = np.nonzero(hits > 0)[0]
        ts, te = self.tstarts[idx], self.tends[idx]
        in_title = (np.searchsorted(pos, te - n, side="right") - np.searchsorted(pos, ts, side="left")) > 0
        return idx, in_title


def _search_index(g: nx.MultiDiGraph) -> _SearchIndex:
    version = (g.number_of_nodes(), len(g.graph.get("documents", {})))
    cached = None if nx.is_frozen(g) else g.graph.get("_search_index")
    if cached is None or cached[0] != version:
        cached = (version, _SearchIndex(g))
        if not nx.is_frozen(g):
            g.graph["_search_index"] = cached
    return cached[1]


def _han_bigrams(text: str) -> set[str]:
    return {
        text[i : i + 2]
        for i in range(len(text) - 1)
        if "\u4e00" <= text[i] <= "\u9fff" and "\u4e00" <= text[i + 1] <= "\u9fff"
    }


def search(
    g: nx.MultiDiGraph, query: str, types: tuple[str, ...] | None = None, doc: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Chinese substring search over titles and text, then fuzzy (shared character bigrams) matches."""
    q = re.sub(r"\s+", "", query)
    if not q:
        return []
    types = types or _SEARCH_TYPES
    index = _search_index(g)
    scored: dict[str, float] = {}

    def consider(n: str, fuzzy_grams: set[str] | None = None) -> None:
        s = shared_score(g.nodes[n], q, types, fuzzy_grams)
        if s is not None and s > scored.get(n, -1.0):
            scored[n] = s

    idx, title_hit = index.containing(q)
    if len(idx):
        # score all containing nodes in numpy; only the best few are looked at in Python
        tlen = np.maximum(index.tends[idx] - index.tstarts[idx], 1)
        score = np.where(title_hit, 2.0 + len(q) / tlen, 1.5 - 0.0001 * (index.ends[idx] - index.starts[idx]))
        order = np.lexsort((index.id_rank[idx], -score))  # best first, ties by id: the same in every store
        taken = 0
        for k in order:
            n = index.span_ids[idx[k]]
            d = g.nodes[n]
            if d.get("type") not in types or (doc is not None and d.get("doc") != doc):
                continue
            scored[n] = float(score[k])
            taken += 1
            if taken >= limit * 3:
                break
    for n in index.shared:
        consider(n)
    grams = sorted(_han_bigrams(q))
    if len(scored) < limit and len(grams) >= 2 and len(index.starts):
        # fuzzy: the share of the query's bigrams a node's title holds; only when titles give too few answers,
        # the share anywhere in its text (weighted 0.8) — scanning all text costs ten times more
        title_share = np.zeros(len(index.starts))
        for b in grams:
            title_share += index.title_hits(b)
        fuzzy = title_share / len(grams)
        # "too few" among the nodes the question is about: one document's, when it names one (never the corpus's,
        # or the answer for a document would depend on what else the store holds)
        lo, hi = index.doc_spans.get(doc, (0, 0)) if doc is not None else (0, len(fuzzy))
        if int(np.count_nonzero(fuzzy[lo:hi] >= 0.5)) < limit:
            text_share = np.zeros(len(index.starts))
            for b in grams:
                text_share += index.counts(b)[0]
            fuzzy = np.maximum(fuzzy, 0.8 * text_share / len(grams))
        cand = np.nonzero(fuzzy >= 0.5)[0]  # sort only the candidates, not every node of the corpus
        order = cand[np.lexsort((index.id_rank[cand], -fuzzy[cand]))]
        taken = 0
        for k in order:
            if taken >= limit * 3:
                break
            n = index.span_ids[k]
            d = g.nodes[n]
            if n in scored or d.get("type") not in types or (doc is not None and d.get("doc") != doc):
                continue
            scored[n] = round(float(fuzzy[k]), 3)
            taken += 1
        for n in index.shared:
            if n not in scored:
                consider(n, set(grams))
    return result_rows(g, scored, q, limit)


def shared_score(
    d: dict[str, Any], q: str, types: tuple[str, ...], fuzzy_grams: set[str] | None = None
) -> float | None:
    """The score of a node without a document span (a policy reference, a speaker): its title, aliases and
    text; with `fuzzy_grams`, the share of the query's bigrams they hold. None: no match."""
    if d.get("type") not in types:
        return None
    title = d.get("title") or ""
    text = d.get("text") or ""
    aliases = "".join(d.get("aliases") or [])
    if fuzzy_grams is None:
        if q in title or q in aliases:
            return 2.0 + len(q) / max(len(title), 1)
        if q in text:
            return 1.5 + 0.1 * min(text.count(q), 5) - 0.0001 * len(text)
        return None
    in_title = len(fuzzy_grams & _han_bigrams(title + aliases)) / len(fuzzy_grams)
    in_text = len(fuzzy_grams & _han_bigrams(text)) / len(fuzzy_grams)
    s = max(in_title, 0.8 * in_text)
    return s if s >= 0.5 else None


def result_rows(g: nx.MultiDiGraph, scored: dict[str, float], q: str, limit: int) -> list[dict[str, Any]]:
    """The best `limit` of the scored nodes (ties by id) as result rows with a snippet around the words."""
    ranked = sorted(scored.items(), key=lambda x: (-x[1], x[0]))[:limit]
    out = []
    for n, s in ranked:
        row = summary(g, n)
        row["score"] = round(s, 3)
        text = g.nodes[n].get("text") or ""
        k = text.find(q)
        row["snippet"] = text[max(0, k - 20) : k + len(q) + 40] if k >= 0 else text[:60]
        out.append(row)
    return out
