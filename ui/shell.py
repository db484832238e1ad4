"""The app's frame: the pages (one per view module, each at its own URL path: /overview, /graph, /trace,
/matrix, /ask, /corpus, /curation, /review), the workspace graph (cached per version), the sidebar document
filter, and the view state mirrored into the URL query string.

Streamlit runs this frame on every run: st.navigation picks the page from the URL path, the frame opens
the workspace for the run (and closes it after), draws the sidebar and runs the page. The root URL is a
hidden page that opens 总览 — or, for a link from before the pages had paths (``/?view=trace&trace=…``),
the page it names. Buttons that lead to another page (溯源, 图谱, …) ask for it through the session
(`ui.state.Session.navigate`); the frame switches before anything is drawn.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import streamlit as st

from tracegraph.graph.curation.workspace import Workspace
from tracegraph.ui import shared_store
from tracegraph.ui import state as vs
from tracegraph.ui.memo import cached
from tracegraph.ui.views import ask, choose, common, corpus, curation, login, matrix, overview, review, trace
from tracegraph.ui.views import graph as graph_view
from tracegraph.ui.views import map as map_view
from tracegraph.ui.workspace import NO_LOGIN_ENV, open_workspace, workspace_root

APP_TITLE = "整改材料知识图谱"
ROOT_URL_PATH = "start"  # the hidden page served at the root URL (never drawn: it switches to a page)


@st.cache_resource(max_entries=4, show_spinner="正在读取工作区图谱……")
def _graph(path: str, version: float) -> nx.MultiDiGraph:
    """One graph object per workspace graph version, shared by every browser tab (views only read it)."""
    with open_workspace(path) as ws:
        return _long_lived(ws.current_graph())


def _long_lived(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A graph that lives as long as its version: its millions of objects are moved out of the cyclic
    garbage collector's view (gc.freeze). Otherwise every full collection walks them all — half a second at
    a thousand documents, several times a minute while pages run. A replaced graph is still freed by
    reference counting; only cycles among its objects (there are none in a networkx graph) would stay."""
    gc.collect()
    gc.freeze()
    return g


def warm_up() -> str:
    """Read the workspace's graph into the app's cache and compute the 总览's answers (run by
    tracegraph.ui.serve while the server starts, outside any page run)."""
    with open_workspace() as ws:
        g = load_graph(ws)
        if g.graph.get("documents"):
            overview.warm(g)
            cached(g, _doc_titles)
        address = shared_store.uri()
        if address and g.graph.get("documents"):  # a paged store: 总览's numbers, counted by the store
            shared_store.counts(address)
        # the first table of the first page would pay for these imports
        import pandas
        import pyarrow  # type: ignore[import-untyped]

        pyarrow.Table.from_pandas(pandas.DataFrame([{"文档": "x", "问题": 1}]))
    return f"{len(g.graph.get('documents') or {})} 个文档、{g.number_of_nodes():,} 个节点"


def load_graph(ws: Workspace) -> nx.MultiDiGraph:
    """The workspace's graph (embedded); on a shared Neo4j the index of its documents (the whole graph is
    never read: see ui.shared_store)."""
    address = shared_store.uri()
    if address:
        return shared_store.index_graph(address)
    return _graph(str(ws.root), ws.graph_version())


def page_graphs(ws: Workspace, sess: vs.Session) -> tuple[nx.MultiDiGraph, nx.MultiDiGraph]:
    """(all documents, for the sidebar; what the page is drawn from): the same graph in a workspace, the
    index and the chosen document's part on a shared Neo4j."""
    address = shared_store.uri()
    if not address:
        g = load_graph(ws)
        return g, g
    st_ = sess.state()
    index, g, doc = shared_store.scope(address, sess.doc, [st_.trace, st_.node, st_.focus])
    if doc and sess.doc != doc:  # the page holds one document: every view filters by it (and the URL says so)
        sess.doc = doc
    return index, g


