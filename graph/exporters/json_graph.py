"""The subgraph in the project's own JSON contract (schema tracegraph/1, ``graph.io``), so it can be
loaded back with ``tracegraph ... --graph`` or ``graph.io.read_json``."""

from __future__ import annotations

from pathlib import Path

from tracegraph.graph.exporters._registry import ExportJob, register
from tracegraph.graph.model.io import write_json


@register("json", ".json", "application/json", "图谱 JSON（tracegraph/1，可再次载入）")
def write_graph_json(job: ExportJob, out: Path) -> None:
    write_json(job.graph, out)
