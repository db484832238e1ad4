"""The app's frame: page setup, the workspace graph (cached per file version), the sidebar navigation
mirrored into the URL, and dispatch to one view module per page."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.ui import state as vs
from tracegraph.ui.workspace import Workspace, workspace_dir


@st.cache_resource(max_entries=4, show_spinner="正在读取工作区图谱……")
def _graph(path: str, mtime: float) -> nx.MultiDiGraph:
    """One graph object per graph.json version, shared by every browser tab (views only read it)."""
    return Workspace(path).load_graph()


@st.cache_resource(ttl=60, max_entries=2, show_spinner="正在从 Neo4j 读取图谱……")
def _neo4j_graph(uri: str) -> nx.MultiDiGraph:
    """The shared store's graph, re-read at most once a minute (other analysts may be pushing)."""
    from tracegraph.graph.stores.factory import open_store

    store = open_store(uri)
    try:
        return store.load_graph()
    finally:
        store.close()


def load_graph(ws: Workspace) -> nx.MultiDiGraph:
    uri = os.environ.get("TRACEGRAPH_NEO4J_URI")
    if uri:
        return _neo4j_graph(uri)
    return _graph(str(ws.root), ws.graph_mtime())


# optional pages written in other modules: view → (module, function); shown only when importable
_OPTIONAL = {"corpus": ("tracegraph.ui.views.corpus", "render"),
             "curation": ("tracegraph.ui.views.curation", "render_curation_view"),
             "review": ("tracegraph.ui.views.review", "render_review_view")}


def _optional_view(view: str) -> Callable[..., Any] | None:
    mod_name, fn_name = _OPTIONAL[view]
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as exc:
        if exc.name == mod_name:
            return None
        raise
    return getattr(mod, fn_name, None)


def available_views() -> list[str]:
    return list(vs.CORE_VIEWS) + [v for v in vs.OPTIONAL_VIEWS if _optional_view(v) is not None]


def render_sidebar(g: nx.MultiDiGraph, ws: Workspace) -> None:
    sb = st.sidebar
    sb.markdown("## 整改材料知识图谱")
    views = available_views()
    if st.session_state.get("tg_view") not in views:
        st.session_state["tg_view"] = "overview"
    sb.radio("视图", views, key="tg_view", format_func=lambda v: vs.VIEW_LABELS_ZH[v])
    docs = list(g.graph.get("documents", {}))
    if st.session_state.get("tg_doc") not in ["", *docs]:
        st.session_state["tg_doc"] = ""
    if len(docs) > 1 or st.session_state.get("tg_doc"):
        sb.selectbox("文档", ["", *docs], key="tg_doc", format_func=lambda d: "全部文档" if not d else d)
    sb.caption(f"工作区：{ws.root}")


def run() -> None:
    st.set_page_config(page_title="整改材料知识图谱", layout="wide", initial_sidebar_state="expanded")
    vs.init_session(st.session_state, st.query_params)
    ws = Workspace(workspace_dir())
    try:
        g = load_graph(ws)
    except Exception as exc:  # a damaged graph.json: say so in one line, keep the upload usable
        st.error(f"无法读取工作区图谱 {ws.graph_path}：{exc}")
        from tracegraph.graph.build.document import new_graph

        g = new_graph()
    render_sidebar(g, ws)
    from tracegraph.ui.views import common

    common.style()
    state = vs.read(st.session_state)
    if state.view == "overview":
        from tracegraph.ui.views import overview

        overview.render(g, ws, state)
    elif state.view == "graph":
        from tracegraph.ui.views import graph as graph_view

        graph_view.render(g, state)
    elif state.view == "trace":
        from tracegraph.ui.views import trace

        trace.render(g, state)
    elif state.view == "matrix":
        from tracegraph.ui.views import matrix

        matrix.render(g, state)
    elif state.view == "ask":
        from tracegraph.ui.views import ask

        ask.render(g, state)
    elif state.view == "corpus":
        fn = _optional_view("corpus")
        if fn is not None:
            fn(g, ws)
    elif state.view == "curation":
        fn = _optional_view("curation")
        if fn is not None:
            fn(g, ws)
    elif state.view == "review":
        fn = _optional_view("review")
        if fn is not None:
            fn(g, state.doc or None)
    vs.publish(st.query_params, vs.read(st.session_state))
