"""Static figures of the selected subgraph: PNG, and SVG with the glyphs as outlines (it shows the same
with or without Chinese fonts installed). The drawing lives in ``_draw``."""

from __future__ import annotations

from pathlib import Path

from tracegraph.graph.exporters._registry import ExportJob, register


@register("png", ".png", "image/png", "子图图片（PNG）")
def write_png(job: ExportJob, out: Path) -> None:
    from tracegraph.graph.exporters._draw import save_figure

    save_figure(job, out, "png")


@register("svg", ".svg", "image/svg+xml", "子图矢量图（SVG，文字转为路径）")
def write_svg(job: ExportJob, out: Path) -> None:
    from tracegraph.graph.exporters._draw import save_figure

    save_figure(job, out, "svg")
