"""Parsed documents → one networkx MultiDiGraph with provenance (doc, start, end) on every text node.

Ids are positional codes inside a document (P2.3 = third problem of the second area, M4 = fourth
measure), prefixed with the document id: rebuilding gives the same ids and adding a document
changes none of the existing ones. Policy references and speakers are shared across documents.
"""

from __future__ import annotations

import bisect
from typing import Any

import networkx as nx

from tracegraph.graph.corpus.metadata import guess_metadata
from tracegraph.graph.model.schema import policy_id, speaker_id
from tracegraph.loaders import LoadedDocument, ParsedDocument
from tracegraph.loaders.references.policy import Lexicon, extract
from tracegraph.loaders.references.quotes import extract_quotes
from tracegraph.loaders.structure.reading import reading_report


def new_graph() -> nx.MultiDiGraph:
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    g.graph["documents"] = {}
    return g


def _codes(parsed: ParsedDocument) -> list[str]:
    """Positional code per item: S1, A2, P2.3, O1, C4, M5, M5.A2, P2.3.E1."""
    codes: list[str] = [""] * len(parsed.items)
    counters: dict[str, int] = {}
    area_no: dict[int, int] = {}
    per_area: dict[int, int] = {}
    per_parent: dict[tuple[int, str], int] = {}
    for i, it in enumerate(parsed.items):
        if it.type == "Area":
            counters["A"] = counters.get("A", 0) + 1
            area_no[i] = counters["A"]
            codes[i] = f"A{counters['A']}"
        elif it.type == "Problem":
            if it.attrs.get("other"):
                counters["O"] = counters.get("O", 0) + 1
                codes[i] = f"O{counters['O']}"
            elif it.attrs.get("area") is not None:
                a = it.attrs["area"]
                per_area[a] = per_area.get(a, 0) + 1
                codes[i] = f"P{area_no[a]}.{per_area[a]}"
            else:
                counters["P"] = counters.get("P", 0) + 1
                codes[i] = f"P{counters['P']}"
        elif it.type in ("Example", "Action"):
            key = (it.parent if it.parent is not None else -1, it.type)
            per_parent[key] = per_parent.get(key, 0) + 1
            suffix = "E" if it.type == "Example" else "A"
            codes[i] = (
                f"{codes[it.parent]}.{suffix}{per_parent[key]}"
                if it.parent is not None
                else f"{suffix}{per_parent[key]}"
            )
        else:
            prefix = {"Section": "S", "Cause": "C", "Measure": "M"}[it.type]
            counters[prefix] = counters.get(prefix, 0) + 1
            codes[i] = f"{prefix}{counters[prefix]}"
    # numbered-area problems may collide with plain ones in odd layouts; make every code unique
    seen: dict[str, int] = {}
    for i, c in enumerate(codes):
        if c in seen:
            seen[c] += 1
            codes[i] = f"{c}~{seen[c]}"
        else:
            seen[c] = 1
    return codes


