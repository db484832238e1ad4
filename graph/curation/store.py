"""The curation store: an analyst's confirm / reject / add / edit / merge decisions, kept apart from the
built graph so they survive rebuilds, re-imports of a corrected document, crashes and two people at once.

Storage is one SQLite file in WAL mode (readers never block the writer; a killed process loses nothing
it was told was saved) with a busy timeout (a second writer waits instead of failing). Every operation
is one `BEGIN IMMEDIATE` transaction holding its decision row and its audit row: both or neither.

Decisions are an append-only log replayed in order, the latest winning per link; undo flags an entry
as undone instead of deleting it, so the audit trail stays complete. Undo is per user by default (your
undo never reverts a colleague's concurrent work); `everyone=True` undoes the last change by anyone.

Node ids are positional (P2.3) and change when a document is renumbered, so each decision also keeps an
anchor per node — document, type, normalised title, a hash of the normalised text and the text itself
(truncated) — and is re-attached by content after a rebuild: same text, else the same title, else
character-bigram TF-IDF similarity ≥ SIM_MIN with a margin of SIM_MARGIN over the runner-up. A decision
whose node cannot be found is ORPHANED: listed with its old text, never silently dropped.
"""

from __future__ import annotations

import errno
import getpass
import hashlib
import json
import os
import random
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.errors import CurationError, StorageError, TracegraphError
from tracegraph.graph.link.similarity import BigramTfidf
from tracegraph.graph.model.schema import LINK_TYPES

SCHEMA = "tracegraph-curation/1"
BUSY_TIMEOUT_S = 30.0
SIM_MIN = 0.6  # measured on the sample: the same item edited ≥ 0.94, an item merged into a larger one ≈ 0.55
SIM_MARGIN = 0.1  # and clearly better than the next candidate (unrelated items of a document score < 0.3)
ANCHOR_TEXT_CHARS = 1000
COMMENT_CHARS = 2000
TITLE_CHARS = 300
USER_CHARS = 80

# Which node types a link type joins (source types, target types).
LINK_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ADDRESSES": (("Measure", "Action"), ("Problem",)),
    "EXPLAINS": (("Cause",), ("Problem",)),
    "TREATS": (("Measure",), ("Cause",)),
}
EDITABLE_TYPES = ("Section", "Area", "Problem", "Example", "Cause", "Measure", "Action")
LINK_OPS = ("confirm", "reject", "restore", "add")
OP_LABELS_ZH = {
    "confirm": "确认",
    "reject": "否决",
    "restore": "恢复",
    "add": "人工添加",
    "edit": "修改节点",
    "merge": "合并政策依据",
    "dismiss": "忽略失联记录",
    "undo": "撤销",
}

_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL,
    etype TEXT,
    source TEXT,
    target TEXT,
    source_anchor TEXT,
    target_anchor TEXT,
    field TEXT,
    value TEXT,
    comment TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL,
    at TEXT NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS audit(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    op TEXT NOT NULL,
    target TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    comment TEXT NOT NULL DEFAULT '',
    decision_id INTEGER REFERENCES decisions(id),
    pid INTEGER
);
CREATE INDEX IF NOT EXISTS decisions_user ON decisions(user, undone);
CREATE INDEX IF NOT EXISTS audit_decision ON audit(decision_id);
"""


# ---------------------------------------------------------------------------------------------- helpers
def default_user() -> str:
    """The OS login name; some containers have none, and curation must still work there."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def clean_text(value: Any, limit: int, what: str, required: bool = False) -> str:
    """User-typed text for the store: control characters removed, length bounded, never None."""
    s = _CONTROL.sub("", str(value or "")).strip()
    if required and not s:
        raise CurationError(f"{what}不能为空")
    if len(s) > limit:
        raise CurationError(f"{what}过长（{len(s)} 字，上限 {limit} 字）")
    return s


def storage_error(exc: BaseException, action: str, path: str | Path) -> TracegraphError:
    """One clear line for the failures a workspace really meets: read-only, full, locked, damaged."""
    msg = str(exc)
    low = msg.lower()
    code = getattr(exc, "errno", None)
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in low or "read-only" in low:
        why = "工作区只读（没有写入权限或磁盘以只读方式挂载）"
    elif code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "disk is full" in low or "disk i/o" in low:
        why = "磁盘空间不足（或写入失败）"
    elif "locked" in low or "busy" in low:
        why = f"数据库正被其他程序占用（已等待 {BUSY_TIMEOUT_S:.0f} 秒）"
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        why = "数据库文件已损坏或不是 tracegraph 数据库"
    elif "unable to open" in low or code in (errno.ENOENT, errno.ENOTDIR, errno.EISDIR):
        why = "无法打开或创建文件（路径不可写或不是文件夹）"
    else:
        why = msg.splitlines()[0][:200] if msg else type(exc).__name__
    return StorageError(f"无法{action}：{why}（{path}）")


