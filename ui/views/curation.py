"""校对: inferred links by score with 确认/否决, rejected links with 恢复, a form to add a link by hand,
decisions that lost their node (失联) and the audit trail. All logic lives in graph.curation; the lists
come from the curation log, so they are right whether or not `g` already has curation applied.

The store is the workspace's, open for the run and closed with it (a folder path gets one opened and
closed here). A button's callback runs at the start of the next run, when that store is closed: it opens
the store for its one operation (`_act`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.errors import TracegraphError
from tracegraph.graph.curation.inputs import clean_text, default_user
from tracegraph.graph.curation.rows import review_rows
from tracegraph.graph.curation.store import OP_LABELS_ZH, CurationStore
from tracegraph.graph.curation.workspace import Workspace
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, LINK_TYPES
from tracegraph.ui import state as vs
from tracegraph.ui.highlight import esc, evidence_html
from tracegraph.ui.views.common import code, html, md, name, ref, type_zh
from tracegraph.ui.workspace import open_workspace

PAGE = 30


@contextlib.contextmanager
def _store(workspace: Workspace | str | Path | Any) -> Iterator[CurationStore]:
    """The workspace's store (its owner closes it), or — for a folder path or anything else with a `.root`
    — a store opened for this page and closed after it."""
    if isinstance(workspace, Workspace):
        yield workspace.curation
        return
    with open_workspace(_root(workspace)) as ws:
        yield ws.curation


def _root(workspace: Workspace | str | Path | Any) -> str:
    return str(getattr(workspace, "root", workspace))


def _apply(store: CurationStore, op: str, *args: Any, done: str) -> None:
    """Run one store operation (confirm, reject, restore, add, dismiss); keep a one-line outcome for the
    next run."""
    sess = vs.session()
    try:
        getattr(store, op)(*args)
        sess.curation_message = ("success", done)
    except TracegraphError as exc:
        sess.curation_message = ("error", str(exc))


def _act(root: str, op: str, *args: Any, done: str, comment_key: str = "") -> None:
    """Button callback: the operation on the workspace's store, opened for it and closed after, by the
    校对人 in the text box. With `comment_key`, the text in that box is the decision's comment (a panel's
    备注 box, read when the button is pressed)."""
    sess = vs.session()
    try:
        user = sess.login_user or clean_text(sess.curation_user, 80, "校对人", required=True)
        if comment_key:
            args = (*args, str(sess.store.get(comment_key) or ""))
        with open_workspace(root, user=user) as ws:
            _apply(ws.curation, op, *args, done=done)
        if comment_key and sess.curation_message and sess.curation_message[0] == "success":
            sess.store[comment_key] = ""
    except TracegraphError as exc:
        sess.curation_message = ("error", str(exc))


def panel_act(op: str, *args: Any, done: str, comment_key: str = "") -> None:
    """A curation button on the detail or 溯源 panel: the same operation as on the 校对 page, on the app's
    workspace, by the same 校对人 (the logged-in account, else the name given on 校对, else the OS user)."""
    from tracegraph.ui.workspace import workspace_root

    sess = vs.session()
    if not sess.login_user and not (sess.curation_user or "").strip():
        sess.curation_user = default_user()
    _act(str(workspace_root()), op, *args, done=done, comment_key=comment_key)


def _undo_redo(root: str, op: str) -> None:
    """撤销 / 重做 this 校对人's last decision; the outcome (or that there was nothing to do) as the message."""
    sess = vs.session()
    try:
        user = sess.login_user or clean_text(sess.curation_user or default_user(), 80, "校对人", required=True)
        with open_workspace(root, user=user) as ws:
            d = ws.curation.undo() if op == "undo" else ws.curation.redo()
        verb = OP_LABELS_ZH[op]
        if d is None:
            sess.curation_message = ("info", "没有可撤销的操作" if op == "undo" else "没有可重做的操作")
        else:
            what = f"{code(d.source)} → {code(d.target)}" if d.source and d.target else (code(d.target or "") or "")
            sess.curation_message = ("undone" if op == "undo" else "success",
                                     f"已{verb}：{OP_LABELS_ZH.get(d.op, d.op)} {what}".strip())
    except TracegraphError as exc:
        sess.curation_message = ("error", str(exc))


