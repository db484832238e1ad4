"""Push a tracegraph to Neo4j and pull it back, losslessly and idempotently.

Layout in Neo4j:

* every graph node is ``(:TGNode:<Type> {id, ...attrs})`` — the type label comes only from
  ``graph.model.NODE_TYPES`` and the id is the stable tracegraph id (unique per label and on ``:TGNode``);
* every edge is ``(:TGNode)-[:<TYPE> {...attrs}]->(:TGNode)`` with the type from ``graph.model.EDGE_TYPES``
  (the JSON contract has one edge per pair and type, so the type is the edge's identity);
* each document's metadata (text included) is a ``(:TGDocumentMeta {id, ...})`` node.

Values Neo4j cannot hold as properties (None, dicts, lists of lists, mixed lists) are stored as JSON strings
under ``<name>_json`` (a name that itself ends in ``_json`` is always stored that way), so ``pull`` restores
them exactly. Labels, relationship types and property names are never taken from document text; all values
travel as query parameters.

Over 400 lines on purpose: push, pull and status share the schema mapping (labels, relationship types, value
encoding) that must stay in one module; issue 15's bulk loader is where it will be split."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import networkx as nx

from tracegraph.errors import StoreError
from tracegraph.graph.model.schema import EDGE_TYPES, NODE_TYPES
from tracegraph.graph.stores.base import CATALOGUE_FIELDS, catalogue_entry
from tracegraph.graph.stores.neo4j_layout import (
    CATALOGUE_LABEL,
    CATALOGUE_PROPERTY,
    COUNTS_LABEL,
    DOCUMENT_TEXT_INDEX,
    FULLTEXT_INDEX,
    META_LABEL,
    NODE_LABEL,
    SHARED_TYPES,
    SPAN_KEY,
    SPAN_KEY_CYPHER,
    SPAN_KEYS_COMPLETE,
    SPAN_LENGTH,
    SPAN_LENGTH_CYPHER,
    SPAN_LENGTH_INDEX,
    SPAN_TEXT,
    SPAN_TEXT_TYPES,
    STORE_ONLY,
    TITLE_KEY,
    TITLE_KEY_CYPHER,
    TITLE_KEYS_COMPLETE,
    TITLE_LENGTH,
    TITLE_LENGTH_CYPHER,
    TITLE_LENGTH_INDEX,
    span_key,
    span_length,
    title_key,
    title_length,
)
from tracegraph.graph.stores.neo4j_summary import refresh_document_counts

if TYPE_CHECKING:
    from neo4j import Driver, ManagedTransaction, Session

JSON_SUFFIX = "_json"
DEFAULT_DATABASE = "neo4j"
DEFAULT_BATCH = 5000  # rows per transaction: of 500, 1000 and 5000, 5000 was fastest on the test harness
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


# --------------------------------------------------------------------------- connection and errors


@contextlib.contextmanager
def neo4j_errors(uri: str = "", user: str = "", database: str = "") -> Iterator[None]:
    """Turn the driver's connection, auth and missing-database errors into one-line TracegraphErrors
    (never carrying the password); anything else is a bug and propagates unchanged."""
    from neo4j import exceptions as ex

    where = f"Neo4j {uri}".strip()
    try:
        yield
    except ex.AuthError:
        raise StoreError(f"{where} 认证失败（用户 {user or '?'}）：请检查 NEO4J_PASSWORD") from None
    except (ex.ServiceUnavailable, ex.SessionExpired) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"无法连接 {where}：{reason}") from None
    except ex.ClientError as exc:
        if "DatabaseNotFound" in (exc.code or ""):
            raise StoreError(f"{where} 上没有数据库 {database!r}") from None
        raise
    except ex.ConfigurationError as exc:
        raise StoreError(f"Neo4j 连接参数有误（{uri}）：{exc}") from None
    except ValueError as exc:  # the driver rejects malformed URIs with ValueError
        if "uri" in str(exc).lower() or "scheme" in str(exc).lower():
            raise StoreError(f"Neo4j 地址无效：{uri}") from None
        raise


def connect(
    uri: str,
    user: str,
    password: str,
    *,
    connection_timeout: float = 4.0,
    max_transaction_retry_time: float = 8.0,
) -> Driver:
    """A verified driver: an unreachable server or a bad password fails here within seconds, not
    halfway through a push."""
    from neo4j import GraphDatabase

    if uri.split("://", 1)[0].lower() not in BOLT_SCHEMES or "://" not in uri:
        raise StoreError(f"Neo4j 地址应以 bolt:// 或 neo4j:// 开头：{uri}")
    with neo4j_errors(uri, user):
        driver = GraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_timeout=connection_timeout,
            # also bounds the Bolt handshake: a port that accepts but never answers fails in seconds, not 60
            connection_acquisition_timeout=connection_timeout + 1.0,
            max_transaction_retry_time=max_transaction_retry_time,
            notifications_min_severity="OFF",
        )
        try:
            driver.verify_connectivity()
        except BaseException:
            driver.close()
            raise
    return driver


# --------------------------------------------------------------------------- property encoding


def _native(value: Any) -> bool:
    """True when Neo4j stores the value as is and gives back an equal Python value."""
    if isinstance(value, str | bool | int | float):
        return True
    return isinstance(value, list) and all(type(x) is str for x in value)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} in Neo4j")


def encode_props(attrs: dict[str, Any]) -> dict[str, Any]:
    """Attributes → Neo4j properties (non-native values as JSON under ``<name>_json``)."""
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if k.endswith(JSON_SUFFIX) or not _native(v):
            out[k + JSON_SUFFIX] = json.dumps(v, ensure_ascii=False, default=_json_default)
        else:
            out[k] = v
    return out


def encode_update(attrs: dict[str, Any]) -> dict[str, Any]:
    """Like encode_props, for ``SET x += $props``: also nulls the other spelling of each name, so a value
    that changes between native and JSON form leaves no stale copy behind."""
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        enc = encode_props({k: v})
        if not k.endswith(JSON_SUFFIX):
            out[k] = None
            out[k + JSON_SUFFIX] = None
        out.update(enc)
    return out


def decode_props(props: dict[str, Any]) -> dict[str, Any]:
    """Neo4j properties → attributes (inverse of encode_props)."""
    out: dict[str, Any] = {}
    for k, v in props.items():
        if k.endswith(JSON_SUFFIX):
            out[k[: -len(JSON_SUFFIX)]] = json.loads(v)
        else:
            out[k] = v
    return out


def node_label(node_type: Any) -> str:
    """The Neo4j label of a node type; anything outside graph.model.NODE_TYPES is refused."""
    if node_type not in NODE_TYPES:
        raise StoreError(f"未知的节点类型 {node_type!r}（只接受 {', '.join(NODE_TYPES)}）")
    return str(node_type)


def rel_type(edge_type: Any) -> str:
    """The Neo4j relationship type of an edge type; anything outside graph.model.EDGE_TYPES is refused."""
    if edge_type not in EDGE_TYPES:
        raise StoreError(f"未知的关系类型 {edge_type!r}（只接受 {', '.join(EDGE_TYPES)}）")
    return str(edge_type)


# --------------------------------------------------------------------------- schema


# made after an older store's nodes have their span keys (ensure_schema): filled once, not once and again
_SPAN_INDEX = [f"CREATE FULLTEXT INDEX {SPAN_LENGTH_INDEX} IF NOT EXISTS FOR (n:{NODE_LABEL}) "
               f"ON EACH [n.text, n.{SPAN_TEXT}, n.{SPAN_LENGTH}] "
               "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"]


def schema_statements() -> list[str]:
    """Constraints and indexes, all IF NOT EXISTS so running them again is harmless."""
    stmts = [
        f"CREATE CONSTRAINT tg_{lbl.lower()}_id IF NOT EXISTS FOR (n:{lbl}) REQUIRE n.id IS UNIQUE"
        for lbl in (NODE_LABEL, META_LABEL, *NODE_TYPES)
    ]
    stmts += [
        f"CREATE CONSTRAINT tg_document_counts IF NOT EXISTS FOR (c:{COUNTS_LABEL}) REQUIRE c.doc IS UNIQUE",
        f"CREATE INDEX tg_node_doc IF NOT EXISTS FOR (n:{NODE_LABEL}) ON (n.doc)",
        f"CREATE INDEX tg_node_type IF NOT EXISTS FOR (n:{NODE_LABEL}) ON (n.type)",
        # the few nodes a push carried an analyst's edit on (search reads their titles from the text)
        f"CREATE INDEX tg_node_curated IF NOT EXISTS FOR (n:{NODE_LABEL}) ON (n.curated)",
        # titles shortest first (graph.stores.neo4j_search walks them for a word many titles hold)
        f"CREATE INDEX tg_node_title_key IF NOT EXISTS FOR (n:{NODE_LABEL}) ON (n.{TITLE_KEY})",
        f"CREATE FULLTEXT INDEX {TITLE_LENGTH_INDEX} IF NOT EXISTS FOR (n:{NODE_LABEL}) "
        f"ON EACH [n.title, n.{TITLE_LENGTH}] OPTIONS {{indexConfig: {{`fulltext.analyzer`: 'cjk'}}}}",
        # spans shortest first: the hits outside titles (the same walk and ranges)
        f"CREATE INDEX tg_node_span_key IF NOT EXISTS FOR (n:{NODE_LABEL}) ON (n.{SPAN_KEY})",
        *_SPAN_INDEX,
        f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:{NODE_LABEL}) ON EACH [n.title, n.text] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
        # search across the store finds its candidate documents here (graph.stores.neo4j_search)
        f"CREATE FULLTEXT INDEX {DOCUMENT_TEXT_INDEX} IF NOT EXISTS FOR (d:{META_LABEL}) ON EACH [d.text] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
    ]
    return stmts


def ensure_schema(driver: Driver, database: str = DEFAULT_DATABASE, wait_seconds: int = 3600,
                  notice: Callable[[str], None] | None = None) -> None:
    """Constraints and indexes, then what a store written by an older tracegraph lacks (once). A new index on a large
    store fills in the background, so this waits up to `wait_seconds` for it; `notice` hears of the long steps."""
    for stmt in schema_statements():
        if stmt not in _SPAN_INDEX:
            driver.execute_query(stmt, database_=database)
    driver.execute_query(f"CALL db.awaitIndexes({int(wait_seconds)})", database_=database)
    add_title_keys(driver, database, wait_seconds, notice)
    add_span_keys(driver, database, wait_seconds, notice)
    add_catalogue_entries(driver, database)


def add_catalogue_entries(driver: Driver, database: str = DEFAULT_DATABASE, chunk: int = 2000) -> int:
    """Give each document written before catalogue entries were stored its entry (CATALOGUE_PROPERTY), a chunk of
    documents at a time; returns how many were given one."""
    done = 0
    while True:
        ids = [r["id"] for r in driver.execute_query(
            f"MATCH (d:{META_LABEL}) WHERE d.{CATALOGUE_PROPERTY} IS NULL RETURN d.id AS id LIMIT $n",
            n=chunk, database_=database).records]
        if not ids:
            return done
        rows = [{"id": e["id"], "entry": json.dumps(e, ensure_ascii=False)}
                for e in catalogue_entries(driver, database, ids)]
        driver.execute_query(f"UNWIND $rows AS row MATCH (d:{META_LABEL} {{id: row.id}}) "
                             f"SET d.{CATALOGUE_PROPERTY} = row.entry", rows=rows, database_=database)
        done += len(rows)


def catalogue_entries(driver: Driver, database: str, ids: list[str]) -> list[dict[str, Any]]:
    """The catalogue entries of these documents, made from their whole metadata (as a write stores them), in id
    order."""
    meta = documents_meta(driver, database, ids=ids, include_text=False, fields=CATALOGUE_FIELDS)
    return [catalogue_entry(d, m) for d, m in meta.items()]


def add_title_keys(driver: Driver, database: str = DEFAULT_DATABASE, wait_seconds: int = 3600,
                   notice: Callable[[str], None] | None = None) -> int:
    """Give every titled node of a store written before title keys existed its key and length (TITLE_KEY,
    TITLE_LENGTH), then mark the store as complete; once marked, nothing is scanned. Every write since gives its
    nodes their keys. Returns the number of nodes given a key (minutes for millions of nodes, once)."""
    return _add_keys(
        driver, database, wait_seconds, notice, TITLE_KEYS_COMPLETE, [],
        f"MATCH (n:{NODE_LABEL}) WHERE n.title_start IS NOT NULL AND n.title_end IS NOT NULL "
        f"AND (n.{TITLE_KEY} IS NULL OR n.{TITLE_LENGTH} IS NULL) "
        f"CALL {{ WITH n SET n.{TITLE_KEY} = {TITLE_KEY_CYPHER}, n.{TITLE_LENGTH} = {TITLE_LENGTH_CYPHER} }} ")


def add_span_keys(driver: Driver, database: str = DEFAULT_DATABASE, wait_seconds: int = 3600,
                  notice: Callable[[str], None] | None = None) -> int:
    """The same for spans (SPAN_KEY, SPAN_LENGTH, and a section's SPAN_TEXT, taken from its document's text — by
    `substring`, which counts UTF-16 units: Python's offsets for text in the Basic Multilingual Plane)."""
    return _add_keys(
        driver, database, wait_seconds, notice, SPAN_KEYS_COMPLETE, _SPAN_INDEX,
        f"MATCH (n:{NODE_LABEL}) WHERE n.doc IS NOT NULL AND n.start IS NOT NULL AND n.end IS NOT NULL "
        f"AND n.type <> 'Document' AND (n.{SPAN_KEY} IS NULL OR n.{SPAN_LENGTH} IS NULL) "
        f"CALL {{ WITH n SET n.{SPAN_KEY} = {SPAN_KEY_CYPHER}, n.{SPAN_LENGTH} = {SPAN_LENGTH_CYPHER} "
        f"WITH n WHERE n.type IN {list(SPAN_TEXT_TYPES)} MATCH (d:{META_LABEL} {{id: n.doc}}) "
        f"SET n.{SPAN_TEXT} = substring(d.text, n.start, n.end - n.start) }} ")


def _add_keys(driver: Driver, database: str, wait_seconds: int, notice: Callable[[str], None] | None,
              complete: str, then: list[str], keying: str) -> int:
    """Run `keying` (nodes without their keys, and a unit subquery giving them) in batches of its own, unless the
    catalogue node says `complete`; then the index statements `then` (an index on the keys, filled once they are
    all there); then mark the store. The mark waits until the indexes hold every key."""
    marker = f"MATCH (v:{CATALOGUE_LABEL} {{id: 'catalogue'}}) RETURN v.{complete} AS done"
    done = driver.execute_query(marker, database_=database).records
    if done and done[0]["done"]:
        for stmt in then:
            driver.execute_query(stmt, database_=database)
        return 0
    stored = driver.execute_query(f"MATCH (d:{META_LABEL}) RETURN count(d) AS n", database_=database).records
    if notice and stored and stored[0]["n"]:
        notice(f"这个存储由较早版本的 tracegraph 写入：正在为 {stored[0]['n']:,} 份文档的节点补建检索所需的键和索引"
               "（只做一次，十万份文档约需十几分钟）……")
    with driver.session(database=database) as session:  # batches of its own: an implicit transaction
        rec = session.run(keying + "IN TRANSACTIONS OF 20000 ROWS RETURN count(*) AS k").single()
    for stmt in then:
        driver.execute_query(stmt, database_=database)
    driver.execute_query(f"CALL db.awaitIndexes({int(wait_seconds)})", database_=database)
    driver.execute_query(f"MERGE (v:{CATALOGUE_LABEL} {{id: 'catalogue'}}) SET v.{complete} = true",
                         database_=database)
    return int(rec["k"]) if rec else 0


# --------------------------------------------------------------------------- push


@dataclass
class PushReport:
    documents: int = 0
    nodes: int = 0
    relationships: int = 0
    batches: int = 0
    pruned_nodes: int = 0
    pruned_relationships: int = 0
    seconds: float = 0.0  # the whole push: schema, pruning, writing
    write_seconds: float = 0.0  # only the batched node/relationship writes
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        """Nodes plus relationships written per second of batched writing (the benchmark's figure)."""
        return (self.nodes + self.relationships) / self.write_seconds if self.write_seconds > 0 else 0.0


def tell_stderr(message: str) -> None:
    """A line for whoever watches a long write (progress shown)."""
    print(message, file=sys.stderr, flush=True)


class _Progress:
    """A one-line progress bar on stderr; no dependency, silent when not wanted."""

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.width = width
        self._last = 0.0

    def advance(self, n: int, what: str) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and self.done < self.total:
            return
        self._last = now
        filled = int(self.width * self.done / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r推送 Neo4j [{bar}] {self.done}/{self.total} {what:<14}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def document_row(did: str, meta: dict[str, Any]) -> dict[str, Any]:
    """A document's metadata as its TGDocumentMeta's properties, with its entry in the app's index beside them."""
    props = encode_props({k: v for k, v in meta.items() if k != "id"})
    props["id"] = did
    props[CATALOGUE_PROPERTY] = json.dumps(catalogue_entry(did, meta), ensure_ascii=False)
    return {"id": did, "props": props}


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _node_rows(g: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    docs = g.graph.get("documents", {})
    for n, d in g.nodes(data=True):
        if not isinstance(n, str) or not n:
            raise StoreError(f"节点 id 必须是非空字符串：{n!r}")
        if "id" in d:
            raise StoreError(f"节点 {n} 的属性里不能有 'id'（它是节点的标识）")
        props = encode_props(d)
        props["id"] = n
        if isinstance(d.get("title_start"), int) and isinstance(d.get("title_end"), int):
            props[TITLE_KEY] = title_key(n, d["title_start"], d["title_end"])
            props[TITLE_LENGTH] = title_length(d["title_start"], d["title_end"])
        start, end = d.get("start"), d.get("end")
        if d.get("doc") is not None and d.get("type") != "Document" and isinstance(start, int) and isinstance(end, int):
            props[SPAN_KEY] = span_key(n, start, end)
            props[SPAN_LENGTH] = span_length(start, end)
            text = docs.get(d["doc"], {}).get("text") if d.get("type") in SPAN_TEXT_TYPES else None
            if text is not None:
                props[SPAN_TEXT] = text[start:end]
        by_label[node_label(d.get("type"))].append({"id": n, "props": props})
    return by_label


def _edge_rows(g: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for u, v, k, d in g.edges(keys=True, data=True):
        t = rel_type(d.get("type", k))
        if k != t:
            raise StoreError(f"边 {u}→{v} 的键 {k!r} 与类型 {t!r} 不一致（每对节点每种类型只能有一条边）")
        if (u, v, t) in seen:
            raise StoreError(f"边 {u}→{v} [{t}] 重复")
        seen.add((u, v, t))
        groups[t].append({"s": u, "t": v, "props": encode_props(d)})
    return groups


def _write(session: Session, query: str, rows: list[dict[str, Any]]) -> None:
    def work(tx: ManagedTransaction) -> None:
        tx.run(query, rows=rows).consume()

    session.execute_write(work)


def _prune(session: Session, g: nx.MultiDiGraph, docs: list[str], batch_size: int) -> tuple[int, int]:
    """Make the pushed documents' part of the store match `g`: drop their nodes that are gone (or changed
    type) and relationships among them (and the shared nodes) that are gone. Other documents are untouched."""
    if not docs:
        return 0, 0
    existing = session.run(
        f"MATCH (n:{NODE_LABEL}) WHERE n.doc IN $docs RETURN n.id AS id, n.type AS type", docs=docs
    ).data()
    stale = [r["id"] for r in existing if r["id"] not in g or g.nodes[r["id"]].get("type") != r["type"]]
    for chunk in _batches([{"id": i} for i in stale], batch_size):
        _write(session, f"UNWIND $rows AS row MATCH (n:{NODE_LABEL} {{id: row.id}}) DETACH DELETE n", chunk)
    # two index-driven halves rather than one OR (which the planner answers with a full scan)
    rels = session.run(
        f"MATCH (a:{NODE_LABEL}) WHERE a.doc IN $docs MATCH (a)-[r]->(b:{NODE_LABEL}) "
        "WHERE b.doc IS NULL OR b.doc IN $docs RETURN a.id AS s, b.id AS t, type(r) AS type, elementId(r) AS eid",
        docs=docs,
    ).data()
    rels += session.run(
        f"MATCH (b:{NODE_LABEL}) WHERE b.doc IN $docs MATCH (a:{NODE_LABEL})-[r]->(b) WHERE a.doc IS NULL "
        "RETURN a.id AS s, b.id AS t, type(r) AS type, elementId(r) AS eid",
        docs=docs,
    ).data()
    gone = [{"eid": r["eid"]} for r in rels if not g.has_edge(r["s"], r["t"], r["type"])]
    for chunk in _batches(gone, batch_size):
        _write(session, "UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.eid DELETE r", chunk)
    return len(stale), len(gone)


def _drop_orphans(session: Session, g: nx.MultiDiGraph) -> int:
    """Shared PolicyRef/Speaker nodes nothing points at any more and that the pushed graph does not have."""
    keep = [n for n, d in g.nodes(data=True) if d.get("type") in SHARED_TYPES]
    removed = 0
    for lbl in SHARED_TYPES:
        summary = session.run(
            f"MATCH (n:{lbl}) WHERE NOT (n)--() AND NOT n.id IN $keep DETACH DELETE n", keep=keep
        ).consume()
        removed += summary.counters.nodes_deleted
    return removed


def push(
    g: nx.MultiDiGraph,
    driver: Driver,
    database: str = DEFAULT_DATABASE,
    batch_size: int = DEFAULT_BATCH,
    *,
    replace: bool = True,
    progress: bool | None = None,
) -> PushReport:
    """Write `g` into Neo4j. Idempotent (MERGE on the stable id; properties replaced with ``SET x = ...``), so
    running it again, or after a push that died halfway, leaves exactly one copy of the graph. With `replace`,
    nodes and relationships of the pushed documents that `g` no longer has are removed first."""
    if batch_size < 1:
        raise StoreError("batch_size 必须 ≥ 1")
    t0 = time.monotonic()
    docs_meta = g.graph.get("documents", {})
    node_rows = _node_rows(g)  # validates labels/ids before anything is written
    edge_rows = _edge_rows(g)
    doc_rows = [document_row(did, meta) for did, meta in docs_meta.items()]

    report = PushReport()
    total = len(doc_rows) + g.number_of_nodes() + g.number_of_edges()
    bar = _Progress(total, sys.stderr.isatty() if progress is None else progress)
    ensure_schema(driver, database, notice=tell_stderr if bar.enabled else None)
    try:
        with driver.session(database=database) as session:
            if replace:
                pruned = _prune(session, g, sorted(docs_meta), batch_size)
                report.pruned_nodes, report.pruned_relationships = pruned
            t_write = time.monotonic()
            q_doc = f"UNWIND $rows AS row MERGE (d:{META_LABEL} {{id: row.id}}) SET d = row.props"
            for chunk in _batches(doc_rows, batch_size):
                _write(session, q_doc, chunk)
                report.documents += len(chunk)
                report.batches += 1
                bar.advance(len(chunk), "documents")
            for lbl, rows in node_rows.items():
                q = f"UNWIND $rows AS row MERGE (n:{lbl} {{id: row.id}}) SET n = row.props, n:{NODE_LABEL}"
                for chunk in _batches(rows, batch_size):
                    _write(session, q, chunk)
                    report.nodes += len(chunk)
                    report.batches += 1
                    bar.advance(len(chunk), lbl)
            for t, rows in edge_rows.items():
                # :TGNode carries a unique id constraint, so these are index seeks; one statement per type
                # (not per label pair) keeps the number of query plans, costly on a cold server, small
                q = (
                    f"UNWIND $rows AS row MATCH (a:{NODE_LABEL} {{id: row.s}}) MATCH (b:{NODE_LABEL} {{id: row.t}}) "
                    f"MERGE (a)-[r:{t}]->(b) SET r = row.props"
                )
                for chunk in _batches(rows, batch_size):
                    _write(session, q, chunk)
                    report.relationships += len(chunk)
                    report.batches += 1
                    bar.advance(len(chunk), t)
            report.write_seconds = time.monotonic() - t_write
            if replace:
                report.pruned_nodes += _drop_orphans(session, g)
        refresh_document_counts(driver, database, sorted(docs_meta))
    finally:
        bar.close()
    report.seconds = time.monotonic() - t0
    report.counts = counts(driver, database)
    return report


# --------------------------------------------------------------------------- read back


def counts(driver: Driver, database: str = DEFAULT_DATABASE) -> dict[str, int]:
    """Nodes per tracegraph label and relationships per type (``label:X`` / ``rel:Y`` keys), plus totals."""
    out: dict[str, int] = {}
    for lbl in (NODE_LABEL, META_LABEL, *NODE_TYPES):
        rec = driver.execute_query(f"MATCH (n:{lbl}) RETURN count(n) AS c", database_=database).records[0]
        out[f"label:{lbl}"] = rec["c"]
    rows = driver.execute_query(
        f"MATCH (:{NODE_LABEL})-[r]->(:{NODE_LABEL}) RETURN type(r) AS t, count(r) AS c", database_=database
    ).records
    per_type = Counter({r["t"]: r["c"] for r in rows})
    for t in EDGE_TYPES:
        out[f"rel:{t}"] = per_type.get(t, 0)
    out["relationships"] = sum(per_type.values())
    return out


def graph_counts(g: nx.MultiDiGraph) -> dict[str, int]:
    """The same figures as `counts`, computed on a networkx graph (for checks after a push)."""
    by_type = Counter(d.get("type") for _, d in g.nodes(data=True))
    by_rel = Counter(d.get("type", k) for _, _, k, d in g.edges(keys=True, data=True))
    out = {f"label:{NODE_LABEL}": g.number_of_nodes(), f"label:{META_LABEL}": len(g.graph.get("documents", {}))}
    out.update({f"label:{t}": by_type.get(t, 0) for t in NODE_TYPES})
    out.update({f"rel:{t}": by_rel.get(t, 0) for t in EDGE_TYPES})
    out["relationships"] = g.number_of_edges()
    return out


# a node's properties as read: a section's stored span (its document's text again) stays on the server
_NODE_PROPS = f"n {{.*, {SPAN_TEXT}: null}}"


def _add_node(g: nx.MultiDiGraph, props: dict[str, Any]) -> None:
    attrs = decode_props({k: v for k, v in props.items() if k not in STORE_ONLY})
    nid = attrs.pop("id")
    g.add_node(nid, **attrs)


def _add_edge(g: nx.MultiDiGraph, s: str, t: str, etype: str, props: dict[str, Any]) -> None:
    attrs = decode_props(props)
    g.add_edge(s, t, key=etype, **attrs)


def documents_meta(
    driver: Driver,
    database: str = DEFAULT_DATABASE,
    ids: list[str] | None = None,
    include_text: bool = True,
    fields: tuple[str, ...] | None = None,
) -> dict[str, dict[str, Any]]:
    """Document metadata by id (all documents, or the given ones), in id order; only `fields` (and the id) when
    given."""
    where = "WHERE d.id IN $ids " if ids is not None else ""
    drop = [CATALOGUE_PROPERTY] if include_text else [CATALOGUE_PROPERTY, "text"]
    keep = None if fields is None else sorted({"id", *fields, *(f + JSON_SUFFIX for f in fields)})
    recs = driver.execute_query(
        f"MATCH (d:{META_LABEL}) {where}RETURN [k IN keys(d) WHERE NOT k IN $drop "
        "AND ($keep IS NULL OR k IN $keep) | [k, d[k]]] AS kv ORDER BY d.id",
        ids=ids,
        drop=drop,
        keep=keep,
        database_=database,
    ).records
    out: dict[str, dict[str, Any]] = {}
    for r in recs:
        meta = decode_props(dict(r["kv"]))
        out[meta["id"]] = meta
    return out


def fetch_subgraph(
    driver: Driver, ids: list[str] | None, database: str = DEFAULT_DATABASE, documents: bool = True
) -> nx.MultiDiGraph:
    """The nodes with these ids (all nodes when None), every relationship among them and (unless not
    wanted: the full texts are the bulk of the transfer) the metadata of the documents they belong to."""
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    if ids is None:
        node_q = f"MATCH (n:{NODE_LABEL}) RETURN {_NODE_PROPS} AS p"
        rel_q = (
            f"MATCH (a:{NODE_LABEL})-[r]->(b:{NODE_LABEL}) "
            "RETURN a.id AS s, b.id AS t, type(r) AS type, properties(r) AS p"
        )
    else:
        node_q = f"UNWIND $ids AS id MATCH (n:{NODE_LABEL} {{id: id}}) RETURN {_NODE_PROPS} AS p"
        rel_q = (
            f"UNWIND $ids AS id MATCH (a:{NODE_LABEL} {{id: id}})-[r]->(b:{NODE_LABEL}) WHERE b.id IN $ids "
            "RETURN a.id AS s, b.id AS t, type(r) AS type, properties(r) AS p"
        )
    with driver.session(database=database) as session:
        for rec in session.run(node_q, ids=ids):
            _add_node(g, rec["p"])
        for rec in session.run(rel_q, ids=ids):
            _add_edge(g, rec["s"], rec["t"], rec["type"], rec["p"])
    g.graph["documents"] = {}
    if documents:
        doc_ids = None if ids is None else sorted({d["doc"] for _, d in g.nodes(data=True) if d.get("doc")})
        g.graph["documents"] = documents_meta(driver, database, doc_ids)
    return g


def pull(driver: Driver, database: str = DEFAULT_DATABASE) -> nx.MultiDiGraph:
    """The whole stored graph, equal to what was pushed (nodes, edges, attributes and documents)."""
    return fetch_subgraph(driver, None, database)
