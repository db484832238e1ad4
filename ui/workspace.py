"""The workspace folder the app works in: ``graph.json`` plus the uploaded documents, kept across restarts.

An upload is saved under a generated name (``up-<sha256 prefix><ext>``): the name a browser sends is
never used as a path, only shown. Files are size-capped, then loaded, parsed, added to the graph and
linked; the graph is written atomically. A file that cannot be read yields a one-line reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

ALLOWED_EXTENSIONS = (".txt", ".md", ".docx", ".pdf")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
GRAPH_FILE = "graph.json"
UPLOAD_DIR = "uploads"
MANIFEST = "uploads.json"
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


def stored_name(data: bytes, ext: str) -> str:
    """The generated file name an upload is kept under."""
    return f"up-{hashlib.sha256(data).hexdigest()[:20]}{ext}"


def doc_id_for_upload(name: str, data: bytes, taken: set[str]) -> str:
    """A readable document id from the shown name (an id, never a path), unique in the graph."""
    from graph.model import doc_id_for

    stem = display_name(name)
    ext = extension_of(stem)
    if ext and stem.lower().endswith(ext):
        stem = stem[: -len(ext)]
    did = doc_id_for(stem)
    if did in taken:
        did = f"{did}_{hashlib.sha256(data).hexdigest()[:8]}"
    return did


class Workspace:
    """A folder with graph.json and uploads/; every write goes through here."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    @property
    def graph_path(self) -> Path:
        return self.root / GRAPH_FILE

    @property
    def upload_dir(self) -> Path:
        return self.root / UPLOAD_DIR

    def graph_mtime(self) -> float:
        try:
            return self.graph_path.stat().st_mtime_ns / 1e9
        except FileNotFoundError:
            return 0.0

    def load_graph(self) -> nx.MultiDiGraph:
        """The workspace graph, or an empty one when nothing has been built yet."""
        from graph.build import new_graph
        from graph.io import read_json

        if not self.graph_path.exists():
            return new_graph()
        return read_json(self.graph_path)

    def uploads(self) -> list[dict[str, str]]:
        """What was uploaded: stored file, shown name, document id."""
        p = self.upload_dir / MANIFEST
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return []
        return [e for e in data if isinstance(e, dict)]

    def _write_manifest(self, entries: list[dict[str, str]]) -> None:
        p = self.upload_dir / MANIFEST
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, p)

    def add_upload(self, name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> UploadResult:
        """Save, load, parse, add and link one uploaded file; the graph file is rewritten on success."""
        from graph.build import add_document
        from graph.io import write_json
        from graph.link import link_graph
        from loaders import LoadError, load_file, parse

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
        sha = hashlib.sha256(data).hexdigest()
        with _LOCK:
            g = self.load_graph()
            for did, d in g.graph.get("documents", {}).items():
                if d.get("sha256") == sha:
                    return UploadResult(shown, True, f"工作区中已有相同文档（{did}），未重复加入", did)
            self.upload_dir.mkdir(parents=True, exist_ok=True)
            target = self.upload_dir / stored_name(data, ext)
            tmp = target.with_name(target.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, target)
            try:
                parsed = parse(load_file(target))
            except LoadError as exc:
                target.unlink(missing_ok=True)
                return UploadResult(shown, False, _one_line(exc.reason))
            except Exception as exc:  # a damaged file must not take the app down: report it in one line
                target.unlink(missing_ok=True)
                return UploadResult(shown, False, _one_line(f"无法读取文件（{type(exc).__name__}）"))
            did = doc_id_for_upload(shown, data, set(g.graph.get("documents", {})) | set(g.nodes))
            add_document(g, parsed, did)
            link_graph(g, [did])
            write_json(g, self.graph_path)
            entries = [e for e in self.uploads() if e.get("doc_id") != did]
            entries.append({"file": target.name, "name": shown, "doc_id": did, "sha256": sha})
            self._write_manifest(entries)
        counts = _counts(g, did)
        return UploadResult(shown, True, f"已加入：{did}（{counts}）", did)


def _one_line(s: str) -> str:
    return " ".join(str(s).split())[:300]


def _counts(g: nx.MultiDiGraph, doc: str) -> str:
    from graph.model import TYPE_LABELS_ZH

    c: dict[str, int] = {}
    for _, d in g.nodes(data=True):
        if d.get("doc") == doc and d.get("type") in ("Problem", "Cause", "Measure"):
            c[d["type"]] = c.get(d["type"], 0) + 1
    return "，".join(f"{TYPE_LABELS_ZH[t]} {c.get(t, 0)}" for t in ("Problem", "Cause", "Measure"))
