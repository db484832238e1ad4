"""Download buttons for the app: one per export format for the current selection. The files are made
only when a button is pressed (Streamlit's deferred ``data`` callable), so browsing the app never pays
for a DOCX or a figure nobody asked for. The bytes, names and MIME types come from
``graph.exporters.export_bytes``, which is tested without Streamlit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import networkx as nx

from tracegraph.graph.exporters import default_filename, export_bytes, formats, get_format, safe_filename
from tracegraph.graph.query.subgraph import Selection, describe, parse_selection

BRIEFING_FIRST = ("docx", "pptx", "md", "png", "svg", "html", "json", "csv", "graphml", "gexf", "cypher")


def _producer(g: nx.MultiDiGraph, selection: Selection, fmt: str, title: str | None) -> Callable[[], bytes]:
    def make() -> bytes:
        return export_bytes(g, selection, fmt, title=title)[0]

    return make


def file_name(g: nx.MultiDiGraph, sel: Selection, fmt: str, subject: str | None = None) -> str:
    """The download's Chinese name: the exporters' own (from the selection), or the same pattern around a
    subject the view gives (整改追溯_<subject>_<date>.<ext>)."""
    if not subject:
        return default_filename(sel, fmt, g=g)
    stamp = date.today().strftime("%Y-%m-%d")
    return safe_filename(f"整改追溯_{safe_filename(subject, 40)}_{stamp}") + get_format(fmt).suffix


def render_export_panel(
    g: nx.MultiDiGraph,
    selection: Selection | str,
    title: str | None = None,
    fmts: Sequence[str] | None = None,
    key: str = "export",
    subject: str | None = None,
    scope: str | None = None,
) -> None:
    """Render the export section: scope line and a grid of download buttons (named by ``subject`` when
    the view knows a better name than the selection's own)."""
    import streamlit as st

    sel = parse_selection(selection) if isinstance(selection, str) else selection
    available = formats()
    names = [f for f in (fmts or BRIEFING_FIRST) if f in available]
    from tracegraph.ui.views.common import md

    st.caption(f"导出范围：{md(scope or describe(sel))}")
    cols = st.columns(min(len(names), 5) or 1)
    for i, name in enumerate(names):
        spec = available[name]
        with cols[i % len(cols)]:
            st.download_button(
                label=f"{name.upper()}",
                data=_producer(g, sel, name, title),
                file_name=file_name(g, sel, name, subject),
                mime=spec.mime,
                help=spec.label,
                key=f"{key}-{name}",
                on_click="ignore",
                width="stretch",
            )


def render_export_section(
    g: nx.MultiDiGraph,
    selection: Selection | str,
    key: str,
    label: str = "导出",
    title: str | None = None,
    subject: str | None = None,
) -> None:
    """The export panel of one view, folded under ``label``, with the file name it will download (Chinese,
    from the selection). An export problem is said in one line: it never takes the view down."""
    import streamlit as st

    from tracegraph.ui.views.common import md

    with st.expander(label):
        try:
            sel = parse_selection(selection) if isinstance(selection, str) else selection
            st.caption(f"文件名：{md(file_name(g, sel, 'docx', subject))}（Word；其他格式同名，扩展名不同）")
            render_export_panel(g, sel, title=title, key=key, subject=subject)
        except Exception as exc:
            st.error(md(f"导出面板出错：{type(exc).__name__}: {exc}"))
