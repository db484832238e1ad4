"""全图: the whole workspace (or the chosen document) at once, drawn with WebGL so thousands of nodes stay
interactive; labels by level of detail. Past the per-node limit the page groups by document; a click on a
document opens its own map, a click on a node its detail panel below."""

from __future__ import annotations

import networkx as nx
import streamlit as st

from tracegraph.ui import state as vs
from tracegraph.ui.bigmap.component import webgl_map
from tracegraph.ui.bigmap.layout import map_data
from tracegraph.ui.views import detail
from tracegraph.ui.views.common import md

KEY = "tg-webgl-map"
HEIGHT = 640


def _on_open(g: nx.MultiDiGraph, grouped: bool) -> None:
    value = (st.session_state.get(KEY) or {}).get("open") or {}
    n = str(value.get("id") or "") if isinstance(value, dict) else ""
    sess = vs.session()
    if grouped and n in (g.graph.get("documents") or {}):
        sess.doc = n  # the sidebar's document filter: the next run draws that document's map
        sess.node = ""
    elif n in g:
        sess.node = n


def render(g: nx.MultiDiGraph, state: vs.ViewState) -> None:
    st.header("全图")
    if not g.graph.get("documents"):
        st.info("工作区还没有文档，请先在“总览”上传。")
        return
    data = map_data(g, state.doc or None)
    data["height"] = HEIGHT
    st.caption("整个工作区（或左侧所选文档）一次画出：每个文档一块，列为 方面 · 原因 · 问题 · 整改措施 · 具体举措，"
               "政策依据在右侧。拖动平移，滚轮缩放（放大后显示更多标题），悬停看完整标题，单击打开详情。"
               "要逐步展开、保存场景，请用“图谱”页。")
    if data["grouped"]:
        st.info(md(data["info"]))
        data["info"] = "按文档分组：点击一个文档打开它的全图"
    webgl_map(data, KEY, lambda: _on_open(g, bool(data["grouped"])))
    if state.node and state.node in g:
        detail.render(g, state.node)
