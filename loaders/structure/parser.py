"""The structure parser: headings → outline → roles → items (Problem, Cause, Measure, Action, Example).

Still one class over ~900 lines: the stages share the outline and the item list. Document boundaries and closing
boilerplate live in boundaries.py, wording in cues.py, the reading report in reading.py; the outline, enumeration
and role stages are next to be split out of _Parser.

It works on a length-preserving normalised copy of the text, so every span it returns slices the
loader's own text. Levels are inferred from the order in which marker styles first appear (the way
a reader does), so 一、/（一）/1./（1） and Word heading styles all nest without a fixed scheme.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from tracegraph.errors import StructureError
from tracegraph.loaders.formats.document import LoadedDocument, Paragraph
from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.boundaries import closing_paragraphs, document_starts
from tracegraph.loaders.textutil import cn_to_int, normalise, sentence_end, sentences, trim

_CN = "一二三四五六七八九十百"
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("tz_problem", re.compile(r"问题\s*([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*[:：.、]\s*")),
    ("di", re.compile(rf"第([{_CN}]{{1,3}})(?:部分|章|节|篇)\s*[、,.:]?\s*")),
    ("cn_dun", re.compile(rf"([{_CN}]{{1,3}})\s*[、.](?![{_CN}]?是)\s*")),
    ("cn_paren", re.compile(rf"\(([{_CN}]{{1,3}})\)\s*[、.]?\s*")),
    ("num_dun", re.compile(r"([0-9]{1,3})\s*(?:[、]|\.(?![0-9]))\s*")),
    ("num_paren", re.compile(r"\(([0-9]{1,3})\)\s*[、.]?\s*")),
    ("circled", re.compile(r"([①-⑳])\s*")),
]

INLINE_ENUM = re.compile(rf"([{_CN}]{{1,3}})(?:是|要|要是)(?![的否])")
SEQ_WORDS = ["首先", "其次", "再次", "最后"]
SEQ_ENUM = re.compile(r"(首先|其次|再次|最后)\s*[,，]")
DI_ENUM = re.compile(rf"第([{_CN}]{{1,3}})\s*[,，、]")
_CLAUSE_OPENERS = "。；;!?！？:：\n"
# Words that may stand right before an enumeration's first marker (今后一是要…, 下一步，一是…).
_ENUM_LEADS = re.compile(r"(?:今后|下一步|下步|此外|同时|具体而言|具体来说|主要是|其中|为此|对此|因此)\s*$")


@dataclass
class Span:
    start: int
    end: int


@dataclass
class OutlineNode:
    """A heading (marked paragraph) with what follows it until the next heading of its level or above."""

    key: tuple[str, int] | str
    para: int | None
    marker: str = ""
    marker_start: int = 0
    content_start: int = 0
    end: int = 0
    level: int = 0
    children: list[OutlineNode] = field(default_factory=list)
    body: list[int] = field(default_factory=list)  # indices of unmarked paragraphs directly under it
    parent: OutlineNode | None = None


@dataclass
class Item:
    """One node the parser found; graph.build turns these into graph nodes."""

    type: str
    start: int
    end: int
    title_start: int
    title_end: int
    marker: str = ""
    path: str = ""
    parent: int | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    key: str = ""


@dataclass
class ParsedDocument:
    doc: LoadedDocument
    title: str
    items: list[Item]
    redactions: list[tuple[int, int]]
    parts: list[tuple[int, str]] = field(default_factory=list)  # further documents in the file: (start, title)
    set_aside: dict[str, int] = field(default_factory=dict)  # characters kept out of items, by reason

    def of_type(self, t: str) -> list[Item]:
        return [i for i in self.items if i.type == t]


def detect_marker(norm: str, start: int, end: int) -> tuple[str, str, int, int] | None:
    """(style, ordinal text, marker end, ordinal) when the paragraph opens with a numbering marker."""
    for style, pat in MARKERS:
        m = pat.match(norm, start, end)
        if not m:
            continue
        if m.end() >= end:  # a bare marker with nothing after it is not a heading
            continue
        n = cn_to_int(m.group(1)) if style != "circled" else "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(m.group(1)) + 1
        if n is None:
            continue
        if style == "num_dun" and re.match(r"\d{1,3}\s*[.、]\s*\d", norm[start:end]):
            continue
        return style, m.group(1), m.end(), n
    return None


class _Parser:
    def __init__(self, doc: LoadedDocument) -> None:
        self.doc = doc
        self.text = doc.text
        self.norm = normalise(doc.text)
        self.paras = doc.paragraphs
        self.items: list[Item] = []
        self.para_starts = [p.start for p in self.paras]
        self.part_paras = document_starts(self.paras, self.norm)
        self.boilerplate = set(closing_paragraphs(self.paras, self.norm))
        self.closing_starts = sorted(
            {
                p.start
                for p in self.paras
                if cues.CLOSING_PARA.match(self.norm[p.start : p.end])
                or cues.SIGNATURE.match(self.norm[p.start : p.end])
            }
            | {self.paras[i].start for i in self.part_paras}
            | {self.paras[i].start for i in self.boilerplate}
        )
        self._enum_memo: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        self._heading_memo: dict[int, tuple[int, int]] = {}
        self.set_aside: dict[str, int] = {}  # what the reader saw and kept out of the items, in characters

    # ------------------------------------------------------------------ outline
    def build_outline(self) -> OutlineNode:
        root = OutlineNode(key="root", para=None, level=0, end=len(self.text))
        stack: list[OutlineNode] = [root]
        parts = set(self.part_paras)
        after_part = -1
        for idx, p in enumerate(self.paras):
            if idx in parts:  # a further document in the same file: nothing above it stays open
                del stack[1:]
                root.body.append(idx)
                after_part = idx + 1
                continue
            if idx == after_part and len(self.norm[p.start : p.end].strip()) <= 12:
                root.body.append(idx)  # its name line
                continue
            if idx in self.boilerplate:
                stack[-1].body.append(idx)
                continue
            if p.kind == "table_row":
                stack[-1].body.append(idx)
                continue
            key: tuple[str, int] | str | None = None
            marker_end = p.start
            marker = ""
            if p.heading_level is not None and p.heading_level > 0:
                key = ("h", p.heading_level)
                m = detect_marker(self.norm, p.start, p.end)
                if m:
                    marker_end, marker = m[2], self.text[p.start : m[2]].strip()
            elif p.heading_level == 0:
                stack[0].body.append(idx)  # document title
                continue
            else:
                m = detect_marker(self.norm, p.start, p.end)
                if m:
                    key, marker_end, marker = m[0], m[2], self.text[p.start : m[2]].strip()
                    if key == "tz_problem" and not self._ledger_like(idx):
                        key = None
                        marker = ""
            if key is None:
                stack[-1].body.append(idx)
                continue
            keys = [n.key for n in stack]
            if key in keys:
                while stack[-1].key != key:
                    stack.pop()
                stack.pop()
            elif isinstance(key, tuple) and key[0] == "h":
                # Word/Markdown headings nest by their level, above any numbered list style
                while len(stack) > 1 and (not isinstance(stack[-1].key, tuple) or stack[-1].key[1] >= key[1]):
                    stack.pop()
            node = OutlineNode(
                key=key,
                para=idx,
                marker=marker,
                marker_start=p.start,
                content_start=marker_end,
                level=len(stack),
                parent=stack[-1],
            )
            stack[-1].children.append(node)
            stack.append(node)
        self._set_ends(root, len(self.text))
        return root

    def _ledger_like(self, idx: int) -> bool:
        """问题1： is a 台账 heading only when 整改措施/责任 fields follow it."""
        for p in self.paras[idx + 1 : idx + 8]:
            if cues.LABEL_LINE.match(self.norm, p.start) or cues.LABEL_LINE.match(self.norm[p.start : p.end]):
                return True
            if detect_marker(self.norm, p.start, p.end) and detect_marker(self.norm, p.start, p.end)[0] == "tz_problem":
                return False
        return False

    def _set_ends(self, node: OutlineNode, end: int) -> None:
        node.end = end
        for i, child in enumerate(node.children):
            nxt = node.children[i + 1].marker_start if i + 1 < len(node.children) else end
            self._set_ends(child, nxt)

    # ------------------------------------------------------------------ helpers
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

    # ------------------------------------------------------------------ enumerations
    def inline_enums(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Positions of 一是/二是…, 首先/其次…, 第一，第二… that open clauses, as (start, marker end, marker).
        Memoised: the group and role stages ask about the same ranges several times."""
        key = (start, end)
        if key not in self._enum_memo:
            self._enum_memo[key] = self._inline_enums(start, end)
        return list(self._enum_memo[key])

    def _inline_enums(self, start: int, end: int) -> list[tuple[int, int, str]]:
        best: list[tuple[int, int, str]] = []
        for kind in ("shi", "seq", "di"):
            found: list[tuple[int, int, str, int]] = []
            pat = INLINE_ENUM if kind == "shi" else SEQ_ENUM if kind == "seq" else DI_ENUM
            for m in pat.finditer(self.norm, start, end):
                pos = m.start()
                k = pos - 1
                while k >= start and self.norm[k] in " \t":
                    k -= 1
                if (
                    k >= start
                    and self.norm[k] not in _CLAUSE_OPENERS + ",，"
                    and not _ENUM_LEADS.search(self.norm, max(start, pos - 6), pos)
                ):
                    continue
                if kind == "seq":
                    n = SEQ_WORDS.index(m.group(1)) + 1
                    if n == 4:
                        n = 99  # 最后 closes any run
                else:
                    n = cn_to_int(m.group(1)) or 0
                found.append((pos, m.end(), self.text[pos : m.end()], n))
            seq = _longest_run(found, kind == "seq")
            if len(seq) > len(best):
                best = seq
        return best

    # ------------------------------------------------------------------ parse
    def parse(self) -> ParsedDocument:
        root = self.build_outline()
        doc_title = self._doc_title(root)
        sections = root.children
        has_taken = any(
            cues.TAKEN_CUE.search(self.text[slice(*self.heading_text(s))]) for s in _walk(root) if s.para is not None
        )
        head = " ".join(self.norm[self.paras[i].start : self.paras[i].end] for i in root.body[:2])
        self.report_genre = bool(cues.REPORT_TITLE.search(head))  # a 整改情况通报: what it lists was done
        self.has_taken = has_taken or self.report_genre
        ledger_section: int | None = None
        for si, sec in enumerate(sections):
            if sec.key == "tz_problem":
                # 问题1：… blocks straight under the title: a 台账 with no section headings
                if ledger_section is None:
                    ledger_section = self.add(
                        "Section",
                        sec.marker_start,
                        sec.marker_start,
                        (sec.marker_start, sec.marker_start),
                        "",
                        "台账",
                        None,
                        role="ledger",
                    )
                self.items[ledger_section].end = sec.end
                self.ledger_entry(sec, ledger_section, f"台账/{sec.marker}")
                continue
            ledger_section = None
            hs, he = self.heading_text(sec)
            role = cues.heading_role(self.norm[hs:he])
            part = self._part_of(sec.marker_start)
            spath = (f"D{part + 1}/" if self.part_paras else "") + (sec.marker or f"§{si + 1}")
            role = self._section_role(sec, role)
            sec_idx = self.add(
                "Section",
                sec.marker_start,
                sec.end,
                (hs, he),
                sec.marker,
                spath,
                None,
                role=role or "",
                **({"part": part} if self.part_paras else {}),
            )
            self.walk_section(sec, role, sec_idx, spath)
        # Plain documents with no headings at all: try the whole body as one problem list.
        if not sections:
            self.walk_body_only(root)
        self.other_matters_in_paras(root)
        self.semicolon_problem_lists()
        counted = [i for i in self.items if i.type in ("Problem", "Cause", "Measure")]
        if not counted:
            raise StructureError(
                self.doc.path,
                "未识别出问题、原因或整改措施（没有“存在的问题/原因分析/整改措施”等小节标题或 问题N： 台账行）",
            )
        parts = [
            (self.paras[i].start, self.text[self.paras[i].start : self.paras[i].end].strip()) for i in self.part_paras
        ]
        return ParsedDocument(
            self.doc, doc_title, self.items, find_redactions(self.text), parts=parts, set_aside=dict(self.set_aside)
        )

    def _part_of(self, pos: int) -> int:
        return bisect.bisect_right([self.paras[i].start for i in self.part_paras], pos)

    def _section_role(self, sec: OutlineNode, role: str | None) -> str | None:
        """A 通报's first part often tells how the rectification was organised (组织领导, 压实责任…): its items
        answer no finding. Read from the wording of its sub-items, not from its position."""
        if role not in ("measure", None) or len(sec.children) < 2:
            return role
        heads = [self._heading(c) for c in sec.children]
        org = sum(bool(cues.ORGANISATIONAL.search(h)) for h in heads)
        if org * 2 >= len(heads) and (role == "measure" or cues.RECTIFICATION_WORK.search(self._heading(sec))):
            return "organisational"
        return role

    def _mark_set_aside(self, first: int, why: str) -> None:
        """Units kept apart from the measures taken (organisational, next steps): shown, never linked."""
        for it in self.items[first:]:
            if it.type == "Measure":
                it.attrs["set_aside"] = why

    def _set_aside(self, what: str, start: int, end: int) -> None:
        self.set_aside[what] = self.set_aside.get(what, 0) + max(0, end - start)

    def _doc_title(self, root: OutlineNode) -> str:
        for idx in root.body[:3]:
            p = self.paras[idx]
            t = self.text[p.start : p.end].strip()
            if 4 <= len(t) <= 60 and not t.endswith(("。", "：", ":")):
                return t
        from pathlib import Path

        return Path(self.doc.path).stem

    def walk_section(self, node: OutlineNode, role: str | None, parent: int, path: str) -> None:
        if role == "organisational":
            n0 = len(self.items)
            self.extract(node, "measure", parent, path, status="organisational")
            self._mark_set_aside(n0, "organisational")
            self._set_aside("organisational", node.marker_start, node.end)
            return
        if role in ("problem", "cause", "measure", "other"):
            if (
                role == "measure"
                and self.has_taken
                and cues.PLANNED_CUE.search(self._heading(node))
                and not cues.TAKEN_CUE.search(self._heading(node))
            ):
                # next steps in a report of measures taken: kept, marked planned, apart from what was done
                self.items[parent].attrs["role"] = "next_steps"
                n0 = len(self.items)
                self.extract(node, "measure", parent, path, status="planned")
                self._mark_set_aside(n0, "planned")
                self._set_aside("planned", node.marker_start, node.end)
                return
            if role == "measure" and not node.children and cues.PROBLEM_WORDS.search(self._heading(node)):
                self.mixed_paragraphs(node, parent, path)
                return
            self.extract(node, role, parent, path)
            return
        if role in ("past", "none"):
            self._set_aside(role if role == "past" else "context", node.marker_start, node.end)
            return
        # No role of its own: sub-headings may carry one (二、对照检查 → （一）存在的问题 …), and 台账
        # blocks or tables can appear anywhere.
        if node.children and node.para is not None and self._lead_says_measures(node):
            n0 = len(self.items)
            self.extract(node, "measure", parent, path, status="taken")
            for it in self.items[n0:]:
                if it.type == "Measure":
                    it.attrs["role_uncertain"] = True
            return
        for child in node.children:
            child_role = cues.heading_role(self._heading(child))
            cpath = f"{path}/{self._seg(child)}"
            if child.key == "tz_problem":
                self.ledger_entry(child, parent, cpath)
            elif child_role:
                hs, he = self.heading_text(child)
                idx = self.add(
                    "Section", child.marker_start, child.end, (hs, he), child.marker, cpath, parent, role=child_role
                )
                self.walk_section(child, child_role, idx, cpath)
            else:
                self.walk_section(child, None, parent, cpath)
        if not node.children and node.para is not None:
            self.roles_from_content(node, parent, path)
        self.tables(node, parent, path, None)

    def _lead_says_measures(self, node: OutlineNode) -> bool:
        """二、会议的主要收获 whose opening paragraph says what follows (…四个方面的整改收获): measures taken."""
        assert node.para is not None
        lead_end = node.children[0].marker_start
        lead = self.norm[self.paras[node.para].end : lead_end]
        return bool(cues.MEASURES_LEAD.search(lead)) and len(lead) < 400

    def mixed_paragraphs(self, node: OutlineNode, parent: int, path: str) -> None:
        """三、存在的不足和努力方向 with plain paragraphs: a paragraph that opens with 今后/下一步 is a plan; the
        others are left to the shortcoming lists (比如…；…；…) found afterwards."""
        for k, p in enumerate(self._item_paragraphs(node), 1):
            if cues.PLANNED_LEAD.search(self.norm[p.start : min(p.end, p.start + 14)]):
                title = self.title_span(p.start, p.end)
                m = self.add("Measure", p.start, p.end, title, "", f"{path}/¶{k}", parent, status="planned")
                self.sentence_actions(title[1], p.end, m, f"{path}/¶{k}")

    def roles_from_content(self, node: OutlineNode, parent: int, path: str) -> None:
        """A part whose heading names no role (一、思想政治情况) may still hold an enumeration whose units admit
        shortcomings (第一，…不够) or announce plans (今后一要…): kept as items, marked role_uncertain for the
        analyst to confirm in 校对, instead of being dropped."""
        start = self.heading_text(node)[1]
        enum = self.inline_enums(start, node.end)
        runs: list[list[tuple[int, int, str]]] = []
        for e in enum:
            if not runs or _ordinal(e[2]) == 1:
                runs.append([e])
            else:
                runs[-1].append(e)
        for r, run in enumerate(runs):
            if len(run) < 2:
                continue
            run_end = runs[r + 1][0][0] if r + 1 < len(runs) else node.end
            k0 = self._para_index_at(run[0][0])
            lead = self.norm[self.paras[k0].start if k0 is not None else run[0][0] : run[0][0]]
            bodies = [
                self.norm[s : (run[i + 1][0] if i + 1 < len(run) else self._item_end(s, run_end))]
                for i, (s, _me, _mk) in enumerate(run)
            ]
            if cues.PLANNED_LEAD.search(lead) or cues.REQUIREMENT_LEAD.search(lead):
                role, status = "measure", "planned"
            elif sum(bool(cues.SHORTCOMING_STRONG.search(b)) for b in bodies) * 2 > len(bodies) and not any(
                cues.ACHIEVEMENT.search(b) and not cues.SHORTCOMING_STRONG.search(b) for b in bodies
            ):
                role, status = "problem", None
            else:
                continue
            n0 = len(self.items)
            self.enum_items(run, role, parent, path, run_end, status)
            for it in self.items[n0:]:
                if it.parent == parent and it.type in ("Problem", "Measure"):
                    it.attrs["role_uncertain"] = True

    def _heading(self, node: OutlineNode) -> str:
        if node.para is None:
            return ""
        hs, he = self.heading_text(node)
        return self.norm[hs:he]

    def walk_body_only(self, root: OutlineNode) -> None:
        self.tables(root, None, "", None)

    # ------------------------------------------------------------------ items
    def extract(self, node: OutlineNode, role: str, parent: int, path: str, status: str | None = None) -> None:
        """Items of a role section: marked children, else inline enumerations, else plain paragraphs."""
        if role == "measure" and status is None:
            status = self._measure_status(node)
        if role == "other":
            self.other_matters_block(node, parent, path)
            return
        children = [c for c in node.children]
        if any(c.key == "tz_problem" for c in children):
            for c in children:
                if c.key == "tz_problem":
                    self.ledger_entry(c, parent, f"{path}/{self._seg(c)}")
            return
        if children:
            siblings_grouped = role == "measure" and any(self._is_group(c) for c in children)
            for child in children:
                cpath = f"{path}/{self._seg(child)}"
                child_role = cues.heading_role(self._heading(child))
                if child_role and child_role != role and child_role != "problem" and self.is_heading_like(child):
                    hs, he = self.heading_text(child)
                    idx = self.add(
                        "Section", child.marker_start, child.end, (hs, he), child.marker, cpath, parent, role=child_role
                    )
                    self.walk_section(child, child_role, idx, cpath)
                    continue
                if self._names_problem(child) and role in ("measure", "problem"):
                    self.problem_named_measures(child, parent, cpath, status or self._default_status())
                    continue
                if role == "measure" and self._is_group(child, siblings_grouped):
                    self.measure_group(child, parent, cpath, status)
                    continue
                self.child_item(child, role, parent, cpath, status)
            self.tables(node, parent, path, role)
            return
        # no marked children: inline enumerations in the section's own text and body
        start = node.content_start if node.para is not None else node.marker_start
        if node.para is not None:
            hs, he = self.heading_text(node)
            start = he
        enum = self.inline_enums(start, node.end)
        if enum:
            self.enum_runs(enum, role, parent, path, node.end, status)
        else:
            self.paragraph_items(node, role, parent, path, status)
        self.tables(node, parent, path, role)

    def _default_status(self) -> str:
        return "taken" if self.has_taken else "planned"

    def _measure_status(self, node: OutlineNode) -> str:
        h = self._heading(node)
        if cues.TAKEN_CUE.search(h) or (self.report_genre and not cues.PLANNED_CUE.search(h)):
            return "taken"
        return "planned"

    # ------------------------------------------------------------------ groups of measures
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

    def is_bare_heading(self, node: OutlineNode) -> bool:
        """A heading line with no sentence after it (its whole paragraph is the heading)."""
        assert node.para is not None
        p = self.paras[node.para]
        _hs, he = self.heading_text(node)
        return not self.norm[he : p.end].strip(" 。:：;；")

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

    def _para_index_at(self, pos: int) -> int | None:
        k = bisect.bisect_right(self.para_starts, pos) - 1
        return k if k >= 0 and pos < self.paras[k].end else None

    def _para_end_at(self, pos: int, limit: int) -> int:
        k = self._para_index_at(pos)
        return min(self.paras[k].end, limit) if k is not None else limit

    def enum_items(
        self,
        enum: list[tuple[int, int, str]],
        role: str,
        parent: int,
        path: str,
        end: int,
        status: str | None,
        area: int | None = None,
    ) -> None:
        for k, (s, me, mk) in enumerate(enum):
            e = enum[k + 1][0] if k + 1 < len(enum) else self._item_end(s, end)
            title = self.title_span(me, e)
            ipath = f"{path}/{mk}" if path else mk
            if role == "problem":
                if self._achievement(s, e):
                    continue
                self.problem(s, e, title, mk, ipath, parent)
            elif role == "cause":
                self.add("Cause", s, e, title, mk, ipath, parent)
            else:
                m = self.add("Measure", s, e, title, mk, ipath, parent, status=status)
                self.sentence_actions(title[1], e, m, ipath)

    def enum_runs(
        self,
        enum: list[tuple[int, int, str]],
        role: str,
        parent: int,
        path: str,
        end: int,
        status: str | None,
        area: int | None = None,
    ) -> None:
        """Each run (一是…三是, the counter restarting at 一) on its own: a run introduced by 今后/下一步 inside a
        problem part is the plan that answers the run before it, not more problems."""
        runs: list[list[tuple[int, int, str]]] = []
        for e in enum:
            if not runs or _ordinal(e[2]) == 1:
                runs.append([e])
            else:
                runs[-1].append(e)
        before: list[int] = []
        for r, run in enumerate(runs):
            if r + 1 < len(runs):
                nxt = runs[r + 1][0][0]
                k = self._para_index_at(nxt)
                run_end = self.paras[k].start if k is not None and self.paras[k].start > run[-1][0] else nxt
            else:
                run_end = end
            k0 = self._para_index_at(run[0][0])
            lead = self.norm[self.paras[k0].start if k0 is not None else run[0][0] : run[0][0]]
            run_role, run_status = role, status
            if role in ("problem", "cause") and cues.PLANNED_LEAD.search(lead):
                run_role, run_status = "measure", "planned"
            n0 = len(self.items)
            self.enum_items(run, run_role, parent, path, run_end, run_status, area=area)
            made = [i for i in range(n0, len(self.items)) if self.items[i].parent == parent]
            if run_role == "measure" and role == "problem" and before and cues.ANSWERS_ABOVE.search(lead):
                for i in made:
                    if self.items[i].type == "Measure":
                        self.items[i].attrs["explicit_problems"] = list(before)
            if run_role == "problem":
                before = [i for i in made if self.items[i].type == "Problem"]

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

    def _seg(self, node: OutlineNode) -> str:
        """A node's step in an item path: its marker, or for an unnumbered (Word-styled) heading its words."""
        if node.marker:
            return node.marker
        if node.para is None:
            return ""
        hs, he = self.heading_text(node)
        return self.text[hs:he][:12]

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

    def _achievement(self, start: int, end: int, strict: bool = False) -> bool:
        """Work done reported under a heading that mentions 问题 (成为首批, 高分通过, figures of work done) is not a
        problem; a unit with shortcoming wording is. Unnumbered paragraphs (`strict`) must admit a shortcoming."""
        t = self.norm[start:end]
        if cues.SHORTCOMING_STRONG.search(t):
            return False
        if strict or cues.ACHIEVEMENT.search(t):
            self._set_aside("achievement", start, end)
            return True
        return False

    def semicolon_problem_lists(self) -> None:
        """“……还存在需要提高的地方。如：A；B；C” anywhere outside the items: each `；` piece is a problem."""
        covered = sorted((i.start, i.end) for i in self.items if i.type in _ITEM_TYPES)
        reach: list[int] = []  # reach[k]: the furthest end among the first k+1 spans (sorted by start)
        for _a, b in covered:
            reach.append(max(b, reach[-1]) if reach else b)
        starts = [a for a, _b in covered]
        for p in self.paras:
            k = bisect.bisect_right(starts, p.start) - 1
            if p.kind == "table_row" or (k >= 0 and reach[k] > p.start):
                continue
            m = cues.SHORTCOMING_LIST.search(self.norm, p.start, p.end)
            if not m:
                continue
            parent = self._section_for(p.start) if any(i.type == "Section" for i in self.items) else None
            if parent is not None and self.items[parent].type != "Section":
                parent = None
            pieces = [x for x in re.finditer(r"[^；;]+", self.norm[m.end() : p.end])]
            if len(pieces) < 2:
                continue
            for n, x in enumerate(pieces, 1):
                s, e = trim(self.text, m.end() + x.start(), m.end() + x.end())
                e = sentence_end(self.norm, s, e, "。")  # the list ends with its sentence
                e2 = e
                if e < p.end and self.norm[e] in "；;":
                    e += 1
                if e2 - s < 6:
                    continue
                s0 = m.start() + self.norm[m.start() : m.end()].rfind("如") if n == 1 else s
                in_problems = parent is not None and self.items[parent].attrs.get("role") == "problem"
                extra = {} if in_problems else {"role_uncertain": True}
                self.problem(s0, e, trim(self.text, s, e2), "", f"如/{n}", parent, listed=True, **extra)

    def problem(
        self, start: int, end: int, title: tuple[int, int], marker: str, path: str, parent: int | None, **attrs: Any
    ) -> int:
        area = parent if parent is not None and self.items[parent].type == "Area" else None
        lead = self.norm[title[0] : title[1]].strip()
        if lead.endswith("方面") and len(lead) <= 16:
            # （一）理论学习方面。学习缺乏系统性…: the heading names the topic, the next sentence the problem
            nxt = self.title_span(min(title[1] + 1, end), end)
            if nxt[1] > nxt[0]:
                attrs.setdefault("topic", self.text[title[0] : title[1]])
                title = nxt
        pid = self.add("Problem", start, end, title, marker, path, parent, status="admitted", **attrs)
        if area is not None:
            self.items[pid].attrs["area"] = area
        self.examples(title[1], end, pid, path)
        return pid

    def examples(self, start: int, end: int, pid: int, path: str) -> None:
        found = []
        for m in cues.EXAMPLE_CUE.finditer(self.norm, start, end):
            k = m.start() - 1
            while k >= start and self.norm[k] in " \t":
                k -= 1
            if k >= start and self.norm[k] not in "。；;!?！？\n":
                continue
            if self.norm[m.start() : m.start() + 1] == "如" and k >= start and self.norm[k] not in "。\n":
                continue
            found.append(m)
        for n, m in enumerate(found):
            e = found[n + 1].start() if n + 1 < len(found) else end
            ts = m.end()
            self.add(
                "Example",
                m.start(),
                e,
                self.title_span(ts, e),
                self.text[m.start() : m.end()].rstrip(",，:："),
                f"{path}/例{n + 1}",
                pid,
            )

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
            self.add("Action", s, e, trim(self.text, s, te), "", f"{path}/步骤{n}", measure)

    # ------------------------------------------------------------------ 台账 and named problems
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

    def problem_named_measures(self, node: OutlineNode, parent: int, path: str, status: str | None) -> None:
        """（一）关于“……”问题的整改: the heading states the problem, what follows answers it."""
        hs, he = self.heading_text(node)
        m = _NAMED_PROBLEM.search(self.norm, hs, he)
        assert m is not None
        g = next(i for i in range(1, 4) if m.group(i))
        ps, pe = m.start(g), m.end(g)
        pid = self.problem(node.marker_start, he, (ps, pe), node.marker, path, parent, named=True)
        self.items[pid].start, self.items[pid].end = trim(self.text, node.marker_start, he)
        if node.children:
            for c in node.children:
                self.child_item(c, "measure", parent, f"{path}/{self._seg(c)}", status)
                for it in self.items:
                    if it.type == "Measure" and it.start == trim(self.text, c.marker_start, c.end)[0]:
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
                if e > s:
                    mid = self.add("Measure", s, e, self.title_span(s, e), "", f"{path}/措施", parent, status=status)
                    self.sentence_actions(self.items[mid].title_end, e, mid, f"{path}/措施")
            for it in self.items[before:]:
                if it.type == "Measure":
                    it.attrs.setdefault("explicit_problems", []).append(pid)

    # ------------------------------------------------------------------ tables
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

    # ------------------------------------------------------------------ other matters
    def other_matters_in_paras(self, root: OutlineNode) -> None:
        """其他事项说明：… as a paragraph anywhere (usually at the end of the problem section)."""
        done = {(i.start) for i in self.items if i.attrs.get("other")}
        for p in self.paras:
            m = cues.OTHER_PARA.match(self.norm, p.start, p.end) or cues.OTHER_PARA.match(self.norm[p.start : p.end])
            if not m or p.start in done:
                continue
            parent = self._section_for(p.start)
            self.other_topics(p.start + m.end(), p.end, parent, "其他事项说明")

    def _section_for(self, pos: int) -> int:
        best = 0
        for i, it in enumerate(self.items):
            if it.type == "Section" and it.start <= pos < it.end:
                best = i
        return best

    def other_matters_block(self, node: OutlineNode, parent: int, path: str) -> None:
        if node.children:
            for c in node.children:
                self.other_topics(c.marker_start, c.end, parent, f"{path}/{self._seg(c)}", whole=True)
            return
        for idx in node.body:
            p = self.paras[idx]
            self.other_topics(p.start, p.end, parent, path)

    def other_topics(self, start: int, end: int, parent: int, path: str, whole: bool = False) -> None:
        """One Problem per topic: 在……方面，… segments, plus stand-alone 未发现… sentences."""
        if whole:
            segs = [(start, end)]
        else:
            cuts = [m.start() for m in _TOPIC.finditer(self.norm, start, end) if self._clause_start(m.start(), start)]
            near = {c + d for c in cuts for d in (0, 1)}
            for s, e in sentences(self.norm, start, end, "。"):
                if cues.NONE_FOUND.match(self.norm[s:e]) and s not in near:
                    cuts.append(s)
                    near.update((s, s + 1))
            cuts = sorted(set(cuts))
            if not cuts or cuts[0] > start + 2:
                cuts.insert(0, start)
            segs = [(c, cuts[i + 1] if i + 1 < len(cuts) else end) for i, c in enumerate(cuts)]
        for n, (s, e) in enumerate(segs, 1):
            s, e = trim(self.text, s, e)
            seg = self.norm[s:e]
            if len(seg) < 4:
                continue
            tm = _TOPIC.match(seg)
            topic = tm.group(1) if tm else ""
            if cues.NONE_FOUND.search(seg):
                status = "none_found"
                nf = cues.NONE_FOUND.search(self.norm, s, e)
                sent = [x for x in sentences(self.norm, s, e, "。；;") if x[0] <= nf.start() < x[1]]
                ts, te = sent[0] if sent else (s, e)
                ts = _after_comma_before(self.norm, ts, nf.start())
                title = trim(self.text, ts, te if self.norm[te - 1] not in "。；;" else te - 1)
                if not topic:
                    tm2 = re.search(r"(?:未发现|没有发现|不存在)(?:违规|违反)?(.{2,20}?)(?:的)?(?:情况|问题|行为)", seg)
                    topic = tm2.group(1) if tm2 else ""
            else:
                status = "admitted"
                title = self._admitted_clause(s, e)
            self.add("Problem", s, e, title, "", f"{path}/{topic or n}", parent, status=status, other=True, topic=topic)

    def _clause_start(self, pos: int, start: int) -> bool:
        return pos == start or self.norm[pos - 1] in "。；;:： \n"

    def _admitted_clause(self, s: int, e: int) -> tuple[int, int]:
        """The shortcoming a topic admits: the clause after 但/但是/还存在 when there is one."""
        m = re.search(r"(?:但是|但|然而|不过)[,，]?|还存在|仍存在|存在", self.norm[s:e])
        if m:
            cs = s + m.end()
            ce = sentence_end(self.norm, cs, e, "。；;")
            return trim(self.text, cs, ce)
        return self.title_span(s, e)


