"""Compare a built graph with a hand-checked gold reading (the format of shared/corpus/seed/*.gold.json).

Items are matched by span overlap, never by id, so any numbering scheme can be scored. Link precision
counts core + acceptable pairs as correct; recall counts core pairs only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

_GOLD_TYPE = {"problems": "Problem", "causes": "Cause", "measures": "Measure", "areas": "Area"}
_LINKS = {"measure_problem": "ADDRESSES", "cause_problem": "EXPLAINS", "measure_cause": "TREATS"}


@dataclass
class PRF:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else (1.0 if not self.n_gold else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _norm(s: str) -> str:
    return s.strip().strip('“”"《》').replace("党的", "", 1) if s else ""


def match_items(
    gold: dict[str, Any], g: nx.MultiDiGraph, doc: str | None = None
) -> tuple[dict[str, str], dict[str, PRF]]:
    """gold id → node id, and P/R/F1 per type."""
    mapping: dict[str, str] = {}
    scores: dict[str, PRF] = {}
    nodes = [(n, d) for n, d in g.nodes(data=True) if doc is None or d.get("doc") == doc]
    for key, ntype in _GOLD_TYPE.items():
        preds = [(n, d) for n, d in nodes if d.get("type") == ntype and d.get("status") != "none_found"]
        golds = list(gold.get(key, []))
        if ntype == "Problem":
            golds += [dict(o, other=True) for o in gold.get("other_matters", []) if o.get("finding") == "problem"]
        prf = PRF(n_pred=len(preds), n_gold=len(golds))
        used: set[str] = set()
        for gi in golds:
            best, best_s = None, 0.0
            for n, d in preds:
                if n in used or d.get("start") is None:
                    continue
                if gi.get("other"):
                    s = 1.0 if d["start"] <= gi["anchor_offset"] < d["end"] else 0.0
                else:
                    s = _overlap((gi["start"], gi["end"]), (d["start"], d["end"]))
                if s > best_s:
                    best, best_s = n, s
            if best is not None and best_s >= 0.5:
                used.add(best)
                mapping[gi["id"]] = best
                prf.tp += 1
            else:
                prf.missed.append(f"{gi['id']} {gi.get('title', '')[:30]}")
        prf.wrong = [f"{n} {d.get('title', '')[:30]}" for n, d in preds if n not in used]
        scores[ntype] = prf
    return mapping, scores


def _policy_scores(gold: dict[str, Any], g: nx.MultiDiGraph, doc: str | None) -> tuple[PRF, list[str]]:
    cited: set[str] = set()
    for _u, v, d in g.edges(data=True):
        if d.get("type") == "CITES" and (doc is None or any(m[0] == doc for m in d.get("mentions", []))):
            cited.add(v)
    preds = {g.nodes[p]["canonical"]: g.nodes[p] for p in cited}
    gold_refs = gold.get("policy_refs", [])
    gold_forms: dict[str, str] = {}
    for ref in gold_refs:
        for s in [ref["canonical"], *ref.get("surface_forms", [])]:
            gold_forms[_norm(s)] = ref["canonical"]
    neutral = {_norm(s) for s in gold.get("neutral_phrases", [])} | {_norm(s) for s in gold.get("redactions", [])}
    bad = {_norm(s) for s in gold.get("not_policy_refs", [])}
    prf = PRF(n_gold=len(gold_refs))
    found: set[str] = set()
    forbidden: list[str] = []
    for canon, node in preds.items():
        forms = {_norm(canon)} | {_norm(a) for a in node.get("aliases", [])}
        hit = next((gold_forms[f] for f in forms if f in gold_forms), None)
        if hit:
            prf.n_pred += 1
            if hit not in found:
                prf.tp += 1
                found.add(hit)
        elif forms & neutral:
            continue
        else:
            prf.n_pred += 1
            prf.wrong.append(canon)
            if forms & bad:
                forbidden.append(canon)
    prf.missed = [r["canonical"] for r in gold_refs if r["canonical"] not in found]
    return prf, forbidden


def _link_scores(gold: dict[str, Any], g: nx.MultiDiGraph, mapping: dict[str, str]) -> dict[str, PRF]:
    inverse = {v: k for k, v in mapping.items()}
    out: dict[str, PRF] = {}
    for key, etype in _LINKS.items():
        spec = gold.get("links", {}).get(key, {})
        core = {tuple(p) for p in spec.get("core", [])}
        ok = core | {tuple(p) for p in spec.get("acceptable", [])}
        preds: set[tuple[str, str]] = set()
        for u, v, d in g.edges(data=True):
            if d.get("type") != etype or d.get("rejected"):
                continue
            if g.nodes[u].get("type") == "Action":
                continue  # actions refine their measure's links; the gold scores measures
            preds.add((inverse.get(u, u), inverse.get(v, v)))
        prf = PRF(n_pred=len(preds), n_gold=len(core))
        prf.tp = len(preds & core)
        correct = preds & ok
        prf.wrong = sorted(f"{a}→{b}" for a, b in preds - ok)
        prf.missed = sorted(f"{a}→{b}" for a, b in core - preds)
        prf.__dict__["correct"] = len(correct)
        out[etype] = prf
    return out


def evaluate(gold: dict[str, Any], g: nx.MultiDiGraph, doc: str | None = None) -> dict[str, Any]:
    """All scores as a dict (the CLI prints it; tests assert on it)."""
    if doc is None and len(g.graph.get("documents", {})) > 1:
        want = gold.get("document", "")
        for did, d in g.graph["documents"].items():
            if d.get("path", "").endswith(want) or did == want.rsplit(".", 1)[0]:
                doc = did
    mapping, items = match_items(gold, g, doc)
    policy, forbidden = _policy_scores(gold, g, doc)
    links = _link_scores(gold, g, mapping)
    return {"items": items, "policy": policy, "forbidden_policy": forbidden, "links": links, "mapping": mapping}


def link_precision(prf: PRF) -> float:
    correct = prf.__dict__.get("correct", prf.tp)
    return correct / prf.n_pred if prf.n_pred else 0.0


def link_f1(prf: PRF) -> float:
    p, r = link_precision(prf), prf.recall
    return 2 * p * r / (p + r) if p + r else 0.0


def format_report(result: dict[str, Any]) -> str:
    lines = ["结构识别 (structure)        P      R      F1    pred/gold"]
    for t, prf in result["items"].items():
        lines.append(f"  {t:<24}{prf.precision:6.3f} {prf.recall:6.3f} {prf.f1:6.3f}   {prf.n_pred}/{prf.n_gold}")
        for m in prf.missed:
            lines.append(f"      missed: {m}")
        for w in prf.wrong:
            lines.append(f"      extra:  {w}")
    pol = result["policy"]
    lines.append(
        f"政策依据 (policy refs)       P={pol.precision:.3f} R={pol.recall:.3f} F1={pol.f1:.3f} "
        f"({pol.tp} of {pol.n_gold} gold found, {pol.n_pred} predicted)"
    )
    for m in pol.missed:
        lines.append(f"      missed: {m}")
    for w in pol.wrong:
        lines.append(f"      false positive: {w}")
    if result["forbidden_policy"]:
        lines.append(f"      NOT policy refs taken as such: {', '.join(result['forbidden_policy'])}")
    lines.append("关联 (links)                 P      R      F1    pred/core")
    for t, prf in result["links"].items():
        lines.append(
            f"  {t:<24}{link_precision(prf):6.3f} {prf.recall:6.3f} {link_f1(prf):6.3f}   {prf.n_pred}/{prf.n_gold}"
        )
        if prf.missed:
            lines.append(f"      missed core: {' '.join(prf.missed)}")
        if prf.wrong:
            lines.append(f"      wrong:       {' '.join(prf.wrong)}")
    return "\n".join(lines)
