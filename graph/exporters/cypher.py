"""A Cypher script that recreates the subgraph in Neo4j (cypher-shell -f file.cypher, or Neo4j Browser).

One statement per line: a uniqueness constraint, then ``MERGE`` per node on ``id`` (every node also gets
the ``Tracegraph`` label so edges can find it by index) and ``MERGE`` per edge. Labels and relationship
types come only from the fixed schema in ``graph.model``; everything taken from documents is a string
literal, escaped so no title can end the literal or the statement: backslash, both quotes, line breaks
and other control, format (bidi) and separator characters are written as escapes. Lists and dicts
become JSON strings (Neo4j properties hold only scalars and lists of scalars); lists of strings stay
lists. Importing twice updates rather than duplicates."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.graph.exporters._registry import ExportJob, register
from tracegraph.graph.model.schema import EDGE_TYPES, NODE_TYPES

BASE_LABEL = "Tracegraph"
_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _unicode_escape(ch: str) -> str:
    cp = ord(ch)
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    cp -= 0x10000
    return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"


def cypher_string(text: str) -> str:
    """A single-quoted Cypher string literal for any text."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif unicodedata.category(ch) in _UNSAFE_CATEGORIES:
            out.append(_unicode_escape(ch))
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def cypher_key(key: str) -> str:
    """A property key: plain when it is an identifier, else back-quoted (back-quotes doubled)."""
    if _PLAIN_KEY.fullmatch(key):
        return key
    kept = "".join(ch for ch in key if unicodedata.category(ch) not in _UNSAFE_CATEGORIES)
    return "`" + kept.replace("`", "``") + "`"


def cypher_value(value: Any) -> str | None:
    """A Cypher literal, or None when the value is dropped."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else cypher_string(str(value))
    if isinstance(value, str):
        return cypher_string(value)
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(cypher_string(v) for v in value) + "]"
    return cypher_string(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def cypher_map(props: dict[str, Any]) -> str:
    items = []
    for k in sorted(props):
        lit = cypher_value(props[k])
        if lit is not None:
            items.append(f"{cypher_key(str(k))}: {lit}")
    return "{" + ", ".join(items) + "}"


def _comment(text: str) -> str:
    return "// " + "".join(ch if unicodedata.category(ch)[0] not in "CZ" or ch == " " else " " for ch in text)


def node_statement(n: str, d: dict[str, Any]) -> str:
    label = d.get("type") if d.get("type") in NODE_TYPES else None
    props = {k: v for k, v in d.items() if k != "id"}
    set_label = f"SET n:{label} " if label else ""
    return f"MERGE (n:{BASE_LABEL} {{id: {cypher_string(str(n))}}}) {set_label}SET n += {cypher_map(props)};"


def edge_statement(u: str, v: str, d: dict[str, Any]) -> str | None:
    rel = d.get("type")
    if rel not in EDGE_TYPES:
        return None
    props = {k: val for k, val in d.items() if k != "type"}
    return (
        f"MATCH (a:{BASE_LABEL} {{id: {cypher_string(str(u))}}}) "
        f"MATCH (b:{BASE_LABEL} {{id: {cypher_string(str(v))}}}) "
        f"MERGE (a)-[r:{rel}]->(b) SET r += {cypher_map(props)};"
    )


def render_cypher(job: ExportJob) -> str:
    g: nx.MultiDiGraph = job.graph
    lines = [
        _comment(f"tracegraph 导出 · {job.title} · 范围：{job.scope} · {job.generated.isoformat()}"),
        _comment(f"节点 {g.number_of_nodes()} · 关系 {g.number_of_edges()} · 用法：cypher-shell -f 本文件"),
        f"CREATE CONSTRAINT tracegraph_id IF NOT EXISTS FOR (n:{BASE_LABEL}) REQUIRE n.id IS UNIQUE;",
    ]
    lines += [node_statement(n, d) for n, d in g.nodes(data=True)]
    skipped = 0
    for u, v, d in g.edges(data=True):
        stmt = edge_statement(u, v, d)
        if stmt is None:
            skipped += 1
        else:
            lines.append(stmt)
    if skipped:
        lines.append(_comment(f"跳过 {skipped} 条类型不在模式中的关系"))
    return "\n".join(lines) + "\n"


@register("cypher", ".cypher", "text/plain; charset=utf-8", "Neo4j Cypher 脚本（MERGE，可重复导入）")
def write_cypher(job: ExportJob, out: Path) -> None:
    out.write_text(render_cypher(job), encoding="utf-8")
