"""Stage 4a, measures: groups (areas, sub-areas) over the smallest enumerated units, measures with their actions,
and problems named by a heading (关于“……”问题的整改) with the measures beneath them."""

from __future__ import annotations

import re

from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.base import ParserState
from tracegraph.loaders.structure.model import Item, OutlineNode
from tracegraph.loaders.textutil import sentences, trim

_TARGET_CLAUSE = re.compile(r"(?:针对|围绕|关于)[^，,。；;]{2,80}?(?:问题|现象)[,，]\s*")


_NAMED_PROBLEM = re.compile(r"关于“(.{2,80}?)”(?:的)?问题|针对“(.{2,80}?)”(?:的)?问题|关于(.{2,60}?)问题的整改")


class MeasuresStage(ParserState):
    def _is_group(self, node: OutlineNode, siblings_grouped: bool = False) -> bool:
        """An area or sub-area heading over measures, not a measure itself: it has numbered children, or
        enumerated units (一是…二是…) below its heading, or it is a bare heading line over narrative paragraphs
        (（三）… followed by one paragraph) among sibling groups."""
        if node.para is None:
            return False
        if node.children:
            return True
        p = self.paras[node.para]
        if len(self.inline_enums(self.heading_text(node)[1], node.end)) >= 2:
            return True  # the smallest enumerated units are the items; the heading above them is their group
        own = self.norm[node.content_start : p.end].strip()
        return siblings_grouped and self.is_bare_heading(node) and bool(self._item_paragraphs(node)) and len(own) <= 60

    def measure_group(self, node: OutlineNode, parent: int, path: str, status: str | None) -> None:
        """An Area (a group) with its measures: numbered children (themselves groups or measures), else the
        enumerated units of its paragraphs, else each narrative paragraph as one measure."""
        assert node.para is not None
        hs, he = self.heading_text(node)
        area = self.add("Area", node.marker_start, node.end, (hs, he), node.marker, path, parent, group="measures")
        if node.children:
            first = node.children[0].marker_start
            self._set_aside("context", self.paras[node.para].end, first)  # the area's opening paragraph
            grouped = any(self._is_group(c) for c in node.children)
            for c in node.children:
                cpath = f"{path}/{self._seg(c)}"
                if self._names_problem(c):
                    self.problem_named_measures(c, area, cpath, status)
                elif self._is_group(c, grouped):
                    self.measure_group(c, area, cpath, status)
                else:
                    self.child_item(c, "measure", area, cpath, status)
            return
        enum = self.inline_enums(self.heading_text(node)[1], node.end)
        if len(enum) >= 2:
            self._set_aside("context", self.heading_text(node)[1], enum[0][0])
            self.enum_runs(enum, "measure", area, path, node.end, status)
            return
        for k, para in enumerate(self._item_paragraphs(node), 1):
            title = self._action_title(para.start, para.end)
            ipath = f"{path}/¶{k}"
            m = self.add(
                "Measure", para.start, self._item_end(para.start, node.end), title, "", ipath, area, status=status
            )
            self.sentence_actions(title[1], self.items[m].end, m, ipath)

    def _action_title(self, start: int, end: int) -> tuple[int, int]:
        """A unit's lead clause — but never a background sentence (…是党的一项极端重要的工作) when a sentence
        that states what was done follows it."""
        sents = sentences(self.norm, start, end)
        for s, e in sents[:3]:
            if not cues.BACKGROUND.search(self.norm[s:e]):
                return self.title_span(s, e)
        return self.title_span(start, end)

    def _names_problem(self, node: OutlineNode) -> bool:
        """（一）关于“……”问题的整改 as a heading over measures — not a measure that opens with 针对“……”问题，…"""
        heading = self._heading(node)
        m = _NAMED_PROBLEM.search(heading)
        if not m:
            return False
        rest = re.sub(
            r"^(?:的)?(?:整改|整改情况|整改落实情况|落实情况|整改措施|整改工作)?[。：:\s]*$", "", heading[m.end() :]
        )
        return bool(node.children) or not rest or not self.has_problem_section

    @property
    def has_problem_section(self) -> bool:
        return any(i.type == "Problem" and not i.attrs.get("named") for i in self.items)

    def child_item(self, child: OutlineNode, role: str, parent: int, path: str, status: str | None) -> None:
        assert child.para is not None
        if self._is_ledger(child):
            self.ledger_entry(child, parent, path)
            return
        if child.children and any(self._is_ledger(c) for c in child.children):
            hs, he = self.heading_text(child)
            area = self.add("Area", child.marker_start, he, (hs, he), child.marker, path, parent)
            for c in child.children:
                self.child_item(c, role, area, f"{path}/{self._seg(c)}", status)
            return
        p = self.paras[child.para]
        hs, he = self.heading_text(child)
        title = self.title_span(child.content_start, p.end)
        inner = self.inline_enums(title[1], child.end)
        has_sub = bool(child.children) or len(inner) >= 2
        if role == "problem":
            heading = self.norm[hs:he]
            grouping = has_sub and (
                bool(child.children) or heading.rstrip("。 ").endswith("方面") or not cues.SHORTCOMING.search(heading)
            )
            if grouping:
                area = self.add("Area", child.marker_start, he, (hs, he), child.marker, path, parent)
                if child.children:
                    for g in child.children:
                        self.child_item(g, role, area, f"{path}/{self._seg(g)}", status)
                else:
                    self.enum_items(inner, role, area, path, child.end, status, area=area)
                return
            if self.is_heading_like(child) and self._item_paragraphs(child):
                # a heading (Word style, （一）政治建设方面) over plain paragraphs, each a problem
                area = self.add("Area", child.marker_start, he, (hs, he), child.marker, path, parent)
                self.paragraph_items(child, role, area, path, status)
                return
            self.problem(child.marker_start, child.end, title, child.marker, path, parent)
            return
        if role == "cause":
            if child.children and self.is_heading_like(child):
                for g in child.children:
                    self.child_item(g, role, parent, f"{path}/{self._seg(g)}", status)
                return
            self.add("Cause", child.marker_start, child.end, title, child.marker, path, parent)
            return
        # measure: the item is the measure, its sub-items are actions
        title = self._skip_target_clause(title)
        m = self.add("Measure", child.marker_start, child.end, title, child.marker, path, parent, status=status)
        self.ledger_fields(child, m)
        if child.children:
            for g in child.children:
                gp = self.paras[g.para] if g.para is not None else None
                if gp is None:
                    continue
                if g.children:
                    for gg in g.children:
                        if gg.para is None:
                            continue
                        gt = self.title_span(gg.content_start, self.paras[gg.para].end)
                        self.add("Action", gg.marker_start, gg.end, gt, gg.marker, f"{path}/{g.marker}/{gg.marker}", m)
                gt = self.title_span(g.content_start, gp.end)
                self.add("Action", g.marker_start, g.end, gt, g.marker, f"{path}/{self._seg(g)}", m)
        elif len(inner) >= 2:
            for k, (s, me, mk) in enumerate(inner):
                e = inner[k + 1][0] if k + 1 < len(inner) else self._para_end_at(s, child.end)
                self.add("Action", s, e, self.title_span(me, e), mk, f"{path}/{mk}", m)
        else:
            self.sentence_actions(title[1], self._fields_start(child, ("measure", "problem")), m, path)

    def _skip_target_clause(self, title: tuple[int, int]) -> tuple[int, int]:
        """针对“……”的问题，建立… → the title is what is done, the named problem becomes a link."""
        m = _TARGET_CLAUSE.match(self.norm, title[0], title[1])
        if m and m.end() < title[1]:
            return (m.end(), title[1])
        return title

    def sentence_actions(self, start: int, end: int, measure: int, path: str) -> None:
        """A measure's steps: each sentence after its lead sentence is one concrete action."""
        end = self._cut_closing(start, end)
        n = 0
        for s, e in sentences(self.norm, start, end):
            body = self.norm[s:e].strip(" 。；;")
            if len(body) < 6 or cues.LABEL_LINE.match(body):
                continue
            n += 1
            te = e - 1 if self.norm[e - 1] in "。！？!?；;" else e  # the sentence is already cut at its stop
            ts, te = trim(self.text, s, te)
            # the span is already cut at closing remarks and trimmed (on the normalised text): no add() checks
            self.items.append(Item("Action", s, e, ts, te, "", f"{path}/步骤{n}", measure, {}))

    def problem_named_measures(self, node: OutlineNode, parent: int, path: str, status: str | None) -> None:
        """（一）关于“……”问题的整改: the heading states the problem, what follows answers it. When the units
        beneath name narrower problems themselves ((1)关于“……”的问题。整改情况：…), the heading is their group."""
        hs, he = self.heading_text(node)
        if node.children and any(self._names_problem(c) for c in node.children):
            area = self.add("Area", node.marker_start, node.end, (hs, he), node.marker, path, parent, group="problems")
            for c in node.children:
                cpath = f"{path}/{self._seg(c)}"
                if self._names_problem(c):
                    self.problem_named_measures(c, area, cpath, status)
                else:
                    self.child_item(c, "measure", area, cpath, status)
            return
        m = _NAMED_PROBLEM.search(self.norm, hs, he)
        assert m is not None
        g = next(i for i in range(1, 4) if m.group(i))
        ps, pe = m.start(g), m.end(g)
        pid = self.problem(node.marker_start, he, (ps, pe), node.marker, path, parent, named=True)
        self.items[pid].start, self.items[pid].end = trim(self.text, node.marker_start, he)
        if node.children:
            for c in node.children:
                n0 = len(self.items)
                self.child_item(c, "measure", parent, f"{path}/{self._seg(c)}", status)
                first = trim(self.text, c.marker_start, c.end)[0]
                for it in self.items[n0:]:
                    if it.type == "Measure" and it.start == first:
                        it.attrs.setdefault("explicit_problems", []).append(pid)
        else:
            body_start = he
            enum = self.inline_enums(body_start, node.end)
            before = len(self.items)
            if enum:
                self.enum_items(enum, "measure", parent, path, node.end, status)
            else:
                s, e = trim(self.text, body_start, node.end)
                s = s + 1 if self.norm[s : s + 1] in "。:：" else s
                label = cues.RESULT_LABEL.match(self.norm, s, e)  # 整改情况：… names the part, not the measure
                s = trim(self.text, label.end(), e)[0] if label else s
                if e > s:
                    mid = self.add("Measure", s, e, self.title_span(s, e), "", f"{path}/措施", parent, status=status)
                    self.sentence_actions(self.items[mid].title_end, e, mid, f"{path}/措施")
            for it in self.items[before:]:
                if it.type == "Measure":
                    it.attrs.setdefault("explicit_problems", []).append(pid)

    def paragraph_items(self, node: OutlineNode, role: str, parent: int, path: str, status: str | None) -> None:
        """Problems written as plain paragraphs with a lead sentence and no marker."""
        k = 0
        for p in self._item_paragraphs(node):
            k += 1
            title = self.title_span(p.start, p.end)
            ipath = f"{path}/¶{k}"
            if role == "problem":
                if self._achievement(p.start, p.end, strict=True):
                    continue
                self.problem(p.start, p.end, title, "", ipath, parent)
            elif role == "cause":
                self.add("Cause", p.start, p.end, title, "", ipath, parent)
            else:
                m = self.add("Measure", p.start, p.end, title, "", ipath, parent, status=status)
                self.sentence_actions(title[1], p.end, m, ipath)