def is_readonly_error(exc: BaseException) -> bool:
    low = str(exc).lower()
    return (
        getattr(exc, "errno", None) in (errno.EROFS, errno.EACCES, errno.EPERM)
        or "readonly" in low
        or "read-only" in low
        or "unable to open" in low
    )


class SqliteFile:
    """One SQLite database file opened the way every store here needs it: WAL, busy timeout, schema
    check; falls back to read-only when the file cannot be written, so reading still works."""

    def __init__(self, path: str | Path, ddl: str, schema: str, what: str) -> None:
        self.path = Path(path)
        self.what = what
        self.read_only: TracegraphError | None = None
        # Streamlit runs each rerun (and the button callbacks) on a new thread: the connection may be
        # used from several threads, one at a time.
        self.lock = threading.RLock()
        try:
            self.conn = self._open_rw(ddl, schema)
        except (sqlite3.Error, OSError) as exc:
            if not (is_readonly_error(exc) and self.path.is_file()):
                raise storage_error(exc, f"打开{what}", self.path) from None
            self.conn = self._open_ro(schema)  # readable but not writable: say so, whatever SQLite said
            self.read_only = StorageError(
                f"无法写入{what}：工作区只读（没有写入权限或磁盘以只读方式挂载）（{self.path}）"
            )

    def _open_rw(self, ddl: str, schema: str) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError("attempt to write a readonly database (WAL not available)")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            have = self._schema(conn)
            if have is None:
                conn.execute("BEGIN IMMEDIATE")
                for stmt in filter(None, (s.strip() for s in ddl.split(";"))):
                    conn.execute(stmt)
                conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (schema,))
                conn.execute("COMMIT")
                have = self._schema(conn)
            if have != schema:
                raise StorageError(f"{self.path} 不是本版本的{self.what}（schema {have!r}，应为 {schema}）")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            raise
        return conn

    def _open_ro(self, schema: str) -> sqlite3.Connection:
        last: BaseException | None = None
        for extra in ("mode=ro", "immutable=1"):
            uri = f"{self.path.resolve().as_uri()}?{extra}"
            try:
                conn = sqlite3.connect(
                    uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
                )
                have = self._schema(conn)
            except sqlite3.Error as exc:
                last = exc
                continue
            if have != schema:
                conn.close()
                raise StorageError(f"{self.path} 不是本版本的{self.what}（schema {have!r}，应为 {schema}）")
            return conn
        raise storage_error(last or OSError("unable to open"), f"打开{self.what}", self.path)

    @staticmethod
    def _schema(conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if row is None:
            return None
        got = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        return got[0] if got else None

    @contextmanager
    def write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; any failure rolls back and becomes one TracegraphError line."""
        if self.read_only is not None:
            raise self.read_only
        with self.lock:
            self._begin(action)
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except TracegraphError:
                self._rollback()
                raise
            except (sqlite3.Error, OSError) as exc:
                self._rollback()
                raise storage_error(exc, action, self.path) from None
            except BaseException:
                self._rollback()
                raise

    def _begin(self, action: str) -> None:
        """Take the write lock, waiting up to BUSY_TIMEOUT_S. SQLite's own busy handler backs off to
        100 ms sleeps, so a writer in a tight loop can starve a second one; short native waits plus
        jittered retries let two writers take turns."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        self.conn.execute("PRAGMA busy_timeout=20")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    low = str(exc).lower()
                    if ("locked" not in low and "busy" not in low) or time.monotonic() > deadline:
                        raise storage_error(exc, action, self.path) from None
                time.sleep(random.uniform(0.0005, 0.004))
        except sqlite3.Error as exc:
            raise storage_error(exc, action, self.path) from None
        finally:
            self.conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")

    def _rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        try:
            with self.lock:
                cur = self.conn.execute(sql, params)
                cols = [c[0] for c in cur.description or ()]
                return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        except sqlite3.Error as exc:
            raise storage_error(exc, f"读取{self.what}", self.path) from None

    def close(self) -> None:
        try:
            with self.lock:
                self.conn.close()
        except sqlite3.Error:
            pass


# ---------------------------------------------------------------------------------------------- anchors
_WS = re.compile(r"\s+")
_LEAD_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十百]{1,3}是|第[一二三四五六七八九十百]{1,3}[,，、]?|(?:首先|其次|再次|最后)[,，]?"
    r"|[一二三四五六七八九十百]{1,3}[、.]|\(?[一二三四五六七八九十百0-9]{1,3}\)[、.]?|[0-9]{1,3}[、.](?![0-9])"
    r"|问题[0-9一二三四五六七八九十]{1,3}[:、.]?)"
)
_TRAIL = re.compile(r"[。；;.,，:：!！?？\s]+$")


