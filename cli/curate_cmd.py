"""`tracegraph curate …`: confirm, reject, restore, add links, correct nodes, merge policy references,
undo, and read the decisions and the audit trail — all kept in the workspace, so rebuilds keep them."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracegraph.graph.model.schema import LINK_TYPES
from tracegraph.loaders.formats.encoding import escape_controls as esc

if TYPE_CHECKING:
    import networkx as nx

    from tracegraph.graph.curation.workspace import Workspace

_OP_ZH = {"confirm": "已确认", "reject": "已否决", "restore": "已恢复", "add": "已添加"}


def _workspace(args: argparse.Namespace) -> Workspace:
    """The workspace; with --neo4j (or $TRACEGRAPH_NEO4J_URI) its decisions go to the team's log on that
    server instead of the folder's curation.sqlite."""
    from tracegraph.graph.curation.workspace import Workspace

    log = None
    if getattr(args, "neo4j", None):
        from tracegraph.cli.neo4j_cmd import password_for
        from tracegraph.graph.stores.neo4j_curation import Neo4jDecisionLog

        log = Neo4jDecisionLog.connect(args.neo4j, args.neo4j_user, password_for(args.neo4j_user, args.neo4j),
                                       args.neo4j_database)
    return Workspace(args.workspace, user=args.user, decision_log=log)


def _graph(ws: Workspace) -> nx.MultiDiGraph:
    from tracegraph.errors import TracegraphError

    if not ws.documents():
        raise TracegraphError(f"工作区 {ws.root} 中还没有文档，请先运行 tracegraph curate import 文件")
    b = ws.build()
    for note in b.notes:
        print(f"提示：{note}", file=sys.stderr)
    return b.graph


def _short(n: str | None) -> str:
    return (n or "").split(":", 1)[1] if n and ":" in n and not n.startswith("policy:") else (n or "")


def cmd_import(args: argparse.Namespace) -> int:
    from tracegraph.errors import LoadError, TracegraphError

    if args.replaces and len(args.paths) > 1:
        raise TracegraphError("--replaces 只能配一个文件")
    from tracegraph.graph.build.pipeline import scan_inputs
    from tracegraph.loaders.formats.registry import supported_extensions

    ws = _workspace(args)
    scan = scan_inputs(args.paths, supported_extensions())  # folders are walked, symlinks out of them refused
    failed = len(scan.refused)
    for path, reason in scan.refused:
        print(f"错误 {esc(path)}: {reason}")
    for path, reason in scan.skipped:
        print(f"跳过 {esc(path)}: {reason}")
    for path in scan.files:
        try:
            r = ws.import_file(path, replaces=args.replaces)
        except LoadError as exc:
            print(f"错误 {esc(path)}: {esc(exc.reason)}")
            failed += 1
            continue
        label = {
            "new": "已导入",
            "replaced": "已更新为新版本",
            "unchanged": "未变化",
            "duplicate": "内容与已有文档相同",
        }
        print(f"{label[r.status]}：{esc(r.record.doc_id)}（{esc(r.record.original_name)}，第 {r.record.version} 版）")
        for w in r.warnings:  # replaced bytes, dropped characters, unreadable XML: said at import time
            print(f"  提示 {esc(r.record.doc_id)}：{esc(w)}")
    return 1 if failed else 0


