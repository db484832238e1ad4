"""Lexical similarity for Chinese without segmentation: TF-IDF over character bigrams, IDF fitted on
the document's own sentences (measured best on this family of texts; a word segmenter hides the
sub-word overlap that carries the signal)."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Set
from functools import lru_cache

import numpy as np

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")
_REDACTED = re.compile(r"[XＸx×*＊]+")

# Bigrams that carry no topic in this genre (班子/领导/工作/方面/不够 …) — they still count, at a low weight.
_GENRE_STOP = set(
    "领导 导班 班子 部领 子成 成员 工作 方面 不够 还不 存在 问题 进一 一步 加强 提高 深入 认真 坚持 "
    "做到 没有 一些 还有 不足 到位 推动 落实 能够 我们 进行 的问 的工 有些 以及 是在 一定 定的".split()
)


def bigrams(text: str) -> list[str]:
    text = _REDACTED.sub(" ", text)
    out: list[str] = []
    for run in _HAN_RUN.findall(text):
        if run.isascii():
            out.append(run.lower())
            continue
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


Vector = dict[str, float]


class BigramTfidf:
    """Fit on a collection of sentences; transform texts to L2-normalised sparse vectors."""

    def __init__(self, sentences: Iterable[str]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for s in sentences:
            n += 1
            df.update(set(bigrams(s)))
        self.n = max(n, 1)
        self.idf = {t: math.log((1 + self.n) / (1 + c)) + 1.0 for t, c in df.items()}
        self.default_idf = math.log(1 + self.n) + 1.0
        self.vocab = {t: i for i, t in enumerate(self.idf)}
        self._weights = np.array([self.weight(t) for t in self.vocab], dtype=np.float64)

    def weight(self, term: str) -> float:
        w = self.idf.get(term, self.default_idf)
        return w * 0.3 if term in _GENRE_STOP else w

    def transform(self, text: str) -> Vector:
        tf = Counter(bigrams(text))
        vec = {t: (1.0 + math.log(c)) * self.weight(t) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def matrix(self, texts: list[str]) -> np.ndarray:
        """Dense L2-normalised rows over the fitted vocabulary (bigrams outside it are dropped), so
        a whole document's similarities are one matrix product."""
        out = np.zeros((len(texts), len(self.vocab)), dtype=np.float64)
        for r, text in enumerate(texts):
            tf = Counter(bigrams(text))
            for t, c in tf.items():
                j = self.vocab.get(t)
                if j is not None:
                    out[r, j] = 1.0 + math.log(c)
        out *= self._weights
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


_EDGE_CHARS = "的了和与及是在还对要把将等中上也都有并而被为之其"


def _clean_term(term: str) -> str:
    """Drop function characters at either end (的任 → 任, 要求还 → 要求)."""
    while term and term[0] in _EDGE_CHARS:
        term = term[1:]
    while term and term[-1] in _EDGE_CHARS:
        term = term[:-1]
    return term


@lru_cache(maxsize=8)
def _common_parts(common: frozenset[str]) -> frozenset[str]:
    """Every piece (two characters or more) of the document's ubiquitous four-character strings."""
    return frozenset(c[i:j] for c in common for i in range(len(c)) for j in range(i + 2, len(c) + 1))


def shared_terms(
    a: str,
    b: str,
    model: BigramTfidf | DocumentVectors,
    limit: int = 6,
    common: Set[str] | None = None,
    gram: int = 4,
) -> list[str]:
    """Longest common substrings (≥2 Han characters) of two texts, most informative first; `common`
    lists `gram`-character strings found nearly everywhere in the document (部领导班子及成员), which
    explain nothing, and no term containing one of them is kept."""
    grams_b = {b[i : i + 2] for i in range(len(b) - 1)}
    parts = _common_parts(frozenset(common)) if common else frozenset()
    runs: list[str] = []
    for run in _HAN_RUN.findall(_REDACTED.sub(" ", a)):
        i = 0
        while i < len(run) - 1:
            if run[i : i + 2] in grams_b:
                j = i + 2
                while j < len(run) and run[j - 1 : j + 1] in grams_b and run[i : j + 1] in b:
                    j += 1
                runs.append(run[i:j])
                i = j
            else:
                i += 1
    scored = {}
    for r in runs:
        r = _clean_term(r)
        if len(r) < 2 or r in parts or (common and any(r[k : k + gram] in common for k in range(len(r) - gram + 1))):
            continue
        grams = [r[k : k + 2] for k in range(len(r) - 1)]
        scored[r] = sum(model.weight(g) for g in grams if g not in _GENRE_STOP)
    best = sorted(scored, key=lambda r: (-scored[r], r))
    out: list[str] = []
    for r in best:
        if scored[r] <= 0 or any(r in o for o in out):
            continue
        out.append(r)
        if len(out) >= limit:
            break
    return out


