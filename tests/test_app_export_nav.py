"""Export from every view, a newcomer's 总览 and the view state that Back/Forward bring back — through
streamlit.testing (no browser; test_browser.py drives Chromium's Back and Forward and a real download).

AppTest has no address bar: a page is opened with an old-style link (``?view=trace``), and Back is a run
whose query string is an older one than the app last wrote (what Streamlit sends after a popstate)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixtures import html_tables, plain, run_app, sample_workspace
from streamlit.testing.v1 import AppTest

from tracegraph.ui import state as vs

DOC = "000_ddb002e987b04e7f"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ws")
    sample_workspace(ws)
    return ws


@pytest.fixture(scope="module")
def graph(workspace: Path):  # type: ignore[no-untyped-def]
    from tracegraph.graph.model.io import read_json

    return read_json(workspace / "build" / "graph.json")


def _app(monkeypatch: pytest.MonkeyPatch, ws: Path, **query: str) -> AppTest:
    return run_app(monkeypatch, ws, timeout=90, **query)


_plain = plain


def _export(at: AppTest, key: str) -> tuple[str, str, list[str]]:
    """(expander label, docx file name from its caption, download button keys) of a view's export panel."""
    box = next(e for e in at.expander if any(getattr(c, "key", "") == f"{key}-docx"
                                             for c in e.get("download_button")))
    names = [_plain(c.value) for c in box.caption if "文件名：" in _plain(c.value)]
    assert len(names) == 1
    name = re.search(r"文件名：(.+?\.docx)", names[0]).group(1)  # type: ignore[union-attr]
    return box.label, name, [b.key for b in box.get("download_button")]


def _first_two(keys: list[str]) -> list[str]:
    """The first two buttons in reading order (the grid fills row by row; the tree lists column by column)."""
    from tracegraph.ui.export_panel import BRIEFING_FIRST

    return sorted(keys, key=lambda k: BRIEFING_FIRST.index(k.rsplit("-", 1)[1]))[:2]


def _check_name(name: str, must: str) -> None:
    assert name.startswith("整改追溯_") and name.endswith(".docx") and must in name, name
    assert CJK.search(name.removeprefix("整改追溯_")), name


def test_trace_view_exports_the_traced_problem(monkeypatch: pytest.MonkeyPatch, workspace: Path, graph) -> None:
    from tracegraph.graph.exporters import default_filename

    at = _app(monkeypatch, workspace, view="trace", trace=f"{DOC}:P5.2")
    label, name, keys = _export(at, "trace-export")
    assert "导出" in label
    assert _first_two(keys) == ["trace-export-docx", "trace-export-pptx"]  # Word and PowerPoint first
    assert name == default_filename(f"trace:{DOC}:P5.2", "docx", g=graph)
    _check_name(name, "")
    assert DOC not in name and "P5.2" not in name  # named by titles, never by ids


def test_matrix_view_exports_the_documents_matrix(monkeypatch: pytest.MonkeyPatch, workspace: Path, graph) -> None:
    at = _app(monkeypatch, workspace, view="matrix")
    _label, name, keys = _export(at, "matrix-export")
    assert _first_two(keys) == ["matrix-export-docx", "matrix-export-pptx"]
    from tracegraph.ui.views.overview import doc_label

    label = doc_label(graph, DOC)
    assert label == "县委组织部领导班子·班子对照检查材料（2021）"  # the sample's title is only its file name
    _check_name(name, label[:10])
    from tracegraph.graph.query.subgraph import select
    from tracegraph.ui.views.matrix import export_selection

    sub = select(graph, export_selection(DOC))
    assert {d["type"] for _, d in sub.nodes(data=True)} == {"Problem", "Measure"}
    assert any(d.get("type") == "ADDRESSES" for _, _, d in sub.edges(data=True))