def undo_redo(root: str = "", op: str = "undo") -> None:
    """Button callback for 撤销/重做 on any page (the app's workspace when `root` is empty)."""
    from tracegraph.ui.workspace import workspace_root

    _undo_redo(root or str(workspace_root()), op)


def feedback(key: str) -> None:
    """The last curation outcome, once: a success with a small 撤销 beside it, an undo with 重做."""
    msg = vs.session().pop_curation_message()
    if not msg:
        return
    kind, line = msg
    if kind == "error":
        st.error(md(line))
        return
    if kind == "info":
        st.info(md(line))
        return
    a, b = st.columns([6, 1])
    a.success(md(line))
    if kind == "undone":
        b.button("重做", key=f"{key}-redo", on_click=undo_redo, kwargs={"op": "redo"})
    else:
        b.button("撤销", key=f"{key}-undo", on_click=undo_redo, kwargs={"op": "undo"})


def local_time(at: str | None) -> str:
    """A stored UTC time (ISO 8601) as this machine's local time, to the second."""
    if not at:
        return ""
    try:
        t = datetime.fromisoformat(at)
    except ValueError:
        return at[:19]
    return t.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _link_label(g: nx.MultiDiGraph, row: dict[str, Any]) -> str:
    s, t = row["source"]["id"], row["target"]["id"]
    return f"{name(g, s)}  —{EDGE_LABELS_ZH.get(row['type'], row['type'])}→  {name(g, t)}"


def render_curation_view(g: nx.MultiDiGraph, workspace: Workspace | str | Path | Any) -> None:
    """The 校对 page; `workspace` is the app's workspace (or its folder)."""
    st.header("校对")
    with contextlib.ExitStack() as stack:
        try:
            store = stack.enter_context(_store(workspace))
        except TracegraphError as exc:
            st.error(md(exc))
            return
        _render(g, store, _root(workspace))


def _render(g: nx.MultiDiGraph, store: CurationStore, root: str) -> None:
    login = vs.session().login_user  # logged in: the account is the 校对人, not a box anyone can type in
    if login:
        vs.session().curation_user = login
    user = st.text_input("校对人（记入审计日志）", value=store.user, key=vs.CURATION_USER_KEY, disabled=bool(login),
                         help="登录的账户" if login else None)
    user = login or user
    try:
        store.user = clean_text(user, 80, "校对人", required=True)
    except TracegraphError as exc:
        st.error(md(exc))
        return
    if store.log_store.read_only is not None:
        st.warning(md(store.log_store.read_only) + "——可以查看，不能保存校对结果。")
    feedback("cu-msg")
    u1, u2, _ = st.columns([1, 1, 6])
    u1.button("撤销", key="cu-undo", on_click=undo_redo, args=(root, "undo"), help="撤销本校对人的上一步校对")
    u2.button("重做", key="cu-redo", on_click=undo_redo, args=(root, "redo"), help="重新执行刚撤销的一步")
    doc = vs.session().doc or None
    if doc:
        st.caption(f"只列出文档 {md(doc)} 的关系（侧栏“文档”选择“全部文档”可看全部）。")
    try:
        rows = review_rows(g, store, doc=doc)
    except TracegraphError as exc:
        st.error(md(exc))
        return
    uncertain = uncertain_roles(g, doc)
    tabs = st.tabs(
        [
            f"待校对（{len(rows['suggestions'])}）",
            f"已确认（{len(rows['curated'])}）",
            f"已否决（{len(rows['rejected'])}）",
            "添加关系",
            f"失联（{len(rows['orphans'])}）",
            "审计日志",
            f"角色待定（{len(uncertain)}）",
        ]
    )
    with tabs[0]:
        _suggestions(g, root, rows["suggestions"])
    with tabs[1]:
        _curated(g, rows["curated"])
    with tabs[2]:
        _rejected(g, root, rows["rejected"])
    with tabs[3]:
        _add_form(g, store)
    with tabs[4]:
        _orphans(root, rows["orphans"])
    with tabs[6]:
        _uncertain(g, root, uncertain)
    with tabs[5]:
        log = store.log(limit=300)[::-1]
        st.dataframe(
            [
                {
                    "时间": local_time(r["at"]),
                    "校对人": r["user"],
                    "操作": OP_LABELS_ZH.get(r["op"], r["op"]),
                    "对象": ref(g, r["target"]) if r["target"] in g else r["target"],
                    "原值": r["old_value"] or "",
                    "新值": r["new_value"] or "",
                    "备注": r["comment"],
                }
                for r in log
            ],
            hide_index=True,
        )