def normalise_content(text: str) -> str:
    """Text as content, not layout: width/compatibility forms folded, white space and the leading
    enumeration marker (一是 / 1. / （一）) removed — renumbering must not change it."""
    s = _WS.sub("", unicodedata.normalize("NFKC", text or ""))
    s = _LEAD_MARKER.sub("", s, count=1)
    return _TRAIL.sub("", s)


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_content(text).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Anchor:
    """Where a decision's node was, by content: enough to find it again after renumbering."""

    node: str
    doc: str | None
    type: str
    title: str  # normalised
    hash: str
    text: str  # original text, truncated

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, s: str | None) -> Anchor | None:
        """A damaged anchor is treated as a node that cannot be found (orphan), never as a crash."""
        if not s:
            return None
        try:
            d = json.loads(s)
            return cls(
                node=str(d["node"]),
                doc=None if d.get("doc") is None else str(d["doc"]),
                type=str(d["type"]),
                title=str(d.get("title") or ""),
                hash=str(d.get("hash") or ""),
                text=str(d.get("text") or ""),
            )
        except (ValueError, KeyError, TypeError):
            return None


def make_anchor(g: nx.MultiDiGraph, n: str) -> Anchor:
    """The anchor of a node as the parser built it (an analyst's own title/type edits are not content)."""
    d = g.nodes[n]
    text = str(d.get("text") or d.get("title") or "")
    return Anchor(
        node=n,
        doc=d.get("doc"),
        type=str(d.get("orig_type") or d.get("type") or ""),
        title=normalise_content(str(d.get("orig_title", d.get("title")) or "")),
        hash=content_hash(text),
        text=text[:ANCHOR_TEXT_CHARS],
    )


class AnchorResolver:
    """Finds each anchor's node in a (freshly built) graph: same id and text, same text, same title,
    then text similarity within the same document and node type."""

    def __init__(self, g: nx.MultiDiGraph, redirects: dict[str, str] | None = None) -> None:
        self.g = g
        self.redirects = redirects or {}
        self._groups: dict[tuple[str | None, str], list[tuple[str, str, str, str]]] | None = None
        self._models: dict[tuple[str | None, str], tuple[BigramTfidf, Any]] = {}
        self._cache: dict[Anchor, tuple[str | None, str]] = {}

    def groups(self) -> dict[tuple[str | None, str], list[tuple[str, str, str, str]]]:
        if self._groups is None:
            out: dict[tuple[str | None, str], list[tuple[str, str, str, str]]] = {}
            for n, d in self.g.nodes(data=True):
                if d.get("doc") is None or d.get("type") == "Document":
                    continue
                text = str(d.get("text") or d.get("title") or "")
                typ = str(d.get("orig_type") or d.get("type") or "")
                title = normalise_content(str(d.get("orig_title", d.get("title")) or ""))
                out.setdefault((d.get("doc"), typ), []).append((n, title, content_hash(text), text))
            for v in out.values():
                v.sort(key=lambda r: (self.g.nodes[r[0]].get("start") or 0, r[0]))
            self._groups = out
        return self._groups

    def resolve(self, a: Anchor | None) -> tuple[str | None, str]:
        """(node id or None, how it was found: id | text | title | similar | merged)."""
        if a is None:
            return None, ""
        if a not in self._cache:
            self._cache[a] = self._resolve(a)
        return self._cache[a]

    def _resolve(self, a: Anchor) -> tuple[str | None, str]:
        if a.doc is None or a.type == "Document":
            n, how = a.node, "id"
            seen = set()
            while n not in self.g and n in self.redirects and n not in seen:
                seen.add(n)
                n, how = self.redirects[n], "merged"
            return (n, how) if n in self.g else (None, "")
        cands = self.groups().get((a.doc, a.type), [])
        if not cands:
            return None, ""
        same = [c for c in cands if c[2] == a.hash]
        for c in same:
            if c[0] == a.node:
                return c[0], "id"
        if same:
            return same[0][0], "text"
        if a.title and len(a.title) >= 2:
            titled = [c for c in cands if c[1] == a.title]
            if len(titled) == 1:
                return titled[0][0], "title"
            if titled:
                best = self._similar(a, titled, margin=0.0, floor=0.0)
                if best:
                    return best, "title"
        best = self._similar(a, cands, margin=SIM_MARGIN, floor=SIM_MIN)
        return (best, "similar") if best else (None, "")

    def _similar(self, a: Anchor, cands: list[tuple[str, str, str, str]], margin: float, floor: float) -> str | None:
        key = (a.doc, a.type)
        if key not in self._models:
            texts = [c[3][:ANCHOR_TEXT_CHARS] for c in self.groups()[key]]
            model = BigramTfidf(texts)
            self._models[key] = (model, model.matrix(texts))
        model, mat = self._models[key]
        index = {c[0]: i for i, c in enumerate(self.groups()[key])}
        vec = model.matrix([a.text[:ANCHOR_TEXT_CHARS]])[0]
        scored = sorted(((float(mat[index[c[0]]] @ vec), c[0]) for c in cands), reverse=True)
        if not scored or scored[0][0] < floor:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < margin:
            return None
        return scored[0][1]


