"""Neo4j as the shared store, against a real Neo4j 5.26 (tools/neo4j-harness, one server per session).

Skipped when the harness cannot run here, unless TRACEGRAPH_REQUIRE_NEO4J=1 (then that is a failure).
The encoding tests at the top need no server.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pytest
from fixtures import empty_neo4j, normalised

from tracegraph.errors import NotFoundError, TracegraphError
from tracegraph.graph.build.pipeline import build
from tracegraph.graph.model.io import read_json, write_json
from tracegraph.graph.model.schema import NODE_TYPES
from tracegraph.graph.query import queries
from tracegraph.graph.stores.base import GraphStore, stable_trace
from tracegraph.graph.stores.embedded import EmbeddedStore
from tracegraph.graph.stores.factory import open_store
from tracegraph.graph.stores.neo4j_io import (
    FULLTEXT_INDEX,
    connect,
    counts,
    decode_props,
    encode_props,
    encode_update,
    graph_counts,
    pull,
    push,
)
from tracegraph.graph.stores.neo4j_store import Neo4jStore

ROOT = Path(__file__).resolve().parents[1]

HOSTILE_TXT = "\n".join(
    [
        "某局领导班子对照检查材料",
        "一、存在的问题",
        "一是理论学习'}) DETACH DELETE n //不够深入。对“学习”的要求落实不到位，"
        "有时以'单引号'和\"双引号\"代替原文，路径C:\\temp\\x反斜杠。",
        '二是服务群众"意识"不强\\n。深入基层调研不够，听取群众意见不充分。',
        "二、原因分析",
        "一是理想信念'}) RETURN 1 //有所弱化。放松了对自身的要求。",
        '二是宗旨意识淡化\\"。对群众的感情不够深。',
        "三、整改措施",
        "一是加强理论学习'}) DETACH DELETE n //。制定学习计划，每月集中学习两次。",
        '二是密切联系群众"\\。每季度开展一次调研。',
        "",
    ]
)
NEWLINE_TITLE = '第一行\'}) DETACH DELETE n //\n第二行 "引号" \\反斜杠\\ `反引号` $param {map: 1}'


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wipe(driver, schema: bool = False) -> None:  # type: ignore[no-untyped-def]
    """No data left; with `schema` no constraints or indexes either (but the built-in lookup ones). The schema
    is kept by default: dropping it makes the server re-plan every statement, seconds on the harness."""
    empty_neo4j(driver)
    if not schema:
        return
    for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
        driver.execute_query(f"DROP CONSTRAINT `{r['name']}`")
    for r in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name").records:
        driver.execute_query(f"DROP INDEX `{r['name']}`")


def node_total(driver) -> int:  # type: ignore[no-untyped-def]
    return driver.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]


def rel_total(driver) -> int:  # type: ignore[no-untyped-def]
    return driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def db(neo4j_driver):
    """A driver on an empty database."""
    wipe(neo4j_driver)
    return neo4j_driver


@pytest.fixture
def hostile_graph(tmp_path: Path) -> nx.MultiDiGraph:
    path = tmp_path / "hostile_titles.txt"
    path.write_text(HOSTILE_TXT, encoding="utf-8")
    g, report = build([path])
    assert not report.failed
    return g


@pytest.fixture(params=["embedded", "neo4j"])
def store_and_graph(request, sample_graph):
    """The same sample behind each store: (store, the networkx graph it holds). Writes stay in the test."""
    g = copy.deepcopy(sample_graph)
    if request.param == "embedded":
        store: GraphStore = EmbeddedStore(g)
    else:
        driver = request.getfixturevalue("db")
        push(g, driver, progress=False)
        store = Neo4jStore(driver)
    yield store, g
    store.close()


# --------------------------------------------------------------------------- no server needed


def test_property_encoding_round_trips_every_value_kind() -> None:
    attrs = {
        "title": "含'引号\"与\\反斜杠\n换行",
        "start": 0,
        "score": 0.737,
        "other": True,
        "doc": None,
        "aliases": ["十九届六中全会", "党的十九届六中全会"],
        "empty": [],
        "mentions": [["doc", 12, 20, "十九届六中全会"]],
        "evidence": {"source_sentence": {"start": 1, "text": "句子"}, "shared_terms": ["词"], "z": 2.1},
        "suggestions": {"ADDRESSES": [{"id": "d:M1", "score": 0.35}]},
        "note_json": "a name that already ends in _json",
        "mixed": ["a", 1],
    }
    props = encode_props(attrs)
    # Neo4j gets only values it can hold: scalars and lists of strings; the rest is JSON text
    for k, v in props.items():
        assert isinstance(v, str | int | float | bool) or (isinstance(v, list) and all(type(x) is str for x in v)), k
    assert props["aliases"] == attrs["aliases"] and props["title"] == attrs["title"]
    assert json.loads(props["evidence_json"]) == attrs["evidence"]
    assert "doc" not in props and props["doc_json"] == "null"
    assert props["note_json_json"] == json.dumps(attrs["note_json"])
    assert decode_props(props) == attrs
    # an update nulls the other spelling so a value changing form leaves nothing stale
    upd = encode_update({"score": None, "comment": "ok"})
    assert upd == {"score": None, "score_json": "null", "comment": "ok", "comment_json": None}


def test_embedded_store_opens_a_workspace_read_only(tmp_path: Path, sample_graph, sample_doc_id) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    write_json(sample_graph, ws / "graph.json")
    store = open_store(None, ws)
    assert isinstance(store, EmbeddedStore) and isinstance(store, GraphStore)
    assert [d["id"] for d in store.documents()] == [sample_doc_id]
    assert "text" not in store.documents()[0]
    assert not hasattr(store, "add_edge") and not hasattr(store, "set_edge_attrs")  # curation has one write path
    with pytest.raises(NotFoundError):
        store.trace("nope")
    with pytest.raises(TracegraphError):
        open_store(None, tmp_path / "missing.json")


# --------------------------------------------------------------------------- push / pull


def test_push_counts_per_label_and_type_equal_the_graph(db, sample_graph, capsys) -> None:
    wipe(db, schema=True)  # push must create the schema itself
    report = push(sample_graph, db, batch_size=50, progress=True)
    expected = graph_counts(sample_graph)
    assert counts(db) == expected == report.counts
    assert report.nodes == sample_graph.number_of_nodes() == expected["label:TGNode"]
    assert report.relationships == sample_graph.number_of_edges() == expected["relationships"]
    assert report.documents == 1 and report.batches > 10
    assert expected["label:Problem"] > 10 and expected["rel:ADDRESSES"] > 5 and expected["rel:CITES"] > 10
    # every node carries :TGNode and its type label, and nothing else exists
    # + the document's metadata node, its stored numbers and the catalogue's version
    assert node_total(db) == sample_graph.number_of_nodes() + 3
    assert rel_total(db) == sample_graph.number_of_edges()
    # one title read back verbatim through Cypher
    pid = next(n for n, d in sample_graph.nodes(data=True) if d["type"] == "Problem")
    rec = db.execute_query("MATCH (n:Problem:TGNode {id: $id}) RETURN n.title AS t", id=pid).records
    assert [r["t"] for r in rec] == [sample_graph.nodes[pid]["title"]]
    # schema: a unique id per label and on :TGNode, doc/type indexes, a CJK full-text index
    cons = {r["name"]: r for r in db.execute_query("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes").records}
    for lbl in ("TGNode", *NODE_TYPES):
        c = cons[f"tg_{lbl.lower()}_id"]
        assert c["type"] == "UNIQUENESS" and c["labelsOrTypes"] == [lbl]
    idx = {r["name"]: r for r in db.execute_query("SHOW INDEXES YIELD name, type, state, properties, options").records}
    assert idx["tg_node_doc"]["properties"] == ["doc"] and idx["tg_node_type"]["properties"] == ["type"]
    ft = idx[FULLTEXT_INDEX]
    assert ft["type"] == "FULLTEXT" and ft["state"] == "ONLINE" and ft["properties"] == ["title", "text"]
    assert ft["options"]["indexConfig"]["fulltext.analyzer"] == "cjk"
    total = 1 + sample_graph.number_of_nodes() + sample_graph.number_of_edges()
    err = capsys.readouterr().err
    assert "推送 Neo4j [" in err and f"{total}/{total}" in err


def test_push_again_creates_no_duplicates(db, sample_graph) -> None:
    push(sample_graph, db, progress=False)
    first = counts(db)
    again = push(sample_graph, db, batch_size=7, progress=False)
    assert counts(db) == first == graph_counts(sample_graph)
    assert (again.pruned_nodes, again.pruned_relationships) == (0, 0)
    dup_nodes = db.execute_query("MATCH (n:TGNode) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN id").records
    dup_rels = db.execute_query(
        "MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, count(*) AS c WHERE c > 1 RETURN a.id, t, b.id"
    ).records
    assert dup_nodes == [] and dup_rels == []


def test_pull_gives_back_exactly_what_was_pushed(db, sample_graph) -> None:
    push(sample_graph, db, progress=False)
    back = pull(db)
    assert normalised(back) == normalised(sample_graph)
    assert back.graph["documents"] == sample_graph.graph["documents"]  # text, redactions and all
    # nested values come back as the same Python structures, not as JSON text
    u, v, d = next((u, v, d) for u, v, d in sample_graph.edges(data=True) if d.get("evidence"))
    assert back.edges[u, v, d["type"]]["evidence"] == d["evidence"]
    assert isinstance(back.edges[u, v, d["type"]]["evidence"], dict)
    u, v, d = next((u, v, d) for u, v, d in sample_graph.edges(data=True) if d.get("mentions"))
    assert back.edges[u, v, "CITES"]["mentions"] == d["mentions"]
    n = next(n for n, a in sample_graph.nodes(data=True) if a.get("suggestions"))
    assert back.nodes[n]["suggestions"] == sample_graph.nodes[n]["suggestions"]
    shared = next(n for n, a in sample_graph.nodes(data=True) if a["type"] == "PolicyRef")
    assert back.nodes[shared]["doc"] is None and back.nodes[shared]["aliases"] == sample_graph.nodes[shared]["aliases"]


def test_push_of_a_changed_graph_replaces_that_documents_part(db, sample_graph) -> None:
    push(sample_graph, db, progress=False)
    g = copy.deepcopy(sample_graph)
    gone = next(n for n, d in g.nodes(data=True) if d["type"] == "Example")
    g.remove_node(gone)
    u, v, k = next((u, v, k) for u, v, k, d in g.edges(keys=True, data=True) if d["type"] == "EXPLAINS")
    g.remove_edge(u, v, k)
    d = next(d for _, _, d in g.edges(data=True) if d["type"] == "ADDRESSES" and "score" in d)
    del d["score"]  # an attribute that disappears must disappear in Neo4j too
    report = push(g, db, progress=False)
    assert report.pruned_nodes == 1 and report.pruned_relationships == 1
    assert normalised(pull(db)) == normalised(g)
    assert counts(db) == graph_counts(g)


def test_push_refuses_labels_and_types_outside_the_model(db, sample_graph) -> None:
    push(sample_graph, db, progress=False)
    before = (node_total(db), rel_total(db))
    bad = copy.deepcopy(sample_graph)
    bad.add_node("x", type="Problem`) DETACH DELETE n //", title="t")
    with pytest.raises(TracegraphError, match="未知的节点类型"):
        push(bad, db, progress=False)
    bad = copy.deepcopy(sample_graph)
    a, b = list(bad.nodes)[:2]
    bad.add_edge(a, b, key="X]->() DETACH DELETE n //", type="X]->() DETACH DELETE n //")
    with pytest.raises(TracegraphError, match="未知的关系类型"):
        push(bad, db, progress=False)
    assert (node_total(db), rel_total(db)) == before


# --------------------------------------------------------------------------- the same answers from both stores


def test_trace_matrix_gaps_equal_across_stores(store_and_graph, sample_graph, sample_doc_id) -> None:
    store, _ = store_and_graph
    assert isinstance(store, GraphStore)
    for n in sample_graph.nodes:
        assert store.trace(n) == stable_trace(queries.trace(sample_graph, n)), n
    for doc in (sample_doc_id, None):
        assert store.matrix(doc) == queries.matrix(sample_graph, doc)
        assert store.gaps(doc) == queries.gaps(sample_graph, doc)
    # and the answers have substance: a problem traced to causes, measures and policy references
    mx = store.matrix(sample_doc_id)
    assert len(mx["measures"]) >= 5 and len(mx["problems"]) >= 10 and len(mx["cells"]) >= 5
    traced = [store.trace(p["id"]) for p in mx["problems"]]
    assert any(t["causes"] and t["measures"] and t["policy_refs"] for t in traced)
    cell = next(iter(mx["cells"].values()))
    assert cell["origin"] in ("explicit", "inferred") and isinstance(cell["evidence"], dict)
    with pytest.raises(KeyError):
        store.trace("no-such-node")


def test_documents_subgraphs_and_search_equal_across_stores(store_and_graph, sample_graph, sample_doc_id) -> None:
    store, _ = store_and_graph
    ref = EmbeddedStore(sample_graph)
    assert store.documents() == ref.documents()
    assert store.documents()[0]["id"] == sample_doc_id and store.documents()[0]["chars"] > 5000
    assert normalised(store.load_graph(sample_doc_id)) == normalised(sample_graph)  # one document: all of it
    assert normalised(store.load_graph()) == normalised(sample_graph)
    problem = next(n for n, d in sample_graph.nodes(data=True) if d["type"] == "Problem")
    for depth in (0, 1, 2):
        sub = store.neighbours(problem, depth)
        assert normalised(sub) == normalised(ref.neighbours(problem, depth))
    assert set(store.neighbours(problem, 1)) == {problem, *nx.all_neighbors(sample_graph, problem)}
    for q in ("理论学习", "十九届六中全会", "组织", "学习理论", "党", "XX"):
        for doc in (sample_doc_id, None):
            assert store.search(q, doc=doc) == ref.search(q, doc=doc), (q, doc)
    hits = store.search("十九届六中全会", types=("PolicyRef",))
    assert hits and hits[0]["title"] == "党的十九届六中全会"


def test_stores_have_no_second_curation_write_path(store_and_graph) -> None:
    """Curation is written by graph.curation only (one write path); both stores are read interfaces."""
    store, _ = store_and_graph
    for name in ("set_edge_attrs", "add_edge", "save"):
        assert not hasattr(store, name), name


def test_open_store_picks_neo4j_when_given_a_uri(db, neo4j_server, sample_graph, monkeypatch) -> None:
    push(sample_graph, db, progress=False)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    with open_store(neo4j_server.uri, None) as store:
        assert isinstance(store, Neo4jStore)
        assert [d["id"] for d in store.documents()] == list(sample_graph.graph["documents"])
    monkeypatch.delenv("NEO4J_PASSWORD")
    with pytest.raises(TracegraphError, match="NEO4J_PASSWORD"):
        open_store(neo4j_server.uri, None)


# --------------------------------------------------------------------------- hostile text


def test_hostile_titles_are_stored_verbatim_and_delete_nothing(db, sample_graph, hostile_graph) -> None:
    push(sample_graph, db, progress=False)
    before_nodes, before_rels = node_total(db), rel_total(db)
    g = hostile_graph
    doc = next(iter(g.graph["documents"]))
    titles = {n: d["title"] for n, d in g.nodes(data=True) if d.get("doc") == doc}
    assert any("'}) DETACH DELETE n //" in t for t in titles.values())
    assert any('"' in t for t in titles.values()) and any("\\" in t for t in titles.values())
    cause = next(n for n, d in g.nodes(data=True) if d["type"] == "Cause")
    # a newline the parser would never put in a title: an analyst's edit, marked as graph.curation.apply marks it
    # (search reads an edited node by its span)
    g.nodes[cause].update(title=NEWLINE_TITLE, curated=True)
    titles[cause] = NEWLINE_TITLE
    push(g, db, progress=False)
    shared = sum(1 for n in g if n in sample_graph)  # PolicyRef/Speaker nodes both documents have
    expected_nodes = before_nodes + g.number_of_nodes() + 2 - shared  # + the document's metadata node and numbers
    assert node_total(db) == expected_nodes
    assert rel_total(db) == before_rels + g.number_of_edges()
    sample_left = db.execute_query(
        "MATCH (n:TGNode) WHERE n.doc = $d RETURN count(n) AS c", d=next(iter(sample_graph.graph["documents"]))
    ).records[0]["c"]
    assert sample_left == sum(1 for _, d in sample_graph.nodes(data=True) if d.get("doc"))
    stored = {
        r["id"]: r["title"]
        for r in db.execute_query("MATCH (n:TGNode {doc: $d}) RETURN n.id AS id, n.title AS title", d=doc).records
    }
    assert stored == titles
    text = db.execute_query("MATCH (d:TGDocumentMeta {id: $d}) RETURN d.text AS t", d=doc).records[0]["t"]
    assert text == g.graph["documents"][doc]["text"] and "\n" in text
    union = nx.compose(copy.deepcopy(sample_graph), g)
    union.graph["documents"] = {**sample_graph.graph["documents"], **g.graph["documents"]}
    assert normalised(pull(db)) == normalised(union)
    # searching for the hostile strings is harmless too (Cypher parameters, escaped Lucene)
    store, ref = Neo4jStore(db), EmbeddedStore(union)
    for q in ("'})", "DETACH", '"\\', "理论学习'})"):
        assert store.search(q) == ref.search(q), q
    assert {h["id"] for h in store.search("'})")} >= {n for n, t in titles.items() if "'})" in t}
    assert node_total(db) == expected_nodes


# --------------------------------------------------------------------------- faults


def test_unreachable_server_fails_fast_and_clearly(monkeypatch, capsys) -> None:
    port = free_port()  # nothing listens here
    uri = f"bolt://127.0.0.1:{port}"
    secret = "s3cret-not-to-be-printed"
    t0 = time.monotonic()
    with pytest.raises(TracegraphError) as err:
        Neo4jStore.connect(uri, "neo4j", secret)
    assert time.monotonic() - t0 < 10
    assert "无法连接" in str(err.value) and uri in str(err.value) and secret not in str(err.value)
    monkeypatch.setenv("NEO4J_PASSWORD", secret)
    t0 = time.monotonic()
    with pytest.raises(TracegraphError):
        open_store(uri, None)
    assert time.monotonic() - t0 < 10

    from tracegraph.cli.main import main

    t0 = time.monotonic()
    assert main(["neo4j", "status", "--uri", uri]) == 9  # StoreError
    assert time.monotonic() - t0 < 10
    out = capsys.readouterr()
    assert "无法连接" in out.err and len(out.err.strip().splitlines()) == 1
    assert secret not in out.err + out.out


def test_silent_server_times_out_within_seconds() -> None:
    """A port that accepts TCP but never speaks Bolt (a hung server): the handshake is bounded too."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        uri = f"bolt://127.0.0.1:{s.getsockname()[1]}"
        t0 = time.monotonic()
        with pytest.raises(TracegraphError, match="无法连接"):
            connect(uri, "neo4j", "pw")
        assert time.monotonic() - t0 < 10


