"""Root categories (政治、理论学习、理想信念、宗旨、作风、担当、纪律、能力) from a data file: the
reader's knowledge that 斗争精神 and 韧劲 are matters of 担当, which no string overlap shows."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path


@lru_cache(maxsize=4)
def load_categories(path: str | None = None) -> dict[str, list[str]]:
    if path:
        data = json.loads(Path(path).read_text("utf-8"))
    else:
        data = json.loads(resources.files("tracegraph.graph").joinpath("data/concepts.json").read_text("utf-8"))
    return {k: list(v) for k, v in data["categories"].items()}


def concept_vector(text: str, categories: dict[str, list[str]] | None = None) -> dict[str, float]:
    """L2-normalised weight per category (1 + log count)."""
    cats = categories or load_categories()
    vec: dict[str, float] = {}
    for name, words in cats.items():
        n = sum(text.count(w) for w in words)
        if n:
            vec[name] = 1.0 + math.log(n)
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {k: v / norm for k, v in vec.items()}


def categories_in(text: str, categories: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Which categories a text touches, with the words that showed it (for evidence and review)."""
    cats = categories or load_categories()
    return {name: [w for w in words if w in text] for name, words in cats.items() if any(w in text for w in words)}
