"""What the full-text indexes of both paged stores are queried with. Neo4j's CJK analyzer and the archive's FTS5
tables (graph.stores.archive_db) both index Chinese text as overlapping character pairs, so a query names a
superset of the texts that hold the words, and the search checks every candidate exactly."""

from __future__ import annotations

import itertools
import math
import re

HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
EXACT_GROUPS = 64  # choices of the pairs a share query names one by one at most (a short query's: 3 of 5 is 10)


def pair_tokens(text: str) -> list[str]:
    """The overlapping character pairs of every run of two or more Chinese characters in `text`."""
    return [r[i : i + 2] for r in HAN_RUN.findall(text) for i in range(len(r) - 1)]


def share_query(grams: list[str], field: str = "", need: int | None = None) -> str:
    """A query (Lucene and FTS5 read it alike) every text holding at least `need` of `grams` (default: half)
    matches: every choice of `need` of them, when there are at most EXACT_GROUPS choices (the query names no text
    holding fewer); else, with e of them allowed missing, them split into e + 1 groups, one of which is then wholly
    present (pigeonhole: fewer groups, more texts named)."""
    need = math.ceil(len(grams) / 2) if need is None else need
    groups: list[list[str]]
    if math.comb(len(grams), need) <= EXACT_GROUPS:
        groups = [list(c) for c in itertools.combinations(grams, need)]
    else:
        groups = [[] for _ in range(len(grams) - need + 1)]
        for i, b in enumerate(grams):
            groups[i % len(groups)].append(b)
    prefix = f"{field}:" if field else ""
    return " OR ".join("(" + " AND ".join(f'{prefix}"{b}"' for b in grp) + ")" for grp in groups if grp)
