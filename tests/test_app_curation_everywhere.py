"""Curation everywhere (issue 13, item 6), through streamlit.testing on real documents: confirm, reject and
comment from the detail and 溯源 panels by the app's 校对人; a gap's candidate accepted with one click;
撤销 and 重做 in the app (and in the store, audited); 校对 following the sidebar document filter; the audit
log in Chinese with local time; 溯源 showing a rejected link as rejected and a curated one with its comment."""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from fixtures import run_app, sample_workspace, twin_copy
from streamlit.testing.v1 import AppTest

from tracegraph.graph.curation.workspace import Workspace
from tracegraph.graph.query.queries import trace
from tracegraph.ui import state as vs

DOC = "000_ddb002e987b04e7f"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ws-built")
    sample_workspace(ws)
    return ws


@pytest.fixture(scope="module")
def built_two(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample and a second document with inferred links of its own (the sample, written by another department)."""
    ws = tmp_path_factory.mktemp("ws-two")
    sample_workspace(ws, twin_copy(tmp_path_factory.mktemp("other"), "another-unit.txt"))
    return ws


@pytest.fixture()
def ws(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sample workspace for each test (decisions do not leak between tests)."""
    dst = tmp_path / "ws"
    shutil.copytree(built, dst)
    return dst


def _graph(ws: Path) -> Any:
    with Workspace(ws) as w:
        return w.current_graph()


def _app(monkeypatch: pytest.MonkeyPatch, ws: Path, user: str = "张三", **query: str) -> AppTest:
    return run_app(monkeypatch, ws, user=user, **query)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _click(at: AppTest, key: str) -> AppTest:
    next(b for b in at.button if b.key == key).click()
    return _run(at)


def _text(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "success", "error", "header", "subheader"):
        parts += [html.unescape(str(e.value)).replace("\u2060", "") for e in getattr(at, kind)]
    return "\n".join(parts)


def _decisions(ws: Path) -> list[Any]:
    with Workspace(ws) as w:
        return w.curation.decisions()


def _inferred_link(g: Any, etype: str, alone: bool = False) -> tuple[str, str]:
    """An inferred link of the sample document, for the panels to decide on (`alone`: its target's only
    link of that type)."""
    for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1])):
        if k == etype and d.get("origin") == "inferred" and g.nodes[u].get("doc") == DOC:
            if not alone or sum(1 for _, _, kk in g.in_edges(v, keys=True) if kk == etype) == 1:
                return u, v
    raise AssertionError(f"no inferred {etype} link in the sample")


def test_confirm_with_a_comment_from_the_detail_panel(monkeypatch: pytest.MonkeyPatch, ws: Path) -> None:
    g = _graph(ws)
    m, p = _inferred_link(g, "ADDRESSES")
    at = _app(monkeypatch, ws, view="graph", node=p)
    at.text_input(key=f"tg-cmt-dt-{p}").set_value("对照原文确认")
    _click(at, f"dt-{p}-{m}-ADDRESSES-ok")
    [d] = _decisions(ws)
    assert (d.op, d.source, d.target, d.etype) == ("confirm", m, p, "ADDRESSES")
    assert (d.user, d.comment) == ("张三", "对照原文确认")
    text = _text(at)
    assert "已确认" in text and "对照原文确认" in text  # the outcome and, on the link row, the comment
    assert not any(b.key == f"dt-{p}-{m}-ADDRESSES-ok" for b in at.button)  # curated: no second 确认
    _click(at, f"dt-{p}-{m}-ADDRESSES-no")
    assert [d.op for d in _decisions(ws)] == ["confirm", "reject"]


def test_reject_from_trace_shows_it_struck_through_and_restores(monkeypatch: pytest.MonkeyPatch, ws: Path) -> None:
    g = _graph(ws)
    c, p = _inferred_link(g, "EXPLAINS", alone=True)
    assert [r["id"] for r in trace(g, p)["causes"]] == [c]
    at = _app(monkeypatch, ws, view="trace", trace=p)
    at.text_input(key=f"tg-cmt-tr-{p}").set_value("不是这个原因")
    _click(at, f"tc-c-{c}-no")
    [d] = _decisions(ws)
    assert (d.op, d.source, d.target, d.user, d.comment) == ("reject", c, p, "张三", "不是这个原因")
    text = _text(at)
    assert "已否决" in text and "不是这个原因" in text
    assert "未分析原因" not in text  # a rejected cause is shown as rejected, not as a missing analysis
    struck = [m.value for m in at.markdown if "tg-rejected" in m.value]
    assert len(struck) == 1 and "<s>" in struck[0] and g.nodes[c]["title"][:8] in html.unescape(struck[0])
    _click(at, f"tc-c-{c}-{'back'}")
    assert [d.op for d in _decisions(ws)] == ["reject", "restore"]
    assert not [m for m in at.markdown if "tg-rejected" in m.value]


