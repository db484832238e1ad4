"""校对: inferred links by score with 确认/否决, rejected links with 恢复, a form to add a link by hand,
decisions that lost their node (失联) and the audit trail. All logic lives in graph.curation; the lists
come from the curation log, so they are right whether or not `g` already has curation applied.

The store is the workspace's, open for the run and closed with it (a folder path gets one opened and
closed here). A button's callback runs at the start of the next run, when that store is closed: it opens
the store for its one operation (`_act`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.errors import TracegraphError
from tracegraph.graph.curation.inputs import clean_text
from tracegraph.graph.curation.rows import review_rows
from tracegraph.graph.curation.store import CurationStore
from tracegraph.graph.curation.workspace import Workspace
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, LINK_TYPES
from tracegraph.ui import state as vs
from tracegraph.ui.highlight import esc, evidence_html
from tracegraph.ui.views.common import code, html, md, name, type_zh

PAGE = 30


@contextlib.contextmanager
def _store(workspace: Workspace | str | Path | Any) -> Iterator[CurationStore]:
    """The workspace's store (its owner closes it), or — for a folder path or anything else with a `.root`
    — a store opened for this page and closed after it."""
    if isinstance(workspace, Workspace):
        yield workspace.curation
        return
    with Workspace(_root(workspace)) as ws:
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


def _act(root: str, op: str, *args: Any, done: str) -> None:
    """Button callback: the operation on the workspace's store, opened for it and closed after, by the
    校对人 in the text box."""
    sess = vs.session()
    try:
        user = sess.login_user or clean_text(sess.curation_user, 80, "校对人", required=True)
        with Workspace(root, user=user) as ws:
            _apply(ws.curation, op, *args, done=done)
    except TracegraphError as exc:
        sess.curation_message = ("error", str(exc))


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
    if store.db.read_only is not None:
        st.warning(md(store.db.read_only) + "——可以查看，不能保存校对结果。")
    msg = vs.session().pop_curation_message()
    if msg:
        (st.success if msg[0] == "success" else st.error)(md(msg[1]))
    try:
        rows = review_rows(g, store)
    except TracegraphError as exc:
        st.error(md(exc))
        return
    uncertain = uncertain_roles(g, vs.session().doc or None)
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
                    "时间(UTC)": r["at"][:19],
                    "校对人": r["user"],
                    "操作": r["op"],
                    "对象": r["target"],
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
                kwargs={"done": f"已确认 {code(s)} → {code(t)}"},
            )
            cols[2].button(
                "否决",
                key=f"tg_cur_no|{key}",
                on_click=_act,
                args=(root, "reject", g, s, t, etype),
                kwargs={"done": f"已否决 {code(s)} → {code(t)}"},
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
                "时间(UTC)": r["at"][:19],
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
        cols[0].markdown(f"{md(_link_label(g, r))}  \n{md(r['by'])} 于 {r['at'][:19]} 否决{md(note)}{gone}")
        cols[1].button(
            "恢复",
            key=f"tg_cur_back|{s}|{t}|{etype}",
            on_click=_act,
            args=(root, "restore", g, s, t, etype),
            kwargs={"done": f"已恢复 {code(s)} → {code(t)}"},
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
        if st.form_submit_button("添加") and s and t:
            _apply(store, "add", g, s, t, etype, comment, done=f"已添加 {code(s)} → {code(t)}")
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
