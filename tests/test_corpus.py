"""Corpus features: metadata from titles and preambles, 同类问题 across documents, incremental builds,
the corpus analysis functions."""

from __future__ import annotations

from pathlib import Path

from tracegraph.graph.build.pipeline import build, build_corpus
from tracegraph.graph.corpus import analysis as corpus_view
from tracegraph.graph.corpus.clusters import group_problems, group_problems_all_pairs
from tracegraph.graph.corpus.metadata import guess_metadata

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "000_ddb002e987b04e7f.txt"

OTHER = """某市卫生健康委领导班子2023年度民主生活会对照检查材料
一、存在的问题
（一）医疗服务质量监管不够严格。对基层医疗机构的日常检查流于形式，全年仅开展抽查两次。
（二）信息化建设推进缓慢。全民健康信息平台建设滞后，数据共享不畅。
二、原因分析
（一）统筹谋划不够。对信息化工作重视程度不高。
三、整改措施
1.加强医疗质量监管。每季度开展一次全覆盖检查。
2.加快信息平台建设。年底前完成平台升级。
"""


def test_metadata_from_title_and_preamble():
    meta = guess_metadata(OTHER)
    assert meta["organisation"] == "某市卫生健康委领导班子"
    assert meta["level"] == "市"
    assert meta["year"] == 2023 and meta["source"]["year"] == "title"
    assert meta["genre"] == "班子对照检查材料"
    notice = "中共XX县委关于巡察整改进展情况的通报\n根据县委统一部署……"
    m2 = guess_metadata(notice)
    assert m2["organisation"] == "XX县委" and m2["level"] == "县" and m2["genre"] == "整改情况通报"
    sample = guess_metadata(SAMPLE.read_text(encoding="utf-8"), cited=["党的十九届六中全会", "党的十九大"])
    assert sample["organisation"] == "县委组织部领导班子"
    assert sample["year"] == 2021 and sample["source"]["year"] == "citations"


def test_reworded_problem_grouped_unrelated_not(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    reworded = (
        text.replace("不够", "不足")
        .replace("一是", "首先，")
        .replace("二是", "其次，")
        .replace("县委组织部", "市委宣传部")
    )
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(reworded, encoding="utf-8")
    (tmp_path / "c.txt").write_text(OTHER, encoding="utf-8")
    g, report = build([tmp_path])
    assert not report.failed
    result = group_problems(g)
    clusters = [set(c) for c in result.clusters]
    # P5.2 “两个责任”履行不够到位 ↔ its reworded copy (不足)
    assert any({"a:P5.2"} <= c and any(m.startswith("b:") for m in c) for c in clusters)
    assert g.nodes["b:P5.2"]["title"].endswith("不足到位的问题") or "不足" in g.nodes["b:P5.2"]["title"]
    # the unrelated document's problems are in no cluster
    assert not any(m.startswith("c:") for c in clusters for m in c)
    # the sub-quadratic grouping finds the same groups as comparing every pair
    assert sorted(map(tuple, result.clusters)) == sorted(map(tuple, group_problems_all_pairs(g).clusters))
    assert result.pairs_scored < len(result.clusters) * 50
    # build() drew the SIMILAR_TO star edges and kept cluster summaries
    similar = [(u, v) for u, v, d in g.edges(data=True) if d["type"] == "SIMILAR_TO"]
    assert similar and all(g.nodes[u]["doc"] != g.nodes[v]["doc"] or u != v for u, v in similar)
    assert g.graph["clusters"][0]["documents"] == ["a", "b"]


def test_incremental_build_reprocesses_only_changed(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for i in range(3):
        (docs / f"d{i}.txt").write_text(text.replace("县委组织部", f"第{i}部门"), encoding="utf-8")
    cache = tmp_path / "cache"
    files = sorted(docs.glob("*.txt"))
    g1, r1 = build_corpus(files, cache_dir=cache)
    assert (r1.processed, r1.cached) == (3, 0)
    g2, r2 = build_corpus(files, cache_dir=cache)
    assert (r2.processed, r2.cached) == (0, 3)
    assert set(g1.nodes) == set(g2.nodes)
    assert g1.number_of_edges() == g2.number_of_edges()
    (docs / "d1.txt").write_text(text.replace("县委组织部", "改过的部门"), encoding="utf-8")
    (docs / "d3.txt").write_text(OTHER, encoding="utf-8")
    g3, r3 = build_corpus(sorted(docs.glob("*.txt")), cache_dir=cache)
    assert (r3.processed, r3.cached) == (2, 2)
    assert "d3:P1" in g3


def test_corpus_view_answers(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    for i, org in enumerate(["县教育局", "县财政局", "县民政局"]):
        (tmp_path / f"m{i}.txt").write_text(
            f"{org}领导班子202{i + 1}年度民主生活会对照检查材料\n" + text, encoding="utf-8"
        )
    g, _ = build([tmp_path])
    table = corpus_view.document_table(g)
    assert [r["year"] for r in table] == [2021, 2022, 2023]
    assert {r["organisation"] for r in table} == {"县教育局领导班子", "县财政局领导班子", "县民政局领导班子"}
    clusters = corpus_view.problem_clusters(g)
    assert clusters and clusters[0]["documents_count"] == 3
    pol = corpus_view.policy_counts(g, by="year")
    assert pol["documents"]["三会一课"] == 3
    assert pol["table"]["三会一课"] == {"2021": 1, "2022": 1, "2023": 1}
    orgs = corpus_view.shared_problems_between_organisations(g)
    assert orgs[0]["shared_clusters"] >= 10
    hot = corpus_view.boilerplate_hotspots(g, min_docs=3)
    assert hot and hot[0]["documents"] == 3