def add_document(g: nx.MultiDiGraph, parsed: ParsedDocument, doc_id: str, lexicon: Lexicon | None = None) -> None:
    """Add one parsed document's nodes and parsed edges to `g` (replacing an earlier version)."""
    remove_document(g, doc_id)
    doc: LoadedDocument = parsed.doc
    text = doc.text
    g.graph["documents"][doc_id] = {
        "id": doc_id,
        "path": doc.path,
        "title": parsed.title,
        "sha256": doc.sha256,
        "encoding": doc.encoding,
        "chars": len(text),
        "format": doc.format,
        "text": text,
        "redactions": [list(r) for r in parsed.redactions],
        "reading": reading_report(parsed),
    }
    g.add_node(
        doc_id, type="Document", title=parsed.title, text="", doc=doc_id, start=0, end=len(text), path="", marker=""
    )
    codes = _codes(parsed)
    ids = [f"{doc_id}:{c}" for c in codes]
    spans: list[tuple[int, int, str, int]] = []  # (start, -end, id, depth) for innermost lookup
    for i, it in enumerate(parsed.items):
        attrs: dict[str, Any] = {
            "type": it.type,
            "title": text[it.title_start : it.title_end],
            # a section's text is its whole body: derivable from the span, so not stored twice
            "text": text[it.start : it.end] if it.type != "Section" else text[it.title_start : it.title_end],
            "doc": doc_id,
            "start": it.start,
            "end": it.end,
            "path": it.path,
            "marker": it.marker,
            "title_start": it.title_start,
            "title_end": it.title_end,
        }
        for k, v in it.attrs.items():
            if k == "area":
                attrs["area"] = ids[v]
            elif k == "explicit_problems":
                attrs["explicit_problems"] = [ids[x] for x in v]
            else:
                attrs[k] = v
        if it.type == "Area" and it.end < len(text) and text[it.end] in "。；;：:":
            attrs["end"] = it.end + 1
            attrs["text"] = text[it.start : it.end + 1]
        g.add_node(ids[i], **attrs)
        parent = ids[it.parent] if it.parent is not None else doc_id
        etype = {"Example": "HAS_EXAMPLE", "Action": "HAS_ACTION"}.get(it.type, "CONTAINS")
        g.add_edge(parent, ids[i], key=etype, type=etype, origin="parsed")
        spans.append((it.start, it.end, ids[i], _depth(parsed, i)))

    index = _SpanIndex(spans)
    mentions = extract(text, lexicon)
    for m in mentions:
        pid = policy_id(m.canonical)
        _shared_node(g, pid, "PolicyRef", m.canonical, kind=m.kind, canonical=m.canonical, aliases=[])
        node = g.nodes[pid]
        if m.surface not in node["aliases"]:
            node["aliases"] = [*node["aliases"], m.surface]
        src = _innermost(index, m.start, m.end) or doc_id
        key = "CITES"
        if g.has_edge(src, pid, key):
            e = g.edges[src, pid, key]
            e["mentions"] = [*e["mentions"], [doc_id, m.start, m.end, m.surface]]
        else:
            g.add_edge(src, pid, key=key, type="CITES", origin="parsed", mentions=[[doc_id, m.start, m.end, m.surface]])

    cited = sorted({m.canonical for m in mentions})
    meta = guess_metadata(text, parsed.title, cited)
    g.graph["documents"][doc_id]["meta"] = meta
    g.nodes[doc_id].update({k: meta[k] for k in ("organisation", "level", "year", "genre", "theme")})

    for n, q in enumerate(extract_quotes(text, mentions), 1):
        qid = f"{doc_id}:Q{n}"
        g.add_node(
            qid,
            type="Quote",
            title=text[q.start : q.end][:60],
            text=text[q.start : q.end],
            doc=doc_id,
            start=q.start,
            end=q.end,
            path="",
            marker="",
        )
        src = _innermost(index, q.start, q.end) or doc_id
        g.add_edge(src, qid, key="QUOTES", type="QUOTES", origin="parsed")
        sid = speaker_id(q.speaker)
        _shared_node(g, sid, "Speaker", q.speaker, kind=q.speaker_kind)
        g.add_edge(qid, sid, key="SAID_BY", type="SAID_BY", origin="parsed")


def _shared_node(g: nx.MultiDiGraph, nid: str, type_: str, name: str, **extra: Any) -> None:
    """A node shared by every document that mentions it (no doc, no span), created on first mention."""
    if nid not in g:
        g.add_node(nid, type=type_, title=name, text=name, doc=None, start=None, end=None, path="", marker="", **extra)


def _depth(parsed: ParsedDocument, i: int) -> int:
    d = 0
    parent = parsed.items[i].parent
    while parent is not None:
        parent = parsed.items[parent].parent
        d += 1
    return d


def _innermost(index: _SpanIndex, start: int, end: int) -> str | None:
    """The deepest item whose span holds [start, end). Items nest, so scanning back from the last item that
    starts at or before `start` meets the innermost container first (an index, not a scan of every item)."""
    k = bisect.bisect_right(index.starts, start) - 1
    while k >= 0:
        s, e, nid, depth = index.spans[k]
        if e >= end:
            best = (depth, nid)
            j = k - 1  # items starting at the same place (a section and its first area): the deeper one
            while j >= 0 and index.spans[j][0] == s:
                if index.spans[j][1] >= end and index.spans[j][3] > best[0]:
                    best = (index.spans[j][3], index.spans[j][2])
                j -= 1
            return best[1]
        k -= 1
    return None


class _SpanIndex:
    def __init__(self, spans: list[tuple[int, int, str, int]]) -> None:
        self.spans = sorted(spans, key=lambda x: (x[0], x[3]))
        self.starts = [x[0] for x in self.spans]


def remove_document(g: nx.MultiDiGraph, doc_id: str) -> None:
    """Drop a document's own nodes; shared PolicyRef/Speaker nodes stay while anything cites them."""
    if doc_id not in g.graph["documents"] and doc_id not in g:
        return  # nothing to do: the common case while building, kept O(1)
    own = [n for n, d in g.nodes(data=True) if d.get("doc") == doc_id or n == doc_id]
    shared = {v for n in own for v in g.successors(n) if g.nodes[v].get("type") in ("PolicyRef", "Speaker")}
    shared |= {
        v for n in own for _, q in g.out_edges(n) for v in g.successors(q) if g.nodes[v].get("type") == "Speaker"
    }
    g.remove_nodes_from(own)
    g.graph["documents"].pop(doc_id, None)
    g.remove_nodes_from([n for n in shared if n in g and g.degree(n) == 0])
