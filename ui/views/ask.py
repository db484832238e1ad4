"""问答: a question in Chinese → graph.ask → the answer, the items it recognised, and ranked results with
their evidence."""

from __future__ import annotations

import networkx as nx
import streamlit as st

from tracegraph.graph.query.ask import Answer, ask
from tracegraph.graph.query.subgraph import Selection
from tracegraph.ui import state as vs
from tracegraph.ui.export_panel import render_export_section
from tracegraph.ui.highlight import esc
from tracegraph.ui.views.common import doc_arg, go_trace, html, link_row_html, md, name, set_field, traceable, type_zh

EXAMPLES = (
    "第三条整改措施解决了哪些问题",
    "哪些措施针对软弱涣散基层党组织问题",
    "两个责任履行不够到位的原因是什么",
    "哪些问题没有整改措施",
)


def render(g: nx.MultiDiGraph, state: vs.ViewState) -> None:
    st.header("问答")
    if not g.graph.get("documents"):
        st.info("工作区还没有文档，请先在“总览”上传。")
        return
    st.text_input("用中文提问", key=vs.key("ask"), placeholder="如：第三条整改措施解决了哪些问题")
    st.caption("示例：")
    cols = st.columns(len(EXAMPLES))
    for i, (col, q) in enumerate(zip(cols, EXAMPLES, strict=True)):
        col.button(q, key=f"ask-ex-{i}", on_click=set_field, kwargs={"ask": q})
    q = (vs.session().ask or "").strip()
    if not q:
        return
    ans = ask(g, q, doc_arg(state))
    (st.success if ans.results else st.warning)(md(ans.text))
    if ans.targets:
        st.markdown("**识别到：** " + "；".join(md(name(g, t["id"], with_type=True)) for t in ans.targets))
    if not ans.results:
        return
    render_export_section(g, export_selection(ans, doc_arg(state)), key="ask-export",
                          label="导出本次回答（Word、PowerPoint 等）", title="问答：" + q)
    st.markdown(f"**结果（{len(ans.results)}，按得分排序）**")
    for i, r in enumerate(ans.results, 1):
        with st.container(border=True):
            html(f"<div style='color:#666'>{i}. {esc(type_zh(r.get('type')))}</div>" + link_row_html(r, g))
            t = traceable(g, r["id"])
            if t:
                st.button("溯源", key=f"ask-tr-{r['id']}", on_click=go_trace, args=(t,))


def export_selection(ans: Answer, doc: str | None = None) -> Selection:
    """An answer as an export selection: the items it recognised (per target) and what answers them;
    the list of gaps when the question asked for gaps."""
    if ans.intent == "gaps":
        return Selection(gaps=True, documents=(doc,) if doc else ())
    ids: list[str] = []
    for entry in ans.per_target:
        ids.append(entry["target"]["id"])
        ids += [r["id"] for r in entry["results"]]
    ids += [r["id"] for r in ans.results]
    return Selection(focus=tuple(dict.fromkeys(ids)), depth=0)
