"""`tracegraph review PATH...`: score materials the way an inspection team reads them, as md, docx or json.

PATH may be documents or folders (built and linked first) or graph.json files from `tracegraph build`;
all of them form one corpus, so the boilerplate check sees passages shared between any two of them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, cast

import networkx as nx

from tracegraph.errors import SelectionError


def load_corpus(paths: list[str]) -> nx.MultiDiGraph:
    """One graph from graph.json files and/or documents and folders (failed files are reported, not fatal)."""
    from tracegraph.graph.build.document import new_graph
    from tracegraph.graph.build.pipeline import build
    from tracegraph.graph.model.io import read_json

    graphs = [read_json(p) for p in paths if p.lower().endswith(".json")]
    sources = [p for p in paths if not p.lower().endswith(".json")]
    if sources:
        for p in sources:
            if not Path(p).exists():
                raise SelectionError(f"找不到文件或文件夹：{p}")
        built, report = build(sources)
        for path, reason in report.failed:
            print(f"错误 {path}: {reason}", file=sys.stderr)
        graphs.append(built)
    g = new_graph()
    docs: dict[str, Any] = {}
    for h in graphs:
        clash = set(docs) & set(h.graph.get("documents", {}))
        if clash:
            raise SelectionError(
                f"文档编号重复：{'、'.join(sorted(clash))}（同一材料不要既作为文件又在图谱 JSON 中给出）"
            )
        docs.update(h.graph.get("documents", {}))
        # compose returns a graph of g's class (the stubs say DiGraph)
        g = cast(nx.MultiDiGraph, nx.compose(g, h))
    g.graph["documents"] = docs
    if not docs:
        raise SelectionError("没有可评估的文档（支持 .txt .md .docx .pdf 或 tracegraph build 生成的 graph.json）")
    return g


def cmd_review(args: argparse.Namespace) -> int:
    from tracegraph.graph.review.checks import review_graph
    from tracegraph.graph.review.report import render_markdown, write_docx
    from tracegraph.graph.review.rules import load_rules

    rules = load_rules(args.rules)
    g = load_corpus(args.paths)
    review = review_graph(g, rules, docs=args.doc)
    if args.format == "docx":
        if not args.out:
            raise SelectionError("--format docx 需要用 --out 指定输出文件，如 --out 评估报告.docx")
        write_docx(review, args.out, include_ok=args.all)
    else:
        text = (
            json.dumps(review.as_dict(), ensure_ascii=False, indent=2, default=str)
            if args.format == "json"
            else render_markdown(review, include_ok=args.all)
        )
        if not args.out:
            sys.stdout.write(text)
            return 0
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    for d in review.documents:
        print(f"{d.doc}：{d.scored} 个评分维度中 {d.passed} 个达标", file=sys.stderr)
    print(f"已写出评估报告 → {args.out}", file=sys.stderr)
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "review",
        help="评估材料质量：问题是否具体、原因是否深刻、措施是否可检验、套话雷同",
        description="按组织部、督导组、巡视巡察组的常用标准评估材料，输出评估报告（Markdown、Word 或 JSON）。",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="文档、文件夹（先构建图谱）或 graph.json")
    p.add_argument("--format", choices=("md", "docx", "json"), default="md", help="输出格式（默认 md）")
    p.add_argument("--out", help="输出文件；md/json 不指定时打印到屏幕")
    p.add_argument("--rules", help="评估规则 JSON（只写要改的键，其余沿用内置默认）")
    p.add_argument("--doc", action="append", help="只评估指定文档编号（可多次）")
    p.add_argument("--all", action="store_true", help="报告中同时列出达标的条目")
    p.set_defaults(func=cmd_review)
