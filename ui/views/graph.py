"""图谱: the filtered network picture, search, focus with hop expansion, and the node detail panel."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.model.schema import NODE_TYPES, ORIGIN_LABELS_ZH, TYPE_LABELS_ZH
from tracegraph.ui import state as vs
from tracegraph.ui.filters import FilterResult, apply_filters, areas_of, spec_from_state
from tracegraph.ui.graph_view import render_html
from tracegraph.ui.views import detail
from tracegraph.ui.views.common import go_graph, go_trace, md, name, ref, set_field, set_focus, traceable, type_zh

GRAPH_HEIGHT = 600


def _sanitise_widgets(g: nx.MultiDiGraph, state: vs.ViewState) -> None:
    """Drop values a widget could not show (a bookmarked area of a removed document, …)."""
    sess = vs.session()
    if state.area and state.area not in areas_of(g, state.doc):
        sess.area = ""
    sess.types = [t for t in state.types if t in NODE_TYPES]
    sess.origins = [o for o in state.origins if o in vs.ALL_ORIGINS]


def render_filters(g: nx.MultiDiGraph, state: vs.ViewState) -> None:
    """Filter widgets in the sidebar; their keys are the state fields, so the URL follows them."""
    _sanitise_widgets(g, state)
    sb = st.sidebar
    sb.markdown("### 筛选")
    sb.multiselect("节点类型", list(NODE_TYPES), key=vs.key("types"), format_func=lambda t: TYPE_LABELS_ZH.get(t, t))
    areas = ["", *areas_of(g, state.doc)]
    sb.selectbox("方面", areas, key=vs.key("area"), format_func=lambda a: "全部方面" if not a else name(g, a))
    sb.slider("关联最低得分", 0.0, 1.0, step=0.05, key=vs.key("min_score"),
              help="低于此得分的推断关联不显示；结构关系（包含、事例、举措）不受影响")
    sb.multiselect("关联来源", list(vs.ALL_ORIGINS), key=vs.key("origins"),
                   format_func=lambda o: ORIGIN_LABELS_ZH.get(o, o))
    sb.slider("扩展层数（聚焦/搜索时）", 1, 3, key=vs.key("hops"))
    sb.number_input("节点上限", min_value=10, max_value=1000, step=10, key=vs.key("cap"))


def render_search(g: nx.MultiDiGraph, result: FilterResult, state: vs.ViewState) -> None:
    if not state.q.strip():
        return
    hits = result.hits[:8]
    if not hits:
        st.warning(f"没有找到与“{md(state.q)}”相关的条目。")
        return
    st.markdown(f"**搜索“{md(state.q)}”：{len(result.hits)} 条结果**（显示前 {len(hits)} 条）")
    for h in hits:
        c1, c2, c3, c4 = st.columns([7, 1, 1, 1])
        snippet = (h.get("snippet") or "").replace("\n", " ")
        title = h.get("title") or ""
        title = title if len(title) <= 60 else title[:60] + "…"
        c1.markdown(f"【{type_zh(h.get('type'))}】**{md(ref(g, h['id']))} {md(title)}**  \n"
                    f"<small>{md(snippet[:80])}</small>", unsafe_allow_html=True)
        c2.button("查看", key=f"sr-open-{h['id']}", on_click=go_graph, args=(h["id"],))
        c3.button("聚焦", key=f"sr-focus-{h['id']}", on_click=set_focus, args=(h["id"],))
        t = traceable(g, h["id"])
        if t:
            c4.button("溯源", key=f"sr-trace-{h['id']}", on_click=go_trace, args=(t,))


def render(g: nx.MultiDiGraph, state: vs.ViewState) -> None:
    st.header("图谱")
    if not g.graph.get("documents"):
        st.info("工作区还没有文档，请先在“总览”上传。")
        return
    render_filters(g, state)
    st.text_input("搜索（中文关键词，支持模糊匹配）", key=vs.key("q"), placeholder="如：软弱涣散、三会一课、两个责任")
    state = vs.session().state()
    if state.focus:
        c1, c2 = st.columns([6, 1])
        c1.info(f"聚焦：{md(name(g, state.focus, with_type=True))}，扩展 {state.hops} 层")
        c2.button("取消聚焦", key="clear-focus", on_click=set_field, kwargs={"focus": ""})
    result = apply_filters(g, spec_from_state(state))
    render_search(g, result, state)
    if result.message:
        (st.warning if result.total == 0 else st.info)(md(result.message))
    selected = state.node if state.node in g else ""
    if selected:
        left, right = st.columns([3, 2])
    else:
        left, right = st.container(), None
    with left:
        st.caption(f"显示 {len(result.nodes)} 个节点、{len(result.edges)} 条关系。"
                   "点击节点查看详情；滚轮缩放，拖动平移。")
        if result.nodes:
            st.iframe(_page(g, result, selected), height=GRAPH_HEIGHT + 70)
    if right is not None:
        with right:
            detail.render(g, selected)
    render_export(g, state)


def _page(g: nx.MultiDiGraph, result: FilterResult, selected: str) -> str:
    return render_html(g, result, selected=selected, height=GRAPH_HEIGHT)


def export_selection(state: vs.ViewState) -> Any:
    """The graph view as an export selection (graph.subgraph.Selection): the focus and its hops when
    focused, else the type and document filters over the whole graph."""
    from tracegraph.graph.query.subgraph import Selection

    docs = (state.doc,) if state.doc else ()
    if state.focus:
        return Selection(focus=(state.focus,), depth=state.hops, types=tuple(state.types), documents=docs)
    return Selection(types=tuple(state.types), documents=docs)


def render_export(g: nx.MultiDiGraph, state: vs.ViewState) -> None:
    """The export panel for what the graph view shows."""
    from tracegraph.ui.export_panel import render_export_panel as fn

    selection = export_selection(state)
    with st.expander("导出当前视图"):
        try:
            fn(g, selection, key="graph-export")
        except Exception as exc:  # an export problem must not take the graph view down
            st.error(md(f"导出面板出错：{type(exc).__name__}: {exc}"))
