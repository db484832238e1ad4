"""总览: documents, counts per type, coverage, most-cited policy references, and uploads."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.curation.workspace import Workspace
from tracegraph.graph.query.queries import gaps
from tracegraph.graph.query.summary import cited_policies, type_counts
from tracegraph.loaders.formats.registry import supported_extensions
from tracegraph.ui import shared_store
from tracegraph.ui import state as vs
from tracegraph.ui.memo import cached
from tracegraph.ui.views.common import big_table, doc_arg, doc_label, go_trace, html_table, md, name, ref, tags
from tracegraph.ui.views.reading import doubts, reading_rows, render_index_reading, render_reading
from tracegraph.ui.workspace import MAX_UPLOAD_BYTES, add_upload

KIND_LABELS_ZH = {"meeting": "会议", "document": "文件", "theory": "理论", "formulation": "提法",
                  "campaign": "专项活动", "local_slogan": "地方口号"}


def document_rows(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per document (named by its title; the id last, as a detail), counted in a single pass over
    the graph (a corpus has a thousand documents)."""
    counts: dict[tuple[str, str | None], int] = {}
    for _, d in g.nodes(data=True):
        doc, t = d.get("doc"), d.get("type")
        if not doc or (t == "Problem" and d.get("status") == "none_found"):
            continue
        counts[(doc, t)] = counts.get((doc, t), 0) + 1
    rows = []
    for did, d in g.graph.get("documents", {}).items():
        rows.append({"标题": doc_label(g, did), "格式": d.get("format") or "",
                     "字数": d.get("chars") or 0, "问题": counts.get((did, "Problem"), 0),
                     "原因": counts.get((did, "Cause"), 0), "整改措施": counts.get((did, "Measure"), 0),
                     "具体举措": counts.get((did, "Action"), 0), "文档": did})
    return rows


def warm(g: nx.MultiDiGraph, doc: str | None = None) -> None:
    """Compute what the page shows for the whole workspace, so its first visit only draws it."""
    if shared_store.is_index(g):  # a paged store's index: its lists, nothing to count in it
        cached(g, index_rows)
        cached(g, doubts, None)
        return
    cached(g, type_counts, doc)
    cached(g, gaps, doc)
    cached(g, document_rows)
    cached(g, reading_rows, doc)
    cached(g, doubts, doc)
    tags(g)


def render(g: nx.MultiDiGraph, ws: Workspace, state: vs.ViewState) -> None:
    st.header("总览")
    docs = g.graph.get("documents", {})
    render_first_steps(bool(docs))
    render_upload(ws, expanded=not docs)
    if not docs:
        st.info("工作区还没有文档。请在上方上传对照检查材料、整改方案或整改情况通报（.txt .docx .pdf .md）。")
        return
    if shared_store.is_index(g):
        render_shared(g)
        return
    doc = doc_arg(state)
    c = cached(g, type_counts, doc)
    gp = cached(g, gaps, doc)
    negative = len(gp["negative_findings"])
    cols = st.columns(7)
    cols[0].metric("文档", 1 if doc else len(docs))
    for col, (t, label) in zip(cols[1:], METRICS, strict=True):
        col.metric(label, c[t])
    if negative:
        st.caption(f"另有 {negative} 项“未发现问题”的说明（如“未发现违规……”），不计入问题数。")

    st.subheader("文档")
    rows = cached(g, document_rows)
    big_table(rows, "份文档", key="tg-ov-all-docs")

    render_reading(g, doc)
    render_coverage(g, doc, gp)
    render_policies(g, doc)


METRICS = (("Problem", "问题"), ("Cause", "原因"), ("Measure", "整改措施"), ("Action", "具体举措"),
           ("Example", "事例"), ("PolicyRef", "政策依据"))


