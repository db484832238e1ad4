"""The archive file (issue 15, item 4): a corpus written to disk document by document (graph.stores.archive_build)
answers every question as the embedded store answers it from the whole graph in memory — numbers, trace, matrix,
gaps, neighbours, search and the decisions applied — while reading only the part each question needs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from tracegraph.errors import NotFoundError, StoreError
from tracegraph.graph.build.pipeline import build
from tracegraph.graph.curation.apply import apply_curation
from tracegraph.graph.curation.store import CurationStore
from tracegraph.graph.model.io import to_dict
from tracegraph.graph.query import summary
from tracegraph.graph.stores import archive_search
from tracegraph.graph.stores.archive_build import build_archive
from tracegraph.graph.stores.archive_db import connect, import_graph
from tracegraph.graph.stores.archive_store import ArchiveStore
from tracegraph.graph.stores.base import CATALOGUE_FIELDS, catalogue_entry
from tracegraph.graph.stores.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (ROOT / "data", ROOT / "tests/data/real", ROOT / "tests/data/real_more", ROOT / "tests/data/layouts")
FILES = sorted(p for f in FOLDERS for p in f.glob("*.txt"))
QUERIES = (
    "学习", "理论学习", "整改", "党风廉政建设", "主体责任", "形式主义", "干部", "问题", "制度",
    "巡视", "意识形态", "12次", "2022年", "PPT", "党", "学习理论不深入", "整改落实不到位问题",
    "干部监督管理不严格", "基层党组织建设薄弱", "量子纠缠", "“两个确立”", "四个意识",
)


def normalised(g: nx.MultiDiGraph) -> tuple[list[str], ...]:
    """A graph as sorted JSON lines of its documents, nodes and edges: equal when the graphs are."""
    d = to_dict(g)
    return tuple(sorted(json.dumps(x, sort_keys=True, ensure_ascii=False) for x in d[k])
                 for k in ("documents", "nodes", "edges"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[nx.MultiDiGraph, Path]:
    """The same files built into one graph in memory and streamed into an archive (batches of three documents)."""
    g, report = build(FILES, workers=1)
    assert not report.failed and len(g.graph["documents"]) >= 8
    path = tmp_path_factory.mktemp("archive") / "archive.sqlite"
    rep = build_archive(FILES, path, workers=1, batch_documents=3)
    assert rep.documents == rep.stored == len(g.graph["documents"]) and rep.batches >= 3 and not rep.failed
    assert rep.similar == sum(1 for *_, t in g.edges(data="type") if t == "SIMILAR_TO") > 0
    return g, path


def test_the_archive_holds_what_build_puts_in_a_graph_file(built) -> None:
    g, path = built
    with ArchiveStore(path) as store:
        whole = store.load_graph()
    assert normalised(whole) == normalised(g)  # nodes, edges (similar problems included), documents, attributes
    con = connect(path)
    # each text once: a node keeps offsets, its own copy only where it differs from its span
    spans = [d for _, d in g.nodes(data=True) if d.get("doc") and d.get("start") is not None]
    kept = con.execute("SELECT count(*) FROM nodes WHERE json_extract(attrs, '$.text') IS NOT NULL "
                       "AND doc IS NOT NULL").fetchone()[0]
    assert kept < len(spans) / 10, (kept, len(spans))
    con.close()


def test_every_answer_equals_the_embedded_store(built) -> None:
    g, path = built
    emb = EmbeddedStore(g)
    with ArchiveStore(path) as arc:
        assert arc.counts() == emb.counts() and arc.counts()["Problem"] > 30
        assert arc.documents() == emb.documents()
        assert arc.documents(CATALOGUE_FIELDS) == emb.documents(CATALOGUE_FIELDS)
        assert arc.catalogue() == [catalogue_entry(d["id"], d) for d in emb.documents(CATALOGUE_FIELDS)]
        for doc in g.graph["documents"]:
            assert arc.counts(doc) == emb.counts(doc), doc
            assert arc.matrix(doc) == emb.matrix(doc), doc
            assert arc.gaps(doc) == emb.gaps(doc), doc  # reading doubts included
            assert normalised(arc.load_graph(doc)) == normalised(emb.load_graph(doc)), doc
        doubtful = [d for d in g.graph["documents"] if arc.gaps(d)["reading_doubts"]]
        assert doubtful  # the real documents include one whose reading is in doubt: the part says so
        traced = [n for n, t in g.nodes(data="type") if t in ("Problem", "Cause", "Measure", "PolicyRef")]
        assert len(traced) > 100
        for n in traced:
            assert arc.trace(n) == emb.trace(n), n
        for n in traced[::9]:
            assert normalised(arc.neighbours(n, 2)) == normalised(emb.neighbours(n, 2)), n
        with pytest.raises(NotFoundError):
            arc.trace("nope:P1")
        with pytest.raises(NotFoundError):
            arc.counts("nope")


def test_search_answers_as_the_embedded_store_reading_only_where_the_indexes_point(
        built, monkeypatch: pytest.MonkeyPatch) -> None:
    g, path = built
    emb = EmbeddedStore(g)
    read: list[tuple[str | None, str | None]] = []
    original = archive_search._documents

    def recording(con, doc, fts):  # type: ignore[no-untyped-def]
        read.append((doc, fts))
        return original(con, doc, fts)

    monkeypatch.setattr(archive_search, "_documents", recording)
    steps = {"_span_hits": 0, "_fuzzy_spans": 0}

    def counted(name: str):  # type: ignore[no-untyped-def]
        f = getattr(archive_search, name)

        def counting(*args):  # type: ignore[no-untyped-def]
            steps[name] += 1
            return f(*args)
        return counting

    for name in steps:
        monkeypatch.setattr(archive_search, name, counted(name))
    scans = 0
    some_doc = sorted(g.graph["documents"])[2]
    with ArchiveStore(path) as arc:
        for q in QUERIES:
            for types, limit in ((None, 20), (("Measure",), 5), (("Problem", "Cause"), 50)):
                read.clear()
                assert arc.search(q, types=types, limit=limit) == emb.search(q, types=types, limit=limit), (q, types)
                whole = [r for r in read if r == (None, None)]
                if archive_search.HAN_RUN.search(q):
                    # a Chinese word reads no document's text but its hits': titles, then the shortest spans
                    assert not [r for r in read if r[0] is None], q
                scans += bool(whole)
            assert arc.search(q, doc=some_doc) == emb.search(q, doc=some_doc), q
        assert all(steps.values()), steps  # the spans, and the fuzzy step's spans, answered alike
        # an archive made before the span index: every document the text index names is read, alike
        arc.con.execute("DELETE FROM archive WHERE key = 'span_grams'")
        read.clear()
        for q in ("高度重视", "学习理论不深入", "整改落实不到位问题"):
            assert arc.search(q) == emb.search(q), q
        assert [r for r in read if r[0] is None and r[1] is not None]
        arc.con.execute("INSERT INTO archive VALUES ('span_grams', 'complete')")
    assert scans == 3 * 4  # only the four queries without two Chinese characters in a row
    assert sum(1 for q in QUERIES if emb.search(q)) >= len(QUERIES) - 2


def test_decisions_are_applied_to_every_answer(built, tmp_path: Path) -> None:
    """The workspace's decisions (rejecting a link, adding one) change the archive's answers exactly as they change
    the graph in memory, the corpus's numbers included — without reading the whole archive."""
    g, path = built
    log = CurationStore(tmp_path / "curation.sqlite", user="甲")
    measure, problem, _ = next((u, v, d) for u, v, d in g.edges(data=True) if d.get("type") == "ADDRESSES")
    log.reject(g, measure, problem, "ADDRESSES", comment="不对应")
    orphan = EmbeddedStore(g).gaps()["problems_without_measures"][0]["id"]
    log.add(g, measure, orphan, "ADDRESSES", comment="补充")
    cited = [r["id"] for r in summary.cited_policies(g, None)]
    log.merge_policy(g, cited[0], cited[1], comment="同一提法")  # two cited references become one
    curated = g.copy()
    curated.graph = {"documents": dict(g.graph["documents"])}
    apply_curation(curated, log)
    emb = EmbeddedStore(curated)
    assert emb.counts() != EmbeddedStore(g).counts()  # the decisions change the numbers
    assert emb.counts()["PolicyRef"] == EmbeddedStore(g).counts()["PolicyRef"] - 1  # the merge
    with ArchiveStore(path, curation=log) as arc:
        read = arc.rows_read
        assert arc.counts() == emb.counts()
        assert arc.rows_read - read < (g.number_of_nodes() + g.number_of_edges()) / 2  # parts only
        for doc in {measure.split(":", 1)[0], orphan.split(":", 1)[0]}:
            assert arc.matrix(doc) == emb.matrix(doc) and arc.gaps(doc) == emb.gaps(doc), doc
        assert arc.trace(problem) == emb.trace(problem) and arc.trace(orphan) == emb.trace(orphan)
        assert orphan in {r["id"] for r in arc.trace(measure).get("addresses", [])} or measure in str(arc.trace(orphan))
    log.close()


