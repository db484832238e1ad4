"""Review assistant: score each material the way an inspection team (组织部、督导组、巡视巡察组) reads it.

The standard critique of a weak material is "问题查摆不具体、原因剖析不深刻、整改措施不具体". Each dimension
below turns one part of it into checks whose word lists and thresholds come from
graph/data/review_rules.json, so an office adapts them without code. Every finding carries the text that
triggered it and its source span, because a reviewer must be able to point at the sentence.

Dimensions: specificity (问题查摆), cause_depth (原因剖析), coverage (整改对应), checkability (措施可检验),
boilerplate (套话雷同) and negative (未发现事项, listed apart and not scored).

The rules are loaded by rules.py, the results are the data classes of results.py, and locate.py turns a
span into evidence with its place in the material; this module holds only the checks and the entry points.
(About 430 lines: six checks of 40–80 lines each, one function per dimension, read side by side; splitting
them across modules would separate checks that share their helpers and their shape.)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx

from tracegraph.errors import NotFoundError
from tracegraph.graph.corpus.boilerplate import Passage, SentenceIndex
from tracegraph.graph.link.concepts import load_categories
from tracegraph.graph.query.queries import children, counted_problems, gaps
from tracegraph.graph.review.locate import Locator, label_of, nodes_of, parent_of, regex_hits, short_id, word_hits
from tracegraph.graph.review.results import (
    LISTED,
    Checked,
    DimensionScore,
    DocumentReview,
    Finding,
    Review,
    criterion,
    dimension_score,
)
from tracegraph.graph.review.rules import Rules, load_rules


def check_specificity(g: nx.MultiDiGraph, doc: str, rules: Rules, loc: Locator) -> Checked:
    """问题查摆是否具体: an Example child, dates, figures, named work; otherwise the generic wording found."""
    want = set(rules.get("specificity.specific_if_any"))
    problems = counted_problems(g, doc)
    findings: list[Finding] = []
    with_examples, specific, generic = [], [], []
    for p in problems:
        d = g.nodes[p]
        text, off = d.get("text") or "", d.get("start") or 0
        examples = children(g, p, "HAS_EXAMPLE")
        marks = {
            kind: [
                loc.evidence(label, doc, s, e, t)
                for s, e, t in regex_hits(rules.patterns(f"specificity.{kind}_patterns"), text, off)
            ]
            for kind, label in (("date", "日期"), ("figure", "数字"), ("named_work", "具名工作"))
        }
        wording = [
            loc.evidence(label, doc, s, e, t, p)
            for key, label in (("generic_phrases", "笼统表述"), ("vague_quantifiers", "模糊限定"))
            for s, e, t in word_hits(rules.get(f"specificity.{key}"), text, off)
        ]
        data = {
            "examples": examples,
            **{k: [e.text for e in v] for k, v in marks.items()},
            "generic_wording": list(dict.fromkeys(e.text for e in wording)),
        }
        if examples:
            with_examples.append(p)
        if any((bool(examples) if k == "example" else bool(marks[k])) for k in want):
            specific.append(p)
            ex_ev = [
                loc.evidence("事例", doc, g.nodes[e]["start"], g.nodes[e]["end"], g.nodes[e]["title"], e)
                for e in examples
            ]
            got = [f"事例 {len(examples)} 个"] if examples else []
            got += [
                f"{lab} {len(marks[k])} 处"
                for k, lab in (("date", "日期"), ("figure", "数字"), ("named_work", "具名工作"))
                if marks[k]
            ]
            msg = f"{label_of(g, p)} 查摆具体：{'，'.join(got)}"
            findings.append(
                Finding(
                    "specificity",
                    "problem_specific",
                    "ok",
                    msg,
                    doc,
                    [p],
                    loc.source(p),
                    [*ex_ev, *marks["date"], *marks["figure"], *marks["named_work"]],
                    data,
                )
            )
        else:
            generic.append(p)
            words = "、".join(data["generic_wording"]) or "（无）"
            msg = f"{label_of(g, p)} 表述笼统：没有事例，也没有日期、数字；笼统表述：{words}"
            findings.append(
                Finding("specificity", "problem_generic", "issue", msg, doc, [p], loc.source(p), wording, data)
            )
    n = len(problems)
    th = rules.get("specificity.thresholds")
    criteria = [
        criterion(
            "example_share", "有事例的问题占比", len(with_examples) / n if n else None, th["min_example_share"], "≥"
        ),
        criterion("specific_share", "具体的问题占比", len(specific) / n if n else None, th["min_specific_share"], "≥"),
    ]
    summary = f"查摆问题 {n} 个，有事例 {len(with_examples)} 个，具体 {len(specific)} 个，笼统 {len(generic)} 个"
    details = {"problems": n, "with_examples": with_examples, "specific": specific, "generic": generic}
    return dimension_score("specificity", summary if n else "未识别出查摆的问题", criteria, details), findings


def _roots_of(text: str, roots: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    """Root → the signal words of it that occur in `text`."""
    cats = load_categories()
    out: dict[str, list[str]] = {}
    for name, spec in roots.items():
        words = [w for c in spec.get("categories", []) for w in cats.get(c, [])] + list(spec.get("words", []))
        found = list(dict.fromkeys(w for w in words if w in text))
        if found:
            out[name] = found
    return out


def check_cause_depth(g: nx.MultiDiGraph, doc: str, rules: Rules, loc: Locator) -> Checked:
    """原因剖析是否深刻: which roots (思想、政治、作风、纪律 by default) the causes reach; objective excuses."""
    roots: dict[str, dict[str, list[str]]] = rules.get("cause_depth.roots")
    min_words = rules.get("cause_depth.min_body_words")
    causes = nodes_of(g, doc, "Cause")
    findings: list[Finding] = []
    primary: dict[str, list[str]] = {}
    mentioned: dict[str, list[tuple[str, list[str]]]] = {}
    excuse_causes: list[str] = []
    for c in causes:
        d = g.nodes[c]
        text, off = d.get("text") or "", d.get("start") or 0
        in_title = _roots_of(d.get("title") or "", roots)
        in_body = {r: w for r, w in _roots_of(text, roots).items() if len(w) >= min_words}
        for r in in_title:
            primary.setdefault(r, []).append(c)
        for r, w in in_body.items():
            mentioned.setdefault(r, []).append((c, w))
        desc = "、".join(f"{r}（{'、'.join(w)}）" for r, w in in_title.items()) or "未见根源信号词"
        data: dict[str, Any] = {"title_roots": in_title, "body_roots": in_body}
        findings.append(
            Finding(
                "cause_depth",
                "cause_roots",
                "info",
                f"{label_of(g, c)} 标题指向：{desc}",
                doc,
                [c],
                loc.source(c),
                [],
                data,
            )
        )
        excuses = word_hits(rules.get("cause_depth.objective_excuses"), text, off)
        if excuses:
            excuse_causes.append(c)
            msg = f"{label_of(g, c)} 以客观原因解释：{'、'.join(dict.fromkeys(t for _, _, t in excuses))}"
            ev = [loc.evidence("客观原因", doc, s, e, t, c) for s, e, t in excuses]
            findings.append(Finding("cause_depth", "objective_excuse", "issue", msg, doc, [c], loc.source(c), ev))
    covered = set(primary) | (set(mentioned) if rules.get("cause_depth.count_body_mentions") else set())
    missing = [r for r in roots if r not in covered]
    if not causes:
        findings.append(Finding("cause_depth", "no_causes", "info", "未识别出原因剖析部分", doc, [], None))
        return dimension_score("cause_depth", "未识别出原因剖析部分", [], {"causes": 0}), findings
    section = parent_of(g, causes[0])
    src = loc.source(section if section and g.nodes[section].get("type") == "Section" else causes[0])
    for r in missing:
        seen = mentioned.get(r, [])
        ev = [
            loc.evidence(f"{r}信号词", doc, s, e, t, c)
            for c, words in seen
            for s, e, t in word_hits(words, g.nodes[c].get("text") or "", g.nodes[c].get("start") or 0)
        ]
        where = "；".join(f"{short_id(c)}（{'、'.join(w)}）" for c, w in seen)
        msg = f"原因剖析没有从“{r}”方面剖析根源" + (f"，仅在正文中提及：{where}" if seen else "")
        data = {"root": r, "mentioned_in": [c for c, _ in seen]}
        findings.append(Finding("cause_depth", "missing_root", "issue", msg, doc, data["mentioned_in"], src, ev, data))
    th = rules.get("cause_depth.thresholds")
    criteria = [
        criterion("roots_covered", f"覆盖的根源数（共 {len(roots)} 类）", len(covered), th["min_roots_covered"], "≥"),
        criterion("excuse_causes", "以客观原因解释的原因条数", len(excuse_causes), th["max_excuse_causes"], "≤"),
    ]
    have = "、".join(r for r in roots if r in covered) or "无"
    summary = f"原因 {len(causes)} 条，覆盖根源：{have}；缺少：{'、'.join(missing) or '无'}"
    details = {
        "causes": len(causes),
        "covered": [r for r in roots if r in covered],
        "missing": missing,
        "primary": primary,
        "mentioned": {r: [c for c, _ in v] for r, v in mentioned.items()},
        "excuse_causes": excuse_causes,
    }
    return dimension_score("cause_depth", summary, criteria, details), findings


_COVERAGE = (
    ("problems_without_measures", "problem_without_measure", "没有整改措施回应", "无措施的问题数"),
    ("causes_without_measures", "cause_without_measure", "没有整改措施整治", "无措施的原因数"),
    ("problems_without_causes", "problem_without_cause", "没有分析原因", "未析原因的问题数"),
)


def check_coverage(g: nx.MultiDiGraph, doc: str, rules: Rules, loc: Locator) -> Checked:
    """整改对应: every problem answered by a measure, every cause treated by one (graph.queries.gaps)."""
    gp = gaps(g, doc)
    th = rules.get("coverage.thresholds")
    findings: list[Finding] = []
    criteria = []
    for key, kind, what, label in _COVERAGE:
        limit = th[f"max_{key}"]
        for r in gp[key]:
            sev = "issue" if limit is not None else "info"
            findings.append(
                Finding("coverage", kind, sev, f"{label_of(g, r['id'])} {what}", doc, [r["id"]], loc.source(r["id"]))
            )
        criteria.append(criterion(key, label, len(gp[key]), limit, "≤"))
    for r in gp["measures_addressing_nothing"]:
        msg = f"{label_of(g, r['id'])} 未对应任何问题"
        findings.append(
            Finding("coverage", "measure_addressing_nothing", "info", msg, doc, [r["id"]], loc.source(r["id"]))
        )
    n_p, n_c = len(counted_problems(g, doc)), len(nodes_of(g, doc, "Cause"))
    summary = (
        f"问题 {n_p} 个中 {len(gp['problems_without_measures'])} 个无措施；"
        f"原因 {n_c} 条中 {len(gp['causes_without_measures'])} 条无措施"
    )
    doubts = [w for d in gp.get("reading_doubts", []) for w in d["warnings"]]
    if doubts:  # the reader may have missed the measures: say so, and do not count them as the material's gaps
        summary = f"读取存疑（{'；'.join(doubts)}），以下覆盖统计不作结论：" + summary
        findings = [
            Finding(f.dimension, f.kind, "info", f.message + "（读取存疑）", f.doc, f.nodes, f.source)
            if f.kind in ("problem_without_measure", "cause_without_measure")
            else f
            for f in findings
        ]
        criteria = []
    details = {k: [r["id"] for r in v] for k, v in gp.items() if k != "reading_doubts"}
    return dimension_score("coverage", summary, criteria if n_p or n_c else [], details), findings


def _measure_elements(g: nx.MultiDiGraph, m: str, rules: Rules, loc: Locator) -> dict[str, Any]:
    """What makes one measure checkable — deadline (definite or vague), owner, measurable target — and where
    each was found: the 台账 attributes first, else the measure's own text."""
    d = g.nodes[m]
    doc, text, off = d.get("doc") or "", d.get("text") or "", d.get("start") or 0
    vague_words = rules.get("checkability.vague_deadlines")
    deadline_pats = rules.patterns("checkability.deadline_patterns")
    out: dict[str, Any] = {"deadline": None, "deadline_vague": False, "owner": None, "target": None, "evidence": []}
    if d.get("deadline"):
        dl = d["deadline"]
        out["deadline"] = dl
        out["deadline_vague"] = not regex_hits(deadline_pats, dl, 0) and any(w in dl for w in vague_words)
    elif hits := regex_hits(deadline_pats, text, off):
        out["deadline"] = hits[0][2]
        out["evidence"] += [loc.evidence("时限", doc, s, e, t) for s, e, t in hits]
    elif vague := word_hits(vague_words, text, off):
        out["deadline"], out["deadline_vague"] = vague[0][2], True
        out["evidence"] += [loc.evidence("时限（不明确）", doc, s, e, t) for s, e, t in vague]
    if d.get("owner") or d.get("department"):
        out["owner"] = "；".join(x for x in (d.get("owner"), d.get("department")) if x)
    elif hits := regex_hits(rules.patterns("checkability.owner_patterns"), text, off):
        out["owner"] = hits[0][2]
        out["evidence"] += [loc.evidence("责任", doc, s, e, t) for s, e, t in hits]
    if d.get("goal"):
        out["target"] = d["goal"]
    elif hits := regex_hits(rules.patterns("checkability.target_patterns"), text, off):
        out["target"] = "、".join(dict.fromkeys(t for _, _, t in hits))
        out["evidence"] += [loc.evidence("可衡量目标", doc, s, e, t) for s, e, t in hits]
    return out


