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


# --------------------------------------------------------------------------- a real Neo4j, one per session


@pytest.fixture(scope="session")
def neo4j_server():  # type: ignore[no-untyped-def]
    """The test harness's Neo4j 5.26 (tools/neo4j-harness), started once for every test module that needs it."""
    try:
        from tests.neo4j_server import start_or_skip
    except ImportError:  # tests/ itself is on sys.path (rootdir-less import mode)
        from neo4j_server import start_or_skip
    server = start_or_skip()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server):  # type: ignore[no-untyped-def]
    from tracegraph.graph.stores.neo4j_io import connect

    driver = connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    yield driver
    driver.close()
