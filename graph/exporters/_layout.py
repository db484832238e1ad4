"""A deterministic layered layout: one column per node type (问题 next to 原因 next to 整改措施 …), rows
ordered to keep linked nodes level with each other. Briefing figures must look the same every time the
same selection is exported, so nothing here is random."""

from __future__ import annotations

import math

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
