"""读取概况 in the app: how a document was read, what was set aside, and the warnings that make a coverage gap
a question for the analyst rather than a finding (loaders.structure.reading)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.query.queries import doubtful, reading_of
from tracegraph.loaders.structure.reading import SET_ASIDE_ZH
from tracegraph.ui.memo import cached
from tracegraph.ui.views.common import big_table, doc_label, md

LEVEL_ZH = {"Section": "部分", "Area": "方面（分组）", "Problem": "问题", "Cause": "原因", "Example": "事例",
            "Action": "具体举措", "Measure.taken": "已采取的措施", "Measure.planned": "计划的措施",
            "Measure.organisational": "组织推进情况"}
STATUS_ZH = {"planned": "计划（下一步）", "organisational": "组织推进情况（不对应具体问题）"}


def reading_rows(g: nx.MultiDiGraph, doc: str | None) -> list[dict[str, Any]]:
    """One row per document: share of the body read into items, counts per level, what was set aside, warnings."""
    docs = g.graph.get("documents", {})
    rows = []
    for did in [doc] if doc else sorted(docs):
        rep = reading_of(g, did)
        if not rep:
            continue
        counts = rep.get("counts", {})
        rows.append({
            "文档": doc_label(g, did),
            "落在条目中": f"{rep.get('item_share', 0):.0%}",
            "各层条目": "，".join(f"{LEVEL_ZH.get(k, k)} {v}" for k, v in sorted(counts.items())),
            "另列": "，".join(f"{SET_ASIDE_ZH.get(k, k)} {v} 字" for k, v in (rep.get("set_aside") or {}).items()),
            "警告": "；".join(w["text"] for w in rep.get("warnings", [])) or "无",
        })
    return rows


MAX_DOUBT_BOXES = 5  # past this, one box says how many documents are in doubt (the table names them)


def doubts(g: nx.MultiDiGraph, doc: str | None) -> list[tuple[str, list[str]]]:
    """(document, why its reading is in doubt) for each document whose reading is in doubt."""
    out = []
    for did in [doc] if doc else sorted(g.graph.get("documents", {})):
        w = doubtful(reading_of(g, did))
        if w:
            out.append((did, w))
    return out


def render_reading(g: nx.MultiDiGraph, doc: str | None) -> None:
    """The reading report table, and a warning box per document whose reading is in doubt (one box for
    all of them when there are many)."""
    st.subheader("读取概况")
    rows = cached(g, reading_rows, doc)
    if not rows:
        st.caption("没有读取概况（图谱由旧版本构建，请重新构建）。")
        return
    doubt_boxes(g, cached(g, doubts, doc), "下表“警告”列")
    if len(rows) > 50:  # the documents with a warning first: they are what the analyst must look at
        rows = sorted(rows, key=lambda r: r["警告"] == "无")
    big_table(rows, "份文档的读取概况", key="tg-reading-all")


def doubt_boxes(g: nx.MultiDiGraph, doubted: list[tuple[str, list[str]]], where: str) -> None:
    """A warning box per document whose reading is in doubt; past MAX_DOUBT_BOXES one box (the reasons are `where`)."""
    if len(doubted) > MAX_DOUBT_BOXES:
        st.warning(md(f"{len(doubted)} 份文档的读取存疑（原因见{where}），这些文档的“覆盖缺口”可能是读取问题，"
                      "请核对原文。"))
        return
    for did, w in doubted:
        said = f"{doc_label(g, did)} 的读取存疑：{'；'.join(w)}。该文档的“覆盖缺口”可能是读取问题，请核对原文。"
        st.warning(md(said))


def render_index_reading(index: nx.MultiDiGraph) -> None:
    """读取概况 of a paged store's whole catalogue: its entries carry only the warnings that put a reading in doubt
    (graph.stores.base.catalogue_entry), so this lists the documents in doubt and says where the rest is."""
    st.subheader("读取概况")
    docs = index.graph.get("documents", {})
    doubted = cached(index, doubts, None)
    st.caption(f"共 {len(docs):,} 份文档，其中 {len(doubted):,} 份读取存疑。每份文档落在条目中的比例、各层条目数和"
               "另列的内容：在左侧“文档”中选择该文档后在本页查看。")
    if not doubted:
        return
    doubt_boxes(index, doubted, "下表")
    big_table([{"文档": doc_label(index, did), "读取存疑": "；".join(w), "编号": did} for did, w in doubted],
              "份读取存疑的文档", key="tg-reading-doubted")


def node_reading_notes(g: nx.MultiDiGraph, n: str) -> list[str]:
    """What the detail panel says about how this node was read."""
    d = g.nodes[n]
    notes = []
    if d.get("role_uncertain"):
        notes.append("角色是根据内容推测的（标题未说明），请在“校对”中确认或修改类型。")
    if d.get("set_aside"):
        notes.append(f"已另列：{STATUS_ZH.get(d['set_aside'], d['set_aside'])}，不作为对具体问题的整改措施。")
    w = doubtful(reading_of(g, d.get("doc") or ""))
    if w:
        notes.append(f"所在文档读取存疑：{'；'.join(w)}。")
    return notes
