"""Shared look and wording: colours per node/edge type, line styles per origin, short labels, source
locations and the CJK font. Figures, HTML and briefings use the same ones so they read alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import networkx as nx

from tracegraph.errors import ExportError
from tracegraph.graph.model.schema import TYPE_LABELS_ZH

# The one palette: the app's graph view (ui/graph_view.py) and every export use these, so a measure is
# the same blue on screen, in the Word briefing, the deck and the figures.
TYPE_COLOURS = {
    "Document": "#5b5b5b",
    "Section": "#9e9e9e",
    "Area": "#7e57c2",
    "Problem": "#e53935",
    "Example": "#ef9a9a",
    "Cause": "#fb8c00",
    "Measure": "#1e88e5",
    "Action": "#64b5f6",
    "PolicyRef": "#43a047",
    "Quote": "#8d6e63",
    "Speaker": "#6d4c41",
}
NONE_FOUND_COLOUR = "#c7c7c7"  # 未发现… : a Problem node that is not a problem
EDGE_COLOURS = {
    "ADDRESSES": "#1e88e5",
    "EXPLAINS": "#fb8c00",
    "TREATS": "#8e24aa",
    "CITES": "#a5d6a7",
    "CONTAINS": "#cfcfcf",
    "HAS_EXAMPLE": "#e0b4b4",
    "HAS_ACTION": "#b3d4f0",
    "QUOTES": "#d7ccc8",
    "SAID_BY": "#d7ccc8",
    "SIMILAR_TO": "#bdbdbd",
}
CURATED_EDGE_COLOUR = "#2e7d32"  # an analyst's link is green in the app, whatever its type
TYPE_COLORS = TYPE_COLOURS  # older spelling used by the exporters
EDGE_COLORS = EDGE_COLOURS


def node_colour(d: dict[str, Any]) -> str:
    if d.get("type") == "Problem" and d.get("status") == "none_found":
        return NONE_FOUND_COLOUR
    return TYPE_COLOURS.get(d.get("type") or "", "#999999")


def edge_colour(d: dict[str, Any]) -> str:
    if d.get("origin") == "curated":
        return CURATED_EDGE_COLOUR
    return EDGE_COLOURS.get(d.get("type") or "", "#bbbbbb")


# (matplotlib dash style, line width) per origin: inferred links are dashed, curated ones bold.
ORIGIN_STYLES: dict[str, tuple[Literal["solid", "dashed"], float]] = {
    "parsed": ("solid", 0.8),
    "explicit": ("solid", 1.4),
    "inferred": ("dashed", 1.1),
    "curated": ("solid", 2.2),
}
COL_W = 2.5  # figure inches between type columns
ROW_H = 0.46  # figure inches between rows
# Left-to-right order of node types in figures: 原因 → 问题 → 整改措施 → 具体举措, as a reader follows them.
COLUMNS = (
    ("Document", "Section", "Area"),
    ("Example",),
    ("Cause",),
    ("Problem",),
    ("Measure",),
    ("Action",),
    ("PolicyRef",),
    ("Quote",),
    ("Speaker",),
)

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def cjk_font_file() -> Path:
    """The CJK font figures are drawn with; without one Chinese would come out as boxes."""
    for cand in FONT_CANDIDATES:
        if Path(cand).is_file():
            return Path(cand)
    raise ExportError("缺少中文字体：请安装 fonts-wqy-zenhei（apt-get install fonts-wqy-zenhei）")


def type_zh(t: str | None) -> str:
    return TYPE_LABELS_ZH.get(t or "", t or "")


def short_id(g: nx.MultiDiGraph, n: str) -> str:
    """``<doc>:P5.2`` → ``P5.2``; shared nodes (``policy:…``) have no short number."""
    d = g.nodes[n]
    doc = d.get("doc")
    if doc and isinstance(n, str) and n.startswith(f"{doc}:"):
        return n[len(doc) + 1 :]
    if d.get("type") == "Document":
        return "文档"
    return ""


def clip(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def node_label(g: nx.MultiDiGraph, n: str, width: int = 14, lines: int = 2) -> str:
    """``P5.2 还存在“两个责任”…`` wrapped to a few short lines (figure and HTML labels)."""
    d = g.nodes[n]
    title = " ".join(str(d.get("title") or n).split())
    if d.get("type") == "Document":
        title = doc_title(g, d.get("doc") or n)
    sid = short_id(g, n)
    text = f"{sid} {title}" if sid else title
    out: list[str] = []
    while text and len(out) < lines:
        out.append(text[:width])
        text = text[width:]
    if text:
        out[-1] = out[-1][: width - 1] + "…"
    return "\n".join(out)


def doc_title(g: nx.MultiDiGraph, doc: str | None) -> str:
    if not doc:
        return ""
    meta = g.graph.get("documents", {}).get(doc) or {}
    return str(meta.get("title") or doc)


def location(g: nx.MultiDiGraph, n: str, offsets: bool = True) -> str:
    """Where the node stands in its source: document title · section path (· character range)."""
    d = g.nodes[n]
    parts = [doc_title(g, d.get("doc"))] if d.get("doc") else []
    if d.get("path"):
        parts.append(str(d["path"]))
    if offsets and isinstance(d.get("start"), int) and isinstance(d.get("end"), int) and d.get("doc"):
        parts.append(f"第 {d['start']}–{d['end']} 字")
    return " · ".join(parts)


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def type_order(t: str | None) -> int:
    for i, col in enumerate(COLUMNS):
        if t in col:
            return i
    return len(COLUMNS)


def present_types(g: nx.MultiDiGraph) -> list[str]:
    types = {d.get("type") for _, d in g.nodes(data=True)}
    return [t for col in COLUMNS for t in col if t in types]


def edge_info(d: dict[str, Any]) -> str:
    """One line about an edge's origin and score, e.g. ``推断 0.77``."""
    from tracegraph.graph.model.schema import ORIGIN_LABELS_ZH

    origin = ORIGIN_LABELS_ZH.get(d.get("origin") or "", d.get("origin") or "")
    score = d.get("score")
    return f"{origin} {score:.2f}" if isinstance(score, int | float) else origin