def test_a_second_build_changes_nothing_and_a_bad_file_is_named(built, tmp_path: Path) -> None:
    g, path = built
    again = tmp_path / "again.sqlite"
    shutil.copy(path, again)
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip at all")
    rep = build_archive([*FILES[:3], bad], again, workers=1, batch_documents=2)
    assert rep.documents == 3 and rep.stored == len(g.graph["documents"])
    assert [Path(p).name for p, _ in rep.failed] == ["bad.docx"] and rep.failed[0][1]
    with ArchiveStore(again) as arc:
        assert normalised(arc.load_graph()) == normalised(g)
        assert arc.counts() == EmbeddedStore(g).counts()
        assert arc.search("理论学习") == EmbeddedStore(g).search("理论学习")  # the indexes were rewritten too
    con = connect(again)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == len(g.graph["documents"])
    con.close()


def test_a_graph_file_imports_to_the_same_archive(built, tmp_path: Path) -> None:
    """Also a curated workspace's file holding a link an analyst drew between two documents: both documents'
    stored numbers count it."""
    g, _ = built
    g = g.copy()
    g.graph = {"documents": dict(g.graph["documents"])}
    uncovered = EmbeddedStore(g).gaps()["problems_without_measures"][0]["id"]
    measure = next(n for n, t in g.nodes(data="type")
                   if t == "Measure" and g.nodes[n]["doc"] != g.nodes[uncovered]["doc"])
    g.add_edge(measure, uncovered, key="ADDRESSES", type="ADDRESSES", origin="curated", score=1.0)
    out = tmp_path / "imported.sqlite"
    assert import_graph(g, out, batch_documents=4) == len(g.graph["documents"])
    with ArchiveStore(out) as arc:
        assert normalised(arc.load_graph()) == normalised(g)
        assert arc.counts() == EmbeddedStore(g).counts()
        for doc in (g.nodes[uncovered]["doc"], g.nodes[measure]["doc"]):
            assert arc.counts(doc) == EmbeddedStore(g).counts(doc)
        assert arc._corpus_state()[1] == sorted({g.nodes[uncovered]["doc"], g.nodes[measure]["doc"]})


