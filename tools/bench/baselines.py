"""Naive implementations measured beside the real ones in the same run, so the benchmark reports ratios
on this machine rather than absolute numbers from elsewhere."""

from __future__ import annotations

from typing import Any

import networkx as nx

from tracegraph.graph.link.similarity import BigramTfidf, cosine
from tracegraph.loaders.textutil import normalise, sentences


def naive_trace(g: nx.MultiDiGraph, n: str) -> dict[str, list[str]]:
    """Scan every edge of the graph for the node's links (what a first version does)."""
    out: dict[str, list[str]] = {"causes": [], "measures": []}
    for u, v, d in g.edges(data=True):
        if v == n and d.get("type") == "EXPLAINS":
            out["causes"].append(u)
        elif v == n and d.get("type") == "ADDRESSES":
            out["measures"].append(u)
    return out


def naive_matrix(g: nx.MultiDiGraph, doc: str) -> dict[str, Any]:
    measures = [n for n, d in g.nodes(data=True) if d.get("doc") == doc and d.get("type") == "Measure"]
    problems = [n for n, d in g.nodes(data=True) if d.get("doc") == doc and d.get("type") == "Problem"]
    ms, ps = set(measures), set(problems)
    cells = {(u, v): d.get("score") for u, v, d in g.edges(data=True) if u in ms and v in ps}
    return {"measures": measures, "problems": problems, "cells": cells}


def naive_search(g: nx.MultiDiGraph, q: str, limit: int = 20) -> list[str]:
    hits = [
        (0 if q in (d.get("title") or "") else 1, n)
        for n, d in g.nodes(data=True)
        if q in (d.get("title") or "") or q in (d.get("text") or "")
    ]
    return [n for _, n in sorted(hits)[:limit]]


def naive_link_scores(text: str, items: list[tuple[str, str, str, str]]) -> int:
    """The linker's first version on one document: dictionary vectors per item, three cosines per pair
    (body, lead sentence, lead↔body), and for each problem's best measure and cause the best sentence
    pair found by transforming every sentence again. Returns the number of pairs scored."""
    norm = normalise(text)
    model = BigramTfidf(text[s:e] for s, e in sentences(norm, 0, len(text)))
    body = {i: model.transform(t) for i, _, t, _ in items}
    lead = {i: model.transform(title) for i, _, _, title in items}
    kinds = {i: k for i, k, _, _ in items}
    texts = {i: t for i, _, t, _ in items}
    n = 0
    for p in [i for i in body if kinds[i] == "Problem"]:
        for kind in ("Measure", "Cause"):
            best, best_s = None, -1.0
            for a in [i for i in body if kinds[i] == kind]:
                s = (
                    cosine(body[a], body[p])
                    + cosine(lead[a], lead[p])
                    + max(cosine(lead[a], body[p]), cosine(body[a], lead[p]))
                )
                n += 1
                if s > best_s:
                    best, best_s = a, s
            if best is not None:
                sa = [
                    model.transform(texts[best][x:y]) for x, y in sentences(normalise(texts[best]), 0, len(texts[best]))
                ]
                sp = [model.transform(texts[p][x:y]) for x, y in sentences(normalise(texts[p]), 0, len(texts[p]))]
                max((cosine(u, v) for u in sa for v in sp), default=0.0)
    return n
