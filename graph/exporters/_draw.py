"""Drawing the subgraph figure: boxes coloured by node type in type columns, arrows coloured by relation,
dashed where the link was inferred. matplotlib's object API (no pyplot state, so the Streamlit app can
call it from any thread) with the WenQuanYi CJK font. Imported only when a figure is made, so listing
formats or exporting data does not pay for matplotlib."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.path import Path as MplPath

from tracegraph.graph.exporters._layout import Plan, plan_layout
from tracegraph.graph.exporters._registry import ExportJob
from tracegraph.graph.exporters._style import (
    CURATED_EDGE_COLOUR,
    EDGE_COLORS,
    ORIGIN_STYLES,
    TYPE_COLORS,
    cjk_font_file,
    edge_colour,
    node_colour,
    node_label,
    present_types,
    type_zh,
)
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, ORIGIN_LABELS_ZH

HEADER_H = 1.25
MARGIN = 0.45
MAX_PIXELS = 12000  # longest side of a PNG
FONT_PT = 7.5
LABEL_CHARS = 15  # 15 CJK characters of 7.5 pt fit the 1.75-inch box
LABEL_LINES = 3


def _font() -> FontProperties:
    path = cjk_font_file()
    if str(path) not in {getattr(f, "fname", None) for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return FontProperties(fname=str(path))


def _light(color: str, amount: float = 0.82) -> tuple[float, float, float]:
    c = color.lstrip("#")
    rgb = [int(c[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    return (rgb[0] + (1 - rgb[0]) * amount, rgb[1] + (1 - rgb[1]) * amount, rgb[2] + (1 - rgb[2]) * amount)


def figure_plan(job: ExportJob, compact: bool = False) -> Plan:
    """The boxes and edge routes the figure draws (tests check them geometrically)."""
    return plan_layout(job.graph, max_rows=12 if compact else 22)


def build_figure(job: ExportJob, compact: bool = False) -> Figure:
    """The figure for a job: columns 原因 → 问题 → 整改措施 → 具体举措 (left to right), every relation drawn
    as a polyline that runs between the boxes (see ``_layout.plan_layout``). ``compact`` (the DOCX
    briefing) wraps tall columns earlier so the figure stays legible at page width."""
    g = job.graph
    plan = figure_plan(job, compact)
    font = _font()
    width = max(7.0, plan.width)
    body_h = max(1.2, plan.height)
    height = body_h + HEADER_H
    fig = Figure(figsize=(width, height), facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, body_h / height))
    ax.set_xlim(0, width)
    ax.set_ylim(0, body_h)
    ax.axis("off")
    for n, (x0, y0, x1, y1) in plan.boxes.items():
        color = node_colour(g.nodes[n])
        ax.add_patch(
            FancyBboxPatch(
                (x0, body_h - y1),
                x1 - x0,
                y1 - y0,
                boxstyle="round,pad=0,rounding_size=0.06",
                fc=_light(color),
                ec=color,
                lw=1.0,
                zorder=3,
            )
        )
        ax.text(
            (x0 + x1) / 2,
            body_h - (y0 + y1) / 2,
            node_label(g, n, LABEL_CHARS, LABEL_LINES),
            ha="center",
            va="center",
            fontproperties=font,
            fontsize=FONT_PT,
            color="#1a1a1a",
            zorder=4,
            linespacing=1.15,
        )
    if not g.number_of_nodes():
        ax.text(width / 2, body_h / 2, "所选范围内没有节点", ha="center", va="center", fontproperties=font, fontsize=12)
    edge_types: list[str] = []
    origins: list[str] = []
    for r in plan.routes:
        et, origin = r.data.get("type") or "", r.data.get("origin") or "parsed"
        edge_types.append(et)
        origins.append(origin)
        style, lw = ORIGIN_STYLES.get(origin, ("solid", 0.8))
        verts = [(x, body_h - y) for x, y in r.points]
        ax.add_patch(
            FancyArrowPatch(
                path=MplPath(verts, [MplPath.MOVETO] + [MplPath.LINETO] * (len(verts) - 1)),
                arrowstyle="-|>",
                mutation_scale=8,
                color=edge_colour(r.data),
                linestyle=style,
                linewidth=lw,
                shrinkA=0,
                shrinkB=0,
                zorder=2,
                alpha=0.9,
            )
        )
    _header(
        fig,
        job,
        font,
        height,
        present_types(g),
        list(dict.fromkeys(edge_types)),
        list(dict.fromkeys(origins)),
        with_title=not compact,
    )
    return fig


def _header(
    fig: Figure,
    job: ExportJob,
    font: FontProperties,
    height: float,
    types: list[str],
    edge_types: list[str],
    origins: list[str],
    with_title: bool = True,
) -> None:
    top = 1 - 0.12 / height
    if with_title:
        fig.text(0.01, top, job.title, ha="left", va="top", fontproperties=font, fontsize=13, weight="bold")
    g = job.graph
    counts = f"节点 {g.number_of_nodes()} · 关系 {g.number_of_edges()}"
    fig.text(
        0.01,
        top - 0.32 / height,
        f"范围：{job.subject or job.scope}    {counts}    {job.generated:%Y-%m-%d}",
        ha="left",
        va="top",
        fontproperties=font,
        fontsize=8,
        color="#444444",
    )
    colors = {t: TYPE_COLORS.get(t, "#555555") for t in types}
    handles: list[Any] = [Patch(facecolor=_light(c), edgecolor=c, label=type_zh(t)) for t, c in colors.items()]
    handles += [
        Line2D([0], [0], color=EDGE_COLORS.get(e, "#888888"), lw=1.6, label=EDGE_LABELS_ZH.get(e, e))
        for e in edge_types
    ]
    handles += [
        Line2D(
            [0],
            [0],
            color="#333333",
            lw=ORIGIN_STYLES[o][1],
            linestyle=ORIGIN_STYLES[o][0],
            label=f"{ORIGIN_LABELS_ZH.get(o, o)}关联",
        )
        for o in origins
        if o in ORIGIN_STYLES
    ]
    if "curated" in origins:
        handles.append(Line2D([0], [0], color=CURATED_EDGE_COLOUR, lw=2.2, label="人工确认（绿色）"))
    if handles:
        per_row = max(4, int((fig.get_figwidth() - 0.4) / 1.05))
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.01, 1 - 0.62 / height),
            ncol=per_row,
            prop=font.copy(),
            fontsize=7,
            frameon=False,
            handlelength=1.8,
            columnspacing=1.0,
            borderaxespad=0.0,
        )


def save_figure(job: ExportJob, out: Path, fmt: str, dpi: int = 150, compact: bool = False) -> None:
    fig = build_figure(job, compact)
    if fmt == "png":
        longest = max(fig.get_figwidth(), fig.get_figheight())
        dpi = int(min(dpi, MAX_PIXELS / longest))
        fig.savefig(out, format="png", dpi=dpi, facecolor="white")
    else:
        from matplotlib import rc_context

        with rc_context({"svg.fonttype": "path", "svg.hashsalt": "tracegraph"}):
            fig.savefig(out, format="svg", facecolor="white", metadata={"Date": None})