_ELEMENT_ZH = {"deadline": "时限", "owner": "责任人/责任部门", "target": "可衡量目标"}


def check_checkability(g: nx.MultiDiGraph, doc: str, rules: Rules, loc: Locator) -> Checked:
    """措施可检验: deadline, owner and a measurable target, from 台账 attributes or the measure's own text."""
    required = rules.get("checkability.required")
    accept_vague = rules.get("checkability.accept_vague_deadline")
    measures = nodes_of(g, doc, "Measure")
    findings: list[Finding] = []
    checkable: list[str] = []
    counts = dict.fromkeys(_ELEMENT_ZH, 0)
    for m in measures:
        el = _measure_elements(g, m, rules, loc)
        has = {
            "deadline": bool(el["deadline"]) and (accept_vague or not el["deadline_vague"]),
            "owner": bool(el["owner"]),
            "target": bool(el["target"]),
        }
        for k, v in has.items():
            counts[k] += int(v)
        lacking = [_ELEMENT_ZH[k] for k in required if not has[k]]
        data = {k: el[k] for k in ("deadline", "deadline_vague", "owner", "target")} | {"lacking": lacking}
        if lacking:
            vague = f"（时限“{el['deadline']}”不明确）" if el["deadline"] and el["deadline_vague"] else ""
            msg = f"{label_of(g, m)} 无法检验：缺少{'、'.join(lacking)}{vague}"
            findings.append(
                Finding(
                    "checkability", "measure_not_checkable", "issue", msg, doc, [m], loc.source(m), el["evidence"], data
                )
            )
        else:
            checkable.append(m)
            got = f"时限 {el['deadline']}；责任 {el['owner'] or '—'}；目标 {el['target'] or '—'}"
            msg = f"{label_of(g, m)} 可检验：{got}"
            findings.append(
                Finding("checkability", "measure_checkable", "ok", msg, doc, [m], loc.source(m), el["evidence"], data)
            )
    n = len(measures)
    threshold = rules.get("checkability.thresholds.min_checkable_share")
    criteria = [criterion("checkable_share", "可检验的措施占比", len(checkable) / n if n else None, threshold, "≥")]
    summary = (
        f"整改措施 {n} 条，可检验 {len(checkable)} 条；"
        f"有时限 {counts['deadline']}、有责任人 {counts['owner']}、有可衡量目标 {counts['target']}"
    )
    details = {
        "measures": n,
        "checkable": checkable,
        "not_checkable": [m for m in measures if m not in checkable],
        "with": counts,
        "required": list(required),
    }
    return dimension_score("checkability", summary if n else "未识别出整改措施", criteria, details), findings


