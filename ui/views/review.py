"""评估: the review of one material as an inspection team would read it — a summary table per dimension
(达标/待改进 against the thresholds), then the findings, each expandable to its source and evidence, and
the report as Word or Markdown to download."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.corpus.boilerplate import SentenceIndex
from tracegraph.graph.review.checks import review_document
from tracegraph.graph.review.report import criteria_text, docx_bytes, finding_lines, render_markdown, visible_findings
from tracegraph.graph.review.results import DIMENSIONS, FAIL, DocumentReview, Review
from tracegraph.graph.review.rules import Rules, load_rules
from tracegraph.ui import state as vs
from tracegraph.ui.views.common import md

_ICON = {"issue": "⚠️", "info": "ℹ️", "ok": "✅"}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _index(g: nx.MultiDiGraph, rules: Rules) -> SentenceIndex:
    """One sentence index per graph version and rules, kept for the session (it spans the whole corpus)."""
    key = (
        id(g),
        g.number_of_nodes(),
        len(g.graph.get("documents", {})),
        rules.get("boilerplate.min_clause_chars"),
        rules.get("boilerplate.min_run_chars"),
    )
    sess = vs.session()
    cached = sess.review_index
    if cached is None or cached[0] != key:
        index = SentenceIndex.from_graph(
            g, min_chars=rules.get("boilerplate.min_clause_chars"), min_run_chars=rules.get("boilerplate.min_run_chars")
        )
        cached = (key, index)
        sess.review_index = cached
    return cached[1]


def summary_rows(d: DocumentReview) -> list[dict[str, Any]]:
    """The summary table: one row per dimension with the measured value and its threshold."""
    rows = []
    for dim in DIMENSIONS:
        s = d.scores[dim]
        measured, limits = criteria_text(s.criteria)
        rows.append({"维度": s.label, "结论": s.verdict, "实际": measured, "阈值": limits, "说明": s.summary})
    return rows


def render_review_view(g: nx.MultiDiGraph, doc: str | None = None, rules: Rules | None = None) -> None:
    """The app's 评估 view for one document (`doc`, or chosen here when the corpus has several)."""
    st.header("评估")
    docs = list(g.graph.get("documents", {}))
    if not docs:
        st.info("工作区还没有文档，请先在“总览”上传。")
        return
    rules = rules or load_rules()
    if doc is None or doc not in docs:
        titles = {k: (v.get("title") or k) for k, v in g.graph["documents"].items()}
        doc = (
            st.selectbox("材料", docs, key="review-doc", format_func=lambda k: f"{titles[k]}（{k}）")
            if len(docs) > 1
            else docs[0]
        ) or docs[0]
    d = review_document(g, doc, rules, _index(g, rules))
    st.markdown(f"**{md(d.title)}**")
    fails = [s.label for s in d.scores.values() if s.verdict == FAIL]
    (st.success if not fails else st.warning)(
        f"{d.scored} 个评分维度中 {d.passed} 个达标" + (f"；待改进：{md('、'.join(fails))}" if fails else "")
    )
    cols = st.columns(len(DIMENSIONS))
    for col, dim in zip(cols, DIMENSIONS, strict=True):
        s = d.scores[dim]
        col.metric(md(s.label), s.verdict)
    st.dataframe(summary_rows(d), hide_index=True, width="stretch")
    show_ok = st.toggle("同时显示达标的条目", key="review-show-ok")
    for dim in DIMENSIONS:
        s = d.scores[dim]
        st.subheader(md(f"{s.label}（{s.verdict}）"))
        st.caption(md(s.summary))
        rows = visible_findings(d, dim, show_ok)
        if not rows:
            st.write("（无）")
        for f in rows:
            with st.expander(f"{_ICON.get(f.severity, '')} {md(f.message)}"):
                for line in finding_lines(d, f):
                    st.markdown("- " + md(line))
    one = Review([d], rules.source, _today())
    c1, c2 = st.columns(2)
    c1.download_button("下载 Word 评估报告", docx_bytes(one, show_ok), file_name=f"{doc}_评估报告.docx", mime=DOCX_MIME)
    c2.download_button(
        "下载 Markdown",
        render_markdown(one, show_ok).encode("utf-8"),
        file_name=f"{doc}_评估报告.md",
        mime="text/markdown",
    )


def _today() -> str:
    from datetime import date

    return date.today().isoformat()
