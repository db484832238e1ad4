"""Content anchors: finding a decision's node again after the document was rebuilt or renumbered.

Node ids are positional (P2.3) and change when a document is renumbered, so each decision keeps an
anchor per node — document, type, normalised title, a hash of the normalised text and the text itself
(truncated) — and is re-attached by content: same text, else the same title, else character-bigram
TF-IDF similarity ≥ SIM_MIN with a margin of SIM_MARGIN over the runner-up. A node that cannot be found
makes its decision an orphan (see records.py)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import networkx as nx

from tracegraph.graph.curation.inputs import clean_text
from tracegraph.graph.link.similarity import BigramTfidf

SIM_MIN = 0.6  # measured on the sample: the same item edited ≥ 0.94, an item merged into a larger one ≈ 0.55
SIM_MARGIN = 0.1  # and clearly better than the next candidate (unrelated items of a document score < 0.3)
ANCHOR_TEXT_CHARS = 1000

_WS = re.compile(r"\s+")
_LEAD_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十百]{1,3}是|第[一二三四五六七八九十百]{1,3}[,，、]?|(?:首先|其次|再次|最后)[,，]?"
    r"|[一二三四五六七八九十百]{1,3}[、.]|\(?[一二三四五六七八九十百0-9]{1,3}\)[、.]?|[0-9]{1,3}[、.](?![0-9])"
    r"|问题[0-9一二三四五六七八九十]{1,3}[:、.]?)"
)
_TRAIL = re.compile(r"[。；;.,，:：!！?？\s]+$")


def normalise_content(text: str) -> str:
    """Text as content, not layout: width/compatibility forms folded, white space and the leading
    enumeration marker (一是 / 1. / （一）) removed — renumbering must not change it."""
    s = _WS.sub("", unicodedata.normalize("NFKC", text or ""))
    s = _LEAD_MARKER.sub("", s, count=1)
    return _TRAIL.sub("", s)


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_content(text).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Anchor:
    """Where a decision's node was, by content: enough to find it again after renumbering."""

    node: str
    doc: str | None
    type: str
    title: str  # normalised
    hash: str
    text: str  # original text, truncated

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, s: str | None) -> Anchor | None:
        """A damaged anchor is treated as a node that cannot be found (orphan), never as a crash."""
        if not s:
            return None
        try:
            d = json.loads(s)
            return cls(
                node=str(d["node"]),
                doc=None if d.get("doc") is None else str(d["doc"]),
                type=str(d["type"]),
                title=str(d.get("title") or ""),
                hash=str(d.get("hash") or ""),
                text=str(d.get("text") or ""),
            )
        except (ValueError, KeyError, TypeError):
            return None


def make_anchor(g: nx.MultiDiGraph, n: str) -> Anchor:
    """The anchor of a node as the parser built it (an analyst's own title/type edits are not content)."""
    d = g.nodes[n]
    text = str(d.get("text") or d.get("title") or "")
    return Anchor(
        node=n,
        doc=d.get("doc"),
        type=str(d.get("orig_type") or d.get("type") or ""),
        title=normalise_content(str(d.get("orig_title", d.get("title")) or "")),
        hash=content_hash(text),
        text=text[:ANCHOR_TEXT_CHARS],
    )


class AnchorResolver:
    """Finds each anchor's node in a (freshly built) graph: same id and text, same text, same title,
    then text similarity within the same document and node type."""

    def __init__(self, g: nx.MultiDiGraph, redirects: dict[str, str] | None = None) -> None:
        self.g = g
        self.redirects = redirects or {}
        self._groups: dict[tuple[str | None, str], list[tuple[str, str, str, str]]] | None = None
        self._models: dict[tuple[str | None, str], tuple[BigramTfidf, Any]] = {}
        self._cache: dict[Anchor, tuple[str | None, str]] = {}

    def groups(self) -> dict[tuple[str | None, str], list[tuple[str, str, str, str]]]:
        if self._groups is None:
            out: dict[tuple[str | None, str], list[tuple[str, str, str, str]]] = {}
            for n, d in self.g.nodes(data=True):
                if d.get("doc") is None or d.get("type") == "Document":
                    continue
                text = str(d.get("text") or d.get("title") or "")
                typ = str(d.get("orig_type") or d.get("type") or "")
                title = normalise_content(str(d.get("orig_title", d.get("title")) or ""))
                out.setdefault((d.get("doc"), typ), []).append((n, title, content_hash(text), text))
            for v in out.values():
                v.sort(key=lambda r: (self.g.nodes[r[0]].get("start") or 0, r[0]))
            self._groups = out
        return self._groups

    def resolve(self, a: Anchor | None) -> tuple[str | None, str]:
        """(node id or None, how it was found: id | text | title | similar | merged)."""
        if a is None:
            return None, ""
        if a not in self._cache:
            self._cache[a] = self._resolve(a)
        return self._cache[a]

    def _resolve(self, a: Anchor) -> tuple[str | None, str]:
        if a.doc is None or a.type == "Document":
            n, how = a.node, "id"
            seen = set()
            while n not in self.g and n in self.redirects and n not in seen:
                seen.add(n)
                n, how = self.redirects[n], "merged"
            return (n, how) if n in self.g else (None, "")
        cands = self.groups().get((a.doc, a.type), [])
        if not cands:
            return None, ""
        same = [c for c in cands if c[2] == a.hash]
        for c in same:
            if c[0] == a.node:
                return c[0], "id"
        if same:
            return same[0][0], "text"
        if a.title and len(a.title) >= 2:
            titled = [c for c in cands if c[1] == a.title]
            if len(titled) == 1:
                return titled[0][0], "title"
            if titled:
                best = self._similar(a, titled, margin=0.0, floor=0.0)
                if best:
                    return best, "title"
        best = self._similar(a, cands, margin=SIM_MARGIN, floor=SIM_MIN)
        return (best, "similar") if best else (None, "")

    def _similar(self, a: Anchor, cands: list[tuple[str, str, str, str]], margin: float, floor: float) -> str | None:
        key = (a.doc, a.type)
        if key not in self._models:
            texts = [c[3][:ANCHOR_TEXT_CHARS] for c in self.groups()[key]]
            model = BigramTfidf(texts)
            self._models[key] = (model, model.matrix(texts))
        model, mat = self._models[key]
        index = {c[0]: i for i, c in enumerate(self.groups()[key])}
        vec = model.matrix([a.text[:ANCHOR_TEXT_CHARS]])[0]
        scored = sorted(((float(mat[index[c[0]]] @ vec), c[0]) for c in cands), reverse=True)
        if not scored or scored[0][0] < floor:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < margin:
            return None
        return scored[0][1]


def resolve_node_ref(g: nx.MultiDiGraph, ref: str) -> str:
    """A node id as typed: full (doc:P5.2), short when unambiguous (P5.2), or a policy name (两个责任)."""
    ref = clean_text(ref, 500, "节点编号", required=True)
    if ref in g:
        return ref
    if f"policy:{ref}" in g:
        return f"policy:{ref}"
    from tracegraph.graph.query.subgraph import resolve_id

    return resolve_id(g, ref)