def uncertain_roles(g: nx.MultiDiGraph, doc: str | None = None) -> list[str]:
    """Units whose role the reader guessed from their content (role_uncertain), in reading order."""
    out = [n for n, d in g.nodes(data=True) if d.get("role_uncertain") and (not doc or d.get("doc") == doc)]
    return sorted(out, key=lambda n: (g.nodes[n].get("doc") or "", g.nodes[n].get("start") or 0))


def _uncertain(g: nx.MultiDiGraph, root: str, nodes: list[str]) -> None:
    """Confirm or change a guessed role; the decision is an ordinary curation edit and survives rebuilds."""
    if not nodes:
        st.info("没有角色待定的条目。")
        return
    st.caption("这些条目所在部分的标题没有说明它们是问题还是措施，角色是根据内容推测的。确认或改为正确的类型。")
    for n in nodes[:100]:
        d = g.nodes[n]
        with st.container(border=True):
            st.markdown(f"{md(type_zh(d.get('type')))} · {md(name(g, n))}")
            a, b, c = st.columns([2, 2, 3])
            keep = (root, "edit_node", g, n, None, d.get("type"), "确认推测的角色")
            a.button(f"确认为{type_zh(d.get('type'))}", key=f"cu-role-ok-{n}", on_click=_act, args=keep,
                     kwargs={"done": "已确认角色"})
            choices = [t for t in ("Problem", "Cause", "Measure", "Action", "Example") if t != d.get("type")]
            new = b.selectbox("改为", choices, key=f"cu-role-sel-{n}", format_func=type_zh,
                              label_visibility="collapsed")
            c.button("改为所选类型", key=f"cu-role-set-{n}", on_click=_act,
                     args=(root, "edit_node", g, n, None, new, "修改推测的角色"), kwargs={"done": "已修改角色"})


