"""The sample document against its hand-checked gold reading."""

from __future__ import annotations

from tracegraph.graph.review.evaluate import evaluate, link_f1
from tracegraph.loaders import load_file, parse


def test_structure_f1_is_perfect(sample_graph, gold):
    items = evaluate(gold, sample_graph)["items"]
    assert (items["Problem"].n_pred, items["Problem"].n_gold) == (17, 17)
    assert (items["Cause"].n_pred, items["Cause"].n_gold) == (6, 6)
    assert (items["Measure"].n_pred, items["Measure"].n_gold) == (5, 5)
    for t in ("Problem", "Cause", "Measure", "Area"):
        assert items[t].f1 == 1.0, (t, items[t].missed, items[t].wrong)


def test_spans_slice_to_gold_titles(sample_path, gold):
    doc = load_file(sample_path)
    parsed = parse(doc)
    by_start = {i.start: i for i in parsed.items if i.type in ("Problem", "Cause", "Measure")}
    for key in ("problems", "causes", "measures"):
        for gi in gold[key]:
            item = by_start[gi["start"]]
            assert item.end == gi["end"], gi["id"]
            assert doc.text[item.start : item.end].startswith(gi["marker"] + gi["title"])
            assert doc.text[item.title_start : item.title_end] == gi["title"]


def test_areas_and_problem_membership(sample_graph, sample_doc_id, gold):
    g = sample_graph
    for gp in gold["problems"]:
        node = g.nodes[f"{sample_doc_id}:{gp['id']}"]
        assert node["area"] == f"{sample_doc_id}:{gp['area']}"
        assert node["title"] == gp["title"]
    assert g.nodes[f"{sample_doc_id}:A3"]["marker"] == "（三）"


def test_other_matters_give_admitted_and_none_found(sample_graph, sample_doc_id):
    g = sample_graph
    others = {n: d for n, d in g.nodes(data=True) if d.get("type") == "Problem" and d.get("other")}
    statuses = sorted(d["status"] for d in others.values())
    assert statuses == ["admitted", "admitted", "admitted", "none_found", "none_found"]
    titles = {d["title"] for d in others.values()}
    assert "督促分管科室厉行节约反对浪费的约束措施不够硬，责任压得不够实" in titles
    assert "未发现违规发放公务员工资、津贴、补贴的情况" in titles


def test_policy_refs_against_gold(sample_graph, gold):
    result = evaluate(gold, sample_graph)
    pol = result["policy"]
    assert pol.recall >= 0.95, pol.missed
    assert pol.precision >= 0.9, pol.wrong
    assert result["forbidden_policy"] == []


def test_five_plenums_expanded(sample_graph):
    g = sample_graph
    for n in ("二", "三", "四", "五", "六"):
        assert f"policy:党的十九届{n}中全会" in g
    assert "policy:党的十九大" in g
    assert g.nodes["policy:党的十九届六中全会"]["kind"] == "meeting"


def test_quotes_said_by_speakers(sample_graph):
    g = sample_graph
    said = [(g.nodes[u]["text"], g.nodes[v]["title"]) for u, v, d in g.edges(data=True) if d["type"] == "SAID_BY"]

    def speaker_of(prefix: str) -> str:
        return next(s for t, s in said if t.startswith(prefix))

    assert len(said) == 5
    assert speaker_of("党性是立身、立业、立言、立德的基石") == "习近平"
    assert speaker_of("改革推进到今天") == "习近平"
    assert speaker_of("要带头坚定理想信念") == "习近平"
    assert speaker_of("要按照革命化、年轻化") == "中共中央关于党的百年奋斗重大成就和历史经验的决议"
    assert speaker_of("党和人民事业发展需要") == "党的十九届六中全会"


def test_redactions_stay_redactions(sample_graph, sample_doc_id):
    g = sample_graph
    text = g.graph["documents"][sample_doc_id]["text"]
    red = {text[s:e] for s, e in g.graph["documents"][sample_doc_id]["redactions"]}
    assert {"XX县", "X县", "《XXXXXX》"} <= red
    assert not any("XXX" in (d.get("canonical") or "") for _, d in g.nodes(data=True))


def test_link_floors_on_sample(sample_graph, gold):
    links = evaluate(gold, sample_graph)["links"]
    assert link_f1(links["ADDRESSES"]) >= 0.80, links["ADDRESSES"].missed
    assert link_f1(links["EXPLAINS"]) >= 0.75, links["EXPLAINS"].missed
    assert link_f1(links["TREATS"]) == 1.0
