"""Review assistant: the findings an inspection team would write about the sample, a 台账 that passes the
checkability check, boilerplate shared across a corpus, the rules file, the reports and the CLI."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from tracegraph.errors import TracegraphError
from tracegraph.graph.build.pipeline import build
from tracegraph.graph.corpus.boilerplate import SentenceIndex, normalise_clause
from tracegraph.graph.model.io import write_json
from tracegraph.graph.query.queries import counted_problems, gaps
from tracegraph.graph.review.checks import review_document, review_graph
from tracegraph.graph.review.report import render_markdown, write_docx
from tracegraph.graph.review.results import FAIL, PASS
from tracegraph.graph.review.rules import load_rules, rules_from_dict

ROOT = Path(__file__).resolve().parents[1]
SHARED_CAUSE_TEXT = (
    "对学习习近平新时代中国特色社会主义思想标准不够严、悟得不够透，没有真正上升为理性认识、转化为具体行动"
)

LEDGER = """某局落实巡察反馈问题整改台账

问题1：党组理论学习中心组学习不规范，2023年全年仅开展集中学习4次。
整改措施：1.制定年度学习计划，每月开展集中学习不少于1次。2.建立学习台账，逐次记录研讨发言。
责任领导：张三
责任部门：办公室
完成时限：2024年6月底前

