"""The workspace folder the app works in — one registry of documents, the curation store and the curated
build, shared with `tracegraph curate` (graph/workspace.py). An upload is stored under a generated name:
the name a browser sends is never used as a path, only shown. A file that cannot be read yields a one-line
reason and leaves nothing behind.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

ALLOWED_EXTENSIONS = (".txt", ".md", ".docx", ".pdf")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ENV_VAR = "TRACEGRAPH_WORKSPACE"

_LOCK = threading.Lock()  # one Streamlit process serves every browser tab: uploads must not interleave


@dataclass(frozen=True)
class UploadResult:
    name: str  # as the browser sent it (display only)
    ok: bool
    message: str  # one line, Chinese
    doc_id: str = ""


def workspace_dir(env: dict[str, str] | None = None) -> Path:
    """The workspace folder: $TRACEGRAPH_WORKSPACE, else ./workspace."""
    env = dict(os.environ) if env is None else env
    return Path(env.get(ENV_VAR) or "workspace").expanduser().resolve()


def extension_of(name: str) -> str:
    """The lower-case extension of an uploaded name, looked at as a plain string (never as a path)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return ("." + base.rsplit(".", 1)[-1].lower()) if "." in base.strip(".") else ""


def display_name(name: str) -> str:
    """The uploaded file's name made safe to show: no folders, no control characters, bounded length."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return (base or "未命名")[:120]


class Workspace:
    """The app's view of the workspace folder. Storage, the document registry, curation and builds are
    `graph.workspace.Workspace`'s: an upload is imported there (a generated file name, never the browser's),
    and the graph shown is its curated build (build/graph.json)."""

    def __init__(self, root: str | Path) -> None:
        from tracegraph.graph.curation.workspace import Workspace as CoreWorkspace

        self.root = Path(root).resolve()
        self.core = CoreWorkspace(self.root, max_bytes=MAX_UPLOAD_BYTES)

    @property
    def graph_path(self) -> Path:
        return self.core.graph_path

    def graph_mtime(self) -> float:
        """Changes whenever the graph shown must change: a new build or a new curation decision."""
        try:
            built = self.graph_path.stat().st_mtime_ns / 1e9
        except FileNotFoundError:
            built = 0.0
        return built + self._curation_version() * 1e-6

    def _curation_version(self) -> int:
        try:
            return int(self.core.curation.version())
        except Exception:  # no store yet, or a read-only folder: nothing curated to show
            return 0

    def load_graph(self) -> nx.MultiDiGraph:
        """The curated workspace graph; rebuilt (from cache) when curation changed since the last build,
        empty when nothing was imported yet."""
        from tracegraph.graph.build.document import new_graph
        from tracegraph.graph.model.io import read_json

        if not self.core.documents_dir.exists() or not self.core.documents():
            return new_graph()
        stamp = self.graph_path.with_suffix(".curation")
        current = str(self._curation_version())
        if self.graph_path.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == current:
            return read_json(self.graph_path)
        g = self.core.build().graph
        try:
            stamp.write_text(current, encoding="utf-8")
        except OSError:
            pass  # a read-only workspace still shows the freshly applied curation
        return g

    def uploads(self) -> list[dict[str, str]]:
        """What was imported: stored file, shown name, document id."""
        return [
            {"file": Path(r.stored_path).name, "name": display_name(r.original_name), "doc_id": r.doc_id,
             "sha256": r.sha256}
            for r in self.core.documents()
        ]

    def add_upload(self, name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> UploadResult:
        """Check, import and build one uploaded file; the graph is rebuilt on success."""
        from tracegraph.errors import TracegraphError

        shown = display_name(name)
        ext = extension_of(shown)
        if ext not in ALLOWED_EXTENSIONS:
            allowed = "、".join(ALLOWED_EXTENSIONS)
            return UploadResult(shown, False, f"不支持的文件类型“{ext or '无扩展名'}”，支持：{allowed}")
        if not data:
            return UploadResult(shown, False, "文件为空（0 字节）")
        if len(data) > max_bytes:
            size, cap = len(data) / 1048576, max_bytes / 1048576
            return UploadResult(shown, False, f"文件过大（{size:.1f} MB，上限 {cap:.0f} MB）")
        with _LOCK:
            try:
                res = self.core.import_bytes(data, shown)
            except TracegraphError as exc:
                reason = getattr(exc, "reason", None) or str(exc)
                return UploadResult(shown, False, _one_line(reason))
            except Exception as exc:  # a damaged file must not take the app down: report it in one line
                return UploadResult(shown, False, _one_line(f"无法读取文件（{type(exc).__name__}）"))
            did = res.record.doc_id
            if res.status in ("unchanged", "duplicate"):
                return UploadResult(shown, True, f"工作区中已有相同文档（{did}），未重复加入", did)
            build = self.core.build()
            g = build.graph
        failed = dict(build.failed)
        if did in failed:
            return UploadResult(shown, False, _one_line(failed[did]), did)
        return UploadResult(shown, True, f"已加入：{did}（{_counts(g, did)}）", did)


def _one_line(s: str) -> str:
    return " ".join(str(s).split())[:300]


def _counts(g: nx.MultiDiGraph, doc: str) -> str:
    from tracegraph.graph.model.schema import TYPE_LABELS_ZH

    c: dict[str, int] = {}
    for _, d in g.nodes(data=True):
        if d.get("doc") == doc and d.get("type") in ("Problem", "Cause", "Measure"):
            c[d["type"]] = c.get(d["type"], 0) + 1
    return "，".join(f"{TYPE_LABELS_ZH[t]} {c.get(t, 0)}" for t in ("Problem", "Cause", "Measure"))
