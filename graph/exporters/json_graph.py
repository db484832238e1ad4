"""The subgraph in the project's own JSON contract (schema tracegraph/1, ``graph.io``), so it can be
loaded back with ``tracegraph ... --graph`` or ``graph.io.read_json``."""

from __future__ import annotations

from pathlib import Path

from ..io import write_json
from ._registry import ExportJob, register


@register("json", ".json", "application/json", "图谱 JSON（tracegraph/1，可再次载入）")
def write_graph_json(job: ExportJob, out: Path) -> None:
    write_json(job.graph, out)
