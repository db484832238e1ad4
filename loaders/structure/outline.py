"""Stage 1, the outline: which paragraphs are headings, at which level (from the order marker styles first
appear, the way a reader does), and where each heading's part ends."""

from __future__ import annotations

import re

from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.base import ParserState
from tracegraph.loaders.structure.model import _CN, OutlineNode
from tracegraph.loaders.textutil import cn_to_int

MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("tz_problem", re.compile(r"问题\s*([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*[:：.、]\s*")),
    ("di", re.compile(rf"第([{_CN}]{{1,3}})(?:部分|章|节|篇)\s*[、,.:]?\s*")),
    ("cn_dun", re.compile(rf"([{_CN}]{{1,3}})\s*[、.](?![{_CN}]?是)\s*")),
    ("cn_paren", re.compile(rf"\(([{_CN}]{{1,3}})\)\s*[、.]?\s*")),
    ("num_dun", re.compile(r"([0-9]{1,3})\s*(?:[、]|\.(?![0-9]))\s*")),
    ("num_paren", re.compile(r"\(([0-9]{1,3})\)\s*[、.]?\s*")),
    ("circled", re.compile(r"([①-⑳])\s*")),
]


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


class OutlineStage(ParserState):
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
            found = detect_marker(self.norm, p.start, p.end)
            if found and found[0] == "tz_problem":
                return False
        return False

    def _set_ends(self, node: OutlineNode, end: int) -> None:
        node.end = end
        for i, child in enumerate(node.children):
            nxt = node.children[i + 1].marker_start if i + 1 < len(node.children) else end
            self._set_ends(child, nxt)
