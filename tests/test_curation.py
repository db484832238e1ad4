"""Curation survives rebuilds and re-imports: decisions follow the content, lost targets are listed as
orphans with their old text, undo is per user, policy references merge, the audit trail says who did
what. Everything runs on the real sample through a real workspace folder."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracegraph.errors import TracegraphError
from tracegraph.graph.curation.anchors import normalise_content
from tracegraph.graph.curation.apply import apply_curation
from tracegraph.graph.curation.rows import review_rows
from tracegraph.graph.curation.store import CurationStore
from tracegraph.graph.curation.workspace import Workspace
from tracegraph.graph.query.queries import active_links, trace

NAME = "对照检查材料.txt"
DOC = "对照检查材料"


def renumbered_and_edited(text: str) -> str:
    """The analyst's corrected copy: section （一）'s 一是/二是/三是 become 1./2./3. (the parser then reads
    （一） as one problem, so every later P-code shifts: P2.2 → P1.2 …), one sentence changes inside
    another item (P4.1's example), and P5.3's lead sentence is reworded."""
    lines = text.split("\n")
    assert lines[2].startswith("（一）")
    for a, b in (("。一是", "。1."), ("。二是", "。2."), ("。三是", "。3.")):
        assert a in lines[2]
        lines[2] = lines[2].replace(a, b, 1)
    out = "\n".join(lines)
    old_sentence = "去年8月，全县又重新排查出XX个软弱涣散基层党组织"
    old_lead = "三是在加强干部监督管理方面还不够严格。"
    assert old_sentence in out and old_lead in out
    out = out.replace(old_sentence, "去年8月，全县重新排查出XX个软弱涣散村级党组织")
    return out.replace(old_lead, "三是干部日常监督管理还不够严格规范。")


def without_problem_2_2(text: str) -> str:
    """The copy with P2.2 (扭住不放、狠抓落实的韧劲不足) deleted; its successor 三是 becomes 二是."""
    s, e = text.index("二是扭住不放"), text.index("三是在对“国之大者”")
    return text[:s] + "二是" + text[e + 2 :]


def node_by_title(g, prefix: str, typ: str = "Problem") -> str:
    hits = [n for n, d in g.nodes(data=True) if d.get("type") == typ and (d.get("title") or "").startswith(prefix)]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line, in its own process (as an analyst runs it)."""
    root = Path(__file__).resolve().parents[1]
    return subprocess.run(
        [sys.executable, "-m", "tracegraph.cli", *args], cwd=root, capture_output=True, text=True, timeout=120
    )


def short(n: str) -> str:
    return n.split(":", 1)[1]


@pytest.fixture
def ws(tmp_path: Path, sample_path: Path) -> Workspace:
    w = Workspace(tmp_path / "ws", user="alice")
    w.import_bytes(sample_path.read_bytes(), NAME)
    yield w
    w.close()


def _decide(ws: Workspace) -> None:
    g = ws.graph()
    st = ws.curation
    st.confirm(g, "M4", "P2.2", "ADDRESSES", "扭住不放对应推动工作落实")
    st.reject(g, "M1", "P2.3", "ADDRESSES", "政治站位与国之大者的认识偏差关系不大")
    st.add(g, "M2", "P4.1", "ADDRESSES", "党史学习对应政治理论学习")
    st.add(g, "C2", "P1.2", "EXPLAINS", "理论学习不实导致党史观教育不到位")
    st.confirm(g, "M3", "C5", "TREATS")
    st.edit_node(g, "P5.3", title="干部监督管理不严", comment="标题太长")


def test_decisions_survive_rebuild_and_reopen(ws: Workspace) -> None:
    _decide(ws)
    ws.close()
    for _ in range(2):  # a fresh process would do exactly this: new connections, no cache
        w = Workspace(ws.root, user="someone-else")
        g = w.build(use_cache=False).graph
        e = g.edges[f"{DOC}:M4", f"{DOC}:P2.2", "ADDRESSES"]
        assert e["origin"] == "curated" and e["previous_origin"] == "inferred"
        assert e["curated_by"] == "alice" and e["comment"] == "扭住不放对应推动工作落实"
        assert e["evidence"]["source_sentence"]["text"]  # the linker's evidence is kept
        rej = g.edges[f"{DOC}:M1", f"{DOC}:P2.3", "ADDRESSES"]
        assert rej["rejected"] is True and rej["rejected_by"] == "alice"
        links = {(u, v, d["type"]): d for u, v, d in active_links(g)}
        assert (f"{DOC}:M1", f"{DOC}:P2.3", "ADDRESSES") not in links
        added = links[(f"{DOC}:M2", f"{DOC}:P4.1", "ADDRESSES")]
        assert added["origin"] == "curated" and added["comment"] == "党史学习对应政治理论学习"
        assert links[(f"{DOC}:C2", f"{DOC}:P1.2", "EXPLAINS")]["origin"] == "curated"
        assert links[(f"{DOC}:M3", f"{DOC}:C5", "TREATS")]["origin"] == "curated"
        p53 = g.nodes[f"{DOC}:P5.3"]
        assert p53["title"] == "干部监督管理不严" and p53["orig_title"] == "在加强干部监督管理方面还不够严格"
        tr = trace(g, f"{DOC}:P2.3")
        assert "M1" not in [short(m["id"]) for m in tr["measures"]]
        tr = trace(g, f"{DOC}:P2.2")
        m4 = next(m for m in tr["measures"] if short(m["id"]) == "M4")
        assert m4["origin"] == "curated" and m4["comment"] == "扭住不放对应推动工作落实"
        w.close()


def test_decisions_follow_content_across_reimport_of_edited_copy(ws: Workspace, sample_path: Path) -> None:
    _decide(ws)
    before = ws.graph()
    assert before.nodes[f"{DOC}:P1.2"]["title"].startswith("教育引导干部树立正确的党史观")
    r = ws.import_bytes(renumbered_and_edited(sample_path.read_text(encoding="utf-8")).encode("utf-8"), NAME)
    assert (r.status, r.record.doc_id, r.record.version) == ("replaced", DOC, 2)
    b = ws.build()
    g, rep = b.graph, b.curation
    # positional ids moved: the problem formerly P2.2 is P1.2 now, and P1.2 no longer means 党史观
    p_tenacity = node_by_title(g, "扭住不放、狠抓落实的韧劲不足")
    p_vision = node_by_title(g, "在对“国之大者”的认识上有偏差")
    p_history = node_by_title(g, "对如何运用党史做好组织工作结合上还不够好")
    p_super = [n for n, d in g.nodes(data=True) if d.get("type") == "Problem" and "干部日常监督" in d["text"]]
    assert len(p_super) == 1
    p_super = p_super[0]
    assert (short(p_tenacity), short(p_vision), short(p_history)) == ("P1.2", "P1.3", "P3.1")
    assert "村级党组织" in g.nodes[p_history]["text"]  # the sentence that changed
    e = g.edges[f"{DOC}:M4", p_tenacity, "ADDRESSES"]
    assert e["origin"] == "curated" and e["comment"] == "扭住不放对应推动工作落实"
    assert (
        g.edges[f"{DOC}:M1", p_vision, "ADDRESSES"]["rejected"] is True
        if g.has_edge(f"{DOC}:M1", p_vision, "ADDRESSES")
        else (f"{DOC}:M1", p_vision, "ADDRESSES") in rep.rejected_absent
    )
    assert g.edges[f"{DOC}:M2", p_history, "ADDRESSES"]["origin"] == "curated"
    assert g.edges[f"{DOC}:M3", f"{DOC}:C5", "TREATS"]["origin"] == "curated"
    assert g.nodes[p_super]["title"] == "干部监督管理不严"  # found by text similarity (its title changed)
    how = {(m["old"].split(":")[1], m["how"]) for m in rep.moved}
    assert {("P2.2", "text"), ("P2.3", "text"), ("P5.3", "similar")} <= how
    assert ("P4.1", "title") in how or ("P4.1", "similar") in how
    # the decision on the old P1.2 (党史观) must not follow the position onto 扭住不放
    assert not (
        g.has_edge(f"{DOC}:C2", p_tenacity, "EXPLAINS")
        and g.edges[f"{DOC}:C2", p_tenacity, "EXPLAINS"]["origin"] == "curated"
    )
    placed = [v for u, v, d in active_links(g, ("EXPLAINS",)) if u == f"{DOC}:C2" and d["origin"] == "curated"]
    orphaned = [o for o in rep.orphans if o.op == "add" and o.etype == "EXPLAINS"]
    assert len(placed) + len(orphaned) == 1
    if placed:
        assert "教育引导干部树立正确的党史观" in g.nodes[placed[0]]["text"]
    else:
        assert orphaned[0].node == f"{DOC}:P1.2" and orphaned[0].text.startswith("二是教育引导干部树立正确的党史观")


def test_deleted_target_is_listed_as_orphan_with_old_text(ws: Workspace, sample_path: Path) -> None:
    _decide(ws)
    ws.import_bytes(without_problem_2_2(sample_path.read_text(encoding="utf-8")).encode("utf-8"), NAME)
    b = ws.build()
    g, rep = b.graph, b.curation
    assert not any((d.get("title") or "").startswith("扭住不放") for _, d in g.nodes(data=True))
    orphans = [o for o in rep.orphans if o.op == "confirm"]
    assert len(orphans) == 1
    o = orphans[0]
    assert (o.missing, o.node, o.etype, o.other, o.user) == ("target", f"{DOC}:P2.2", "ADDRESSES", f"{DOC}:M4", "alice")
    assert o.text.startswith("二是扭住不放、狠抓落实的韧劲不足。部领导班子及成员在面对重点领域改革任务时")
    assert o.comment == "扭住不放对应推动工作落实"
    # the id P2.2 now belongs to 国之大者: the orphaned confirmation must not land there, the rejection must
    p_vision = node_by_title(g, "在对“国之大者”的认识上有偏差")
    assert short(p_vision) == "P2.2"
    m4 = g.edges[f"{DOC}:M4", p_vision, "ADDRESSES"] if g.has_edge(f"{DOC}:M4", p_vision, "ADDRESSES") else {}
    assert m4.get("origin") != "curated"
    assert (f"{DOC}:M1", p_vision, "ADDRESSES") in rep.rejected + rep.rejected_absent
    # the other decisions are untouched
    assert g.nodes[f"{DOC}:P5.3"]["title"] == "干部监督管理不严"
    # listed by the CLI with the old text, then dismissed, then brought back by undo
    r = cli("curate", "list", "--orphans", "--workspace", str(ws.root), "--user", "alice")
    assert r.returncode == 0, r.stderr
    assert (
        "失联的校对记录（1）" in r.stdout
        and "二是扭住不放、狠抓落实的韧劲不足" in r.stdout
        and f"#{o.decision}" in r.stdout
    )
    r = cli("curate", "dismiss", str(o.decision), "--workspace", str(ws.root), "--user", "alice")
    assert r.returncode == 0, r.stderr
    assert not [x for x in review_rows(g, ws.curation)["orphans"] if x["op"] == "confirm"]
    assert ws.curation.undo().op == "dismiss"
    assert [x["decision"] for x in review_rows(g, ws.curation)["orphans"] if x["op"] == "confirm"] == [o.decision]


def test_undo_is_per_user_unless_everyone(tmp_path: Path, sample_graph, sample_doc_id) -> None:
    db = tmp_path / "c.sqlite"
    alice, bob = CurationStore(db, user="alice"), CurationStore(db, user="bob")
    d = sample_doc_id
    a1 = alice.confirm(sample_graph, "M4", "P2.2")
    b1 = bob.reject(sample_graph, "M1", "P2.3", comment="无关")
    a2 = alice.add(sample_graph, "M2", "P4.1", comment="党史")
    undone = bob.undo()
    assert (undone.id, undone.user, undone.op) == (b1, "bob", "reject")  # bob's, though alice wrote later
    assert bob.undo() is None
    assert alice.undo().id == a2
    assert alice.undo(everyone=True).id == a1
    assert alice.undo(everyone=True) is None
    g = sample_graph.copy()
    rep = apply_curation(g, alice)
    assert rep.confirmed == rep.added == rep.rejected == []
    assert g.edges[f"{d}:M4", f"{d}:P2.2", "ADDRESSES"]["origin"] == "inferred"
    assert not g.has_edge(f"{d}:M2", f"{d}:P4.1", "ADDRESSES")
    log = alice.log()
    assert [r["op"] for r in log] == ["confirm", "reject", "add", "undo", "undo", "undo"]
    undo_b = log[3]
    assert undo_b["user"] == "bob" and undo_b["decision_id"] == b1
    assert (undo_b["old_value"], undo_b["new_value"]) == (log[1]["new_value"], log[1]["old_value"])
    assert undo_b["comment"] == f"撤销 #{b1}（否决，bob）"
    # an undone decision is kept (audit), just not in force; redo is a new decision
    assert [x.id for x in alice.decisions(include_undone=True)] == [a1, b1, a2]
    alice.confirm(sample_graph, "M4", "P2.2")
    assert apply_curation(sample_graph.copy(), alice).confirmed == [(f"{d}:M4", f"{d}:P2.2", "ADDRESSES")]


def test_restore_brings_back_the_link_and_its_confirmation(tmp_path: Path, sample_graph, sample_doc_id) -> None:
    st = CurationStore(tmp_path / "c.sqlite", user="alice")
    d = sample_doc_id
    st.confirm(sample_graph, "M5", "P5.3", comment="监督")
    st.reject(sample_graph, "M5", "P5.3", comment="再想想")
    g = sample_graph.copy()
    apply_curation(g, st)
    e = g.edges[f"{d}:M5", f"{d}:P5.3", "ADDRESSES"]
    assert e["rejected"] is True and e["origin"] == "curated"
    assert [(r["source"]["id"], r["comment"]) for r in review_rows(g, st)["rejected"]] == [(f"{d}:M5", "再想想")]
    with pytest.raises(TracegraphError, match="没有被否决"):
        st.restore(sample_graph, "M4", "P2.2")
    st.restore(g, "M5", "P5.3")
    g = sample_graph.copy()
    apply_curation(g, st)
    e = g.edges[f"{d}:M5", f"{d}:P5.3", "ADDRESSES"]
    assert "rejected" not in e and e["origin"] == "curated" and e["comment"] == "监督"
    assert review_rows(g, st)["rejected"] == []


def test_merge_policy_refs(ws: Workspace) -> None:
    g = ws.graph()
    keep, drop = "policy:严、真、细、实、快", "policy:严真学细实快"
    citing_drop = {u for u, _, k in g.in_edges(drop, keys=True) if k == "CITES"}
    drop_mentions = [m for u in citing_drop for m in g.edges[u, drop, "CITES"]["mentions"]]
    assert citing_drop and drop_mentions
    did = ws.curation.merge_policy(g, "严、真、细、实、快", "严真学细实快", comment="同一提法的两种写法")
    for g2 in (ws.build(use_cache=False).graph, ws.graph()):
        assert drop not in g2
        k = g2.nodes[keep]
        assert "严真学细实快" in k["aliases"] and "“严真学细实快”" in k["aliases"]  # its name and its surface
        assert k["merged_from"] == [drop] and k["curation"]["merge"]["decision"] == did
        for u in citing_drop:
            assert all(m in g2.edges[u, keep, "CITES"]["mentions"] for m in drop_mentions)
        cited_by = {r["id"] for r in trace(g2, keep)["cited_by"]}
        assert citing_drop <= cited_by
    assert ws.curation.undo().id == did
    g3 = ws.graph()
    assert drop in g3 and "严真学细实快" not in g3.nodes[keep]["aliases"]
    with pytest.raises(TracegraphError, match="不是政策依据"):
        ws.curation.merge_policy(g3, keep, f"{DOC}:P1.1")
    with pytest.raises(TracegraphError, match="自身"):
        ws.curation.merge_policy(g3, keep, keep)


def test_audit_trail_content(ws: Workspace) -> None:
    _decide(ws)
    log = ws.curation.log()
    assert [r["op"] for r in log] == ["confirm", "reject", "add", "add", "confirm", "edit"]
    assert [r["id"] for r in log] == sorted({r["id"] for r in log})
    stamps = [datetime.fromisoformat(r["at"]) for r in log]
    assert all(t.tzinfo is not None and t.utcoffset() == UTC.utcoffset(None) for t in stamps)
    assert stamps == sorted(stamps)
    first = log[0]
    assert first["user"] == "alice"
    assert first["target"] == f"{DOC}:M4 -ADDRESSES-> {DOC}:P2.2"
    assert re.fullmatch(r"推断 0\.\d\d", first["old_value"]) and first["new_value"] == "已确认"
    assert first["comment"] == "扭住不放对应推动工作落实"
    assert (log[2]["old_value"], log[2]["new_value"]) == ("无", "人工添加")
    edit = log[-1]
    assert edit["target"] == f"{DOC}:P5.3.title" and edit["comment"] == "标题太长"
    assert (edit["old_value"], edit["new_value"]) == ("在加强干部监督管理方面还不够严格", "干部监督管理不严")
    assert all(r["decision_id"] for r in log) and all(r["pid"] for r in log)
    # the same trail through the CLI
    r = cli("curate", "log", "--workspace", str(ws.root), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == log


def test_cli_round_trip(ws: Workspace) -> None:
    w = ["--workspace", str(ws.root), "--user", "钱"]
    r = cli("curate", "confirm", "M4", "P2.2", "--comment", "对", *w)
    assert r.returncode == 0 and "已确认 #1" in r.stdout, r.stderr
    r = cli("curate", "reject", "M1", "P2.3", *w)
    assert r.returncode == 0, r.stderr
    r = cli("curate", "add", "M2", "P4.1", *w)  # the comment is required
    assert r.returncode == 2 and "--comment" in r.stderr
    r = cli("curate", "edit-node", "P5.3", "--type", "Cause", *w)
    assert r.returncode == 0, r.stderr
    r = cli("curate", "list", "--rejected", *w)
    assert "已否决的关系（1）" in r.stdout and "M1 -ADDRESSES-> P2.3" in r.stdout
    r = cli("curate", "list", *w)
    assert "M4 -ADDRESSES-> P2.2" in r.stdout and "P5.3.type = Cause" in r.stdout
    r = cli("curate", "log", *w)
    assert "钱 confirm" in r.stdout and "→ 已确认" in r.stdout and "备注：对" in r.stdout
    r = cli("curate", "undo", *w)
    assert r.returncode == 0 and "已撤销 #3" in r.stdout
    r = cli("curate", "confirm", "M9", "P2.2", *w)
    assert r.returncode == 4 and r.stderr.strip() == "错误（找不到）：找不到节点“M9”"
    out = ws.root / "out.json"
    r = cli("curate", "build", "--out", str(out), *w)
    assert r.returncode == 0 and "人工确认 1" in r.stdout and "否决 1" in r.stdout, r.stdout + r.stderr
    from tracegraph.graph.model.io import read_json

    g = read_json(out)
    assert g.edges[f"{DOC}:M4", f"{DOC}:P2.2", "ADDRESSES"]["origin"] == "curated"
    assert g.nodes[f"{DOC}:P5.3"]["type"] == "Problem"  # the type edit was undone


def test_hostile_and_wrong_input_changes_nothing(ws: Workspace, sample_path: Path) -> None:
    g = ws.graph()
    st = ws.curation
    bad = [
        (lambda: st.confirm(g, "M99", "P2.2"), "找不到节点"),
        (lambda: st.confirm(g, "P2.2", "M4"), "只能从"),
        (lambda: st.confirm(g, "M4", "P2.2", "LIKES"), "关系类型"),
        (lambda: st.confirm(g, "M2", "P4.1"), "没有 .* 这条关系"),
        (lambda: st.add(g, "M2", "P4.1", comment="  \x00\x07 "), "备注不能为空"),
        (lambda: st.add(g, "M2", "P4.1", comment="长" * 5000), "备注过长"),
        (lambda: st.edit_node(g, "P1.1", type="Policy"), "类型只能"),
        (lambda: st.edit_node(g, "P1.1"), "标题"),
        (lambda: st.edit_node(g, "P1.1", title="\n\t"), "标题不能为空"),
        (lambda: st.restore(g, "M4", "P2.2"), "没有被否决"),
        (lambda: st.dismiss(12345), "没有编号"),
    ]
    for fn, pattern in bad:
        with pytest.raises(TracegraphError, match=pattern):
            fn()
    assert st.log() == [] and st.decisions(include_undone=True) == []
    # a second document makes short ids ambiguous
    ws.import_bytes(sample_path.read_bytes() + "\n补充说明。".encode(), "第二份.txt")
    g2 = ws.graph()
    with pytest.raises(TracegraphError, match="不唯一"):
        st.confirm(g2, "M4", "P2.2")
    r = cli("curate", "confirm", "M4", "P2.2", "--workspace", str(ws.root))
    assert r.returncode == 4 and "不唯一" in r.stderr
    # control characters are stripped, SQL-looking text is just text
    did = st.confirm(g2, f"{DOC}:M4", f"{DOC}:P2.2", comment="ok'); DROP TABLE audit;--\x1b[31m")
    assert st.log()[-1]["comment"] == "ok'); DROP TABLE audit;--[31m" and st.decisions()[-1].id == did


def test_damaged_or_foreign_store_file_is_refused_untouched(tmp_path: Path) -> None:
    junk = tmp_path / "curation.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(TracegraphError, match="损坏"):
        CurationStore(junk)
    assert junk.read_bytes() == b"this is not a database" * 100
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('schema', 'someone-else/9')")
    con.commit()
    con.close()
    with pytest.raises(TracegraphError, match="不是本版本"):
        CurationStore(other)


def test_damaged_anchor_is_an_orphan_not_a_crash(tmp_path: Path, sample_graph) -> None:
    st = CurationStore(tmp_path / "c.sqlite", user="alice")
    st.confirm(sample_graph, "M4", "P2.2")
    con = sqlite3.connect(tmp_path / "c.sqlite")
    con.execute("UPDATE decisions SET target_anchor = '{broken'")
    con.commit()
    con.close()
    rep = apply_curation(sample_graph.copy(), st)
    assert rep.confirmed == [] and len(rep.orphans) == 1 and rep.orphans[0].text == "（锚点记录已损坏）"


def test_normalised_content_ignores_numbering_style() -> None:
    a = normalise_content("二是扭住不放、狠抓落实的韧劲不足。")
    assert (
        a
        == normalise_content("2.扭住不放、狠抓落实的韧劲不足")
        == normalise_content("（二）扭住不放、狠抓落实的韧劲不足；")
    )
    assert a == "扭住不放、狠抓落实的韧劲不足"
    assert normalise_content("2024年工作") == "2024年工作"


def test_curation_view_buttons_write_to_the_store(ws: Workspace) -> None:
    from streamlit.testing.v1 import AppTest

    def app(root: str) -> None:
        from tracegraph.graph.curation.workspace import Workspace
        from tracegraph.ui.views.curation import render_curation_view

        w = Workspace(root, user="view-user")
        render_curation_view(w.graph(), w)

    at = AppTest.from_function(app, args=(str(ws.root),), default_timeout=60)
    at.run()
    assert not at.exception
    labels = [t.label for t in at.tabs]
    n = int(re.search(r"\d+", labels[0]).group())
    assert labels[0].startswith("待校对") and n > 20
    at.button(key=next(b.key for b in at.button if b.label == "确认")).click().run()
    assert not at.exception and at.success[0].value.startswith("已确认")
    at.button(key=next(b.key for b in at.button if b.label == "否决")).click().run()
    assert [t.label for t in at.tabs][:3] == [f"待校对（{n - 2}）", "已确认（1）", "已否决（1）"]
    at.button(key=next(b.key for b in at.button if b.label == "恢复")).click().run()
    assert [t.label for t in at.tabs][:3] == [f"待校对（{n - 1}）", "已确认（1）", "已否决（0）"]
    at.text_area[0].input("手工补充的关系")  # inside a form: sent with the submit below
    at.button(key=next(b.key for b in at.button if b.label == "添加")).click().run()
    assert not at.exception and at.success[0].value.startswith("已添加")
    assert [t.label for t in at.tabs][1] == "已确认（2）"
    assert [r["op"] for r in ws.curation.log()] == ["confirm", "reject", "restore", "add"]
    assert {r["user"] for r in ws.curation.log()} == {"view-user"}
    assert ws.curation.log()[-1]["comment"] == "手工补充的关系"


def test_store_is_usable_from_other_threads(tmp_path: Path, sample_graph) -> None:
    """Streamlit runs every rerun and its button callbacks on a fresh thread: a store opened in one run
    is used in the next."""
    import threading

    st = CurationStore(tmp_path / "c.sqlite", user="alice")
    results: list[object] = []

    def work(k: int) -> None:
        try:
            results.append(st.confirm(sample_graph, "M4", "P2.2", comment=f"t{k}"))
        except BaseException as exc:  # collected and asserted below
            results.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 9))  # type: ignore[type-var]
    assert sorted(r["comment"] for r in st.log()) == [f"t{k}" for k in range(8)]


