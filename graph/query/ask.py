"""Answer questions in Chinese such as “哪些措施针对软弱涣散基层党组织问题” or “第三条整改措施解决了哪些
问题”: find the node(s) the question names (ordinals, fuzzy matching over titles and text), work out
what is asked, and answer with ranked nodes and their evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from tracegraph.graph.query.queries import (
    _in_doc,
    counted_problems,
    doubtful,
    gaps,
    policy_refs_of,
    reading_of,
    search,
    summary,
    trace,
)
from tracegraph.loaders.textutil import cn_to_int

_TYPE_WORDS = {
    "Measure": r"整改措施|措施|举措|努力方向|整改",
    "Problem": r"问题|不足|短板",
    "Cause": r"原因|根源|根子",
    "PolicyRef": r"政策依据|政策|依据|文件|精神",
}
_ORDINAL = re.compile(
    r"第\s*([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*(?:条|个|项|点|是)?\s*(整改措施|措施|问题|原因|举措)"
)
_FILLER = re.compile(
    r"哪些|哪个|哪几条|什么|怎么|如何|是否|有没有|有哪些|请问|请|针对|对应|解决了?|整改了?|回应了?|导致了?|造成了?|"
    r"产生|引起|涉及|引用了?|这个|这条|该|的|了|吗|呢|？|\?|。|，|,|问题$|是$|措施|原因|根源|对|解决"
)


@dataclass
class Answer:
    question: str
    intent: str
    targets: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""
    doubtful: bool = False  # the document's reading is in doubt: an empty answer is not a finding
    # one entry per matched item (every matching problem in every document): its own answer
    per_target: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "doubtful": self.doubtful,
            "per_target": self.per_target,
            "question": self.question,
            "intent": self.intent,
            "targets": self.targets,
            "results": self.results,
            "text": self.text,
        }


def _intent(q: str) -> tuple[str, str]:
    """(what is asked for, what the question names) as node types."""
    if re.search(r"没有.{0,6}措施|缺口|未覆盖|没有被.{0,4}(?:针对|回应|解决)|无措施", q):
        return "gaps", ""
    m = _ORDINAL.search(q)
    named = None
    if m:
        word = m.group(2)
        named = "Measure" if "措施" in word or "举措" in word else "Cause" if "原因" in word else "Problem"
    rest = q[m.end() :] if m else q
    asks = None
    for t in ("PolicyRef", "Cause", "Measure", "Problem"):
        if re.search(rf"(?:哪些|哪个|什么|有何|几条|几个)\s*(?:{_TYPE_WORDS[t]})", rest):
            asks = t
            break
    if asks is None and re.search(r"为什么|为何|原因是|根源", q):
        asks = "Cause"
    if asks is None and re.search(r"怎么整改|如何整改|怎样整改|整改措施是|措施是", q):
        asks = "Measure"
    if named is None:
        if asks == "Problem":
            named = "Measure" if re.search(r"措施|举措", q) else "Cause" if re.search(r"原因", q) else "Measure"
        else:
            named = "Problem"
    if asks is None:
        asks = {"Problem": "Measure", "Measure": "Problem", "Cause": "Problem"}.get(named, "Measure")
    return asks, named


def _resolve(g: nx.MultiDiGraph, q: str, named: str, doc: str | None) -> list[tuple[float, str]]:
    m = _ORDINAL.search(q)
    if m:
        n = cn_to_int(m.group(1)) or 0
        pool = counted_problems(g, doc) if named == "Problem" else _in_doc(g, doc, (named,))
        by_doc: dict[str, list[str]] = {}
        for x in pool:
            by_doc.setdefault(g.nodes[x].get("doc") or "", []).append(x)
        return [(1.0, xs[n - 1]) for xs in by_doc.values() if 0 < n <= len(xs)]
    key = _FILLER.sub(" ", q)
    key = re.sub(r"\s+", " ", key).strip()
    phrases = [p for p in key.split(" ") if len(p) >= 2]
    if not phrases:
        return []
    phrase = max(phrases, key=len)
    types = (named,) if named != "Problem" else ("Problem", "Example", "Area")
    hits = search(g, phrase, types=types, doc=doc, limit=30)
    out: list[tuple[float, str]] = []
    seen: set[str] = set()
    for h in hits:
        n = h["id"]
        t = g.nodes[n]["type"]
        if t == "Example":
            n = next((u for u, _, d in g.in_edges(n, data=True) if d.get("type") == "HAS_EXAMPLE"), n)
        if t == "Area":
            continue
        if n in seen or g.nodes[n].get("type") != named:
            continue
        seen.add(n)
        out.append((h["score"], n))
    if not out:
        return []
    top = out[0][0]
    # every item that says the phrase itself, in every document, and the best fuzzy matches besides
    verbatim = [(s, n) for s, n in out if _says(g, n, phrase)]
    fuzzy = [(s, n) for s, n in out if s >= max(0.2, top * 0.8) and (s, n) not in verbatim][:3]
    return (verbatim + fuzzy)[:MAX_TARGETS]


MAX_TARGETS = 20


def _says(g: nx.MultiDiGraph, n: str, phrase: str) -> bool:
    """The item, or one of its examples, contains the phrase verbatim."""
    d = g.nodes[n]
    if phrase in (d.get("title") or "") or phrase in (d.get("text") or ""):
        return True
    return any(
        phrase in (g.nodes[v].get("text") or "")
        for _, v, e in g.out_edges(n, data=True)
        if e.get("type") == "HAS_EXAMPLE"
    )


def ask(g: nx.MultiDiGraph, question: str, doc: str | None = None) -> Answer:
    q = question.strip()
    asks, named = _intent(q)
    ans = Answer(question=q, intent=f"{named}->{asks}" if asks != "gaps" else "gaps")
    if asks == "gaps":
        gp = gaps(g, doc)
        ans.results = gp["problems_without_measures"]
        ans.text = (
            f"共有 {len(ans.results)} 个问题没有对应的整改措施：" + "；".join(r["title"] for r in ans.results)
            if ans.results
            else "每个问题都有对应的整改措施。"
        )
        return ans
    targets = _resolve(g, q, named, doc)
    ans.targets = [{**summary(g, n), "match": round(s, 3)} for s, n in targets]
    if not targets:
        ans.text = "没有找到问题中提到的条目，请换个说法或使用搜索。"
        return ans
    results: dict[str, dict[str, Any]] = {}
    label = {"Measure": "整改措施", "Problem": "问题", "Cause": "原因", "PolicyRef": "政策依据"}[asks]
    parts: list[str] = []
    for _, n in targets:
        tr = trace(g, n)
        if asks == "PolicyRef":
            rows = policy_refs_of(g, n)
        elif asks == "Measure":
            rows = tr.get("measures", [])
        elif asks == "Cause":
            rows = tr.get("causes", [])
        else:
            rows = tr.get("problems", [])
        rows = [{**r, "via": n} for r in rows]
        for r in rows:
            if r["id"] not in results or (r.get("score") or 0) > (results[r["id"]].get("score") or 0):
                results[r["id"]] = r
        entry = _target_answer(g, n, rows, asks, label)
        ans.per_target.append(entry)
        parts.append(entry["text"])
    ans.results = sorted(results.values(), key=lambda r: -(r.get("score") or 0))
    ans.doubtful = any(e["status"] == "doubtful" for e in ans.per_target)
    found = sum(1 for e in ans.per_target if e["results"])
    head = f"找到 {len(ans.per_target)} 个相关条目" + (
        f"（{found} 个有对应的{label}）" if len(ans.per_target) > 1 else ""
    )
    ans.text = head + "：" + "；".join(parts) if len(ans.per_target) > 1 else parts[0]
    return ans


def _target_answer(g: nx.MultiDiGraph, n: str, rows: list[dict[str, Any]], asks: str, label: str) -> dict[str, Any]:
    """One matched item's answer: what answers it (with the source's own cue sentence for an explicit link), or
    — when nothing does — a coverage gap with the nearest candidates, unless the document's reading is in doubt."""
    d = g.nodes[n]
    docs = g.graph.get("documents", {})
    where = (docs.get(d.get("doc") or "") or {}).get("title") or d.get("doc") or ""
    name = f"“{d.get('title') or ''}”（{where}）"
    entry: dict[str, Any] = {"target": summary(g, n), "results": rows, "status": "answered", "candidates": []}
    if rows:

        def one(i: int, r: dict[str, Any]) -> str:
            cue = ""
            if r.get("origin") == "explicit":
                sent = ((r.get("evidence") or {}).get("target_sentence") or {}).get("text")
                cue = f"，原文：{sent}" if sent else ""
            return f"{i}. {r['title']}（{_origin(r)}{_score_text(r)}{cue}）"

        entry["text"] = f"{name}：{len(rows)} 条{label}——" + "；".join(one(i, r) for i, r in enumerate(rows, 1))
        return entry
    doubts = doubtful(reading_of(g, d.get("doc") or ""))
    if doubts:
        entry["status"] = "doubtful"
        entry["text"] = (
            f"{name}没有读出对应的{label}，但该文档的读取存疑（{'；'.join(doubts)}），"
            f"不能据此认定原文没有{label}，请核对原文"
        )
        return entry
    entry["status"] = "gap"
    etype = {"Measure": "ADDRESSES", "Cause": "EXPLAINS"}.get(asks, "")
    cands = ((d.get("suggestions") or {}).get(etype) or [])[:3] if etype else []
    entry["candidates"] = cands
    offer = (
        "；候选（未建立关联，可在“校对”中确认）：" + "、".join(c.get("title") or c["id"] for c in cands)
        if cands
        else ""
    )
    entry["text"] = f"{name}没有找到对应的{label}（覆盖缺口{offer}）"
    return entry


def _score_text(r: dict[str, Any]) -> str:
    return f"，得分 {r['score']:.2f}" if r.get("score") is not None else ""


def _origin(r: dict[str, Any]) -> str:
    return {"explicit": "原文明示", "inferred": "推断", "curated": "人工确认"}.get(r.get("origin") or "", "解析")
