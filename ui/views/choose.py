"""On a shared Neo4j or an archive, a page that shows one document at a time and no document chosen yet: say so,
and find one — by the sidebar, or by a search across the whole store (its full-text index) that opens the item found."""

from __future__ import annotations

import networkx as nx
import streamlit as st

from tracegraph.graph.model.schema import TYPE_LABELS_ZH
from tracegraph.graph.query.naming import doc_label
from tracegraph.ui import shared_store
from tracegraph.ui import state as vs
from tracegraph.ui.views.common import code, go_trace, md, set_field

TRACEABLE = ("Problem", "Cause", "Measure")
# what "nothing found" covers: the items read from the documents, not every character of their text
NONE_FOUND = ("没有条目含有“{q}”，也没有相近的条目。检索只查读出的条目（问题、原因、措施、举措、例子、"
              "政策依据等）的文字；文档开头的说明、落款等没有读成条目的文字不在其中。")


def render(index: nx.MultiDiGraph, view: str) -> None:
    docs = index.graph.get("documents", {})
    st.header(vs.VIEW_LABELS_ZH[view])
    address = shared_store.uri()
    where = shared_store.source_zh(address) if address else "共享的存储"
    st.info(f"图谱在{where}中（{len(docs):,} 份文档），这一页一次显示一份文档：请在左侧“文档”中选择，"
            "或在下面检索全部文档中的条目。")
    q = st.text_input("检索全部文档（问题、原因、措施、政策依据……）", key="tg-shared-find", max_chars=200)
    if not (q.strip() and address):
        return
    rows = shared_store.find(address, q.strip())
    if not rows:
        st.caption(NONE_FOUND.format(q=md(q.strip())))
        return
    st.caption(f"找到 {len(rows)} 条（最多列出 20 条），最相关的在前。")
    for r in rows:
        doc = r.get("doc") or ""
        where = f"〔{doc_label(index, doc)}〕" if doc in docs else ""
        a, b, c = st.columns([7, 1, 1])
        a.markdown(f"{md(where)}**{md(code(r['id']))}** {md(TYPE_LABELS_ZH.get(r.get('type', ''), r.get('type', '')))}"
                   f"：{md(r.get('title') or '')}")
        if doc in docs:
            b.button("选此文档", key=f"tg-shared-doc-{r['id']}", on_click=set_field, kwargs={"doc": doc})
        if r.get("type") in TRACEABLE:
            c.button("溯源", key=f"tg-shared-trace-{r['id']}", on_click=go_trace, args=(r["id"],))
