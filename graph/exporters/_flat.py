"""Flatten node and edge attributes for formats that only take scalars (GraphML, GEXF, CSV): lists and
dicts become JSON strings, None is dropped, each attribute gets one type across the graph (Gephi reads a
column with one declared type), and characters XML cannot carry are removed."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import networkx as nx

from tracegraph.graph.exporters._style import node_label
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, TYPE_LABELS_ZH

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    return _XML_BAD.sub("", text)


def flat_value(value: Any) -> Any:
    """A scalar for the value, or None to drop it."""
    if value is None:
        return None
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return xml_safe(value)
    return xml_safe(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _unify(rows: list[dict[str, Any]]) -> None:
    """One type per attribute: int+float → float; bool stays bool only if all are bool; else str."""
    kinds: dict[str, set[type]] = {}
    for row in rows:
        for k, v in row.items():
            kinds.setdefault(k, set()).add(type(v))
    for k, ts in kinds.items():
        if len(ts) <= 1:
            continue
        to: type = float if ts <= {int, float} else str
        for row in rows:
            if k in row:
                v = row[k]
                row[k] = float(v) if to is float else (json.dumps(v) if isinstance(v, bool) else str(v))


def flat_graph(
    g: nx.MultiDiGraph, rename: dict[str, str] | None = None, edge_rename: dict[str, str] | None = None
) -> nx.MultiDiGraph:
    """A copy with scalar attributes only, ``label`` for Gephi, ``type_zh`` for readers, unique edge
    keys ``e0, e1, …`` (the relation stays in the ``type`` attribute)."""
    rename = rename or {}
    edge_rename = edge_rename or {}
    nodes = []
    for n, d in g.nodes(data=True):
        row = {rename.get(k, k): fv for k, v in d.items() if (fv := flat_value(v)) is not None}
        row["label"] = xml_safe(node_label(g, n, width=40, lines=1))
        row["type_zh"] = TYPE_LABELS_ZH.get(d.get("type") or "", d.get("type") or "")
        nodes.append(row)
    edges = []
    for _u, _v, d in g.edges(data=True):
        row = {edge_rename.get(k, k): fv for k, v in d.items() if (fv := flat_value(v)) is not None}
        row["label"] = EDGE_LABELS_ZH.get(d.get("type") or "", d.get("type") or "")
        edges.append(row)
    _unify(nodes)
    _unify(edges)
    out: nx.MultiDiGraph = nx.MultiDiGraph()
    for (n, _), row in zip(g.nodes(data=True), nodes, strict=True):
        out.add_node(xml_safe(str(n)), **row)
    for i, ((u, v, _), row) in enumerate(zip(g.edges(data=True), edges, strict=True)):
        out.add_edge(xml_safe(str(u)), xml_safe(str(v)), key=f"e{i}", **row)
    return out
