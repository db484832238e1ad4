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

from tracegraph.errors import ExportError, TracegraphError
from tracegraph.graph.exporters._registry import REGISTRY, ExportFormat, ExportJob, register
from tracegraph.graph.model.schema import TYPE_LABELS_ZH
from tracegraph.graph.query.subgraph import Selection, describe, parse_selection, resolve_id, select

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
    "safe_filename",
    "subject",
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
        subject=subject(g, sel),
    )


def _title_of(g: nx.MultiDiGraph, ref: str, sel: Selection) -> str:
    try:
        n = resolve_id(g, ref, sel.documents)
    except TracegraphError:
        return ref.split(":")[-1]
    d = g.nodes[n]
    area = d.get("area")
    area_title = str(g.nodes[area].get("title") or "") if area in g else ""
    if d.get("type") == "Problem" and 0 < len(area_title) <= 12:
        return area_title  # a problem is named by its area (基层党组织建设) when the area has a short name
    title = str(d.get("title") or ref.split(":")[-1])
    return title if len(title) <= 20 else title[:20]


def subject(g: nx.MultiDiGraph | None, selection: Selection | str) -> str:
    """The selection in a reader's words: the area or title of a traced problem, a node's title, a
    document's title, 覆盖缺口, 全部材料 — never an internal id when the graph can name it."""
    sel = parse_selection(selection) if isinstance(selection, str) else selection
    parts: list[str] = []
    refs = list(sel.trace) + list(sel.focus)
    if g is not None:
        parts += [_title_of(g, r, sel) for r in refs]
        docs = g.graph.get("documents", {})
        parts += [str((docs.get(d) or {}).get("title") or d) for d in sel.documents]
    else:
        parts += [r.split(":")[-1] for r in refs] + list(sel.documents)
    if sel.gaps:
        parts.append("覆盖缺口")
    if sel.types and not parts:
        parts.append("、".join(TYPE_LABELS_ZH.get(t, t) for t in sel.types))
    return "、".join(dict.fromkeys(p for p in parts if p)) or "全部材料"


_WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\u2028\u2029]+')
_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?$", re.IGNORECASE)


def safe_filename(name: str, limit: int = 80) -> str:
    """A file name Windows, macOS and Linux all accept: no reserved characters, no reserved device
    names (CON, NUL, COM1 …), no trailing dot or space, not too long."""
    name = _WINDOWS_BAD.sub("_", " ".join(name.split()))
    name = re.sub(r"_+", "_", name).strip(" ._")[:limit].rstrip(" .") or "导出"
    if _WINDOWS_RESERVED.match(name):
        name = "_" + name
    return name


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


def default_filename(
    selection: Selection | str, fmt: str, today: date | None = None, g: nx.MultiDiGraph | None = None
) -> str:
    """A Chinese file name that says what was exported, safe on Windows, e.g.
    ``整改追溯_基层党组织建设_2026-11-30.docx`` (with the graph, the selection is named by its titles;
    without it, by the short ids)."""
    stamp = (today or date.today()).strftime("%Y-%m-%d")
    name = safe_filename(f"整改追溯_{safe_filename(subject(g, selection), 40)}_{stamp}")
    return name + get_format(fmt).suffix


def export_bytes(
    g: nx.MultiDiGraph, selection: Selection | str, fmt: str, title: str | None = None, today: date | None = None
) -> tuple[bytes, str, str]:
    """The export as (bytes, file name, MIME type) — what a download button needs. Folder formats
    (csv) come as a zip."""
    spec = get_format(fmt)
    name = default_filename(selection, fmt, today, g)
    with tempfile.TemporaryDirectory(prefix="tracegraph-export-") as tmp:
        out = Path(tmp) / name
        export(g, selection, fmt, out, title, today)
        return out.read_bytes(), name, spec.mime
