"""Names and files of a workspace: where it is, how a given file name becomes a safe name and a document id,
and the checks a file passes before it is accepted. Kept apart from workspace.py, which holds the registry,
imports and builds."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from tracegraph.errors import LoadError

if TYPE_CHECKING:
    from tracegraph.loaders.formats.document import LoadedDocument

DEFAULT_ROOT = "workspace"
ENV_VAR = "TRACEGRAPH_WORKSPACE"


def workspace_root(root: str | Path | None = None) -> Path:
    """The folder asked for, else $TRACEGRAPH_WORKSPACE, else ./workspace."""
    return Path(root or os.environ.get(ENV_VAR) or DEFAULT_ROOT).expanduser()


def base_name(name: str) -> str:
    """The last component of a name as a plain string (both separators), control characters dropped."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable()).strip()


def extension(name: str) -> str:
    base = base_name(name)
    return ("." + base.rsplit(".", 1)[-1].lower()) if "." in base.strip(".") else ""


def doc_id_from_name(name: str) -> str:
    from tracegraph.graph.model.schema import doc_id_for

    base = base_name(name)
    ext = extension(base)
    stem = base[: -len(ext)] if ext and base.lower().endswith(ext) else base
    return doc_id_for(stem)


def display_name(name: str) -> str:
    """A given file name made safe to show: no folders, no control characters, bounded length."""
    return (base_name(name) or "未命名")[:120]


def _too_big(size: int, cap: int) -> str:
    return f"文件过大（{size / 1048576:.1f} MB，上限 {cap / 1048576:.0f} MB）"


def _check_readable(data: bytes, shown: str, ext: str, max_bytes: int) -> LoadedDocument:
    """Load and parse before accepting, in a worker under the build's time and memory budget (a hostile
    upload costs what a hostile file in a build costs); the loader's reason is the user's reason."""
    from tracegraph.graph.build.pipeline import run_budgeted

    out = run_budgeted(_read_check, data, shown, ext, max_bytes)
    if "error" in out:
        raise LoadError(shown, out["error"])
    doc: LoadedDocument = out["doc"]
    return doc


def _read_check(data: bytes, shown: str, ext: str, max_bytes: int) -> dict[str, object]:
    """The check itself (runs in the worker): {"doc": LoadedDocument} or {"error": reason}."""
    from tracegraph.graph.build.pipeline import _test_crash_hook
    from tracegraph.loaders import load_file, parse

    _test_crash_hook(shown)
    try:
        doc = load_file(Path("upload" + ext), data=data, max_bytes=max_bytes)
        parse(doc)
    except LoadError as exc:
        return {"error": exc.reason}
    except Exception as exc:  # a loader bug on hostile input must refuse the file, not crash the caller
        return {"error": f"无法读取文件（{type(exc).__name__}）"}
    return {"doc": doc}


def _sha_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
