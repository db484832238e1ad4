"""Stage 2, enumerations inside the text: 一是/二是…, 一要/二要…, 首先/其次/最后, 第一，第二，… — runs
that restart at 一 — and the items each run gives."""

from __future__ import annotations

import re

from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.base import ParserState
from tracegraph.loaders.structure.model import _CN
from tracegraph.loaders.textutil import cn_to_int, sentence_end

INLINE_ENUM = re.compile(rf"([{_CN}]{{1,3}})(?:是|要|要是)(?![的否])")


SEQ_WORDS = ["首先", "其次", "再次", "最后"]


SEQ_ENUM = re.compile(r"(首先|其次|再次|最后)\s*[,，]")


DI_ENUM = re.compile(rf"第([{_CN}]{{1,3}})\s*[,，、]")


_CLAUSE_OPENERS = "。；;!?！？:：\n"


_ENUM_LEADS = re.compile(r"(?:今后|下一步|下步|此外|同时|具体而言|具体来说|主要是|其中|为此|对此|因此)\s*$")


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


def split_runs(enum: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """Enumerated markers cut into runs: a marker numbered 一 (or 首先) starts a new run."""
    runs: list[list[tuple[int, int, str]]] = []
    for e in enum:
        if not runs or _ordinal(e[2]) == 1:
            runs.append([e])
        else:
            runs[-1].append(e)
    return runs


def _ordinal(marker: str) -> int:
    if marker.startswith("首先"):
        return 1
    m = re.match(rf"第?([{_CN}]{{1,3}})", marker)
    return (cn_to_int(m.group(1)) or 0) if m else 0


class EnumerationStage(ParserState):
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
                kind = self._measure_unit_kind(me, e, title)
                if kind == "cause":  # 深入查摆问题根源。… inside a list of measures
                    self.add("Cause", s, e, title, mk, ipath, parent, role_uncertain=True)
                    continue
                if kind == "context":  # an explanation or a reply, not something done
                    self._set_aside("context", s, e)
                    continue
                unit_status = "planned" if kind == "planned" and status == "taken" else status
                m = self.add("Measure", s, e, title, mk, ipath, parent, status=unit_status)
                self.sentence_actions(title[1], e, m, ipath)

    def _measure_unit_kind(self, start: int, end: int, title: tuple[int, int]) -> str:
        """What a unit in a list of measures really is: a cause statement, context (…前身为…, 经请示…答复…), a
        plan among measures taken (将于…前, 计划, 正在筹备), or a measure."""
        lead = self.norm[title[0] : title[1]]
        if cues.CAUSE_UNIT.search(lead):
            return "cause"
        body = self.norm[start:end]
        if cues.CONTEXT_UNIT.search(body) and not cues.ACTION_VERB.search(lead):
            return "context"
        # a plan says so at once: its lead, or a sentence right after it that opens with 将于/计划…
        nxt = sentence_end(self.norm, title[1], end) + 1  # the sentence after the lead
        while nxt < end and self.norm[nxt] in " \t\r\n":
            nxt += 1
        opens = nxt < end and bool(cues.FUTURE_UNIT.match(self.norm, nxt))
        if cues.FUTURE_UNIT.search(lead) or (opens and not cues.DONE_UNIT.search(body)):
            return "planned"
        return "measure"

    def lead_before(self, pos: int) -> str:
        """The words of the paragraph before a run's first marker (今后、针对以上不足，…): they say what the run is."""
        k = self._para_index_at(pos)
        return self.norm[self.paras[k].start if k is not None else pos : pos]

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
        runs = split_runs(enum)
        before: list[int] = []
        for r, run in enumerate(runs):
            if r + 1 < len(runs):
                nxt = runs[r + 1][0][0]
                k = self._para_index_at(nxt)
                run_end = self.paras[k].start if k is not None and self.paras[k].start > run[-1][0] else nxt
            else:
                run_end = end
            lead = self.lead_before(run[0][0])
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
