"""图谱 · 探索: start from a word, build a picture by expanding, keep it as a named scene — the way graph-browser
users work. The explorer (``ui/explore``) draws and keeps positions in the browser; this page keeps the
scene's membership in the session and answers the explorer's events (type-ahead, expand, hide, shortest
path, open a node, save a scene). The page body is a fragment: an event reruns it alone, never the whole
app, and the browser merges the answer into what it already draws (no reload, no redraw).

URL: ``/graph?node=<id>`` opens a node's detail beside the explorer with the node and its neighbours in the
scene; ``?focus=<id>`` the same without the detail; ``?scene=<名称>`` opens a saved scene; ``?q=…`` lists
search hits below."""

from __future__ import annotations

from functools import partial
from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.errors import TracegraphError
from tracegraph.graph.curation.workspace import Workspace
from tracegraph.graph.query.explore import EXPAND_LIMIT
from tracegraph.graph.query.naming import shown_id
from tracegraph.ui import state as vs
from tracegraph.ui.explore.component import EVENTS, explorer
from tracegraph.ui.explore.scene_state import ExplorerState, expand, handle, open_scene, payload
from tracegraph.ui.filters import apply_filters, spec_from_state
from tracegraph.ui.views import detail
from tracegraph.ui.views.common import go_graph, go_trace, md, ref, set_focus, traceable, type_zh
from tracegraph.ui.workspace import open_workspace

GRAPH_HEIGHT = 620
KEY = "tg-explorer"
_STATE_KEY = "_tg_explorer_state"
_FULL_RUN_KEY = "_tg_explorer_full_run"  # set while the whole page runs (not a fragment-only rerun)
_SEEDED_KEY = "_tg_explorer_seeded"  # what the URL asked for last (node/focus/scene), so it seeds only once


def explorer_state() -> ExplorerState:
    store = vs.session().store
    xs = store.get(_STATE_KEY)
    if not isinstance(xs, ExplorerState):
        xs = ExplorerState()
        store[_STATE_KEY] = xs
    return xs


def _seed(g: nx.MultiDiGraph, ws: Workspace, state: vs.ViewState, xs: ExplorerState) -> None:
    """What the URL names goes into the scene once (a later run must not undo the analyst's changes)."""
    store = vs.session().store
    want = (state.node, state.focus, state.scene, state.doc)
    if store.get(_SEEDED_KEY) == want:
        return
    store[_SEEDED_KEY] = want
    if state.scene:
        try:
            open_scene(g, xs, ws.scenes.get(state.scene))
        except TracegraphError as exc:
            xs.message = f"无法打开场景：{exc}"
        return
    centre = state.node or state.focus
    if centre and centre in g:
        if centre not in xs.nodes:
            xs.replace_scene([centre], g=g)
        expand(g, xs, [centre])
        xs.select, xs.anchor, xs.focus = [centre], centre, True
        xs.opened = state.node if state.node in g else xs.opened
        return
    if not xs.nodes:
        _starter(g, state, xs)


def _starter(g: nx.MultiDiGraph, state: vs.ViewState, xs: ExplorerState) -> None:
    """A first picture so a newcomer does not face an empty canvas: the chosen (or only) document's
    problems with what addresses and explains them."""
    docs = list(g.graph.get("documents", {}) or {})
    doc = state.doc or (docs[0] if len(docs) == 1 else "")
    if not doc:
        xs.message = "在上方输入关键词（跨全部文档），选中结果加入场景；双击节点展开相邻节点"
        return
    from tracegraph.graph.query.queries import counted_problems

    problems = counted_problems(g, doc)[:12]
    nodes = list(problems)
    for p in problems:
        for u, _v, d in g.in_edges(p, data=True):
            if d.get("type") in ("ADDRESSES", "EXPLAINS") and not d.get("rejected"):
                nodes.append(u)
    xs.replace_scene(nodes, g=g, message=f"起始场景：本文档前 {len(problems)} 个问题及其措施、原因。"
                     "输入关键词加入其他节点，双击展开")


def _on_event(event: str, g: nx.MultiDiGraph, root: str, doc: str | None) -> None:
    value = (st.session_state.get(KEY) or {}).get(event)
    if value is None:
        return
    xs = explorer_state()
    if event == "save":
        sess = vs.session()
        with open_workspace(root, user=sess.login_user or sess.curation_user or None) as ws:
            handle(g, xs, event, value, doc=doc, scenes=ws.scenes)
        return
    handle(g, xs, event, value, doc=doc)
    if event == "open":
        vs.session().node = xs.opened


def _open_saved(g: nx.MultiDiGraph, root: str) -> None:
    name = st.session_state.get("tg-scene-pick") or ""
    if not name:
        return
    xs = explorer_state()
    try:
        with open_workspace(root) as ws:
            open_scene(g, xs, ws.scenes.get(name))
        vs.session().set(scene=name)
        vs.session().store[_SEEDED_KEY] = (vs.session().node, vs.session().focus, name, vs.session().doc)
    except TracegraphError as exc:
        xs.message = f"无法打开场景：{exc}"


