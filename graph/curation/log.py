"""Where the curation log lives: the rows of decisions and of the audit trail, and the few transactions that
change them. The curation store (store.py) holds the rules — what a decision means, replay, the words in the
audit trail — and talks only to this interface, so the same rules run on an analyst's SQLite file
(`SqliteDecisionLog`, here) and on the team's Neo4j (`graph.stores.neo4j_curation.Neo4jDecisionLog`).

What every log guarantees:
- a decision and its audit row are written in one transaction (both or neither);
- ids increase in commit order, one sequence for decisions and one for audit rows, so "the latest decision
  wins" means the same thing to every reader, also when two analysts write at once;
- undo and redo find their decision, flag it and write their audit row in one transaction, so two analysts
  undoing at once never take back the same decision twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from tracegraph.graph.curation.sqlite import SqliteFile

DECISION_FIELDS = ("op", "etype", "source", "target", "source_anchor", "target_anchor", "field", "value")
AUDIT_FIELDS = ("at", "user", "op", "target", "old_value", "new_value", "comment", "decision_id", "pid")

# (the decision row being undone or redone, its first audit row or None) → the new audit row
AuditFor = Callable[[dict[str, Any], dict[str, Any] | None], dict[str, Any]]


@runtime_checkable
class DecisionLog(Protocol):
    """The storage of one curation log (see the module docstring for the guarantees)."""

    where: str  # for messages: a file path or a Neo4j address

    @property
    def read_only(self) -> Exception | None:
        """Why nothing can be written (a read-only disk, say), or None."""
        ...

    def decisions(self, include_undone: bool = False) -> list[dict[str, Any]]:
        """Decision rows in id order."""
        ...

    def decision(self, decision_id: int) -> dict[str, Any] | None: ...

    def link_ops(self, etype: str, source: str, target: str) -> list[str]:
        """The ops in force recorded under exactly these ids, in id order."""
        ...

    def audit(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Audit rows, oldest first (the last `limit` when given)."""
        ...

    def version(self) -> int:
        """Changes with every write: the highest audit id."""
        ...

    def append(self, action: str, decision: dict[str, Any] | None, audit: dict[str, Any]) -> int:
        """Write a decision (when given; DECISION_FIELDS plus comment, user, at) and its audit row (AUDIT_FIELDS
        but decision_id) in one transaction; the decision's id, else the audit row's."""
        ...

    def take_back(self, action: str, user: str | None, audit_for: AuditFor) -> dict[str, Any] | None:
        """Undo: flag the latest decision in force (of `user`, or anyone's with None) as undone and write the
        audit row `audit_for` makes; the decision row (undone) or None when there is none."""
        ...

    def bring_back(self, action: str, user: str | None, audit_for: AuditFor) -> dict[str, Any] | None:
        """Redo: the decision the latest undo (of `user`, or anyone's) took back is in force again, unless
        that user made a new decision after the undo; the decision row or None."""
        ...

    def close(self) -> None: ...


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
SCHEMA = "tracegraph-curation/1"


