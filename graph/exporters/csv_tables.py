"""Two tables, ``nodes.csv`` and ``edges.csv``, UTF-8 with BOM so Excel opens the Chinese correctly.
Text cells that Excel would take for a formula (starting with = + - @) get a leading apostrophe.

``--out`` ending in ``.zip`` writes one zip holding both files (what the app's download button gives);
any other ``--out`` is a folder, created if needed, that receives both files."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.graph.exporters._flat import flat_value
from tracegraph.graph.exporters._registry import ExportJob, register
from tracegraph.graph.model.schema import EDGE_LABELS_ZH, ORIGIN_LABELS_ZH, TYPE_LABELS_ZH
from tracegraph.graph.query.naming import doc_label

NODE_COLUMNS = (
    "id",
    "type",
    "type_zh",
    "title",
    "doc",
    "doc_title",
    "path",
    "start",
    "end",
    "marker",
    "status",
    "kind",
    "canonical",
    "area",
    "text",
)
EDGE_COLUMNS = (
    "source",
    "target",
    "type",
    "type_zh",
    "origin",
    "origin_zh",
    "score",
    "source_sentence",
    "target_sentence",
    "shared_terms",
    "shared_refs",
    "similarity",
    "mentions",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXTRA = "extra"  # every other attribute, as one JSON object
# Zip members get a fixed time so the same export gives the same bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _cell(value: Any) -> Any:
    v = flat_value(value)
    if isinstance(v, str) and v[:1] in FORMULA_START:
        return "'" + v  # Excel would run "=…" / "+…" / "-…" / "@…" as a formula
    return "" if v is None else v


def _extra(d: dict[str, Any], used: set[str]) -> str:
    rest = {k: v for k, v in d.items() if k not in used and v is not None}
    return _cell(rest) if rest else ""


def node_rows(g: nx.MultiDiGraph) -> list[list[Any]]:
    rows: list[list[Any]] = [[*NODE_COLUMNS, EXTRA]]
    used = set(NODE_COLUMNS)
    # reading order, whatever order the graph was loaded in (a file and a shared store give the same tables)
    for n, d in sorted(g.nodes(data=True), key=lambda x: (x[1].get("doc") or "", x[1].get("start") or 0, x[0])):
        row = {"id": n, "type_zh": TYPE_LABELS_ZH.get(d.get("type") or "", ""), **d}
        if d.get("doc"):  # the document as a reader names it: two documents' P1.2 never read alike
            row["doc_title"] = doc_label(g, str(d["doc"]))
        rows.append([_cell(row.get(c)) for c in NODE_COLUMNS] + [_extra(d, used)])
    return rows


def edge_rows(g: nx.MultiDiGraph) -> list[list[Any]]:
    rows: list[list[Any]] = [[*EDGE_COLUMNS, EXTRA]]
    used = {"type", "origin", "score", "mentions", "evidence"}
    for u, v, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1], str(e[2].get("type")))):
        ev = d.get("evidence") or {}
        row = {
            "source": u,
            "target": v,
            "type": d.get("type"),
            "type_zh": EDGE_LABELS_ZH.get(d.get("type") or "", ""),
            "origin": d.get("origin"),
            "origin_zh": ORIGIN_LABELS_ZH.get(d.get("origin") or "", ""),
            "score": d.get("score"),
            "mentions": d.get("mentions"),
            "source_sentence": (ev.get("source_sentence") or {}).get("text"),
            "target_sentence": (ev.get("target_sentence") or {}).get("text"),
            "shared_terms": "、".join(ev.get("shared_terms") or []) or None,
            "shared_refs": "、".join(ev.get("shared_refs") or []) or None,
            "similarity": ev.get("similarity"),
        }
        extra = {k: val for k, val in d.items() if k not in used}
        if ev:
            extra["evidence"] = ev
        rows.append([_cell(row.get(c)) for c in EDGE_COLUMNS] + [_extra(extra, set())])
    return rows


def _csv_bytes(rows: list[list[Any]]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def csv_files(g: nx.MultiDiGraph) -> dict[str, bytes]:
    return {"nodes.csv": _csv_bytes(node_rows(g)), "edges.csv": _csv_bytes(edge_rows(g))}


@register("csv", ".zip", "application/zip", "表格 CSV（nodes.csv 与 edges.csv；--out 为文件夹或 .zip）")
def write_csv(job: ExportJob, out: Path) -> None:
    files = csv_files(job.graph)
    if out.suffix.lower() == ".zip":
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                zf.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
