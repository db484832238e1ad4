"""The code version that keys every build cache: a hash of the reader's and the graph's source and data.

One function instead of a hand-bumped constant, so a parser or linker change can never serve a stale cache."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path


@cache
def code_version() -> str:
    """sha256 (12 hex) over every .py and data/*.json under loaders/ and graph/ (exporters excluded: they
    do not change what is built)."""
    root = Path(__file__).resolve().parents[2]  # the tracegraph package folder
    h = hashlib.sha256()
    for pkg in ("loaders", "graph"):
        base = root / pkg
        files = [f for f in base.rglob("*") if f.suffix in (".py", ".json") and "exporters" not in f.parts]
        for f in sorted(files):
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]
