"""同类问题: problems from different documents that say the same thing, grouped without comparing every
pair. Exact and near-exact wordings collapse by a normalised hash first (a province repeats its
boilerplate thousands of times); distinct wordings meet only through an inverted index of their most
distinctive character bigrams, and only those candidate pairs are scored.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from tracegraph.graph.link.similarity import bigrams

_STRIP = re.compile(r"[\s\W\dXＸx×_]+")


def normalise_problem(text: str) -> str:
    """Punctuation, digits, numbering and redactions removed: 一是…/1.…/（一）… wordings compare equal."""
    return _STRIP.sub("", text)


@dataclass
class ClusterResult:
    clusters: list[list[str]]  # node ids, each list sorted, clusters sorted by size then first id
    pairs_scored: int = 0
    representatives: int = 0
    stats: dict[str, Any] = field(default_factory=dict)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _problem_texts(g: nx.MultiDiGraph) -> tuple[list[str], list[str], list[str]]:
    ids, docs, texts = [], [], []
    for n, d in g.nodes(data=True):
        if d.get("type") == "Problem" and d.get("status") != "none_found":
            ids.append(n)
            docs.append(d.get("doc") or "")
            # the lead sentence carries the claim; the first part of the body disambiguates short titles
            texts.append((d.get("title") or "") + "。" + (d.get("text") or "")[:80])
    return ids, docs, texts


def _vectors(texts: list[str]) -> tuple[list[dict[str, float]], dict[str, float]]:
    df: Counter[str] = Counter()
    grams = [Counter(bigrams(t)) for t in texts]
    for c in grams:
        df.update(c.keys())
    n = len(texts)
    idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
    vecs = []
    for c in grams:
        v = {t: (1 + math.log(k)) * idf[t] for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({t: x / norm for t, x in v.items()})
    return vecs, idf


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def group_problems(
    g: nx.MultiDiGraph, threshold: float = 0.55, keys_per_item: int = 8, max_posting: int = 400
) -> ClusterResult:
    """Clusters of similar problems across the corpus (a cluster needs two or more documents)."""
    ids, docs, texts = _problem_texts(g)
    # 1. identical wordings (after normalisation) are one representative
    rep_of: dict[str, int] = {}
    members: list[list[int]] = []
    rep_text: list[str] = []
    for i, t in enumerate(texts):
        key = normalise_problem(t)
        if key not in rep_of:
            rep_of[key] = len(members)
            members.append([])
            rep_text.append(t)
        members[rep_of[key]].append(i)
    vecs, idf = _vectors(rep_text)
    # 2. candidates: representatives sharing at least two of their most distinctive bigrams
    postings: dict[str, list[int]] = {}
    for r, v in enumerate(vecs):
        top = sorted(v, key=lambda t: (-idf[t], t))[:keys_per_item]
        for t in top:
            postings.setdefault(t, []).append(r)
    shared: Counter[tuple[int, int]] = Counter()
    for plist in postings.values():
        if len(plist) > max_posting:
            continue  # too common to distinguish anything
        for i in range(len(plist)):
            for j in range(i + 1, len(plist)):
                shared[(plist[i], plist[j])] += 1
    uf = _UnionFind(len(members))
    scored = 0
    for (a, b), k in shared.items():
        if k < 2:
            continue
        scored += 1
        if _cos(vecs[a], vecs[b]) >= threshold:
            uf.union(a, b)
    return _result(ids, docs, members, uf, scored)


def _result(ids: list[str], docs: list[str], members: list[list[int]], uf: _UnionFind, scored: int) -> ClusterResult:
    groups: dict[int, list[int]] = {}
    for r in range(len(members)):
        groups.setdefault(uf.find(r), []).extend(members[r])
    clusters = []
    for items in groups.values():
        if len({docs[i] for i in items}) < 2:
            continue
        clusters.append(sorted(ids[i] for i in items))
    clusters.sort(key=lambda c: (-len(c), c[0]))
    return ClusterResult(clusters, pairs_scored=scored, representatives=len(members))


def group_problems_all_pairs(g: nx.MultiDiGraph, threshold: float = 0.55) -> ClusterResult:
    """The naive baseline for the benchmark: every pair of problems compared (dense, chunked)."""
    ids, docs, texts = _problem_texts(g)
    vecs, _ = _vectors(texts)
    vocab: dict[str, int] = {}
    for v in vecs:
        for t in v:
            vocab.setdefault(t, len(vocab))
    n = len(vecs)
    uf = _UnionFind(n)
    mat = np.zeros((n, len(vocab)), dtype=np.float32)
    for r, v in enumerate(vecs):
        for t, x in v.items():
            mat[r, vocab[t]] = x
    chunk = 512
    for s in range(0, n, chunk):
        sims = mat[s : s + chunk] @ mat.T
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            if s + r < c:
                uf.union(s + r, c)
    members = [[i] for i in range(n)]
    return _result(ids, docs, members, uf, n * (n - 1) // 2)


def add_similar_edges(g: nx.MultiDiGraph, result: ClusterResult) -> int:
    """A star per cluster: each member SIMILAR_TO the cluster's first member, with the cosine as score;
    the cluster id and size go on every member (n² edges would drown the graph for boilerplate)."""
    for u, v, k, d in list(g.edges(keys=True, data=True)):
        if d.get("type") == "SIMILAR_TO" and d.get("origin") == "inferred":
            g.remove_edge(u, v, k)
    n = 0
    summaries = []
    for c, members in enumerate(result.clusters, 1):
        rep = members[0]
        rep_text = g.nodes[rep].get("title") or ""
        rv = Counter(bigrams(rep_text))
        for m in members:
            g.nodes[m]["cluster"] = c
            g.nodes[m]["cluster_size"] = len(members)
            if m == rep:
                continue
            mv = Counter(bigrams(g.nodes[m].get("title") or ""))
            inter = sum((rv & mv).values())
            score = round(inter / max(1, max(sum(rv.values()), sum(mv.values()))), 3)
            g.add_edge(
                m,
                rep,
                key="SIMILAR_TO",
                type="SIMILAR_TO",
                origin="inferred",
                score=score,
                evidence={"cluster": c, "representative": rep_text},
            )
            n += 1
        summaries.append(
            {
                "id": c,
                "size": len(members),
                "representative": rep,
                "title": rep_text,
                "members": list(members),
                "documents": sorted({doc for m in members if (doc := g.nodes[m].get("doc"))}),
            }
        )
    g.graph["clusters"] = summaries
    return n