def test_a_missing_or_foreign_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="档案库文件不存在"):
        ArchiveStore(tmp_path / "none.sqlite")
    other = tmp_path / "other.sqlite"
    import sqlite3

    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="不是 tracegraph 档案库"):
        ArchiveStore(other)
    text = tmp_path / "text.sqlite"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(StoreError, match=r"text\.sqlite"):
        ArchiveStore(text)


def commands_alike(tmp_path: Path, path: Path, graph_file: Path, docs: list[str]) -> dict[str, Any]:
    """Each query command's output from the graph file and from the archive."""
    from fixtures import run_cli

    a, b = docs[:2]
    asked = [["stats"], ["stats", "--json"], ["trace", f"{a}:P5.2"], ["trace", f"{b}:M3", "--json"],
             ["matrix", "--doc", b], ["gaps", "--doc", a], ["gaps", "--doc", a, "--json"],
             ["ask", "哪些措施针对理论学习的问题", "--doc", a]]
    out = {}
    for cmd in asked:
        from_file = run_cli([*cmd, "--graph", str(graph_file)], tmp_path)
        from_archive = run_cli([*cmd, "--archive", str(path)], tmp_path)
        out[" ".join(cmd)] = (from_file, from_archive)
    return out


def test_the_commands_answer_alike_from_the_file_and_from_the_archive(tmp_path: Path) -> None:
    from fixtures import SAMPLE_TXT, run_cli, twin_copy

    from tracegraph.graph.model.io import write_json

    files = [SAMPLE_TXT, twin_copy(tmp_path)]
    g, _ = build(files)
    graph_file = tmp_path / "graph.json"
    write_json(g, graph_file)
    path = tmp_path / "archive.sqlite"
    r = run_cli(["archive", "build", *map(str, files), "--out", str(path), "--workers", "1"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "已读取并写入 2 篇文档" in r.stdout and "档案库现有 2 篇" in r.stdout
    docs = sorted(g.graph["documents"])
    for cmd, (from_file, from_archive) in commands_alike(tmp_path, path, graph_file, docs).items():
        assert from_file.returncode == from_archive.returncode == 0, (cmd, from_archive.stderr)
        if "--json" in cmd:
            assert json.loads(from_archive.stdout) == json.loads(from_file.stdout), cmd
        else:
            assert from_archive.stdout == from_file.stdout, cmd
        assert len(from_file.stdout) > 100, cmd
    r = run_cli(["gaps", "--archive", str(path)], tmp_path)
    assert r.returncode != 0 and "请用 --doc 指定文档" in r.stderr
    # with a workspace, its decisions count as in the app: a problem whose every link is rejected has no measure
    a = docs[0]
    problem = f"{a}:P5.2"
    ws = tmp_path / "ws"
    ws.mkdir()
    with CurationStore(ws / "curation.sqlite", user="甲") as log:
        for source, _, d in list(g.in_edges(problem, data=True)):
            if d.get("type") == "ADDRESSES":
                log.reject(g, source, problem, "ADDRESSES", comment="不对应")

    def uncovered(*extra: str) -> set[str]:
        r = run_cli(["gaps", "--doc", a, "--json", "--archive", str(path), *extra], tmp_path)
        assert r.returncode == 0, r.stderr
        return {x["id"] for x in json.loads(r.stdout)["problems_without_measures"]}

    assert problem not in uncovered() and problem in uncovered("--workspace", str(ws))
    r = run_cli(["gaps", "--doc", a, "--archive", str(path), "--workspace", str(tmp_path / "nope")], tmp_path)
    assert r.returncode != 0 and "工作区不存在" in r.stderr
    r = run_cli(["gaps", "--archive", str(tmp_path / "none.sqlite"), "--doc", docs[0]], tmp_path)
    assert r.returncode != 0 and "none.sqlite" in r.stderr


def test_a_thread_s_connection_is_closed_after_the_thread(built) -> None:
    """The app draws each page on a new thread: the store keeps a connection per live thread, not per page drawn."""
    import threading

    _, path = built
    with ArchiveStore(path) as arc:
        seen: list[int] = []

        def page() -> None:
            seen.append(arc.counts()["documents"])

        for _ in range(20):
            t = threading.Thread(target=page)
            t.start()
            t.join()
        assert len(seen) == 20 and len(set(seen)) == 1
        assert len(arc._cons) <= 2  # this thread's and at most the last page's


def test_both_stores_answer_alike_on_a_thousand_documents(sample_graph, tmp_path: Path) -> None:
    """1,000 documents (the sample's items under 1,000 ids) in an archive: the corpus's numbers, and for documents
    across the range their numbers, matrix, gaps, traces, questions and search, equal from the archive and from
    memory, each read from one document's part."""
    from dataclasses import asdict

    from fixtures import replicated

    from tracegraph.graph.query.ask import ask

    g = replicated(sample_graph, 1000)
    path = tmp_path / "thousand.sqlite"
    assert import_graph(g, path) == 1000
    emb = EmbeddedStore(g)
    with ArchiveStore(path) as arc:
        assert arc.counts() == emb.counts() and arc.counts()["Problem"] == 17_000
        docs = sorted(g.graph["documents"])
        for d in docs[::333]:
            assert arc.counts(d) == emb.counts(d)
            assert arc.matrix(d) == emb.matrix(d)
            assert arc.gaps(d) == emb.gaps(d)
            for code in ("P5.2", "M3", "C1"):
                assert arc.trace(f"{d}:{code}") == emb.trace(f"{d}:{code}")
            for question in ("哪些措施针对理论学习的问题", "第三条整改措施解决了哪些问题"):
                answer = ask(g, question, d)
                assert answer.results and asdict(ask(arc.load_graph(d), question, d)) == asdict(answer), question
            assert arc.search("理论学习", doc=d) == emb.search("理论学习", doc=d)
        before = arc.rows_read
        arc.load_graph(docs[500])
        assert arc.rows_read - before < (g.number_of_nodes() + g.number_of_edges()) / 100
        assert arc.search("理论学习") == emb.search("理论学习")
        measures = ("Measure",)
        assert arc.search("理论学习", types=measures, limit=5) == emb.search("理论学习", types=measures, limit=5)
        assert arc.search("学习理论不深入") == emb.search("学习理论不深入")  # no verbatim hit: the fuzzy step
