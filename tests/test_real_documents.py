"""Real published documents (tests/data/real/, with hand-checked golds) and one synthetic fixture per layout
(tests/data/layouts/): the reader finds every unit at the level where the content is, keeps plans, organisational
paragraphs and achievements apart, never runs an item across a document boundary, and says when it is unsure."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tracegraph.graph.build.pipeline import build
from tracegraph.graph.query.ask import ask
from tracegraph.graph.query.queries import gaps
from tracegraph.loaders import load_file, parse
from tracegraph.loaders.structure.model import ParsedDocument
from tracegraph.loaders.structure.reading import reading_report

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "real"
LAYOUTS = ROOT / "tests" / "data" / "layouts"
NANKAI = REAL / "nankai-xunshi-zhenggai-tongbao-2022"
SHAOXING = REAL / "shaoxing-yizhong-shuzhi-shulian-2021"


def _read(stem: Path) -> tuple[ParsedDocument, dict]:
    parsed = parse(load_file(stem.with_suffix(".txt")))
    gold = json.loads(stem.with_suffix(".gold.json").read_text("utf-8"))
    return parsed, gold


def _title(p: ParsedDocument, it) -> str:  # type: ignore[no-untyped-def]
    return p.doc.text[it.title_start : it.title_end]


def _match_units(p: ParsedDocument, gold_units: list[dict], type_: str) -> None:
    """Every gold unit is found at its start, with its title (a longer lead clause that starts with the gold
    title is accepted) and its status; nothing extra is found."""
    found = {i.start: i for i in p.of_type(type_)}
    assert sorted(found) == sorted(u["start"] for u in gold_units)
    for u in gold_units:
        it = found[u["start"]]
        assert _title(p, it).startswith(u["title"]), (u["id"], _title(p, it), u["title"])
        if u.get("status"):
            assert it.attrs.get("status") == u["status"], (u["id"], it.attrs)
        assert abs(it.end - u["end"]) <= 2 or u.get("note"), (u["id"], it.end, u["end"])


def test_nankai_units_at_every_level() -> None:
    p, gold = _read(NANKAI)
    _match_units(p, gold["measures"], "Measure")
    statuses = Counter(i.attrs.get("status") for i in p.of_type("Measure"))
    assert statuses == {"taken": 54, "organisational": 5, "planned": 10}
    assert not p.of_type("Problem") and not p.of_type("Cause")
    # the README's per-sub-area counts: （一）5+7+3+4, （二）3+3+3, （三）1, （四）5+5+3, （五）3+3+3, （六）3
    by_group: Counter[str] = Counter()
    for m in p.of_type("Measure"):
        if m.attrs.get("status") == "taken":
            parent = p.items[m.parent] if m.parent is not None else None
            by_group["/".join(parent.path.split("/")[1:]) if parent else ""] += 1
    assert len(by_group) == 15 and sum(by_group.values()) == 54
    assert sorted(by_group.values()) == sorted([5, 7, 3, 4, 3, 3, 3, 1, 5, 5, 3, 3, 3, 3, 3])
    assert by_group["（一）/1."] == 5 and by_group["（一）/2."] == 7 and by_group["（三）"] == 1
    # set aside, never linked: organisational and next steps
    assert all(m.attrs.get("set_aside") for m in p.of_type("Measure") if m.attrs["status"] != "taken")


def test_nankai_policy_references_leave_out_works_forms_and_ledgers() -> None:
    g, report = build([NANKAI.with_suffix(".txt")])
    assert not report.failed
    refs = {d["canonical"] for _, d in g.nodes(data=True) if d.get("type") == "PolicyRef"}
    gold = json.loads(NANKAI.with_suffix(".gold.json").read_text("utf-8"))
    for bad in gold["not_policy_refs"]:
        assert bad.strip("《》") not in refs and bad not in refs, bad
    for must in ("中国共产党普通高等学校基层组织工作条例", "南开大学章程"):
        assert must in refs
    # nothing set aside is drawn as an answer to a finding
    linked = {u for u, _v, d in g.edges(data=True) if d.get("type") in ("ADDRESSES", "TREATS")}
    assert not any(g.nodes[u].get("set_aside") for u in linked)


def test_shaoxing_four_documents_nine_problems_nine_plans() -> None:
    p, gold = _read(SHAOXING)
    assert len(p.parts) + 1 == len(gold["documents"]) == 4
    assert [s for s, _ in p.parts] == [d["start"] for d in gold["documents"][1:]]
    _match_units(p, gold["problems"], "Problem")
    _match_units(p, gold["measures"], "Measure")
    assert [i.attrs.get("status") for i in p.of_type("Measure")] == ["planned"] * 9
    assert len(p.of_type("Example")) == 1
    # no item runs across a report boundary
    bounds = [d["start"] for d in gold["documents"]]
    for it in p.items:
        if it.type in ("Problem", "Measure", "Cause", "Example", "Action"):
            assert not any(it.start < b < it.end for b in bounds), (it.path, it.start, it.end)
    # achievements under 二、直面问题短板… are set aside, not problems
    assert p.set_aside.get("achievement", 0) > 1000
    achievement_starts = {u["start"] for u in gold.get("achievement_units", [])}
    assert not achievement_starts & {i.start for i in p.of_type("Problem")}
    # the plans of report 1 answer its three problems as a block (针对以上不足，今后一是…)
    block = [i for i in p.of_type("Measure") if i.attrs.get("explicit_problems")]
    assert len(block) == 5 and all(len(i.attrs["explicit_problems"]) == 3 for i in block)


def test_named_problem_headings_give_problems_with_their_measures() -> None:
    """N．关于“…”问题的整改。 followed by one paragraph of 一是…二是… (or 一要…, or an unnumbered paragraph)."""
    g, report = build([LAYOUTS / "named-problem-headings-tongbao.txt"])
    assert not report.failed
    nodes = dict(g.nodes(data=True))
    problems = sorted((d["path"], d["title"]) for d in nodes.values() if d.get("type") == "Problem")
    assert [t for _, t in problems] == [
        "理论学习中心组学习计划不够系统",
        "意识形态工作责任制落实不到位",
        "基层党组织“三会一课”制度落实不规范",
    ]
    addressed: Counter[str] = Counter()
    for _u, v, d in g.edges(data=True):
        if d.get("type") == "ADDRESSES" and nodes[v].get("type") == "Problem":
            assert d["origin"] == "explicit"
            addressed[nodes[v]["title"]] += 1
    assert addressed == {
        "理论学习中心组学习计划不够系统": 3,
        "意识形态工作责任制落实不到位": 1,  # an unnumbered paragraph is one measure
        "基层党组织“三会一课”制度落实不规范": 2,  # 一要/二要
    }
    assert gaps(g)["problems_without_measures"] == []
    planned = [d for d in nodes.values() if d.get("type") == "Measure" and d.get("set_aside") == "planned"]
    assert [d["title"] for d in planned] == ["持续巩固整改成果", "建立长效机制"]
    # closing boilerplate belongs to no item
    assert not any("联系电话" in (d.get("text") or "") for d in nodes.values() if d.get("type") == "Measure")


def test_semicolon_lists_sequence_words_and_two_documents_in_one_file() -> None:
    p = parse(load_file(LAYOUTS / "semicolon-list-and-two-documents.txt"))
    assert [t for _, t in p.parts] == ["2023年度领导班子述职报告"]
    probs = [_title(p, i) for i in p.of_type("Problem")]
    assert sorted(probs) == sorted([
        "理论学习的系统性不够",
        "调查研究不够深入，解决实际问题的办法不多",
        "抓落实的韧劲还有差距",
        "学习贯彻党的创新理论不够深入",
        "履职尽责的主动性不够强",
        "联系群众还有差距",
    ])
    assert [_title(p, i) for i in p.of_type("Measure")] == [
        "加强理论学习，提高政治站位",
        "深入调查研究，多为群众办实事",
        "狠抓工作落实，确保各项任务见效",
    ]
    boundary = p.parts[0][0]
    assert all(not (i.start < boundary < i.end) for i in p.items if i.type != "Section")
    assert not any("批评指正" in p.doc.text[i.start : i.end] for i in p.of_type("Problem"))


def test_reading_report_counts_and_warnings() -> None:
    p, _ = _read(SHAOXING)
    rep = reading_report(p)
    assert rep["documents_in_file"] == 4
    assert {w["code"] for w in rep["warnings"]} >= {"several_documents"}
    assert rep["counts"]["Problem"] == 9 and rep["counts"]["Measure.planned"] == 9
    assert 0 < rep["item_share"] < 1 and rep["set_aside"]["achievement"] > 0


UNREAD = """中共某某局委员会关于巡察整改情况的通报