def test_wrong_password_is_reported_without_echoing_it(neo4j_server) -> None:
    wrong = "definitely-wrong-" + "x" * 8
    with pytest.raises(TracegraphError) as err:
        connect(neo4j_server.uri, neo4j_server.user, wrong)
    assert "认证失败" in str(err.value) and wrong not in str(err.value)
    with pytest.raises(TracegraphError, match="bolt://"):
        connect("http://127.0.0.1:7474", "neo4j", wrong)


def test_killed_push_then_rerun_equals_one_clean_push(db, neo4j_server, sample_graph, tmp_path: Path) -> None:
    path = tmp_path / "graph.json"
    write_json(sample_graph, path)
    expected = graph_counts(sample_graph)
    total = expected["label:TGNode"] + expected["relationships"]
    env = dict(os.environ, NEO4J_PASSWORD=neo4j_server.password, PYTHONPATH=str(ROOT))
    cmd = [
        sys.executable,
        "-m",
        "tracegraph.cli.main",
        "neo4j",
        "push",
        "--graph",
        str(path),
        "--uri",
        neo4j_server.uri,
    ]
    proc = subprocess.Popen(
        [*cmd, "--batch-size", "1", "--no-progress"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        written = 0
        while time.monotonic() < deadline and proc.poll() is None:
            written = db.execute_query("MATCH (n:TGNode) RETURN count(n) AS c").records[0]["c"]
            if written >= 20:
                break
            time.sleep(0.01)
        assert proc.poll() is None, f"push ended before it could be killed: {proc.communicate()}"
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = counts(db)
    assert 0 < partial["label:TGNode"] + partial["relationships"] < total  # really halfway
    rerun = subprocess.run([*cmd, "--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert counts(db) == expected
    assert normalised(pull(db)) == normalised(sample_graph)


# --------------------------------------------------------------------------- CLI and benchmark


def test_cli_push_status_pull(db, neo4j_server, sample_graph, tmp_path: Path, monkeypatch, capsys) -> None:
    from tracegraph.cli.main import main

    src, out = tmp_path / "graph.json", tmp_path / "pulled.json"
    write_json(sample_graph, src)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.setenv("TRACEGRAPH_NEO4J_URI", neo4j_server.uri)  # no --uri: taken from the environment
    n, e = sample_graph.number_of_nodes(), sample_graph.number_of_edges()
    assert main(["neo4j", "push", "--graph", str(src), "--no-progress"]) == 0
    assert f"已推送 1 篇文档、{n} 个节点、{e} 条关系" in capsys.readouterr().out
    assert main(["neo4j", "status", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["server"].startswith("Neo4j Kernel 5.26")
    assert info["counts"] == graph_counts(sample_graph)
    assert info["indexes"][FULLTEXT_INDEX] == "FULLTEXT ONLINE"
    assert main(["neo4j", "status"]) == 0
    assert f"节点 {n}，关系 {e}" in capsys.readouterr().out
    assert main(["neo4j", "pull", "--out", str(out)]) == 0
    assert normalised(read_json(out)) == normalised(sample_graph)
    printed = capsys.readouterr()
    assert neo4j_server.password not in printed.out + printed.err
    monkeypatch.delenv("NEO4J_PASSWORD")  # not at a terminal under pytest: no prompt, a clear error
    assert main(["neo4j", "status"]) == 9  # StoreError
    assert "NEO4J_PASSWORD" in capsys.readouterr().err


def test_push_rate_reports_rows_per_second(db, neo4j_server, sample_graph) -> None:
    from tools.bench.neo4j_push import push_rate

    rate = push_rate(sample_graph, neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    assert rate["nodes"] == sample_graph.number_of_nodes() and rate["relationships"] == sample_graph.number_of_edges()
    assert rate["rows_per_second"] > 0 and rate["repush_rows_per_second"] > 0
    assert counts(db) == graph_counts(sample_graph)  # pushing twice for the benchmark left one copy


def test_app_serves_trace_matrix_and_gaps_from_neo4j(
    db, neo4j_server, sample_graph, sample_doc_id, tmp_path, monkeypatch
) -> None:
    """The Streamlit app with TRACEGRAPH_NEO4J_URI set reads the shared store: the same trace, matrix and
    gaps as the embedded graph, with no workspace documents at all."""
    from streamlit.testing.v1 import AppTest

    from tracegraph.graph.query.queries import gaps, matrix, trace

    push(copy.deepcopy(sample_graph), db, progress=False)
    monkeypatch.setenv("TRACEGRAPH_WORKSPACE", str(tmp_path / "empty-ws"))
    monkeypatch.setenv("TRACEGRAPH_NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    app = str(Path(__file__).resolve().parents[1] / "app.py")

    def run(**query: str) -> AppTest:
        at = AppTest.from_file(app, default_timeout=90)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    def text(at: AppTest) -> str:
        return "\n".join(
            str(e.value) for kind in ("markdown", "caption", "info", "header", "subheader") for e in getattr(at, kind)
        )

    p52 = f"{sample_doc_id}:P5.2"
    at = run(view="trace", trace=p52)
    page = text(at)
    expected = trace(sample_graph, p52)
    assert f"整改措施（{len(expected['measures'])}）" in page
    for m in expected["measures"]:
        assert m["title"] in page
    at = run(view="overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["问题"] == str(len(matrix(sample_graph, sample_doc_id)["problems"]))
    page = text(at)
    for p in gaps(sample_graph, sample_doc_id)["problems_without_measures"]:
        assert p["title"][:12] in page