def _delete_saved(root: str) -> None:
    name = st.session_state.get("tg-scene-pick") or ""
    xs = explorer_state()
    try:
        with open_workspace(root) as ws:
            ws.scenes.delete(name)
        xs.message = f"已删除场景“{name}”"
    except TracegraphError as exc:
        xs.message = f"无法删除场景：{exc}"


def render(g: nx.MultiDiGraph, state: vs.ViewState, ws: Workspace) -> None:
    st.header("图谱")
    if not g.graph.get("documents"):
        st.info("工作区还没有文档，请先在“总览”上传。")
        return
    xs = explorer_state()
    _seed(g, ws, state, xs)
    store = vs.session().store
    store[_FULL_RUN_KEY] = True
    try:
        _explore(g, str(ws.root), state.doc or None)
    finally:
        store[_FULL_RUN_KEY] = False
    render_search(g, state)


@st.fragment
def _explore(g: nx.MultiDiGraph, root: str, doc: str | None) -> None:
    sess = vs.session()
    if not sess.store.get(_FULL_RUN_KEY) and (sess.goto or sess.curation_message):
        # a rerun of this fragment alone, after a detail-panel button asked for another page or changed a
        # link: the frame (navigation, the re-read graph) must run
        st.rerun(scope="app")
    xs = explorer_state()
    st.caption("在搜索框输入关键词，从全部文档中选出节点加入场景；双击节点展开相邻节点（每次最多 "
               f"{EXPAND_LIMIT} 个）；Ctrl+单击多选后可隐藏、固定、求最短路径、画溯源图；场景可命名保存到工作区。"
               "要看整个工作区的全貌，请到“全图”页。")
    # The same elements in the same places on every run (containers filled or left empty): Streamlit keeps
    # an element by its place, so anything appearing above or around the explorer would mount it anew and
    # lose what the analyst arranged.
    with st.container():
        _scene_bar(g, root, xs)
    left, right = st.columns([3, 2])
    with left:
        explorer(payload(g, xs, GRAPH_HEIGHT), KEY,
                 {e: partial(_on_event, e, g, root, doc) for e in EVENTS})
    with right:
        opened = xs.opened if xs.opened in g else ""
        if opened:
            detail.render(g, opened)
        else:
            st.info("单击图中的节点，在这里查看它的原文、关联和校对操作。")
    with st.container():
        if xs.picture:
            _picture(g, xs)
    with st.container():
        if xs.nodes:
            _scene_export(g, xs)


def _scene_bar(g: nx.MultiDiGraph, root: str, xs: ExplorerState) -> None:
    try:
        with open_workspace(root) as ws:
            saved = ws.scenes.list()
    except TracegraphError as exc:
        st.warning(md(f"无法读取已保存的场景：{exc}"))
        return
    if not saved:
        return
    names = [s["name"] for s in saved]
    info = {s["name"]: s for s in saved}
    if xs.saved and xs.saved in names:
        st.session_state["tg-scene-pick"] = xs.saved
    a, b, c = st.columns([4, 1, 1])
    a.selectbox("已保存的场景", names, key="tg-scene-pick",
                format_func=lambda n: f"{n}（{info[n]['nodes']} 个节点，{info[n]['saved_by']}）")
    b.button("打开场景", key="tg-scene-open", on_click=_open_saved, args=(g, root))
    c.button("删除场景", key="tg-scene-delete", on_click=_delete_saved, args=(root,))


def _picture(g: nx.MultiDiGraph, xs: ExplorerState) -> None:
    from tracegraph.ui.views.trace_picture import render_picture

    with st.container(border=True):
        st.markdown("**所选节点的溯源图：** " + "、".join(md(shown_id(g, n)) for n in xs.picture[:8])
                    + ("…" if len(xs.picture) > 8 else ""))
        render_picture(g, xs.picture)


def _scene_export(g: nx.MultiDiGraph, xs: ExplorerState) -> None:
    from tracegraph.graph.query.subgraph import Selection
    from tracegraph.ui.export_panel import render_export_panel

    with st.expander(f"导出当前场景（{len(xs.nodes)} 个节点）"):
        try:
            render_export_panel(g, Selection(focus=tuple(xs.nodes), depth=0), key="scene-export",
                                subject=f"场景_{xs.scene_name}" if xs.scene_name else "探索场景",
                                scope=(f"场景“{xs.scene_name}”" if xs.scene_name else "当前场景")
                                + f"的 {len(xs.nodes)} 个节点及其之间的关系")
        except Exception as exc:  # an export problem must not take the explorer down
            st.error(md(f"导出面板出错：{type(exc).__name__}: {exc}"))


def render_search(g: nx.MultiDiGraph, state: vs.ViewState) -> None:
    """``?q=`` (a bookmarked search): every hit, with 查看/加入场景/溯源."""
    if not state.q.strip():
        return
    result = apply_filters(g, spec_from_state(state))
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


def export_selection(state: vs.ViewState) -> Any:
    """The graph view's export selection when no scene is drawn: the focus and its hops, else the
    type and document filters (kept for links made before the explorer)."""
    from tracegraph.graph.query.subgraph import Selection

    docs = (state.doc,) if state.doc else ()
    if state.focus:
        return Selection(focus=(state.focus,), depth=state.hops, types=tuple(state.types), documents=docs)
    return Selection(types=tuple(state.types), documents=docs)
