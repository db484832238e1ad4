"""Cross-document answers for the corpus view and `tracegraph corpus`: which problems recur across
documents, which policy references dominate by year and organisation, which organisations share problems,
where boilerplate concentrates. Plain functions over the graph, so the CLI, the app and tests share them."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from tracegraph.graph.corpus.clusters import add_similar_edges, group_problems


def ensure_clusters(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Group similar problems once per graph (cached in graph['clusters'])."""
    if "clusters" not in g.graph:
        add_similar_edges(g, group_problems(g))
    return g.graph["clusters"]


def document_table(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    rows = []
    for doc_id, d in sorted(g.graph.get("documents", {}).items()):
        meta = d.get("meta") or {}
        node = g.nodes[doc_id] if doc_id in g else {}
        rows.append(
            {
                "id": doc_id,
                "title": d.get("title"),
                "organisation": node.get("organisation", meta.get("organisation")),
                "level": node.get("level", meta.get("level")),
                "year": node.get("year", meta.get("year")),
                "genre": node.get("genre", meta.get("genre")),
                "theme": node.get("theme", meta.get("theme")),
            }
        )
    return rows


def policy_counts(g: nx.MultiDiGraph, by: str = "year", top: int = 15) -> dict[str, Any]:
    """Documents citing each canonical reference, overall and per year (or organisation / level / genre)."""
    docs_meta = {r["id"]: r for r in document_table(g)}
    per_ref: dict[str, set[str]] = defaultdict(set)
    for _u, v, d in g.edges(data=True):
        if d.get("type") != "CITES":
            continue
        for m in d.get("mentions") or []:
            per_ref[v].add(m[0])
    overall = sorted(per_ref, key=lambda r: (-len(per_ref[r]), r))[:top]
    table: dict[str, dict[str, int]] = {}
    for ref in overall:
        c: Counter[str] = Counter(str(docs_meta.get(doc, {}).get(by) or "未知") for doc in per_ref[ref])
        table[g.nodes[ref].get("canonical") or ref] = dict(sorted(c.items()))
    return {"by": by, "documents": {g.nodes[r].get("canonical") or r: len(per_ref[r]) for r in overall}, "table": table}


def problem_clusters(g: nx.MultiDiGraph, min_docs: int = 2, top: int = 50) -> list[dict[str, Any]]:
    """同类问题: clusters with their documents, largest spread first."""
    out = []
    docs_meta = {r["id"]: r for r in document_table(g)}
    for c in ensure_clusters(g):
        if len(c["documents"]) < min_docs:
            continue
        out.append(
            {
                **c,
                "documents_count": len(c["documents"]),
                "organisations": sorted(
                    {str(docs_meta.get(d, {}).get("organisation") or "未知") for d in c["documents"]}
                ),
            }
        )
    out.sort(key=lambda c: (-c["documents_count"], -c["size"], c["id"]))
    return out[:top]


def shared_problems_between_organisations(g: nx.MultiDiGraph, top: int = 20) -> list[dict[str, Any]]:
    """Pairs of organisations with the number of problem clusters both of them have."""
    docs_meta = {r["id"]: r for r in document_table(g)}
    pair_count: Counter[tuple[str, str]] = Counter()
    for c in ensure_clusters(g):
        orgs = sorted({str(docs_meta.get(d, {}).get("organisation") or "") for d in c["documents"]} - {""})
        for i in range(len(orgs)):
            for j in range(i + 1, len(orgs)):
                pair_count[(orgs[i], orgs[j])] += 1
    return [{"organisations": list(k), "shared_clusters": v} for k, v in pair_count.most_common(top)]


def boilerplate_hotspots(g: nx.MultiDiGraph, top: int = 20, min_docs: int = 3) -> list[dict[str, Any]]:
    """Passages found in many documents (套话), most widespread first, with one place each occurs."""
    from tracegraph.graph.corpus.boilerplate import SentenceIndex

    index = SentenceIndex.from_graph(g)
    seen: dict[str, dict[str, Any]] = {}
    for doc in g.graph.get("documents", {}):
        for p in index.shared_with_others(doc):
            if p.quoted or p.other_count + 1 < min_docs:
                continue
            key = p.text
            if key not in seen or p.other_count + 1 > seen[key]["documents"]:
                seen[key] = {
                    "text": p.text,
                    "documents": p.other_count + 1,
                    "example_doc": doc,
                    "span": list(p.occurrences[0]),
                }
    return sorted(seen.values(), key=lambda r: (-r["documents"], -len(r["text"])))[:top]
