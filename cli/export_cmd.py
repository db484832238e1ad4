"""`tracegraph export`: write a selected subgraph as a briefing (docx, md), a figure (png, svg), an
interactive page (html) or data for other tools (json, csv, graphml, gexf, cypher)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tracegraph.cli.source import add_neo4j_arguments
from tracegraph.errors import ExportError

SELECT_HELP = (
    "选择范围，多个条件用分号连接：all | trace:P5.2 | focus:ID,depth=2 | gaps | "
    "types:Problem,Measure | doc:文档ID（默认 all）"
)


def selection_scope(select: str) -> tuple[str | None, str | None]:
    """(the document, a node) a selection names — what a shared store must fetch for it: one document's part.
    A selection over several documents, or a focus deeper than one step, needs the graph file."""
    from tracegraph.graph.query.subgraph import parse_selection

    sel = parse_selection(select)
    nodes = [*sel.trace, *sel.focus]
    if sel.focus and sel.depth > 1:
        raise ExportError("从 Neo4j 导出时 focus 的 depth 最多为 1（更深的范围会牵连许多文档，请用图谱 JSON 导出）")
    docs = set(sel.documents) | {n.split(":", 1)[0] for n in nodes if ":" in n and not n.startswith("policy:")}
    if len(docs) > 1:
        raise ExportError("从 Neo4j 导出时选择范围只能在一份文档内（doc:文档ID 或该文档的节点），"
                          "跨文档的范围请用图谱 JSON 导出")
    return (next(iter(docs)) if docs else None), (nodes[0] if nodes else None)


def cmd_export(args: argparse.Namespace) -> int:
    from tracegraph.graph.exporters import default_filename, export, formats, get_format

    if args.list_formats:
        for name, spec in formats().items():
            print(f"{name:<8} {spec.suffix:<9} {spec.label}")
        return 0
    if not args.format:
        raise ExportError("请用 --format 指定导出格式（tracegraph export --list-formats 查看可用格式）")
    spec = get_format(args.format)
    from tracegraph.cli.source import graph_for

    doc, node = selection_scope(args.select) if args.neo4j or args.archive else (None, None)
    g = graph_for(args, doc=doc, node=node)
    out = Path(args.out) if args.out else Path(default_filename(args.select, spec.name, g=g))
    if out.exists() and out.is_dir() and spec.name != "csv":
        example = out / default_filename(args.select, spec.name, g=g)
        raise ExportError(f"{out} 是文件夹，请给出文件名（如 {example}）")
    job = export(g, args.select, spec.name, out, title=args.title)
    sub = job.graph
    counts = f"节点 {sub.number_of_nodes()} 个，关系 {sub.number_of_edges()} 条"
    print(f"已导出 {spec.name}：{job.scope}，{counts} → {out}")
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export",
        help="导出子图：汇报材料（docx/md）、图片（png/svg）、网页（html）或数据",
        description="导出所选子图。csv 格式的 --out 为文件夹（写入 nodes.csv、edges.csv）或以 .zip 结尾的压缩包。",
    )
    p.add_argument("--graph", default="graph.json", help="图谱 JSON（tracegraph build 的输出）")
    add_neo4j_arguments(p)
    p.add_argument("--select", default="all", help=SELECT_HELP)
    p.add_argument("--format", help="导出格式，见 --list-formats")
    p.add_argument("--out", help="输出路径（默认按范围和日期命名，写到当前目录）")
    p.add_argument("--title", help="汇报材料标题（默认“整改追溯情况摘编”）")
    p.add_argument("--list-formats", action="store_true", help="列出可用格式")
    p.set_defaults(func=cmd_export)
