"""问答 over several documents: every matching problem in every document is answered on its own, with the source's
cue sentence for an explicit link; "覆盖缺口" only where the reading is not in doubt, with candidates to confirm."""

from __future__ import annotations

from pathlib import Path

from tracegraph.graph.build.pipeline import build
from tracegraph.graph.query.ask import ask

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "000_ddb002e987b04e7f.txt"

SECOND = """中共某某镇委员会关于巡察整改进展情况的通报

一、关于“软弱涣散基层党组织整顿不到位”问题的整改

一是对3个软弱涣散村党组织逐一制定整顿方案，选派第一书记驻村指导。二是建立镇领导班子成员包联制度，每月督导一次。

欢迎广大干部群众监督。
"""


def test_every_matching_problem_in_every_document_gets_its_own_answer(tmp_path: Path) -> None:
    second = tmp_path / "镇委巡察整改通报.txt"
    second.write_text(SECOND, encoding="utf-8")
    g, report = build([SAMPLE, second])
    assert not report.failed
    ans = ask(g, "哪些措施针对软弱涣散基层党组织问题")
    docs = {e["target"]["doc"] for e in ans.per_target}
    assert docs == {"000_ddb002e987b04e7f", "镇委巡察整改通报"}  # both documents' problems, not one
    mine = next(e for e in ans.per_target if e["target"]["doc"] == "镇委巡察整改通报")
    assert mine["status"] == "answered" and [r["title"] for r in mine["results"]] == [
        "对3个软弱涣散村党组织逐一制定整顿方案，选派第一书记驻村指导",
        "建立镇领导班子成员包联制度，每月督导一次",
    ]
    assert all(r["origin"] == "explicit" for r in mine["results"])
    # the explicit cue sentence from the source is part of the answer
    assert "原文：一、关于“软弱涣散基层党组织整顿不到位”问题的整改" in mine["text"]
    assert ans.text.startswith("找到 2 个相关条目（1 个有对应的整改措施）")
    assert "（中共某某镇委员会关于巡察整改进展情况的通报）" in ans.text  # named by its title, not an id
    for e in ans.per_target:  # a gap is stated only with candidates or as a doubt, never bare
        if e["status"] == "gap":
            assert "覆盖缺口" in e["text"]
        assert e["status"] in ("answered", "gap", "doubtful")
