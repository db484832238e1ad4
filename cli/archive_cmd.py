"""`tracegraph archive build|import`: write a corpus into an archive file, which the app (`tracegraph app
--archive`) and the query commands (`--archive`) answer from part by part — ten thousand documents within the
memory of a workstation, without a server."""

from __future__ import annotations

import argparse
import sys

from tracegraph.loaders.formats.encoding import escape_controls as esc


def cmd_build(args: argparse.Namespace) -> int:
    from tracegraph.graph.stores.archive_build import build_archive

    rep = build_archive(args.paths, args.out, workers=args.workers, batch_documents=args.batch_documents,
                        cache_dir=args.cache, progress=args.progress and sys.stderr.isatty())
    print(f"已读取并写入 {rep.documents} 篇文档（{rep.bytes_read / 1e6:.1f} MB）：{rep.nodes} 个节点、"
          f"{rep.edges} 条关系（其中跨文档同类问题 {rep.similar} 条）→ {esc(str(args.out))}，"
          f"档案库现有 {rep.stored} 篇")
    print(f"用时 {rep.seconds:.1f} 秒：{rep.mb_per_second:.2f} MB/秒；分 {rep.batches} 批写入"
          f"（写入共 {rep.write_seconds:.1f} 秒）")
    for path, why in rep.failed:
        print(f"错误 {esc(path)}：{esc(why)}", file=sys.stderr)
    for path, why in rep.skipped:
        print(f"跳过 {esc(path)}：{why}", file=sys.stderr)
    if not rep.documents and not rep.failed:
        print("没有找到可读取的文件（支持 .txt .md .docx .pdf）", file=sys.stderr)
        return 2
    return 1 if rep.failed else 0


def cmd_import(args: argparse.Namespace) -> int:
    from tracegraph.graph.model.io import read_json
    from tracegraph.graph.stores.archive_db import import_graph

    g = read_json(args.graph)
    stored = import_graph(g, args.out)
    print(f"已写入 {len(g.graph['documents'])} 篇文档：{g.number_of_nodes()} 个节点、{g.number_of_edges()} 条关系 → "
          f"{esc(str(args.out))}，档案库现有 {stored} 篇")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("archive", help="档案库：把上万篇文档写入本机的一个文件，应用和查询命令按需逐份读取"
                                              "（不需要服务器，内存不随文档数增长）")
    sub = p.add_subparsers(dest="archive_cmd", required=True)
    b = sub.add_parser("build", help="读取文件和文件夹，分批写入档案库（已有的同名文档被替换，其余保留）")
    b.add_argument("paths", nargs="+", help="文件或文件夹")
    b.add_argument("--out", required=True, help="档案库文件（不存在时新建），如 archive.sqlite")
    b.add_argument("--workers", type=int, default=None, help="读取文档的进程数（默认按 CPU 数）")
    b.add_argument("--batch-documents", type=int, default=50, help="每批写入的文档数（默认 %(default)s）")
    b.add_argument("--cache", help="文档片段缓存目录（再次写入时未变的文档不再解析）")
    b.add_argument("--no-progress", dest="progress", action="store_false", help="不显示进度条")
    b.set_defaults(func=cmd_build)
    i = sub.add_parser("import", help="把图文件（tracegraph build 的 graph.json）写入档案库")
    i.add_argument("graph", help="图文件")
    i.add_argument("--out", required=True, help="档案库文件（不存在时新建）")
    i.set_defaults(func=cmd_import)
