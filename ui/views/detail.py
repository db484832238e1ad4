"""The detail panel of one node: its source text with the span marked in its paragraph, its links with
scores and evidence, its policy references, and — for a coverage gap — the nearest candidates."""

from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from tracegraph.graph.model.schema import EDGE_LABELS_ZH, LINK_TYPES
from tracegraph.graph.query.queries import active_links, policy_refs_of
from tracegraph.ui.highlight import esc, paragraph_html
from tracegraph.ui.views.common import (
    go_graph,
    go_trace,
    html,
    link_row_html,
    md,
    name,
    ref,
    set_field,
    set_focus,
    traceable,
    type_zh,
)
from tracegraph.ui.views.curation import feedback, panel_act
from tracegraph.ui.views.reading import node_reading_notes


def node_links(g: nx.MultiDiGraph, n: str) -> list[dict[str, Any]]:
    """Link edges touching `n` (as every view sees them), strongest first, with the other end's summary."""
    rows: list[dict[str, Any]] = []
    for u, v, d in active_links(g, LINK_TYPES):
        if n not in (u, v):
            continue
        other = v if u == n else u
        rows.append({"id": other, "title": g.nodes[other].get("title") or "", "type": g.nodes[other].get("type"),
                     "relation": EDGE_LABELS_ZH.get(d.get("type", ""), d.get("type")), "etype": d.get("type"),
                     "direction": "out" if u == n else "in", "score": d.get("score"), "origin": d.get("origin"),
                     "evidence": d.get("evidence") or {}, "comment": d.get("comment") or "",
                     "curated_by": d.get("curated_by") or ""})
    rows.sort(key=lambda r: (-(r["score"] or 0), r["id"]))
    return rows


def source_html(g: nx.MultiDiGraph, n: str) -> str:
    """The node's paragraph from its document, its own span in <mark>; '' for nodes without a span."""
    d = g.nodes[n]
    doc = (g.graph.get("documents") or {}).get(d.get("doc") or "")
    if not doc or d.get("start") is None or d.get("end") is None or d.get("type") == "Document":
        return ""
    text = doc.get("text") or ""
    if not text:
        return f'<div class="tg-source"><mark>{esc(d.get("text") or "")}</mark></div>'
    return paragraph_html(text, int(d["start"]), int(d["end"]), d.get("title_start"), d.get("title_end"))


def render(g: nx.MultiDiGraph, n: str) -> None:
    if n not in g:
        st.warning(f"找不到节点 {md(n)}（可能已从工作区删除）。")
        return
    d = g.nodes[n]
    with st.container(border=True):
        st.markdown("#### 节点详情")
        html(f"<div><b>{esc(type_zh(d.get('type')))} {esc(ref(g, n))}</b></div>"
             f"<div style='font-size:1.1em'>{esc(d.get('title') or '')}</div>")
        meta = [f"文档 {d.get('doc')}" if d.get("doc") else "", f"位置 {d.get('path')}" if d.get("path") else "",
                f"字符 {d.get('start')}–{d.get('end')}" if d.get("start") is not None else ""]
        st.caption(md(" · ".join(m for m in meta if m)))
        for note in node_reading_notes(g, n):
            st.warning(md(note))
        b1, b2, b3 = st.columns(3)
        t = traceable(g, n)
        if t:
            b1.button("溯源", key=f"dt-trace-{n}", on_click=go_trace, args=(t,))
        b2.button("以此为中心", key=f"dt-focus-{n}", on_click=set_focus, args=(n,))
        b3.button("关闭详情", key=f"dt-close-{n}", on_click=set_field, kwargs={"node": ""})

        src = source_html(g, n)
        if src:
            st.markdown("**原文**")
            html(src)
        feedback(f"dt-msg-{n}")
        links = node_links(g, n)
        if links:
            st.markdown(f"**关联（{len(links)}）**")
            st.text_input("校对备注（可选，随下方的确认/否决记入审计日志）", key=comment_key("dt", n), max_chars=2000)
            for r in links:
                arrow = "→" if r["direction"] == "out" else "←"
                html(f"<div style='margin-top:.5em'>{esc(r['relation'])} {arrow} {esc(type_zh(r['type']))}</div>"
                     + link_row_html(r, g) + curated_note_html(r))
                k = f"{n}-{r['id']}-{r['etype']}"
                c1, c2, c3, _ = st.columns([1, 1, 1, 4])
                c1.button("查看", key=f"dt-open-{k}", on_click=go_graph, args=(r["id"],))
                s_, t_ = (n, r["id"]) if r["direction"] == "out" else (r["id"], n)
                link_buttons(g, s_, t_, r["etype"], r.get("origin"), f"dt-{k}", comment_key("dt", n), (c2, c3))
        elif d.get("type") in ("Problem", "Measure", "Cause"):
            st.info("没有与其他问题、原因或措施建立关联。")
        render_suggestions(g, n)
        refs = policy_refs_of(g, n) if d.get("type") not in ("PolicyRef", "Speaker", "Document") else []
        if refs:
            st.markdown("**政策依据：** " + "、".join(md(r.get("title") or "") for r in refs))
        if d.get("type") == "PolicyRef":
            cited = sorted({u for u, _, e in g.in_edges(n, data=True) if e.get("type") == "CITES"})
            st.markdown(f"**被引用（{len(cited)}）：**")
            for u in cited[:30]:
                st.markdown("- " + md(name(g, u, with_type=True)))


