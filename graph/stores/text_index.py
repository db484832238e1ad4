"""What the full-text indexes of both paged stores are queried with. Neo4j's CJK analyzer and the archive's FTS5
tables (graph.stores.archive_db) both index Chinese text as overlapping character pairs, so a query names a
superset of the texts that hold the words, and the search checks every candidate exactly."""

from __future__ import annotations

import math
import re

HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def pair_tokens(text: str) -> list[str]:
    """The overlapping character pairs of every run of two or more Chinese characters in `text`."""
    return [r[i : i + 2] for r in HAN_RUN.findall(text) for i in range(len(r) - 1)]


def share_query(grams: list[str], field: str = "", need: int | None = None) -> str:
    """A query (Lucene and FTS5 read it alike) every text holding at least `need` of `grams` (default: half)
    matches: with e of them allowed missing, split them into e + 1 groups; one group is then wholly present
    (pigeonhole)."""
    missing = len(grams) - (math.ceil(len(grams) / 2) if need is None else need)
    groups: list[list[str]] = [[] for _ in range(missing + 1)]
    for i, b in enumerate(grams):
        groups[i % len(groups)].append(b)
    prefix = f"{field}:" if field else ""
    return " OR ".join("(" + " AND ".join(f'{prefix}"{b}"' for b in grp) + ")" for grp in groups if grp)
