"""Building a corpus, not a document: each file becomes a self-contained fragment (its nodes, parsed and
linked edges) in a worker process; fragments are cached by content hash so adding documents re-processes
only what changed; the main process merges fragments into one graph, sharing PolicyRef/Speaker nodes.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.graph.build.version import code_version
from tracegraph.graph.link.config import LinkConfig


@dataclass
class CorpusReport:
    built: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    cached: int = 0
    processed: int = 0
    seconds: float = 0.0
    bytes_read: int = 0


class Progress:
    """A one-line progress bar with rate and ETA on stderr (quiet when disabled)."""

    def __init__(self, total: int, enabled: bool = True, label: str = "构建") -> None:
        self.total = total
        self.enabled = enabled and total > 1
        self.label = label
        self.start = time.perf_counter()
        self.last = 0.0
        self.done = 0

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if not self.enabled or (now - self.last < 0.5 and self.done < self.total):
            return
        self.last = now
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed else 0.0
        eta = (self.total - self.done) / rate if rate else 0.0
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        line = (
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
            f"{rate:.1f} 个/秒 剩余约 {eta:.0f} 秒"
        )
        end = "\n" if self.done >= self.total else ""
        print(line, end=end, file=sys.stderr, flush=True)


def _lexicon_key(lexicon_files: tuple[str, ...], link_config: LinkConfig | None = None) -> str:
    """The cache key beside the document's sha256: code version, lexicon files and the linker's settings."""
    h = hashlib.sha256(code_version().encode())
    h.update(repr(link_config or LinkConfig()).encode())
    for f in lexicon_files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()[:12]


def build_fragment(
    path: str,
    doc_id: str,
    lexicon_files: tuple[str, ...] = (),
    link: bool = True,
    name: str | None = None,
    max_bytes: int | None = None,
    link_config: LinkConfig | None = None,
) -> dict[str, Any]:
    """Everything one document contributes, as plain data (runs in a worker process). `name` is the name the
    document is read under when the file is stored under another one (a workspace's generated names)."""
    from tracegraph.graph.build.document import add_document, new_graph
    from tracegraph.graph.model.io import to_dict
    from tracegraph.loaders import LoadError, load_file, parse
    from tracegraph.loaders.references.policy import Lexicon

    try:
        if name is None:
            doc = load_file(path) if max_bytes is None else load_file(path, max_bytes=max_bytes)
        else:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                return {"error": f"存储的文件无法读取：{exc.strerror or exc}", "path": path}
            doc = load_file(Path(name), data=data, **({} if max_bytes is None else {"max_bytes": max_bytes}))
        parsed = parse(doc)
    except LoadError as exc:
        return {"error": exc.reason, "path": path}
    except Exception as exc:  # an unexpected parser failure must not abort the batch
        return {"error": f"解析时出现内部错误：{type(exc).__name__}: {exc}", "path": path}
    lexicon = Lexicon.load(lexicon_files) if lexicon_files else None
    g = new_graph()
    add_document(g, parsed, doc_id, lexicon)
    if link:
        from tracegraph.graph.link.linker import link_document

        link_document(g, doc_id, link_config)
    frag = to_dict(g)
    frag["sha256"] = doc.sha256
    frag["bytes"] = os.path.getsize(path)
    return frag


def merge_fragment(g: nx.MultiDiGraph, frag: dict[str, Any]) -> None:
    """Add a fragment; shared nodes (PolicyRef, Speaker) are merged, their aliases united."""
    for d in frag["documents"]:
        g.graph["documents"][d["id"]] = d
    for n in frag["nodes"]:
        nid = n["id"]
        if n.get("type") in ("PolicyRef", "Speaker") and nid in g:
            node = g.nodes[nid]
            for a in n.get("aliases") or []:
                if a not in node.get("aliases", []):
                    node["aliases"] = [*node.get("aliases", []), a]
            continue
        g.add_node(nid, **{k: v for k, v in n.items() if k != "id"})
    for e in frag["edges"]:
        g.add_edge(
            e["source"], e["target"], key=e["type"], **{k: v for k, v in e.items() if k not in ("source", "target")}
        )


class FragmentCache:
    """workspace/cache/<sha256>-<doc id>-<version>.json: a document already built is never parsed again."""

    def __init__(
        self, folder: str | Path, lexicon_files: tuple[str, ...] = (), link_config: LinkConfig | None = None
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.key = _lexicon_key(lexicon_files, link_config)

    def _path(self, sha256: str, doc_id: str) -> Path:
        safe = hashlib.sha256(doc_id.encode()).hexdigest()[:10]
        return self.folder / f"{sha256}-{safe}-{self.key}.json"

    def get(self, sha256: str, doc_id: str) -> dict[str, Any] | None:
        p = self._path(sha256, doc_id)
        if not p.exists():
            return None
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None  # a damaged cache entry is rebuilt, never trusted

    def put(self, frag: dict[str, Any], doc_id: str) -> None:
        p = self._path(frag["sha256"], doc_id)
        tmp = p.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(frag, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, p)
        except OSError:
            pass  # a read-only or full cache only costs speed


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def assign_doc_ids(files: list[Path]) -> list[str]:
    """Ids from file names, made unique with a content-hash suffix (stable across rebuilds)."""
    from tracegraph.graph.model.schema import doc_id_for

    ids: list[str] = []
    used: set[str] = set()
    for f in files:
        did = doc_id_for(f.stem)
        if did in used:
            try:
                did = f"{did}_{_sha256_file(f)[:8]}"
            except OSError:
                did = f"{did}_{len(used)}"
        used.add(did)
        ids.append(did)
    return ids


def build_corpus(
    files: Iterable[Path],
    cache_dir: str | Path | None = None,
    workers: int | None = None,
    lexicon_files: Iterable[str] = (),
    link: bool = True,
    progress: bool = False,
    on_fragment: Callable[[dict[str, Any]], None] | None = None,
    doc_ids: list[str] | None = None,
    names: list[str] | None = None,
    max_bytes: int | None = None,
    link_config: LinkConfig | None = None,
) -> tuple[nx.MultiDiGraph, CorpusReport]:
    """Build many documents: cached fragments are reused, the rest are built in `workers` processes.
    The one pipeline for the CLI, the workspace and the benchmark; `doc_ids`/`names` let a caller that keeps
    its own registry (the workspace) choose the ids and the names files are read under."""
    from tracegraph.graph.build.document import new_graph

    t0 = time.perf_counter()
    files = list(files)
    lex = tuple(str(x) for x in lexicon_files)
    ids = doc_ids if doc_ids is not None else assign_doc_ids(files)
    shown = names if names is not None else [None] * len(files)
    cache = FragmentCache(cache_dir, lex, link_config) if cache_dir else None
    report = CorpusReport()
    g = new_graph()
    bar = Progress(len(files), progress)
    todo: list[tuple[int, Path, str]] = []
    frags: dict[int, dict[str, Any]] = {}
    for i, (f, did) in enumerate(zip(files, ids, strict=True)):
        if cache is not None:
            try:
                sha = _sha256_file(f)
            except OSError:
                sha = ""
            hit = cache.get(sha, did) if sha else None
            if hit is not None:
                frags[i] = hit
                report.cached += 1
                bar.update()
                continue
        todo.append((i, f, did))
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(todo) >= 16 else 1

    def take(i: int, frag: dict[str, Any]) -> None:
        if "error" in frag:
            report.failed.append((str(files[i]), frag["error"]))
            return
        merge_fragment(g, frag)
        report.built.append(str(files[i]))
        report.bytes_read += int(frag.get("bytes", 0))
        if on_fragment is not None:
            on_fragment(frag)

    # The merged graph is millions of small objects the cyclic collector would rescan again and again as it
    # grows; freezing what is merged so far keeps collections to the new garbage (each fragment's graph).
    merged = 0

    def take_and_freeze(i: int, frag: dict[str, Any]) -> None:
        nonlocal merged
        take(i, frag)
        merged += 1
        if merged % 200 == 0:
            gc.freeze()

    try:
        for i in sorted(frags):
            take_and_freeze(i, frags.pop(i))
        if workers > 1 and len(todo) > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                chunk = max(1, min(16, len(todo) // (workers * 8) or 1))
                results = pool.map(
                    build_fragment,
                    [str(f) for _, f, _ in todo],
                    [d for _, _, d in todo],
                    [lex] * len(todo),
                    [link] * len(todo),
                    [shown[i] for i, _, _ in todo],
                    [max_bytes] * len(todo),
                    [link_config] * len(todo),
                    chunksize=chunk,
                )
                for (i, _f, did), frag in zip(todo, results, strict=True):
                    if cache is not None and "error" not in frag:
                        cache.put(frag, did)
                    take_and_freeze(i, frag)
                    bar.update()
        else:
            for i, f, did in todo:
                frag = build_fragment(str(f), did, lex, link, shown[i], max_bytes, link_config)
                if cache is not None and "error" not in frag:
                    cache.put(frag, did)
                take_and_freeze(i, frag)
                bar.update()
    finally:
        gc.unfreeze()
    report.processed = len(todo)
    report.seconds = time.perf_counter() - t0
    return g, report


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def iter_input_files(paths: Iterable[str | Path], extensions: Iterable[str]) -> list[Path]:
    """Files named directly plus supported files found in folders (sorted, so builds are repeatable)."""
    exts = {e.lower() for e in extensions}
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in exts
                    and not f.name.startswith((".", "~$"))
                    and ".gold" not in f.name
                )
            )
        else:
            out.append(p)
    return out


def build(
    paths: Iterable[str | Path],
    link: bool = True,
    *,
    lexicon_files: Iterable[str] = (),
    cache_dir: str | Path | None = None,
    workers: int | None = None,
    progress: bool = False,
    link_config: LinkConfig | None = None,
) -> tuple[nx.MultiDiGraph, BuildReport]:
    """Build a graph from files and folders; a file that fails is reported and the rest still build.
    Large batches run in worker processes; with `cache_dir` unchanged documents are not parsed again."""
    from tracegraph.loaders.formats.registry import supported_extensions

    files = iter_input_files(paths, supported_extensions())
    g, corpus = build_corpus(
        files,
        cache_dir=cache_dir,
        workers=workers,
        lexicon_files=lexicon_files,
        link=link,
        progress=progress,
        link_config=link_config,
    )
    report = BuildReport(built=corpus.built, failed=corpus.failed)
    if link and len(g.graph["documents"]) > 1:
        from tracegraph.graph.corpus.clusters import add_similar_edges, group_problems

        add_similar_edges(g, group_problems(g))  # 同类问题 across documents
    g.graph["build"] = {
        "seconds": round(corpus.seconds, 3),
        "cached": corpus.cached,
        "processed": corpus.processed,
        "bytes": corpus.bytes_read,
    }
    return g, report