@dataclass(frozen=True)
class PageContext:
    """What a page is drawn from in one run."""

    g: nx.MultiDiGraph
    ws: Workspace
    state: vs.ViewState


# page (= URL path) → how it is drawn; one entry per name in ui.state.VIEWS, in navigation order
RENDER: dict[str, Callable[[PageContext], None]] = {
    "overview": lambda c: overview.render(c.g, c.ws, c.state),
    "graph": lambda c: graph_view.render(c.g, c.state, c.ws),
    "map": lambda c: map_view.render(c.g, c.state),
    "trace": lambda c: trace.render(c.g, c.state),
    "matrix": lambda c: matrix.render(c.g, c.state),
    "ask": lambda c: ask.render(c.g, c.state),
    "corpus": lambda c: corpus.render(c.g, c.ws),
    "curation": lambda c: curation.render_curation_view(c.g, c.ws),
    "review": lambda c: review.render_review_view(c.g, c.state.doc or None),
}


def _page(view: str, run_context: list[PageContext]) -> st.Page:
    def draw() -> None:
        RENDER[view](run_context[-1])

    return st.Page(draw, title=vs.VIEW_LABELS_ZH[view], url_path=view)


def _root() -> None:
    """The root URL's page: never drawn, the frame switches to a real page first."""


def render_sidebar(g: nx.MultiDiGraph, ws: Workspace) -> None:
    """Below the page navigation: the app's name, the document filter (every page honours it) and the
    workspace folder."""
    sb = st.sidebar
    sb.markdown(f"## {APP_TITLE}")
    sess = vs.session()
    meta = g.graph.get("documents", {})
    docs = list(meta)
    if sess.doc not in ["", *docs]:
        sess.doc = ""

    labels, alike = cached(g, _doc_titles)

    def title(d: str) -> str:  # a document by its title; its id only when two titles read alike
        if not d:
            return "全部文档"
        return labels[d] + (f"（{d}）" if labels[d] in alike else "")

    if len(docs) > MAX_DOC_OPTIONS:
        # a thousand titles in one drop-down slow every page down: find the document by a word of its title
        q = sb.text_input("查找文档（标题中的字词）", key="tg_doc_find", placeholder=f"共 {len(docs):,} 份文档")
        found = [d for d in docs if q.strip() and q.strip() in labels[d]] if q else []
        if not q.strip() and not sess.doc:  # nothing to choose from yet (and the page skips the drop-down's code)
            sb.caption("全部文档；输入标题中的字词后可选一份。")
        else:
            options = ["", *([sess.doc] if sess.doc else []), *[d for d in found if d != sess.doc][:MAX_DOC_OPTIONS]]
            sb.selectbox("文档", options, key=vs.key("doc"), format_func=title,
                         help=f"先在上面输入标题中的字词；找到 {len(found)} 份" + ("（列出前 50 份）" if
                                                                        len(found) > MAX_DOC_OPTIONS else ""))
    elif len(docs) > 1 or sess.doc:
        sb.selectbox("文档", ["", *docs], key=vs.key("doc"), format_func=title,
                     help="按标题列出；文档编号见“总览”的文档表。")
    sb.caption(f"工作区：{common.md(ws.root)}")
    user = vs.session().login_user
    if user:
        sb.caption(f"已登录：{common.md(user)}")
        sb.button("退出登录", key="tg_logout", on_click=_logout)


MAX_DOC_OPTIONS = 50
# pages that need every document's items at once: not offered on a shared Neo4j (the app never reads it whole)
SHARED_UNAVAILABLE = {
    "corpus": "跨文档分析（聚类、套话、文档对比）需要同时读取全部文档的条目。图谱在共享的 Neo4j 或档案库上时，"
              "本应用不把整个图谱读入内存，所以这一页不可用：请在本机工作区中打开"
              "（tracegraph app --workspace …），或用 tracegraph corpus 命令。",
}


