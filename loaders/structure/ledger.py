"""Stage 4c, 台账 and tables: 问题N：/整改措施：/责任领导：… fields and table columns as items and attributes."""

from __future__ import annotations

import re

from tracegraph.loaders.formats.document import Paragraph
from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.base import ParserState
from tracegraph.loaders.structure.model import OutlineNode
from tracegraph.loaders.textutil import trim

_LABEL_ANYWHERE = re.compile(
    r"(?:(?<=^)|(?<=[\n。；;\s]))(" + cues.LABEL_LINE.pattern.split("(", 1)[1].split(")", 1)[0] + r")\s*[:：]",
    re.M,
)


class LedgerStage(ParserState):
    def _is_ledger(self, node: OutlineNode) -> bool:
        """A heading followed by 整改措施：/责任单位： fields is one 台账 entry, whatever its numbering."""
        if node.para is None:
            return False
        own = self.norm[node.content_start : self.paras[node.para].end]
        if re.search(r"整改措施\s*[:：]", own):
            return True
        for idx in node.body:
            m = cues.LABEL_LINE.match(self.norm[self.paras[idx].start : self.paras[idx].end])
            if m and cues.field_of(m.group(1)) in ("measure", "owner", "department", "deadline"):
                return True
        return False

    def ledger_entry(self, node: OutlineNode, parent: int | None, path: str) -> None:
        assert node.para is not None
        p = self.paras[node.para]
        title = self.title_span(node.content_start, p.end)
        pid = self.problem(
            node.marker_start,
            self._fields_start(node),
            title,
            node.marker,
            path,
            parent,
        )
        fields = self.label_fields(node)
        if "measure" in fields:
            ms, _me = fields["measure"]
            mend = self._fields_end(node, ms)
            lead = re.match(r"\s*(?:\(?[0-9]{1,2}[).、]|\([0-9]{1,2}\)|[①-⑳])\s*", self.norm[ms:mend])
            mid = self.add(
                "Measure",
                ms,
                mend,
                self.title_span(ms + (lead.end() if lead else 0), mend),
                "整改措施",
                f"{path}/整改措施",
                parent,
                status="taken" if self.has_taken else "planned",
                explicit_problems=[pid],
            )
            self.ledger_fields(node, mid)
            self.actions_in(ms, mend, mid, f"{path}/整改措施")

    def label_occurrences(self, node: OutlineNode) -> list[tuple[str, int, int, int]]:
        """`标签：值` fields inside a node, inline or on their own lines: (field, label start, value start,
        value end); a value runs to the next label, so 整改措施：1.…\n2.… keeps its continuation lines."""
        if node.para is None:
            return []
        found: list[tuple[str, int, int]] = []
        for m in _LABEL_ANYWHERE.finditer(self.norm, node.content_start, node.end):
            name = cues.field_of(m.group(1))
            if name:
                found.append((name, m.start(1), m.end()))
        out = []
        for i, (name, ls, vs) in enumerate(found):
            ve = found[i + 1][1] if i + 1 < len(found) else self._cut_closing(vs, node.end)
            vs2, ve2 = trim(self.text, vs, ve)
            out.append((name, ls, vs2, ve2))
        return out

    def _fields_start(self, node: OutlineNode, own: tuple[str, ...] = ("problem",)) -> int:
        """Where 责任领导/完成时限-style fields begin: attributes, not part of the item's own text (`own` names
        the fields that still are)."""
        for name, ls, _vs, _ve in self.label_occurrences(node):
            if name not in own:
                return ls
        return node.end

    def label_fields(self, node: OutlineNode) -> dict[str, tuple[int, int]]:
        """Value spans of the first occurrence of each field."""
        out: dict[str, tuple[int, int]] = {}
        for name, _ls, vs, ve in self.label_occurrences(node):
            out.setdefault(name, (vs, ve))
        return out

    def _fields_end(self, node: OutlineNode, start: int) -> int:
        for _name, _ls, vs, ve in self.label_occurrences(node):
            if vs == start:
                return ve
        return trim(self.text, start, node.end)[1]

    def ledger_fields(self, node: OutlineNode, measure: int) -> None:
        for name, (s, e) in self.label_fields(node).items():
            if name in ("owner", "department", "deadline", "status", "goal"):
                self.items[measure].attrs[name] = self.text[s:e]

    def actions_in(self, start: int, end: int, measure: int, path: str) -> None:
        """Actions inside a field value: numbered pieces (1.…2.…, （1）…) or else sentences."""
        pat = re.compile(r"(?:(?<=^)|(?<=[\s。；;:：]))(?:\(?([0-9]{1,2})[).、]|\(([0-9]{1,2})\)|([①-⑳]))")
        marks = [
            m
            for m in pat.finditer(self.norm, start, end)
            if not re.match(r"\d\.\d", self.norm[m.start() : m.end() + 1])
        ]
        if len(marks) >= 2:
            for k, m in enumerate(marks):
                e = marks[k + 1].start() if k + 1 < len(marks) else end
                s2, e2 = trim(self.text, m.start(), e)
                self.add(
                    "Action",
                    s2,
                    e2,
                    self.title_span(m.end(), e2),
                    self.text[m.start() : m.end()].strip(),
                    f"{path}/{self.text[m.start() : m.end()].strip()}",
                    measure,
                )
        else:
            self.sentence_actions(start, end, measure, path)

    def tables(self, node: OutlineNode, parent: int | None, path: str, role: str | None) -> None:
        rows = [self.paras[i] for i in node.body if self.paras[i].kind == "table_row"]
        if not rows:
            return
        by_table: dict[int | None, list[Paragraph]] = {}
        for r in rows:
            by_table.setdefault(r.table, []).append(r)
        for tno, trs in by_table.items():
            header = trs[0].header
            cols = [cues.field_of(h) if h else None for h in header]
            if not any(c in ("problem", "measure", "cause") for c in cols):
                continue
            last_problem: int | None = None
            for r_i, row in enumerate(trs):
                if r_i == 0:
                    continue  # header
                cell = {cols[c]: row.cells[c] for c in range(min(len(cols), len(row.cells))) if cols[c]}
                rpath = f"{path}/表{tno}行{r_i}"
                pid = None
                if "problem" in cell and cell["problem"][1] > cell["problem"][0]:
                    s, e = cell["problem"]
                    pid = self.problem(s, e, self.title_span(s, e), "", rpath, parent, table_row=r_i)
                    last_problem = pid
                elif "problem" in cell:
                    pid = last_problem
                if "cause" in cell and cell["cause"][1] > cell["cause"][0]:
                    s, e = cell["cause"]
                    cid = self.add("Cause", s, e, self.title_span(s, e), "", f"{rpath}/原因", parent)
                    if pid is not None:
                        self.items[cid].attrs["explicit_problems"] = [pid]
                if "measure" in cell and cell["measure"][1] > cell["measure"][0]:
                    s, e = cell["measure"]
                    status = "taken" if self.has_taken else "planned"
                    mid = self.add("Measure", s, e, self.title_span(s, e), "", f"{rpath}/措施", parent, status=status)
                    for name in ("owner", "department", "deadline", "status", "goal"):
                        if name in cell and cell[name][1] > cell[name][0]:
                            self.items[mid].attrs[name] = self.text[slice(*cell[name])]
                    if pid is not None:
                        self.items[mid].attrs["explicit_problems"] = [pid]
                    if "target" in cell and cell["target"][1] > cell["target"][0]:
                        self.items[mid].attrs["target_text"] = self.text[slice(*cell["target"])]
                    self.actions_in(s, e, mid, f"{rpath}/措施")