def test_a_gap_candidate_is_accepted_with_one_click(monkeypatch: pytest.MonkeyPatch, ws: Path) -> None:
    g = _graph(ws)
    gap = next(n for n, d in g.nodes(data=True) if (d.get("suggestions") or {}).get("ADDRESSES"))
    cand = g.nodes[gap]["suggestions"]["ADDRESSES"][0]["id"]
    at = _app(monkeypatch, ws, view="trace", trace=gap)
    assert "覆盖缺口" in _text(at)
    _click(at, f"sg-{gap}-{cand}-ADDRESSES")
    [d] = _decisions(ws)
    assert (d.op, d.source, d.target, d.etype, d.user, d.comment) == ("add", cand, gap, "ADDRESSES", "张三", "采纳候选")
    text = _text(at)
    assert "覆盖缺口" not in text and "整改措施（1）" in text
    note = [m.value for m in at.markdown if "tg-curated-note" in m.value]
    assert note and "采纳候选" in html.unescape(note[0]) and "张三" in note[0]  # curated, with its comment


def test_undo_then_redo_in_the_app(monkeypatch: pytest.MonkeyPatch, ws: Path) -> None:
    g = _graph(ws)
    c, p = _inferred_link(g, "EXPLAINS")
    at = _app(monkeypatch, ws, view="trace", trace=p)
    _click(at, f"tc-c-{c}-ok")
    assert [(d.op, d.user) for d in _decisions(ws)] == [("confirm", "张三")]
    _click(at, f"tr-msg-{p}-undo")  # the small 撤销 beside the outcome
    assert _decisions(ws) == [] and "已撤销" in _text(at)
    _click(at, f"tr-msg-{p}-redo")
    assert [(d.op, d.user) for d in _decisions(ws)] == [("confirm", "张三")]
    vs.Session(at.session_state).navigate("curation")
    _run(at)
    _click(at, "cu-undo")  # the 校对 page's own buttons
    assert _decisions(ws) == []
    _click(at, "cu-redo")
    assert [d.op for d in _decisions(ws)] == ["confirm"]
    _click(at, "cu-redo")
    assert "没有可重做的操作" in _text(at)
    with Workspace(ws) as w:
        assert [r["op"] for r in w.curation.log()] == ["confirm", "undo", "redo", "undo", "redo"]
        assert {r["user"] for r in w.curation.log()} == {"张三"}


def test_curation_follows_the_document_filter(monkeypatch: pytest.MonkeyPatch, built_two: Path) -> None:
    ws = built_two
    g = _graph(ws)
    docs = list(g.graph["documents"])
    assert len(docs) == 2
    at = _app(monkeypatch, ws, view="curation")

    def counts() -> dict[str, int]:
        label = next(str(t.label) for t in at.tabs if str(t.label).startswith("待校对"))
        return {"suggestions": int(label.split("（")[1].rstrip("）"))}

    total = counts()["suggestions"]
    per_doc = {}
    for doc in docs:
        vs.Session(at.session_state).set(doc=doc)
        _run(at)
        per_doc[doc] = counts()["suggestions"]
        oks = [b.key for b in at.button if b.key.startswith("tg_cur_ok|")]
        assert oks and all(k.split("|")[1].startswith(doc + ":") for k in oks)  # only this document's rows
    assert all(0 < n < total for n in per_doc.values()) and sum(per_doc.values()) == total


def test_the_audit_log_is_in_chinese_with_local_time(monkeypatch: pytest.MonkeyPatch, ws: Path) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        g = _graph(ws)
        m, p = _inferred_link(g, "ADDRESSES")
        with Workspace(ws, user="李四") as w:
            w.curation.confirm(g, m, p, "ADDRESSES", "核对")
            w.curation.undo()
            w.curation.redo()
            at_utc = w.curation.log()[0]["at"]
        at = _app(monkeypatch, ws, view="curation")
        df = next(d.value for d in at.dataframe if "操作" in d.value.columns)
        assert list(df["操作"]) == ["重做", "撤销", "确认"]  # newest first
        assert set(df["校对人"]) == {"李四"} and "时间(UTC)" not in df.columns
        from datetime import datetime, timedelta

        local = (datetime.fromisoformat(at_utc) + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
        assert df["时间"].iloc[-1] == local
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_redo_in_the_store_is_per_user_audited_and_ends_with_a_new_decision(ws: Path) -> None:
    g = _graph(ws)
    m, p = _inferred_link(g, "ADDRESSES")
    c, q = _inferred_link(g, "EXPLAINS")
    with Workspace(ws, user="甲") as a, Workspace(ws, user="乙") as b:
        assert a.curation.redo() is None  # nothing undone yet
        did = a.curation.reject(g, m, p, "ADDRESSES", "不对应")
        assert a.curation.undo().id == did
        assert b.curation.redo() is None  # 乙 redoes only 乙's undo
        d = a.curation.redo()
        assert d is not None and (d.id, d.op, d.undone) == (did, "reject", 0)
        assert [x.id for x in a.curation.decisions()] == [did]
        assert a.curation.redo() is None  # already in force
        a.curation.undo()
        a.curation.confirm(g, c, q, "EXPLAINS")  # a new decision ends the redo chain
        assert a.curation.redo() is None
        log = a.curation.log()
        assert [r["op"] for r in log] == ["reject", "undo", "redo", "undo", "confirm"]
        redo = log[2]
        assert (redo["user"], redo["decision_id"], redo["new_value"]) == ("甲", did, "已否决")
        assert redo["comment"].startswith(f"重做 #{did}（否决")
