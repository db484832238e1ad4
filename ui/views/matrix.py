"""矩阵: the traceability matrix (problems × measures, score and 明示/推断/人工), the evidence for one
chosen cell, and the coverage gaps."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.model.schema import ORIGIN_LABELS_ZH
from tracegraph.graph.query.queries import gaps, matrix
from tracegraph.graph.query.subgraph import Selection
from tracegraph.ui import state as vs
from tracegraph.ui.export_panel import render_export_section
from tracegraph.ui.views.common import doc_arg, doc_label, go_trace, html, link_row_html, md, name, ref
from tracegraph.ui.views.trace_picture import render_picture

MARKS = {"explicit": "明示", "inferred": "推断", "curated": "人工"}


def column_codes(g: nx.MultiDiGraph, measures: list[dict[str, Any]]) -> dict[str, str]:
    """Column header per measure: its short code (M3) — with its document (〔短名〕M3) when the workspace holds
    several — or the full id should two still read alike."""
    short = {m["id"]: ref(g, m["id"]) for m in measures}
    if len(set(short.values())) == len(short):
        return short
    return {m["id"]: m["id"] for m in measures}


def table(g: nx.MultiDiGraph, mx: dict[str, Any]) -> tuple[list[str], list[str], list[list[str]]]:
    """(row labels, column labels, cells) with a cell like ``0.84 推断`` or empty."""
    cols = column_codes(g, mx["measures"])
    rows = [f"{ref(g, p['id'])} {p.get('title') or ''}" for p in mx["problems"]]
    header = [cols[m["id"]] for m in mx["measures"]]
    cells = []
    for p in mx["problems"]:
        line = []
        for m in mx["measures"]:
            c = mx["cells"].get(f"{m['id']}|{p['id']}")
            line.append(f"{float(c['score'] or 0):.2f} {MARKS.get(c['origin'], c['origin'])}" if c else "")
        cells.append(line)
    return rows, header, cells


def render(g: nx.MultiDiGraph, state: vs.ViewState) -> None:
    import pandas as pd

    st.header("矩阵")
    doc = doc_arg(state)
    docs = list(g.graph.get("documents", {}))
    render_doc_picture(g, doc or (docs[0] if len(docs) == 1 else None), several=len(docs) > 1)
    if doc is None and len(docs) > 1:
        # a traceability matrix belongs to one material: measures of one never address problems of another
        doc = docs[0]
        st.info(f"工作区有 {len(docs)} 个文档，矩阵按文档列出；请在左侧“文档”中选择。"
                f"当前显示：{md(doc_label(g, doc))}。")
    mx = matrix(g, doc)
    if not mx["measures"] or not mx["problems"]:
        st.info("没有可列出的问题或整改措施。")
    else:
        rows, header, cells = table(g, mx)
        st.caption("行：问题；列：整改措施。单元格为关联得分与来源（明示＝原文写明，推断＝按文本推断，人工＝人工确认）；空白＝无关联。")
        df = pd.DataFrame(cells, index=rows, columns=header)
        df.index.name = "问题"
        titles = {column_codes(g, mx["measures"])[m["id"]]: m.get("title") or "" for m in mx["measures"]}
        config = {h: st.column_config.TextColumn(h, help=md(titles.get(h, "")), width="small") for h in header}
        st.dataframe(df, height=min(35 * (len(rows) + 1) + 3, 760), column_config=config)
        st.markdown("**整改措施：** " + "；".join(
            f"{md(column_codes(g, mx['measures'])[m['id']])} {md(m.get('title') or '')}" for m in mx["measures"]))
        render_cell(g, mx)
    render_gaps(g, doc)
    one = doc or (docs[0] if len(docs) == 1 else None)
    if one and mx["measures"] and mx["problems"]:
        render_export_section(g, export_selection(one), key="matrix-export",
                              label="导出本文档的矩阵（Word、PowerPoint 等）", title="整改措施与问题对应情况",
                              subject=f"{doc_label(g, one)}_措施与问题")


def render_doc_picture(g: nx.MultiDiGraph, doc: str | None, several: bool = False) -> None:
    """溯源图 of the document the matrix lists, folded (a whole document's picture is big); with several
    documents and none chosen there is no one document to draw, and the page says so."""
    if not doc:
        if several:
            st.caption("溯源图：请在左侧选择一个文档以查看其溯源图。")
        return
    with st.expander("溯源图（本文档）", expanded=False):
        drawn = render_picture(g, doc, key="matrix-picture", heading=False,
                               caption=f"{md(doc_label(g, doc))}：全部问题的溯源，原因 → 问题 → 整改措施 → 具体举措 → "
                                       "政策依据；点击方框查看该节点。")
        if not drawn:
            st.caption("本文档没有可画的关联。")


def export_selection(doc: str) -> Selection:
    """The matrix as an export selection: the document's problems and measures (and the links between them)."""
    return Selection(types=("Problem", "Measure"), documents=(doc,))


def render_cell(g: nx.MultiDiGraph, mx: dict[str, Any]) -> None:
    cells = mx["cells"]
    keys = sorted(cells, key=lambda k: (cells[k]["measure"], g.nodes[cells[k]["problem"]].get("start") or 0))
    sess = vs.session()
    if sess.cell and sess.cell not in keys:
        sess.cell = ""

    def label(k: str) -> str:
        if not k:
            return "请选择一个单元格……"
        c = mx["cells"][k]
        return (f"{ref(g, c['measure'])} × {name(g, c['problem'])}（{float(c['score'] or 0):.2f} "
                f"{ORIGIN_LABELS_ZH.get(c['origin'], c['origin'])}）")

    st.selectbox("查看单元格的依据", ["", *keys], key=vs.key("cell"), format_func=label)
    k = sess.cell or ""
    if not k:
        return
    c = mx["cells"][k]
    with st.container(border=True):
        st.markdown(f"**措施** {md(name(g, c['measure']))}  \n**问题** {md(name(g, c['problem']))}")
        html(link_row_html({"id": c["measure"], "title": g.nodes[c["measure"]].get("title"), "score": c["score"],
                            "origin": c["origin"], "evidence": c["evidence"]}, g))
        a, b, _ = st.columns([1, 1, 4])
        a.button("溯源问题", key="mx-tr-p", on_click=go_trace, args=(c["problem"],))
        b.button("溯源措施", key="mx-tr-m", on_click=go_trace, args=(c["measure"],))


_GAP_LABELS = (
    ("problems_without_measures", "没有整改措施的问题"),
    ("causes_without_measures", "没有整治措施的原因"),
    ("measures_addressing_nothing", "未对应任何问题的措施"),
    ("problems_without_causes", "未分析原因的问题"),
    ("negative_findings", "“未发现问题”的说明（不计入问题）"),
)


def render_gaps(g: nx.MultiDiGraph, doc: str | None) -> None:
    st.subheader("覆盖缺口")
    gp = gaps(g, doc)
    for d in gp["reading_doubts"]:
        st.warning(md(f"{d['doc']} 的读取存疑：{'；'.join(d['warnings'])}。下列该文档的缺口可能是读取问题，不作结论。"))
    for key, label in _GAP_LABELS:
        rows = gp[key]
        st.markdown(f"**{label}（{len(rows)}）**")
        for r in rows:
            line = f"- {md(name(g, r['id']))}"
            sug = None
            if key == "problems_without_measures":
                sug = (g.nodes[r["id"]].get("suggestions") or {}).get("ADDRESSES")
            if sug:
                line += "  \n  候选措施（未建立关联）：" + "、".join(
                    f"{md(ref(g, s['id']))} {md(s.get('title') or '')}（{float(s.get('score') or 0):.2f}）"
                    for s in sug)
            st.markdown(line)