def cmd_docs(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    docs = ws.documents()
    if args.json:
        print(json.dumps([d.__dict__ for d in docs], ensure_ascii=False, indent=2))
        return 0
    for d in docs:
        print(f"{esc(d.doc_id)}\t第{d.version}版\t{d.encoding}\t{d.imported_at}\t{esc(d.original_name)}")
    print(f"共 {len(docs)} 个文档（{esc(ws.root)}）")
    return 0


def _link(op: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        ws = _workspace(args)
        g = _graph(ws)
        extra = {"cross_document": True} if getattr(args, "cross_document", False) else {}
        did = getattr(ws.curation, op)(g, args.source, args.target, args.type, args.comment or "", **extra)
        print(f"{_OP_ZH[op]} #{did}：{args.source} -{args.type}-> {args.target}（{ws.curation.user}）")
        return 0

    return run


def cmd_edit(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    g = _graph(ws)
    ids = ws.curation.edit_node(g, args.node, title=args.title, type=args.node_type, comment=args.comment or "")
    print(f"已修改 {args.node}（记录 {'、'.join(f'#{i}' for i in ids)}）")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    g = _graph(ws)
    did = ws.curation.merge_policy(g, args.keep, args.drop, args.comment or "")
    print(f"已合并 #{did}：{args.drop} → {args.keep}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    d = ws.curation.undo(everyone=args.all)
    if d is None:
        print("没有可撤销的操作" + ("" if args.all else f"（用户 {ws.curation.user}）"))
        return 0
    what = f"{d.source} -{d.etype}-> {d.target}" if d.etype else (d.target or "")
    print(f"已撤销 #{d.id}（{d.op}，{d.user}）：{what}")
    return 0


def cmd_dismiss(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    ws.curation.dismiss(args.decision, args.comment or "")
    print(f"已忽略失联记录 #{args.decision}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from tracegraph.graph.curation.rows import review_rows

    ws = _workspace(args)
    rows = review_rows(_graph(ws), ws.curation)
    if args.json:
        keys = ["rejected"] if args.rejected else ["orphans"] if args.orphans else ["curated", "edits", "merges"]
        print(json.dumps({k: rows[k] for k in keys}, ensure_ascii=False, indent=2, default=str))
        return 0
    if args.rejected:
        print(f"已否决的关系（{len(rows['rejected'])}）")
        for r in rows["rejected"]:
            gone = "" if r["present"] else "  [重建后已不再推断]"
            print(
                f"  #{r['decision']} {_short(r['source']['id'])} -{r['type']}-> {_short(r['target']['id'])} "
                f"{r['target']['title'][:30]}  {r['by']} {r['at'][:19]} {r['comment']}{gone}"
            )
        return 0
    if args.orphans:
        print(f"失联的校对记录（{len(rows['orphans'])}）：原节点在重新导入的文档中已找不到")
        for o in rows["orphans"]:
            link = f" {o['etype']} 另一端 {o['other']}" if o["etype"] else ""
            print(f"  #{o['decision']} {o['op']} {o['missing']}={o['node']}{link}  {o['user']} {o['at'][:19]}")
            print(f"      原文：{o['text'][:120]}")
        return 0
    print(f"人工确认/添加的关系（{len(rows['curated'])}）")
    for r in rows["curated"]:
        print(
            f"  #{r['decision']} {_short(r['source']['id'])} -{r['type']}-> {_short(r['target']['id'])} "
            f"{r['target']['title'][:30]}  [{r['op']}] {r['by']} {r['comment']}"
        )
    print(f"节点修改（{len(rows['edits'])}）")
    for e in rows["edits"]:
        print(f"  #{e['decision']} {_short(e['node']['id'])}.{e['field']} = {e['value']}  {e['by']}")
    print(f"政策依据合并（{len(rows['merges'])}）")
    for m in rows["merges"]:
        print(f"  #{m['decision']} {m['drop']} → {m['keep']}  {m['by']}")
    n = {k: len(v) for k, v in rows.items()}
    print(f"待校对的推断关系 {n['suggestions']} 条，已否决 {n['rejected']} 条，失联 {n['orphans']} 条")
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    rows = ws.curation.log(args.limit)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        change = f"{r['old_value'] or '—'} → {r['new_value'] or '—'}"
        note = f"  备注：{r['comment']}" if r["comment"] else ""
        print(f"{r['id']:>5} {r['at'][:19]} {r['user']} {r['op']} {r['target']}  {change}{note}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from tracegraph.graph.model.io import write_json

    ws = _workspace(args)
    b = ws.build(use_cache=not args.rebuild)
    for doc, reason in b.failed:
        print(f"错误 {esc(doc)}: {esc(reason)}")
    from tracegraph.errors import StorageError
    from tracegraph.graph.curation.sqlite import storage_error

    for note in b.notes:
        print(f"错误（{StorageError.label}）：{esc(note)}", file=sys.stderr)
    if args.out:
        try:
            write_json(b.graph, args.out)
        except OSError as exc:
            raise storage_error(exc, "写入图谱", args.out) from None
    elif not b.written:  # the build's graph was not stored: never report it as built
        print(f"图谱未写入 {esc(ws.graph_path)}：工作区不可写（只读或磁盘已满），构建结果没有保存", file=sys.stderr)
        return StorageError.exit_code
    for did, d in sorted(b.graph.graph.get("documents", {}).items()):
        for w in d.get("decode_warnings") or []:  # replaced bytes, dropped control characters
            print(f"提示 {esc(did)}：{w['text']}")
    c = b.graph.graph.get("curation", {})
    print(
        f"已构建 {len(b.built)} 个文档 → {esc(args.out or ws.graph_path)}；人工确认 {c.get('confirmed', 0)}，"
        f"添加 {c.get('added', 0)}，否决 {c.get('rejected', 0)}，修改 {c.get('edited', 0)}，"
        f"合并 {c.get('merged', 0)}，失联 {c.get('orphans', 0)}"
    )
    return 1 if b.failed else 0


def register(subparsers: Any) -> None:
    """Adds `curate` with its sub-commands to the main parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", help="工作区文件夹（默认 $TRACEGRAPH_WORKSPACE 或 ./workspace）")
    common.add_argument("--user", help="记录在审计日志中的用户名（默认当前系统用户）")
    common.add_argument("--neo4j", default=os.environ.get("TRACEGRAPH_NEO4J_URI"),
                        help="团队共享的 Neo4j（bolt://…）：校对决定记在该服务器上，所有分析人员即时可见"
                             "（默认 $TRACEGRAPH_NEO4J_URI；密码取自 NEO4J_PASSWORD）")
    common.add_argument("--neo4j-user", default=os.environ.get("NEO4J_USER", "neo4j"))
    common.add_argument("--neo4j-database", default=os.environ.get("NEO4J_DATABASE", "neo4j"))
    p = subparsers.add_parser("curate", help="人工校对：确认/否决/添加关系、修改节点、合并政策依据、撤销、审计日志")
    sub = p.add_subparsers(dest="curate_cmd", required=True)

    imp = sub.add_parser("import", parents=[common], help="把文档导入工作区（同名文件视为新版本）")
    imp.add_argument("paths", nargs="+")
    imp.add_argument("--replaces", help="作为该文档 ID 的新版本导入（文件名不同时使用）")
    imp.set_defaults(func=cmd_import)
    docs = sub.add_parser("docs", parents=[common], help="列出工作区中的文档")
    docs.add_argument("--json", action="store_true")
    docs.set_defaults(func=cmd_docs)

    helps = {
        "confirm": "确认一条推断关系",
        "reject": "否决一条关系（在视图和导出中隐藏，可恢复）",
        "restore": "恢复一条被否决的关系",
        "add": "手工添加一条关系（须写备注）",
    }
    for op, help_ in helps.items():
        sp = sub.add_parser(op, parents=[common], help=help_)
        sp.add_argument("source", help="起点节点（措施/举措/原因），可写简短编号如 M4")
        sp.add_argument("target", help="终点节点（问题/原因），可写简短编号如 P2.2")
        sp.add_argument("--type", default="ADDRESSES", choices=LINK_TYPES, help="关系类型，默认 ADDRESSES")
        sp.add_argument("--comment", required=(op == "add"), help="备注（为什么）")
        if op == "add":
            sp.add_argument("--cross-document", action="store_true", help="起点与终点属于不同文档时须明确加上")
        sp.set_defaults(func=_link(op))

    e = sub.add_parser("edit-node", parents=[common], help="修改节点的标题或类型")
    e.add_argument("node")
    e.add_argument("--title")
    e.add_argument("--type", dest="node_type", help="新类型，如 Problem / Cause / Measure")
    e.add_argument("--comment")
    e.set_defaults(func=cmd_edit)
    m = sub.add_parser("merge-policy", parents=[common], help="合并两个政策依据节点（DROP 的引用移到 KEEP）")
    m.add_argument("keep")
    m.add_argument("drop")
    m.add_argument("--comment")
    m.set_defaults(func=cmd_merge)
    u = sub.add_parser("undo", parents=[common], help="撤销本用户最近一次校对（--all：任何人的最近一次）")
    u.add_argument("--all", action="store_true")
    u.set_defaults(func=cmd_undo)
    d = sub.add_parser("dismiss", parents=[common], help="不再列出一条失联记录")
    d.add_argument("decision", type=int)
    d.add_argument("--comment")
    d.set_defaults(func=cmd_dismiss)
    ls = sub.add_parser("list", parents=[common], help="列出校对结果（--rejected 否决的，--orphans 失联的）")
    group = ls.add_mutually_exclusive_group()
    group.add_argument("--rejected", action="store_true")
    group.add_argument("--orphans", action="store_true")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    lg = sub.add_parser("log", parents=[common], help="审计日志：谁、何时、做了什么、原值、新值、备注")
    lg.add_argument("--limit", type=int)
    lg.add_argument("--json", action="store_true")
    lg.set_defaults(func=cmd_log)
    b = sub.add_parser("build", parents=[common], help="重建工作区图谱并应用校对结果")
    b.add_argument("--out", help="另存一份图谱 JSON（供 trace/matrix 等命令的 --graph 使用）")
    b.add_argument("--rebuild", action="store_true", help="不用缓存，重新解析全部文档")
    b.set_defaults(func=cmd_build)
