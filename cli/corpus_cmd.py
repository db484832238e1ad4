"""`tracegraph corpus`: what a whole collection of materials shows — recurring problems, policy references
by year or organisation, organisations sharing problems, boilerplate hot spots."""

from __future__ import annotations

import argparse
import json
from typing import Any


def _run(args: argparse.Namespace) -> int:
    from tracegraph.graph.corpus import analysis as corpus_view
    from tracegraph.graph.model.io import read_json

    g = read_json(args.graph)
    out: dict[str, Any] = {
        "documents": corpus_view.document_table(g),
        "clusters": corpus_view.problem_clusters(g, top=args.top),
        "policy": corpus_view.policy_counts(g, by=args.by, top=args.top),
        "organisations": corpus_view.shared_problems_between_organisations(g, top=args.top),
        "boilerplate": corpus_view.boilerplate_hotspots(g, top=args.top),
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"文档 {len(out['documents'])} 个")
    for r in out["documents"][: args.top]:
        print(
            f"  {r['id']}  {r.get('organisation') or '—'}  {r.get('level') or '—'}  {r.get('year') or '—'}  "
            f"{r.get('genre') or '—'}"
        )
    print(f"同类问题（跨文档，{len(out['clusters'])} 组）")
    for c in out["clusters"]:
        print(f"  [{c['documents_count']} 个文档] {c['title']}")
    by = {"year": "年份", "organisation": "单位", "level": "层级", "genre": "文种"}.get(args.by, args.by)
    print(f"政策依据（按{by}）")
    for ref, n in out["policy"]["documents"].items():
        print(f"  {ref}: {n} 个文档  {out['policy']['table'][ref]}")
    print("问题相同最多的单位")
    for r in out["organisations"]:
        print(f"  {' / '.join(r['organisations'])}: {r['shared_clusters']} 组")
    print("套话热点（多个文档出现的相同表述）")
    for r in out["boilerplate"]:
        print(f"  [{r['documents']} 个文档] {r['text'][:60]}")
    return 0


def _meta(args: argparse.Namespace) -> int:
    from tracegraph.errors import ConfigError, NotFoundError
    from tracegraph.graph.corpus.metadata import apply_to_graph, load_overrides, save_override
    from tracegraph.graph.model.io import read_json, write_json

    for item in args.set or []:
        if "=" not in item:
            raise ConfigError(f"应写成 字段=值：{item}")
        field, value = item.split("=", 1)
        save_override(args.meta, args.doc, field.strip(), value.strip())
    if args.graph:
        g = read_json(args.graph)
        if args.doc not in g.graph.get("documents", {}):
            raise NotFoundError(f"图谱中没有文档“{args.doc}”")
        apply_to_graph(g, load_overrides(args.meta))
        write_json(g, args.graph)
        meta = g.graph["documents"][args.doc].get("meta") or {}
        print(
            json.dumps(
                {k: meta.get(k) for k in ("organisation", "level", "year", "genre", "theme")}, ensure_ascii=False
            )
        )
    return 0


def register(sub: Any) -> None:
    m = sub.add_parser("meta", help="查看或修订文档元数据（单位、层级、年份、文种、会议主题），修订在重建后保留")
    m.add_argument("doc")
    m.add_argument("--set", action="append", help="字段=值，如 organisation=某县教育局（可多次）")
    m.add_argument("--meta", default="metadata.json", help="修订保存文件（默认 metadata.json）")
    m.add_argument("--graph", help="同时更新这个图谱文件")
    m.set_defaults(func=_meta)
    p = sub.add_parser("corpus", help="跨文档分析：同类问题、政策依据分布、套话热点")
    p.add_argument("--graph", default="graph.json")
    p.add_argument("--by", default="year", choices=["year", "organisation", "level", "genre"])
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_run)
