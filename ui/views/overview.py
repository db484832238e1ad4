"""总览: documents, counts per type, coverage, most-cited policy references, and uploads."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.curation.workspace import Workspace
from tracegraph.graph.query.queries import counted_problems, gaps
from tracegraph.loaders.formats.registry import supported_extensions
from tracegraph.ui import state as vs
from tracegraph.ui.views.common import doc_arg, go_trace, md, name, table_rows
from tracegraph.ui.views.reading import render_reading
from tracegraph.ui.workspace import MAX_UPLOAD_BYTES, add_upload

COUNT_TYPES = ("Cause", "Measure", "Action", "Example")
KIND_LABELS_ZH = {"meeting": "会议", "document": "文件", "theory": "理论", "formulation": "提法",
                  "campaign": "专项活动", "local_slogan": "地方口号"}


def type_counts(g: nx.MultiDiGraph, doc: str | None) -> dict[str, int]:
    """Counts the analyst reads first; problems exclude negative findings (未发现…)."""
    out = {"Problem": len(counted_problems(g, doc))}
    for t in COUNT_TYPES:
        out[t] = sum(1 for _, d in g.nodes(data=True) if d.get("type") == t and (doc is None or d.get("doc") == doc))
    out["PolicyRef"] = len(cited_policies(g, doc))
    return out


def cited_policies(g: nx.MultiDiGraph, doc: str | None) -> list[dict[str, Any]]:
    """Policy references with how often they are mentioned (in one document or all), most cited first."""
    rows: dict[str, dict[str, Any]] = {}
    for u, v, d in g.edges(data=True):
        if d.get("type") != "CITES":
            continue
        mentions = [m for m in d.get("mentions") or [] if doc is None or (m and m[0] == doc)]
        if not mentions:
            continue
        r = rows.setdefault(v, {"id": v, "title": g.nodes[v].get("title"), "kind": g.nodes[v].get("kind") or "",
                                "mentions": 0, "nodes": set()})
        r["mentions"] += len(mentions)
        r["nodes"].add(u)
    out = sorted(rows.values(), key=lambda r: (-r["mentions"], -len(r["nodes"]), r["title"] or ""))
    for r in out:
        r["nodes"] = len(r["nodes"])
    return out


def document_rows(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per document, counted in a single pass over the graph (a corpus has a thousand documents)."""
    counts: dict[tuple[str, str | None], int] = {}
    for _, d in g.nodes(data=True):
        doc, t = d.get("doc"), d.get("type")
        if not doc or (t == "Problem" and d.get("status") == "none_found"):
            continue
        counts[(doc, t)] = counts.get((doc, t), 0) + 1
    rows = []
    for did, d in g.graph.get("documents", {}).items():
        rows.append({"文档": did, "标题": d.get("title") or "", "格式": d.get("format") or "",
                     "字数": d.get("chars") or 0, "问题": counts.get((did, "Problem"), 0),
                     "原因": counts.get((did, "Cause"), 0), "整改措施": counts.get((did, "Measure"), 0),
                     "具体举措": counts.get((did, "Action"), 0)})
    return rows


def render(g: nx.MultiDiGraph, ws: Workspace, state: vs.ViewState) -> None:
    st.header("总览")
    docs = g.graph.get("documents", {})
    if not docs:
        st.info("工作区还没有文档。请在下方上传对照检查材料、整改方案或整改情况通报（.txt .docx .pdf .md）。")
        render_upload(ws)
        return
    doc = doc_arg(state)
    c = type_counts(g, doc)
    gp = gaps(g, doc)
    negative = len(gp["negative_findings"])
    cols = st.columns(7)
    cols[0].metric("文档", 1 if doc else len(docs))
    for col, (t, label) in zip(cols[1:], (("Problem", "问题"), ("Cause", "原因"), ("Measure", "整改措施"),
                                           ("Action", "具体举措"), ("Example", "事例"), ("PolicyRef", "政策依据")),
                               strict=True):
        col.metric(label, c[t])
    if negative:
        st.caption(f"另有 {negative} 项“未发现问题”的说明（如“未发现违规……”），不计入问题数。")

    st.subheader("文档")
    rows = document_rows(g)
    if len(rows) > 50:
        st.dataframe(rows, hide_index=True, width="stretch")  # virtualised: a corpus stays fast
    else:
        st.table(table_rows(rows), hide_index=True)

    render_reading(g, doc)
    render_coverage(g, doc, gp)
    render_policies(g, doc)
    render_upload(ws)


GAP_BUTTONS = 30  # a corpus can have thousands of gaps: list the first ones with buttons, the rest in a table


def render_coverage(g: nx.MultiDiGraph, doc: str | None, gp: dict[str, list[dict]] | None = None) -> None:
    st.subheader("覆盖情况")
    gp = gp if gp is not None else gaps(g, doc)
    total = len(counted_problems(g, doc))
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
            st.caption(f"另有 {rest} 个，完整列表如下（也可用“矩阵”视图或 tracegraph gaps 查看）。")
            st.dataframe([{"编号": r["id"], "问题": r.get("title", "")} for r in missing[GAP_BUTTONS:]],
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
    rows = cited_policies(g, doc)[:top]
    if not rows:
        st.caption("没有识别到政策依据。")
        return
    table = [{"政策依据": r["title"], "类别": KIND_LABELS_ZH.get(r["kind"], r["kind"]), "提及次数": r["mentions"],
              "引用它的条目数": r["nodes"]} for r in rows]
    st.table(table_rows(table), hide_index=True)


def render_upload(ws: Workspace) -> None:
    st.subheader("上传文档到工作区")
    allowed = supported_extensions()
    st.caption(f"支持 {'、'.join(allowed)}，单个文件不超过 {MAX_UPLOAD_BYTES // 1048576} MB。"
               f"文件保存在工作区（{md(ws.root)}），重启后仍在；只在本机处理，不上传到任何外部服务。")
    files = st.file_uploader("选择文件", type=allowed, accept_multiple_files=True,  # ".text", not the "text" category
                             max_upload_size=MAX_UPLOAD_BYTES // 1048576,
                             key="upload_files")
    if files and st.button("构建并加入工作区", key="upload_go", type="primary"):
        results = []
        with st.spinner("正在读取、解析并建立关联……"):
            for f in files:
                results.append(add_upload(ws, f.name, f.getvalue()))
        vs.session().upload_results = [(r.name, r.ok, r.message) for r in results]
        st.rerun()
    for shown, ok, message in vs.session().upload_results:
        (st.success if ok else st.error)(f"{md(shown)}：{md(message)}")
