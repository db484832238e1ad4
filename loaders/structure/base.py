"""The reader's shared state and small helpers: the texts, paragraphs, items found so far, spans and titles.

Every stage (outline, enumeration, roles, measures, problems, ledger, other matters) is a mixin over this class;
the stages call each other through the methods declared under TYPE_CHECKING below."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

from tracegraph.loaders.formats.document import LoadedDocument, Paragraph
from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.boundaries import closing_paragraphs, document_starts
from tracegraph.loaders.structure.model import _ITEM_TYPES, Item, OutlineNode
from tracegraph.loaders.textutil import normalise, sentence_end, trim


class ParserState:
    def __init__(self, doc: LoadedDocument) -> None:
        self.doc = doc
        self.text = doc.text
        self.norm = normalise(doc.text)
        self.paras = doc.paragraphs
        self.items: list[Item] = []
        self.para_starts = [p.start for p in self.paras]
        self.part_paras = document_starts(self.paras, self.norm)
        self.part_starts = [self.paras[i].start for i in self.part_paras]
        self.boilerplate = set(closing_paragraphs(self.paras, self.norm))
        self.closing_starts = sorted(
            {
                p.start
                for p in self.paras
                if cues.CLOSING_PARA.match(self.norm[p.start : p.end])
                or cues.SIGNATURE.match(self.norm[p.start : p.end])
            }
            | set(self.part_starts)
            | {self.paras[i].start for i in self.boilerplate}
        )
        self._enum_memo: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        self._heading_memo: dict[int, tuple[int, int]] = {}
        self.has_taken = False  # measures are reported as taken somewhere in the document (set by parse)
        self.report_genre = False  # a 整改情况通报: what it lists was done (set by parse)
        self.set_aside: dict[str, int] = {}  # what the reader saw and kept out of the items, in characters

    def heading_text(self, node: OutlineNode) -> tuple[int, int]:
        """The heading's own line (after the marker), up to its first sentence end."""
        assert node.para is not None
        if node.para not in self._heading_memo:
            p = self.paras[node.para]
            s = node.content_start
            e = sentence_end(self.norm, s, p.end, "。！？!?；;:")
            self._heading_memo[node.para] = trim(self.text, s, e)
        return self._heading_memo[node.para]

    def title_span(self, start: int, end: int, stops: str = "。！？!?；;") -> tuple[int, int]:
        e = sentence_end(self.norm, start, end, stops)
        return trim(self.text, start, e)

    def is_heading_like(self, node: OutlineNode) -> bool:
        """A short line with no sentence body after it, e.g. （一）政治建设方面."""
        assert node.para is not None
        p = self.paras[node.para]
        hs, he = self.heading_text(node)
        rest = self.norm[he : p.end].strip(" 。:：;；")
        return not rest and (he - hs) <= 40

    def add(
        self,
        type_: str,
        start: int,
        end: int,
        title: tuple[int, int],
        marker: str,
        path: str,
        parent: int | None,
        **attrs: Any,
    ) -> int:
        if type_ in _ITEM_TYPES:
            end = self._cut_closing(start, end)
        start, end = trim(self.text, start, end)
        ts, te = title
        self.items.append(Item(type_, start, end, ts, te, marker, path, parent, dict(attrs)))
        return len(self.items) - 1

    def _cut_closing(self, start: int, end: int) -> int:
        """An item never runs into a closing remark (以上…请批评指正) or a signature that follows it."""
        k = bisect.bisect_right(self.closing_starts, start)
        if k < len(self.closing_starts) and self.closing_starts[k] < end:
            return self.closing_starts[k]
        return end

    def _part_of(self, pos: int) -> int:
        return bisect.bisect_right(self.part_starts, pos)

    def _mark_set_aside(self, first: int, why: str) -> None:
        """Units kept apart from the measures taken (organisational, next steps): shown, never linked."""
        for it in self.items[first:]:
            if it.type == "Measure":
                it.attrs["set_aside"] = why

    def _set_aside(self, what: str, start: int, end: int) -> None:
        self.set_aside[what] = self.set_aside.get(what, 0) + max(0, end - start)

    def _heading(self, node: OutlineNode) -> str:
        if node.para is None:
            return ""
        hs, he = self.heading_text(node)
        return self.norm[hs:he]

    def _seg(self, node: OutlineNode) -> str:
        """A node's step in an item path: its marker, or for an unnumbered (Word-styled) heading its words."""
        if node.marker:
            return node.marker
        if node.para is None:
            return ""
        hs, he = self.heading_text(node)
        return self.text[hs:he][:12]

    def _para_index_at(self, pos: int) -> int | None:
        k = bisect.bisect_right(self.para_starts, pos) - 1
        return k if k >= 0 and pos < self.paras[k].end else None

    def _para_end_at(self, pos: int, limit: int) -> int:
        k = self._para_index_at(pos)
        return min(self.paras[k].end, limit) if k is not None else limit

    def is_bare_heading(self, node: OutlineNode) -> bool:
        """A heading line with no sentence after it (its whole paragraph is the heading)."""
        assert node.para is not None
        p = self.paras[node.para]
        _hs, he = self.heading_text(node)
        return not self.norm[he : p.end].strip(" 。:：;；")

    def _item_end(self, s: int, end: int) -> int:
        """The last enumerated item runs to its paragraph's end, plus continuation paragraphs that are
        not closing remarks."""
        e = self._para_end_at(s, end)
        for k in range(bisect.bisect_left(self.para_starts, e), len(self.paras)):
            p = self.paras[k]
            if p.start >= end:
                break
            t = self.norm[p.start : p.end]
            if cues.CLOSING_PARA.match(t) or p.kind == "table_row" or cues.OTHER_PARA.match(t):
                break
            e = p.end
        return e

    def _item_paragraphs(self, node: OutlineNode) -> list[Paragraph]:
        """The node's plain paragraphs that read as items: not intros (…如下：), closings, signatures,
        labels, tables or 其他事项说明."""
        out = []
        for idx in node.body:
            p = self.paras[idx]
            if p.kind == "table_row":
                continue
            t = self.norm[p.start : p.end]
            if cues.OTHER_PARA.match(t) or cues.SIGNATURE.match(t) or cues.LABEL_LINE.match(t):
                continue
            if cues.CLOSING_PARA.match(t) or (cues.INTRO_PARA.search(t[:60]) and len(t) < 120) or len(t) < 8:
                continue
            out.append(p)
        return out

    def _section_for(self, pos: int) -> int:
        best = 0
        for i, it in enumerate(self.items):
            if it.type == "Section" and it.start <= pos < it.end:
                best = i
        return best

    if TYPE_CHECKING:  # the stages, as the others call them

        def build_outline(self) -> OutlineNode: ...

        def _ledger_like(self, idx: int) -> bool: ...

        def _set_ends(self, node: OutlineNode, end: int) -> None: ...

        def inline_enums(self, start: int, end: int) -> list[tuple[int, int, str]]: ...

        def lead_before(self, pos: int) -> str: ...

        def _inline_enums(self, start: int, end: int) -> list[tuple[int, int, str]]: ...

        def enum_items(
            self,
            enum: list[tuple[int, int, str]],
            role: str,
            parent: int,
            path: str,
            end: int,
            status: str | None,
            area: int | None = None,
        ) -> None: ...

        def enum_runs(
            self,
            enum: list[tuple[int, int, str]],
            role: str,
            parent: int,
            path: str,
            end: int,
            status: str | None,
            area: int | None = None,
        ) -> None: ...

        def walk_section(self, node: OutlineNode, role: str | None, parent: int, path: str) -> None: ...

        def _section_role(self, sec: OutlineNode, role: str | None) -> str | None: ...

        def _lead_says_measures(self, node: OutlineNode) -> bool: ...

        def mixed_paragraphs(self, node: OutlineNode, parent: int, path: str) -> None: ...

        def roles_from_content(self, node: OutlineNode, parent: int, path: str) -> None: ...

        def walk_body_only(self, root: OutlineNode) -> None: ...

        def _measure_status(self, node: OutlineNode) -> str: ...

        def _default_status(self) -> str: ...

        def extract(self, node: OutlineNode, role: str, parent: int, path: str, status: str | None = None) -> None: ...

        def _is_group(self, node: OutlineNode, siblings_grouped: bool = False) -> bool: ...

        def measure_group(self, node: OutlineNode, parent: int, path: str, status: str | None) -> None: ...

        def _action_title(self, start: int, end: int) -> tuple[int, int]: ...

        def _names_problem(self, node: OutlineNode) -> bool: ...

        @property
        def has_problem_section(self) -> bool: ...

        def child_item(self, child: OutlineNode, role: str, parent: int, path: str, status: str | None) -> None: ...

        def _skip_target_clause(self, title: tuple[int, int]) -> tuple[int, int]: ...

        def sentence_actions(self, start: int, end: int, measure: int, path: str) -> None: ...

        def problem_named_measures(self, node: OutlineNode, parent: int, path: str, status: str | None) -> None: ...

        def paragraph_items(self, node: OutlineNode, role: str, parent: int, path: str, status: str | None) -> None: ...

        def _achievement(self, start: int, end: int, strict: bool = False) -> bool: ...

        def semicolon_problem_lists(self) -> None: ...

        def problem(
            self, start: int, end: int, title: tuple[int, int], marker: str, path: str, parent: int | None, **attrs: Any
        ) -> int: ...

        def examples(self, start: int, end: int, pid: int, path: str) -> None: ...

        def _is_ledger(self, node: OutlineNode) -> bool: ...

        def ledger_entry(self, node: OutlineNode, parent: int | None, path: str) -> None: ...

        def label_occurrences(self, node: OutlineNode) -> list[tuple[str, int, int, int]]: ...

        def _fields_start(self, node: OutlineNode, own: tuple[str, ...] = ("problem",)) -> int: ...

        def label_fields(self, node: OutlineNode) -> dict[str, tuple[int, int]]: ...

        def _fields_end(self, node: OutlineNode, start: int) -> int: ...

        def ledger_fields(self, node: OutlineNode, measure: int) -> None: ...

        def actions_in(self, start: int, end: int, measure: int, path: str) -> None: ...

        def tables(self, node: OutlineNode, parent: int | None, path: str, role: str | None) -> None: ...

        def other_matters_in_paras(self, root: OutlineNode) -> None: ...

        def other_matters_block(self, node: OutlineNode, parent: int, path: str) -> None: ...

        def other_topics(self, start: int, end: int, parent: int, path: str, whole: bool = False) -> None: ...

        def _clause_start(self, pos: int, start: int) -> bool: ...

        def _admitted_clause(self, s: int, e: int) -> tuple[int, int]: ...