_SUGGESTION_LABELS = {"ADDRESSES": "可能对应的整改措施", "EXPLAINS": "可能的原因", "TREATS": "可能整治的原因"}


def render_suggestions(g: nx.MultiDiGraph, n: str, only: str | None = None) -> None:
    """Nearest candidates the linker found for a gap; shown as candidates, not as links."""
    sug = g.nodes[n].get("suggestions") or {}
    for etype, rows in sug.items():
        if not rows or (only and etype != only):
            continue
        st.markdown(f"**{md(_SUGGESTION_LABELS.get(etype, etype))}（候选，未建立关联，供核实）**")
        for r in rows:
            a, b = st.columns([6, 1])
            a.markdown(f"- {md(ref(g, r['id']))} {md(r.get('title') or '')}（相似度 {float(r.get('score') or 0):.2f}）")
            if r["id"] in g and not g.has_edge(r["id"], n, etype):
                b.button("采纳", key=f"sg-{n}-{r['id']}-{etype}", help="建立这条关联（人工添加，备注“采纳候选”）",
                         on_click=panel_act, args=("add", g, r["id"], n, etype, "采纳候选"),
                         kwargs={"done": f"已采纳候选 {ref(g, r['id'])} → {ref(g, n)}"})


def comment_key(panel: str, n: str) -> str:
    """The session key of a panel's 校对备注 box (one box per panel and node)."""
    return f"tg-cmt-{panel}-{n}"


def curated_note_html(row: dict[str, Any]) -> str:
    """For a curated link: who decided it and the comment; '' otherwise."""
    if row.get("origin") != "curated":
        return ""
    who = row.get("curated_by") or ""
    note = row.get("comment") or ""
    parts = [f"校对人 {esc(who)}" if who else "", f"备注：{esc(note)}" if note else ""]
    text = "；".join(p for p in parts if p)
    return f"<div class='tg-curated-note' style='color:#555'>{text}</div>" if text else ""


def link_buttons(
    g: nx.MultiDiGraph, s: str, t: str, etype: str, origin: str | None, key: str, comment: str, cols: Any
) -> None:
    """确认 (unless already curated) and 否决 for one link, by the app's 校对人, with the panel's 备注."""
    if etype not in LINK_TYPES or not g.has_edge(s, t, etype):
        return
    label = f"{ref(g, s)} → {ref(g, t)}"
    slots = list(cols)
    if origin != "curated":
        slots.pop(0).button("确认", key=f"{key}-ok", on_click=panel_act, args=("confirm", g, s, t, etype),
                            kwargs={"done": f"已确认 {label}", "comment_key": comment})
    slots[0].button("否决", key=f"{key}-no", on_click=panel_act, args=("reject", g, s, t, etype),
                    kwargs={"done": f"已否决 {label}", "comment_key": comment})
