"""Where a command's graph comes from: the graph file (`--graph`), or with `--neo4j` (the shared store, with the
team's decisions applied) or `--archive` (an archive file; with `--workspace`, that workspace's decisions applied)
the part of the store the answer needs, never the whole store."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

    from tracegraph.graph.stores.parts import PartStore


def add_neo4j_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--neo4j", metavar="URI", help="从共享的 Neo4j 回答（bolt://…，密码取自 NEO4J_PASSWORD）："
                   "只读取回答需要的那份文档，并计入团队的校对决定")
    p.add_argument("--neo4j-user", default=os.environ.get("NEO4J_USER", "neo4j"))
    p.add_argument("--neo4j-database", default=os.environ.get("NEO4J_DATABASE", "neo4j"))
    p.add_argument("--archive", metavar="FILE",
                   help="从档案库文件回答（tracegraph archive build 写入）：只读取回答需要的那份文档")
    p.add_argument("--workspace", metavar="DIR",
                   help="与 --archive 一起用：计入该工作区的校对决定（与 tracegraph app --archive 所见相同）")


def _load_graph(path: str) -> nx.MultiDiGraph:
    from tracegraph.graph.model.io import read_json

    return read_json(path)


def store_for(args: argparse.Namespace) -> PartStore:
    """The archive named by --archive, else the shared store named by --neo4j, answering with the team's decisions
    applied."""
    if getattr(args, "archive", None):
        from tracegraph.graph.curation.store import CurationStore
        from tracegraph.graph.stores.archive_store import ArchiveStore

        ws = getattr(args, "workspace", None)
        if ws and not Path(ws).is_dir():
            from tracegraph.errors import SelectionError

            raise SelectionError(f"工作区不存在：{ws}")
        log = CurationStore(Path(ws) / "curation.sqlite", user="cli") if ws else None
        return ArchiveStore(args.archive, curation=log)
    from tracegraph.cli.neo4j_cmd import password_for
    from tracegraph.graph.curation.store import CurationStore
    from tracegraph.graph.stores.neo4j_curation import Neo4jDecisionLog
    from tracegraph.graph.stores.neo4j_store import Neo4jStore

    pw = password_for(args.neo4j_user, args.neo4j)
    store = Neo4jStore.connect(args.neo4j, args.neo4j_user, pw, args.neo4j_database)
    store.curation = CurationStore(Neo4jDecisionLog(store.driver, args.neo4j_database, uri=args.neo4j,
                                                    user=args.neo4j_user), user="cli")
    return store


def graph_for(args: argparse.Namespace, doc: str | None = None, node: str | None = None) -> nx.MultiDiGraph:
    """The graph a command answers from: the graph file; with --neo4j the part of the store the answer needs —
    one document (given, or the one the node belongs to) and every node one step away, with the metadata of
    every document for naming. Never the whole store: without a document it says which to give."""
    from tracegraph.errors import SelectionError

    if not getattr(args, "neo4j", None) and not getattr(args, "archive", None):
        return _load_graph(args.graph)
    store = store_for(args)
    try:
        metas = {d["id"]: d for d in store.documents()}
        if node and not doc:
            prefix = node.split(":", 1)[0]
            if ":" in node and prefix in metas:
                doc = prefix
            elif len(metas) == 1:
                doc = next(iter(metas))
            else:
                hits = store.search(node, ("Problem", "Measure", "Cause", "Action"), limit=1)
                doc = hits[0].get("doc") if hits else None
        if not doc and len(metas) == 1:
            doc = next(iter(metas))
        if not doc:
            where = "档案库中" if getattr(args, "archive", None) else "在 Neo4j 上"
            option = "--archive" if getattr(args, "archive", None) else "--neo4j"
            raise SelectionError(f"图谱{where}（不把整个图谱读入内存）：请用 --doc 指定文档，或写完整的节点 ID"
                                 f"（共 {len(metas)} 份文档，tracegraph stats {option} … 列出）")
        g = store.load_graph(doc)
    finally:
        store.close()
    for d, meta in metas.items():
        g.graph["documents"].setdefault(d, meta)
    return g
