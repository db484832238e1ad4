"""语料 (corpus) view: what the whole collection shows — documents with their metadata (editable), problem
clusters with their documents, policy references over time, organisations sharing problems, boilerplate
hot spots. Every row leads into the document views. The analysis itself is graph/corpus_view.py."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.corpus import analysis as corpus_view
from tracegraph.graph.curation.workspace import Workspace
from tracegraph.ui.views.common import go_graph, go_trace, md


def _meta_editor(g: nx.MultiDiGraph, ws: Workspace | None, rows: list[dict[str, Any]]) -> None:
    from tracegraph.errors import TracegraphError
    from tracegraph.graph.corpus.metadata import EDITABLE, save_override

    with st.expander("修订文档元数据（重建后保留）"):
        if ws is None or not rows:
            st.caption("没有可修订的文档。")
            return
        doc = st.selectbox("文档", [r["id"] for r in rows], key="corpus_meta_doc")
        field = st.selectbox(
            "字段",
            list(EDITABLE),
            key="corpus_meta_field",
            format_func=lambda f: {
                "organisation": "单位",
                "level": "层级",
                "year": "年份",
                "genre": "文种",
                "theme": "会议主题",
            }[f],
        )
        value = st.text_input("新值", key="corpus_meta_value")
        if st.button("保存修订", key="corpus_meta_save"):
            try:
                save_override(ws.metadata_path, doc, field, value)
                ws.build()  # re-applies the corrections; the page shows them on the next run
                st.success(md(f"已保存：{doc} 的{field} → {value}"))
                st.rerun()
            except TracegraphError as exc:
                st.error(md(exc))


def render(g: nx.MultiDiGraph, ws: Workspace | None = None) -> None:
    st.header("语料分析")
    rows = corpus_view.document_table(g)
    if len(rows) < 2:
        st.info("跨文档分析需要两个或更多文档：请在“总览”中上传，或用 tracegraph curate import 导入。")
    st.subheader(f"文档（{len(rows)}）")
    st.dataframe(
        [
            {
                "文档": r["id"],
                "单位": r.get("organisation") or "",
                "层级": r.get("level") or "",
                "年份": r.get("year") or "",
                "文种": r.get("genre") or "",
                "会议主题": r.get("theme") or "",
            }
            for r in rows
        ],
        hide_index=True,
        width="stretch",
    )
    _meta_editor(g, ws, rows)

    clusters = corpus_view.problem_clusters(g, top=30)
    st.subheader(f"同类问题（{len(clusters)} 组，跨文档出现）")
    if not clusters:
        st.caption("没有在两个以上文档中都出现的同类问题。")
    for c in clusters:
        with st.expander(f"[{c['documents_count']} 个文档] {md(c['title'])}"):
            st.caption("涉及单位：" + md("、".join(c["organisations"])))
            for m in c.get("members", [])[:40]:
                d = g.nodes[m] if m in g else {}
                col1, col2, col3 = st.columns([6, 1, 1])
                col1.markdown(f"**{md(m)}** {md(d.get('title', ''))}")
                col2.button("溯源", key=f"cl-tr-{c['id']}-{m}", on_click=go_trace, args=(m,))
                col3.button("图谱", key=f"cl-g-{c['id']}-{m}", on_click=go_graph, args=(m,))

    st.subheader("政策依据分布")
    by = st.radio(
        "按",
        ["year", "organisation", "level", "genre"],
        horizontal=True,
        key="corpus_by",
        format_func=lambda b: {"year": "年份", "organisation": "单位", "level": "层级", "genre": "文种"}[b],
    )
    pol = corpus_view.policy_counts(g, by=by, top=12)
    if pol["table"]:
        import pandas as pd

        frame = pd.DataFrame(pol["table"]).fillna(0).astype(int)
        st.bar_chart(frame)
        st.dataframe(frame.T, width="stretch")
        ref = st.selectbox("查看引用位置", list(pol["table"]), key="corpus_ref")
        if ref:
            st.button("打开该政策依据", key="corpus_ref_go", on_click=go_trace, args=(f"policy:{ref}",))

    shared = corpus_view.shared_problems_between_organisations(g, top=15)
    st.subheader("问题相同最多的单位")
    if shared:
        st.dataframe(
            [{"单位": " / ".join(r["organisations"]), "共同问题（组）": r["shared_clusters"]} for r in shared],
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("暂无。")

    st.subheader("套话热点（多个文档中相同的表述）")
    hot = corpus_view.boilerplate_hotspots(g, top=15, min_docs=2)
    if not hot:
        st.caption("暂无。")
    for i, h in enumerate(hot):
        col1, col2 = st.columns([7, 1])
        col1.markdown(f"**{h['documents']} 个文档**：{md(h['text'])}")
        node = _node_at(g, h["example_doc"], h["span"][0])
        if node:
            col2.button("查看", key=f"bp-{i}", on_click=go_graph, args=(node,))


def _node_at(g: nx.MultiDiGraph, doc: str, pos: int) -> str | None:
    """The innermost problem/cause/measure/action that contains a position (to open it in the graph)."""
    from tracegraph.graph.query.queries import doc_index

    best: tuple[int, str] | None = None
    for n in doc_index(g).get(doc, []):
        d = g.nodes[n]
        if d.get("type") in ("Problem", "Cause", "Measure", "Action", "Example") and d["start"] <= pos < d["end"]:
            size = d["end"] - d["start"]
            if best is None or size < best[0]:
                best = (size, n)
    return best[1] if best else None
