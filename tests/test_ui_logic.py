"""The app's logic without a browser: URL state, graph filters, the offline/safe graph page, text
highlighting, the workspace (uploads) and the `tracegraph app` command line."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest

from tracegraph.graph.curation.workspace_files import display_name, extension
from tracegraph.ui import state as vs
from tracegraph.ui.filters import FilterSpec, apply_filters, area_members, visible_edges
from tracegraph.ui.graph_view import REMOTE_REF, render_html
from tracegraph.ui.highlight import esc, evidence_html, mark_terms, paragraph_html
from tracegraph.ui.workspace import add_upload, open_workspace


def _id(doc: str, code: str) -> str:
    return f"{doc}:{code}"


# ---------------------------------------------------------------- URL state


def test_query_round_trip_keeps_every_field() -> None:
    s = vs.ViewState(view="trace", doc="d1", node="d1:P5.2", types=("Problem", "Measure"), area="d1:A5",
                     min_score=0.45, origins=("explicit", "curated"), q="三会一课", focus="d1:M5", hops=3, cap=40,
                     trace="d1:P5.2", cell="d1:M5|d1:P5.2", ask="第三条整改措施解决了哪些问题")
    q = vs.to_query(s)
    assert "view" not in q  # the page is the URL path (/trace), not a query parameter
    assert q["types"] == "Problem,Measure" and q["min"] == "0.45"
    assert q["origin"] == "explicit,curated" and q["q"] == "三会一课" and q["hops"] == "3"
    assert vs.parse_query(q) == replace(s, view="overview")
    assert vs.parse_query({**q, "view": "trace"}) == s  # an old link naming the page still opens it


def test_defaults_stay_out_of_the_url() -> None:
    assert vs.to_query(vs.ViewState()) == {}
    # the same set of types in another order is still the default
    assert vs.to_query(vs.ViewState(types=tuple(reversed(vs.DEFAULT_TYPES)))) == {}
    assert vs.to_query(vs.ViewState(view="matrix")) == {}


def test_bad_query_values_fall_back_to_defaults() -> None:
    s = vs.parse_query({"view": "<script>", "hops": "9", "min": "abc", "cap": "-5", "types": "Problem,Bogus,Problem",
                        "origin": "inferred,hacked", "q": "x" * 500, "unknown": "1"})
    assert s.view == "overview"
    assert s.hops == 3  # clamped into 1..3
    assert s.min_score == 0.0
    assert s.cap == 10
    assert s.types == ("Problem",)
    assert s.origins == ("inferred",)
    assert len(s.q) == vs.MAX_TEXT
    assert vs.parse_query({"min": "nan"}).min_score == 0.0
    # list values (as some frameworks hand them over) use the last one
    assert vs.parse_query({"view": ["graph", "matrix"]}).view == "matrix"


def test_init_session_reads_the_url_once_then_keeps_widget_values() -> None:
    store: dict = {}
    vs.init_session(store, {"view": "graph", "node": "d:P1.1", "types": "Problem"})
    sess = vs.Session(store)
    assert sess.view == "graph" and sess.node == "d:P1.1" and sess.types == ["Problem"]
    assert store[vs.key("node")] == "d:P1.1"  # the widget key of the field
    sess.view = "matrix"  # the analyst opened another page
    vs.init_session(store, {"view": "graph"})  # the URL is not re-read on later runs
    assert sess.state().view == "matrix"
    sess.set(trace="d:P5.2")
    assert sess.state().trace == "d:P5.2"
    with pytest.raises(KeyError):
        sess.set(nonsense=1)
    with pytest.raises(KeyError):
        vs.key("nonsense")


def test_session_accessors_are_typed_and_one_shot_values_pop() -> None:
    sess = vs.Session({})
    assert sess.types == list(vs.DEFAULT_TYPES) and sess.trace == "" and sess.hops == 1  # defaults
    sess.types.append("Cause")  # a fresh copy: the default is not changed
    assert sess.types == list(vs.DEFAULT_TYPES)
    # a button asks for a page; the frame takes the request once
    sess.navigate("trace", trace="d:P5.2")
    assert sess.trace == "d:P5.2" and sess.pop_goto() == "trace" and sess.pop_goto() == ""
    with pytest.raises(KeyError):
        sess.navigate("nowhere")
    sess.curation_message = ("success", "已确认")
    assert sess.pop_curation_message() == ("success", "已确认") and sess.pop_curation_message() is None
    assert sess.upload_results == [] and sess.review_index is None


def test_publish_mirrors_state_into_query_params() -> None:
    query: dict = {"stale": "1", "view": "graph"}
    vs.publish(query, vs.ViewState(view="trace", trace="d:P5.2"))
    assert query == {"trace": "d:P5.2"}  # the old ?view= goes too: the page is the path
    assert vs.share_link(vs.ViewState(view="graph", node="d:P5.2")) == "graph?node=d%3AP5.2"
    assert vs.share_link(vs.ViewState(view="matrix")) == "matrix"
    assert vs.parse_view("/trace/") == "trace" and vs.parse_view("nope") == "overview"


# ---------------------------------------------------------------- filters


def test_default_filter_shows_main_types_and_only_edges_between_shown_nodes(sample_graph) -> None:
    r = apply_filters(sample_graph, FilterSpec())
    types = {sample_graph.nodes[n]["type"] for n in r.nodes}
    assert types == {"Area", "Problem", "Cause", "Measure", "Action"}
    assert len(r.nodes) == 5 + 19 + 6 + 5 + 13 == r.total
    shown = set(r.nodes)
    assert r.edges and all(u in shown and v in shown for u, v, _ in r.edges)
    assert not r.capped and r.message == ""


def test_type_and_score_and_origin_filters(sample_graph, sample_doc_id) -> None:
    only_problems = apply_filters(sample_graph, FilterSpec(types=("Problem",)))
    assert len(only_problems.nodes) == 19
    assert all(sample_graph.nodes[n]["type"] == "Problem" for n in only_problems.nodes)

    loose = apply_filters(sample_graph, FilterSpec(min_score=0.0))
    strict = apply_filters(sample_graph, FilterSpec(min_score=0.9))
    addr = [d for _, _, d in strict.edges if d["type"] == "ADDRESSES"]
    assert addr and all(d["score"] >= 0.9 for d in addr)
    assert len(addr) < len([d for _, _, d in loose.edges if d["type"] == "ADDRESSES"])
    assert any(d["type"] == "CONTAINS" for _, _, d in strict.edges)  # structure is not scored

    parsed_only = apply_filters(sample_graph, FilterSpec(origins=("parsed",)))
    assert {d["type"] for _, _, d in parsed_only.edges} <= {"CONTAINS", "HAS_ACTION", "HAS_EXAMPLE", "CITES"}
    inferred = visible_edges(sample_graph, FilterSpec(origins=("inferred",)))
    assert inferred and all(d.get("origin") == "inferred" for _, _, d in inferred)

    nothing = apply_filters(sample_graph, FilterSpec(doc="no-such-doc"))
    assert nothing.nodes == [] and "没有符合条件" in nothing.message
    same = apply_filters(sample_graph, FilterSpec(doc=sample_doc_id))
    assert len(same.nodes) == len(loose.nodes)


def test_area_filter_keeps_the_area_its_problems_and_what_links_to_them(sample_graph, sample_doc_id) -> None:
    a5 = _id(sample_doc_id, "A5")
    members = area_members(sample_graph, a5)
    assert {_id(sample_doc_id, c) for c in ("A5", "P5.1", "P5.2", "P5.3", "M5", "C1")} <= members
    r = apply_filters(sample_graph, FilterSpec(area=a5))
    assert _id(sample_doc_id, "P5.2") in r.nodes and _id(sample_doc_id, "M5") in r.nodes
    assert _id(sample_doc_id, "P1.1") not in r.nodes and _id(sample_doc_id, "P3.1") not in r.nodes


def test_focus_expands_by_hops(sample_graph, sample_doc_id) -> None:
    p52 = _id(sample_doc_id, "P5.2")
    one = apply_filters(sample_graph, FilterSpec(focus=p52, hops=1))
    assert one.nodes[0] == p52 and one.seeds == [p52]
    for c in ("M1", "M5", "C1", "A5"):
        assert _id(sample_doc_id, c) in one.nodes
    assert _id(sample_doc_id, "P5.3") not in one.nodes  # two hops away (via M5)
    two = apply_filters(sample_graph, FilterSpec(focus=p52, hops=2))
    assert _id(sample_doc_id, "P5.3") in two.nodes
    assert set(one.nodes) < set(two.nodes)
    three = apply_filters(sample_graph, FilterSpec(focus=p52, hops=3))
    assert set(two.nodes) <= set(three.nodes)


def test_search_seeds_the_picture(sample_graph, sample_doc_id) -> None:
    r = apply_filters(sample_graph, FilterSpec(query="软弱涣散"))
    p41 = _id(sample_doc_id, "P4.1")
    assert p41 in [h["id"] for h in r.hits]
    assert r.seeds[0] == p41 and p41 in r.nodes
    assert sample_graph.nodes[p41]["title"] == "对如何运用党史做好组织工作结合上还不够好"
    none = apply_filters(sample_graph, FilterSpec(query="量子计算机"))
    assert none.nodes == [] and "量子计算机" in none.message


def test_cap_cuts_with_a_visible_message_and_keeps_the_focus(sample_graph, sample_doc_id) -> None:
    r = apply_filters(sample_graph, FilterSpec(cap=10))
    assert len(r.nodes) == 10 and r.total == 48 and r.capped
    assert "48" in r.message and "10" in r.message
    # problems, measures, causes survive the cap before actions
    assert all(sample_graph.nodes[n]["type"] == "Problem" for n in r.nodes)
    f = apply_filters(sample_graph, FilterSpec(focus=_id(sample_doc_id, "M5"), hops=3, cap=5))
    assert f.nodes[0] == _id(sample_doc_id, "M5") and len(f.nodes) == 5 and f.capped


# ---------------------------------------------------------------- graph page


def _hostile_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.graph["documents"] = {}
    g.add_node("d:P1", type="Problem", title='<img src=x onerror="window.__xss=1">', doc="d", start=0, end=5)
    g.add_node("d:M1", type="Measure", title="</script><script>window.__xss=2</script>", doc="d", start=6, end=9)
    g.add_edge("d:M1", "d:P1", key="ADDRESSES", type="ADDRESSES", origin="inferred", score=0.8)
    return g


def test_graph_page_is_offline_and_escapes_titles(sample_graph, sample_doc_id) -> None:
    r = apply_filters(sample_graph, FilterSpec())
    page = render_html(sample_graph, r, selected=_id(sample_doc_id, "P5.2"))
    assert not REMOTE_REF.search(page)
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page and "bootstrap.min.css" not in page
    assert "vis.Network" in page  # the library is inlined
    assert "network.on('click'" in page and "searchParams.set('node'" in page
    assert "randomSeed" in page
    assert "问题" in page and "整改措施" in page  # the legend
    assert render_html(sample_graph, r) == render_html(sample_graph, r)  # same filters, same page

    g = _hostile_graph()
    hostile = render_html(g, apply_filters(g, FilterSpec(types=("Problem", "Measure"))))
    assert "<img src=x" not in hostile
    assert "<script>window.__xss" not in hostile
    assert "</script><script>" not in hostile  # no title closed the data's script block
    data = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", hostile).group(1)
    labels = {n["id"]: n["label"] for n in json.loads(data)}
    assert labels["d:P1"].startswith("P1 &lt;img src=x")


# ---------------------------------------------------------------- highlighting


def test_paragraph_html_escapes_then_marks_the_span() -> None:
    text = "第一段。\n前文<script>alert(1)</script>，二是问题标题。问题的具体表现。后文\n第三段"
    start = text.index("二是")
    end = text.index("后文")
    out = paragraph_html(text, start, end, start + 2, text.index("。", start))
    assert "<script>" not in out and "&#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62;" in out
    assert "<mark>二是<b>问题标题</b>。问题的具体表现。</mark>后文" in out
    assert "第一段" not in out and "第三段" not in out  # only its own paragraph
    long = "甲" * 3000 + "目标句" + "乙" * 3000
    cut = paragraph_html(long, 3000, 3003)
    assert "<mark>目标句</mark>" in cut and len(cut) < 1000 and cut.count("…") == 2


def test_evidence_marks_shared_terms_and_escapes() -> None:
    assert mark_terms("带头严格执行“三会一课”制度<b>", ["三会一课", "三会"]) == \
        "带头严格执行“<mark>三会一课</mark>”制度&#60;b&#62;"
    ev = {"source_sentence": {"text": "带头严格执行“三会一课”制度"}, "shared_terms": ["三会一课"], "similarity": 0.1}
    out = evidence_html(ev)
    assert "<mark>三会一课</mark>" in out and "共同词语：三会一课" in out and "0.10" in out
    assert evidence_html(None) == "" and esc("a\nb") == "a<br>b"


# ---------------------------------------------------------------- workspace


def test_upload_is_saved_under_a_generated_name_built_linked_and_persisted(tmp_path: Path, sample_path: Path) -> None:
    data = sample_path.read_bytes()
    with open_workspace(tmp_path / "ws") as ws:
        res = add_upload(ws, "../../etc/passwd 对照检查.txt", data)
        assert res.ok, res.message
        assert res.doc_id == "passwd_对照检查" and "问题 19" in res.message
        assert ws.max_bytes == 20 * 1024 * 1024  # the app's upload cap, as in .streamlit/config.toml
    stored = list((tmp_path / "ws" / "documents").iterdir())
    assert len(stored) == 1
    upload = stored[0]
    assert re.fullmatch(r"doc-[0-9a-f]{24}\.txt", upload.name) and upload.read_bytes() == data
    assert not (tmp_path / "etc").exists()
    # persisted: a new workspace object (an app restart) sees the document, linked
    with open_workspace(tmp_path / "ws") as again:
        assert [r.doc_id for r in again.documents()] == [res.doc_id]
        assert display_name(again.documents()[0].original_name) == "passwd 对照检查.txt"
        g = again.current_graph()
        assert res.doc_id in g.graph["documents"]
        assert any(d.get("type") == "ADDRESSES" for _, _, d in g.edges(data=True))
        same = add_upload(again, "copy.txt", data)
        assert same.ok and "已有相同文档" in same.message
        assert len(again.current_graph().graph["documents"]) == 1


def test_the_env_var_names_the_workspace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tracegraph.graph.curation import workspace_files as core

    monkeypatch.setenv(core.ENV_VAR, str(tmp_path / "from-env"))
    with open_workspace() as ws:
        assert ws.root == (tmp_path / "from-env").resolve()
    assert core.ENV_VAR == "TRACEGRAPH_WORKSPACE"


def test_upload_failures_are_one_line_reasons(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws")
    cases = {
        ("evil.exe", b"MZ..."): "不支持的文件类型",
        ("empty.txt", b""): "文件为空",
        ("noise.txt", "你好，今天天气很好。".encode()): "未识别出问题",
        ("broken.docx", b"not a zip"): "不是有效的 .docx",
        ("broken.pdf", b"%PDF-1.4 garbage"): "PDF",
    }
    for (name, data), reason in cases.items():
        res = add_upload(ws, name, data)
        assert not res.ok and reason in res.message, (name, res.message)
        assert "\n" not in res.message
    ws.max_bytes = 1024
    big = add_upload(ws, "big.txt", b"x" * 2048)
    assert not big.ok and "文件过大" in big.message
    ws.close()
    # nothing half-built is left behind
    assert not ws.graph_path.exists()
    assert list((tmp_path / "ws" / "documents").glob("doc-*")) == []


def test_upload_name_helpers() -> None:
    assert extension("a/b\\c.DOCX") == ".docx" and extension("noext") == "" and extension(".txt") == ""
    assert display_name("..\\..\\x\u0000y.txt") == "xy.txt" and display_name("") == "未命名"
    assert len(display_name("长" * 500 + ".txt")) == 120


# ---------------------------------------------------------------- `tracegraph app`


def test_app_command_is_registered_and_defaults_to_loopback() -> None:
    from tracegraph.cli import app_cmd
    from tracegraph.cli.main import build_parser

    args = build_parser().parse_args(["app", "--workspace", "ws", "--port", "8600"])
    assert args.func is app_cmd.cmd_app and args.host == "127.0.0.1" and args.port == 8600
    argv = app_cmd.streamlit_argv(app_cmd.APP, "127.0.0.1", 8600)
    assert argv[1:4] == ["-m", "tracegraph.ui.serve", "run"] and argv[4].endswith("app.py")
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert argv[argv.index("--browser.gatherUsageStats") + 1] == "false"
    assert app_cmd.is_loopback("127.0.0.1") and app_cmd.is_loopback("::1") and app_cmd.is_loopback("localhost")
    assert not app_cmd.is_loopback("0.0.0.0") and not app_cmd.is_loopback("192.168.1.5")


def test_streamlit_config_keeps_the_app_local() -> None:
    import tomllib

    cfg = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text("utf-8"))
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["browser"]["serverAddress"] == "localhost"
    assert cfg["server"]["address"] == "127.0.0.1" and cfg["server"]["headless"] is True
    assert cfg["client"]["toolbarMode"] == "viewer"


def test_esc_leaves_no_markup_of_any_kind() -> None:
    """The one escape: every ASCII punctuation character becomes a character reference and autolink triggers
    are broken by an invisible word joiner, so neither Markdown nor HTML nor GFM autolinks see any syntax; what
    the reader sees (the decoded text less the joiners) is the input."""
    import html as html_mod
    import string

    from tracegraph.ui.views.common import md

    for s in ("![](http://127.0.0.1:9/x.png)", "[x](https://h/)", '<img src="x">', "www.example.org",
              "a@b.org", ":red[x] :material/home: $x$ `c` *e* _u_ # h\n1. l\n> q", "&lt;b&gt; &#60;",
              string.punctuation, "WwW.x HTTP://X"):
        out = esc(s)
        assert not set(out) & (set(string.punctuation) - set("&#;<>br")), out
        assert html_mod.unescape(out.replace("<br>", "\n")).replace("\u2060", "") == s
        assert "\n" not in md(s) and "<br>" not in md(s)
        assert "://" not in html_mod.unescape(out) and "www." not in html_mod.unescape(out).lower()


def test_warm_up_reads_the_workspace_and_computes_the_overview(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    """What tracegraph.ui.serve runs while the server starts: the graph in the app's cache (the same object
    a page then gets) and the 总览's answers computed for it."""
    from tracegraph.graph.curation.workspace import Workspace
    from tracegraph.graph.query.queries import gaps
    from tracegraph.ui import shell
    from tracegraph.ui.memo import _MEMO
    from tracegraph.ui.workspace import open_workspace

    ws = Workspace(tmp_path / "ws")
    ws.import_file(Path(__file__).resolve().parents[1] / "data" / "000_ddb002e987b04e7f.txt")
    ws.build()
    ws.current_graph()  # as after any build in the app: the curation stamp beside graph.json
    ws.close()
    monkeypatch.setenv("TRACEGRAPH_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.delenv("TRACEGRAPH_NEO4J_URI", raising=False)
    assert shell.warm_up().startswith("1 个文档、")
    with open_workspace() as opened:
        g = shell.load_graph(opened)
    memo = _MEMO[g]
    assert memo[("type_counts", None)]["Problem"] == 17
    assert memo[("gaps", None)] == gaps(g, None)
