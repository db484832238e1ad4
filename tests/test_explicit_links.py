"""Explicit links (针对“……”问题, 导致“……”问题的根源) are found, named lists split, and no inferred link
stands beside them."""

from __future__ import annotations

from tracegraph.graph.build.pipeline import build
from tracegraph.graph.query.queries import active_links

DOC = """某县统计局领导班子对照检查材料
一、存在的问题
（一）学习不够深入。理论学习满足于读文件、记笔记，学用结合不紧密。
（二）调查研究不够。到基层调研次数少，掌握一手情况不全面。
（三）基层党建薄弱。个别支部“三会一课”不规范，组织生活流于形式。
二、原因分析
（一）思想认识不到位。这是导致“学习不够深入”问题的根源，对理论学习重要性认识不足。
（二）宗旨意识淡化。联系群众不够主动，服务意识不强。
三、整改措施
1.针对“学习不够深入”的问题，制定班子年度学习计划，每月开展一次集体学习。
2.针对调查研究不够、基层党建薄弱的问题，建立班子成员联系支部和基层调研制度，每季度调研不少于两次。
3.加强作风建设。严格落实中央八项规定精神，持续纠治“四风”。
"""


def _links(g, etype):
    return {(u.split(":")[1], v.split(":")[1], d["origin"]) for u, v, d in active_links(g, (etype,))}


def test_named_problems_give_explicit_links_without_inferred_duplicates(tmp_path):
    path = tmp_path / "zhendui.txt"
    path.write_text(DOC, encoding="utf-8")
    g, report = build([path])
    assert not report.failed
    addresses = _links(g, "ADDRESSES")
    measure_links = {x for x in addresses if x[0].startswith("M") and "." not in x[0]}
    assert measure_links == {("M1", "P1", "explicit"), ("M2", "P2", "explicit"), ("M2", "P3", "explicit")}
    explains = _links(g, "EXPLAINS")
    assert ("C1", "P1", "explicit") in explains
    assert not [x for x in explains if x[1] == "P1" and x[2] == "inferred"]
    assert not [x for x in explains if x[0] == "C1" and x[2] == "inferred"]
    for u, _v, d in active_links(g, ("ADDRESSES",)):
        if d["origin"] == "explicit" and g.nodes[u]["type"] == "Measure":
            assert d["score"] == 1.0
            assert "针对" in d["evidence"]["source_sentence"]["text"]
    # every problem has exactly one kind of link per measure pair: no explicit + inferred twins
    pairs = [(u, v) for u, v, d in g.edges(data=True) if d["type"] == "ADDRESSES"]
    assert len(pairs) == len(set(pairs))
