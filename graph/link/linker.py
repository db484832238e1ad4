"""Draw the links a careful reader draws: Measure ADDRESSES Problem, Cause EXPLAINS Problem,
Measure TREATS Cause (and Action ADDRESSES Problem for the step that does it).

Explicit links first (针对“……”问题, 台账 rows, a 针对问题 column); then inferred ones from lexical
similarity (character-bigram TF-IDF fitted on the document's sentences), shared policy references,
and the document's own structure: measures mirror causes, causes mirror problem areas, and a
measure that treats a cause reaches the problems that cause explains. Every edge carries a score
in [0, 1] and human-readable evidence: the best sentence pair with spans, shared terms and refs.

Every weight, threshold and cap is a field of LinkConfig (config.py); the arithmetic is scoring.py and the
ways a document names its problems are explicit.py. (About 450 lines: DocumentLinker is one object whose
steps — features, selection, action and explicit links, evidence — share the document's vectors and items;
what could stand alone already does.)
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from tracegraph.graph.link.config import LinkConfig
from tracegraph.graph.link.explicit import named_problems, resolve_named
from tracegraph.graph.link.scoring import assignment, concept_matrix, han_grams, to_score, zscore_cols, zscores
from tracegraph.graph.link.similarity import DocumentVectors, shared_terms
from tracegraph.graph.model.schema import LINK_TYPES
from tracegraph.graph.query.queries import doc_index
from tracegraph.loaders.textutil import cn_to_int, normalise, sentences


@dataclass
class _Item:
    id: str
    type: str
    title: str
    text: str
    start: int
    end: int
    refs: set[str] = field(default_factory=set)
    row: int = 0  # row in the linker's matrices
    title_span: tuple[int, int] = (0, 0)
    sents: list[tuple[int, int]] = field(default_factory=list)
    grams: set[str] = field(default_factory=set)  # its Han strings of LinkConfig.gram_chars characters
    rare: set[str] = field(default_factory=set)  # those at most LinkConfig.rare_max_items items use


_LINKED_TYPES = ("Problem", "Cause", "Measure", "Action", "Area")


class DocumentLinker:
    """Links within one document. `nodes` (the document's node ids) saves a scan of the whole graph."""

    def __init__(
        self,
        g: nx.MultiDiGraph,
        doc_id: str,
        config: LinkConfig | None = None,
        nodes: list[str] | None = None,
        window: tuple[int, int] | None = None,
        norm: str | None = None,
    ) -> None:
        """`window` limits the reading (IDF, sentences) to one part of the document — several documents in one
        file are linked part by part, so a long file costs in proportion to its length."""
        self.g = g
        self.doc_id = doc_id
        self.cfg = config or LinkConfig()
        doc = g.graph["documents"][doc_id]
        self.text: str = doc.get("text") or ""
        self.norm = norm if norm is not None else normalise(self.text)
        lo, hi = window or (0, len(self.text))
        sent_spans = sentences(self.norm, lo, hi)
        sent_starts = [x[0] for x in sent_spans]
        self.vectors = DocumentVectors(self.text[lo:hi], sent_spans, offset=lo)
        self.items: dict[str, _Item] = {}
        self._raw: dict[tuple[str, str], tuple[float, ...]] = {}
        self.suggestions: dict[str, dict[str, list[dict[str, Any]]]] = {}
        if nodes is None:
            nodes = [n for n, d in g.nodes(data=True) if d.get("doc") == doc_id]
        for n in nodes:
            d = g.nodes[n]
            if d.get("type") not in _LINKED_TYPES:
                continue
            if d.get("type") == "Problem" and d.get("status") == "none_found":
                continue
            if d.get("set_aside"):  # organisational units and next steps answer no finding
                continue
            it = _Item(n, d["type"], d.get("title") or "", d.get("text") or "", d.get("start") or 0, d.get("end") or 0)
            it.title_span = (d.get("title_start") or it.start, d.get("title_end") or it.start)
            it.row = len(self.items)
            lo = bisect.bisect_left(sent_starts, it.start)
            hi = bisect.bisect_right(sent_starts, it.end)
            it.sents = [x for x in sent_spans[lo:hi] if x[1] <= it.end] or [(it.start, it.end)]
            self.items[n] = it
        order = list(self.items.values())
        self.V = self.vectors.spans([(it.start, it.end) for it in order])
        self.T = self.vectors.spans([it.title_span for it in order])
        self.C = concept_matrix([it.text for it in order])
        cfg = self.cfg
        for p in self.of("Problem"):
            area = g.nodes[p.id].get("area")
            if area and area in self.items:
                # the area heading says what the problem is about; a light weight keeps it a hint
                mixed = (1.0 - cfg.area_weight) * self.V[p.row] + cfg.area_weight * self.T[self.items[area].row]
                self.V[p.row] = mixed / (np.linalg.norm(mixed) or 1.0)
        self._collect_refs(nodes)
        self.gram_df: dict[str, int] = {}
        for it in order:
            if it.type == "Area":
                continue
            it.grams = han_grams(it.text, cfg.gram_chars)
            for q in it.grams:
                self.gram_df[q] = self.gram_df.get(q, 0) + 1
        for it in order:
            it.rare = {q for q in it.grams if self.gram_df[q] <= cfg.rare_max_items}
        n_items = sum(1 for it in order if it.type != "Area")
        self.common = frozenset(
            q for q, n in self.gram_df.items() if n_items >= cfg.common_min_items and n > cfg.common_share * n_items
        )
        self.ref_df: dict[str, int] = {}
        for it in order:
            for r in it.refs:
                self.ref_df[r] = self.ref_df.get(r, 0) + 1
        self._sent_cache: dict[str, np.ndarray] = {}

    def of(self, t: str) -> list[_Item]:
        return sorted((i for i in self.items.values() if i.type == t), key=lambda i: i.start)

    def _collect_refs(self, nodes: list[str]) -> None:
        """Policy references mentioned inside each item's span (its examples and actions included)."""
        mentions: list[tuple[int, int, str]] = []
        for n in nodes:
            for _, v, d in self.g.out_edges(n, data=True):
                if d.get("type") == "CITES":
                    mentions.extend((s, e, v) for doc, s, e, _surf in d.get("mentions", []) if doc == self.doc_id)
        mentions.sort()
        starts = [m[0] for m in mentions]
        for it in self.items.values():
            if it.type == "Area":
                continue
            lo, hi = bisect.bisect_left(starts, it.start), bisect.bisect_left(starts, it.end)
            it.refs = {v for s, e, v in mentions[lo:hi] if e <= it.end}

    # ------------------------------------------------------------------ features
    def features(self, sources: list[_Item], targets: list[_Item]) -> list[np.ndarray]:
        """Feature matrices (sources × targets): body, lead sentence, lead↔body, shared refs,
        root category, rare shared strings."""
        si = [a.row for a in sources]
        ti = [b.row for b in targets]
        vs, vt, ts, tt = self.V[si], self.V[ti], self.T[si], self.T[ti]
        full = vs @ vt.T
        title = ts @ tt.T
        cross = np.maximum(ts @ vt.T, vs @ tt.T)
        concept = self.C[si] @ self.C[ti].T
        n = max(1, len(self.items))
        policy = np.zeros_like(full)
        rare = np.zeros_like(full)
        for i, a in enumerate(sources):
            for j, b in enumerate(targets):
                shared = a.refs & b.refs
                if shared:
                    policy[i, j] = sum(math.log(n / self.ref_df.get(r, 1)) for r in shared)
                if a.rare and b.rare:
                    k = len(a.rare & b.rare)
                    if k:
                        rare[i, j] = math.log1p(k)
        return [full, title, cross, policy, concept, rare]

    def matrix(self, sources: list[_Item], targets: list[_Item]) -> dict[tuple[str, str], float]:
        """Combined score per (source, target), z-normalised per target over its candidate sources,
        then averaged with the z-score of the target among the source's candidates."""
        full, title, cross, policy, concept, rare = self.features(sources, targets)
        c = self.cfg
        combined = c.w_full * zscore_cols(full) + c.w_title * zscore_cols(title) + c.w_cross * zscore_cols(cross)
        for w, f in ((c.w_policy, policy), (c.w_concept, concept), (c.w_rare, rare)):
            # a feature that is zero for every candidate says nothing about this target
            combined += w * np.where(f.any(axis=0, keepdims=True), zscore_cols(f), 0.0)
        combined = (1.0 - c.target_z_share) * combined + c.target_z_share * zscore_cols(combined.T).T
        out: dict[tuple[str, str], float] = {}
        for i, a in enumerate(sources):
            for j, b in enumerate(targets):
                out[(a.id, b.id)] = float(combined[i, j])
                self._raw[(a.id, b.id)] = (float(full[i, j]),)
        return out

    # ------------------------------------------------------------------ linking
    def run(self) -> list[dict[str, Any]]:
        problems, causes, measures = self.of("Problem"), self.of("Cause"), self.of("Measure")
        edges: list[dict[str, Any]] = []
        explicit = self.explicit_links(problems, causes, measures)
        edges.extend(explicit)
        done = {(e["source"], e["target"]) for e in explicit}
        explicit_problems = {e["target"] for e in explicit if e["type"] == "ADDRESSES"}
        # a measure or cause that names its problems has said everything: no inferred links beside them
        explicit_measures = {e["source"] for e in explicit if e["type"] == "ADDRESSES"}
        explained = {e["target"] for e in explicit if e["type"] == "EXPLAINS"}
        explicit_causes = {e["source"] for e in explicit if e["type"] == "EXPLAINS"}
        treats: dict[tuple[str, str], float] = {}
        if measures and causes:
            mc = self.matrix(causes, measures)
            chosen = assignment(measures, causes, lambda m, c: mc[(c.id, m.id)], self.cfg.exact_assignment_max)
            for m, c in chosen:
                if (m.id, c.id) in done:
                    continue
                z = mc[(c.id, m.id)]
                if self._raw[(c.id, m.id)][0] < self.cfg.min_cos:
                    continue
                treats[(m.id, c.id)] = z
                edges.append(self.edge("TREATS", m, c, z))
        cp0 = self.matrix(causes, problems) if causes and problems else {}
        mp0 = self.matrix(measures, problems) if measures and problems else {}
        cp, mp = dict(cp0), dict(mp0)
        if treats:
            # a measure reaches the problems its cause explains, and a cause explains the problems
            # that the measure treating it addresses
            treated: dict[str, list[str]] = {}  # measure → the causes it treats, and the reverse
            treating: dict[str, list[str]] = {}
            for m_id, c_id in treats:
                treated.setdefault(m_id, []).append(c_id)
                treating.setdefault(c_id, []).append(m_id)
            for p in problems:
                via_cause = zscores(
                    [max((cp0[(c, p.id)] for c in treated.get(m.id, ())), default=0.0) for m in measures]
                )
                for m, zt in zip(measures, via_cause, strict=True):
                    mp[(m.id, p.id)] += self.cfg.w_transitive * zt
                via_measure = zscores(
                    [max((mp0[(m, p.id)] for m in treating.get(c.id, ())), default=0.0) for c in causes]
                )
                for c, zt in zip(causes, via_measure, strict=True):
                    cp[(c.id, p.id)] += self.cfg.w_transitive_cause * zt
        if cp:
            edges.extend(
                self.select(
                    [c for c in causes if c.id not in explicit_causes],
                    problems,
                    cp,
                    "EXPLAINS",
                    done,
                    explained,
                    self.cfg.cause_min_z,
                    self.cfg.cause_second_ratio,
                    cp0,
                )
            )
        if mp:
            edges.extend(
                self.select(
                    [m for m in measures if m.id not in explicit_measures],
                    problems,
                    mp,
                    "ADDRESSES",
                    done,
                    explicit_problems,
                    self.cfg.min_z,
                    self.cfg.second_ratio,
                    mp0,
                )
            )
            edges.extend(self.action_links(edges))
        return edges

    def select(
        self,
        sources: list[_Item],
        targets: list[_Item],
        scores: dict[tuple[str, str], float],
        etype: str,
        done: set[tuple[str, str]],
        skip_targets: set[str],
        min_z: float,
        second_ratio: float,
        direct: dict[tuple[str, str], float],
    ) -> list[dict[str, Any]]:
        """Each target gets its best source (and a close second) when the evidence is adequate; each
        source keeps at least its best target so nothing the author wrote is left dangling."""
        c = self.cfg
        picked: dict[tuple[str, str], float] = {}
        for t in targets:
            if t.id in skip_targets:
                continue
            # structure (transitive) evidence ranks candidates but cannot stand in for direct evidence
            ranked = sorted(
                (s for s in sources if direct[(s.id, t.id)] >= c.direct_min_z), key=lambda s: -scores[(s.id, t.id)]
            )
            if not ranked:
                continue
            best = ranked[0]
            zb = scores[(best.id, t.id)]
            if zb < min_z or self._raw[(best.id, t.id)][0] < c.min_cos:
                # a coverage gap: keep the nearest candidates so the analyst can confirm one by hand
                self.suggestions.setdefault(t.id, {})[etype] = [
                    {"id": s.id, "title": s.title, "score": self.score(scores[(s.id, t.id)])}
                    for s in ranked[: c.suggestions]
                ]
                continue
            picked[(best.id, t.id)] = zb
            for s in ranked[1 : 1 + c.max_seconds]:
                zs = scores[(s.id, t.id)]
                if zs >= c.second_min_z and zs >= second_ratio * zb:
                    picked[(s.id, t.id)] = zs
        for s in sources:
            if any(k[0] == s.id for k in picked):
                continue
            ranked = sorted((t for t in targets if t.id not in skip_targets), key=lambda t: -scores[(s.id, t.id)])
            if ranked and scores[(s.id, ranked[0].id)] >= min_z:
                picked[(s.id, ranked[0].id)] = scores[(s.id, ranked[0].id)]
        out = []
        for (sid, tid), z in picked.items():
            if (sid, tid) in done:
                continue
            out.append(self.edge(etype, self.items[sid], self.items[tid], z))
        return out

    def action_links(self, edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """For each measure → problem link, the measure's step that does the work."""
        out = []
        actions_of: dict[str, list[_Item]] = {}
        for m in self.of("Measure"):
            for _, v, d in self.g.out_edges(m.id, data=True):
                if d.get("type") == "HAS_ACTION" and v in self.items:
                    actions_of.setdefault(m.id, []).append(self.items[v])
        for e in [x for x in edges if x["type"] == "ADDRESSES"]:
            acts = actions_of.get(e["source"], [])
            if not acts:
                continue
            p = self.items[e["target"]]
            sims = self.V[[a.row for a in acts]] @ self.V[p.row]
            k = int(np.argmax(sims))
            best, cos = acts[k], float(sims[k])
            if cos <= self.cfg.action_min_cos:
                continue
            score = round(min(1.0, e["score"] * self.cfg.action_score_factor), 3)
            out.append(self.edge("ADDRESSES", best, p, None, score=score, origin=e["origin"]))
        return out

    # ------------------------------------------------------------------ explicit
    def explicit_links(self, problems: list[_Item], causes: list[_Item], measures: list[_Item]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, str, str]] = set()

        def add(etype: str, a: _Item, b: _Item, sentence: tuple[int, int] | None, why: str) -> None:
            if (etype, a.id, b.id) in seen:
                return
            seen.add((etype, a.id, b.id))
            e = self.edge(etype, a, b, None, score=1.0, origin="explicit")
            e["evidence"]["explicit"] = why
            if sentence:
                e["evidence"]["source_sentence"] = {
                    "start": sentence[0],
                    "end": sentence[1],
                    "text": self.text[sentence[0] : sentence[1]],
                }
            out.append(e)

        for m in measures + causes:
            node = self.g.nodes[m.id]
            etype = "ADDRESSES" if m.type == "Measure" else "EXPLAINS"
            for pid in node.get("explicit_problems", []) or []:
                if pid in self.items:
                    add(etype, m, self.items[pid], None, "同一台账条目/表格行")
            target_text = node.get("target_text")
            if target_text:
                for p in self.resolve_targets(target_text, problems):
                    add(etype, m, p, None, f"针对问题：{target_text}")
            for s, e in sentences(self.norm, m.start, m.end):
                sent = self.norm[s:e]
                for name in named_problems(sent):
                    for p in self.resolve_targets(name, problems):
                        add(etype, m, p, (s, e), f"文中点名：{name}")
        return out

    def resolve_targets(self, ref: str, problems: list[_Item]) -> list[_Item]:
        """问题3 / 第三个问题 / 1、2 / a quoted title → the problem(s) it names (see explicit.resolve_named)."""

        def similarity(name: str) -> list[float]:
            vec = self.vectors.text(name)
            return [float(vec @ self.T[p.row]) for p in problems]

        found = resolve_named(ref, [p.title for p in problems], similarity, self.cfg.name_min_sim)
        return [problems[i] for i in found]

    # ------------------------------------------------------------------ evidence
    def edge(
        self, etype: str, a: _Item, b: _Item, z: float | None, score: float | None = None, origin: str = "inferred"
    ) -> dict[str, Any]:
        sa, sb, sim = self.best_sentences(a, b)
        c = self.cfg
        limit, gram = c.evidence_max_terms, c.gram_chars
        terms = shared_terms(self.text[sa[0] : sa[1]], self.text[sb[0] : sb[1]], self.vectors, limit, self.common, gram)
        if len(terms) < c.evidence_min_terms:
            more = shared_terms(a.text, b.text, self.vectors, limit, self.common, gram)
            terms += [t for t in more if t not in terms and not any(t in x for x in terms)][: limit - len(terms)]
        refs = sorted(self.g.nodes[r]["canonical"] for r in a.refs & b.refs)
        evidence = {
            "source_sentence": {"start": sa[0], "end": sa[1], "text": self.text[sa[0] : sa[1]]},
            "target_sentence": {"start": sb[0], "end": sb[1], "text": self.text[sb[0] : sb[1]]},
            "shared_terms": terms,
            "shared_refs": refs,
            "similarity": round(sim, 3),
        }
        if z is not None:
            evidence["z"] = round(z, 3)
        return {
            "source": a.id,
            "target": b.id,
            "type": etype,
            "origin": origin,
            "score": score if score is not None else self.score(z or 0.0),
            "evidence": evidence,
        }

    def score(self, z: float) -> float:
        """A combined z-score as a link score in [0, 1] (LinkConfig.score_centre maps to 0.5)."""
        return to_score(z, self.cfg.score_centre, self.cfg.score_slope)

    def sentence_matrix(self, it: _Item) -> np.ndarray:
        if it.id not in self._sent_cache:
            self._sent_cache[it.id] = self.vectors.spans(it.sents)
        return self._sent_cache[it.id]

    def best_sentences(self, a: _Item, b: _Item) -> tuple[tuple[int, int], tuple[int, int], float]:
        """The pair of sentences, one on each side, that share the most: the evidence a reader quotes."""
        sims = self.sentence_matrix(a) @ self.sentence_matrix(b).T
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        return a.sents[i], b.sents[j], float(sims[i, j])


def link_document(
    g: nx.MultiDiGraph, doc_id: str, config: LinkConfig | None = None, nodes: list[str] | None = None
) -> list[dict[str, Any]]:
    """Replace this document's explicit and inferred links (curated ones are never touched)."""
    if nodes is None:
        nodes = doc_index(g).get(doc_id, [])
    stale = [
        (u, v, k)
        for u in nodes
        for _, v, k, d in g.out_edges(u, keys=True, data=True)
        if d.get("type") in LINK_TYPES and d.get("origin") in ("explicit", "inferred")
    ]
    g.remove_edges_from(stale)
    for n in nodes:
        g.nodes[n].pop("suggestions", None)
    text = g.graph["documents"][doc_id].get("text") or ""
    norm = normalise(text)
    edges: list[dict[str, Any]] = []
    for window, part in _parts(g, nodes, len(text)):
        linker = DocumentLinker(g, doc_id, config, part, window=window, norm=norm)
        edges += linker.run()
        for n, sug in linker.suggestions.items():
            g.nodes[n]["suggestions"] = sug
    for e in edges:
        attrs = {k: v for k, v in e.items() if k not in ("source", "target")}
        key = e["type"]
        if (
            g.has_edge(e["source"], e["target"], key)
            and g.edges[e["source"], e["target"], key].get("origin") == "curated"
        ):
            continue
        g.add_edge(e["source"], e["target"], key=key, **attrs)
    return edges


def _parts(g: nx.MultiDiGraph, nodes: list[str], length: int) -> list[tuple[tuple[int, int], list[str]]]:
    """The parts of a document that are linked apart: documents pasted into one file (the reader's `part`),
    or — where nothing says so — a top-level numbering that starts again (一、二、三、 then 一、 again). Each part
    is (its character window, its nodes); one part is the whole document."""
    tops = []
    for n in nodes:
        d = g.nodes[n]
        if d.get("type") == "Section" and not any(
            g.nodes[u].get("type") == "Section" for u, _v, e in g.in_edges(n, data=True) if e.get("type") == "CONTAINS"
        ):
            tops.append((d.get("start") or 0, d.get("part"), cn_to_int((d.get("marker") or "").strip("、.． ")) or 0))
    tops.sort()
    cuts: list[int] = []
    last_part, last_ord = None, 0
    for start, part, ordinal in tops:
        new_part = part is not None and last_part is not None and part != last_part
        restart = part is None and 0 < ordinal <= last_ord
        if new_part or restart:
            cuts.append(start)
        last_part, last_ord = part, ordinal
    if not cuts:
        return [((0, length), nodes)]
    bounds = [0, *cuts, length]
    out: list[tuple[tuple[int, int], list[str]]] = [((bounds[i], bounds[i + 1]), []) for i in range(len(bounds) - 1)]
    starts = bounds[1:-1]
    for n in nodes:
        k = bisect.bisect_right(starts, g.nodes[n].get("start") or 0)
        out[k][1].append(n)
    return [p for p in out if p[1]]


def link_graph(g: nx.MultiDiGraph, docs: list[str] | None = None, config: LinkConfig | None = None) -> int:
    """Link every (or the named) document; returns the number of link edges drawn."""
    index = doc_index(g)
    n = 0
    for doc_id in docs or list(g.graph.get("documents", {})):
        n += len(link_document(g, doc_id, config, index.get(doc_id, [])))
    return n
