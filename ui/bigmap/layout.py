"""What the 全图 page draws: every node of the workspace (or of one document) at a fixed place, as flat arrays
the WebGL script uploads to the GPU as they are. Each document is a tile with the traceability columns
方面 · 原因 · 问题 · 整改措施 · 具体举措 in reading order; policy references (shared by documents) stand in a
block of their own to the right, most cited first. Past ``MAP_LIMIT`` nodes the page draws the grouped
overview instead: one point per document, sized by its items, that opens the document on click.

The layout is O(nodes): no force simulation, so 100,000 nodes cost no more than reading them once."""

from __future__ import annotations

import math
import os
from typing import Any

import networkx as nx

from tracegraph.graph.exporters._style import EDGE_COLOURS, NONE_FOUND_COLOUR, TYPE_COLOURS
from tracegraph.graph.model.schema import LINK_TYPES, TYPE_LABELS_ZH
from tracegraph.graph.query.naming import doc_label, doc_tags, shown_id

MAP_TYPES = ("Area", "Cause", "Problem", "Measure", "Action", "PolicyRef")
COLUMNS = {"Area": 0, "Cause": 1, "Problem": 2, "Measure": 3, "Action": 4}
PRIORITY = {"Document": 100, "Area": 80, "Problem": 60, "Measure": 50, "Cause": 45, "PolicyRef": 40, "Action": 10}
SIZES = {"Document": 14, "Area": 8, "Problem": 7, "Measure": 7, "Cause": 6, "PolicyRef": 6, "Action": 4}
EDGE_TYPES = (*LINK_TYPES, "HAS_ACTION", "CONTAINS", "CITES")
COL_W, ROW_H, TILE_PAD = 60.0, 12.0, 50.0


def map_limit() -> int:
    """Nodes drawn one by one before the page groups them (``TRACEGRAPH_MAP_LIMIT``, default 20,000)."""
    try:
        return max(100, int(os.environ.get("TRACEGRAPH_MAP_LIMIT", "20000")))
    except ValueError:
        return 20000


def _palette() -> tuple[list[str], dict[str, int]]:
    colours = [*TYPE_COLOURS.values(), NONE_FOUND_COLOUR]
    index = {t: i for i, t in enumerate(TYPE_COLOURS)}
    index["none_found"] = len(colours) - 1
    return colours, index


def _doc_order(g: nx.MultiDiGraph, docs: list[str]) -> list[str]:
    meta = g.graph.get("documents", {}) or {}
    return sorted(docs, key=lambda d: (str((meta.get(d) or {}).get("meta", {}).get("year") or ""), doc_label(g, d), d))


def nodes_to_draw(g: nx.MultiDiGraph, doc: str | None, types: tuple[str, ...] = MAP_TYPES) -> dict[str, list[str]]:
    """Per document, its nodes of ``types`` in reading order; shared policy references under ''."""
    by_doc: dict[str, list[tuple[Any, str]]] = {}
    for n, d in g.nodes(data=True):
        t = d.get("type")
        if t not in types:
            continue
        if t == "PolicyRef":
            continue
        owner = d.get("doc") or ""
        if doc and owner != doc:
            continue
        start = d.get("start") if isinstance(d.get("start"), int) else 10**9
        by_doc.setdefault(owner, []).append((start, n))
    out = {k: [n for _s, n in sorted(v)] for k, v in by_doc.items()}
    if "PolicyRef" in types:
        shown = {n for ns in out.values() for n in ns}
        refs: dict[str, int] = {}
        for n in shown:
            for _u, v, d in g.out_edges(n, data=True):
                if d.get("type") == "CITES":
                    refs[v] = refs.get(v, 0) + 1
        out[""] = sorted(refs, key=lambda r: (-refs[r], r))
    return out


