"""GraphML and GEXF for Gephi, yEd and networkx. Attributes are typed and flat (see ``_flat``).

GEXF gives ``start``/``end`` and an edge's ``type`` special meanings (time intervals; directed or
not), so there the offsets are written as ``start_offset``/``end_offset`` and the relation as
``relation``. GEXF also carries colours per node type and the figure's layout, so Gephi opens it
arranged like the PNG."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from tracegraph.graph.exporters._flat import flat_graph, xml_safe
from tracegraph.graph.exporters._layout import layered_layout
from tracegraph.graph.exporters._registry import ExportJob, register
from tracegraph.graph.exporters._style import COL_W, ROW_H, TYPE_COLORS, hex_to_rgb

GEXF_NODE_RENAME = {"start": "start_offset", "end": "end_offset"}
GEXF_EDGE_RENAME = {"type": "relation", "start": "start_offset", "end": "end_offset"}


@register("graphml", ".graphml", "application/graphml+xml", "GraphML（Gephi、yEd、networkx）")
def write_graphml(job: ExportJob, out: Path) -> None:
    flat = flat_graph_for(job)
    flat.graph.update({"schema": "tracegraph/1", "scope": job.scope})
    nx.write_graphml(flat, out, encoding="utf-8", prettyprint=True, infer_numeric_types=True)


def flat_graph_for(job: ExportJob) -> nx.MultiDiGraph:
    return flat_graph(job.graph)


@register("gexf", ".gexf", "application/gexf+xml", "GEXF（Gephi，带类型颜色与布局）")
def write_gexf(job: ExportJob, out: Path) -> None:
    flat = flat_graph(job.graph, GEXF_NODE_RENAME, GEXF_EDGE_RENAME)
    pos = layered_layout(job.graph)
    for n, d in job.graph.nodes(data=True):
        r, g_, b = hex_to_rgb(TYPE_COLORS.get(d.get("type") or "", "#555555"))
        x, y = pos.get(n, (0.0, 0.0))
        flat.nodes[xml_safe(str(n))]["viz"] = {
            "color": {"r": r, "g": g_, "b": b, "a": 1.0},
            "position": {"x": round(x * COL_W * 100, 1), "y": round(-y * ROW_H * 100, 1), "z": 0.0},
            "size": 12.0 if d.get("type") in ("Problem", "Measure", "Cause") else 8.0,
        }
    flat.graph["name"] = job.title
    nx.write_gexf(flat, out, encoding="utf-8", prettyprint=True, version="1.2draft")
