"""Building a corpus, not a document: each file becomes a self-contained fragment (its nodes, parsed and
linked edges) in a worker process; fragments are cached by content hash so adding documents re-processes
only what changed; the main process merges fragments into one graph, sharing PolicyRef/Speaker nodes.

Over 400 lines for now: the input scan, the fragment cache, the budgeted workers and the merge are one
pipeline; the budgeted worker pool (time and memory limits, retry after a dead worker) is the part to move into
its own module next.
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
    from tracegraph.loaders.formats.registry import MAX_BYTES, read_regular_file
    from tracegraph.loaders.references.policy import Lexicon

    _test_crash_hook(name or path)
    try:
        if name is None:
            doc = load_file(path) if max_bytes is None else load_file(path, max_bytes=max_bytes)
        else:
            try:
                data = read_regular_file(path, MAX_BYTES if max_bytes is None else max_bytes)
            except LoadError as exc:
                return {"error": f"存储的文件无法读取：{exc.reason}", "path": path}
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
    if doc.decode_warnings:  # replaced bytes and dropped control characters, in the document info and its reading
        for d in frag["documents"]:
            d["decode_warnings"] = doc.decode_warnings
            reading = d.get("reading")
            if isinstance(reading, dict):
                reading.setdefault("warnings", []).extend(
                    {"code": w["code"], "text": w["text"]} for w in doc.decode_warnings
                )
    return frag


TEST_CRASH_ENV = "TRACEGRAPH_TEST_CRASH_ON"
TEST_HANG_ENV = "TRACEGRAPH_TEST_HANG_ON"


def _test_crash_hook(path: str) -> None:
    """Test hook (never set in use): a build *worker* reading a file named $TRACEGRAPH_TEST_CRASH_ON kills itself
    with SIGKILL, as the OOM killer would; $TRACEGRAPH_TEST_HANG_ON makes it sleep past its time budget. Inert
    in the main process, so a sequential build cannot kill the caller."""
    import multiprocessing

    if multiprocessing.parent_process() is None:
        return
    base = Path(path).name
    if base and base == os.environ.get(TEST_CRASH_ENV):
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
    if base and base == os.environ.get(TEST_HANG_ENV):
        time.sleep(3600)


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
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # a read-only or full disk: nothing is cached (put() fails quietly), the build still runs
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


def _worker_init(memory_bytes: int) -> None:
    """Each build worker may add at most `memory_bytes` to what it had when it started (RLIMIT_AS), so a file
    that would take all memory fails as a MemoryError in its worker, reported for that file."""
    if memory_bytes <= 0:
        return
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as fh:
            current = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = current + memory_bytes
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError, ImportError):
        pass  # no /proc or no setrlimit: the time budget still applies


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's processes now (a document past its time budget is still running in one of them)."""
    import signal

    for proc in list(getattr(pool, "_processes", {}).values()):  # no public API before Python 3.14
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    pool.shutdown(wait=True, cancel_futures=True)


_DIED = "读取该文件的工作进程意外终止（可能内存不足被系统结束），已跳过"


IN_PROCESS_ENV = "TRACEGRAPH_IN_PROCESS"


