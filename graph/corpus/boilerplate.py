"""Sentence index for boilerplate (套话/雷同) detection across a corpus of materials.

Materials copy each other by the clause, not by the whole sentence: the sample's first and second
causes share "对学习…标准不够严、悟得不够透，没有真正上升为理性认识、转化为具体行动" inside two
different sentences. So the unit is the clause (split at 。！？；，：), hashed after normalisation (width,
spaces, punctuation and redaction marks removed), and consecutive matching clauses are merged back into
passages for the reader. Building is one pass over all clauses and each document's query touches only
its own clauses, so a corpus of 10,000 documents is indexed in linear time, never pairwise.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from tracegraph.loaders.textutil import normalise

_CLAUSE = re.compile(r"[^。！？!?；;，,：:\n\r]+[。！？!?；;，,：:]?")
_REDACTED = re.compile(r"[XＸx×*＊]+")
_NON_WORD = re.compile(r"[\W_]+")


def normalise_clause(text: str) -> str:
    """What two clauses must share to count as the same: characters, not punctuation or layout."""
    s = _REDACTED.sub("X", normalise(text))
    return _NON_WORD.sub("", s).lower()


def _key(norm: str) -> int:
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Clause:
    start: int
    end: int  # trailing ，；： left out, so a passage quotes as the reader would
    key: int
    chars: int  # normalised length
    quoted: bool = False  # inside “…”: somebody else's words, not the writer's


@dataclass
class Passage:
    """A run of consecutive clauses found again: within the document (occurrences ≥ 2) or in others."""

    doc: str
    text: str  # as written at the first occurrence
    chars: int  # normalised length
    occurrences: list[tuple[int, int]]  # spans in `doc`
    runs: list[tuple[int, int]] = field(default_factory=list)  # first and last clause index per occurrence
    other_docs: list[str] = field(default_factory=list)  # cross-document passages: up to `name_cap` names
    other_count: int = 0  # how many other documents contain it
    quoted: bool = False  # a quotation (引文) rather than the writer's own wording


def split_clauses(text: str, min_chars: int) -> list[Clause]:
    """Clause spans of `text` with their hash; clauses shorter than `min_chars` get key 0 (never matched).
    A clause is `quoted` when it lies inside “…” (quotes do not cross paragraphs)."""
    out: list[Clause] = []
    depth = 0
    last = 0
    for m in _CLAUSE.finditer(text):
        s, e = m.start(), m.end()
        if "\n" in text[last:s]:
            depth = 0
        last = e
        while s < e and text[s] in " \t\u3000\ufeff":
            s += 1
        lead = s
        while lead < e and text[lead] == "“":
            lead += 1
        quoted = depth + (lead - s) > 0
        depth = max(0, depth + text.count("“", m.start(), m.end()) - text.count("”", m.start(), m.end()))
        while e > s and text[e - 1] in " \t\u3000，,；;：:":
            e -= 1
        if s >= e:
            continue
        norm = normalise_clause(text[s:e])
        if not norm:
            continue
        out.append(Clause(s, e, _key(norm) if len(norm) >= min_chars else 0, len(norm), quoted))
    return out


class SentenceIndex:
    """Hash index of every document's clauses: which repeat inside a document, which recur in others."""

    def __init__(self, min_chars: int = 8, min_run_chars: int = 14, name_cap: int = 20) -> None:
        self.min_chars = min_chars
        self.min_run_chars = min_run_chars
        self.name_cap = name_cap
        self.texts: dict[str, str] = {}
        self.clauses: dict[str, list[Clause]] = {}
        self._docs: list[str] = []
        self._ordinal: dict[str, int] = {}
        self._postings: dict[int, list[int]] = {}  # key → ordinals of the documents that contain it
        self._fingerprint: dict[int, int] = {}

    @classmethod
    def from_graph(cls, g: nx.MultiDiGraph, **kw: int) -> SentenceIndex:
        """Index the full text of every document held in the graph (documents without text are skipped)."""
        docs = g.graph.get("documents", {})
        return cls.from_texts({d: (info.get("text") or "") for d, info in docs.items() if info.get("text")}, **kw)

    @classmethod
    def from_texts(cls, texts: Mapping[str, str] | Iterable[tuple[str, str]], **kw: int) -> SentenceIndex:
        idx = cls(**kw)
        items = texts.items() if isinstance(texts, Mapping) else texts
        for doc, text in items:
            idx.add(doc, text)
        return idx

    def add(self, doc: str, text: str) -> None:
        if doc in self.texts:
            raise ValueError(f"document {doc!r} indexed twice")
        ordinal = len(self._docs)
        self._docs.append(doc)
        self._ordinal[doc] = ordinal
        self.texts[doc] = text
        cl = split_clauses(text, self.min_chars)
        self.clauses[doc] = cl
        for k in {c.key for c in cl if c.key}:
            self._postings.setdefault(k, []).append(ordinal)
        self._fingerprint.clear()

    # ------------------------------------------------------------------ corpus-wide counts
    def doc_count(self, key: int) -> int:
        """Number of documents in which a clause occurs."""
        return len(self._postings.get(key, ()))

    def _fp(self, key: int) -> int:
        """Identity of a clause's document set, so runs only merge clauses shared with the same documents."""
        fp = self._fingerprint.get(key)
        if fp is None:
            fp = hash(tuple(self._postings.get(key, ())))
            self._fingerprint[key] = fp
        return fp

    # ------------------------------------------------------------------ per document
    def repeated_within(self, doc: str) -> list[Passage]:
        """Passages written twice or more in the same document (aligned runs of repeated clauses)."""
        cl = self.clauses.get(doc, [])
        positions: dict[int, list[int]] = {}
        for i, c in enumerate(cl):
            if c.key:
                positions.setdefault(c.key, []).append(i)
        rep = {k: p for k, p in positions.items() if len(p) > 1}
        seen: set[tuple[int, ...]] = set()
        out: list[Passage] = []
        for i, c in enumerate(cl):
            pos = rep.get(c.key) if c.key else None
            if not pos:
                continue
            prev = rep.get(cl[i - 1].key) if i and cl[i - 1].key and cl[i - 1].quoted == c.quoted else None
            if prev and [p + 1 for p in prev] == pos:
                continue  # continues a run that started earlier
            j = i
            while (
                j + 1 < len(cl)
                and cl[j + 1].key
                and cl[j + 1].quoted == c.quoted
                and rep.get(cl[j + 1].key) == [p + (j + 1 - i) for p in pos]
            ):
                j += 1
            starts = tuple(pos)
            if starts in seen:
                continue
            seen.add(starts)
            chars = sum(x.chars for x in cl[i : j + 1])
            if chars < self.min_run_chars:
                continue
            runs = [(p, p + j - i) for p in pos]
            occ = [(cl[a].start, cl[b].end) for a, b in runs]
            out.append(Passage(doc, self._text(doc, occ[0]), chars, occ, runs, quoted=c.quoted))
        return out

    def shared_with_others(self, doc: str) -> list[Passage]:
        """Passages that also occur in other documents, with how many and (up to `name_cap`) which."""
        cl = self.clauses.get(doc, [])
        me = self._ordinal.get(doc, -1)
        out: list[Passage] = []
        i = 0
        while i < len(cl):
            k = cl[i].key
            if not k or self.doc_count(k) < 2:
                i += 1
                continue
            fp = self._fp(k)
            j = i
            while (
                j + 1 < len(cl) and cl[j + 1].key and cl[j + 1].quoted == cl[i].quoted and self._fp(cl[j + 1].key) == fp
            ):
                j += 1
            chars = sum(x.chars for x in cl[i : j + 1])
            if chars >= self.min_run_chars:
                post = self._postings[k]
                names = [self._docs[o] for o in itertools.islice((o for o in post if o != me), self.name_cap)]
                span = (cl[i].start, cl[j].end)
                out.append(
                    Passage(
                        doc,
                        self._text(doc, span),
                        chars,
                        [span],
                        [(i, j)],
                        names,
                        len(post) - 1,
                        cl[i].quoted,
                    )
                )
            i = j + 1
        return out

    def total_chars(self, doc: str) -> int:
        return sum(c.chars for c in self.clauses.get(doc, []))

    def share(self, doc: str, passages: Iterable[Passage]) -> float:
        """Share of the document's (normalised) characters that lie in the given passages."""
        total = self.total_chars(doc)
        if not total:
            return 0.0
        cl = self.clauses[doc]
        marked: set[int] = set()
        for p in passages:
            for a, b in p.runs:
                marked.update(range(a, b + 1))
        return sum(cl[i].chars for i in marked) / total

    def _text(self, doc: str, span: tuple[int, int]) -> str:
        return self.texts[doc][span[0] : span[1]]