def test_ask_view_exports_the_answer(monkeypatch: pytest.MonkeyPatch, workspace: Path, graph) -> None:
    from tracegraph.graph.query.ask import ask
    from tracegraph.graph.query.subgraph import select
    from tracegraph.ui.views.ask import export_selection

    q = "第三条整改措施解决了哪些问题"
    at = _app(monkeypatch, workspace, view="ask", ask=q)
    _label, name, keys = _export(at, "ask-export")
    assert _first_two(keys) == ["ask-export-docx", "ask-export-pptx"]
    ans = ask(graph, q)
    _check_name(name, "")
    sel = export_selection(ans)
    picked = set(select(graph, sel).nodes)
    targets = {e["target"]["id"] for e in ans.per_target}
    assert targets and targets <= picked and {r["id"] for r in ans.results} <= picked
    assert picked <= targets | {r["id"] for e in ans.per_target for r in e["results"]} | {r["id"] for r in ans.results}
    gaps = export_selection(ask(graph, "哪些问题没有整改措施"))
    assert gaps.gaps


def test_overview_starts_with_first_steps_and_the_upload(monkeypatch: pytest.MonkeyPatch, workspace: Path,
                                                         graph) -> None:
    at = _app(monkeypatch, workspace)
    texts = [_plain(m.value) for m in at.markdown]
    steps = next(t for t in texts if "1. **上传**" in t)
    order = [steps.index(s) for s in ("上传", "看读取概况", "溯源 / 矩阵", "校对", "导出")]
    assert order == sorted(order)
    subheaders = [s.value for s in at.subheader]
    assert subheaders[0] == "上传文档到工作区" and subheaders.index("上传文档到工作区") < subheaders.index("文档")
    up = at.file_uploader[0]
    assert CJK.search(up.label) and "Browse" not in up.label
    assert any("“Upload”（上传）" in _plain(c.value) for c in at.caption)  # the drop zone's words in Chinese
    docs = html_tables(at)[0]
    assert next(iter(docs.columns)) == "标题" and list(docs.columns)[-1] == "文档"
    assert [_plain(t) for t in docs["标题"]] == ["县委组织部领导班子·班子对照检查材料（2021）"]


def test_empty_overview_still_shows_the_first_steps_then_the_upload(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    at = _app(monkeypatch, tmp_path)
    assert any("第一次使用" in _plain(m.value) for m in at.markdown)
    assert at.subheader[0].value == "上传文档到工作区" and len(at.file_uploader) == 1


def test_a_url_from_back_or_forward_brings_its_view_state_back(monkeypatch: pytest.MonkeyPatch,
                                                               workspace: Path) -> None:
    """A selection is written to the URL (a history entry); a later run arriving with an older URL (the
    browser's Back) shows the older selection, and with the newer one (Forward) the newer again — while a
    run with the URL the app wrote itself keeps what the widgets hold."""
    at = _app(monkeypatch, workspace, view="trace", trace=f"{DOC}:P5.2")
    assert at.query_params.get("trace") == f"{DOC}:P5.2"
    at.selectbox(key="tg_trace").set_value(f"{DOC}:M3").run()
    assert at.query_params.get("trace") == f"{DOC}:M3"
    at.run()  # the app's own URL: nothing changes
    assert at.selectbox(key="tg_trace").value == f"{DOC}:M3"
    at.query_params["trace"] = f"{DOC}:P5.2"  # Back
    at.run()
    assert at.selectbox(key="tg_trace").value == f"{DOC}:P5.2"
    assert at.query_params.get("trace") == f"{DOC}:P5.2"
    at.query_params["trace"] = f"{DOC}:M3"  # Forward
    at.run()
    assert at.selectbox(key="tg_trace").value == f"{DOC}:M3"


def test_init_session_resyncs_only_from_a_url_it_did_not_write() -> None:
    store: dict = {}
    vs.init_session(store, {"trace": "d:P1"})
    vs.publish({}, vs.read(store), store)
    store[vs.key("node")] = "d:M2"  # a widget changed it in this run; the URL is still the app's own
    vs.init_session(store, {"trace": "d:P1"})
    assert vs.read(store).node == "d:M2"
    vs.init_session(store, {"trace": "d:P3"})  # an older history entry
    st = vs.read(store)
    assert st.trace == "d:P3" and st.node == ""
