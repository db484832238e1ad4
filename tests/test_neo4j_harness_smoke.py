"""Smoke test: a real Neo4j 5.26 (in-process harness, no Docker) with a CJK full-text index.

Skipped when the machine cannot run the harness (no java/mvn, ...), unless
TRACEGRAPH_REQUIRE_NEO4J=1, in which case that is a failure.
"""

from __future__ import annotations

import os
import socket

import pytest

try:
    from tests.neo4j_server import start_or_skip
except ImportError:  # tests/ itself is on sys.path (pytest rootdir-less import mode)
    from neo4j_server import start_or_skip

ISSUE_TEXT = "软弱涣散基层党组织"


def _port_closed(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


def test_neo4j_harness_cjk_fulltext_roundtrip() -> None:
    server = start_or_skip()  # its own server: this test also checks that stopping frees the port

    from neo4j import GraphDatabase

    try:
        with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            driver.verify_connectivity()

            version = driver.execute_query(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v"
            ).records[0]["v"]
            assert version.startswith("5.26."), version

            summary = driver.execute_query("CREATE (:Smoke {name: 'hello'})").summary
            assert summary.counters.nodes_created == 1

            driver.execute_query(
                "CREATE FULLTEXT INDEX issue_text IF NOT EXISTS FOR (n:Issue) ON EACH [n.text] "
                "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"
            )
            driver.execute_query("CREATE (:Issue {id: 'p1', text: $text})", text=ISSUE_TEXT)
            driver.execute_query("CALL db.awaitIndexes(120)")

            options = driver.execute_query(
                "SHOW FULLTEXT INDEXES YIELD name, state, options WHERE name = 'issue_text' "
                "RETURN state, options"
            ).records
            assert len(options) == 1
            assert options[0]["state"] == "ONLINE"
            assert options[0]["options"]["indexConfig"]["fulltext.analyzer"] == "cjk"

            hits = driver.execute_query(
                "CALL db.index.fulltext.queryNodes('issue_text', $q) YIELD node, score "
                "RETURN node.id AS id, node.text AS text, score",
                q="涣散",
            ).records
            assert [(r["id"], r["text"]) for r in hits] == [("p1", ISSUE_TEXT)]
            assert hits[0]["score"] > 0

            # APOC core is bundled with the harness.
            apoc = driver.execute_query("RETURN apoc.version() AS v").records[0]["v"]
            assert apoc.startswith("5.26."), apoc
    finally:
        port = server.port
        server.stop()

    assert not server.running
    assert _port_closed(port), f"Bolt port {port} still open after stop()"
    with pytest.raises(ProcessLookupError):
        os.killpg(server.process.pid, 0)  # no process of the server's group survived
