"""Stage 4b, problems: a problem and its examples; achievements kept out; shortcoming lists (如：A；B；C)."""

from __future__ import annotations

import bisect
import re
from typing import Any

from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.base import ParserState
from tracegraph.loaders.structure.model import _ITEM_TYPES
from tracegraph.loaders.textutil import sentence_end, trim


class ProblemsStage(ParserState):
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
