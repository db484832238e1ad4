"""Export a selected subgraph for briefings and for other tools.

Every module in this package that does not start with ``_`` registers its formats with
:func:`graph.exporters._registry.register` when imported, so adding a format means adding one module.
The public entry points are :func:`export` (write to a path), :func:`export_bytes` (for the app's
download buttons) and :func:`formats` (the registry).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import tempfile
from datetime import date
from pathlib import Path

import networkx as nx

from tracegraph.errors import ExportError
from tracegraph.graph.exporters._registry import REGISTRY, ExportFormat, ExportJob, register
from tracegraph.graph.query.subgraph import Selection, describe, parse_selection, select

__all__ = [
    "ExportFormat",
    "ExportJob",
    "default_filename",
    "export",
    "export_bytes",
    "formats",
    "get_format",
    "make_job",
    "register",
]

_loaded = False


def formats() -> dict[str, ExportFormat]:
    """All registered formats by name (imports the format modules on first use)."""
    global _loaded
    if not _loaded:
        for mod in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
            importlib.import_module(f"{__name__}.{mod}")
        _loaded = True
    return dict(sorted(REGISTRY.items()))


def get_format(name: str) -> ExportFormat:
    fmts = formats()
    key = (name or "").strip().lower().lstrip(".")
    if key not in fmts:
        raise ExportError(f"不支持的导出格式“{name}”（可用：{'、'.join(fmts)}）")
    return fmts[key]


def make_job(
    g: nx.MultiDiGraph, selection: Selection | str, title: str | None = None, today: date | None = None
) -> ExportJob:
    """Select the subgraph once; every writer gets the same job."""
    sel = parse_selection(selection) if isinstance(selection, str) else selection
    sub = select(g, sel)
    return ExportJob(
        graph=sub,
        source=g,
        selection=sel,
        scope=describe(sel),
        title=title or "整改追溯情况摘编",
        generated=today or date.today(),
    )


def export(
    g: nx.MultiDiGraph,
    selection: Selection | str,
    fmt: str,
    out: str | Path,
    title: str | None = None,
    today: date | None = None,
) -> ExportJob:
    """Write one format to ``out`` and return the job (its ``graph`` is what was exported)."""
    spec = get_format(fmt)
    job = make_job(g, selection, title, today)
    out = Path(out)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    spec.writer(job, out)
    return job


def default_filename(selection: Selection | str, fmt: str, today: date | None = None) -> str:
    """An ASCII file name that says what was exported, e.g. ``tracegraph-trace-P5.2-20240501.docx``."""
    sel = parse_selection(selection) if isinstance(selection, str) else selection
    parts: list[str] = []
    if sel.trace:
        parts += ["trace", *[t.split(":")[-1] for t in sel.trace]]
    if sel.focus:
        parts += ["focus", *[t.split(":")[-1] for t in sel.focus]]
    if sel.gaps:
        parts.append("gaps")
    if sel.types:
        parts += ["types", *sel.types]
    if sel.documents:
        parts.append("doc")
    if not parts:
        parts.append("all")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(parts)).strip("._-")[:60] or "export"
    stamp = (today or date.today()).strftime("%Y%m%d")
    return f"tracegraph-{slug}-{stamp}{get_format(fmt).suffix}"


def export_bytes(
    g: nx.MultiDiGraph, selection: Selection | str, fmt: str, title: str | None = None, today: date | None = None
) -> tuple[bytes, str, str]:
    """The export as (bytes, file name, MIME type) — what a download button needs. Folder formats
    (csv) come as a zip."""
    spec = get_format(fmt)
    name = default_filename(selection, fmt, today)
    with tempfile.TemporaryDirectory(prefix="tracegraph-export-") as tmp:
        out = Path(tmp) / name
        export(g, selection, fmt, out, title, today)
        return out.read_bytes(), name, spec.mime