def index_rows(index: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per document of a paged store's index (a hundred thousand rows: made once per catalogue)."""
    return [{"标题": doc_label(index, d), "格式": m.get("format") or "", "字数": m.get("chars") or 0, "文档": d}
            for d, m in index.graph.get("documents", {}).items()]


def render_shared(index: nx.MultiDiGraph) -> None:
    """The corpus on a shared Neo4j or an archive, no document chosen: the numbers as the store counts them (with
    the decisions), the documents by title; what needs a document's items says so instead of showing zeros."""
    address = shared_store.uri() or ""
    c = shared_store.counts(address)
    if shared_store.is_archive(address):
        st.caption(f"图谱来源：{md(shared_store.source_zh(address))}。数字由档案库中每份文档存下的统计相加，"
                   "已计入工作区的校对决定。")
    else:
        st.caption(f"图谱来源：共享的 Neo4j（{md(address)}）。数字由服务器统计，已计入团队的校对决定。")
    cols = st.columns(7)
    cols[0].metric("文档", c["documents"])
    for col, (t, label) in zip(cols[1:], METRICS, strict=True):
        col.metric(label, c[t])
    if c["negative_findings"]:
        st.caption(f"另有 {c['negative_findings']} 项“未发现问题”的说明（如“未发现违规……”），不计入问题数。")
    st.subheader("文档")
    big_table(cached(index, index_rows), "份文档", key="tg-ov-all-docs")
    st.caption("每份文档的问题、原因、措施数，以及覆盖缺口和政策依据的清单：在左侧“文档”中选择该文档后在本页查看。")
    render_index_reading(index)
    st.subheader("覆盖情况")
    st.markdown(f"**{c['Problem'] - c['problems_without_measures']} / {c['Problem']}** 个问题有对应的整改措施；"
                f"**{c['causes_without_measures']}** 个原因没有整治措施；"
                f"**{c['measures_addressing_nothing']}** 条措施未对应任何问题。")


FIRST_STEPS = (
    ("上传", "在下方“上传文档到工作区”选择对照检查材料、整改方案或整改情况通报，点“构建并加入工作区”。"),
    ("看读取概况", "在本页“读取概况”核对每份文档读出了多少问题、原因和措施，有“读取存疑”的先看原文。"),
    ("溯源 / 矩阵", "在“溯源”从一个问题看到它的原因、整改措施和政策依据；在“矩阵”看一份文档的措施与问题的对应。"),
    ("校对", "在“校对”确认或否决推断出的关联，补上遗漏的关联；决定会保留，重新构建也不丢。"),
    ("导出", "在“溯源”“矩阵”“问答”“图谱”下方的“导出”里下载 Word 简报、PowerPoint 等，文件名为中文。"),
)


def render_first_steps(has_docs: bool) -> None:
    """What a newcomer does first, in order (the same steps whether or not documents are there yet)."""
    with st.container(border=True):
        st.markdown("**第一次使用：按这五步做**" if not has_docs else "**使用步骤**")
        st.markdown("\n".join(f"{i}. **{step}**：{text}" for i, (step, text) in enumerate(FIRST_STEPS, 1)))


GAP_BUTTONS = 10  # a corpus can have thousands of gaps: the first ones with buttons, the rest in a table on request


def render_coverage(g: nx.MultiDiGraph, doc: str | None, gp: dict[str, list[dict]] | None = None) -> None:
    st.subheader("覆盖情况")
    gp = gp if gp is not None else gaps(g, doc)
    total = cached(g, type_counts, doc)["Problem"]
    missing = gp["problems_without_measures"]
    st.markdown(f"**{total - len(missing)} / {total}** 个问题有对应的整改措施；"
                f"**{len(gp['causes_without_measures'])}** 个原因没有整治措施；"
                f"**{len(gp['measures_addressing_nothing'])}** 条措施未对应任何问题。")
    doubted = {d["doc"] for d in gp.get("reading_doubts", [])}
    if missing:
        st.markdown("**没有整改措施的问题（覆盖缺口；标“读取存疑”的可能是读取问题，不作结论）**" if doubted
                    else "**没有整改措施的问题（覆盖缺口）**")
        for r in missing[:GAP_BUTTONS]:
            a, b = st.columns([6, 1])
            a.markdown(f"- {md(name(g, r['id']))}" + ("（读取存疑）" if r.get("doc") in doubted else ""))
            b.button("溯源", key=f"ov-gap-{r['id']}", on_click=go_trace, args=(r["id"],))
        if len(missing) > GAP_BUTTONS:
            rest = len(missing) - GAP_BUTTONS
            st.caption(f"另有 {rest} 个（也可用“矩阵”视图或 tracegraph gaps 查看）。")
            if st.toggle(f"列出其余 {rest:,} 个覆盖缺口", key="tg-ov-all-gaps"):
                st.dataframe([{"编号": ref(g, r["id"]), "问题": r.get("title", "")} for r in missing[GAP_BUTTONS:]],
                             hide_index=True, width="stretch")
    if gp["causes_without_measures"]:
        shown = gp["causes_without_measures"][:GAP_BUTTONS]
        more = len(gp["causes_without_measures"]) - len(shown)
        st.markdown("**没有整治措施的原因：** " + "；".join(md(name(g, r["id"])) for r in shown)
                    + (f"；……另有 {more} 个" if more > 0 else ""))
    if gp["measures_addressing_nothing"]:
        shown = gp["measures_addressing_nothing"][:GAP_BUTTONS]
        more = len(gp["measures_addressing_nothing"]) - len(shown)
        st.markdown("**未对应任何问题的措施：** " + "；".join(md(name(g, r["id"])) for r in shown)
                    + (f"；……另有 {more} 个" if more > 0 else ""))


def render_policies(g: nx.MultiDiGraph, doc: str | None, top: int = 10) -> None:
    st.subheader("引用最多的政策依据")
    rows = cached(g, cited_policies, doc)[:top]
    if not rows:
        st.caption("没有识别到政策依据。")
        return
    table = [{"政策依据": r["title"], "类别": KIND_LABELS_ZH.get(r["kind"], r["kind"]), "提及次数": r["mentions"],
              "引用它的条目数": r["nodes"]} for r in rows]
    html_table(table)


UPLOAD_LABEL = "选择要上传的文件（可多选）"
# Streamlit 1.67's file_uploader takes a label and help but no option for its built-in drop-zone strings
# (the "Upload" button, "20MB per file • DOCX, …"): they stay English, so a caption says the same in
# Chinese right above the box.
UPLOAD_HINT = ("点下面框里的“Upload”（上传）按钮选择文件，或把文件拖到框里；"
               "框内的英文（Upload、20MB per file 等）是 Streamlit 自带的文字。")


def render_upload(ws: Workspace, expanded: bool = True) -> None:
    st.subheader("上传文档到工作区")
    allowed = supported_extensions()
    st.caption(f"支持 {'、'.join(allowed)}，单个文件不超过 {MAX_UPLOAD_BYTES // 1048576} MB。"
               f"文件保存在工作区（{md(ws.root)}），重启后仍在；只在本机处理，不上传到任何外部服务。")
    st.caption(UPLOAD_HINT)
    address = shared_store.uri()
    if address and shared_store.is_archive(address):
        st.caption("注意：图谱来自档案库。上传的文件进入本机工作区，要用 tracegraph archive build 写入档案库后"
                   "才会出现在这里。")
    elif address:
        st.caption("注意：图谱来自共享的 Neo4j。上传的文件进入本机工作区，要构建并推送到 Neo4j（tracegraph neo4j push）"
                   "后才会出现在这里。")
    files = st.file_uploader(UPLOAD_LABEL, type=allowed, accept_multiple_files=True,  # ".text", not "text"
                             max_upload_size=MAX_UPLOAD_BYTES // 1048576,
                             help="拖入或选择文件后，点“构建并加入工作区”。", key="upload_files")
    if files and st.button("构建并加入工作区", key="upload_go", type="primary"):
        results = []
        with st.spinner("正在读取、解析并建立关联……"):
            for f in files:
                results.append(add_upload(ws, f.name, f.getvalue()))
        vs.session().upload_results = [(r.name, r.ok, r.message) for r in results]
        st.rerun()
    for shown, ok, message in vs.session().upload_results:
        (st.success if ok else st.error)(f"{md(shown)}：{md(message)}")
