"""A workspace folder: the analyst's documents, their curation and the graph built from both.

Over 400 lines on purpose: `Workspace` is the one place every workspace write goes through (registry, stored
files, builds, uploads), so its transactions and failure handling read in one piece; names and file checks
live in workspace_files.py.

    <root>/registry.sqlite     documents: id, original name, stored path, sha256, encoding, imported_at
    <root>/curation.sqlite     the curation store (graph.curation)
    <root>/documents/          stored copies, under generated names doc-<sha256 prefix><ext>
    <root>/build/graph.json    the last curated build; build/cache/ the build pipeline's per-document cache

A file's given name is metadata only — never a path — so `../../etc/passwd.txt` is stored inside the
workspace like any other upload. A file is read and parsed before it is accepted, so an empty, binary,
damaged or encrypted one is refused with the loader's own reason and leaves nothing behind. Importing
a file with the same name as a registered one (or with `replaces=doc_id`) makes a new version of that
document: same document id, so curation decisions follow it (re-attached by content). A different name
that merely sanitises to a taken id gets its own id (suffix of its sha256). A read-only or full disk is
one TracegraphError line and leaves registry, store and stored files as they were.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from tracegraph.errors import LoadError, NotFoundError, StorageError, TracegraphError
from tracegraph.graph.curation.apply import apply_curation
from tracegraph.graph.curation.inputs import default_user, now_utc
from tracegraph.graph.curation.log import DecisionLog
from tracegraph.graph.curation.records import CurationReport
from tracegraph.graph.curation.scenes import SceneStore
from tracegraph.graph.curation.sqlite import SqliteFile, storage_error
from tracegraph.graph.curation.store import CurationStore
from tracegraph.graph.curation.workspace_files import (
    _check_readable,
    _sha_file,
    _too_big,
    base_name,
    display_name,
    doc_id_from_name,
    extension,
    workspace_root,
)
from tracegraph.loaders.formats.registry import MAX_BYTES, supported_extensions

if TYPE_CHECKING:
    pass

REGISTRY_SCHEMA = "tracegraph-registry/1"
_REGISTRY_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    doc_id TEXT PRIMARY KEY,
    original_name TEXT NOT NULL,
    stored_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    encoding TEXT NOT NULL,
    format TEXT NOT NULL,
    size INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS history(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    action TEXT NOT NULL,
    original_name TEXT,
    sha256 TEXT,
    stored_path TEXT,
    at TEXT NOT NULL,
    user TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class DocRecord:
    doc_id: str
    original_name: str  # as given (display only, never used as a path)
    stored_path: str  # relative to the workspace root
    sha256: str
    encoding: str
    format: str
    size: int
    imported_at: str  # UTC ISO
    imported_by: str
    version: int


@dataclass(frozen=True)
class ImportResult:
    record: DocRecord
    status: str  # new | replaced | unchanged | duplicate (same content already registered as another id)
    warnings: list[str] = field(default_factory=list)  # what reading changed in the text (bytes replaced, …)


@dataclass
class WorkspaceBuild:
    graph: nx.MultiDiGraph
    built: list[str] = field(default_factory=list)  # doc ids
    failed: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason)
    curation: CurationReport = field(default_factory=CurationReport)
    notes: list[str] = field(default_factory=list)
    written: bool = False  # build/graph.json holds this build (False: the write failed, see notes)


@dataclass(frozen=True)
class UploadResult:
    """What became of one uploaded file, in one line for the analyst."""

    name: str  # display_name of the name given (shown only, never a path)
    ok: bool
    message: str  # one line, Chinese
    doc_id: str = ""


class Workspace:
    """Documents + curation + builds in one folder; every write goes through here."""

    def __init__(self, root: str | Path | None = None, user: str | None = None, max_bytes: int = MAX_BYTES,
                 decision_log: DecisionLog | None = None) -> None:
        """`decision_log`: where the curation decisions live when not in this folder's curation.sqlite — the
        team's log on Neo4j (graph.stores.neo4j_curation), shared by every analyst on that server."""
        self.root = workspace_root(root).resolve()
        self.user = user
        self.max_bytes = max_bytes
        self.decision_log = decision_log
        self._registry: SqliteFile | None = None
        self._curation: CurationStore | None = None
        self._scenes: SceneStore | None = None

    # ------------------------------------------------------------------ paths and stores
    @property
    def documents_dir(self) -> Path:
        return self.root / "documents"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def graph_path(self) -> Path:
        return self.build_dir / "graph.json"

    @property
    def metadata_path(self) -> Path:
        """Corrections to document metadata (`tracegraph meta --meta <workspace>/metadata.json`)."""
        return self.root / "metadata.json"

    @property
    def registry(self) -> SqliteFile:
        if self._registry is None:
            self._ensure_root()
            self._registry = SqliteFile(self.root / "registry.sqlite", _REGISTRY_DDL, REGISTRY_SCHEMA, "文档登记库")
        return self._registry

    @property
    def curation(self) -> CurationStore:
        if self._curation is None:
            self._ensure_root()
            self._curation = CurationStore(self.decision_log or self.root / "curation.sqlite", self.user)
        return self._curation

    @property
    def scenes(self) -> SceneStore:
        """The explorer's named scenes (``scenes.sqlite``)."""
        if self._scenes is None:
            self._ensure_root()
            self._scenes = SceneStore(self.root / "scenes.sqlite", self._user())
        return self._scenes

    def _user(self) -> str:
        return self._curation.user if self._curation is not None else (self.user or default_user())

    def _ensure_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise StorageError(f"工作区路径不是文件夹：{self.root}")
        if not self.root.exists():
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise storage_error(exc, "创建工作区", self.root) from None

    def close(self) -> None:
        for s in (self._registry, self._curation, self._scenes):
            if s is not None:
                s.close()
        self._registry = self._curation = self._scenes = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ registry
    def documents(self) -> list[DocRecord]:
        rows = self.registry.read("SELECT * FROM documents ORDER BY imported_at, doc_id")
        return [DocRecord(**r) for r in rows]

    def document(self, doc_id: str) -> DocRecord:
        rows = self.registry.read("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        if not rows:
            raise NotFoundError(f"工作区中没有文档“{doc_id}”")
        return DocRecord(**rows[0])

    def history(self) -> list[dict[str, object]]:
        return self.registry.read("SELECT * FROM history ORDER BY id")

    def import_file(self, path: str | Path, name: str | None = None, replaces: str | None = None) -> ImportResult:
        """Import a file from disk (size checked before it is read)."""
        from tracegraph.loaders.formats.registry import read_regular_file

        p = Path(path)
        shown = name or p.name
        data = read_regular_file(p, self.max_bytes, shown=shown)  # a FIFO or device is refused, never read
        return self.import_bytes(data, shown, replaces=replaces)

    def import_bytes(self, data: bytes, name: str, replaces: str | None = None) -> ImportResult:
        """Check, store and register one document; see the module docstring for naming and versions."""
        shown = str(name)[:1000]
        ext = extension(shown)
        if ext not in supported_extensions():
            raise LoadError(
                shown, f"不支持的文件类型“{ext or '(无扩展名)'}”，支持：{'、'.join(supported_extensions())}"
            )
        if len(data) > self.max_bytes:
            raise LoadError(shown, _too_big(len(data), self.max_bytes))
        doc = _check_readable(data, shown, ext, self.max_bytes)
        warnings = [str(w.get("text", "")) for w in doc.decode_warnings if w.get("text")]
        sha = hashlib.sha256(data).hexdigest()
        doc_id = replaces or doc_id_from_name(shown)
        if replaces is not None:
            self.document(replaces)  # must exist
        same = self.registry.read("SELECT * FROM documents WHERE sha256 = ?", (sha,))
        if same:
            rec = DocRecord(**same[0])
            return ImportResult(rec, "unchanged" if rec.doc_id == doc_id else "duplicate", warnings)
        if replaces is None:
            taken = self.registry.read("SELECT original_name FROM documents WHERE doc_id = ?", (doc_id,))
            if taken and base_name(taken[0]["original_name"]) != base_name(shown):
                doc_id = f"{doc_id}_{sha[:8]}"  # another file whose name merely sanitises to the same id
        stored = f"documents/doc-{sha[:24]}{ext}"
        target = self.root / stored
        created = self._store_file(target, data)
        user = self._user()
        at = now_utc()
        try:
            with self.registry.write("登记文档") as c:
                row = c.execute("SELECT stored_path, version FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
                if row is None:
                    c.execute(
                        "INSERT INTO documents(doc_id, original_name, stored_path, sha256, encoding, format, size, "
                        "imported_at, imported_by, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                        (doc_id, shown, stored, sha, doc.encoding, doc.format, len(data), at, user),
                    )
                    status, old_path, version = "new", None, 1
                else:
                    old_path, version = row[0], int(row[1]) + 1
                    c.execute(
                        "UPDATE documents SET original_name=?, stored_path=?, sha256=?, encoding=?, format=?, size=?, "
                        "imported_at=?, imported_by=?, version=? WHERE doc_id=?",
                        (shown, stored, sha, doc.encoding, doc.format, len(data), at, user, version, doc_id),
                    )
                    status = "replaced"
                c.execute(
                    "INSERT INTO history(doc_id, action, original_name, sha256, stored_path, at, user) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (doc_id, status, shown, sha, stored, at, user),
                )
        except BaseException:
            if created:
                target.unlink(missing_ok=True)
            raise
        if old_path and old_path != stored:
            self._drop_file_if_unused(old_path)
        return ImportResult(self.document(doc_id), status, warnings)

    def remove(self, doc_id: str) -> None:
        """Unregister a document (its curation decisions stay and show as orphans until it returns)."""
        rec = self.document(doc_id)
        with self.registry.write("删除文档") as c:
            c.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            c.execute(
                "INSERT INTO history(doc_id, action, original_name, sha256, stored_path, at, user) "
                "VALUES (?, 'removed', ?, ?, ?, ?, ?)",
                (doc_id, rec.original_name, rec.sha256, rec.stored_path, now_utc(), self._user()),
            )
        self._drop_file_if_unused(rec.stored_path)

    def _store_file(self, target: Path, data: bytes) -> bool:
        """Write atomically under the generated name; True when the file is new."""
        if target.exists():
            return False
        tmp = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".part-", dir=str(target.parent))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
            tmp = None
        except OSError as exc:
            raise storage_error(exc, "保存文档", self.root) from None
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        return True

    def _drop_file_if_unused(self, stored: str) -> None:
        if self.registry.read("SELECT 1 FROM documents WHERE stored_path = ?", (stored,)):
            return
        try:
            (self.root / stored).unlink(missing_ok=True)
        except OSError:
            pass  # a left-over copy is harmless; the registry no longer points at it

    # ------------------------------------------------------------------ builds
    def build(self, use_cache: bool = True) -> WorkspaceBuild:
        """Build from the registered documents through the one pipeline (its fragment cache under build/cache
        unless `use_cache` is off), apply metadata corrections and curation, write build/graph.json."""
        out = WorkspaceBuild(graph=nx.MultiDiGraph())
        g = self._build_linked(self.documents(), out, use_cache)
        out.graph = g
        from tracegraph.graph.corpus.metadata import apply_to_graph, load_overrides

        apply_to_graph(g, load_overrides(self.metadata_path))  # the analyst's metadata corrections
        out.curation = apply_curation(g, self.curation)
        self._write_graph(g, self.graph_path, out)
        return out

    def graph(self) -> nx.MultiDiGraph:
        return self.build().graph

    # ------------------------------------------------------------------ what an app shows and uploads
    def graph_version(self) -> float:
        """Changes whenever the graph shown must change: a new build or a new curation decision."""
        try:
            built = self.graph_path.stat().st_mtime_ns / 1e9
        except FileNotFoundError:
            built = 0.0
        return built + self._curation_version() * 1e-6

    def _curation_version(self) -> int:
        try:
            return int(self.curation.version())
        except Exception:  # no store yet, or a read-only folder: nothing curated to show
            return 0

    def current_graph(self) -> nx.MultiDiGraph:
        """The curated graph: the last build while curation is unchanged since (build/graph.curation
        records the version it applied), else a fresh build (linking comes from its cache); empty when
        nothing was imported yet."""
        from tracegraph.graph.build.document import new_graph
        from tracegraph.graph.model.io import read_json

        if not self.documents_dir.exists() or not self.documents():
            return new_graph()
        stamp = self.graph_path.with_suffix(".curation")
        current = str(self._curation_version())
        if self.graph_path.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == current:
            return read_json(self.graph_path)
        g = self.build().graph
        try:
            stamp.write_text(current, encoding="utf-8")
        except OSError:
            pass  # a read-only workspace still shows the freshly applied curation
        return g

    def add_upload(self, name: str, data: bytes) -> UploadResult:
        """Import one uploaded file (checked by import_bytes: type, size, readable content) and rebuild.
        Never raises: a file that cannot be used is a one-line reason and leaves nothing behind."""
        shown = display_name(name)
        try:
            res = self.import_bytes(data, shown)
        except TracegraphError as exc:
            return UploadResult(shown, False, _one_line(getattr(exc, "reason", None) or str(exc)))
        except Exception as exc:  # a damaged file must not take the app down: report it in one line
            return UploadResult(shown, False, _one_line(f"无法读取文件（{type(exc).__name__}）"))
        did = res.record.doc_id
        # what reading changed in the text (bytes replaced, characters dropped, XML not read), said at once
        note = _one_line(f"；注意：{'；'.join(res.warnings)}") if res.warnings else ""
        if res.status in ("unchanged", "duplicate"):
            return UploadResult(shown, True, f"工作区中已有相同文档（{did}），未重复加入{note}", did)
        build = self.build()
        failed = dict(build.failed)
        if did in failed:
            return UploadResult(shown, False, _one_line(failed[did]), did)
        return UploadResult(shown, True, f"已加入：{did}（{_counts(build.graph, did)}）{note}", did)

    def _build_linked(self, docs: list[DocRecord], out: WorkspaceBuild, use_cache: bool = True) -> nx.MultiDiGraph:
        """The registered documents through the one build pipeline (its fragment cache under build/cache)."""
        from tracegraph.graph.build.pipeline import build_corpus
        from tracegraph.graph.corpus.clusters import add_similar_edges, group_problems

        files: list[Path] = []
        ready: list[DocRecord] = []
        for r in docs:
            p = self.root / r.stored_path
            try:
                sha = _sha_file(p)
            except OSError as exc:
                out.failed.append((r.doc_id, f"存储的文件无法读取：{exc.strerror or exc}"))
                continue
            if sha != r.sha256:
                out.failed.append((r.doc_id, "存储的文件已被改动（sha256 不符），请重新导入"))
                continue
            files.append(p)
            ready.append(r)
        g, report = build_corpus(
            files,
            cache_dir=self.build_dir / "cache" if use_cache else None,
            doc_ids=[r.doc_id for r in ready],
            names=[r.doc_id + extension(r.stored_path) for r in ready],
            max_bytes=self.max_bytes,
        )
        by_path = {str(self.root / r.stored_path): r for r in ready}
        out.failed += [(by_path[p].doc_id if p in by_path else p, why) for p, why in report.failed]
        for built in report.built:
            r = by_path[built]
            g.graph["documents"][r.doc_id].update(path=built, original_name=r.original_name, version=r.version)
            out.built.append(r.doc_id)
        if len(g.graph["documents"]) > 1:
            add_similar_edges(g, group_problems(g))
        return g

    def _write_graph(self, g: nx.MultiDiGraph, path: Path, out: WorkspaceBuild) -> None:
        """A read-only or full disk is noted (and `written` stays False), not fatal, for a build."""
        from tracegraph.graph.model.io import write_json

        try:
            write_json(g, path)
            out.written = True
        except OSError as exc:
            out.notes.append(str(storage_error(exc, "写入构建缓存", path)))


def _one_line(s: str) -> str:
    return " ".join(str(s).split())[:300]


def _counts(g: nx.MultiDiGraph, doc: str) -> str:
    from tracegraph.graph.model.schema import TYPE_LABELS_ZH

    c: dict[str, int] = {}
    for _, d in g.nodes(data=True):
        if d.get("doc") == doc and d.get("type") in ("Problem", "Cause", "Measure"):
            c[d["type"]] = c.get(d["type"], 0) + 1
    return "，".join(f"{TYPE_LABELS_ZH[t]} {c.get(t, 0)}" for t in ("Problem", "Cause", "Measure"))
