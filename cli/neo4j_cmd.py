"""`tracegraph neo4j push|load|pull|status`: move a graph between a graph.json and a shared Neo4j, or read an
archive straight into it.

The password comes from NEO4J_PASSWORD or, at a terminal, a hidden prompt — never from the command line
(argv is visible to every user of the machine) and it is never printed.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from tracegraph.errors import StoreError

if TYPE_CHECKING:
    from neo4j import Driver

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_BATCH = 5000  # graph.neo4j_io.DEFAULT_BATCH (not imported: the driver loads only when a command runs)


def password_for(user: str, uri: str) -> str:
    """NEO4J_PASSWORD, else a hidden prompt at a terminal; `tracegraph app --neo4j` can use it too."""
    pw = os.environ.get("NEO4J_PASSWORD")
    if pw is not None:
        return pw
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"Neo4j {uri} 用户 {user} 的密码：")
    raise StoreError("未设置 NEO4J_PASSWORD，且不在终端上无法询问密码")


def _driver(args: argparse.Namespace) -> Driver:
    from tracegraph.graph.stores.neo4j_io import connect

    return connect(args.uri, args.user, password_for(args.user, args.uri))


def cmd_push(args: argparse.Namespace) -> int:
    from tracegraph.graph.model.io import read_json
    from tracegraph.graph.stores.neo4j_io import neo4j_errors, push

    g = read_json(args.graph)
    driver = _driver(args)
    try:
        with neo4j_errors(args.uri, args.user, args.database):
            if args.bulk:
                from tracegraph.graph.stores.neo4j_bulk import bulk_load

                loaded = bulk_load(g, driver, args.database, workers=args.workers)
                print(f"新文档 {loaded.new_documents} 篇：{loaded.nodes} 个节点、{loaded.relationships} 条关系，"
                      f"{loaded.rows_per_second:,.0f} 行/秒；已有文档 {loaded.known_documents} 篇按增量推送"
                      f"（{loaded.seconds:.1f} 秒）→ {args.uri}")
                return 0
            report = push(
                g, driver, args.database, batch_size=args.batch_size, progress=None if args.progress else False
            )
    finally:
        driver.close()
    print(
        f"已推送 {report.documents} 篇文档、{report.nodes} 个节点、{report.relationships} 条关系到 {args.uri}"
        f"（数据库 {args.database}，{report.seconds:.1f} 秒，写入 {report.rows_per_second:,.0f} 行/秒）"
    )
    if report.pruned_nodes or report.pruned_relationships:
        print(f"删除了已不在图中的 {report.pruned_nodes} 个节点、{report.pruned_relationships} 条关系")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from tracegraph.graph.stores.neo4j_io import neo4j_errors
    from tracegraph.graph.stores.neo4j_stream import stream_load

    driver = _driver(args)
    try:
        with neo4j_errors(args.uri, args.user, args.database):
            rep = stream_load(args.paths, driver, args.database, workers=args.workers,
                              write_sessions=args.sessions, batch_documents=args.batch_documents,
                              cache_dir=args.cache, progress=args.progress and sys.stderr.isatty())
    finally:
        driver.close()
    print(f"已读取并载入 {rep.documents} 篇文档（{rep.bytes_read / 1e6:.1f} MB）：{rep.nodes} 个节点、"
          f"{rep.relationships} 条关系（其中跨文档同类问题 {rep.similar} 条）→ {args.uri}（数据库 {args.database}）")
    print(f"用时 {rep.seconds:.1f} 秒：{rep.mb_per_second:.2f} MB/秒，{rep.rows_per_second:,.0f} 行/秒；"
          f"分 {rep.batches} 批写入")
    for path, why in rep.failed:
        print(f"未载入 {path}：{why}", file=sys.stderr)
    for path, why in rep.skipped:
        print(f"跳过 {path}：{why}", file=sys.stderr)
    return 1 if rep.failed and not rep.documents else 0


def cmd_pull(args: argparse.Namespace) -> int:
    from tracegraph.graph.model.io import write_json
    from tracegraph.graph.stores.neo4j_io import neo4j_errors, pull

    driver = _driver(args)
    try:
        with neo4j_errors(args.uri, args.user, args.database):
            g = pull(driver, args.database)
    finally:
        driver.close()
    if g.number_of_nodes() == 0:
        raise StoreError(f"{args.uri} 的数据库 {args.database} 里没有 tracegraph 图，未写出 {args.out}")
    write_json(g, args.out)
    print(
        f"已从 {args.uri} 取回 {len(g.graph['documents'])} 篇文档、{g.number_of_nodes()} 个节点、"
        f"{g.number_of_edges()} 条关系，写入 {args.out}"
    )
    return 0


def status(driver: Driver, database: str) -> dict[str, Any]:
    """Server version, tracegraph counts and the state of the tracegraph schema."""
    from tracegraph.graph.stores.neo4j_io import counts

    comp = driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition",
        database_=database,
    ).records[0]
    schema = driver.execute_query(
        "SHOW INDEXES YIELD name, type, state WHERE name STARTS WITH 'tg_' RETURN name, type, state ORDER BY name",
        database_=database,
    ).records
    return {
        "server": f"{comp['name']} {comp['version']} {comp['edition']}",
        "database": database,
        "counts": counts(driver, database),
        "indexes": {r["name"]: f"{r['type']} {r['state']}" for r in schema},
    }


def cmd_status(args: argparse.Namespace) -> int:
    from tracegraph.graph.stores.neo4j_io import neo4j_errors

    driver = _driver(args)
    try:
        with neo4j_errors(args.uri, args.user, args.database):
            info = status(driver, args.database)
    finally:
        driver.close()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    c = info["counts"]
    print(f"{args.uri}（{info['server']}，数据库 {args.database}）")
    print(f"  文档 {c['label:TGDocumentMeta']}，节点 {c['label:TGNode']}，关系 {c['relationships']}")
    for k, v in c.items():
        if v and k.startswith(("label:", "rel:")) and k not in ("label:TGNode", "label:TGDocumentMeta"):
            print(f"    {k.split(':', 1)[1]:<12} {v}")
    not_online = [n for n, s in info["indexes"].items() if not s.endswith("ONLINE")]
    print(f"  索引 {len(info['indexes'])} 个" + (f"，未就绪：{'、'.join(not_online)}" if not_online else "，均已就绪"))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `tracegraph neo4j ...` to the main parser."""
    p = subparsers.add_parser("neo4j", help="与共享的 Neo4j 图数据库同步（push / pull / status）")
    sub = p.add_subparsers(dest="neo4j_cmd", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--uri",
            default=os.environ.get("TRACEGRAPH_NEO4J_URI") or DEFAULT_URI,
            help="Bolt 地址（默认取环境变量 TRACEGRAPH_NEO4J_URI，否则 %(default)s）",
        )
        sp.add_argument("--user", default=os.environ.get("NEO4J_USER") or "neo4j")
        sp.add_argument("--database", default=os.environ.get("NEO4J_DATABASE") or "neo4j")

    ps = sub.add_parser("push", help="把图文件写入 Neo4j（可重复执行，不会产生重复）；密码取自 NEO4J_PASSWORD")
    ps.add_argument("--graph", default="graph.json")
    ps.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="每个事务写入的行数（默认 %(default)s）")
    ps.add_argument("--no-progress", dest="progress", action="store_false", help="不显示进度条")
    ps.add_argument("--bulk", action="store_true",
                    help="首次载入大批文档：库中还没有的文档用 CREATE 并行写入（快），已有的照常增量推送")
    ps.add_argument("--workers", type=int, default=2, help="--bulk 并行写入的会话数（默认 %(default)s）")
    common(ps)
    ps.set_defaults(func=cmd_push)

    ld = sub.add_parser("load", help="读取文件和文件夹并直接分批载入 Neo4j（不生成图文件，内存只随批次而非档案增长；"
                                     "适合上万篇的档案）；密码取自 NEO4J_PASSWORD")
    ld.add_argument("paths", nargs="+", help="文件或文件夹")
    ld.add_argument("--workers", type=int, default=None, help="读取文档的进程数（默认按 CPU 数）")
    ld.add_argument("--sessions", type=int, default=2, help="并行写入的会话数（默认 %(default)s）")
    ld.add_argument("--batch-documents", type=int, default=50, help="每批写入的文档数（默认 %(default)s）")
    ld.add_argument("--cache", help="文档片段缓存目录（再次载入时未变的文档不再解析）")
    ld.add_argument("--no-progress", dest="progress", action="store_false", help="不显示进度条")
    common(ld)
    ld.set_defaults(func=cmd_load)

    pl = sub.add_parser("pull", help="从 Neo4j 取回整个图，写成图文件")
    pl.add_argument("--out", required=True)
    common(pl)
    pl.set_defaults(func=cmd_pull)

    st = sub.add_parser("status", help="服务器版本、各类节点和关系数量、索引状态")
    st.add_argument("--json", action="store_true")
    common(st)
    st.set_defaults(func=cmd_status)