class SqliteDecisionLog:
    """The log in one SQLite file (sqlite.py: WAL, busy timeout; every write one `BEGIN IMMEDIATE`, which
    serialises writers and so gives ids in commit order)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self.db = SqliteFile(self.path, _DDL, SCHEMA, "校对数据库")

    @property
    def read_only(self) -> Exception | None:
        return self.db.read_only

    def close(self) -> None:
        self.db.close()

    def decisions(self, include_undone: bool = False) -> list[dict[str, Any]]:
        where = "" if include_undone else " WHERE undone = 0"
        return self.db.read(f"SELECT * FROM decisions{where} ORDER BY id")

    def decision(self, decision_id: int) -> dict[str, Any] | None:
        rows = self.db.read("SELECT * FROM decisions WHERE id = ?", (int(decision_id),))
        return rows[0] if rows else None

    def link_ops(self, etype: str, source: str, target: str) -> list[str]:
        rows = self.db.read(
            "SELECT op FROM decisions WHERE undone = 0 AND etype = ? AND source = ? AND target = ? ORDER BY id",
            (etype, source, target),
        )
        return [r["op"] for r in rows]

    def audit(self, limit: int | None = None) -> list[dict[str, Any]]:
        if limit:
            return self.db.read("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (int(limit),))[::-1]
        return self.db.read("SELECT * FROM audit ORDER BY id")

    def version(self) -> int:
        return int(self.db.read("SELECT COALESCE(MAX(id), 0) AS v FROM audit")[0]["v"])

    @staticmethod
    def _insert_audit(c: Any, row: dict[str, Any]) -> int:
        cur = c.execute(
            f"INSERT INTO audit({', '.join(AUDIT_FIELDS)}) VALUES ({', '.join('?' for _ in AUDIT_FIELDS)})",
            tuple(row.get(k) for k in AUDIT_FIELDS),
        )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    def append(self, action: str, decision: dict[str, Any] | None, audit: dict[str, Any]) -> int:
        with self.db.write(action) as c:
            did = None
            if decision is not None:
                cols = [*DECISION_FIELDS, "comment", "user", "at"]
                cur = c.execute(
                    f"INSERT INTO decisions({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                    tuple(decision.get(k) for k in cols),
                )
                assert cur.lastrowid is not None  # an INSERT always sets it
                did = int(cur.lastrowid)
            aid = self._insert_audit(c, {**audit, "decision_id": did})
            return did if did is not None else aid

    @staticmethod
    def _row(c: Any, sql: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        cur = c.execute(sql, params)
        row = cur.fetchone()
        return None if row is None else dict(zip([x[0] for x in cur.description], row, strict=True))

    def take_back(self, action: str, user: str | None, audit_for: AuditFor) -> dict[str, Any] | None:
        with self.db.write(action) as c:
            sql = "SELECT * FROM decisions WHERE undone = 0" + ("" if user is None else " AND user = ?")
            r = self._row(c, sql + " ORDER BY id DESC LIMIT 1", () if user is None else (user,))
            if r is None:
                return None
            c.execute("UPDATE decisions SET undone = 1 WHERE id = ? AND undone = 0", (r["id"],))
            first = self._row(c, "SELECT * FROM audit WHERE decision_id = ? ORDER BY id LIMIT 1", (r["id"],))
            self._insert_audit(c, audit_for(r, first))
        return {**r, "undone": 1}

    def bring_back(self, action: str, user: str | None, audit_for: AuditFor) -> dict[str, Any] | None:
        with self.db.write(action) as c:
            mine = "" if user is None else " AND a.user = ?"
            args: tuple[Any, ...] = () if user is None else (user,)
            last = self._row(
                c,
                "SELECT a.id AS aid, a.decision_id AS did FROM audit a JOIN decisions d ON d.id = a.decision_id "
                "WHERE a.op = 'undo' AND d.undone = 1" + mine + " ORDER BY a.id DESC LIMIT 1",
                args,
            )
            if last is None:
                return None
            later = c.execute(
                "SELECT 1 FROM audit a WHERE a.id > ? AND a.op NOT IN ('undo', 'redo') "
                "AND a.decision_id IS NOT NULL" + mine + " LIMIT 1",
                (int(last["aid"]), *args),
            ).fetchone()
            if later is not None:
                return None
            r = self._row(c, "SELECT * FROM decisions WHERE id = ?", (int(last["did"]),))
            assert r is not None  # the JOIN above found it
            c.execute("UPDATE decisions SET undone = 0 WHERE id = ?", (r["id"],))
            first = self._row(c, "SELECT * FROM audit WHERE decision_id = ? ORDER BY id LIMIT 1", (r["id"],))
            self._insert_audit(c, audit_for(r, first))
        return {**r, "undone": 0}
