"""Naive implementations measured beside the real ones in the same run, so the benchmark reports ratios
on this machine rather than absolute numbers from elsewhere."""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.similarity import BigramTfidf, cosine
from loaders.textutil import normalise, sentences


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


def naive_link_scores(text: str, items: list[tuple[str, str, str]]) -> int:
    """Per-pair dictionary cosines over all measure/cause/problem pairs of one document (the linker's
    first version); returns the number of pairs scored."""
    norm = normalise(text)
    model = BigramTfidf(text[s:e] for s, e in sentences(norm, 0, len(text)))
    vecs = {i: model.transform(t) for i, _, t in items}
    kinds = {i: k for i, k, _ in items}
    n = 0
    for a in vecs:
        for b in vecs:
            if (kinds[a], kinds[b]) in (("Measure", "Problem"), ("Cause", "Problem"), ("Measure", "Cause")):
                cosine(vecs[a], vecs[b])
                n += 1
    return n
