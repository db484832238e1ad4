"""The archive file: a corpus on disk in one SQLite database, so a workstation answers from ten thousand documents
without holding them (graph.stores.archive_store reads it, graph.stores.archive_build writes it).

Each document's text is stored once; a node keeps its span as offsets and drops its own copy of the text when it
is the span's (it is put back when read). Each document's numbers (graph.query.summary.counts) are stored beside it,
so the corpus's numbers are one sum. Two FTS5 indexes name where words can be: every node's title and every
document's text, each written as its Chinese character pairs (the same pairs Neo4j's CJK analyzer indexes), so a
search reads only the documents that can hold the words (graph.stores.archive_search).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.errors import StoreError
from tracegraph.graph.query import summary
from tracegraph.graph.stores.text_index import pair_tokens

SCHEMA = "tracegraph-archive/2"
_CHUNK = 900  # ids per IN (…) list

# each document's additive numbers (summary.ADDITIVE), one column each: the corpus's numbers are one SUM
_COUNTED = tuple(f"n_{k}" for k in summary.ADDITIVE)
_TABLES = """
CREATE TABLE IF NOT EXISTS archive (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, meta TEXT NOT NULL, text TEXT NOT NULL,
    """ + "".join(f"{c} INTEGER NOT NULL, " for c in _COUNTED) + """carries_decisions INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS nodes (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT, type TEXT, start INTEGER, end INTEGER,
    title_start INTEGER, title_end INTEGER, span_title TEXT, attrs TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS nodes_doc ON nodes (doc);
CREATE TABLE IF NOT EXISTS edges (
    src TEXT NOT NULL, dst TEXT NOT NULL, type TEXT NOT NULL, attrs TEXT NOT NULL,
    PRIMARY KEY (src, dst, type)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_dst ON edges (dst);
CREATE TABLE IF NOT EXISTS cited (ref TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (ref, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cited_doc ON cited (doc);
CREATE VIRTUAL TABLE IF NOT EXISTS title_grams USING fts5 (grams, content='', detail=none);
CREATE VIRTUAL TABLE IF NOT EXISTS text_grams USING fts5 (grams, content='', detail=none);
CREATE VIRTUAL TABLE IF NOT EXISTS span_grams USING fts5 (grams, content='', detail=none);
INSERT OR IGNORE INTO archive VALUES ('span_grams', 'complete');
"""


def connect(path: str | Path, create: bool = False) -> sqlite3.Connection:
    """Open an archive (with `create`, make it when missing). A file that is not one fails naming the file."""
    p = Path(path)
    if not create and not p.is_file():
        raise StoreError(f"档案库文件不存在：{p}（先运行 tracegraph archive build … --out {p}）")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(str(p), check_same_thread=False)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA cache_size=-65536")  # 64 MB of pages
        known = con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='archive'").fetchone()
        if known is None:
            if not create:
                raise StoreError(f"{p} 不是 tracegraph 档案库（缺少 archive 表）")
            con.executescript(_TABLES)
            con.execute("INSERT INTO archive VALUES ('schema', ?)", (SCHEMA,))
            con.commit()
        version = con.execute("SELECT value FROM archive WHERE key='schema'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{p} 无法作为档案库打开：{exc}") from exc
    if version is None or version[0] != SCHEMA:
        con.close()
        raise StoreError(f"{p} 的格式为 {version[0] if version else '未知'}，本程序读取 {SCHEMA}")
    return con


def han_grams(text: str) -> str:
    """The Chinese character pairs of `text`, space-separated: the tokens both FTS5 indexes hold."""
    return " ".join(pair_tokens(text))


def span_grams(text: str) -> str:
    """The distinct Chinese character pairs of a node's span, sorted (so removing it gives the same tokens again)."""
    return " ".join(sorted(set(pair_tokens(text))))


def has_span_index(con: sqlite3.Connection) -> bool:
    """An archive made before the span index existed has none (its search reads the documents the text index names,
    until it is built anew)."""
    return con.execute("SELECT 1 FROM archive WHERE key = 'span_grams'").fetchone() is not None


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _marks(ids: list[str]) -> str:
    return ",".join("?" * len(ids))


def _title(text: str, ts: int | None, te: int | None) -> str:
    return text[ts:te] if ts is not None and te is not None else ""


# --------------------------------------------------------------------------- writing


def _carries_decisions(g: nx.MultiDiGraph, nodes: list[str]) -> bool:
    """Written with an analyst's decisions in it (a graph file from a curated workspace)."""
    if any(g.nodes[n].get("curated") for n in nodes):
        return True
    return any(d.get("origin") == "curated" or d.get("rejected") for n in nodes
               for _, _, d in (*g.out_edges(n, data=True), *g.in_edges(n, data=True)))


def _counts(g: nx.MultiDiGraph, doc: str, nodes: list[str]) -> dict[str, int]:
    """summary.counts of one document's additive numbers, on its part of `g` (the document's nodes and every node
    one step away: all its numbers depend on): counting on the whole batch would cost the batch's size per
    document."""
    around = set(nodes)
    for n in nodes:
        around.update(nx.all_neighbors(g, n))
    part = g.subgraph(around).copy()
    part.graph["documents"] = {doc: g.graph["documents"][doc]}
    return {k: v for k, v in summary.counts(part, doc).items() if k in summary.ADDITIVE}


def remove_documents(con: sqlite3.Connection, docs: Iterable[str]) -> None:
    """Drop documents with their nodes, their edges and their index entries (before they are written again)."""
    for doc in docs:
        row = con.execute("SELECT rowid, text FROM documents WHERE id = ?", (doc,)).fetchone()
        if row is None:
            continue
        doc_rowid, text = row
        nodes = con.execute("SELECT rowid, id, span_title, start, type, end FROM nodes WHERE doc = ?",
                            (doc,)).fetchall()
        spans = has_span_index(con)
        for rowid, _, title, start, ntype, end in nodes:
            grams = han_grams(title or "") if start is not None and ntype != "Document" else ""
            if grams:
                con.execute("INSERT INTO title_grams (title_grams, rowid, grams) VALUES ('delete', ?, ?)",
                            (rowid, grams))
            grams = span_grams(text[start:end]) if spans and start is not None and ntype != "Document" else ""
            if grams:
                con.execute("INSERT INTO span_grams (span_grams, rowid, grams) VALUES ('delete', ?, ?)",
                            (rowid, grams))
        grams = han_grams(text)
        if grams:
            con.execute("INSERT INTO text_grams (text_grams, rowid, grams) VALUES ('delete', ?, ?)",
                        (doc_rowid, grams))
        ids = [n[1] for n in nodes]
        for part in _chunks(ids):
            con.execute(f"DELETE FROM edges WHERE src IN ({_marks(part)})", part)
            con.execute(f"DELETE FROM edges WHERE dst IN ({_marks(part)})", part)
        con.execute("DELETE FROM nodes WHERE doc = ?", (doc,))
        con.execute("DELETE FROM cited WHERE doc = ?", (doc,))
        con.execute("DELETE FROM documents WHERE rowid = ?", (doc_rowid,))


def write_batch(con: sqlite3.Connection, g: nx.MultiDiGraph) -> None:
    """Write the documents of `g` (replacing any stored under the same ids) with their nodes, their edges and the
    shared nodes they cite (whose attributes `g` carries in full), in one transaction."""
    docs = g.graph.get("documents") or {}
    by_doc: dict[str, list[str]] = {d: [] for d in docs}
    shared: list[str] = []
    for n, d in g.nodes(data=True):
        doc = d.get("doc")
        if doc in by_doc:
            by_doc[doc].append(n)
        elif not doc:
            shared.append(n)
    spans = has_span_index(con)
    with con:
        remove_documents(con, sorted(docs))
        con.execute("INSERT INTO archive VALUES ('writes', 1) "
                    "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
        next_node = (con.execute("SELECT max(rowid) FROM nodes").fetchone()[0] or 0) + 1
        for doc_id in sorted(docs):
            meta = {k: v for k, v in docs[doc_id].items() if k != "text"}
            text = docs[doc_id].get("text") or ""
            counts = _counts(g, doc_id, by_doc[doc_id])
            cur = con.execute(
                f"INSERT INTO documents (id, meta, text, {', '.join(_COUNTED)}, carries_decisions) "
                f"VALUES (?, ?, ?, {', '.join('?' * len(_COUNTED))}, ?)",
                (doc_id, json.dumps(meta, ensure_ascii=False), text, *(counts[k] for k in summary.ADDITIVE),
                 int(_carries_decisions(g, by_doc[doc_id]))))
            grams = han_grams(text)
            if grams:
                con.execute("INSERT INTO text_grams (rowid, grams) VALUES (?, ?)", (cur.lastrowid, grams))
            rows, title_rows, span_rows = [], [], []
            for n in by_doc[doc_id]:
                d = g.nodes[n]
                start, end = d.get("start"), d.get("end")
                attrs = {k: v for k, v in d.items() if k != "doc"}
                if start is not None and end is not None and attrs.get("text") == text[start:end]:
                    del attrs["text"]  # the span's text: put back from the document's when read
                ts, te = d.get("title_start"), d.get("title_end")
                span_title = _title(text, ts, te)  # what search reads as the title (graph.query.queries)
                rows.append((next_node, n, doc_id, d.get("type"), start, end, ts, te, span_title,
                             json.dumps(attrs, ensure_ascii=False)))
                if start is not None and d.get("type") != "Document":
                    title = han_grams(span_title)
                    if title:
                        title_rows.append((next_node, title))
                    span = span_grams(text[start:end]) if spans else ""
                    if span:
                        span_rows.append((next_node, span))
                next_node += 1
            con.executemany("INSERT INTO nodes (rowid, id, doc, type, start, end, title_start, title_end, span_title, "
                            "attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            con.executemany("INSERT INTO title_grams (rowid, grams) VALUES (?, ?)", title_rows)
            con.executemany("INSERT INTO span_grams (rowid, grams) VALUES (?, ?)", span_rows)
        con.executemany(
            "INSERT INTO nodes (id, doc, type, attrs) VALUES (?, NULL, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET type = excluded.type, attrs = excluded.attrs",
            [(n, attrs.get("type"), json.dumps(attrs, ensure_ascii=False))
             for n, attrs in _shared_nodes(con, g, shared)])
        con.executemany(
            "INSERT OR REPLACE INTO edges (src, dst, type, attrs) VALUES (?, ?, ?, ?)",
            [(u, v, d.get("type") or k, json.dumps({x: y for x, y in d.items()}, ensure_ascii=False))
             for u, v, k, d in g.edges(keys=True, data=True)])
        # which references each document's items cite with a mention (summary.cited_policies): the corpus's count of
        # cited references is then one DISTINCT over this table, not a pass over every edge
        con.executemany("INSERT OR IGNORE INTO cited (ref, doc) VALUES (?, ?)",
                        [(v, g.nodes[u].get("doc")) for u, v, d in g.edges(data=True)
                         if d.get("type") == "CITES" and d.get("mentions") and g.nodes[u].get("doc") in docs])


def _shared_nodes(con: sqlite3.Connection, g: nx.MultiDiGraph, ids: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Shared nodes as `build` merges them: the first one written keeps its attributes, the aliases of every later
    one are added (so writing some documents again never drops what the others cited it as)."""
    stored: dict[str, dict[str, Any]] = {}
    for part in _chunks(sorted(ids)):
        stored.update((nid, json.loads(raw)) for nid, raw in con.execute(
            f"SELECT id, attrs FROM nodes WHERE doc IS NULL AND id IN ({_marks(part)})", part))
    out = []
    for n in ids:
        attrs = stored.get(n) or dict(g.nodes[n])
        for a in g.nodes[n].get("aliases") or []:
            if a not in (attrs.get("aliases") or []):
                attrs["aliases"] = [*(attrs.get("aliases") or []), a]
        out.append((n, attrs))
    return out


def write_similar(con: sqlite3.Connection, problems: nx.MultiDiGraph) -> int:
    """Similar problems across the archive (graph.corpus.clusters over `problems`, as `build` groups them): earlier
    inferred SIMILAR_TO of these problems go, each member gets its cluster and size, and a SIMILAR_TO to its
    representative. Returns the number of SIMILAR_TO edges written."""
    from tracegraph.graph.corpus.clusters import add_similar_edges, group_problems

    add_similar_edges(problems, group_problems(problems))
    with con:
        for part in _chunks(list(problems)):
            con.execute(f"DELETE FROM edges WHERE type = 'SIMILAR_TO' AND src IN ({_marks(part)}) "
                        "AND json_extract(attrs, '$.origin') = 'inferred'", part)
        for part in _chunks(list(problems)):
            for nid, raw in con.execute(f"SELECT id, attrs FROM nodes WHERE id IN ({_marks(part)})", part).fetchall():
                attrs = json.loads(raw)
                d = problems.nodes[nid]
                attrs.pop("cluster", None)
                attrs.pop("cluster_size", None)
                if "cluster" in d:
                    attrs["cluster"], attrs["cluster_size"] = d["cluster"], d["cluster_size"]
                con.execute("UPDATE nodes SET attrs = ? WHERE id = ?", (json.dumps(attrs, ensure_ascii=False), nid))
        edges = [(u, v, "SIMILAR_TO", json.dumps(dict(d), ensure_ascii=False))
                 for u, v, d in problems.edges(data=True)]
        con.executemany("INSERT OR REPLACE INTO edges (src, dst, type, attrs) VALUES (?, ?, ?, ?)", edges)
    return len(edges)


def problem_lines(con: sqlite3.Connection) -> nx.MultiDiGraph:
    """Every stored problem as graph.corpus.clusters reads it (graph.build.stream.problem_line), in the order
    they were written."""
    from tracegraph.graph.build.document import new_graph
    from tracegraph.graph.build.stream import problem_line

    g = new_graph()
    texts: dict[str, str] = {}
    for nid, doc, start, end, raw in con.execute(
            "SELECT id, doc, start, end, attrs FROM nodes WHERE type = 'Problem' ORDER BY rowid"):
        attrs = json.loads(raw)
        attrs["doc"] = doc
        if "text" not in attrs and start is not None and doc is not None:
            if doc not in texts:
                texts.clear()  # problems come document by document: one text at a time
                texts[doc] = con.execute("SELECT text FROM documents WHERE id = ?", (doc,)).fetchone()[0]
            attrs["text"] = texts[doc][start:end]
        g.add_node(nid, **problem_line(attrs))
    return g


# --------------------------------------------------------------------------- reading


def document_texts(con: sqlite3.Connection, docs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in _chunks(docs):
        out.update(con.execute(f"SELECT id, text FROM documents WHERE id IN ({_marks(part)})", part).fetchall())
    return out


def documents_meta(con: sqlite3.Connection, ids: list[str] | None = None, include_text: bool = False,
                   fields: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]:
    """Document metadata by id, in id order (all documents, or the given ones); only `fields` (and the id)."""
    keep = None if fields is None else {"id", *fields}
    out: dict[str, dict[str, Any]] = {}
    column = "text" if include_text else "NULL"
    if ids is None:
        rows = con.execute(f"SELECT id, meta, {column} FROM documents ORDER BY id").fetchall()
    else:
        rows = [r for part in _chunks(sorted(set(ids))) for r in con.execute(
            f"SELECT id, meta, {column} FROM documents WHERE id IN ({_marks(part)}) ORDER BY id", part)]
    for doc_id, raw, text in rows:
        meta = json.loads(raw)
        if include_text:
            meta["text"] = text
        out[doc_id] = meta if keep is None else {k: v for k, v in meta.items() if k in keep}
    return out


def _add_nodes(con: sqlite3.Connection, g: nx.MultiDiGraph, rows: list[tuple[Any, ...]]) -> None:
    """Nodes from (id, doc, start, end, attrs) rows, each text put back from its document's."""
    texts = document_texts(con, sorted({r[1] for r in rows if r[1] and r[2] is not None}))
    for nid, doc, start, end, raw in rows:
        attrs = json.loads(raw)
        if doc is not None:
            attrs["doc"] = doc
            if "text" not in attrs and doc in texts and start is not None:
                attrs["text"] = texts[doc][start:end]
        g.add_node(nid, **attrs)


def fetch(con: sqlite3.Connection, ids: list[str] | None, documents: bool = True) -> nx.MultiDiGraph:
    """The nodes with these ids (every node when None), the edges among them and, with `documents`, the metadata
    (with the text) of the documents they belong to — the graph file's layout, attributes and all."""
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    node_sql = "SELECT id, doc, start, end, attrs FROM nodes"
    if ids is None:
        _add_nodes(con, g, con.execute(node_sql + " ORDER BY rowid").fetchall())
        edges = con.execute("SELECT src, dst, type, attrs FROM edges").fetchall()
    else:
        wanted = sorted(set(ids))
        _add_nodes(con, g, [r for part in _chunks(wanted)
                            for r in con.execute(f"{node_sql} WHERE id IN ({_marks(part)}) ORDER BY rowid", part)])
        edges = [r for part in _chunks(wanted) for r in con.execute(
            f"SELECT src, dst, type, attrs FROM edges WHERE src IN ({_marks(part)})", part) if r[1] in g]
    for src, dst, etype, raw in edges:
        if src in g and dst in g:
            g.add_edge(src, dst, key=etype, **json.loads(raw))
    g.graph["documents"] = {}
    if documents:
        docs = None if ids is None else sorted({str(d) for _, d in g.nodes(data="doc") if d})
        g.graph["documents"] = documents_meta(con, docs, include_text=True)
    return g


def catalogue_version(con: sqlite3.Connection) -> tuple[int, int]:
    """(documents, writes of documents so far)."""
    row = con.execute("SELECT (SELECT count(*) FROM documents), "
                      "(SELECT CAST(value AS INTEGER) FROM archive WHERE key = 'writes')").fetchone()
    return int(row[0]), int(row[1] or 0)


def part_ids(con: sqlite3.Connection, doc: str) -> list[str]:
    """A document's nodes and every node one step away from them."""
    own = "SELECT id FROM nodes WHERE doc = ?"
    rows = con.execute(f"{own} UNION SELECT dst FROM edges WHERE src IN ({own}) "
                       f"UNION SELECT src FROM edges WHERE dst IN ({own})", (doc, doc, doc)).fetchall()
    return [r[0] for r in rows]


def adjacent(con: sqlite3.Connection, ids: list[str]) -> list[str]:
    out: set[str] = set()
    for part in _chunks(sorted(set(ids))):
        q = _marks(part)
        out.update(r[0] for r in con.execute(
            f"SELECT dst FROM edges WHERE src IN ({q}) UNION SELECT src FROM edges WHERE dst IN ({q})", part + part))
    return sorted(out)


def corpus_state(con: sqlite3.Connection) -> tuple[dict[str, int], list[str]]:
    """(summary.counts of the whole archive as written; the documents written with decisions in them)."""
    row = con.execute(f"SELECT count(*), {', '.join(f'sum({c})' for c in _COUNTED)} FROM documents").fetchone()
    out = {"documents": row[0], **{k: int(v or 0) for k, v in zip(summary.ADDITIVE, row[1:], strict=True)}}
    carrying = [r[0] for r in con.execute("SELECT id FROM documents WHERE carries_decisions = 1")]
    out["PolicyRef"] = con.execute("SELECT count(DISTINCT ref) FROM cited").fetchone()[0]
    order = ("documents", "Problem", *summary.COUNT_TYPES, "PolicyRef",
             *summary.ADDITIVE[len(summary.COUNT_TYPES) + 1 :])
    return {k: out[k] for k in order}, sorted(carrying)


def import_graph(g: nx.MultiDiGraph, path: str | Path, batch_documents: int = 50) -> int:
    """Write a built graph (a graph file's) into the archive at `path`, a batch of documents per transaction,
    edges between documents last. Returns how many documents the archive then holds."""
    con = connect(path, create=True)
    try:
        docs = sorted(g.graph.get("documents") or {})
        owner = {n: d.get("doc") for n, d in g.nodes(data=True)}
        for i in range(0, len(docs), batch_documents):
            chosen = set(docs[i : i + batch_documents])
            nodes = {n for n, doc in owner.items() if doc in chosen or not doc}
            part = g.subgraph(nodes).copy()
            part.remove_edges_from([(u, v, k) for u, v, k in list(part.edges(keys=True))
                                    if owner[u] not in chosen and owner[v] not in chosen])
            part.graph["documents"] = {d: g.graph["documents"][d] for d in chosen}
            write_batch(con, part)
        across = [(u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
                  if owner[u] and owner[v] and owner[u] != owner[v]]
        with con:
            con.executemany("INSERT OR REPLACE INTO edges (src, dst, type, attrs) VALUES (?, ?, ?, ?)",
                            [(u, v, d.get("type") or k, json.dumps(dict(d), ensure_ascii=False))
                             for u, v, k, d in across])
        # a link between two documents (an analyst's, in a curated workspace's file) counts in both: their numbers
        # were stored before it was written (similar problems count in no number)
        refresh_counts(con, sorted({str(owner[x]) for u, v, k, d in across if (d.get("type") or k) != "SIMILAR_TO"
                                    for x in (u, v)}))
        return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        con.close()


def refresh_counts(con: sqlite3.Connection, docs: list[str]) -> None:
    """Count these documents' numbers again on their parts as stored now."""
    with con:
        for doc in docs:
            part = fetch(con, part_ids(con, doc))
            own = [n for n, d in part.nodes(data=True) if d.get("doc") == doc]
            counts = {k: v for k, v in summary.counts(part, doc).items() if k in summary.ADDITIVE}
            con.execute(f"UPDATE documents SET {', '.join(f'{c} = ?' for c in _COUNTED)}, carries_decisions = ? "
                        "WHERE id = ?", (*(counts[k] for k in summary.ADDITIVE),
                                         int(_carries_decisions(part, own)), doc))