def _suggestions(g: nx.MultiDiGraph, root: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info("没有待校对的推断关系。")
        return
    st.caption("按得分从高到低列出程序推断的关系；确认后成为人工关系，否决后在各视图和导出中隐藏（可恢复）。")
    pages = max(1, (len(rows) + PAGE - 1) // PAGE)
    page = st.number_input("页", 1, pages, 1, key="tg_cur_page") if pages > 1 else 1
    for i, r in enumerate(rows[(page - 1) * PAGE : page * PAGE]):
        s, t, etype = r["source"]["id"], r["target"]["id"], r["type"]
        with st.container(border=True):
            cols = st.columns([6, 1, 1])
            cols[0].markdown(f"**{md(_link_label(g, r))}**  \n得分 {r['score']:.2f}")
            key = f"{s}|{t}|{etype}|{i}"
            cols[1].button(
                "确认",
                key=f"tg_cur_ok|{key}",
                on_click=_act,
                args=(root, "confirm", g, s, t, etype),
                kwargs={"done": f"已确认 {ref(g, s)} → {ref(g, t)}"},
            )
            cols[2].button(
                "否决",
                key=f"tg_cur_no|{key}",
                on_click=_act,
                args=(root, "reject", g, s, t, etype),
                kwargs={"done": f"已否决 {ref(g, s)} → {ref(g, t)}"},
            )
            ev = evidence_html(r.get("evidence"))
            if ev:
                with st.expander("依据"):
                    html(ev)


def _curated(g: nx.MultiDiGraph, rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info("还没有人工确认或添加的关系。")
        return
    st.dataframe(
        [
            {
                "关系": _link_label(g, r),
                "方式": "确认" if r["op"] == "confirm" else "人工添加",
                "校对人": r["by"],
                "时间": local_time(r["at"]),
                "备注": r["comment"],
            }
            for r in rows
        ],
        hide_index=True,
    )


def _rejected(g: nx.MultiDiGraph, root: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info("没有被否决的关系。")
        return
    for r in rows:
        s, t, etype = r["source"]["id"], r["target"]["id"], r["type"]
        cols = st.columns([6, 1])
        gone = "" if r["present"] else "（重建后程序已不再推断这条关系）"
        note = f"；备注：{r['comment']}" if r["comment"] else ""
        cols[0].markdown(f"{md(_link_label(g, r))}  \n{md(r['by'])} 于 {local_time(r['at'])} 否决{md(note)}{gone}")
        cols[1].button(
            "恢复",
            key=f"tg_cur_back|{s}|{t}|{etype}",
            on_click=_act,
            args=(root, "restore", g, s, t, etype),
            kwargs={"done": f"已恢复 {ref(g, s)} → {ref(g, t)}"},
        )


def _add_form(g: nx.MultiDiGraph, store: CurationStore) -> None:
    from tracegraph.graph.model.schema import LINK_RULES

    etype = st.selectbox(
        "关系类型", LINK_TYPES, format_func=lambda t: f"{EDGE_LABELS_ZH.get(t, t)}（{t}）", key="tg_cur_type"
    )
    src_types, tgt_types = LINK_RULES[etype]

    def options(types: tuple[str, ...]) -> list[str]:
        out = [n for n, d in g.nodes(data=True) if d.get("type") in types]
        return sorted(out, key=lambda n: (g.nodes[n].get("doc") or "", g.nodes[n].get("start") or 0, n))

    with st.form("tg_cur_add", clear_on_submit=True):
        s = st.selectbox("起点", options(src_types), format_func=lambda n: name(g, n, with_type=True))
        t = st.selectbox("终点", options(tgt_types), format_func=lambda n: name(g, n, with_type=True))
        comment = st.text_area("备注（必填：为什么建立这条关系）", max_chars=2000)
        several = len(g.graph.get("documents") or {}) > 1
        cross = st.checkbox("跨文档关联：起点和终点属于不同文档，这是有意的", key="tg_cur_cross",
                            help="两份文档的条目编号可能相同（如都有 P4.1）；不勾选时，跨文档的关联会被拒绝，"
                                 "以免选错文档。") if several else False
        if st.form_submit_button("添加") and s and t:
            _apply(store, "add", g, s, t, etype, comment, bool(cross), done=f"已添加 {ref(g, s)} → {ref(g, t)}")
            st.rerun()


def _orphans(root: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info("没有失联的校对记录：所有人工判断都找到了对应的节点。")
        return
    st.caption(
        "重新导入修订后的文档后，这些校对记录的节点已找不到（内容已删除或大幅改写）。请对照原文重新校对，然后忽略。"
    )
    for o in rows:
        with st.container(border=True):
            link = f"，关系 {o['etype']}，另一端 {o['other']}" if o.get("etype") else ""
            html(
                f"<b>#{o['decision']}</b> {esc(o['op'])}（{esc(o['user'])}，{esc(o['at'][:19])}{esc(link)}）<br>"
                f'<div class="tg-source">原节点 {esc(o["node"])}：{esc(o["text"][:300])}</div>'
            )
            st.button(
                "忽略",
                key=f"tg_cur_dismiss|{o['decision']}",
                on_click=_act,
                args=(root, "dismiss", o["decision"]),
                kwargs={"done": f"已忽略 #{o['decision']}"},
            )