def check_boilerplate(g: nx.MultiDiGraph, doc: str, rules: Rules, loc: Locator, index: SentenceIndex | None) -> Checked:
    """套话雷同: passages written twice in the material or found in other materials of the corpus."""
    if index is None or doc not in index.texts:
        return dimension_score("boilerplate", "无原文，未检查", [], {}), []
    text = index.texts[doc]
    findings: list[Finding] = []
    counted: list[Passage] = []
    within, across = index.repeated_within(doc), index.shared_with_others(doc)
    for p in within + across:
        quoted = p.quoted
        ev = [loc.evidence("雷同段落" if p.other_count else "重复段落", doc, s, e, text[s:e]) for s, e in p.occurrences]
        nodes = list(dict.fromkeys(e.node for e in ev if e.node))
        where = "、".join(short_id(n) for n in nodes) or "正文"
        if p.other_count:
            names = "、".join(p.other_docs[:5]) + ("等" if p.other_count > 5 else "")
            kind, msg = "shared_across", f"与其他 {p.other_count} 份材料雷同（{names}），见 {where}：“{p.text}”"
        else:
            kind, msg = "repeated_within", f"同一段文字在本材料中出现 {len(p.occurrences)} 次（{where}）：“{p.text}”"
        if quoted:
            msg = "引用原文（不计入比例）：" + msg
        else:
            counted.append(p)
        data = {
            "text": p.text,
            "chars": p.chars,
            "occurrences": p.occurrences,
            "other_documents": p.other_docs,
            "other_count": p.other_count,
            "quoted": quoted,
        }
        findings.append(Finding("boilerplate", kind, "info" if quoted else "issue", msg, doc, nodes, ev[0], ev, data))
    share = index.share(doc, counted)
    within_share = index.share(doc, [p for p in counted if not p.other_count])
    threshold = rules.get("boilerplate.thresholds.max_boilerplate_share")
    criteria = [criterion("boilerplate_share", "重复或雷同文字占比", round(share, 4), threshold, "≤")]
    summary = f"重复或雷同文字占 {share:.1%}（材料内重复 {len(within)} 处，与其他材料雷同 {len(across)} 处）"
    details = {
        "share": share,
        "within_share": within_share,
        "within": len(within),
        "across": len(across),
        "corpus_documents": len(index.texts),
    }
    return dimension_score("boilerplate", summary, criteria, details), findings


