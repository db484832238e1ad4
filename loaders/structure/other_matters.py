"""Stage 4d, 其他事项说明: one problem per topic, admitted or none_found (未发现…)."""

from __future__ import annotations

import re

from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.base import ParserState
from tracegraph.loaders.structure.model import OutlineNode
from tracegraph.loaders.textutil import sentence_end, sentences, trim

_TOPIC = re.compile(r"(?:在|关于)([^，,。；;]{2,30}?)方面[,，]?")


def _after_comma_before(norm: str, start: int, pos: int) -> int:
    """Start of the clause containing pos (after the last comma before it)."""
    k = max(norm.rfind("，", start, pos), norm.rfind(",", start, pos))
    return k + 1 if k >= 0 else start


class OtherMattersStage(ParserState):
    def other_matters_in_paras(self, root: OutlineNode) -> None:
        """其他事项说明：… as a paragraph anywhere (usually at the end of the problem section)."""
        done = {(i.start) for i in self.items if i.attrs.get("other")}
        for p in self.paras:
            m = cues.OTHER_PARA.match(self.norm, p.start, p.end) or cues.OTHER_PARA.match(self.norm[p.start : p.end])
            if not m or p.start in done:
                continue
            parent = self._section_for(p.start)
            self.other_topics(p.start + m.end(), p.end, parent, "其他事项说明")

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
                at = nf.start() if nf else s  # the pattern matched the segment, so it matches here too
                sent = [x for x in sentences(self.norm, s, e, "。；;") if x[0] <= at < x[1]]
                ts, te = sent[0] if sent else (s, e)
                ts = _after_comma_before(self.norm, ts, at)
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