问题2：选人用人程序不严格，有2名干部任职前未进行廉政意见征求。
整改措施：1.对2022年以来干部任用档案逐一复核。2.修订干部选拔任用工作规程。
责任领导：李四
责任部门：组织人事科
完成时限：2024年9月30日前
"""

BOILERPLATE = "始终坚持以习近平新时代中国特色社会主义思想为指导，扎实推进全面从严治党向纵深发展。"
QUOTE = "“党性是立身、立业、立言、立德的基石，必须在严格的党内生活锻炼中不断增强”"

DOC_A = f"""清河县水务局领导班子对照检查材料
一、存在的问题
一是理论学习不够深入。2023年全年仅开展集中学习4次，个别同志学习笔记流于形式。{BOILERPLATE}
二是服务群众不够主动。比如，2023年夏季3个乡镇出现季节性缺水，应急供水跟进不及时。
二、原因分析
一是理想信念不够坚定。放松了世界观改造，思想深处的问题剖析不够。习近平总书记指出，{QUOTE}。
三、整改措施
一是加强理论学习。2024年6月底前制定学习计划，由办公室负责，每月开展集中学习不少于1次。
"""

DOC_B = f"""河口镇党委领导班子对照检查材料
一、存在的问题
一是担当作为不够有力。对信访积案化解办法不多，有3件积案超过一年未办结。
二、原因分析
一是党性修养有所放松。{BOILERPLATE}习近平总书记指出，{QUOTE}。
三、整改措施
一是强化担当作为。年底前完成全部积案化解，由镇党委书记牵头。
"""


def _short(n: str) -> str:
    return n.split(":", 1)[1]


@pytest.fixture(scope="module")
def sample_review(sample_graph, sample_doc_id):
    return review_document(sample_graph, sample_doc_id, load_rules(), SentenceIndex.from_graph(sample_graph))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "水务局.txt").write_text(DOC_A, encoding="utf-8")
    (folder / "河口镇.txt").write_text(DOC_B, encoding="utf-8")
    g, report = build([folder])
    assert not report.failed
    return folder, g


# --------------------------------------------------------------------------- the sample


def test_sample_measures_are_not_checkable(sample_graph, sample_review):
    score = sample_review.scores["checkability"]
    assert score.details["measures"] == 5
    assert score.details["checkable"] == []
    assert [_short(m) for m in score.details["not_checkable"]] == ["M1", "M2", "M3", "M4", "M5"]
    assert score.criteria[0].value == 0.0 and score.criteria[0].threshold == 0.8
    assert score.verdict == FAIL
    issues = sample_review.findings_of("checkability", "issue")
    assert len(issues) == 5
    for f in issues:
        m = sample_graph.nodes[f.nodes[0]]
        assert not m.get("deadline") and not m.get("owner")
        assert "时限" in f.data["lacking"] and "责任人/责任部门" in f.data["lacking"]
        assert f.source.text == m["title"] and (f.source.start, f.source.end) == (m["start"], m["end"])


def test_sample_first_and_second_causes_share_a_sentence(sample_graph, sample_doc_id, sample_review):
    text = sample_graph.graph["documents"][sample_doc_id]["text"]
    rep = sample_review.findings_of("boilerplate", "issue")
    assert len(rep) == 1
    f = rep[0]
    assert f.kind == "repeated_within"
    assert [_short(n) for n in f.nodes] == ["C1", "C2"]
    assert f.data["text"] == SHARED_CAUSE_TEXT
    assert SHARED_CAUSE_TEXT in f.message and "C1" in f.message and "C2" in f.message
    # each occurrence is a real span inside its cause
    for ev, cause in zip(f.evidence, ("C1", "C2"), strict=True):
        node = sample_graph.nodes[f"{sample_doc_id}:{cause}"]
        assert text[ev.start : ev.end] == SHARED_CAUSE_TEXT
        assert node["start"] <= ev.start < ev.end <= node["end"]
        assert ev.node.endswith(cause)
    score = sample_review.scores["boilerplate"]
    assert score.details["within"] == 1 and score.details["across"] == 0
    assert 0 < score.criteria[0].value < 0.05 and score.verdict == PASS


def test_sample_negative_findings_listed_apart(sample_graph, sample_doc_id, sample_review):
    neg = sample_review.findings_of("negative")
    assert [_short(f.nodes[0]) for f in neg] == ["O3", "O5"]
    assert "暂未发现" in neg[0].message and "未发现违规发放" in neg[1].message
    assert neg[0].data["topic"] == "剖析好人主义圈子文化码头文化"
    assert sample_review.scores["negative"].verdict == "仅列示"
    # and they are not counted as problems in the specificity check
    counted = sample_review.scores["specificity"].details["problems"]
    assert counted == len(counted_problems(sample_graph, sample_doc_id)) == 17


def test_sample_problems_with_examples_match_graph(sample_graph, sample_doc_id, sample_review):
    with_edges = {
        p
        for p in counted_problems(sample_graph, sample_doc_id)
        if any(d.get("type") == "HAS_EXAMPLE" for _, _, d in sample_graph.out_edges(p, data=True))
    }
    details = sample_review.scores["specificity"].details
    assert set(details["with_examples"]) == with_edges
    assert sorted(_short(p) for p in details["with_examples"]) == [
        "P1.1", "P2.1", "P2.2", "P2.3", "P3.1", "P4.1", "P4.2", "P4.3", "P5.1", "P5.2",
    ]  # fmt: skip
    # 11 examples (比如 ×10 + 再如 ×1) in 10 problems: P5.2 has two
    n_examples = sum(1 for _, _, d in sample_graph.edges(data=True) if d.get("type") == "HAS_EXAMPLE")
    text = sample_graph.graph["documents"][sample_doc_id]["text"]
    assert n_examples == 11 == len(re.findall("比如|再如", text))
    crit = {c.key: c for c in sample_review.scores["specificity"].criteria}
    assert crit["example_share"].value == pytest.approx(10 / 17)
    assert crit["example_share"].passed is True and crit["specific_share"].passed is False


def test_sample_generic_problems_list_their_wording(sample_graph, sample_doc_id, sample_review):
    generic = {_short(f.nodes[0]): f for f in sample_review.findings_of("specificity", "issue")}
    assert set(generic) == {"P1.2", "P1.3", "P3.2", "P5.3", "O1", "O2", "O4"}
    p53 = generic["P5.3"]
    assert {"还不够", "不够及时", "不够严格"} <= set(p53.data["generic_wording"])
    text = sample_graph.graph["documents"][sample_doc_id]["text"]
    for ev in p53.evidence:
        assert text[ev.start : ev.end] == ev.text
    # P4.1's example names a date and a (redacted) figure
    p41 = next(f for f in sample_review.findings_of("specificity", "ok") if f.nodes[0].endswith("P4.1"))
    assert "1994年10月" in p41.data["date"] and "XX个" in p41.data["figure"]


def test_sample_cause_roots(sample_review):
    score = sample_review.scores["cause_depth"]
    assert score.details["covered"] == ["思想", "政治", "作风"]
    assert score.details["missing"] == ["纪律"]
    primary = {r: sorted(_short(c) for c in cs) for r, cs in score.details["primary"].items()}
    assert primary == {"政治": ["C1"], "思想": ["C2", "C3", "C5"], "作风": ["C4", "C6"]}
    missing = sample_review.findings_of("cause_depth", "issue")
    assert len(missing) == 1 and missing[0].data["root"] == "纪律"
    assert [_short(c) for c in missing[0].data["mentioned_in"]] == ["C6"]
    assert {e.text for e in missing[0].evidence} == {"管党治党", "一岗双责"}
    assert score.verdict == FAIL


def test_sample_coverage_follows_gaps(sample_graph, sample_doc_id, sample_review):
    gp = gaps(sample_graph, sample_doc_id)
    score = sample_review.scores["coverage"]
    assert score.details["problems_without_measures"] == [r["id"] for r in gp["problems_without_measures"]]
    assert [_short(p) for p in score.details["problems_without_measures"]] == ["P4.1", "O1"]
    assert [_short(c) for c in score.details["causes_without_measures"]] == ["C3"]
    kinds = [f.kind for f in sample_review.findings_of("coverage", "issue")]
    assert kinds == ["problem_without_measure", "problem_without_measure", "cause_without_measure"]
    assert score.verdict == FAIL


# --------------------------------------------------------------------------- a 台账


def test_ledger_measures_carry_owner_and_deadline_and_pass(tmp_path):
    path = tmp_path / "整改台账.txt"
    path.write_text(LEDGER, encoding="utf-8")
    g, report = build([path])
    assert not report.failed, report.failed
    doc = next(iter(g.graph["documents"]))
    measures = sorted((n for n, d in g.nodes(data=True) if d.get("type") == "Measure"), key=lambda n: n)
    got = [(g.nodes[m].get("owner"), g.nodes[m].get("department"), g.nodes[m].get("deadline")) for m in measures]
    assert got == [("张三", "办公室", "2024年6月底前"), ("李四", "组织人事科", "2024年9月30日前")]
    rv = review_graph(g).document(doc)
    score = rv.scores["checkability"]
    assert score.verdict == PASS and len(score.details["checkable"]) == 2
    ok = rv.findings_of("checkability", "ok")
    assert ok[0].data["deadline"] == "2024年6月底前" and ok[0].data["owner"] == "张三；办公室"
    assert "不少于" in ok[0].data["target"] and "逐一" in ok[1].data["target"]


def test_vague_deadline_is_not_checkable(tmp_path):
    path = tmp_path / "台账.txt"
    path.write_text(LEDGER.replace("2024年9月30日前", "长期坚持"), encoding="utf-8")
    g, _ = build([path])
    doc = next(iter(g.graph["documents"]))
    rv = review_graph(g).document(doc)
    bad = rv.findings_of("checkability", "issue")
    assert len(bad) == 1 and bad[0].data["deadline_vague"] and "长期坚持" in bad[0].message
    relaxed = rules_from_dict({"checkability": {"accept_vague_deadline": True}})
    assert review_graph(g, relaxed).document(doc).scores["checkability"].details["not_checkable"] == []


# --------------------------------------------------------------------------- corpus boilerplate


def test_cross_document_boilerplate_names_the_other_document(corpus):
    _, g = corpus
    rv = review_graph(g)
    docs = sorted(g.graph["documents"])
    assert len(docs) == 2
    for d, other in ((docs[0], docs[1]), (docs[1], docs[0])):
        shared = [f for f in rv.document(d).findings_of("boilerplate") if f.kind == "shared_across"]
        counted = [f for f in shared if not f.data["quoted"]]
        assert len(counted) == 1
        f = counted[0]
        assert f.data["other_documents"] == [other] and f.data["other_count"] == 1
        assert other in f.message and BOILERPLATE.rstrip("。") in f.message
        text = g.graph["documents"][d]["text"]
        assert text[f.source.start : f.source.end].startswith("始终坚持以习近平")
        # the shared quotation is reported but not held against the material
        quoted = [f for f in shared if f.data["quoted"]]
        assert len(quoted) == 1 and quoted[0].severity == "info" and "引用原文" in quoted[0].message
    a = rv.document("水务局")
    assert [_short(n) for n in a.findings_of("boilerplate", "issue")[0].nodes] == ["P1"]
    b = rv.document("河口镇")
    assert [_short(n) for n in b.findings_of("boilerplate", "issue")[0].nodes] == ["C1"]
    assert b.scores["boilerplate"].verdict == FAIL and b.scores["boilerplate"].criteria[0].value > 0.2


def test_sentence_index_normalises_and_aligns():
    a = "一、问题。对标 对表 不够到位，XX县 落实不力；对标对表不够到位，XXX县落实不力。另有一句话不重复的内容。"
    b = "对标对表不够到位，×县落实不力。"
    assert normalise_clause("ＸＸ县，落实 不力；") == normalise_clause("X县落实不力")
    ix = SentenceIndex.from_texts({"a": a, "b": b}, min_chars=4, min_run_chars=8)
    within = ix.repeated_within("a")
    assert len(within) == 1 and len(within[0].occurrences) == 2
    assert within[0].text == "对标 对表 不够到位，XX县 落实不力"
    shared = ix.shared_with_others("b")
    assert len(shared) == 1 and shared[0].other_docs == ["a"] and shared[0].other_count == 1
    assert ix.share("b", shared) == 1.0


def test_sentence_index_scales_to_10000_documents():
    rng = random.Random(7)
    pool = "的一是在了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    common = "坚持以习近平新时代中国特色社会主义思想为指导，推动全面从严治党向纵深发展。"
    texts = {}
    for i in range(10_000):
        own = "。".join("".join(rng.choice(pool) for _ in range(18)) for _ in range(4))
        texts[f"d{i}"] = own + "。" + (common if i % 2 == 0 else "")
    ix = SentenceIndex.from_texts(texts)
    shared = ix.shared_with_others("d0")
    assert len(shared) == 1 and shared[0].other_count == 4_999 and len(shared[0].other_docs) == ix.name_cap
    assert ix.shared_with_others("d1") == []


# --------------------------------------------------------------------------- rules


def test_rules_override_changes_the_verdict(sample_graph, sample_doc_id, tmp_path):
    assert review_graph(sample_graph, docs=[sample_doc_id]).documents[0].scores["specificity"].verdict == FAIL
    custom = tmp_path / "rules.json"
    custom.write_text(json.dumps({"specificity": {"thresholds": {"min_specific_share": 0.5}}}), encoding="utf-8")
    rules = load_rules(custom)
    assert rules.get("specificity.thresholds.min_specific_share") == 0.5
    assert rules.get("specificity.thresholds.min_example_share") == 0.5  # untouched keys keep the default
    rv = review_graph(sample_graph, rules, docs=[sample_doc_id])
    assert rv.documents[0].scores["specificity"].verdict == PASS
    assert rv.rules_source == str(custom)
    # a threshold set to null leaves the criterion out of the verdict
    off = rules_from_dict({"checkability": {"thresholds": {"min_checkable_share": None}}})
    assert review_graph(sample_graph, off).documents[0].scores["checkability"].verdict == "不适用"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"specificity": {"thresholds": {"min_example_share": 1.5}}}, "min_example_share 应为 0 到 1 之间的数字"),
        (
            {"specificity": {"thresholds": {"min_exmple_share": 0.5}}},
            "未知的键 specificity.thresholds.min_exmple_share",
        ),
        ({"checkability": {"deadline_patterns": ["(年底"]}}, "checkability.deadline_patterns 中的正则表达式"),
        ({"cause_depth": {"roots": {"纪律": {"categories": ["廉洁"]}}}}, "未知类别 廉洁"),
        ({"cause_depth": {"thresholds": {"min_roots_covered": 5}}}, "只定义了 4 个根源"),
        ({"checkability": {"required": ["deadline", "budget"]}}, "checkability.required 应为以下取值"),
        ({"boilerplate": {"min_clause_chars": "8"}}, "boilerplate.min_clause_chars 应为非负整数"),
    ],
)
def test_bad_rules_give_a_clear_error(override, message):
    with pytest.raises(TracegraphError, match=re.escape(message)):
        rules_from_dict(override, "rules.json")


def test_rules_file_errors(tmp_path):
    with pytest.raises(TracegraphError, match="不存在"):
        load_rules(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"specificity": {\n  "thresholds": }', encoding="utf-8")
    with pytest.raises(TracegraphError, match="第 2 行"):
        load_rules(broken)


def test_a_root_can_be_dropped_by_an_office(sample_graph, sample_doc_id):
    three = {k: v for k, v in load_rules().get("cause_depth.roots").items() if k != "纪律"}
    rules = rules_from_dict({"cause_depth": {"roots": three, "thresholds": {"min_roots_covered": 3}}})
    score = review_graph(sample_graph, rules).document(sample_doc_id).scores["cause_depth"]
    assert score.details["missing"] == [] and score.verdict == PASS


# --------------------------------------------------------------------------- reports and CLI


def test_markdown_report_points_to_sources(sample_graph, sample_doc_id):
    md = render_markdown(review_graph(sample_graph, today="2024-05-01"))
    assert md.startswith("# 整改材料质量评估报告")
    assert "生成日期：2024-05-01" in md
    assert "| 措施可检验 | 待改进 | 可检验的措施占比 0% | ≥ 80% |" in md
    assert "| 套话雷同 | 达标 |" in md
    assert f"同一段文字在本材料中出现 2 次（C1、C2）：“{SHARED_CAUSE_TEXT}”" in md
    assert "位置：" in md and "› C1 一是" in md
    assert "M3“强化宗旨观念，体现激励关爱” 无法检验" in md
    assert "O5（发放公务员工资、津贴、补贴）" in md


def test_docx_report_reads_back(sample_graph, tmp_path):
    out = tmp_path / "评估.docx"
    write_docx(review_graph(sample_graph, today="2024-05-01"), out)
    doc = Document(str(out))
    paras = [p.text for p in doc.paragraphs]
    assert paras[0] == "整改材料质量评估报告"
    assert "生成日期：2024-05-01" in paras[1]
    assert "措施可检验（待改进）" in paras and "原因剖析（待改进）" in paras
    body = "\n".join(paras)
    assert SHARED_CAUSE_TEXT in body
    assert "原因剖析没有从“纪律”方面剖析根源" in body
    assert "原文：“提高政治站位，对党忠诚老实”" in body
    table = doc.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["维度", "结论", "实际", "阈值", "说明"]
    assert ["措施可检验", "待改进"] == rows[4][:2] and rows[5][:2] == ["套话雷同", "达标"]
    for style, font in (("Normal", "宋体"), ("Heading 1", "黑体"), ("Title", "黑体")):
        rfonts = doc.styles[style].element.rPr.rFonts
        assert rfonts.get(qn("w:eastAsia")) == font
        assert rfonts.get(qn("w:eastAsiaTheme")) is None


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line, one process per call (cli.main registers optional commands once per process)."""
    return subprocess.run(
        [sys.executable, "-m", "tracegraph.cli", "review", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_cli_review_formats(sample_path, tmp_path):
    md_out, json_out, docx_out = tmp_path / "r.md", tmp_path / "r.json", tmp_path / "r.docx"
    r = _cli(str(sample_path), "--out", str(md_out))
    assert r.returncode == 0, r.stderr
    assert "措施可检验（待改进）" in md_out.read_text(encoding="utf-8")
    assert "1 个达标" in r.stderr and str(md_out) in r.stderr
    assert _cli(str(sample_path), "--format", "json", "--out", str(json_out)).returncode == 0
    d = json.loads(json_out.read_text(encoding="utf-8"))["documents"][0]
    assert d["scores"]["checkability"]["verdict"] == "待改进"
    assert len(d["scores"]["checkability"]["details"]["not_checkable"]) == 5
    assert _cli(str(sample_path), "--format", "docx", "--out", str(docx_out)).returncode == 0
    assert "措施可检验（待改进）" in [p.text for p in Document(str(docx_out)).paragraphs]
    r = _cli(str(sample_path), "--format", "docx")
    assert r.returncode == 5 and "--out" in r.stderr


def test_cli_review_graph_json_and_rules(sample_graph, sample_path, tmp_path):
    gpath = tmp_path / "graph.json"
    write_json(sample_graph, gpath)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"checkability": {"thresholds": {"min_checkable_share": 0}}}), encoding="utf-8")
    r = _cli(str(gpath), "--format", "json", "--rules", str(rules))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["rules"] == str(rules)
    assert data["documents"][0]["scores"]["checkability"]["verdict"] == "达标"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"coverage": {"thresholds": {"max_problems_without_measures": -1}}}), encoding="utf-8")
    r = _cli(str(sample_path), "--rules", str(bad))
    assert r.returncode == 6 and "max_problems_without_measures 应为非负整数" in r.stderr


def test_cli_review_folder_corpus(corpus):
    folder, _ = corpus
    r = _cli(str(folder), "--doc", "河口镇")
    assert r.returncode == 0, r.stderr
    assert "与其他 1 份材料雷同（水务局）" in r.stdout
    assert "## 一、河口镇党委领导班子对照检查材料" in r.stdout and "水务局领导班子对照检查材料" not in r.stdout


def test_review_view_renders(sample_path):
    from streamlit.testing.v1 import AppTest

    def app(root: str, sample: str) -> None:
        import sys

        sys.path.insert(0, root)
        from tracegraph.graph.build.pipeline import build as build_graph
        from tracegraph.ui.views.review import render_review_view

        g, _ = build_graph([sample])
        render_review_view(g)

    at = AppTest.from_function(app, default_timeout=60, args=(str(ROOT), str(sample_path)))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    subheaders = [s.value for s in at.subheader]
    assert subheaders[3] == "措施可检验（待改进）"
    labels = [e.label for e in at.expander]
    assert any("M1" in label and "无法检验" in label for label in labels)
    assert any("C1、C2" in label for label in labels)