_LABEL_ANYWHERE = re.compile(
    r"(?:(?<=^)|(?<=[\n。；;\s]))(" + cues.LABEL_LINE.pattern.split("(", 1)[1].split(")", 1)[0] + r")\s*[:：]",
    re.M,
)
_TARGET_CLAUSE = re.compile(r"(?:针对|围绕|关于)[^，,。；;]{2,80}?(?:问题|现象)[,，]\s*")
_ITEM_TYPES = ("Problem", "Cause", "Measure", "Action", "Example")
_NAMED_PROBLEM = re.compile(r"关于“(.{2,80}?)”(?:的)?问题|针对“(.{2,80}?)”(?:的)?问题|关于(.{2,60}?)问题的整改")
_TOPIC = re.compile(r"(?:在|关于)([^，,。；;]{2,30}?)方面[,，]?")


def _after_comma_before(norm: str, start: int, pos: int) -> int:
    """Start of the clause containing pos (after the last comma before it)."""
    k = max(norm.rfind("，", start, pos), norm.rfind(",", start, pos))
    return k + 1 if k >= 0 else start


def _longest_run(found: list[tuple[int, int, str, int]], seq_words: bool) -> list[tuple[int, int, str]]:
    """The longest run 1, 2, 3… (a repeated 1 restarts); lone items do not make an enumeration."""
    runs: list[list[tuple[int, int, str, int]]] = []
    cur: list[tuple[int, int, str, int]] = []
    for f in found:
        n = f[3]
        if n == 1:
            if len(cur) >= 2:
                runs.append(cur)
            cur = [f]
        elif cur and (n == cur[-1][3] + 1 or (seq_words and n == 99) or (seq_words and n == 3 and cur[-1][3] == 2)):
            cur.append(f)
        elif cur and seq_words and n == 2 and cur[-1][3] == 2:
            cur.append(f)
    if len(cur) >= 2:
        runs.append(cur)
    if not runs:
        return []
    # keep all runs (several areas each restart at 一是), in text order
    out: list[tuple[int, int, str]] = []
    for r in runs:
        out.extend((a, b, c) for a, b, c, _ in r)
    return out


def _ordinal(marker: str) -> int:
    if marker.startswith("首先"):
        return 1
    m = re.match(rf"第?([{_CN}]{{1,3}})", marker)
    return (cn_to_int(m.group(1)) or 0) if m else 0


def _walk(node: OutlineNode):  # type: ignore[no-untyped-def]
    yield node
    for c in node.children:
        yield from _walk(c)


_REDACTION = re.compile(r"《[XＸx×*＊]{2,}》|[XＸ×＊*]{2,}|[XＸ](?=[省市县区乡镇村])|某(?=[省市县区乡镇村局委办])")


def find_redactions(text: str) -> list[tuple[int, int]]:
    """Masked names (XX县, 《XXXXXX》, XXXXX) keep their place and are never taken for content."""
    spans = []
    for m in _REDACTION.finditer(text):
        e = m.end()
        if e < len(text) and text[e] in "省市县区乡镇村" and not m.group().startswith("《"):
            e += 1
        spans.append((m.start(), e))
    return spans


def parse(doc: LoadedDocument) -> ParsedDocument:
    """Parse a loaded document; raises StructureError when nothing recognisable is found."""
    return _Parser(doc).parse()
