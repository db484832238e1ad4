"""Never an ambiguous id (issue 13, item 4): with several documents in a workspace every id the app, the CLI and
the exports show carries its document. The workspace here holds the sample and a copy of it under another name
and organisation — the same codes and the same titles — which is exactly where a Streamlit selectbox that selects
by label used to switch a click on one document's P1.2 to the other's."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fixtures import run_app, sample_workspace, twin_copy
from streamlit.testing.v1 import AppTest

from tracegraph.graph.curation.workspace import Workspace
from tracegraph.graph.model.io import write_json
from tracegraph.graph.query.naming import doc_tags, shown_id
from tracegraph.ui import state as vs
from tracegraph.ui.views.common import name

DOC = "000_ddb002e987b04e7f"
COPY = "copy-of-sample"
A, B = f"{DOC}:P1.2", f"{COPY}:P1.2"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ws-twins")
    sample_workspace(ws, twin_copy(tmp_path_factory.mktemp("twin"), f"{COPY}.txt"))
    return ws


@pytest.fixture()
def ws(built: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "ws"
    shutil.copytree(built, dst)
    return dst


def _graph(ws: Path) -> Any:
    with Workspace(ws) as w:
        return w.current_graph()


def _app(monkeypatch: pytest.MonkeyPatch, ws: Path, **query: str) -> AppTest:
    return run_app(monkeypatch, ws, user="张三", **query)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "success", "error", "header", "subheader"):
        parts += [html.unescape(str(e.value)).replace("\u2060", "") for e in getattr(at, kind)]
    return "\n".join(parts)


def test_twins_share_codes_and_titles_but_not_their_names(built: Path) -> None:
    g = _graph(built)
    assert g.nodes[A]["title"] == g.nodes[B]["title"]
    tags = doc_tags(g)
    assert tags == {DOC: "县委组织部领导班…", COPY: "市委宣传部领导班…"}
    assert shown_id(g, A) == "〔县委组织部领导班…〕P1.2" and shown_id(g, B) == "〔市委宣传部领导班…〕P1.2"
    assert name(g, A, with_type=True) != name(g, B, with_type=True)
    # every traceable item of the two documents has a label of its own
    items = [n for n, d in g.nodes(data=True) if d.get("type") in ("Problem", "Measure", "Cause", "Action")]
    assert len({name(g, n, with_type=True) for n in items}) == len(items)


def test_one_document_keeps_short_ids(sample_graph: Any, sample_doc_id: str) -> None:
    assert doc_tags(sample_graph) == {}
    assert shown_id(sample_graph, f"{sample_doc_id}:P1.2") == "P1.2"


def test_same_labels_get_the_document_id() -> None:
    import networkx as nx

    g = nx.MultiDiGraph()
    same = {"title": "同一个标题的材料"}
    g.graph["documents"] = {"a": same, "b": dict(same), "c": {"title": "另一份"}}
    g.add_node("a:P1", doc="a", type="Problem")
    g.add_node("b:P1", doc="b", type="Problem")
    assert doc_tags(g) == {"a": "同一个标题的材料（a）", "b": "同一个标题的材料（b）", "c": "另一份"}
    assert shown_id(g, "a:P1") != shown_id(g, "b:P1")


def test_trace_picker_keeps_the_document_chosen(monkeypatch: pytest.MonkeyPatch, ws: Path) -> None:
    at = _app(monkeypatch, ws, view="trace")
    # choosing one document's P1.2 keeps that one (a selectbox selecting by label switched to the first twin)
    for node, tag in ((B, "市委宣传部领导班…"), (A, "县委组织部领导班…"), (B, "市委宣传部领导班…")):
        at.selectbox(key=vs.key("trace")).set_value(node)
        _run(at)
        assert at.selectbox(key=vs.key("trace")).value == node
        assert at.query_params["trace"] == node
        assert f"〔{tag}〕P1.2" in "\n".join(html.unescape(str(s.value)) for s in at.subheader)
    sb = at.selectbox(key=vs.key("trace"))
    labels = [o for o in sb.options if "P1.2 " in o]
    assert len(labels) == 2 and len(set(labels)) == 2, labels
    assert any("〔县委组织部领导班…〕P1.2" in o for o in labels)
    assert any("〔市委宣传部领导班…〕P1.2" in o for o in labels)
    assert len(set(sb.options)) == len(sb.options)  # no two options read alike


def test_curation_add_form_adds_the_link_between_the_items_chosen(monkeypatch: pytest.MonkeyPatch, ws: Path) -> None:
    g = _graph(ws)
    at = _app(monkeypatch, ws, view="curation")
    src = next(s for s in at.selectbox if s.label == "起点")
    tgt = next(s for s in at.selectbox if s.label == "终点")
    assert len(set(src.options)) == len(src.options) and len(set(tgt.options)) == len(tgt.options)
    twins = [o for o in tgt.options if "P1.2 " in o]
    assert len(twins) == 2 and twins[0] != twins[1]
    measure = next(n for n in src.options if "〔市委宣传部领导班…〕M" in n)
    m = next(n for n in g if n.startswith(f"{COPY}:M") and name(g, n, with_type=True) == measure)
    src.set_value(m)
    tgt.set_value(B)
    next(t for t in at.text_area if t.label.startswith("备注")).set_value("两份材料编号相同，按所选文档建立")
    next(b for b in at.button if b.label == "添加").click()
    _run(at)
    added = [d for d in Workspace(ws).curation.decisions() if d.op == "add"]
    assert [(d.source, d.target) for d in added] == [(m, B)]
    assert "〔市委宣传部领导班…〕P1.2" in _text(at)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "tracegraph.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_names_the_document_with_each_id(built: Path, tmp_path: Path) -> None:
    graph = tmp_path / "graph.json"
    write_json(_graph(built), graph)
    amb = _cli("trace", "P1.2", "--graph", str(graph))
    assert amb.returncode == 4 and "不唯一" in amb.stderr, (amb.returncode, amb.stderr)
    ours, theirs = "县委组织部领导班…", "市委宣传部领导班…"
    for node, tag, other in ((A, ours, theirs), (B, theirs, ours)):
        out = _cli("trace", node, "--graph", str(graph))
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert lines[0].startswith(f"〔{tag}〕P1.2（{node}）")
        listed = [ln for ln in lines if ln.lstrip().startswith("- ") and not ln.lstrip().startswith("- policy")]
        assert listed and all(f"〔{tag}〕" in ln for ln in listed if "〔" in ln), listed
        assert all(f"〔{other}〕" not in ln for ln in lines)
        assert any(ln.startswith(f"〔{tag}〕＝ 文档 {node.split(':')[0]}") for ln in lines)  # the legend
    gaps = _cli("gaps", "--graph", str(graph)).stdout
    items = [ln for ln in gaps.splitlines() if ln.startswith("    - ")]
    assert items and all(ln.startswith("    - 〔") for ln in items)
    ask = _cli("ask", "P1.2 有哪些整改措施", "--graph", str(graph)).stdout
    assert all("〔" in ln for ln in ask.splitlines() if ln.startswith("  识别到：") or ln.startswith("  - "))
    mx = _cli("matrix", "--doc", COPY, "--graph", str(graph)).stdout
    assert mx.splitlines()[0] == f"文档：〔市委宣传部领导班…〕 {COPY}"
    assert "〔市委宣传部领导班…〕P1.2" in mx
    js = json.loads(_cli("trace", B, "--graph", str(graph), "--json").stdout)
    assert js["node"]["id"] == B  # JSON keeps the ids as they are


def test_markdown_and_csv_exports_name_the_document(built: Path, tmp_path: Path) -> None:
    import csv
    import io
    import zipfile

    graph = tmp_path / "graph.json"
    write_json(_graph(built), graph)
    md_out, csv_out = tmp_path / "b.md", tmp_path / "t.zip"
    for fmt, out in (("md", md_out), ("csv", csv_out)):
        r = _cli("export", "--graph", str(graph), "--format", fmt, "--out", str(out))
        assert r.returncode == 0, r.stderr
    text = md_out.read_text(encoding="utf-8")
    assert "**〔县委组织部领导班…〕P1.2 " in text and "**〔市委宣传部领导班…〕P1.2 " in text
    with zipfile.ZipFile(csv_out) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("nodes.csv").decode("utf-8-sig"))))
    by_id = {r["id"]: r for r in rows}
    assert by_id[A]["doc_title"].startswith("县委组织部") and by_id[B]["doc_title"].startswith("市委宣传部")
