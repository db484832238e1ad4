"""The public JSON contract (schema tracegraph/1) — read and write.

{"schema": "tracegraph/1",
 "documents": [{id, path, title, sha256, encoding, chars, format, text?}],
 "nodes": [{id, type, title, text, doc, start, end, path, marker, status?, kind?, canonical?, aliases?, ...}],
 "edges": [{source, target, type, origin, score?, evidence?, ...}]}
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.errors import StorageError
from tracegraph.graph.model.schema import SCHEMA

NODE_FIELDS = ("id", "type", "title", "text", "doc", "start", "end", "path", "marker")


def to_dict(g: nx.MultiDiGraph, include_text: bool = True) -> dict[str, Any]:
    docs = []
    for d in g.graph.get("documents", {}).values():
        entry = {k: v for k, v in d.items() if include_text or k != "text"}
        docs.append(entry)
    nodes = []
    for nid, data in g.nodes(data=True):
        node = {"id": nid}
        for k in NODE_FIELDS[1:]:
            node[k] = data.get(k)
        for k, v in data.items():
            if k not in node:
                node[k] = v
        nodes.append(node)
    edges = []
    for u, v, _k, data in g.edges(keys=True, data=True):
        e = {"source": u, "target": v, "type": data.get("type"), "origin": data.get("origin", "parsed")}
        for k, val in data.items():
            if k not in e:
                e[k] = val
        edges.append(e)
    return {"schema": SCHEMA, "documents": docs, "nodes": nodes, "edges": edges}


def from_dict(data: dict[str, Any]) -> nx.MultiDiGraph:
    if data.get("schema") != SCHEMA:
        raise StorageError(f"不是 tracegraph 图文件（schema 应为 {SCHEMA}，实际为 {data.get('schema')!r}）")
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    g.graph["documents"] = {d["id"]: dict(d) for d in data.get("documents", [])}
    for n in data.get("nodes", []):
        attrs = {k: v for k, v in n.items() if k != "id"}
        g.add_node(n["id"], **attrs)
    for e in data.get("edges", []):
        attrs = {k: v for k, v in e.items() if k not in ("source", "target")}
        g.add_edge(e["source"], e["target"], key=e["type"], **attrs)
    return g


def write_json(g: nx.MultiDiGraph, path: str | Path, include_text: bool = True) -> None:
    """Atomic write: a crash never leaves a half-written graph file behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(to_dict(g, include_text), fh, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_json(path: str | Path) -> nx.MultiDiGraph:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StorageError(f"{path}: 图文件不存在，请先运行 tracegraph build") from None
    except json.JSONDecodeError as exc:
        raise StorageError(f"{path}: 不是有效的 JSON（第 {exc.lineno} 行）") from None
    return from_dict(data)