def test_strip_curation_gives_back_the_graph_as_built(tmp_path: Path, sample_graph, sample_doc_id) -> None:
    """A graph pushed with decisions already in it: stripping them gives back the build exactly, so the team's
    log can be applied afresh (and an undone decision disappears)."""
    from tracegraph.graph.curation.apply import strip_curation
    from tracegraph.graph.model.io import to_dict

    d = sample_doc_id
    st = CurationStore(tmp_path / "c.sqlite", user="alice")
    st.confirm(sample_graph, "M4", "P2.2", comment="对应")
    st.reject(sample_graph, "M1", "P2.3", comment="无关")
    st.reject(sample_graph, "M5", "P5.3", comment="再看")
    st.add(sample_graph, "M2", "P4.1", comment="党史学习")
    st.edit_node(sample_graph, "P1.1", title="改过的标题", type="Cause", comment="读错了")
    g = sample_graph.copy()
    rep = apply_curation(g, st)
    assert len(rep.confirmed) == len(rep.added) == 1 and len(rep.rejected) == 2 and len(rep.edited) == 2
    before = to_dict(sample_graph)
    assert to_dict(g) != before
    assert strip_curation(g) == 1 + 1 + 2 + 1  # confirmed, added (the edge goes), two rejections, one node
    after = to_dict(g)
    assert after["nodes"] == before["nodes"]
    key = lambda e: (e["source"], e["target"], e["type"])  # noqa: E731
    assert sorted(after["edges"], key=key) == sorted(before["edges"], key=key)
    assert g.nodes[f"{d}:P1.1"]["type"] == sample_graph.nodes[f"{d}:P1.1"]["type"]
    # the log applied again gives the same curated graph as the first time
    again = g.copy()
    apply_curation(again, st)
    first = sample_graph.copy()
    apply_curation(first, st)
    assert to_dict(again) == to_dict(first)
