"""The linker's arithmetic, free of graph and document: z-scores, the z → [0, 1] score curve, root-category
vectors, rare character strings and the one-to-one pairing of measures with causes. Kept apart so each piece
can be read and tested on plain numbers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import numpy as np

from tracegraph.graph.link.concepts import load_categories

R = TypeVar("R")
C = TypeVar("C")


def zscores(values: list[float]) -> list[float]:
    if len(values) < 2:
        return [1.0 for _ in values]
    a = np.asarray(values, dtype=np.float64)
    sd = float(a.std()) or 1.0
    return ((a - a.mean()) / sd).tolist()


def zscore_cols(a: np.ndarray) -> np.ndarray:
    """z-score each column (over the sources); a single source gets 1, a constant column 0."""
    if a.shape[0] < 2:
        return np.ones_like(a)
    sd = a.std(axis=0)
    sd[sd == 0] = 1.0
    return (a - a.mean(axis=0)) / sd


def to_score(value: float, centre: float, slope: float) -> float:
    """Map a combined z-score to [0, 1]: 0.5 at z = centre; with the defaults (1.0, 0.9) 0.86 at z = 3."""
    return round(1.0 / (1.0 + math.exp(-slope * (value - centre))), 3)


@lru_cache(maxsize=4)
def _concept_patterns(categories: tuple[tuple[str, tuple[str, ...]], ...]) -> list[re.Pattern[str]]:
    return [re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))) for _, words in categories]


def concept_matrix(texts: list[str]) -> np.ndarray:
    """One L2-normalised row per text: 1 + log(count) of each root category's signal words."""
    cats = tuple((k, tuple(v)) for k, v in load_categories().items())
    pats = _concept_patterns(cats)
    out = np.zeros((len(texts), len(pats)))
    for r, text in enumerate(texts):
        for k, pat in enumerate(pats):
            n = len(pat.findall(text))
            if n:
                out[r, k] = 1.0 + math.log(n)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def han_grams(text: str, n: int) -> set[str]:
    """Every string of n consecutive Han characters in the text."""
    return {run[i : i + n] for run in _HAN_RUN.findall(text) for i in range(len(run) - n + 1)}


def assignment(rows: list[R], cols: list[C], score: Callable[[R, C], float], exact_max: int) -> list[tuple[R, C]]:
    """Best one-to-one pairing of rows to distinct columns: exact dynamic programming over the set of
    columns used (a document has a handful of measures and causes, at most `exact_max` columns); greedy
    for unusually many."""
    if not rows or not cols:
        return []
    m = np.array([[score(r, c) for c in cols] for r in rows], dtype=np.float64)
    nr, nc = m.shape
    if nr <= nc and nc <= exact_max:
        best: dict[int, tuple[float, tuple[int, ...]]] = {0: (0.0, ())}
        for i in range(nr):
            nxt: dict[int, tuple[float, tuple[int, ...]]] = {}
            for mask, (total, picks) in best.items():
                for j in range(nc):
                    if mask >> j & 1:
                        continue
                    key = mask | 1 << j
                    val = total + m[i, j]
                    if key not in nxt or val > nxt[key][0]:
                        nxt[key] = (val, (*picks, j))
            best = nxt
        _total, picks = max(best.values(), key=lambda x: x[0])
        return [(rows[i], cols[j]) for i, j in enumerate(picks)]
    pairs = sorted(((m[i, j], i, j) for i in range(nr) for j in range(nc)), reverse=True)
    used_r: set[int] = set()
    used_c: set[int] = set()
    out = []
    for _s, i, j in pairs:
        if i in used_r or (j in used_c and len(used_c) < nc):
            continue
        used_r.add(i)
        used_c.add(j)
        out.append((rows[i], cols[j]))
    return out