def _doc_titles(g: nx.MultiDiGraph) -> tuple[dict[str, str], set[str]]:
    """Each document's title, and the titles two documents share (those add the id)."""
    labels = {d: overview.doc_label(g, d) for d in g.graph.get("documents", {})}
    seen: dict[str, int] = {}
    for lab in labels.values():
        seen[lab] = seen.get(lab, 0) + 1
    return labels, {lab for lab, k in seen.items() if k > 1}


def _logout() -> None:
    sess = vs.session()
    sess.login_user = ""
    sess.curation_user = ""


def _load(ws: Workspace, sess: vs.Session) -> tuple[nx.MultiDiGraph, nx.MultiDiGraph]:
    try:
        return page_graphs(ws, sess)
    except Exception as exc:  # a damaged graph.json: say so in one line, keep the upload usable
        address = shared_store.uri()
        where = shared_store.source_zh(address) if address else str(ws.graph_path)
        st.error(common.md(f"无法读取图谱 {where}：{exc}"))
        from tracegraph.graph.build.document import new_graph

        g = new_graph()
        return g, g


def _login_required(root: str) -> bool:
    from tracegraph.ui.accounts import has_accounts

    return os.environ.get(NO_LOGIN_ENV) != "1" and has_accounts(root)


def run() -> None:
    """One run of the app; with TRACEGRAPH_TIMING=1 its duration goes to the server's log (for the benchmark
    and for an administrator looking for a slow page)."""
    if not os.environ.get("TRACEGRAPH_TIMING"):
        _run()
        return
    t0 = time.perf_counter()
    try:
        _run()
    finally:
        print(f"[timing] {vs.session().view} {1000 * (time.perf_counter() - t0):.0f} ms", file=sys.stderr, flush=True)


def _run() -> None:
    sess = vs.session()
    user: str | None = None
    ws_root = str(workspace_root())
    if _login_required(ws_root):
        user = sess.login_user or None
        if user is None:  # only the login page exists for this session: no navigation, no workspace
            st.set_page_config(page_title=f"登录 · {APP_TITLE}", layout="centered")
            # the login form at every page's path, so a link to /graph?… opens that page after the login
            def form() -> None:
                login.logged_in_user(ws_root)

            forms = [st.Page(form, title="登录", url_path=ROOT_URL_PATH, default=True)]
            forms += [st.Page(form, title=f"登录 {v}", url_path=v) for v in vs.VIEWS]
            st.navigation(forms, position="hidden").run()
            return
    vs.init_session(sess.store, st.query_params)
    run_context: list[PageContext] = []
    pages = {view: _page(view, run_context) for view in vs.VIEWS}
    root = st.Page(_root, title=APP_TITLE, url_path=ROOT_URL_PATH, default=True, visibility="hidden")
    current = st.navigation([root, *pages.values()], position="sidebar")
    if current is root:  # the root URL: the page an old ?view= link names (first run), else the last one
        st.switch_page(pages[sess.view], query_params=vs.to_query(sess.state()))
    view = next(v for v, p in pages.items() if p is current)
    goto = sess.pop_goto()
    if goto and goto != view:  # a button asked for another page
        st.switch_page(pages[goto], query_params=vs.to_query(sess.state()))
    sess.view = view
    st.set_page_config(page_title=f"{vs.VIEW_LABELS_ZH[view]} · {APP_TITLE}", layout="wide",
                       initial_sidebar_state="expanded")
    with open_workspace(user=user) as ws:  # closed after the run: no database handle outlives it
        index, g = _load(ws, sess)
        render_sidebar(index, ws)
        common.style()
        run_context.append(PageContext(g, ws, sess.state()))
        if shared_store.uri() and view in SHARED_UNAVAILABLE:
            st.header(vs.VIEW_LABELS_ZH[view])
            st.info(SHARED_UNAVAILABLE[view])
        elif shared_store.is_index(g) and view != "overview":
            choose.render(g, view)
        else:
            current.run()
    vs.publish(st.query_params, sess.state(), sess.store)
