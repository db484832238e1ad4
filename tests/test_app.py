"""Each page of the Streamlit app on the sample document, through streamlit.testing (no browser):
real content — counts, the matrix, a trace with its evidence, an answer — the URL state and the page
switching. AppTest has no address bar: a test opens a page with an old-style link (``?view=trace``, which
the app still honours) or through the session, as the app's own buttons do; test_browser.py opens each
page by its URL path."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import html_tables, plain, run_app, sample_workspace
from streamlit.testing.v1 import AppTest

from tracegraph.graph.curation.workspace import Workspace
from tracegraph.ui import state as vs

ROOT = Path(__file__).resolve().parents[1]
DOC = "000_ddb002e987b04e7f"


@pytest.fixture(scope="module")
def graph(workspace: Path):  # type: ignore[no-untyped-def]
    """The workspace graph, to derive the link-dependent expectations (the linker is tuned over time)."""
    from tracegraph.graph.model.io import read_json

    return read_json(workspace / "build" / "graph.json")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ws")
    sample_workspace(ws)
    return ws


_app = run_app
_plain = plain


def _text(at: AppTest) -> str:
    """Everything the page says (markdown, captions, alerts, headers)."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "success", "error", "header", "subheader"):
        parts += [_plain(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def _button(at: AppTest, key: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.key == key)


def _headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def _goto(at: AppTest, view: str) -> AppTest:
    """Switch page the way the app's buttons do (the frame switches on the next run)."""
    vs.Session(at.session_state).navigate(view)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_overview_counts_coverage_and_policies(monkeypatch: pytest.MonkeyPatch, workspace: Path, graph) -> None:
    from tracegraph.graph.query.queries import gaps

    missing = gaps(graph)["problems_without_measures"]
    at = _app(monkeypatch, workspace)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["问题"] == "17"  # 19 Problem nodes minus 2 negative findings
    assert metrics["原因"] == "6" and metrics["整改措施"] == "5" and metrics["具体举措"] == "13"
    assert metrics["文档"] == "1"
    text = _text(at)
    assert "另有 2 项“未发现问题”" in text
    assert f"{17 - len(missing)} / 17" in text
    assert all(r["title"] in text for r in missing)  # the problems without measures are listed
    docs = html_tables(at)[0]
    assert [_plain(d) for d in docs["文档"]] == [DOC] and int(docs["问题"].iloc[0]) == 17
    reading = html_tables(at)[1]  # 读取概况
    assert _plain(next(iter(reading["落在条目中"]))).endswith("%") and list(reading["警告"]) == ["无"]
    policies = html_tables(at)[2]
    assert policies["政策依据"].iloc[0] == "习近平新时代中国特色社会主义思想"
    assert len(policies) == 10 and list(policies["提及次数"]) == sorted(policies["提及次数"], reverse=True)
    assert set(policies["类别"]) <= {"会议", "文件", "理论", "提法", "专项活动", "地方口号"}
    assert {"txt", "md", "docx", "pdf"} <= {t.lstrip(".") for t in at.file_uploader[0].allowed_type}
    assert all(t.startswith(".") for t in at.file_uploader[0].allowed_type)  # extensions, not "text/*"


def test_overview_gap_button_opens_its_trace(monkeypatch: pytest.MonkeyPatch, workspace: Path, graph) -> None:
    from tracegraph.graph.query.queries import gaps

    missing = gaps(graph)["problems_without_measures"]
    if not missing:
        pytest.skip("the linker now finds a measure for every problem of the sample")
    gap = missing[0]["id"]
    at = _app(monkeypatch, workspace)
    _button(at, f"ov-gap-{gap}").click().run()
    assert _headers(at) == ["溯源"]  # the 溯源 page, its path carries the page: no ?view= any more
    assert at.query_params["trace"] == gap and "view" not in at.query_params
    text = _text(at)
    assert graph.nodes[gap]["title"] in text
    assert "覆盖缺口：这个问题没有对应的整改措施" in text
    candidates = graph.nodes[gap].get("suggestions", {}).get("ADDRESSES", [])
    assert candidates and all(c["title"] in text for c in candidates)  # shown as candidates, not links


def test_trace_problem_shows_measures_with_evidence(monkeypatch: pytest.MonkeyPatch, workspace: Path, graph) -> None:
    from tracegraph.graph.query.queries import trace

    measures = trace(graph, f"{DOC}:P5.2")["measures"]
    at = _app(monkeypatch, workspace, view="trace", trace=f"{DOC}:P5.2")
    text = _text(at)
    assert "还存在“两个责任”履行不够到位的问题" in text
    assert f"整改措施（{len(measures)}）" in text
    m5 = next(m.value for m in at.markdown if "加强自身建设，提升能力水平" in m.value)
    assert "三会一课" in m5 and "推断" in m5  # its evidence sentence and origin
    assert "政治建设不够有力" in text  # the cause
    assert "两个责任" in text and "全面从严治党" in text  # policy references
    assert at.selectbox(key="tg_trace").value == f"{DOC}:P5.2"


def test_trace_reverse_from_a_measure(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    at = _app(monkeypatch, workspace, view="trace")
    at.selectbox(key="tg_trace").set_value(f"{DOC}:M3").run()
    text = _text(at)
    assert "针对的问题（" in text
    assert "回应群众需求不及时" in text
    assert at.query_params["trace"] == f"{DOC}:M3"
    # jump from a listed problem to its own trace
    _button(at, f"tr-p-{DOC}:P3.1").click().run()
    assert at.selectbox(key="tg_trace").value == f"{DOC}:P3.1"
    assert "强化宗旨观念，体现激励关爱" in _text(at)


def test_matrix_measures_by_problems_with_cell_evidence_and_gaps(
    monkeypatch: pytest.MonkeyPatch, workspace: Path, graph
) -> None:
    from tracegraph.graph.query.queries import gaps, matrix

    cells = matrix(graph)["cells"]
    missing = gaps(graph)["problems_without_measures"]
    at = _app(monkeypatch, workspace, view="matrix")
    df = at.dataframe[0].value
    assert list(df.columns) == ["M1", "M2", "M3", "M4", "M5"]
    assert len(df) == 17
    assert "P3.1 回应群众需求不及时" in df.index
    m3p31 = cells[f"{DOC}:M3|{DOC}:P3.1"]
    assert df.loc["P3.1 回应群众需求不及时", "M3"] == f"{m3p31['score']:.2f} 推断"
    filled = sum(1 for row in df.itertuples(index=False) for v in row if v)
    assert filled == len(cells)
    for r in missing:
        assert df.loc[f"{r['id'].split(':')[1]} {r['title']}"].tolist() == [""] * 5
    assert df.loc["P5.2 还存在“两个责任”履行不够到位的问题", "M5"].endswith("推断")
    at.selectbox(key="tg_cell").set_value(f"{DOC}:M5|{DOC}:P5.2").run()
    assert any("三会一课" in m.value and "<mark>" in m.value for m in at.markdown)
    assert at.query_params["cell"] == f"{DOC}:M5|{DOC}:P5.2"
    text = _text(at)
    assert f"没有整改措施的问题（{len(missing)}）" in text and "“未发现问题”的说明（不计入问题）（2）" in text
    assert "未发现违规发放公务员工资、津贴、补贴的情况" in text


def test_ask_answers_with_ranked_results(monkeypatch: pytest.MonkeyPatch, workspace: Path, graph) -> None:
    from tracegraph.graph.query.queries import gaps

    at = _app(monkeypatch, workspace, view="ask")
    at.text_input(key="tg_ask").set_value("第三条整改措施解决了哪些问题").run()
    assert "回应群众需求不及时" in at.success[0].value
    assert "强化宗旨观念，体现激励关爱" in _text(at)  # the measure it recognised
    results = [_plain(m.value) for m in at.markdown if 'class="tg-badge"' in m.value]
    assert "回应群众需求不及时" in results[0] and "得分 0." in results[0]
    assert at.query_params["ask"] == "第三条整改措施解决了哪些问题"
    # the example buttons fill in the question
    _button(at, "ask-ex-3").click().run()
    assert at.text_input(key="tg_ask").value == "哪些问题没有整改措施"
    missing = gaps(graph)["problems_without_measures"]
    if missing:
        assert f"共有 {len(missing)} 个问题没有对应的整改措施" in at.success[0].value
    else:
        assert "每个问题都有对应的整改措施" in at.warning[0].value


def _scene(at: AppTest) -> list[str]:
    """The explorer's scene (node ids) as the session holds it."""
    return list(at.session_state["_tg_explorer_state"].nodes)


def test_graph_view_detail_panel_and_search(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    at = _app(monkeypatch, workspace, view="graph", node=f"{DOC}:P5.2")
    scene = _scene(at)
    # the node, its measure M5 (the 三会一课/一岗双责 link) and its cause, around it in the explorer
    assert scene[0] == f"{DOC}:P5.2" and f"{DOC}:M5" in scene and len(scene) >= 4
    text = _text(at)
    assert "节点详情" in text and "还存在“两个责任”履行不够到位的问题" in text
    source = next(m.value for m in at.markdown if 'class="tg-source"' in m.value)
    assert "<mark>二是<b>还存在“两个责任”履行不够到位的问题</b>" in source
    assert f"展开 1 个节点：新增 {len(scene) - 1} 个相邻节点" == at.session_state["_tg_explorer_state"].message
    # links with scores and evidence
    assert any("加强自身建设，提升能力水平" in m.value and "三会一课" in m.value for m in at.markdown)

    at.query_params["q"] = "软弱涣散"
    at.run()
    assert "对如何运用党史做好组织工作结合上还不够好" in _text(at)
    _button(at, f"sr-focus-{DOC}:P4.1").click().run()
    assert at.query_params["focus"] == f"{DOC}:P4.1"
    assert f"{DOC}:P4.1" in _scene(at)


def test_graph_starts_a_newcomer_on_the_documents_problems(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    at = _app(monkeypatch, workspace, view="graph")
    scene = _scene(at)
    problems = [n for n in scene if n.split(":", 1)[1].startswith("P")]
    assert len(problems) == 12 and f"{DOC}:M5" in scene
    assert at.session_state["_tg_explorer_state"].message.startswith("起始场景：本文档前 12 个问题")


def test_graph_scene_saved_in_the_workspace_reopens_from_the_url(
    monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    with Workspace(workspace, user="甲") as ws:
        from tracegraph.graph.curation.scenes import Scene

        ws.scenes.save(Scene("两个责任的来龙去脉", [f"{DOC}:P5.2", f"{DOC}:M5", f"{DOC}:gone"],
                             {f"{DOC}:P5.2": (10.0, 20.0)}, pinned=[f"{DOC}:M5"], style="document"))
    at = _app(monkeypatch, workspace, view="graph", scene="两个责任的来龙去脉")
    xs = at.session_state["_tg_explorer_state"]
    assert xs.nodes == [f"{DOC}:P5.2", f"{DOC}:M5"] and xs.pinned == [f"{DOC}:M5"] and xs.style == "document"
    assert xs.positions == {f"{DOC}:P5.2": (10.0, 20.0)}
    assert xs.message == "已打开场景“两个责任的来龙去脉”（2 个节点）；1 个节点在当前图谱中已不存在"
    assert at.selectbox(key="tg-scene-pick").value == "两个责任的来龙去脉"
    scope = [_plain(c.value) for c in at.caption if c.value.startswith("导出范围")]
    assert scope == ["导出范围：场景“两个责任的来龙去脉”的 2 个节点及其之间的关系"]


def test_bad_url_still_opens(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    at = _app(monkeypatch, workspace, view="graph", node="nope", area="nope", types="Bogus", hops="x")
    assert _headers(at) == ["图谱"] and "起始场景" in at.session_state["_tg_explorer_state"].message
    at = _app(monkeypatch, workspace, view="trace", trace="<script>")
    assert at.selectbox(key="tg_trace").value == ""


def test_empty_workspace_offers_upload_and_upload_builds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _app(monkeypatch, tmp_path)
    assert "工作区还没有文档" in _text(at)
    sample = (ROOT / "data" / f"{DOC}.txt").read_bytes()
    at.file_uploader[0].set_value(
        [("对照检查材料.txt", sample, "text/plain"), ("坏文件.docx", b"nope", "application/zip")]
    )
    at.run()
    _button(at, "upload_go").click().run()
    assert not at.exception
    assert any("对照检查材料.txt：已加入" in _plain(s.value) for s in at.success)
    assert any("坏文件.docx：" in _plain(e.value) and "不是有效的 .docx" in _plain(e.value) for e in at.error)
    assert {m.label: m.value for m in at.metric}["问题"] == "17"
    assert (tmp_path / "build" / "graph.json").exists()


HEADINGS = {"overview": "总览", "graph": "图谱", "map": "全图", "trace": "溯源", "matrix": "矩阵", "ask": "问答",
            "corpus": "语料分析", "curation": "校对", "review": "评估"}


def test_every_page_is_registered_with_its_chinese_title_and_url_path() -> None:
    """One page per view module, all always there, titled as before, at /<view>."""
    from tracegraph.ui.shell import RENDER

    assert list(RENDER) == list(vs.VIEWS) == list(HEADINGS)
    assert [vs.VIEW_LABELS_ZH[v] for v in vs.VIEWS] == ["总览", "图谱", "全图", "溯源", "矩阵", "问答", "语料", "校对",
                                                        "评估"]


def test_every_page_opens_through_page_switching(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    """From 总览, every page in turn: its Chinese heading, no error, and the document filter in the sidebar
    stays (it is the frame's, not a page's)."""
    at = _app(monkeypatch, workspace)
    assert _headers(at) == ["总览"]
    for view in vs.VIEWS[1:] + vs.VIEWS[:1]:
        _goto(at, view)
        assert _headers(at)[0] == HEADINGS[view], view
        assert not at.error, (view, [e.value for e in at.error])
        assert at.sidebar.markdown[0].value == "## 整改材料知识图谱"


@pytest.mark.parametrize("view", ["curation", "review", "corpus"])
def test_old_view_links_open_their_page(monkeypatch: pytest.MonkeyPatch, workspace: Path, view: str) -> None:
    """A bookmark from before the pages had paths (/?view=curation) opens that page; the URL then keeps only
    the view state."""
    at = _app(monkeypatch, workspace, view=view, doc=DOC)
    assert _headers(at)[0] == HEADINGS[view]
    assert at.query_params == {"doc": DOC}


def test_the_curation_page_closes_its_store(
    monkeypatch: pytest.MonkeyPatch, workspace: Path, tmp_path: Path
) -> None:
    """The 校对 page reads through the run's workspace, which is closed after the run; a button's callback
    opens the store for its one operation. No database handle outlives a run."""
    import gc
    import shutil
    import sqlite3

    from tracegraph.graph.curation.sqlite import SqliteFile

    ws_dir = shutil.copytree(workspace, tmp_path / "ws")  # this test curates: not in the shared workspace

    opened: list[SqliteFile] = []
    real_init = SqliteFile.__init__

    def spy(self: SqliteFile, *args: object, **kw: object) -> None:
        real_init(self, *args, **kw)  # type: ignore[arg-type]
        opened.append(self)

    monkeypatch.setattr(SqliteFile, "__init__", spy)
    at = _app(monkeypatch, ws_dir, view="curation")
    assert _headers(at) == ["校对"] and opened
    ok = next(b for b in at.button if b.label == "确认")
    ok.click().run()
    assert not at.exception and at.success[0].value.startswith("已确认")
    gc.collect()
    for db in opened:  # every database the app opened is closed again
        with pytest.raises(sqlite3.ProgrammingError):
            db.conn.execute("SELECT 1")
    from tracegraph.graph.curation.workspace import Workspace

    with Workspace(ws_dir) as ws:
        assert [r["op"] for r in ws.curation.log()] == ["confirm"]


def test_corpus_view_groups_problems_across_documents(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Two materials sharing problems: the 语料 page lists the clusters with both documents, policy
    references per year, and leads into the trace of a member problem."""
    from tracegraph.graph.curation.workspace import Workspace

    text = (ROOT / "data" / f"{DOC}.txt").read_text(encoding="utf-8")
    for name, org, year in (("甲.txt", "县教育局", 2022), ("乙.txt", "县财政局", 2023)):
        (tmp_path / name).write_text(f"{org}领导班子{year}年度民主生活会对照检查材料\n" + text, encoding="utf-8")
    ws_dir = tmp_path / "ws"
    core = Workspace(ws_dir)
    for name in ("甲.txt", "乙.txt"):
        core.import_file(tmp_path / name)
    g = core.build().graph
    core.close()
    at = _app(monkeypatch, ws_dir, view="corpus")
    page = _text(at)
    assert "语料分析" in page
    assert "县教育局领导班子" in str(at.dataframe[0].value) and "2023" in str(at.dataframe[0].value)
    titles = [_plain(e.label) for e in at.expander]
    assert any(t.startswith("[2 个文档] 还存在“两个责任”履行不够到位的问题") for t in titles)
    member = next(m for c in g.graph["clusters"] for m in c["members"] if m.endswith(":P5.2"))
    cluster = next(c for c in g.graph["clusters"] if member in c["members"])
    _button(at, f"cl-tr-{cluster['id']}-{member}").click().run()
    assert at.selectbox(key="tg_trace").value == member


READING_DOUBT = """中共某某局委员会关于巡察整改情况的通报

一、存在的问题

1．理论学习不够深入，学习的系统性不够。

2．落实“两个责任”不到位，监督检查偏少。

二、推进落实

1．成立工作专班，逐条细化任务。

2．修订学习制度，每月集中学习一次。
"""

GUESSED_ROLES = """2023年度述职报告

一、思想政治情况

一年来认真学习，按时参加组织生活，完成了各项学习任务。第一，理论联系实际的功夫不够，学用脱节。第二，调查研究不够深入，了解情况不全面。第三，为群众办实事的主动性还不强。

二、今后努力方向

1．加强理论学习，提高运用能力。

2．深入调查研究，掌握一手情况。
"""


@pytest.fixture()
def doubt_workspace(tmp_path: Path) -> Path:
    from tracegraph.graph.curation.workspace import Workspace

    (tmp_path / "in").mkdir()
    f1, f2 = tmp_path / "in" / "存疑通报.txt", tmp_path / "in" / "述职报告.txt"
    f1.write_text(READING_DOUBT, encoding="utf-8")
    f2.write_text(GUESSED_ROLES, encoding="utf-8")
    ws = tmp_path / "ws"
    core = Workspace(ws)
    core.import_file(f1)
    core.import_file(f2)
    assert not core.build().failed
    core.close()
    return ws


def test_overview_shows_the_reading_report_and_doubts(monkeypatch: pytest.MonkeyPatch, doubt_workspace: Path) -> None:
    at = _app(monkeypatch, doubt_workspace)
    said = _text(at)
    assert "读取概况" in said
    assert "的读取存疑：识别出 2 个问题，但没有识别出整改措施" in said
    assert "（读取存疑）" in said  # its problems are listed as doubtful, not as the material's gaps
    tables = "\n".join(_plain(t.to_string()) for t in html_tables(at))
    assert "落在条目中" in tables and "角色是推测的" in tables


def test_a_guessed_role_is_confirmed_in_curation_and_survives_a_rebuild(
    monkeypatch: pytest.MonkeyPatch, doubt_workspace: Path
) -> None:
    from tracegraph.graph.curation.workspace import Workspace

    at = _goto(_app(monkeypatch, doubt_workspace), "curation")
    assert any("角色待定（3）" in str(t.label) for t in at.tabs)
    ok = [b for b in at.button if b.key.startswith("cu-role-ok-")]
    assert len(ok) == 3
    target = ok[0].key.removeprefix("cu-role-ok-")
    ok[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    with Workspace(doubt_workspace) as ws:
        g = ws.build(use_cache=False).graph
        assert g.nodes[target]["type"] == "Problem" and g.nodes[target].get("role_decided")
        assert not g.nodes[target].get("role_uncertain")
        assert sum(1 for _, d in g.nodes(data=True) if d.get("role_uncertain")) == 2
        assert any(r["op"] != "" and target in r["target"] for r in ws.curation.log(limit=20))


BEACON = ('![b](http://127.0.0.1:9/x.png)[点此](http://127.0.0.1:9/)<img src="http://127.0.0.1:9/r.png">'
          "http://127.0.0.1:9/a www.example.org a@example.org :red[x] $x^2$")


def _markdown_values(at: AppTest) -> list[str]:
    """Every string the app hands to an element that renders Markdown."""
    out = []
    for kind in ("markdown", "caption", "info", "warning", "success", "error", "header", "subheader"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [str(e.label) for e in at.expander] + [str(b.label) for b in at.button]
    out += [str(m.label) for m in at.metric]
    for t in html_tables(at):
        out += [str(v) for v in t.to_numpy().ravel()] + [str(c) for c in t.columns]
    return out


@pytest.mark.parametrize("view", vs.VIEWS)
def test_url_parameters_and_titles_are_text_in_every_view(
        monkeypatch: pytest.MonkeyPatch, workspace: Path, view: str) -> None:
    """A beacon in every URL parameter (and the node it points at, where it is a node): no element gets it as
    Markdown — no image, link, HTML, autolink, colour directive or formula survives ui.highlight.esc."""
    params = {p: BEACON for p in ("q", "focus", "node", "trace", "cell", "doc", "area", "ask", "types", "origins",
                                  "scene")}
    at = _app(monkeypatch, workspace, view=view, **params)
    values = _markdown_values(at)
    assert values
    for v in values:
        if 'class="tg-' in v or v.startswith("<style>"):
            v = v.replace('style="', "").replace("class=", "")  # our own markup around escaped text
        for bad in ("](", "<img", "://", "www.", "@example", ":red[", "$x"):
            assert bad not in v, (view, bad, v[:300])
    if view == "graph":  # the query is shown, as the text it is
        assert sum("点此" in _plain(v) and "http://127.0.0.1:9/" in _plain(v) for v in values) >= 1


def test_a_workspace_of_many_documents_opens_light(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """60 documents: the sidebar finds a document by a word of its title instead of listing all 60, and the
    总览's document table shows 20 rows until the whole list is asked for."""
    from fixtures import replicated_workspace

    g = replicated_workspace(tmp_path / "ws", 60)
    assert len(g.graph["documents"]) == 60
    at = _app(monkeypatch, tmp_path / "ws")
    # nothing to choose from before a word is typed: no drop-down (its code is not even loaded), a caption
    assert not [w for w in at.sidebar.selectbox if w.key == "tg_doc"]
    assert any("输入标题中的字词后可选一份" in _plain(c.value) for c in at.sidebar.caption)
    at.sidebar.text_input(key="tg_doc_find").set_value("第12号").run()
    pick = at.sidebar.selectbox(key="tg_doc")
    assert pick.options == ["全部文档", "第12号单位对照检查材料"]
    doc = next(d for d, m in g.graph["documents"].items() if m["title"] == "第12号单位对照检查材料")
    pick.set_value(doc).run()
    assert at.query_params["doc"] == doc
    assert {m.label: m.value for m in at.metric}["文档"] == "1"
    # back to all documents: 20 rows shown, the rest on request
    at.sidebar.selectbox(key="tg_doc").set_value("").run()
    assert at.sidebar.selectbox(key="tg_doc").value == ""  # still offered while the search word is there
    at.sidebar.text_input(key="tg_doc_find").set_value("").run()
    assert not [w for w in at.sidebar.selectbox if w.key == "tg_doc"]
    first = html_tables(at)[0]
    assert len(first) == 20
    toggle = at.toggle(key="tg-ov-all-docs")
    assert "显示全部 60 份文档" in toggle.label and not at.dataframe
    toggle.set_value(True).run()
    assert len(at.dataframe[0].value) == 60
    # a link that names a document opens with that document chosen in the drop-down
    linked = _app(monkeypatch, tmp_path / "ws", doc=doc)
    assert linked.sidebar.selectbox(key="tg_doc").value == doc
    assert {m.label: m.value for m in linked.metric}["文档"] == "1"
