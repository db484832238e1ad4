"""The team's curation log on the shared Neo4j: the same decisions and audit trail as an analyst's SQLite file
(graph.curation.log), so every analyst on the server sees every decision at once.

Layout: ``(:TGDecision {id, op, etype, source, target, source_anchor, target_anchor, field, value, comment,
user, at, undone})``, ``(:TGAudit {id, at, user, op, target, old_value, new_value, comment, decision_id,
pid})`` and one ``(:TGCurationCounter {name})`` holding the two id sequences. None of these carry the
``:TGNode`` or ``:TGDocumentMeta`` labels, so a push (which prunes only those) never touches them: decisions
survive re-pushes and rebuilds, and are re-attached to the new nodes by their content anchors.

Every write is one transaction that first takes the counter's write lock (``SET c._lock = true``): writers
queue on it, so ids increase in commit order and "the latest decision wins" is the same for every analyst;
two analysts deciding on the same link at once both get an audit row and the one that committed later stands.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from tracegraph.graph.curation.log import AUDIT_FIELDS, DECISION_FIELDS, AuditFor
from tracegraph.graph.stores.neo4j_io import DEFAULT_DATABASE, connect, neo4j_errors

if TYPE_CHECKING:
    from neo4j import Driver, ManagedTransaction

DECISION_LABEL = "TGDecision"
AUDIT_LABEL = "TGAudit"
COUNTER_LABEL = "TGCurationCounter"
LOG_NAME = "curation"
DECISION_KEYS = ("id", *DECISION_FIELDS, "comment", "user", "at", "undone")
AUDIT_KEYS = ("id", *AUDIT_FIELDS)

_SCHEMA = (
    f"CREATE CONSTRAINT tg_decision_id IF NOT EXISTS FOR (d:{DECISION_LABEL}) REQUIRE d.id IS UNIQUE",
    f"CREATE CONSTRAINT tg_audit_id IF NOT EXISTS FOR (a:{AUDIT_LABEL}) REQUIRE a.id IS UNIQUE",
    f"CREATE CONSTRAINT tg_curation_counter IF NOT EXISTS FOR (c:{COUNTER_LABEL}) REQUIRE c.name IS UNIQUE",
    f"CREATE INDEX tg_decision_user IF NOT EXISTS FOR (d:{DECISION_LABEL}) ON (d.user)",
    f"CREATE INDEX tg_decision_link IF NOT EXISTS FOR (d:{DECISION_LABEL}) ON (d.source, d.target)",
    f"CREATE INDEX tg_audit_decision IF NOT EXISTS FOR (a:{AUDIT_LABEL}) ON (a.decision_id)",
    f"CREATE INDEX tg_audit_op IF NOT EXISTS FOR (a:{AUDIT_LABEL}) ON (a.op)",
)
# the counter starts after any ids already there (a database restored without its counter stays consistent)
_ENSURE_COUNTER = (
    f"OPTIONAL MATCH (d:{DECISION_LABEL}) WITH coalesce(max(d.id), 0) AS md "
    f"OPTIONAL MATCH (a:{AUDIT_LABEL}) WITH md, coalesce(max(a.id), 0) AS ma "
    f"MERGE (c:{COUNTER_LABEL} {{name: $log}}) ON CREATE SET c.decisions = md, c.audit = ma"
)
_LOCK = f"MATCH (c:{COUNTER_LABEL} {{name: $log}}) SET c._lock = true RETURN c.decisions AS d, c.audit AS a"


def _clean(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """A row with exactly `keys` (absent ones None); ints stay ints, everything else a string or None."""
    out: dict[str, Any] = {}
    for k in keys:
        v = row.get(k)
        out[k] = v if v is None or isinstance(v, int | str) else json.dumps(v, ensure_ascii=False)
    return out


class Neo4jDecisionLog:
    """graph.curation.log.DecisionLog on a Neo4j database (one log per database: the team's)."""

    def __init__(self, driver: Driver, database: str = DEFAULT_DATABASE, *, uri: str = "", user: str = "",
                 owns_driver: bool = False) -> None:
        self.driver = driver
        self.database = database
        self.uri = uri
        self.neo4j_user = user
        self.log = LOG_NAME
        self.where = f"Neo4j {uri or '(driver)'} 数据库 {database}"
        self._owns = owns_driver
        with self._errors():
            for stmt in _SCHEMA:
                self.driver.execute_query(stmt, database_=self.database)
            self.driver.execute_query(_ENSURE_COUNTER, {"log": self.log}, database_=self.database)

    @classmethod
    def connect(cls, uri: str, user: str, password: str, database: str = DEFAULT_DATABASE) -> Neo4jDecisionLog:
        return cls(connect(uri, user, password), database, uri=uri, user=user, owns_driver=True)

    @property
    def read_only(self) -> Exception | None:
        return None

    def close(self) -> None:
        if self._owns:
            self.driver.close()

    def _errors(self) -> AbstractContextManager[None]:
        return neo4j_errors(self.uri, self.neo4j_user, self.database)

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        with self._errors():
            records = self.driver.execute_query(query, params, database_=self.database, routing_="r").records
        return [r.data() for r in records]

    # ------------------------------------------------------------------ reading
    def decisions(self, include_undone: bool = False) -> list[dict[str, Any]]:
        where = "" if include_undone else " WHERE d.undone = 0"
        rows = self._read(f"MATCH (d:{DECISION_LABEL}){where} RETURN properties(d) AS d ORDER BY d.id")
        return [_clean(r["d"], DECISION_KEYS) for r in rows]

    def decision(self, decision_id: int) -> dict[str, Any] | None:
        rows = self._read(f"MATCH (d:{DECISION_LABEL} {{id: $id}}) RETURN properties(d) AS d", id=int(decision_id))
        return _clean(rows[0]["d"], DECISION_KEYS) if rows else None

    def link_ops(self, etype: str, source: str, target: str) -> list[str]:
        rows = self._read(
            f"MATCH (d:{DECISION_LABEL}) WHERE d.source = $s AND d.target = $t AND d.etype = $e AND d.undone = 0 "
            "RETURN d.op AS op ORDER BY d.id", s=source, t=target, e=etype)
        return [r["op"] for r in rows]

    def audit(self, limit: int | None = None) -> list[dict[str, Any]]:
        if limit:
            rows = self._read(f"MATCH (a:{AUDIT_LABEL}) RETURN properties(a) AS a ORDER BY a.id DESC LIMIT $n",
                              n=int(limit))[::-1]
        else:
            rows = self._read(f"MATCH (a:{AUDIT_LABEL}) RETURN properties(a) AS a ORDER BY a.id")
        return [_clean(r["a"], AUDIT_KEYS) for r in rows]

    def version(self) -> int:
        rows = self._read(f"MATCH (c:{COUNTER_LABEL} {{name: $log}}) RETURN c.audit AS v", log=self.log)
        return int(rows[0]["v"] or 0) if rows else 0

    # ------------------------------------------------------------------ writing
    def _write(self, work: Any) -> Any:
        with self._errors(), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def _lock(self, tx: ManagedTransaction) -> tuple[int, int]:
        rec = tx.run(_LOCK, log=self.log).single()
        if rec is None:  # the counter was deleted behind our back (a wiped database): make it again
            tx.run(_ENSURE_COUNTER, log=self.log)
            rec = tx.run(_LOCK, log=self.log).single()
        assert rec is not None
        return int(rec["d"]), int(rec["a"])

    def _unlock(self, tx: ManagedTransaction) -> None:
        """Drop the lock flag (the lock itself ends with the transaction) when a write has nothing to write."""
        tx.run(f"MATCH (c:{COUNTER_LABEL} {{name: $log}}) REMOVE c._lock", log=self.log)

    def _add_audit(self, tx: ManagedTransaction, row: dict[str, Any], last: int) -> int:
        aid = last + 1
        tx.run(f"CREATE (a:{AUDIT_LABEL}) SET a = $props", props={**_clean(row, AUDIT_FIELDS), "id": aid})
        tx.run(f"MATCH (c:{COUNTER_LABEL} {{name: $log}}) SET c.audit = $a REMOVE c._lock", log=self.log, a=aid)
        return aid

    def append(self, action: str, decision: dict[str, Any] | None, audit: dict[str, Any]) -> int:
        def work(tx: ManagedTransaction) -> int:
            last_d, last_a = self._lock(tx)
            did = None
            if decision is not None:
                did = last_d + 1
                props = {**_clean(decision, DECISION_KEYS), "id": did, "undone": 0}
                tx.run(f"CREATE (d:{DECISION_LABEL}) SET d = $props", props=props)
                tx.run(f"MATCH (c:{COUNTER_LABEL} {{name: $log}}) SET c.decisions = $d", log=self.log, d=did)
            aid = self._add_audit(tx, {**audit, "decision_id": did}, last_a)
            return did if did is not None else aid

        return int(self._write(work))

    def _first_audit(self, tx: ManagedTransaction, did: int) -> dict[str, Any] | None:
        rec = tx.run(f"MATCH (a:{AUDIT_LABEL} {{decision_id: $id}}) RETURN properties(a) AS a ORDER BY a.id LIMIT 1",
                     id=did).single()
        return _clean(rec["a"], AUDIT_KEYS) if rec else None

    def take_back(self, action: str, user: str | None, audit_for: AuditFor) -> dict[str, Any] | None:
        def work(tx: ManagedTransaction) -> dict[str, Any] | None:
            _, last_a = self._lock(tx)
            mine = "" if user is None else " AND d.user = $user"
            rec = tx.run(f"MATCH (d:{DECISION_LABEL}) WHERE d.undone = 0{mine} "
                         "RETURN properties(d) AS d ORDER BY d.id DESC LIMIT 1", user=user).single()
            if rec is None:
                self._unlock(tx)
                return None
            r = _clean(rec["d"], DECISION_KEYS)
            tx.run(f"MATCH (d:{DECISION_LABEL} {{id: $id}}) SET d.undone = 1", id=r["id"])
            self._add_audit(tx, audit_for(r, self._first_audit(tx, r["id"])), last_a)
            return {**r, "undone": 1}

        result: dict[str, Any] | None = self._write(work)
        return result

    def bring_back(self, action: str, user: str | None, audit_for: AuditFor) -> dict[str, Any] | None:
        def work(tx: ManagedTransaction) -> dict[str, Any] | None:
            _, last_a = self._lock(tx)
            mine = "" if user is None else " AND a.user = $user"
            rec = tx.run(f"MATCH (a:{AUDIT_LABEL} {{op: 'undo'}}) WHERE true{mine} "
                         f"MATCH (d:{DECISION_LABEL} {{id: a.decision_id}}) WHERE d.undone = 1 "
                         "RETURN a.id AS aid, properties(d) AS d ORDER BY a.id DESC LIMIT 1", user=user).single()
            if rec is None:
                self._unlock(tx)
                return None
            later = tx.run(f"MATCH (a:{AUDIT_LABEL}) WHERE a.id > $aid AND NOT a.op IN ['undo', 'redo'] "
                           f"AND a.decision_id IS NOT NULL{mine} RETURN a.id LIMIT 1",
                           aid=int(rec["aid"]), user=user).single()
            if later is not None:
                self._unlock(tx)
                return None
            r = _clean(rec["d"], DECISION_KEYS)
            tx.run(f"MATCH (d:{DECISION_LABEL} {{id: $id}}) SET d.undone = 0", id=r["id"])
            self._add_audit(tx, audit_for(r, self._first_audit(tx, r["id"])), last_a)
            return {**r, "undone": 0}

        result: dict[str, Any] | None = self._write(work)
        return result
