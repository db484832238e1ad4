"""How a node id is shown to a reader: never ambiguous. With several documents in a graph, every short id
(``P1.2``) carries a short name of its document (``〔某某县委组织部…〕P1.2``), so two documents' items with the same
code and title are never named alike; with one document the short id alone is enough. The CLI, the app and the
exports all name documents and ids through here."""

from __future__ import annotations

import re
from weakref import WeakKeyDictionary

import networkx as nx

TAG_CHARS = 8
_CJK = re.compile(r"[\u4e00-\u9fff]")


# what doc_label reads of a document's `meta` when its title names nothing: 单位·文种（年份）
LABEL_META = ("organisation", "genre", "year")


def title_names(title: str) -> bool:
    """Whether a title names its document to a reader (it holds a Chinese word); else doc_label reads LABEL_META."""
    return bool(_CJK.search(title))


def doc_label(g: nx.MultiDiGraph, doc: str) -> str:
    """A document as a reader names it: its title; when the title is only a file name without a Chinese
    word (an id-like name), what the reader found out about it — 单位·文种（年份）."""
    d = g.graph.get("documents", {}).get(doc) or {}
    title = str(d.get("title") or doc)
    if title_names(title):
        return title
    meta = d.get("meta") or {}
    named = "·".join(str(meta[k]) for k in LABEL_META[:2] if meta.get(k))
    if not named:
        return title
    return named + (f"（{meta['year']}）" if meta.get("year") else "")


def _prefix(label: str, width: int) -> str:
    label = " ".join(label.split())
    return label if len(label) <= width else label[:width] + "…"


def doc_tags(g: nx.MultiDiGraph) -> dict[str, str]:
    """Each document's short name (the first ~8 characters of its label), unique among the graph's documents:
    names that collide grow longer, and documents whose labels are the same add their id. Empty when the graph
    holds one document or none (its ids need no document). Kept per graph while its documents' labels stay
    the same (a page names hundreds of ids of a thousand documents)."""
    docs = sorted(g.graph.get("documents", {}) or {})
    if len(docs) <= 1:
        return {}
    labels = {d: doc_label(g, d) for d in docs}
    key = tuple(labels.items())
    cached = _TAGS.get(g)
    if cached is not None and cached[0] == key:
        return dict(cached[1])
    tags = _doc_tags(docs, labels)
    _TAGS[g] = (key, tags)
    return dict(tags)


_TAGS: WeakKeyDictionary[nx.MultiDiGraph, tuple[tuple[tuple[str, str], ...], dict[str, str]]] = WeakKeyDictionary()


def _doc_tags(docs: list[str], labels: dict[str, str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    pending = docs
    for width in (TAG_CHARS, 2 * TAG_CHARS, 4 * TAG_CHARS):
        by_tag: dict[str, list[str]] = {}
        for d in pending:
            by_tag.setdefault(_prefix(labels[d], width), []).append(d)
        pending = []
        for tag, group in by_tag.items():
            if len(group) == 1 and tag not in tags.values():
                tags[group[0]] = tag
            else:
                pending += group
        if not pending:
            return tags
    for d in pending:
        tags[d] = f"{_prefix(labels[d], TAG_CHARS)}（{d}）"
    return tags


def short_code(n: str) -> str:
    """``doc:P5.2`` → ``P5.2`` (policy and speaker ids keep their name)."""
    return n.split(":", 1)[1] if ":" in n else n


def shown_id(g: nx.MultiDiGraph, n: str, tags: dict[str, str] | None = None) -> str:
    """A node's id as a reader sees it: ``P5.2``, with its document (``〔短名〕P5.2``) when the graph holds
    several. Shared nodes (policy references, speakers) belong to no document and keep their name. Pass
    ``tags`` (from :func:`doc_tags`) when naming many nodes of one graph."""
    sid = short_code(n)
    doc = g.nodes[n].get("doc") if n in g else None
    if not doc or n.startswith(("policy:", "speaker:")):
        return sid
    tag = (doc_tags(g) if tags is None else tags).get(doc)
    return f"〔{tag}〕{sid}" if tag else sid