一、存在的问题

1．理论学习不够深入，学习的系统性不够。

2．落实“两个责任”不到位，监督检查偏少。

二、推进落实

1．成立工作专班，逐条细化任务。

2．修订学习制度，每月集中学习一次。
"""


def test_a_doubtful_reading_is_never_reported_as_a_gap(tmp_path: Path) -> None:
    """Problems and no measures read: gaps, ask and review say the reading is in doubt, not “覆盖缺口”."""
    f = tmp_path / "存疑通报.txt"
    f.write_text(UNREAD, encoding="utf-8")
    g, report = build([f])
    assert not report.failed
    doc = next(iter(g.graph["documents"]))
    codes = {w["code"] for w in g.graph["documents"][doc]["reading"]["warnings"]}
    assert "problems_without_measures" in codes
    gp = gaps(g)
    assert gp["reading_doubts"] and gp["reading_doubts"][0]["doc"] == doc
    ans = ask(g, "哪些措施针对理论学习不够深入的问题")
    assert ans.doubtful and "读取存疑" in ans.text and "覆盖缺口" not in ans.text
    out = tmp_path / "g.json"
    env_cli = [sys.executable, "-m", "tracegraph.cli"]
    subprocess.run([*env_cli, "build", str(f), "--out", str(out)], check=True, capture_output=True, cwd=tmp_path)
    res = subprocess.run([*env_cli, "gaps", "--graph", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert "读取存疑" in res.stdout and "（读取存疑）" in res.stdout
    res = subprocess.run([*env_cli, "stats", "--graph", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert "读取概况" in res.stdout and "警告：识别出 2 个问题，但没有识别出整改措施" in res.stdout
    res = subprocess.run([*env_cli, "review", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert "读取存疑" in res.stdout, res.stdout + res.stderr


@pytest.mark.parametrize("stem", [NANKAI, SHAOXING])
def test_stats_prints_the_reading_report(stem: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    cli = [sys.executable, "-m", "tracegraph.cli"]
    subprocess.run([*cli, "build", str(stem.with_suffix(".txt")), "--out", str(out)], check=True, capture_output=True)
    res = subprocess.run([*cli, "stats", "--graph", str(out)], capture_output=True, text=True, check=True)
    assert "读取概况" in res.stdout and "落在条目中" in res.stdout


MORE = ROOT / "tests" / "data" / "real_more"


def test_meeting_report_measures_taken_under_a_heading_without_role_words() -> None:
    """二、会议的主要收获 says in its opening paragraph that what follows are 整改收获: 8 measures taken
    (1 + 3 + 1 + 3, the inline 一是 units of items 2 and 4), marked role_uncertain; no problems invented."""
    p = parse(load_file(MORE / "shaoxing-yizhong-fenxihui-baogao-2020.txt"))
    taken = [m for m in p.of_type("Measure") if m.attrs.get("status") == "taken"]
    assert len(taken) == 8 and all(m.attrs.get("role_uncertain") for m in taken)
    assert [m.marker for m in taken] == ["1.", "一是", "二是", "三是", "3.", "一是", "二是", "三是"]
    assert not p.of_type("Problem") and not p.of_type("Cause")
    assert {m.attrs.get("status") for m in p.of_type("Measure")} == {"taken", "planned"}


def test_four_2022_reports_problems_causes_plans() -> None:
    """The README's exact counts: 9 enumerated problems (3 + 3 in a 比如…；…；… list + 3 第一，…), 3 causes,
    7 enumerated plans; the page notice and four reports are read apart."""
    p = parse(load_file(MORE / "shaoxing-yizhong-shuzhi-shulian-2022.txt"))
    assert len(p.parts) == 4
    assert len(p.of_type("Problem")) == 9 and len(p.of_type("Cause")) == 3
    planned = [m for m in p.of_type("Measure") if m.attrs.get("status") == "planned"]
    assert len([m for m in planned if m.marker]) == 7 and len(planned) <= 10
    bounds = [s for s, _ in p.parts]
    assert all(not (i.start < b < i.end) for i in p.items if i.type != "Section" for b in bounds)


def test_nested_named_problems_under_areas() -> None:
    """（一）在“……”方面 → 1．关于“……”问题的整改 → （1）关于“……”的问题。整改情况：一是… — the layout of many
    published 巡察整改情况通报: the narrowest named problems are the Problems, each answered by the units beneath it;
    a named heading over named problems is their group, so it is never reported as a problem without measures."""
    g, report = build([LAYOUTS / "nested-named-problems-tongbao.txt"])
    assert not report.failed
    nodes = dict(g.nodes(data=True))
    answered: Counter[str] = Counter()
    for _u, v, d in g.edges(data=True):
        if d.get("type") == "ADDRESSES" and d.get("origin") == "explicit":
            answered[nodes[v]["title"]] += 1
    assert answered == {
        "理论学习中心组学习缺乏计划": 2,
        "学习成果转化不够": 1,
        "重大事项请示报告不规范": 2,
        "廉政风险防控不够有力": 1,
    }
    assert gaps(g)["problems_without_measures"] == []
    groups = [d["title"] for d in nodes.values() if d.get("type") == "Area" and d.get("group") == "problems"]
    assert groups == ["关于“学习贯彻党的创新理论不够到位”问题的整改"]
    measures = [d for d in nodes.values() if d.get("type") == "Measure"]
    assert all(d["status"] == "taken" for d in measures)
    assert not any(d["title"].startswith("整改情况") for d in measures)  # the label is not the measure
    assert not any("联系电话" in d["text"] or "2023年5月4日" in d["text"] for d in measures)


def test_a_measure_list_holds_a_cause_a_reply_and_a_plan() -> None:
    """Inside 一是…四是 under a named problem: 深入查摆问题根源 is a Cause; a reply (…前身为…，经请示…答复…) is
    context, not a measure; 将于…前完成 marks a plan among the measures taken."""
    p = parse(load_file(LAYOUTS / "measure-list-with-cause-context-plan.txt"))
    assert [_title(p, i) for i in p.of_type("Problem")] == ["国有资产管理不规范"]
    assert [_title(p, i) for i in p.of_type("Cause")] == ["深入查摆问题根源"]
    assert [(_title(p, m), m.attrs["status"]) for m in p.of_type("Measure")] == [
        ("全面清查出租房产", "taken"),
        ("修订资产管理办法", "planned"),
    ]
    assert p.set_aside.get("context", 0) > 40  # the reply about the canteen's rent
    assert all(m.attrs.get("explicit_problems") for m in p.of_type("Measure"))