def check_negative(g: nx.MultiDiGraph, doc: str, loc: Locator) -> Checked:
    """未发现事项 are statements, not problems: listed apart so they neither count nor hide."""
    rows = gaps(g, doc)["negative_findings"]
    findings = []
    for r in rows:
        d = g.nodes[r["id"]]
        topic = d.get("topic") or ""
        msg = f"{short_id(r['id'])}{f'（{topic}）' if topic else ''}：{d.get('title') or ''}"
        findings.append(
            Finding("negative", "none_found", "info", msg, doc, [r["id"]], loc.source(r["id"]), [], {"topic": topic})
        )
    summary = f"未发现问题的事项 {len(rows)} 项（不计入查摆问题）"
    return dimension_score("negative", summary, [], {"items": [r["id"] for r in rows]}, LISTED), findings


# =====================================================================================================
# Entry points
# =====================================================================================================


def review_document(
    g: nx.MultiDiGraph, doc: str, rules: Rules | None = None, index: SentenceIndex | None = None
) -> DocumentReview:
    """All checks for one document; `index` (over the whole corpus) enables the boilerplate check."""
    rules = rules or load_rules()
    info = g.graph.get("documents", {}).get(doc, {})
    loc = Locator(g, doc)
    scores: dict[str, DimensionScore] = {}
    findings: list[Finding] = []
    for dim, (score, found) in (
        ("specificity", check_specificity(g, doc, rules, loc)),
        ("cause_depth", check_cause_depth(g, doc, rules, loc)),
        ("coverage", check_coverage(g, doc, rules, loc)),
        ("checkability", check_checkability(g, doc, rules, loc)),
        ("boilerplate", check_boilerplate(g, doc, rules, loc, index)),
        ("negative", check_negative(g, doc, loc)),
    ):
        scores[dim] = score
        findings.extend(found)
    title = info.get("title") or (g.nodes[doc].get("title") if doc in g else "") or doc
    return DocumentReview(doc, title, info.get("path") or "", scores, findings)


def review_graph(
    g: nx.MultiDiGraph, rules: Rules | None = None, docs: list[str] | None = None, today: str | None = None
) -> Review:
    """Review every document of the graph (or `docs`), with one sentence index over the whole corpus."""
    rules = rules or load_rules()
    index = SentenceIndex.from_graph(
        g, min_chars=rules.get("boilerplate.min_clause_chars"), min_run_chars=rules.get("boilerplate.min_run_chars")
    )
    wanted = docs or sorted(g.graph.get("documents", {}))
    unknown = [d for d in wanted if d not in g.graph.get("documents", {})]
    if unknown:
        raise NotFoundError(f"图谱中没有文档：{'、'.join(unknown)}")
    reviews = [review_document(g, d, rules, index) for d in wanted]
    return Review(reviews, rules.source, today or date.today().isoformat())
