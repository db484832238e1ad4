"""The app on an archive file (`tracegraph app --archive`, issue 15 item 4) never reads the whole graph: every page,
with and without a document chosen, is drawn from the part it reads — counted in nodes, edges and documents read —
and a whole-graph read fails the test. A decision taken in the app changes what the next page reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fixtures import clear_shared_store, page_text, paged_page, replicated, run_app

from tracegraph.graph.stores import archive_db
from tracegraph.graph.stores.archive_db import import_graph
from tracegraph.graph.stores.archive_store import ArchiveStore
from tracegraph.ui import shared_store
from tracegraph.ui import state as vs

COPIES = 8


DOUBT_WARNING = {"code": "low_coverage", "text": "正文只有 40% 落在识别出的条目中"}


@pytest.fixture
def archived(sample_graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Eight documents in an archive, the app pointed at it, and any whole-graph read made to fail."""
    g = replicated(sample_graph, COPIES)
    # one document read in doubt: the index lists it with its reason (graph.stores.base.catalogue_entry)
    first = g.graph["documents"][sorted(g.graph["documents"])[0]]
    first["reading"] = {**first["reading"], "warnings": [*first["reading"].get("warnings", []), DOUBT_WARNING]}
    path = tmp_path / "archive.sqlite"
    import_graph(g, path)
    monkeypatch.delenv("TRACEGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("TRACEGRAPH_ARCHIVE", str(path))
    clear_shared_store()

    def whole(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the app read the whole archive")

    original = archive_db.fetch
    monkeypatch.setattr(archive_db, "fetch", lambda con, ids, documents=True: whole() if ids is None
                        else original(con, ids, documents))
    yield g
    clear_shared_store()


def test_every_page_reads_only_its_part_of_the_archive(archived, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    g = archived
    total = g.number_of_nodes() + g.number_of_edges() + COPIES
    doc = sorted(g.graph["documents"])[3]
    one_doc = sum(1 for _, d in g.nodes(data=True) if d.get("doc") == doc)
    ws = tmp_path / "ws"
    costs: dict[str, int] = {}
    for view in vs.VIEWS:
        _, costs[f"{view} (no document)"] = paged_page(monkeypatch, ws, ArchiveStore, view=view)
        _, costs[f"{view} ({doc})"] = paged_page(monkeypatch, ws, ArchiveStore, view=view, doc=doc)
    print(f"read per page of {total:,} in the archive (one document: {one_doc} nodes):", costs)
    assert max(costs.values()) <= total / 4, costs
    assert all(costs[f"{v} (no document)"] <= 2 * COPIES + 20 for v in vs.VIEWS), costs
    assert all(one_doc <= costs[f"{v} ({doc})"] <= 8 * one_doc for v in vs.VIEWS if v != "corpus"), costs


def test_pages_answer_from_the_archive_and_take_the_workspace_decisions(
        archived, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g = archived
    docs = sorted(g.graph["documents"])
    ws = tmp_path / "ws"
    at, _ = paged_page(monkeypatch, ws, ArchiveStore, view="overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["文档"] == str(COPIES) and metrics["问题"] == str(COPIES * 17), metrics
    assert "图谱来源：档案库" in page_text(at) and "在左侧“文档”中选择该文档后在本页查看" in page_text(at)
    assert f"共 {COPIES} 份文档，其中 1 份读取存疑" in page_text(at)
    assert f"的读取存疑：{DOUBT_WARNING['text']}。该文档的“覆盖缺口”可能是读取问题" in page_text(at)
    at, _ = paged_page(monkeypatch, ws, ArchiveStore, view="overview", doc=docs[1])
    assert {m.label: m.value for m in at.metric}["问题"] == "17"
    # a page that shows one document at a time asks for one, and finds items across the archive
    at, _ = paged_page(monkeypatch, ws, ArchiveStore, view="matrix")
    assert "档案库" in page_text(at) and "这一页一次显示一份文档" in page_text(at)
    # a word only the documents' preambles hold: no item, and the page says what it searched
    at.text_input(key="tg-shared-find").set_value("征求意见").run()
    assert "没有条目含有“征求意见”" in page_text(at) and "文档开头的说明" in page_text(at)
    at.text_input(key="tg-shared-find").set_value("理论学习").run()
    found = [b for b in at.button if (b.key or "").startswith("tg-shared-trace-")]
    assert found and not at.exception
    found[0].click().run()
    assert not at.exception
    node = found[0].key.removeprefix("tg-shared-trace-")
    assert at.query_params["trace"] == node and at.query_params["doc"] == node.split(":", 1)[0]
    p = f"{docs[2]}:P5.2"
    at, _ = paged_page(monkeypatch, ws, ArchiveStore, view="trace", trace=p)
    assert g.nodes[p]["title"][:10] in page_text(at)
    at, _ = paged_page(monkeypatch, ws, ArchiveStore, view="corpus")
    assert "不把整个图谱读入内存" in page_text(at)
    # a decision written to the workspace's log (where the app's curation controls write it): the next pages count
    # it, for the document and for the corpus
    from tracegraph.graph.curation.store import CurationStore

    scopes = (("doc", {"doc": docs[1]}), ("corpus", {}))
    covered = {k: _covered(paged_page(monkeypatch, ws, ArchiveStore, view="overview", **q)[0]) for k, q in scopes}
    assert covered["doc"][1] == 17 and covered["corpus"][1] == COPIES * 17

    def addressing(p: str) -> list[str]:
        return [u for u, _, e in g.in_edges(p, data=True) if e.get("type") == "ADDRESSES"]

    problem = min((n for n, t in g.nodes(data="type") if t == "Problem" and n.startswith(docs[1] + ":")
                   and addressing(n)), key=lambda n: (len(addressing(n)), n))
    store = shared_store.store(shared_store.uri() or "")
    with CurationStore(ws / "curation.sqlite", user="甲") as log:
        for source in addressing(problem):  # every link to it rejected: it has no measure any more
            log.reject(store.load_graph(docs[1]), source, problem, "ADDRESSES", comment="不对应")
    assert problem in {r["id"] for r in store.gaps(docs[1])["problems_without_measures"]}
    after = {k: _covered(paged_page(monkeypatch, ws, ArchiveStore, view="overview", **q)[0]) for k, q in scopes}
    assert after == {k: (v[0] - 1, v[1]) for k, v in covered.items()}, (covered, after)


def _covered(at: Any) -> tuple[int, int]:
    """(problems with a measure, problems) as 总览's 覆盖情况 says."""
    import re

    m = re.search(r"(\d+) / (\d+)\**\s*个问题有对应的整改措施", page_text(at))
    assert m, page_text(at)
    return int(m.group(1)), int(m.group(2))


def test_the_catalogue_is_read_again_only_after_documents_are_written(
        archived, sample_graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sidebar's catalogue and the corpus's numbers are cached until documents are written (not for a minute):
    one more document written to the archive shows on the next page without clearing anything, and pages between
    writes do not read the catalogue again."""
    ws = tmp_path / "ws"
    monkeypatch.setenv("TRACEGRAPH_WORKSPACE", str(ws))
    store = shared_store.store(shared_store.uri() or "")
    assert isinstance(store, ArchiveStore)
    at = run_app(monkeypatch, ws, timeout=120, view="overview")
    assert {m.label: m.value for m in at.metric}["文档"] == str(COPIES)
    before = store.rows_read
    run_app(monkeypatch, ws, timeout=120, view="matrix")
    assert store.rows_read == before  # the catalogue came from the cache: nothing read
    version = store.catalogue_version()
    more = replicated(sample_graph, COPIES + 1)
    extra = sorted(more.graph["documents"])[-1]
    one = more.subgraph([n for n, d in more.nodes(data=True) if d.get("doc") in (extra, None)]).copy()
    one.graph = {"documents": {extra: more.graph["documents"][extra]}}
    import_graph(one, store.path)
    assert store.catalogue_version() == (COPIES + 1, version[1] + 1)
    at = run_app(monkeypatch, ws, timeout=120, view="overview")
    assert {m.label: m.value for m in at.metric}["文档"] == str(COPIES + 1)
    assert {m.label: m.value for m in at.metric}["问题"] == str((COPIES + 1) * 17)
    # a document written again (here: a title reworded) shows as written on its next page, not a minute later
    doc = sorted(archived.graph["documents"])[2]
    p = f"{doc}:P5.2"
    at = run_app(monkeypatch, ws, timeout=120, view="trace", trace=p)
    assert not at.exception
    again = archived.subgraph([n for n, d in archived.nodes(data=True) if d.get("doc") in (doc, None)]).copy()
    again.graph = {"documents": {doc: archived.graph["documents"][doc]}}
    again.nodes[p]["title"] = "改写后的问题标题"
    import_graph(again, store.path)
    at = run_app(monkeypatch, ws, timeout=120, view="trace", trace=p)
    assert "改写后的问题标题" in page_text(at)
