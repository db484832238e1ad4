"""A deterministic layered layout: one column per node type (问题 next to 原因 next to 整改措施 …), rows
ordered to keep linked nodes level with each other. Briefing figures must look the same every time the
same selection is exported, so nothing here is random."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from tracegraph.graph.exporters._style import type_order

Position = tuple[float, float]


def _start_order(g: nx.MultiDiGraph, n: str) -> tuple[object, ...]:
    d = g.nodes[n]
    return (d.get("doc") or "~", d.get("start") if isinstance(d.get("start"), int) else 10**9, str(n))


def layered_layout(g: nx.MultiDiGraph, max_rows: int = 22, sweeps: int = 4) -> dict[str, Position]:
    """Grid positions (column, row) with row 0 at the top; tall columns wrap into several."""
    groups: dict[int, list[str]] = {}
    for n in sorted(g.nodes, key=lambda n: _start_order(g, n)):
        groups.setdefault(type_order(g.nodes[n].get("type")), []).append(n)
    cols = [groups[k] for k in sorted(groups)]
    if not cols:
        return {}
    col_of = {n: i for i, col in enumerate(cols) for n in col}
    tallest = max(len(c) for c in cols)

    def spread(col: list[str]) -> None:  # rows on a common scale so columns of any height compare
        for j, n in enumerate(col):
            row[n] = (j + 0.5) * tallest / len(col)

    row: dict[str, float] = {}
    for col in cols:
        spread(col)
    und: nx.Graph = nx.Graph()
    und.add_nodes_from(g.nodes)
    und.add_edges_from((u, v) for u, v in g.edges() if u != v)
    order = list(range(len(cols))) + list(range(len(cols) - 2, -1, -1))
    for _ in range(sweeps):
        for i in order:

            def key(n: str, i: int = i) -> tuple[float, float]:
                ys = [row[m] for m in und.neighbors(n) if col_of[m] != i]
                return (sum(ys) / len(ys) if ys else row[n], row[n])

            cols[i].sort(key=key)
            spread(cols[i])
    pos: dict[str, Position] = {}
    x = 0
    tallest = min(tallest, max_rows)
    for col in cols:
        parts = math.ceil(len(col) / max_rows)
        per = math.ceil(len(col) / parts)
        for p in range(parts):
            chunk = col[p * per : (p + 1) * per]
            for j, n in enumerate(chunk):  # short columns spread out, level with what they link to
                pos[n] = (float(x), (j + 0.5) * tallest / len(chunk) - 0.5)
            x += 1
    return pos


# --- the drawing plan: boxes and routed edges in inches, shared by the figures (PNG/SVG/DOCX) and the deck ---

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in inches, y growing downwards
Point = tuple[float, float]


@dataclass(frozen=True)
class Geometry:
    col_pitch: float = 2.45  # inches from one column's centre to the next
    box_w: float = 1.75
    row_pitch: float = 0.82
    box_h: float = 0.62
    margin: float = 0.35
    pad: float = 0.06  # distance kept from a box by an edge passing it


@dataclass
class Route:
    source: str
    target: str
    data: dict[str, Any]
    points: list[Point]


@dataclass
class Plan:
    """Where every box stands and the polyline every edge follows. Boxes stand in columns with empty
    corridors between them; an edge runs in those corridors, crossing an intermediate column only through
    a gap between two boxes, so no edge passes through a box it does not end at."""

    boxes: dict[str, Box]
    columns: dict[str, int]
    routes: list[Route]
    width: float
    height: float
    geometry: Geometry = field(default_factory=Geometry)


def _gap_y(col_boxes: list[Box], want: float, pad: float, pitch: float) -> float:
    """The y nearest ``want`` at which a horizontal line crosses the column without touching a box."""
    spans = sorted((b[1], b[3]) for b in col_boxes)
    gaps: list[tuple[float, float]] = [(spans[0][0] - pitch, spans[0][0])]
    gaps += [(a[1], b[0]) for a, b in itertools.pairwise(spans) if b[0] - a[1] > 2 * pad]
    gaps.append((spans[-1][1], spans[-1][1] + pitch))
    best = want
    best_d = math.inf
    for lo, hi in gaps:
        lo_, hi_ = lo + pad, hi - pad
        y = (lo + hi) / 2 if lo_ > hi_ else min(max(want, lo_), hi_)
        if abs(y - want) < best_d:
            best, best_d = y, abs(y - want)
    return best


def plan_layout(g: nx.MultiDiGraph, max_rows: int = 22, geo: Geometry | None = None) -> Plan:
    geo = geo or Geometry()
    pos = layered_layout(g, max_rows=max_rows)
    boxes: dict[str, Box] = {}
    columns: dict[str, int] = {}
    for n, (x, y) in pos.items():
        cx = geo.margin + x * geo.col_pitch + geo.col_pitch / 2
        cy = geo.margin + y * geo.row_pitch + geo.row_pitch / 2
        boxes[n] = (cx - geo.box_w / 2, cy - geo.box_h / 2, cx + geo.box_w / 2, cy + geo.box_h / 2)
        columns[n] = int(x)
    by_col: dict[int, list[Box]] = {}
    for n, c in columns.items():
        by_col.setdefault(c, []).append(boxes[n])
    edges = sorted(
        ((u, v, d) for u, v, d in g.edges(data=True) if u != v and u in boxes and v in boxes),
        key=lambda e: (str(e[0]), str(e[1]), str(e[2].get("type"))),
    )
    # ports: the edges leaving or entering one side of a box are spread along it, ordered by the far end
    sides: dict[tuple[str, str], list[tuple[float, int]]] = {}
    ends: list[tuple[str, str]] = []
    for i, (u, v, _d) in enumerate(edges):
        cu, cv = columns[u], columns[v]
        su = "R" if cv >= cu else "L"
        sv = "L" if cv > cu else "R"
        ends.append((su, sv))
        sides.setdefault((u, su), []).append((_mid(boxes[v])[1], i))
        sides.setdefault((v, sv), []).append((_mid(boxes[u])[1], i))
    port: dict[tuple[str, int], float] = {}
    for (n, _s), items in sides.items():
        items.sort()
        b = boxes[n]
        usable = (b[3] - b[1]) * 0.7
        for k, (_y, i) in enumerate(items):
            port[(n, i)] = (b[1] + b[3]) / 2 + (usable * ((k + 0.5) / len(items) - 0.5) if len(items) > 1 else 0.0)
    routes: list[Route] = []
    lane: dict[int, int] = {}
    for i, (u, v, d) in enumerate(edges):
        bu, bv = boxes[u], boxes[v]
        cu, cv = columns[u], columns[v]
        su, sv = ends[i]
        start = (bu[2] if su == "R" else bu[0], port[(u, i)])
        end = (bv[0] if sv == "L" else bv[2], port[(v, i)])
        pts: list[Point] = [start]
        if cu == cv:  # same column: out to the corridor on the right, along it, back in
            k = lane.get(cu, 0)
            lane[cu] = k + 1
            corridor = geo.col_pitch - geo.box_w
            x = bu[2] + corridor * (0.2 + 0.15 * (k % 4))
            pts += [(x, start[1]), (x, end[1])]
        else:
            step = 1 if cv > cu else -1
            for c in range(cu + step, cv, step):
                t = (c - cu) / (cv - cu)
                want = start[1] + t * (end[1] - start[1])
                y = _gap_y(by_col[c], want, geo.pad, geo.row_pitch)
                cx = geo.margin + c * geo.col_pitch + geo.col_pitch / 2
                near, far = cx - step * (geo.box_w / 2 + geo.pad), cx + step * (geo.box_w / 2 + geo.pad)
                pts += [(near, y), (far, y)]
        pts.append(end)
        routes.append(Route(u, v, d, pts))
    xs = [p[0] for r in routes for p in r.points] + [c for b in boxes.values() for c in (b[0], b[2])]
    ys = [p[1] for r in routes for p in r.points] + [c for b in boxes.values() for c in (b[1], b[3])]
    top = min(ys, default=0.0) - geo.margin
    left = min(xs, default=0.0) - geo.margin
    if top < 0 or left < 0:  # a route above the first box: shift everything so the plan starts at 0
        dx, dy = -min(left, 0.0), -min(top, 0.0)
        boxes = {n: (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy) for n, b in boxes.items()}
        for r in routes:
            r.points = [(x + dx, y + dy) for x, y in r.points]
        xs = [x + dx for x in xs]
        ys = [y + dy for y in ys]
    width = max(xs, default=0.0) + geo.margin
    height = max(ys, default=0.0) + geo.margin
    return Plan(boxes, columns, routes, width, height, geo)


def _mid(b: Box) -> Point:
    return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2


def segment_hits_box(a: Point, b: Point, box: Box, eps: float = 1e-6) -> bool:
    """Whether the segment a–b passes through the inside of the box (Liang–Barsky clipping)."""
    x0, y0, x1, y1 = box[0] + eps, box[1] + eps, box[2] - eps, box[3] - eps
    dx, dy = b[0] - a[0], b[1] - a[1]
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
        else:
            r = q / p
            if p < 0:
                t0 = max(t0, r)
            else:
                t1 = min(t1, r)
            if t0 > t1:
                return False
    return t1 - t0 > 1e-9
