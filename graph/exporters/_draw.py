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
from matplotlib.patches import FancyArrowPatch, Patch

from tracegraph.graph.exporters._layout import layered_layout
from tracegraph.graph.exporters._registry import ExportJob
from tracegraph.graph.exporters._style import (
    COL_W,
    EDGE_COLORS,
    ORIGIN_STYLES,
    ROW_H,
    TYPE_COLORS,
    cjk_font_file,
    node_label,
    present_types,
    type_zh,
)
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, ORIGIN_LABELS_ZH

HEADER_H = 1.25
MARGIN = 0.45
MAX_PIXELS = 12000  # longest side of a PNG


def _font() -> FontProperties:
    path = cjk_font_file()
    if str(path) not in {getattr(f, "fname", None) for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return FontProperties(fname=str(path))


def _light(color: str, amount: float = 0.82) -> tuple[float, float, float]:
    c = color.lstrip("#")
    rgb = [int(c[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    return (rgb[0] + (1 - rgb[0]) * amount, rgb[1] + (1 - rgb[1]) * amount, rgb[2] + (1 - rgb[2]) * amount)


def build_figure(job: ExportJob, compact: bool = False) -> Figure:
    """The figure for a job. ``compact`` (the DOCX briefing) uses narrower columns and three-line labels
    so the figure stays legible at page width."""
    g = job.graph
    col_w, row_h = (1.75, 0.7) if compact else (COL_W, ROW_H)
    label_w, label_lines = (10, 3) if compact else (14, 2)
    font_size = 8.0 if compact else 6.8
    font = _font()
    pos = layered_layout(g, max_rows=9 if compact else 22)
    ncols = int(max((x for x, _ in pos.values()), default=0)) + 1
    nrows = max((y for _, y in pos.values()), default=0) + 1
    width = max(7.0, ncols * col_w + 2 * MARGIN)
    height = max(1.6 if compact else 2.5, nrows * row_h + 2 * MARGIN) + HEADER_H
    fig = Figure(figsize=(width, height), facecolor="white")
    canvas = FigureCanvasAgg(fig)
    body_h = height - HEADER_H
    ax = fig.add_axes((0, 0, 1, body_h / height))
    ax.set_xlim(0, width)
    ax.set_ylim(0, body_h)
    ax.axis("off")

    def xy(n: str) -> tuple[float, float]:
        x, y = pos[n]
        return MARGIN + (x + 0.5) * col_w, body_h - MARGIN - (y + 0.5) * row_h

    boxes: dict[str, Any] = {}
    for n in g.nodes:
        t = g.nodes[n].get("type") or ""
        color = TYPE_COLORS.get(t, "#555555")
        x, y = xy(n)
        boxes[n] = ax.text(
            x,
            y,
            node_label(g, n, label_w, label_lines),
            ha="center",
            va="center",
            fontproperties=font,
            fontsize=font_size,
            color="#1a1a1a",
            zorder=3,
            linespacing=1.15,
            bbox={"boxstyle": "round,pad=0.28", "fc": _light(color), "ec": color, "lw": 0.9},
        )
    if not g.number_of_nodes():
        ax.text(width / 2, body_h / 2, "所选范围内没有节点", ha="center", va="center", fontproperties=font, fontsize=12)
    fig.draw_without_rendering()  # places the label boxes so arrows can end at their edges
    renderer = canvas.get_renderer()
    inv = ax.transData.inverted()
    extents = {}
    for n, text in boxes.items():
        patch = text.get_bbox_patch()
        bb = (patch or text).get_window_extent(renderer)
        (x0, y0), (x1, y1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        extents[n] = (x0, y0, x1, y1)
    edge_types: list[str] = []
    origins: list[str] = []
    for u, v, d in sorted(g.edges(data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2].get("type")))):
        if u == v:
            continue
        et, origin = d.get("type") or "", d.get("origin") or "parsed"
        edge_types.append(et)
        origins.append(origin)
        style, lw = ORIGIN_STYLES.get(origin, ("solid", 0.8))
        a, b, rad = _anchors(extents[u], extents[v])
        ax.add_patch(
            FancyArrowPatch(
                a,
                b,
                arrowstyle="-|>",
                mutation_scale=7,
                color=EDGE_COLORS.get(et, "#888888"),
                linestyle=style,
                linewidth=lw,
                connectionstyle=f"arc3,rad={rad}",
                shrinkA=1,
                shrinkB=1,
                zorder=2,
                alpha=0.85,
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


Point = tuple[float, float]


def _anchors(s: tuple[float, ...], t: tuple[float, ...]) -> tuple[Point, Point, float]:
    """Arrow from the facing sides of two boxes; boxes in one column are joined by an arc on the right."""
    sx, sy = (s[0] + s[2]) / 2, (s[1] + s[3]) / 2
    tx, ty = (t[0] + t[2]) / 2, (t[1] + t[3]) / 2
    if tx - sx > 0.3:
        return (s[2], sy), (t[0], ty), 0.0
    if sx - tx > 0.3:
        return (s[0], sy), (t[2], ty), 0.0
    return (s[2], sy), (t[2], ty), (0.35 if ty < sy else -0.35)


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
        f"范围：{job.scope}    {counts}    {job.generated:%Y-%m-%d}",
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
