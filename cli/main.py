"""`tracegraph` command line: a thin front end over loaders/ and graph/."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracegraph.cli import app_cmd, archive_cmd, corpus_cmd, curate_cmd, export_cmd, neo4j_cmd, review_cmd
from tracegraph.cli.source import add_neo4j_arguments, graph_for, store_for
from tracegraph.errors import NotFoundError, TracegraphError
from tracegraph.loaders.formats.encoding import escape_controls as esc

if TYPE_CHECKING:
    import networkx as nx

DEFAULT_GRAPH = "graph.json"


def _load_graph(path: str) -> nx.MultiDiGraph:
    from tracegraph.graph.model.io import read_json

    return read_json(path)


def _print(obj: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def cmd_build(args: argparse.Namespace) -> int:
    from tracegraph.graph.build.pipeline import build
    from tracegraph.graph.model.io import write_json

    g, report = build(
        args.paths,
        link=not args.no_link,
        lexicon_files=args.lexicon or (),
        cache_dir=args.cache,
        workers=args.workers,
        progress=sys.stderr.isatty() or args.progress,
    )
    for path, reason in report.failed:
        print(f"错误 {esc(path)}: {esc(reason)}", file=sys.stderr)
    if args.meta:
        from tracegraph.graph.corpus.metadata import apply_to_graph, load_overrides

        apply_to_graph(g, load_overrides(args.meta))
    try:
        write_json(g, args.out)
    except OSError as exc:  # a graph that was not written is never reported as built
        from tracegraph.graph.curation.sqlite import storage_error

        raise storage_error(exc, "写入图谱", args.out) from None
    types = Counter(d.get("type") for _, d in g.nodes(data=True))
    print(f"已构建 {len(report.built)} 个文档，失败 {len(report.failed)} 个 → {esc(args.out)}")
    print("  " + "，".join(f"{t} {n}" for t, n in sorted(types.items())))
    if report.skipped:
        print(f"跳过 {len(report.skipped)} 个文件：")
        for path, reason in report.skipped:
            print(f"  {esc(path)}：{reason}")
    for doc, text in report.warnings:
        print(f"提示 {esc(doc)}：{text}")
    if not report.built and not report.failed:
        print("没有找到可读取的文件（支持 .txt .md .docx .pdf）", file=sys.stderr)
        return 2
    return 1 if report.failed else 0


def cmd_stats(args: argparse.Namespace) -> int:
    from tracegraph.graph.model.schema import NODE_TYPES

    per_doc: dict[str, Counter[str]] = {}
    documents: dict[str, Any]
    if getattr(args, "neo4j", None) or getattr(args, "archive", None):  # counted by the store: only the totals travel
        store = store_for(args)
        try:
            per_doc, edges, shared = store.type_counts()
            documents = {d["id"]: d for d in store.documents()}
        finally:
            store.close()
    else:
        g = _load_graph(args.graph)
        documents = g.graph.get("documents", {})
        for _, d in g.nodes(data=True):
            if d.get("doc"):
                per_doc.setdefault(d["doc"], Counter())[d["type"]] += 1
        edges = Counter(str(d.get("type")) for _, _, d in g.edges(data=True))
        shared = Counter(str(d["type"]) for _, d in g.nodes(data=True) if d.get("type") in ("PolicyRef", "Speaker"))
    if args.json:
        _print(
            {
                "reading": {k: (documents.get(k) or {}).get("reading") for k in per_doc},
                "documents": {k: dict(v) for k, v in per_doc.items()},
                "edges": dict(edges),
                "policy_refs": shared.get("PolicyRef", 0),
            },
            True,
        )
        return 0
    cols = [t for t in NODE_TYPES if t not in ("Document", "PolicyRef", "Speaker")]
    print("文档".ljust(28) + "".join(c[:8].rjust(9) for c in cols))
    for doc, c in sorted(per_doc.items()):
        print(doc[:27].ljust(28) + "".join(str(c.get(t, 0)).rjust(9) for t in cols))
    print(f"政策依据（全库）: {shared.get('PolicyRef', 0)}，讲话人: {shared.get('Speaker', 0)}")
    print("关系: " + "，".join(f"{k} {v}" for k, v in sorted(edges.items())))
    for doc in sorted(per_doc):
        rep = (documents.get(doc) or {}).get("reading")
        if rep:
            print(format_reading(doc, rep))
    return 0


def format_reading(doc: str, rep: dict[str, Any]) -> str:
    """读取概况 of one document, in plain Chinese."""
    from tracegraph.loaders.structure.reading import SET_ASIDE_ZH

    c = rep.get("counts", {})
    levels = "，".join(f"{k} {v}" for k, v in sorted(c.items()))
    lines = [f"读取概况 {doc}：正文 {rep['body_chars']} 字，{rep['item_share']:.0%} 落在条目中；{levels}"]
    if rep.get("set_aside"):
        lines.append(
            "  另列（不作为问题或已采取的措施）："
            + "，".join(f"{SET_ASIDE_ZH.get(k, k)} {v} 字" for k, v in rep["set_aside"].items())
        )
    for w in rep.get("warnings", []):
        lines.append(f"  警告：{w['text']}")
    return "\n".join(lines)


def cmd_eval(args: argparse.Namespace) -> int:
    from tracegraph.graph.review.evaluate import evaluate, format_report

    gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    g = _load_graph(args.graph)
    result = evaluate(gold, g)
    print(format_report(result))
    return 0


def _resolve_node(g: nx.MultiDiGraph, ref: str) -> str:
    """An id, a short id (P5.2) or, failing both, words of a title (the best search hit)."""
    from tracegraph.graph.query.queries import search
    from tracegraph.graph.query.subgraph import resolve_id

    if any(str(n).endswith(":" + ref) for n in g) or ref in g:
        return resolve_id(g, ref)  # ambiguity is an error, not a guess
    hits = search(g, ref, types=("Problem", "Measure", "Cause", "Action", "PolicyRef"), limit=1)
    if hits:
        return hits[0]["id"]
    raise NotFoundError(f"找不到节点“{ref}”")


class _Ids:
    """How the text output names nodes: the full id with one document; with several, ``〔短名〕P1.2`` (the
    document's short name, as the app shows it), and a closing legend from short names to document ids, so a
    full id (``<doc id>:P1.2``) can be written back."""

    def __init__(self, g: nx.MultiDiGraph) -> None:
        from tracegraph.graph.query.naming import doc_tags

        self.g = g
        self.tags = doc_tags(g)
        self.used: set[str] = set()

    def __call__(self, n: str) -> str:
        from tracegraph.graph.query.naming import shown_id

        if not self.tags or n not in self.g:
            return esc(n)
        doc = self.g.nodes[n].get("doc")
        if doc in self.tags:
            self.used.add(doc)
        return esc(shown_id(self.g, n, self.tags))

    def legend(self) -> list[str]:
        from tracegraph.graph.query.naming import doc_label

        return [f"〔{esc(self.tags[d])}〕＝ 文档 {esc(d)}（{esc(doc_label(self.g, d))}）；完整编号写作 {esc(d)}:<编号>"
                for d in sorted(self.used)]


def _fmt_rows(rows: list[dict[str, Any]], indent: str = "    ", ids: Callable[[str], str] = str) -> list[str]:
    out = []
    for r in rows:
        score = f" 得分 {r['score']:.2f}" if r.get("score") is not None else ""
        origin = f" [{r['origin']}]" if r.get("origin") else ""
        out.append(f"{indent}- {ids(r['id'])} {r.get('title', '')}{origin}{score}")
        ev = r.get("evidence") or {}
        sent = ev.get("source_sentence") or {}
        if sent.get("text"):
            out.append(f"{indent}    依据：{sent['text'][:80]}")
        if ev.get("shared_terms"):
            out.append(f"{indent}    共同词语：{'、'.join(ev['shared_terms'])}")
    return out


def cmd_trace(args: argparse.Namespace) -> int:
    from tracegraph.graph.query.queries import trace

    g = graph_for(args, node=args.node)
    n = _resolve_node(g, args.node)
    tr = trace(g, n)
    if args.json:
        _print(tr, True)
        return 0
    node = tr["node"]
    ids = _Ids(g)
    head = f"{ids(node['id'])}（{esc(node['id'])}）" if ids.tags else node["id"]
    print(f"{head} [{node['type']}] {node.get('title', '')}")
    labels = [
        ("causes", "原因"),
        ("measures", "整改措施"),
        ("problems", "问题"),
        ("actions", "具体举措"),
        ("examples", "事例"),
        ("policy_refs", "政策依据"),
        ("cited_by", "引用位置"),
    ]
    for key, label in labels:
        if tr.get(key):
            print(f"  {label}（{len(tr[key])}）")
            print("\n".join(_fmt_rows(tr[key], ids=ids)))
    for line in ids.legend():
        print(line)
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    from tracegraph.graph.query.queries import matrix

    g = graph_for(args, doc=args.doc)
    mx = matrix(g, args.doc)
    if args.json:
        _print(mx, True)
        return 0
    ms = mx["measures"]
    ids = _Ids(g)
    short = [m["id"].split(":")[-1] for m in ms]
    docs = sorted({str(x.get("doc") or "") for x in [*ms, *mx["problems"]]} - {""})
    if ids.tags and docs:  # one material per matrix; its name once above the table, short codes in it
        print("文档：" + "、".join(f"〔{esc(ids.tags.get(d, d))}〕 {esc(d)}" for d in docs))
        if len(docs) > 1:  # codes of several documents side by side: each carries its document
            short = [ids(m["id"]) for m in ms]
    width = max([8, *(len(x) + 1 for x in short)])
    print("问题".ljust(40) + "".join(x.rjust(width) for x in short))
    marks = {"explicit": "!", "inferred": "", "curated": "*"}
    for p in mx["problems"]:
        pid = ids(p["id"]) if ids.tags else p["id"].split(":")[-1]
        row = f"{pid} {p.get('title', '')}"[:38].ljust(40)
        for m in ms:
            c = mx["cells"].get(f"{m['id']}|{p['id']}")
            row += (f"{c['score']:.2f}{marks.get(c['origin'], '')}" if c else "·").rjust(width)
        print(row)
    print("（! 原文明示，* 人工确认，其余为推断；数值为得分）")
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    from tracegraph.graph.query.queries import gaps

    g = graph_for(args, doc=args.doc)
    gp = gaps(g, args.doc)
    if args.json:
        _print(gp, True)
        return 0
    labels = {
        "problems_without_measures": "没有整改措施的问题",
        "causes_without_measures": "没有整改措施的原因",
        "measures_addressing_nothing": "未对应任何问题的措施",
        "problems_without_causes": "未分析原因的问题",
        "negative_findings": "未发现问题的事项（不计入问题）",
    }
    from tracegraph.graph.query.naming import doc_label

    ids = _Ids(g)
    doubted = {d["doc"] for d in gp["reading_doubts"]}
    for d in gp["reading_doubts"]:
        named = f"{esc(doc_label(g, d['doc']))}（{esc(d['doc'])}）" if ids.tags else d["doc"]
        print(
            f"注意：{named} 的读取存疑——{'；'.join(d['warnings'])}。"
            "下列该文档的“缺口”可能是读取问题，不是原文的问题。"
        )
    for key, label in labels.items():
        print(f"{label}（{len(gp[key])}）")
        for r in gp[key]:
            mark = "（读取存疑）" if r.get("doc") in doubted and key != "negative_findings" else ""
            print(f"    - {ids(r['id'])} {r.get('title', '')}{mark}")
    for line in ids.legend():
        print(line)
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from tracegraph.graph.query.ask import ask

    g = graph_for(args, doc=args.doc)
    ans = ask(g, args.question, args.doc)
    if args.json:
        _print(ans.as_dict(), True)
        return 0
    print(ans.text)
    ids = _Ids(g)
    for t in ans.targets:
        print(f"  识别到：{ids(t['id'])} {t.get('title', '')}")
    print("\n".join(_fmt_rows(ans.results, "  ", ids)))
    for line in ids.legend():
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tracegraph", description="整改材料知识图谱：问题—原因—整改措施—政策依据")
    sub = p.add_subparsers(dest="cmd", required=True)

    b = sub.add_parser("build", help="读取文档（文件或文件夹）并构建图谱 JSON")
    b.add_argument("paths", nargs="+")
    b.add_argument("--out", default=DEFAULT_GRAPH)
    b.add_argument("--lexicon", action="append", help="追加的政策依据词表 JSON（可多次）")
    b.add_argument("--no-link", action="store_true", help="只解析结构，不推断关联")
    b.add_argument("--cache", help="文档片段缓存目录：未变化的文档不再重新解析（增量构建）")
    b.add_argument(
        "--workers",
        type=int,
        help="读取文档的工作进程数（默认按文档数量自动选择；每个文档都在有时间和内存上限的工作进程中读取；"
        "0 在本进程中读取、没有上限，仅用于测试和性能分析）",
    )
    b.add_argument("--progress", action="store_true", help="显示进度条和剩余时间")
    b.add_argument("--meta", help="文档元数据修订文件（tracegraph meta 写入），构建后套用")
    b.set_defaults(func=cmd_build)

    def graph_cmd(
        name: str, help_: str, func: Callable[[argparse.Namespace], int], **extra: Any
    ) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_)
        sp.add_argument("--graph", default=DEFAULT_GRAPH)
        add_neo4j_arguments(sp)
        sp.add_argument("--json", action="store_true", help="以 JSON 输出")
        sp.set_defaults(func=func)
        return sp

    graph_cmd("stats", "各文档各类节点数量", cmd_stats)
    e = sub.add_parser("eval", help="与人工标注（gold JSON）对比打分")
    e.add_argument("gold")
    e.add_argument("graph")
    e.set_defaults(func=cmd_eval)
    t = graph_cmd("trace", "追溯一个节点：问题→原因/措施/举措/政策依据，或反向", cmd_trace)
    t.add_argument("node", help="节点 ID（可只写文档内编号，如 P5.2）或标题关键词")
    mx = graph_cmd("matrix", "追溯矩阵：整改措施 × 问题", cmd_matrix)
    mx.add_argument("--doc")
    gp = graph_cmd("gaps", "覆盖缺口：没有措施的问题等", cmd_gaps)
    gp.add_argument("--doc")
    a = graph_cmd("ask", "用中文提问，如“哪些措施针对软弱涣散基层党组织问题”", cmd_ask)
    a.add_argument("question")
    a.add_argument("--doc")
    for module in (export_cmd, neo4j_cmd, archive_cmd, app_cmd, curate_cmd, review_cmd, corpus_cmd):
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TracegraphError as exc:  # each kind its own exit code; any other exception is a bug and shows as one
        print(f"错误（{exc.label}）：{esc(exc)}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `tracegraph trace … | head` closed the pipe: not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
