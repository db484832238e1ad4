"""Where in the material: word and pattern hits as source spans, the innermost item around a span with a
readable location (section › area › marker), and short labels for messages. Every finding points at the
sentence that triggered it through these."""

from __future__ import annotations

import re

import networkx as nx

from tracegraph.graph.model.schema import ITEM_TYPES
from tracegraph.graph.query.queries import doc_index
from tracegraph.graph.review.results import Evidence


def regex_hits(patterns: list[re.Pattern[str]], text: str, offset: int) -> list[tuple[int, int, str]]:
    """Matches of any pattern, longest first where they overlap, as absolute spans."""
    hits = [(m.start(), m.end()) for p in patterns for m in p.finditer(text) if m.end() > m.start()]
    return _non_overlapping(hits, text, offset)


def word_hits(words: list[str], text: str, offset: int) -> list[tuple[int, int, str]]:
    hits = []
    for w in words:
        i = text.find(w)
        while i >= 0:
            hits.append((i, i + len(w)))
            i = text.find(w, i + 1)
    return _non_overlapping(hits, text, offset)


def _non_overlapping(hits: list[tuple[int, int]], text: str, offset: int) -> list[tuple[int, int, str]]:
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[tuple[int, int, str]] = []
    last_end = -1
    for s, e in hits:
        if s >= last_end:
            out.append((s + offset, e + offset, text[s:e]))
            last_end = e
    return out


class Locator:
    """Innermost item of a document around a span, and a readable location (section › area › marker)."""

    def __init__(self, g: nx.MultiDiGraph, doc: str) -> None:
        self.g = g
        own = ((n, g.nodes[n]) for n in doc_index(g).get(doc, []))
        self.items = [
            (d["start"], d["end"], n) for n, d in own if d.get("type") in ITEM_TYPES and d.get("start") is not None
        ]

    def node_at(self, start: int, end: int) -> str | None:
        best: tuple[int, str] | None = None
        for s, e, n in self.items:
            if s <= start and end <= e and (best is None or e - s < best[0]):
                best = (e - s, n)
        if best is None:
            for s, e, n in self.items:
                if s <= start < e and (best is None or e - s < best[0]):
                    best = (e - s, n)
        return best[1] if best else None

    def where(self, n: str | None) -> str:
        if not n or n not in self.g:
            return ""
        parts = []
        cur: str | None = n
        seen = set()
        while cur and cur not in seen:
            seen.add(cur)
            d = self.g.nodes[cur]
            if d.get("type") == "Document":
                break
            if d.get("type") in ("Section", "Area"):
                t = d.get("title") or ""
                parts.append(f"{d.get('marker') or ''}{t[:24]}{'…' if len(t) > 24 else ''}")
            elif cur == n:
                tail = d.get("marker") or (d.get("path") or "").split("/", 1)[-1]
                parts.append(f"{short_id(n)} {tail}".strip())
            cur = parent_of(self.g, cur)
        return " › ".join(reversed(parts))

    def evidence(self, label: str, doc: str, start: int, end: int, text: str, node: str | None = None) -> Evidence:
        node = node or self.node_at(start, end)
        return Evidence(label, text, doc, start, end, node, self.where(node))

    def source(self, n: str) -> Evidence:
        d = self.g.nodes[n]
        return Evidence(
            "原文",
            d.get("title") or d.get("text") or "",
            d.get("doc") or "",
            d.get("start") or 0,
            d.get("end") or 0,
            n,
            self.where(n),
        )


def parent_of(g: nx.MultiDiGraph, n: str) -> str | None:
    for u, _, d in g.in_edges(n, data=True):
        if d.get("type") in ("CONTAINS", "HAS_EXAMPLE", "HAS_ACTION"):
            return u
    return None


def short_id(n: str) -> str:
    return n.split(":", 1)[1] if ":" in n else n


def label_of(g: nx.MultiDiGraph, n: str) -> str:
    t = g.nodes[n].get("title") or ""
    return f"{short_id(n)}“{t[:30]}{'…' if len(t) > 30 else ''}”"


def nodes_of(g: nx.MultiDiGraph, doc: str, t: str) -> list[str]:
    ns = [n for n in doc_index(g).get(doc, []) if g.nodes[n].get("type") == t]
    return sorted(ns, key=lambda n: (g.nodes[n].get("start") or 0, n))
