"""The app on a shared Neo4j never reads the whole graph (issue 15, item 1): every page, with and without a
document chosen, is drawn from what it fetches — counted in records received from the server — and a whole-graph
read fails the test. Against a real Neo4j 5.26 (the test harness)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fixtures import clear_shared_store, empty_neo4j, page_text, paged_page, replicated

from tracegraph.graph.stores import neo4j_io
from tracegraph.graph.stores.neo4j_io import push
from tracegraph.graph.stores.neo4j_store import Neo4jStore
from tracegraph.ui import state as vs

COPIES = 8


@pytest.fixture
def shared(neo4j_driver, neo4j_server, sample_graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Eight documents on the server, the app pointed at it, and any whole-graph read made to fail."""
    empty_neo4j(neo4j_driver)
    g = replicated(sample_graph, COPIES)
    push(g, neo4j_driver, progress=False)
    monkeypatch.setenv("TRACEGRAPH_NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    clear_shared_store()

    def whole(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the app read the whole graph from Neo4j")

    monkeypatch.setattr(neo4j_io, "pull", whole)
    original = Neo4jStore.load_graph
    monkeypatch.setattr(Neo4jStore, "load_graph",
                        lambda self, doc=None: whole() if doc is None else original(self, doc))
    yield g
    clear_shared_store()  # the next test's app must not see this store's index


def test_every_page_fetches_only_its_part_of_the_store(shared, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    g = shared
    total = g.number_of_nodes() + g.number_of_edges() + COPIES
    docs = sorted(g.graph["documents"])
    doc = docs[3]
    one_doc = sum(1 for _, d in g.nodes(data=True) if d.get("doc") == doc)
    ws = tmp_path / "ws"
    costs: dict[str, int] = {}
    for view in vs.VIEWS:
        _, rows = paged_page(monkeypatch, ws, Neo4jStore, view=view)
        costs[f"{view} (no document)"] = rows
        _, rows = paged_page(monkeypatch, ws, Neo4jStore, view=view, doc=doc)
        costs[f"{view} ({doc})"] = rows
    print(f"rows per page of {total:,} in the store (one document: {one_doc} nodes):", costs)
    assert max(costs.values()) <= total / 4, costs
    # without a document a page reads the catalogue (and 总览 the counts), not items
    assert all(costs[f"{v} (no document)"] <= 2 * COPIES + 20 for v in vs.VIEWS), costs
    # with one, about that document's part: its nodes, their links, the references they cite
    assert all(one_doc <= costs[f"{v} ({doc})"] <= 8 * one_doc for v in vs.VIEWS if v != "corpus"), costs


def test_pages_answer_from_the_store(shared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g = shared
    docs = sorted(g.graph["documents"])
    ws = tmp_path / "ws"
    # 总览 without a document: the corpus's numbers, counted by the server
    at, _ = paged_page(monkeypatch, ws, Neo4jStore, view="overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["文档"] == str(COPIES) and metrics["问题"] == str(COPIES * 17), metrics
    assert "在左侧“文档”中选择该文档后在本页查看" in page_text(at)
    # with a document: that document's numbers and gaps, as in a workspace
    at, _ = paged_page(monkeypatch, ws, Neo4jStore, view="overview", doc=docs[1])
    assert {m.label: m.value for m in at.metric}["问题"] == "17"
    # a page that shows one document at a time asks for one, and finds items across the store
    at, _ = paged_page(monkeypatch, ws, Neo4jStore, view="matrix")
    assert "这一页一次显示一份文档" in page_text(at)
    at.text_input(key="tg-shared-find").set_value("理论学习").run()
    found = [b for b in at.button if (b.key or "").startswith("tg-shared-trace-")]
    assert found and not at.exception
    found[0].click().run()
    assert not at.exception
    node = found[0].key.removeprefix("tg-shared-trace-")
    assert at.query_params["trace"] == node and at.query_params["doc"] == node.split(":", 1)[0]
    # 溯源 by URL: the node's document is fetched, the trace drawn
    p = f"{docs[2]}:P5.2"
    at, _ = paged_page(monkeypatch, ws, Neo4jStore, view="trace", trace=p)
    assert g.nodes[p]["title"][:10] in page_text(at)
    # the cross-document page says why it is not offered
    at, _ = paged_page(monkeypatch, ws, Neo4jStore, view="corpus")
    assert "不把整个图谱读入内存" in page_text(at)


def test_the_commands_answer_alike_from_the_file_and_from_neo4j(neo4j_driver, neo4j_server, tmp_path: Path) -> None:
    """`tracegraph stats|trace|matrix|gaps|ask … --neo4j` print what the same commands print from the graph
    file, byte for byte; without a document on a store of several they say which to give."""
    import os

    from fixtures import run_cli, two_document_graph

    from tracegraph.graph.model.io import write_json

    empty_neo4j(neo4j_driver)
    g = two_document_graph(tmp_path)
    path = tmp_path / "graph.json"
    write_json(g, path)
    push(g, neo4j_driver, progress=False)
    a, b = sorted(g.graph["documents"])
    env = {**os.environ, "NEO4J_PASSWORD": neo4j_server.password, "NEO4J_USER": neo4j_server.user}
    asked = [
        ["stats"], ["stats", "--json"],
        ["trace", f"{a}:P5.2"], ["trace", f"{b}:M3", "--json"],
        ["matrix", "--doc", b], ["gaps", "--doc", a], ["gaps", "--doc", a, "--json"],
        ["ask", "哪些措施针对理论学习的问题", "--doc", a],
    ]
    for cmd in asked:
        from_file = run_cli([*cmd, "--graph", str(path)], tmp_path, env)
        from_store = run_cli([*cmd, "--neo4j", neo4j_server.uri], tmp_path, env)
        assert from_file.returncode == from_store.returncode == 0, (cmd, from_store.stderr)
        if "--json" in cmd:  # the same object (a JSON object's keys have no order)
            assert json.loads(from_store.stdout) == json.loads(from_file.stdout), cmd
        else:
            assert from_store.stdout == from_file.stdout, cmd
        assert len(from_file.stdout) > 100, cmd
    r = run_cli(["gaps", "--neo4j", neo4j_server.uri], tmp_path, env)
    assert r.returncode != 0 and "请用 --doc 指定文档" in r.stderr
    # an export of one document's trace: the same file from the store as from the graph file
    for fmt in ("json", "csv", "md"):
        for where, src in (("file", ["--graph", str(path)]), ("store", ["--neo4j", neo4j_server.uri])):
            out = tmp_path / f"{where}.{fmt}"
            r = run_cli(["export", "--select", f"trace:{a}:P5.2", "--format", fmt, "--out", str(out), *src],
                        tmp_path, env)
            assert r.returncode == 0, r.stderr
        file, store = tmp_path / f"file.{fmt}", tmp_path / f"store.{fmt}"
        if fmt == "csv":  # a folder of tables
            names = sorted(p.name for p in file.iterdir())
            assert names and names == sorted(p.name for p in store.iterdir())
            assert all((file / n).read_bytes() == (store / n).read_bytes() for n in names), fmt
        elif fmt == "json":  # the same nodes and edges (the order of a list of edges carries no meaning)
            def norm(p: Path) -> dict[str, Any]:
                d = json.loads(p.read_text(encoding="utf-8"))
                d["nodes"] = sorted(d["nodes"], key=lambda x: x["id"])
                d["edges"] = sorted(d["edges"], key=lambda x: (x["source"], x["target"], x["type"]))
                return d

            assert norm(store) == norm(file) and len(norm(file)["edges"]) > 5
        else:
            assert store.read_text(encoding="utf-8") == file.read_text(encoding="utf-8")
            assert g.nodes[f"{a}:P5.2"]["title"][:10] in file.read_text(encoding="utf-8")
    r = run_cli(["export", "--select", f"doc:{a};doc:{b}", "--format", "json", "--neo4j", neo4j_server.uri],
                tmp_path, env)
    assert r.returncode != 0 and "只能在一份文档内" in r.stderr