def resolve_node_ref(g: nx.MultiDiGraph, ref: str) -> str:
    """A node id as typed: full (doc:P5.2), short when unambiguous (P5.2), or a policy name (两个责任)."""
    ref = clean_text(ref, 500, "节点编号", required=True)
    if ref in g:
        return ref
    if f"policy:{ref}" in g:
        return f"policy:{ref}"
    from tracegraph.graph.query.subgraph import resolve_id

    return resolve_id(g, ref)


# ---------------------------------------------------------------------------------------------- records
@dataclass
class Decision:
    id: int
    op: str
    etype: str | None
    source: str | None
    target: str | None
    source_anchor: Anchor | None
    target_anchor: Anchor | None
    field: str | None
    value: str | None
    comment: str
    user: str
    at: str
    undone: bool

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Decision:
        return cls(
            id=int(r["id"]),
            op=str(r["op"]),
            etype=r["etype"],
            source=r["source"],
            target=r["target"],
            source_anchor=Anchor.from_json(r["source_anchor"]),
            target_anchor=Anchor.from_json(r["target_anchor"]),
            field=r["field"],
            value=r["value"],
            comment=r["comment"] or "",
            user=r["user"],
            at=r["at"],
            undone=bool(r["undone"]),
        )


@dataclass
class Orphan:
    """A decision whose node is gone from the documents: shown to the analyst with its old text."""

    decision: int
    op: str
    missing: str  # which end: source | target | node | keep
    node: str  # the id it had
    type: str
    text: str  # its text then
    user: str
    at: str
    comment: str
    etype: str | None = None
    other: str | None = None  # the other end of a link, as it was
    value: str | None = None


@dataclass
class LinkDecision:
    source: str
    target: str
    etype: str
    curated: Decision | None = None  # confirm/add in force
    rejected: Decision | None = None  # reject in force


