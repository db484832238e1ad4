"""溯源: from a problem to its causes, measures, actions and policy references with the evidence for each
link — or the reverse, from a measure or a cause. A problem without measures is shown as a coverage gap
with the nearest candidates the linker found."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.query.queries import doubtful, reading_of, trace
from tracegraph.ui import state as vs
from tracegraph.ui.export_panel import render_export_section
from tracegraph.ui.highlight import esc
from tracegraph.ui.views.common import (
    doc_arg,
    go_graph,
    go_trace,
    html,
    link_row_html,
    md,
    name,
    nodes_of,
    ref,
    traceable,
    type_zh,
)
from tracegraph.ui.views.curation import feedback, local_time, panel_act
from tracegraph.ui.views.detail import comment_key, curated_note_html, link_buttons, render_suggestions, source_html
from tracegraph.ui.views.trace_picture import render_picture


def options(g: nx.MultiDiGraph, doc: str | None) -> list[str]:
    """Problems (admitted first, then negative findings), measures, causes — in reading order."""
    problems = nodes_of(g, doc, ("Problem",))
    problems = ([p for p in problems if g.nodes[p].get("status") != "none_found"]
                + [p for p in problems if g.nodes[p].get("status") == "none_found"])
    return problems + nodes_of(g, doc, ("Measure",)) + nodes_of(g, doc, ("Cause",))


def _rejected(g: nx.MultiDiGraph, link: tuple[str, str, str] | None) -> list[dict[str, Any]]:
    """The rejected links of one section: (other end, the rejection's who/when/comment)."""
    if link is None:
        return []
    anchor, etype, direction = link
    edges = g.in_edges(anchor, keys=True, data=True) if direction == "in" else g.out_edges(anchor, keys=True, data=True)
    out = []
    for u, v, k, d in edges:
        if k != etype or not d.get("rejected"):
            continue
        other = u if direction == "in" else v
        out.append({"id": other, "title": g.nodes[other].get("title") or "", "by": d.get("rejected_by") or "",
                    "at": d.get("rejected_at") or "", "comment": d.get("rejection_comment") or ""})
    return sorted(out, key=lambda r: r["id"])


def _ends(link: tuple[str, str, str], other: str) -> tuple[str, str]:
    anchor, _, direction = link
    return (other, anchor) if direction == "in" else (anchor, other)


def _rows(g: nx.MultiDiGraph, title: str, rows: list[dict[str, Any]], key: str, empty: str = "",
          link: tuple[str, str, str] | None = None) -> None:
    """One section of links; with `link` = (this node, edge type, direction) each row gets 确认/否决 and the
    section lists its rejected links, struck through, with 恢复."""
    rejected = _rejected(g, link)
    extra = f"，已否决 {len(rejected)}" if rejected else ""
    st.markdown(f"##### {title}（{len(rows)}{extra}）")
    if not rows and not rejected:
        if empty:
            st.warning(empty)
        return
    for r in rows:
        if link is not None and r.get("origin") == "curated" and g.has_edge(*_ends(link, r["id"]), link[1]):
            r = {**r, "curated_by": g.edges[(*_ends(link, r["id"]), link[1])].get("curated_by") or ""}
        with st.container(border=True):
            html(link_row_html(r, g) + curated_note_html(r))
            acts = r.get("actions") or []
            if acts:
                html("<div style='margin-top:.3em'><b>其中具体举措：</b></div>"
                     + "".join(f"<div>· {esc(ref(g, a['id']))} {esc(a.get('title') or '')}"
                               f"<span style='color:#666'>（得分 {float(a.get('score') or 0):.2f}）</span></div>"
                               for a in acts))
            c1, c2, c3, c4, _ = st.columns([1, 1, 1, 1, 3])
            t = traceable(g, r["id"])
            if t:
                c1.button("溯源", key=f"tr-{key}-{r['id']}", on_click=go_trace, args=(t,))
            c2.button("图谱", key=f"tg-{key}-{r['id']}", on_click=go_graph, args=(r["id"],))
            if link is not None:
                s, e = _ends(link, r["id"])
                link_buttons(g, s, e, link[1], r.get("origin"), f"tc-{key}-{r['id']}",
                             comment_key("tr", link[0]), (c3, c4))
    for r in rejected:
        assert link is not None
        with st.container(border=True):
            note = f"；备注：{esc(r['comment'])}" if r["comment"] else ""
            html(f"<div class='tg-rejected'><s><b>{esc(ref(g, r['id']))}</b> {esc(r['title'])}</s> "
                 f"<span style='color:#b00'>已否决</span></div>"
                 f"<div style='color:#666'>{esc(r['by'])} 于 {esc(local_time(r['at']))} 否决{note}</div>")
            s, e = _ends(link, r["id"])
            st.button("恢复", key=f"tc-{key}-{r['id']}-back", on_click=panel_act,
                      args=("restore", g, s, e, link[1]),
                      kwargs={"done": f"已恢复 {ref(g, s)} → {ref(g, e)}", "comment_key": comment_key("tr", link[0])})


def _policies(refs: list[dict[str, Any]]) -> None:
    if refs:
        st.markdown(f"##### 政策依据（{len(refs)}）")
        st.markdown("、".join(md(r.get("title") or "") for r in refs))


def render_problem(g: nx.MultiDiGraph, n: str, tr: dict[str, Any]) -> None:
    if g.nodes[n].get("status") == "none_found":
        st.info("这是一条“未发现问题”的说明，不计入问题，也不需要整改措施。")
    if tr.get("area"):
        st.caption(f"所属方面：{md(tr['area'].get('title', ''))}")
    _rows(g, "原因", tr["causes"], "c", "未分析原因：没有原因与此问题建立关联。", (n, "EXPLAINS", "in"))
    if not tr["causes"]:
        _suggest(g, n, "EXPLAINS")
    doubts = doubtful(reading_of(g, g.nodes[n].get("doc") or ""))
    no_measure = (
        f"没有读出对应的整改措施，但所在文档的读取存疑（{md('；'.join(doubts))}），不能据此认定没有措施，请核对原文。"
        if doubts else "覆盖缺口：这个问题没有对应的整改措施。"
    )
    _rows(g, "整改措施", tr["measures"], "m", no_measure if g.nodes[n].get("status") != "none_found" else "",
          (n, "ADDRESSES", "in"))
    if not tr["measures"]:
        _suggest(g, n, "ADDRESSES")
    loose = [a for a in tr["actions"] if not any(a in m.get("actions", []) for m in tr["measures"])]
    if loose:
        _rows(g, "直接针对的具体举措", loose, "a", link=(n, "ADDRESSES", "in"))
    _policies(tr["policy_refs"])
    if tr.get("examples"):
        with st.expander(f"事例（{len(tr['examples'])}）"):
            for e in tr["examples"]:
                st.markdown("- " + md(e.get("text") or e.get("title") or ""))


def _suggest(g: nx.MultiDiGraph, n: str, etype: str) -> None:
    render_suggestions(g, n, only=etype)


def render_measure(g: nx.MultiDiGraph, n: str, tr: dict[str, Any]) -> None:
    owner = tr.get("owner") or {}
    if owner:
        labels = {"owner": "责任人", "department": "责任单位", "deadline": "完成时限", "status": "状态"}
        st.caption("；".join(f"{md(labels.get(k, k))}：{md(v)}" for k, v in owner.items()))
    mid = (tr.get("measure") or {}).get("id") or n
    _rows(g, "针对的问题", tr["problems"], "p", "未对应任何问题。", (n, "ADDRESSES", "out"))
    _rows(g, "整治的原因", tr["causes"], "c", link=(mid, "TREATS", "out"))
    if tr.get("actions"):
        st.markdown(f"##### 具体举措（{len(tr['actions'])}）")
        for a in tr["actions"]:
            st.markdown(f"- **{md(ref(g, a['id']))}** {md(a.get('title') or '')}")
    _policies(tr["policy_refs"])


def render_cause(g: nx.MultiDiGraph, n: str, tr: dict[str, Any]) -> None:
    _rows(g, "导致的问题", tr["problems"], "p", link=(n, "EXPLAINS", "out"))
    _rows(g, "整治它的措施", tr["measures"], "m", "没有整改措施整治这个原因。", (n, "TREATS", "in"))
    _policies(tr["policy_refs"])


def render(g: nx.MultiDiGraph, state: vs.ViewState) -> None:
    st.header("溯源")
    opts = options(g, doc_arg(state))
    if not opts:
        st.info("工作区还没有问题、措施或原因，请先在“总览”上传文档。")
        return
    sess = vs.session()
    if state.trace not in opts:
        sess.trace = traceable(g, state.trace) if traceable(g, state.trace) in opts else ""
    st.selectbox("选择问题、整改措施或原因", ["", *opts], key=vs.key("trace"),
                 format_func=lambda n: "请选择……" if not n else name(g, n, with_type=True))
    n = sess.trace or ""
    if not n:
        st.caption("从一个问题出发，查看它的原因、整改措施、具体举措和政策依据；或从措施、原因反向查看。")
        return
    tr = trace(g, n)
    t = g.nodes[n].get("type")
    st.subheader(md(f"{type_zh(t)} {ref(g, n)}：{g.nodes[n].get('title') or ''}"))
    render_picture(g, n)
    feedback(f"tr-msg-{n}")
    st.text_input("校对备注（可选，随下方的确认/否决/恢复记入审计日志）", key=comment_key("tr", n), max_chars=2000)
    src = source_html(g, n)
    if src:
        with st.expander("原文", expanded=False):
            html(src)
    if t == "Problem":
        render_problem(g, n, tr)
    elif t in ("Measure", "Action"):
        render_measure(g, n, tr)
    elif t == "Cause":
        render_cause(g, n, tr)
    render_export_section(g, f"trace:{n}", key="trace-export", label="导出本溯源（Word、PowerPoint 等）")