_GENRE_STOP_IDS = np.array(sorted(ord(t[0]) * 65536 + ord(t[1]) for t in _GENRE_STOP if len(t) == 2), dtype=np.int64)


class DocumentVectors:
    """Character-bigram TF-IDF for one document, computed on code-point arrays: every span's vector is a
    slice and a count, so linking a 25 KB document costs a few milliseconds instead of Python loops."""

    def __init__(self, text: str, sentence_spans: list[tuple[int, int]], offset: int = 0) -> None:
        """`text` may be a window of the document starting at `offset`; spans stay document offsets."""
        self.offset = offset
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        han = (codes >= 0x4E00) & (codes <= 0x9FFF)
        if len(codes) >= 2:
            valid = han[:-1] & han[1:]
            ids = codes[:-1] * 65536 + codes[1:]
        else:
            valid = np.zeros(0, dtype=bool)
            ids = np.zeros(0, dtype=np.int64)
        self.vocab = np.unique(ids[valid])
        self.index = np.where(valid, np.searchsorted(self.vocab, ids), -1)
        df = np.zeros(len(self.vocab))
        for s, e in sentence_spans:
            s, e = s - offset, e - offset
            u = np.unique(self.index[s : max(s, e - 1)])
            df[u[u >= 0]] += 1
        n = max(len(sentence_spans), 1)
        self.weights = np.log((1 + n) / (1 + df)) + 1.0
        self.weights[np.isin(self.vocab, _GENRE_STOP_IDS)] *= 0.3

    def weight(self, term: str) -> float:
        """IDF weight of one bigram (0 when the document never uses it)."""
        if len(term) != 2 or not len(self.vocab):
            return 0.0
        cache = self.__dict__.setdefault("_weight_cache", {})
        if term not in cache:
            key = ord(term[0]) * 65536 + ord(term[1])
            pos = int(np.searchsorted(self.vocab, key))
            cache[term] = float(self.weights[pos]) if pos < len(self.vocab) and self.vocab[pos] == key else 0.0
        return cache[term]

    def _vector(self, idx: np.ndarray) -> np.ndarray:
        v = np.zeros(len(self.vocab))
        idx = idx[idx >= 0]
        if len(idx):
            u, c = np.unique(idx, return_counts=True)
            v[u] = (1.0 + np.log(c)) * self.weights[u]
            norm = np.linalg.norm(v)
            if norm:
                v /= norm
        return v

    def span(self, start: int, end: int) -> np.ndarray:
        start, end = start - self.offset, end - self.offset
        return self._vector(self.index[start : max(start, end - 1)])

    def spans(self, spans: list[tuple[int, int]]) -> np.ndarray:
        """One row per span, computed with a single count over all spans (spans may overlap)."""
        n, v = len(spans), len(self.vocab)
        out = np.zeros((n, v))
        if not n or not v:
            return out
        o = self.offset
        pieces = [self.index[s - o : max(s - o, e - o - 1)] for s, e in spans]
        rows = np.repeat(np.arange(n, dtype=np.int64), [len(p) for p in pieces])
        cols = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
        keep = cols >= 0
        keys, counts = np.unique(rows[keep] * v + cols[keep], return_counts=True)
        r, c = np.divmod(keys, v)
        out[r, c] = (1.0 + np.log(counts)) * self.weights[c]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def text(self, text: str) -> np.ndarray:
        """A vector for text from outside the document (a quoted problem name); unknown bigrams drop out."""
        codes = [ord(c) for c in text]
        ids = np.array(
            [a * 65536 + b for a, b in itertools.pairwise(codes) if 0x4E00 <= a <= 0x9FFF and 0x4E00 <= b <= 0x9FFF],
            dtype=np.int64,
        )
        if not len(ids) or not len(self.vocab):
            return np.zeros(len(self.vocab))
        pos = np.clip(np.searchsorted(self.vocab, ids), 0, len(self.vocab) - 1)
        return self._vector(np.where(self.vocab[pos] == ids, pos, -1))
