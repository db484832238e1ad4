"""Download buttons for the app: one per export format for the current selection. The files are made
only when a button is pressed (Streamlit's deferred ``data`` callable), so browsing the app never pays
for a DOCX or a figure nobody asked for. The bytes, names and MIME types come from
``graph.exporters.export_bytes``, which is tested without Streamlit."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import networkx as nx

from tracegraph.graph.exporters import default_filename, export_bytes, formats
from tracegraph.graph.query.subgraph import Selection, describe, parse_selection

BRIEFING_FIRST = ("docx", "pptx", "md", "png", "svg", "html", "json", "csv", "graphml", "gexf", "cypher")


def _producer(g: nx.MultiDiGraph, selection: Selection, fmt: str, title: str | None) -> Callable[[], bytes]:
    def make() -> bytes:
        return export_bytes(g, selection, fmt, title=title)[0]

    return make


def render_export_panel(
    g: nx.MultiDiGraph,
    selection: Selection | str,
    title: str | None = None,
    fmts: Sequence[str] | None = None,
    key: str = "export",
) -> None:
    """Render the export section: scope line and a grid of download buttons."""
    import streamlit as st

    sel = parse_selection(selection) if isinstance(selection, str) else selection
    available = formats()
    names = [f for f in (fmts or BRIEFING_FIRST) if f in available]
    from tracegraph.ui.views.common import md

    st.caption(f"导出范围：{md(describe(sel))}")
    cols = st.columns(min(len(names), 5) or 1)
    for i, name in enumerate(names):
        spec = available[name]
        with cols[i % len(cols)]:
            st.download_button(
                label=f"{name.upper()}",
                data=_producer(g, sel, name, title),
                file_name=default_filename(sel, name, g=g),
                mime=spec.mime,
                help=spec.label,
                key=f"{key}-{name}",
                on_click="ignore",
                width="stretch",
            )
