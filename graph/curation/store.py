"""The curation store: an analyst's confirm / reject / add / edit / merge decisions, kept apart from the
built graph so they survive rebuilds, re-imports of a corrected document, crashes and two people at once.
(About 450 lines: every write path — the operations, undo and redo — shares one transaction helper and one
replay, and reads best in one place; the SQLite plumbing, anchors, records and applying are already apart.)

Storage is one SQLite file (sqlite.py: WAL mode, so readers never block the writer and a killed process
loses nothing it was told was saved; a busy timeout, so a second writer waits instead of failing). Every
operation is one `BEGIN IMMEDIATE` transaction holding its decision row and its audit row: both or neither.

Decisions are an append-only log replayed in order, the latest winning per link; undo flags an entry
as undone instead of deleting it, so the audit trail stays complete. Undo is per user by default (your
undo never reverts a colleague's concurrent work); `everyone=True` undoes the last change by anyone.

Each decision keeps a content anchor per node (anchors.py) and is re-attached by content after a rebuild;
a decision whose node cannot be found is ORPHANED: listed with its old text, never silently dropped.
Applying the decisions to a graph is apply.py; the rows the UI and `curate list` show are rows.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import networkx as nx

from tracegraph.errors import CurationError
from tracegraph.graph.curation.anchors import AnchorResolver, make_anchor, resolve_node_ref
from tracegraph.graph.curation.inputs import COMMENT_CHARS, TITLE_CHARS, USER_CHARS, clean_text, default_user, now_utc
from tracegraph.graph.curation.log import SCHEMA as SCHEMA
from tracegraph.graph.curation.log import AuditFor, DecisionLog, SqliteDecisionLog
from tracegraph.graph.curation.records import CurationState, Decision, LinkDecision, orphan
from tracegraph.graph.model.schema import ITEM_TYPES, LINK_RULES, LINK_TYPES

EDITABLE_TYPES = ITEM_TYPES  # a node of one of these types may be retyped as another
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
    "redo": "重做",
}



class CurationStore:
    """The analysts' decisions for one workspace (see the module docstring for the guarantees)."""

    def __init__(self, where: str | Path | DecisionLog, user: str | None = None) -> None:
        """`where`: the workspace's SQLite file, or a DecisionLog (e.g. the team's on Neo4j)."""
        self._owns_log = not isinstance(where, DecisionLog)  # a log handed in is its owner's to close
        self.log_store: DecisionLog = where if isinstance(where, DecisionLog) else SqliteDecisionLog(where)
        self.where = self.log_store.where
        self.user = clean_text(user or default_user(), USER_CHARS, "用户名", required=True)

    def close(self) -> None:
        if self._owns_log:
            self.log_store.close()

    def __enter__(self) -> CurationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading
    def decisions(self, include_undone: bool = False) -> list[Decision]:
        return [Decision.from_row(r) for r in self.log_store.decisions(include_undone)]

    def log(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first (the last `limit` entries when given)."""
        return self.log_store.audit(limit)

    def version(self) -> int:
        """Changes with every write (each write adds an audit row): a cache key for curated graphs."""
        return self.log_store.version()

    def state(self, g: nx.MultiDiGraph) -> CurationState:
        """Replay the log against `g`: which link, node and policy decisions are in force, which are orphans."""
        decs = self.decisions()
        dismissed = {int(d.value or 0) for d in decs if d.op == "dismiss" and (d.value or "").isdigit()}
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
                        st.orphans.append(orphan(d, bad, a, other=other))
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
                        st.orphans.append(orphan(d, "node", d.target_anchor))
                    continue
                self._moved(st, d, d.target, n, how)
                st.edits[(n, str(d.field))] = d
            elif d.op == "merge":
                keep, _ = res.resolve(d.source_anchor)
                if keep is None:
                    if d.id not in dismissed:
                        st.orphans.append(orphan(d, "keep", d.source_anchor, other=d.target))
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
        dec = None if decision is None else {**decision, "comment": comment, "user": self.user, "at": at}
        audit = {"at": at, "user": self.user, "op": decision["op"] if decision else action, "target": audit_target,
                 "old_value": old, "new_value": new, "comment": comment, "pid": os.getpid()}
        return self.log_store.append(action, dec, audit)

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
        rows = self.log_store.link_ops(etype, s, t)
        curated: str | None = None
        rejected = False
        for op in rows:
            if op in ("confirm", "add"):
                curated, rejected = op, False
            elif op == "reject":
                rejected = True
            elif op == "restore":
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

    def _link_op(
        self,
        g: nx.MultiDiGraph,
        op: str,
        source: str,
        target: str,
        etype: str,
        comment: str,
        cross_document: bool = False,
    ) -> int:
        s, t, etype = self._link_args(g, source, target, etype)
        ds, dt = g.nodes[s].get("doc"), g.nodes[t].get("doc")
        if op == "add" and ds != dt and not cross_document:
            # M5 of one document and P4.1 of another look alike in a list: never link them by accident
            raise CurationError(
                f"{s} 与 {t} 属于不同文档（{ds} / {dt}）：跨文档关联须明确选择（命令行 --cross-document）"
            )
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
        dec: dict[str, object] = {
            "op": op,
            "etype": etype,
            "source": s,
            "target": t,
            "source_anchor": make_anchor(g, s).to_json(),
            "target_anchor": make_anchor(g, t).to_json(),
        }
        if ds != dt:
            dec["cross_document"] = True
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

    def add(
        self,
        g: nx.MultiDiGraph,
        source: str,
        target: str,
        etype: str = "ADDRESSES",
        comment: str = "",
        cross_document: bool = False,
    ) -> int:
        """A link the linker did not draw, drawn by hand; the comment (why) is required. A link between two
        documents' nodes needs `cross_document=True`: the analyst chose it, it did not happen by a look-alike id."""
        return self._link_op(g, "add", source, target, etype, comment, cross_document)

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
        if self.log_store.decision(int(decision_id)) is None:
            raise CurationError(f"没有编号为 {decision_id} 的校对记录")
        dec = {"op": "dismiss", "value": str(int(decision_id))}
        return self._write(OP_LABELS_ZH["dismiss"], f"#{decision_id}", "失联", "已忽略", comment, dec)

    def _audit_for(self, op: str) -> AuditFor:
        """The audit row of an undo or redo: the decision's first audit row with old and new swapped (undo)
        or as they were (redo), and who made the decision."""

        def row(r: dict[str, Any], first: dict[str, Any] | None) -> dict[str, Any]:
            target, old, new = (first["target"], first["old_value"], first["new_value"]) if first else (
                r["target"] or "", None, None)
            if op == "undo":
                old, new = new, old
            verb = "撤销" if op == "undo" else "重做"
            what = f"{verb} #{r['id']}（{OP_LABELS_ZH.get(r['op'], r['op'])}，{r['user']}）"
            return {"at": now_utc(), "user": self.user, "op": op, "target": target, "old_value": old,
                    "new_value": new, "comment": what, "decision_id": r["id"], "pid": os.getpid()}

        return row

    def undo(self, everyone: bool = False) -> Decision | None:
        """Undo the last change still in force — this user's own (default) or anyone's (`everyone`).
        Returns the undone decision, None when there is nothing to undo. An undo is not undoable."""
        r = self.log_store.take_back(OP_LABELS_ZH["undo"], None if everyone else self.user, self._audit_for("undo"))
        return None if r is None else Decision.from_row(r)

    def redo(self, everyone: bool = False) -> Decision | None:
        """Re-apply the decision the last undo took back — this user's undo (default) or anyone's — as long
        as no new decision by the same user came after that undo (a new decision ends the redo chain, as in
        an editor). The decision is flagged in force again and the audit trail gets a 'redo' row. Returns
        the decision, None when there is nothing to redo."""
        r = self.log_store.bring_back(OP_LABELS_ZH["redo"], None if everyone else self.user, self._audit_for("redo"))
        return None if r is None else Decision.from_row(r)