def map_data(g: nx.MultiDiGraph, doc: str | None = None, types: tuple[str, ...] = MAP_TYPES,
             limit: int | None = None) -> dict[str, Any]:
    """The arrays the WebGL map draws (see the module's docstring)."""
    limit = map_limit() if limit is None else limit
    groups = nodes_to_draw(g, doc, types)
    total = sum(len(v) for v in groups.values())
    if total > limit and not doc:
        return grouped_data(g, total, limit)
    colours, cidx = _palette()
    tags = doc_tags(g)
    ids: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    where: dict[str, int] = {}

    def put(n: str, x: float, y: float) -> None:
        where[n] = len(ids)
        ids.append(n)
        xs.append(round(x, 1))
        ys.append(round(y, 1))

    docs = _doc_order(g, [d for d in groups if d])
    per_row = max(1, math.ceil(math.sqrt(len(docs) * 0.6))) if docs else 1
    tile_w = len(COLUMNS) * COL_W + TILE_PAD
    x0 = y0 = 0.0
    row_h = 0.0
    for i, doc_id in enumerate(docs):
        if i and i % per_row == 0:
            x0, y0, row_h = 0.0, y0 + row_h + TILE_PAD, 0.0
        if doc_id in g:
            put(doc_id, x0 - 20.0, y0 - 20.0)
        rows = [0] * len(COLUMNS)
        for n in groups[doc_id]:
            col = COLUMNS.get(g.nodes[n].get("type") or "", len(COLUMNS) - 1)
            put(n, x0 + col * COL_W, y0 + rows[col] * ROW_H)
            rows[col] += 1
        row_h = max(row_h, max(rows) * ROW_H + 20.0)
        x0 += tile_w
    refs = groups.get("", [])
    if refs:
        left = per_row * tile_w + TILE_PAD if docs else 0.0
        width = max(1, math.ceil(math.sqrt(len(refs))))
        for k, n in enumerate(refs):
            put(n, left + (k % width) * COL_W, (k // width) * ROW_H * 2)
    edges: list[int] = []
    ecols: list[int] = []
    etypes = list(EDGE_TYPES if len(docs) <= 1 else [t for t in EDGE_TYPES if t != "CITES"])
    eidx = {t: i for i, t in enumerate(etypes)}
    for n in ids:
        a = where[n]
        for _u, v, d in g.out_edges(n, data=True):
            t = d.get("type")
            if t in eidx and v in where and not d.get("rejected"):
                edges += [a, where[v]]
                ecols.append(eidx[t])
    colour, size, prio, labels, tips = [], [], [], [], []
    for n in ids:
        d = g.nodes[n]
        t = d.get("type") or ""
        key = "none_found" if t == "Problem" and d.get("status") == "none_found" else t
        colour.append(cidx.get(key, 0))
        size.append(SIZES.get(t, 5))
        prio.append(PRIORITY.get(t, 5))
        title = doc_label(g, n) if t == "Document" else str(d.get("title") or n)
        code = "" if t in ("Document", "PolicyRef") else shown_id(g, n, tags)
        labels.append(f"{code} {title}" if code else title)  # the id with its document, as everywhere
        tips.append(f"{TYPE_LABELS_ZH.get(t, t)} {code}\n{title}".strip())
    info = (f"{len(ids):,} 个节点、{len(ecols):,} 条关系；" + (f"{len(docs)} 个文档" if docs else "")
            + ("；文档之间的引用连线不画（政策依据在右侧，悬停可见）" if len(docs) > 1 else ""))
    return {"key": f"{id(g)}:{g.number_of_nodes()}:{doc or ''}:{','.join(types)}", "grouped": False,
            "id": ids, "x": xs, "y": ys, "c": colour, "s": size, "p": prio, "l": labels, "t": tips,
            "e": edges, "ec": ecols, "palette": colours,
            "edgePalette": [EDGE_COLOURS.get(t, "#bbbbbb") for t in etypes], "info": info}


def grouped_data(g: nx.MultiDiGraph, total: int, limit: int) -> dict[str, Any]:
    """One point per document (sized by its items), for workspaces past the per-node limit."""
    meta = g.graph.get("documents", {}) or {}
    docs = _doc_order(g, list(meta))
    counts: dict[str, int] = {}
    for _n, d in g.nodes(data=True):
        if d.get("type") in COLUMNS:
            counts[d.get("doc") or ""] = counts.get(d.get("doc") or "", 0) + 1
    width = max(1, math.ceil(math.sqrt(len(docs) * 1.6)))
    colours, cidx = _palette()
    xs, ys, size, labels, tips = [], [], [], [], []
    for k, doc_id in enumerate(docs):
        xs.append(float((k % width) * 60))
        ys.append(float((k // width) * 40))
        c = counts.get(doc_id, 0)
        size.append(round(4 + 3 * math.sqrt(c) / 2, 1))
        labels.append(doc_label(g, doc_id))
        tips.append(f"文档 {doc_label(g, doc_id)}\n{c} 个条目（点击打开此文档的全图）")
    return {"key": f"{id(g)}:{g.number_of_nodes()}:grouped", "grouped": True, "id": docs, "x": xs, "y": ys,
            "c": [cidx["Document"]] * len(docs), "s": size, "p": [100] * len(docs), "l": labels, "t": tips,
            "e": [], "ec": [], "palette": colours, "edgePalette": [],
            "info": f"工作区共 {total:,} 个节点，超过逐点绘制的上限 {limit:,}：按文档分组显示 {len(docs):,} 个文档；"
                    "点击一个文档打开它的全图"}
