"""Small helpers the views share: node names, navigation callbacks, safe HTML output."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.model.schema import ORIGIN_LABELS_ZH, TYPE_LABELS_ZH
from tracegraph.graph.query.naming import doc_label as doc_label  # the views' one way to name a document
from tracegraph.graph.query.naming import doc_tags, shown_id
from tracegraph.ui import state as vs
from tracegraph.ui.highlight import STYLE, esc, evidence_html, origin_badge
from tracegraph.ui.memo import cached

TRACEABLE = ("Problem", "Measure", "Cause")


def doc_arg(state: vs.ViewState) -> str | None:
    return state.doc or None


def nodes_of(g: nx.MultiDiGraph, doc: str | None, types: tuple[str, ...]) -> list[str]:
    """Nodes of the given types (in one document or all), in reading order."""
    out = [n for n, d in g.nodes(data=True) if d.get("type") in types and (doc is None or d.get("doc") == doc)]
    return sorted(out, key=lambda n: (g.nodes[n].get("doc") or "", g.nodes[n].get("start") or 0, n))


def code(n: str) -> str:
    """`doc:P5.2` → `P5.2` (policy and speaker ids keep their name)."""
    if n.startswith(("policy:", "speaker:")):
        return n.split(":", 1)[1]
    return n.split(":", 1)[1] if ":" in n else n


def ref(g: nx.MultiDiGraph, n: str) -> str:
    """A node's id as the page shows it: ``P5.2``, with its document (``〔短名〕P5.2``) when the workspace holds
    several, so two documents' items are never named alike (graph.query.naming)."""
    return shown_id(g, n, tags(g))


def tags(g: nx.MultiDiGraph) -> dict[str, str]:
    """The documents' short names, once per (read-only) app graph."""
    return cached(g, doc_tags)


def type_zh(t: str | None) -> str:
    return TYPE_LABELS_ZH.get(t or "", t or "")


def name(g: nx.MultiDiGraph, n: str, with_type: bool = False) -> str:
    """How a node is named in lists: ``P5.2 还存在“两个责任”…``."""
    if n not in g:
        return n
    d = g.nodes[n]
    if d.get("type") in ("PolicyRef", "Speaker"):
        label = d.get("title") or code(n)
    else:
        label = f"{shown_id(g, n, tags(g))} {d.get('title') or ''}".strip()
    return f"【{type_zh(d.get('type'))}】{label}" if with_type else label


def traceable(g: nx.MultiDiGraph, n: str) -> str:
    """The node 溯源 should open for `n`: itself, or the problem/measure an example/action belongs to."""
    if n not in g:
        return ""
    t = g.nodes[n].get("type")
    if t in TRACEABLE:
        return n
    if t in ("Example", "Action"):
        for u, _, d in g.in_edges(n, data=True):
            if d.get("type") in ("HAS_EXAMPLE", "HAS_ACTION"):
                return u
    return ""


def score_text(row: dict[str, Any]) -> str:
    parts = []
    if row.get("score") is not None:
        parts.append(f"得分 {float(row['score']):.2f}")
    if row.get("origin"):
        parts.append(ORIGIN_LABELS_ZH.get(row["origin"], row["origin"]))
    return " · ".join(parts)


def md(s: Any) -> str:
    """Document or URL text for any Streamlit element that renders Markdown (st.markdown, st.caption,
    st.info/warning/error/success, st.subheader, button/expander/metric labels, help=):
    ui.highlight.esc — the app's one escape — with line breaks as spaces. Our own markup goes around it."""
    return esc(s, newlines=" ")


def html_table(rows: list[dict[str, Any]]) -> None:
    """A small static table as our own HTML (every cell through esc; numbers right-aligned). Not st.table: that
    element loads about 1 MB of Arrow code into the browser on first use, a quarter of a second of the first
    总览 of a large workspace."""
    if not rows:
        return
    cols = list(rows[0])
    right = {k for k in cols if all(isinstance(r.get(k), int | float) for r in rows)}

    def cell(tag: str, k: str, v: Any) -> str:
        return f'<{tag} class="tg-num">{esc(v)}</{tag}>' if k in right else f"<{tag}>{esc(v)}</{tag}>"

    head = "".join(cell("th", k, k) for k in cols)
    body = "".join("<tr>" + "".join(cell("td", k, r.get(k, "")) for k in cols) + "</tr>" for r in rows)
    html(f'<table class="tg-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def html(s: str) -> None:
    """Output our own HTML (every piece of document text in it went through ui.highlight.esc)."""
    st.markdown(s, unsafe_allow_html=True)


def style() -> None:
    html(STYLE)


def link_row_html(row: dict[str, Any], g: nx.MultiDiGraph | None = None) -> str:
    """One linked node with its score, origin badge and evidence sentence(s); given the graph, its id carries
    its document when the workspace holds several."""
    score = f"得分 {float(row['score']):.2f}" if row.get("score") is not None else ""
    sid = ref(g, row["id"]) if g is not None and row["id"] in g else code(row["id"])
    head = (f'<div><b>{esc(sid)}</b> {esc(row.get("title", ""))} '
            f'{origin_badge(row.get("origin"))}<span style="color:#666">{esc(score)}</span></div>')
    return head + evidence_html(row.get("evidence"))


# --- navigation (used as button callbacks, which run before the next run's widgets; the frame then
# switches to the page asked for) ---

def go_trace(node: str) -> None:
    vs.session().navigate("trace", trace=node)


def go_graph(node: str) -> None:
    vs.session().navigate("graph", node=node)


def set_focus(node: str) -> None:
    vs.session().navigate("graph", focus=node, node=node)


def set_field(**kw: Any) -> None:
    vs.session().set(**kw)


PREVIEW_ROWS = 20


def big_table(rows: list[dict[str, Any]], unit: str, key: str) -> None:
    """A table; past 50 rows its first 20 and a switch for the whole list — a page of a thousand documents
    then opens at once, and the whole table is sent to the browser only when asked for."""
    if len(rows) <= 50:
        html_table(rows)
        return
    html_table(rows[:PREVIEW_ROWS])
    if st.toggle(f"显示全部 {len(rows):,} {unit}（前 {PREVIEW_ROWS} 见上表）", key=key):
        st.dataframe(rows, hide_index=True, width="stretch")  # virtualised
