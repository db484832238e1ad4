"""Quotations and who said them: 习近平总书记指出，“…”, 《决议》指出，“…”, 全会提出的“…”."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracegraph.loaders.references.policy import Mention

_PERSON = re.compile(r"习近平(?:总书记|同志|主席)?|总书记")
_VERB = re.compile(r"(?:深刻|明确|反复|多次|一再|重点)?(?:指出|强调|提出|要求|讲|说|讲话中|明确)(?:的)?")
_QUOTE = re.compile(r"“([^“”]{8,400})”")


@dataclass(frozen=True)
class Quote:
    start: int  # of the quoted text, inside the marks
    end: int
    speaker: str
    speaker_kind: str  # person | document | meeting


def extract_quotes(text: str, mentions: list[Mention]) -> list[Quote]:
    out: list[Quote] = []
    speakers = [(m.start(), m.end(), "习近平", "person") for m in _PERSON.finditer(text)]
    speakers += [(m.start, m.end, m.canonical, m.kind) for m in mentions if m.kind in ("document", "meeting")]
    speakers.sort()
    for q in _QUOTE.finditer(text):
        window_start = max(0, q.start() - 60)
        before = text[window_start : q.start()]
        # the clause the quote belongs to: no sentence end between the speaker and the quote
        cut = max(before.rfind("。"), before.rfind("？"), before.rfind("！"), before.rfind("”"))
        clause_start = window_start + cut + 1
        verb = None
        for v in _VERB.finditer(text, clause_start, q.start()):
            verb = v
        if verb is None:
            continue
        gap = text[verb.end() : q.start()]
        if len(gap) > 24:
            continue
        cands = [s for s in speakers if clause_start <= s[0] and s[1] <= verb.start()]
        if not cands:
            continue
        # a person in the clause is the speaker (在……会议指出 names where, not who)
        people = [c for c in cands if c[3] == "person"]
        _, _, name, kind = people[-1] if people else cands[-1]
        out.append(Quote(q.start(1), q.end(1), name, "person" if kind == "person" else kind))
    return out
