"""Shared fixtures: the sample document, its gold reading and a graph built from it once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus" / "seed"
SAMPLE = ROOT / "data" / "000_ddb002e987b04e7f.txt"


def _gold_path() -> Path:
    cands = sorted(SHARED.glob("*.gold.json"))
    return cands[0] if cands else ROOT / "tests" / "data" / "000_ddb002e987b04e7f.gold.json"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def gold() -> dict:
    return json.loads(_gold_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_graph():
    from tracegraph.graph.build.pipeline import build

    g, report = build([SAMPLE])
    assert not report.failed
    return g


@pytest.fixture(scope="session")
def sample_doc_id(sample_graph) -> str:
    return next(iter(sample_graph.graph["documents"]))