def in_process() -> bool:
    """$TRACEGRAPH_IN_PROCESS=1: documents are read in the calling process, without the worker's time and memory
    budget (tests and benchmarks that profile the reader; never for untrusted files)."""
    return os.environ.get(IN_PROCESS_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def resolve_workers(workers: int | None, todo: int) -> int:
    """How many worker processes read `todo` documents: 0 reads them in this process (asked for, or
    $TRACEGRAPH_IN_PROCESS); otherwise at least one, so every document is read under the time and memory
    budget; by default up to 4 for batches of 16 or more (one reused worker below that)."""
    if in_process() or (workers is not None and workers <= 0):
        return 0
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if todo >= 16 else 1
    return max(1, workers)


def run_budgeted(task: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """One call of `task` (module-level, returning a dict) under the same worker budget as a build: a worker
    that overruns its time or dies comes back as {"error": reason}; in-process when $TRACEGRAPH_IN_PROCESS."""
    if in_process():
        return task(*args)
    out: dict[str, Any] = {}

    def done(_i: int, res: dict[str, Any]) -> None:
        out.update(res)

    run_isolated([0], {0: args}, 1, done, task=task)
    return out


def run_isolated(
    order: list[int],
    args: dict[int, tuple[Any, ...]],
    workers: int,
    done: Callable[[int, dict[str, Any]], None],
    seconds: float | None = None,
    memory_bytes: int | None = None,
    task: Callable[..., dict[str, Any]] | None = None,
) -> None:
    """build_fragment (or `task`, a module-level function returning a dict) for each index in worker processes, at most `workers` running at once (so a submitted
    task is a running one and its age is its run time). A worker that dies (killed, out of memory) or a
    document past its wall-time budget is reported as that file's failure; the pool is replaced and the rest
    carry on. When a death cannot be pinned on one document, the documents that were running are retried one
    at a time, so only the one that kills its worker again is reported."""
    import concurrent.futures as cf
    from concurrent.futures.process import BrokenProcessPool

    from tracegraph.loaders.formats.limits import limits

    lim = limits()
    run = build_fragment if task is None else task
    seconds = lim.doc_seconds if seconds is None else seconds
    memory_bytes = lim.doc_memory_bytes if memory_bytes is None else memory_bytes
    queue = list(order)
    suspects: list[int] = []  # running when a worker died: retried alone

    def failed(i: int, why: str) -> None:
        done(i, {"error": why, "path": args[i][0]} if task is None else {"error": why})

    while queue or suspects:
        alone = bool(suspects)
        source, width = (suspects, 1) if alone else (queue, workers)
        pool = ProcessPoolExecutor(max_workers=width, initializer=_worker_init, initargs=(memory_bytes,))
        running: dict[cf.Future[dict[str, Any]], tuple[int, float]] = {}
        stop = False
        try:
            while (source or running) and not stop:
                while source and len(running) < width:
                    i = source.pop(0)
                    try:
                        running[pool.submit(run, *args[i])] = (i, time.monotonic())
                    except BrokenProcessPool:  # a worker died since the last wait: `i` never ran, it waits
                        source.insert(0, i)
                        if not running:  # nothing to pin the death on: start a new pool
                            stop = True
                        break
                if stop:
                    break
                wait_for = None
                if seconds:
                    wait_for = max(0.0, min(t for _, t in running.values()) + seconds - time.monotonic())
                finished, _ = cf.wait(running, timeout=wait_for, return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    exc = fut.exception()
                    if isinstance(exc, BrokenProcessPool):
                        stop = True  # every running task shares this fate; sorted out below
                        continue
                    i, _t = running.pop(fut)
                    if exc is not None:  # an unpicklable result or the like: this file only
                        failed(i, f"解析时出现内部错误：{type(exc).__name__}: {exc}")
                    else:
                        done(i, fut.result())
                if stop:  # a worker died: the culprit is one of those running
                    lost = [i for i, _t in running.values()]
                    if len(lost) == 1:
                        failed(lost[0], _DIED)
                    else:
                        suspects.extend(lost)
                    running.clear()
                elif seconds:
                    now = time.monotonic()
                    late = [f for f, (_, t) in running.items() if now - t >= seconds]
                    for f in late:
                        i, _t = running.pop(f)
                        failed(i, f"读取超过时间上限 {seconds:.0f} 秒（TRACEGRAPH_DOC_SECONDS），已停止")
                    if late:  # the pool is killed below; the others running start again in a new one
                        stop = True
                        source[:0] = [i for i, _t in running.values()]
                        running.clear()
        finally:
            if stop:
                _kill_workers(pool)
            else:
                pool.shutdown(wait=True)


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
    merge: bool = True,
) -> tuple[nx.MultiDiGraph, CorpusReport]:
    """Build many documents: cached fragments are reused, the rest are built in `workers` processes.
    The one pipeline for the CLI, the workspace and the benchmark; `doc_ids`/`names` let a caller that keeps
    its own registry (the workspace) choose the ids and the names files are read under. Without `merge` the
    graph returned stays empty: each fragment only goes to `on_fragment` (a loader that streams a corpus too large
    to hold, graph.stores.neo4j_stream)."""
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
    workers = resolve_workers(workers, len(todo))

    def take(i: int, frag: dict[str, Any]) -> None:
        if "error" in frag:
            report.failed.append((str(files[i]), frag["error"]))
            return
        if merge:
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
        if merge and merged % 200 == 0:  # (nothing accumulates when fragments only stream through)
            gc.freeze()

    try:
        for i in sorted(frags):
            take_and_freeze(i, frags.pop(i))
        def done(i: int, frag: dict[str, Any]) -> None:
            if cache is not None and "error" not in frag:
                cache.put(frag, ids[i])
            take_and_freeze(i, frag)
            bar.update()

        if workers >= 1 and todo:  # every document is read by a budgeted worker, one alone too
            args = {i: (str(f), did, lex, link, shown[i], max_bytes, link_config) for i, f, did in todo}
            run_isolated([i for i, _, _ in todo], args, workers, done)
        else:
            for i, f, did in todo:
                done(i, build_fragment(str(f), did, lex, link, shown[i], max_bytes, link_config))
    finally:
        gc.unfreeze()
    report.processed = len(todo)
    report.seconds = time.perf_counter() - t0
    return g, report


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why it was not read): listed, not silent
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (doc id, what reading changed in its text)


@dataclass
class InputScan:
    """What a walk of the inputs found: the files to read, those refused (symlinks leading out of their folder,
    FIFOs, devices, sockets) and those skipped by name (hidden, Office lock files, gold readings)."""

    files: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _skip_reason(name: str) -> str | None:
    if name.startswith("~$"):
        return "Office 临时文件（~$ 开头），未读取"
    if name.startswith("."):
        return "隐藏文件（. 开头），未读取"
    if ".gold" in name:
        return "人工标注文件（名称含 .gold），未读取"
    return None


def scan_inputs(paths: Iterable[str | Path], extensions: Iterable[str]) -> InputScan:
    """Files named directly plus supported files found in folders (sorted, so builds are repeatable). Folders are
    walked without following symlinks; a symlink inside a folder is read only when it resolves to a regular file
    inside that same folder. Nothing here opens a file, so a FIFO cannot block the walk."""
    from tracegraph.loaders.formats.registry import special_kind

    exts = {e.lower() for e in extensions}
    scan = InputScan()
    for p in map(Path, paths):
        if not p.is_dir():
            try:
                kind = special_kind(p.stat().st_mode)
            except OSError:
                kind = None  # missing or unreadable: the loader says so, naming the file
            if kind:
                scan.refused.append((p, f"不是普通文件（{kind}），未读取"))
            else:
                scan.files.append(p)
            continue
        root = p.resolve()
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
            for d in sorted(dirnames):
                link = Path(dirpath) / d
                if link.is_symlink():
                    scan.refused.append((link, "指向文件夹的符号链接，未进入"))
            for fname in filenames:
                f = Path(dirpath) / fname
                if f.suffix.lower() not in exts:
                    continue
                why = _skip_reason(fname)
                if why:
                    scan.skipped.append((f, why))
                    continue
                try:
                    if f.is_symlink():
                        target = f.resolve(strict=True)
                        if not target.is_relative_to(root):
                            scan.refused.append((f, "符号链接指向输入文件夹之外，未读取"))
                            continue
                    kind = special_kind(f.stat().st_mode)
                except (OSError, RuntimeError) as exc:  # a dangling or looping link
                    scan.refused.append((f, f"符号链接无法解析（{getattr(exc, 'strerror', None) or exc}），未读取"))
                    continue
                if kind:
                    scan.refused.append((f, f"不是普通文件（{kind}），未读取"))
                    continue
                found.append(f)
        scan.files.extend(sorted(found))
    scan.refused.sort()
    scan.skipped.sort()
    return scan


def iter_input_files(paths: Iterable[str | Path], extensions: Iterable[str]) -> list[Path]:
    """The files `scan_inputs` would read (refused and skipped ones left out: callers that report them use
    scan_inputs)."""
    return scan_inputs(paths, extensions).files


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

    scan = scan_inputs(paths, supported_extensions())
    files = scan.files
    g, corpus = build_corpus(
        files,
        cache_dir=cache_dir,
        workers=workers,
        lexicon_files=lexicon_files,
        link=link,
        progress=progress,
        link_config=link_config,
    )
    report = BuildReport(
        built=corpus.built,
        failed=[(str(f), why) for f, why in scan.refused] + corpus.failed,
        skipped=[(str(f), why) for f, why in scan.skipped],
        warnings=[
            (did, w["text"]) for did, d in g.graph["documents"].items() for w in d.get("decode_warnings") or []
        ],
    )
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