@dataclass
class CurationState:
    """The replayed log resolved against one graph."""

    links: dict[tuple[str, str, str], LinkDecision] = field(default_factory=dict)
    edits: dict[tuple[str, str], Decision] = field(default_factory=dict)
    merges: list[tuple[str, str, Decision]] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CurationReport:
    confirmed: list[tuple[str, str, str]] = field(default_factory=list)
    added: list[tuple[str, str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    rejected_absent: list[tuple[str, str, str]] = field(default_factory=list)  # nothing left to hide
    edited: list[tuple[str, str, str]] = field(default_factory=list)  # (node, field, value)
    merged: list[tuple[str, str]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)  # re-attached to another id
    orphans: list[Orphan] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- the store
class CurationStore:
    """The analysts' decisions for one workspace (see the module docstring for the guarantees)."""

    def __init__(self, path: str | Path, user: str | None = None) -> None:
        self.path = Path(path)
        self.user = clean_text(user or default_user(), USER_CHARS, "用户名", required=True)
        self.db = SqliteFile(self.path, _DDL, SCHEMA, "校对数据库")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CurationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading
    def decisions(self, include_undone: bool = False) -> list[Decision]:
        sql = "SELECT * FROM decisions" + ("" if include_undone else " WHERE undone = 0") + " ORDER BY id"
        return [Decision.from_row(r) for r in self.db.read(sql)]

    def log(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first (the last `limit` entries when given)."""
        if limit:
            rows = self.db.read("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (int(limit),))
            return rows[::-1]
        return self.db.read("SELECT * FROM audit ORDER BY id")

    def version(self) -> int:
        """Changes with every write (each write adds an audit row): a cache key for curated graphs."""
        return int(self.db.read("SELECT COALESCE(MAX(id), 0) AS v FROM audit")[0]["v"])

    def state(self, g: nx.MultiDiGraph) -> CurationState:
        """Replay the log against `g`: which link, node and policy decisions are in force, which are orphans."""
        decs = self.decisions()
        dismissed = {int(d.value) for d in decs if d.op == "dismiss" and (d.value or "").isdigit()}
        redirects = {d.target: d.source for d in decs if d.op == "merge" and d.source and d.target}
        res = AnchorResolver(g, redirects)
        st = CurationState()
        for d in decs:
            if d.op == "dismiss":
                continue
            if d.op in LINK_OPS:
                s, hs = res.resolve(d.source_anchor)
                t, ht = res.resolve(d.target_anchor)
                if s is None or t is None:
                    if d.id not in dismissed:
                        bad, a = ("source", d.source_anchor) if s is None else ("target", d.target_anchor)
                        other = d.target if bad == "source" else d.source
                        st.orphans.append(_orphan(d, bad, a, other=other))
                    continue
                self._moved(st, d, d.source, s, hs)
                self._moved(st, d, d.target, t, ht)
                key = (s, t, str(d.etype))
                ld = st.links.setdefault(key, LinkDecision(s, t, str(d.etype)))
                if d.op in ("confirm", "add"):
                    ld.curated, ld.rejected = d, None
                elif d.op == "reject":
                    ld.rejected = d
                else:
                    ld.rejected = None
            elif d.op == "edit":
                n, how = res.resolve(d.target_anchor)
                if n is None:
                    if d.id not in dismissed:
                        st.orphans.append(_orphan(d, "node", d.target_anchor))
                    continue
                self._moved(st, d, d.target, n, how)
                st.edits[(n, str(d.field))] = d
            elif d.op == "merge":
                keep, _ = res.resolve(d.source_anchor)
                if keep is None:
                    if d.id not in dismissed:
                        st.orphans.append(_orphan(d, "keep", d.source_anchor, other=d.target))
                    continue
                st.merges.append((keep, str(d.target), d))
        return st

    @staticmethod
    def _moved(st: CurationState, d: Decision, old: str | None, new: str, how: str) -> None:
        if old and old != new:
            st.moved.append({"decision": d.id, "op": d.op, "old": old, "new": new, "how": how})

    # ------------------------------------------------------------------ writing
    def _write(
        self,
        action: str,
        audit_target: str,
        old: str | None,
        new: str | None,
        comment: str,
        decision: dict[str, Any] | None,
    ) -> int:
        """Insert one decision (when given) and its audit row in one transaction; returns the decision
        id (or the audit id for audit-only operations)."""
        at = now_utc()
        with self.db.write(action) as c:
            did = None
            if decision is not None:
                cols = ["op", "etype", "source", "target", "source_anchor", "target_anchor", "field", "value"]
                vals = [decision.get(k) for k in cols]
                cur = c.execute(
                    f"INSERT INTO decisions({', '.join(cols)}, comment, user, at) "
                    f"VALUES ({', '.join('?' for _ in cols)}, ?, ?, ?)",
                    (*vals, comment, self.user, at),
                )
                did = cur.lastrowid
            cur = c.execute(
                "INSERT INTO audit(at, user, op, target, old_value, new_value, comment, decision_id, pid) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    at,
                    self.user,
                    decision["op"] if decision else action,
                    audit_target,
                    old,
                    new,
                    comment,
                    did,
                    os.getpid(),
                ),
            )
            return int(did if did is not None else cur.lastrowid)  # type: ignore[arg-type]

    def _link_args(self, g: nx.MultiDiGraph, source: str, target: str, etype: str) -> tuple[str, str, str]:
        etype = clean_text(etype, 20, "关系类型", required=True).upper()
        if etype not in LINK_RULES:
            raise CurationError(f"关系类型应为 {'、'.join(LINK_TYPES)} 之一，而不是“{etype}”")
        s, t = resolve_node_ref(g, source), resolve_node_ref(g, target)
        src_types, tgt_types = LINK_RULES[etype]
        st, tt = g.nodes[s].get("type"), g.nodes[t].get("type")
        if st not in src_types or tt not in tgt_types:
            raise CurationError(
                f"{etype} 只能从{'/'.join(src_types)}指向{'/'.join(tgt_types)}，而 {s} 是 {st}、{t} 是 {tt}"
            )
        return s, t, etype

    def link_status(self, g: nx.MultiDiGraph, s: str, t: str, etype: str) -> str:
        """How the link stands now, in words for the audit trail: 推断 0.84 / 已确认 / 已否决 / 无.
        Reads the decisions made under these ids plus the flags a curated graph carries (decisions made
        under older ids and re-attached), so a write never replays the whole log."""
        rows = self.db.read(
            "SELECT op FROM decisions WHERE undone = 0 AND etype = ? AND source = ? AND target = ? ORDER BY id",
            (etype, s, t),
        )
        curated: str | None = None
        rejected = False
        for r in rows:
            if r["op"] in ("confirm", "add"):
                curated, rejected = r["op"], False
            elif r["op"] == "reject":
                rejected = True
            elif r["op"] == "restore":
                rejected = False
        e = g.edges[s, t, etype] if g.has_edge(s, t, etype) else None
        if e is not None and not rows:
            if e.get("origin") == "curated":
                curated = "confirm" if e.get("previous_origin") else "add"
            rejected = bool(e.get("rejected"))
        parts = []
        if curated:
            parts.append("已确认" if curated == "confirm" else "人工添加")
        elif e is not None:
            origin = e.get("previous_origin") or e.get("origin")
            if origin in ("inferred", "explicit"):
                parts.append(f"{'推断' if origin == 'inferred' else '明示'} {float(e.get('score') or 0):.2f}")
        if rejected:
            parts.append("已否决")
        return "，".join(parts) or "无"

    def _link_op(self, g: nx.MultiDiGraph, op: str, source: str, target: str, etype: str, comment: str) -> int:
        s, t, etype = self._link_args(g, source, target, etype)
        comment = clean_text(comment, COMMENT_CHARS, "备注", required=(op == "add"))
        old = self.link_status(g, s, t, etype)
        present = g.has_edge(s, t, etype)
        if op == "confirm" and not present:
            raise CurationError(f"图中没有 {s} -{etype}-> {t} 这条关系；要手工建立请用“添加”（add）")
        if op == "reject" and not present:
            raise CurationError(f"图中没有 {s} -{etype}-> {t} 这条关系，无需否决")
        if op == "restore" and "已否决" not in old:
            raise CurationError(f"{s} -{etype}-> {t} 没有被否决，无需恢复")
        new = {"confirm": "已确认", "add": "人工添加", "reject": "已否决", "restore": "已恢复"}[op]
        dec = {
            "op": op,
            "etype": etype,
            "source": s,
            "target": t,
            "source_anchor": make_anchor(g, s).to_json(),
            "target_anchor": make_anchor(g, t).to_json(),
        }
        return self._write(OP_LABELS_ZH[op], f"{s} -{etype}-> {t}", old, new, comment, dec)

    def confirm(self, g: nx.MultiDiGraph, source: str, target: str, etype: str = "ADDRESSES", comment: str = "") -> int:
        """Accept a suggested (inferred or explicit) link: it becomes curated and outranks any re-inference."""
        return self._link_op(g, "confirm", source, target, etype, comment)

    def reject(self, g: nx.MultiDiGraph, source: str, target: str, etype: str = "ADDRESSES", comment: str = "") -> int:
        """Hide a link from every view and export; it stays listable and can be restored."""
        return self._link_op(g, "reject", source, target, etype, comment)

    def restore(self, g: nx.MultiDiGraph, source: str, target: str, etype: str = "ADDRESSES", comment: str = "") -> int:
        """Take back a rejection."""
        return self._link_op(g, "restore", source, target, etype, comment)

    def add(self, g: nx.MultiDiGraph, source: str, target: str, etype: str = "ADDRESSES", comment: str = "") -> int:
        """A link the linker did not draw, drawn by hand; the comment (why) is required."""
        return self._link_op(g, "add", source, target, etype, comment)

    def edit_node(
        self, g: nx.MultiDiGraph, node: str, title: str | None = None, type: str | None = None, comment: str = ""
    ) -> list[int]:
        """Correct a node's title and/or type (the parser's reading); returns one decision id per field."""
        n = resolve_node_ref(g, node)
        d = g.nodes[n]
        if d.get("type") in ("Document", "Speaker", "Quote") and type is not None:
            raise CurationError(f"{n} 的类型不能修改")
        comment = clean_text(comment, COMMENT_CHARS, "备注")
        changes: list[tuple[str, str]] = []
        if title is not None:
            changes.append(("title", clean_text(title, TITLE_CHARS, "标题", required=True)))
        if type is not None:
            t = clean_text(type, 20, "类型", required=True)
            t = t[:1].upper() + t[1:]
            if t not in EDITABLE_TYPES or d.get("type") not in EDITABLE_TYPES:
                raise CurationError(f"类型只能在 {'、'.join(EDITABLE_TYPES)} 之间修改（{n} 是 {d.get('type')}）")
            changes.append(("type", t))
        if not changes:
            raise CurationError("请给出要修改的标题（--title）或类型（--type）")
        anchor = make_anchor(g, n).to_json()
        ids = []
        for fld, value in changes:
            old = str(d.get(fld) or "")
            dec = {"op": "edit", "target": n, "target_anchor": anchor, "field": fld, "value": value}
            ids.append(self._write(f"{OP_LABELS_ZH['edit']}（{fld}）", f"{n}.{fld}", old, value, comment, dec))
        return ids

    def merge_policy(self, g: nx.MultiDiGraph, keep: str, drop: str, comment: str = "") -> int:
        """Two policy-reference nodes are one document (简称/全称): `drop`'s citations move to `keep`."""
        k, dr = resolve_node_ref(g, keep), resolve_node_ref(g, drop)
        for n in (k, dr):
            if g.nodes[n].get("type") != "PolicyRef":
                raise CurationError(f"{n} 不是政策依据节点，只能合并政策依据")
        if k == dr:
            raise CurationError("不能把政策依据与自身合并")
        comment = clean_text(comment, COMMENT_CHARS, "备注")
        aliases = sorted({*(g.nodes[k].get("aliases") or []), *(g.nodes[dr].get("aliases") or [])})
        dec = {
            "op": "merge",
            "source": k,
            "target": dr,
            "source_anchor": make_anchor(g, k).to_json(),
            "target_anchor": make_anchor(g, dr).to_json(),
            "value": json.dumps(aliases, ensure_ascii=False),
        }
        old = "、".join(g.nodes[dr].get("aliases") or [g.nodes[dr].get("title") or dr])
        return self._write(OP_LABELS_ZH["merge"], f"{k} ← {dr}", old, "、".join(aliases), comment, dec)

    def dismiss(self, decision_id: int, comment: str = "") -> int:
        """Stop listing an orphaned decision (after the analyst redid it by hand); undoable."""
        comment = clean_text(comment, COMMENT_CHARS, "备注")
        rows = self.db.read("SELECT * FROM decisions WHERE id = ?", (int(decision_id),))
        if not rows:
            raise CurationError(f"没有编号为 {decision_id} 的校对记录")
        dec = {"op": "dismiss", "value": str(int(decision_id))}
        return self._write(OP_LABELS_ZH["dismiss"], f"#{decision_id}", "失联", "已忽略", comment, dec)

    def undo(self, everyone: bool = False) -> Decision | None:
        """Undo the last change still in force — this user's own (default) or anyone's (`everyone`).
        Returns the undone decision, None when there is nothing to undo. An undo is not undoable."""
        at = now_utc()
        with self.db.write(OP_LABELS_ZH["undo"]) as c:
            sql = "SELECT * FROM decisions WHERE undone = 0" + ("" if everyone else " AND user = ?")
            cur = c.execute(sql + " ORDER BY id DESC LIMIT 1", () if everyone else (self.user,))
            row = cur.fetchone()
            if row is None:
                return None
            r = dict(zip([x[0] for x in cur.description], row, strict=True))
            c.execute("UPDATE decisions SET undone = 1 WHERE id = ? AND undone = 0", (r["id"],))
            prev = c.execute(
                "SELECT target, old_value, new_value FROM audit WHERE decision_id = ? ORDER BY id LIMIT 1", (r["id"],)
            ).fetchone()
            target, old, new = prev if prev else (r["target"] or "", None, None)
            c.execute(
                "INSERT INTO audit(at, user, op, target, old_value, new_value, comment, decision_id, pid) "
                "VALUES (?, ?, 'undo', ?, ?, ?, ?, ?, ?)",
                (
                    at,
                    self.user,
                    target,
                    new,
                    old,
                    f"撤销 #{r['id']}（{OP_LABELS_ZH.get(r['op'], r['op'])}，{r['user']}）",
                    r["id"],
                    os.getpid(),
                ),
            )
        r["undone"] = 1
        return Decision.from_row(r)


def _orphan(d: Decision, missing: str, a: Anchor | None, other: str | None = None) -> Orphan:
    node = a.node if a else str((d.source if missing in ("source", "keep") else d.target) or "")
    return Orphan(
        decision=d.id,
        op=d.op,
        missing=missing,
        node=node,
        type=a.type if a else "",
        text=a.text if a else "（锚点记录已损坏）",
        user=d.user,
        at=d.at,
        comment=d.comment,
        etype=d.etype,
        other=other,
        value=d.value,
    )


# ---------------------------------------------------------------------------------------------- overlay
def apply_curation(g: nx.MultiDiGraph, store: CurationStore) -> CurationReport:
    """Overlay the decisions on a freshly built and linked graph (in place): policy merges, node edits,
    curated links (origin "curated", overriding the inferred edge) and rejections (`rejected: True`,
    kept so they can be listed and restored). Call again after any re-linking."""
    st = store.state(g)
    rep = CurationReport(moved=st.moved, orphans=list(st.orphans))
    for keep, drop, d in st.merges:
        if drop in g and keep in g and drop != keep:
            _merge_policy_nodes(g, keep, drop, d)
            rep.merged.append((keep, drop))
    for (n, fld), d in st.edits.items():
        if n not in g:
            continue
        node = g.nodes[n]
        node.setdefault(f"orig_{fld}", node.get(fld))
        node[fld] = d.value
        node["curated"] = True
        node.setdefault("curation", {})[fld] = {"by": d.user, "at": d.at, "comment": d.comment, "decision": d.id}
        rep.edited.append((n, fld, str(d.value)))
    for (s, t, etype), ld in st.links.items():
        if ld.curated is not None:
            c = ld.curated
            if g.has_edge(s, t, etype):
                e = g.edges[s, t, etype]
                if e.get("origin") != "curated":
                    e["previous_origin"] = e.get("origin")
            else:
                g.add_edge(s, t, key=etype, type=etype, score=1.0, evidence={"curated": True, "comment": c.comment})
                e = g.edges[s, t, etype]
            e.update(origin="curated", curated_by=c.user, curated_at=c.at, comment=c.comment, decision=c.id)
            e.pop("rejected", None)
            (rep.confirmed if c.op == "confirm" else rep.added).append((s, t, etype))
        if ld.rejected is not None:
            r = ld.rejected
            if g.has_edge(s, t, etype):
                g.edges[s, t, etype].update(
                    rejected=True, rejected_by=r.user, rejected_at=r.at, rejection_comment=r.comment, decision=r.id
                )
                rep.rejected.append((s, t, etype))
            else:
                rep.rejected_absent.append((s, t, etype))
    g.graph["curation"] = {
        "confirmed": len(rep.confirmed),
        "added": len(rep.added),
        "rejected": len(rep.rejected),
        "edited": len(rep.edited),
        "merged": len(rep.merged),
        "orphans": len(rep.orphans),
    }
    return rep


def _merge_policy_nodes(g: nx.MultiDiGraph, keep: str, drop: str, d: Decision) -> None:
    """Citations of `drop` move to `keep` (mentions joined), aliases are united, `drop` goes."""
    k, dr = g.nodes[keep], g.nodes[drop]
    for u, _, key, data in list(g.in_edges(drop, keys=True, data=True)):
        _move_edge(g, u, keep, key, data)
    for _, v, key, data in list(g.out_edges(drop, keys=True, data=True)):
        _move_edge(g, keep, v, key, data)
    aliases = [*(k.get("aliases") or [])]
    for a in [*(dr.get("aliases") or []), dr.get("canonical") or dr.get("title")]:
        if a and a not in aliases and a != k.get("canonical"):
            aliases.append(a)
    k["aliases"] = aliases
    k["merged_from"] = [*(k.get("merged_from") or []), drop]
    k["curated"] = True
    k.setdefault("curation", {})["merge"] = {"by": d.user, "at": d.at, "comment": d.comment, "decision": d.id}
    g.remove_node(drop)


def _move_edge(g: nx.MultiDiGraph, u: str, v: str, key: Any, data: dict[str, Any]) -> None:
    if u == v:
        return
    if g.has_edge(u, v, key):
        e = g.edges[u, v, key]
        if "mentions" in data:
            e["mentions"] = [
                *(e.get("mentions") or []),
                *[m for m in data["mentions"] if m not in e.get("mentions", [])],
            ]
    else:
        g.add_edge(u, v, key=key, **data)


# ---------------------------------------------------------------------------------------------- listings
def _node_row(g: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    d = g.nodes[n] if n in g else {}
    return {"id": n, "type": d.get("type"), "title": d.get("title") or ""}


def review_rows(g: nx.MultiDiGraph, store: CurationStore) -> dict[str, list[dict[str, Any]]]:
    """What the 校对 view and `curate list` show, from the log (so it works on a curated or a raw graph):
    suggestions (inferred links nobody decided, best first), curated links, rejected links, node edits,
    policy merges and orphans."""
    st = store.state(g)
    decided = {k for k, ld in st.links.items() if ld.curated is not None or ld.rejected is not None}
    out: dict[str, list[dict[str, Any]]] = {
        "suggestions": [],
        "curated": [],
        "rejected": [],
        "edits": [],
        "merges": [],
        "orphans": [o.__dict__ for o in st.orphans],
    }
    for u, v, key, d in g.edges(keys=True, data=True):
        if key not in LINK_RULES or d.get("origin") != "inferred" or d.get("rejected") or (u, v, key) in decided:
            continue
        out["suggestions"].append(
            {
                "source": _node_row(g, u),
                "target": _node_row(g, v),
                "type": key,
                "score": float(d.get("score") or 0),
                "evidence": d.get("evidence") or {},
            }
        )
    out["suggestions"].sort(key=lambda r: (-r["score"], r["source"]["id"], r["target"]["id"]))
    for (s, t, etype), ld in sorted(st.links.items()):
        base = {"source": _node_row(g, s), "target": _node_row(g, t), "type": etype, "present": g.has_edge(s, t, etype)}
        if ld.curated is not None and ld.rejected is None:
            c = ld.curated
            out["curated"].append(
                {**base, "op": c.op, "by": c.user, "at": c.at, "comment": c.comment, "decision": c.id}
            )
        if ld.rejected is not None:
            r = ld.rejected
            out["rejected"].append({**base, "by": r.user, "at": r.at, "comment": r.comment, "decision": r.id})
    for (n, fld), d in sorted(st.edits.items()):
        row = _node_row(g, n)
        out["edits"].append(
            {
                "node": row,
                "field": fld,
                "value": d.value,
                "by": d.user,
                "at": d.at,
                "comment": d.comment,
                "decision": d.id,
            }
        )
    for keep, drop, d in st.merges:
        out["merges"].append(
            {"keep": keep, "drop": drop, "by": d.user, "at": d.at, "comment": d.comment, "decision": d.id}
        )
    return out
