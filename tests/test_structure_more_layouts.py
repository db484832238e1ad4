"""More layouts of the family, each unlike the sample: 1./（1） areas in a 组织生活会 material with
首先/其次/最后 causes, 第一部分 headings with 检视剖析的问题, Word heading styles over plain paragraphs,
a 整改通报 whose organisational part and next steps are not measures, and a 巡视整改方案 whose numbered
problems carry 整改措施/责任 fields."""

from __future__ import annotations

from pathlib import Path

import docx

from tracegraph.graph.build.pipeline import build
from tracegraph.graph.query.queries import active_links
from tracegraph.loaders import load_file, parse

ROOT = Path(__file__).resolve().parents[1]


def _items(path: Path, t: str) -> list[tuple[str, str]]:
    doc = load_file(path)
    parsed = parse(doc)
    return [(i.path, doc.text[i.title_start : i.title_end]) for i in parsed.items if i.type == t]


def test_numbered_areas_and_sequence_words(tmp_path: Path) -> None:
    p = tmp_path / "zuzhi.txt"
    p.write_text(
        """2023年度组织生活会个人对照检查材料
按照支部要求，我认真对照检查，现将情况报告如下。
一、存在的主要问题
1.在学习贯彻习近平新时代中国特色社会主义思想方面
（1）学习的系统性不够。平时学习碎片化，满足于浏览新闻，没有系统研读原著。
（2）学用结合不够紧密。运用理论指导业务工作的能力不强。
2.在担当作为方面
（1）工作标准不够高。满足于完成任务，创新意识不强。
（2）攻坚克难的勇气不足。遇到难题有时绕着走。
二、产生问题的根源
首先，理想信念有所松懈。对政治理论学习重视不够。其次，宗旨意识有所淡化。为群众服务的自觉性不高。最后，纪律意识有所放松。对自己要求不严。
三、今后努力方向
（一）加强理论学习，每周至少学习5小时。
（二）提高工作标准，争创一流业绩。
""",
        encoding="utf-8",
    )
    assert [t for _, t in _items(p, "Area")] == ["在学习贯彻习近平新时代中国特色社会主义思想方面", "在担当作为方面"]
    assert [t for _, t in _items(p, "Problem")] == [
        "学习的系统性不够",
        "学用结合不够紧密",
        "工作标准不够高",
        "攻坚克难的勇气不足",
    ]
    assert [t for _, t in _items(p, "Cause")] == ["理想信念有所松懈", "宗旨意识有所淡化", "纪律意识有所放松"]
    assert [t for _, t in _items(p, "Measure")] == ["加强理论学习，每周至少学习5小时", "提高工作标准，争创一流业绩"]


def test_parts_headings_and_examined_problems(tmp_path: Path) -> None:
    p = tmp_path / "bufen.txt"
    p.write_text(
        """第一部分 检视剖析的问题
（一）政治建设方面。落实“第一议题”制度不够到位，有时以传达代替学习。
（二）作风建设方面。调查研究不深入，“四不两直”开展较少。例如，今年上半年仅到基层调研3次。
第二部分 问题产生的原因
理想信念不够坚定，党性修养有所放松，是问题产生的根本原因。
宗旨意识树得不牢，群众观念有所淡化。
第三部分 整改措施
一是强化政治建设。严格落实“第一议题”制度，每月专题学习不少于一次。
二是改进工作作风。每季度开展“四不两直”调研不少于两次，年底前形成调研报告。
""",
        encoding="utf-8",
    )
    assert [t for _, t in _items(p, "Problem")] == [
        "落实“第一议题”制度不够到位，有时以传达代替学习",
        "调查研究不深入，“四不两直”开展较少",
    ]
    assert len(_items(p, "Example")) == 1
    assert [t for _, t in _items(p, "Cause")] == [
        "理想信念不够坚定，党性修养有所放松，是问题产生的根本原因",
        "宗旨意识树得不牢，群众观念有所淡化",
    ]
    assert [t for _, t in _items(p, "Measure")] == ["强化政治建设", "改进工作作风"]


def test_word_heading_styles_over_plain_paragraphs(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("某局党组班子对照检查材料", 0)
    d.add_heading("存在的问题", 1)
    d.add_heading("政治建设方面", 2)
    d.add_paragraph("贯彻落实上级决策部署不够迅速。个别工作推进迟缓，落实效果打了折扣。")
    d.add_paragraph("政治理论学习不够深入。中心组学习有时流于形式。")
    d.add_heading("作风建设方面", 2)
    d.add_paragraph("调查研究不够扎实。深入基层次数偏少，比如今年仅调研2次。")
    d.add_heading("原因分析", 1)
    d.add_paragraph("理想信念有所弱化，放松了主观世界改造。")
    d.add_heading("整改措施", 1)
    d.add_paragraph("强化理论武装。每月开展一次集体学习。")
    p = tmp_path / "styles.docx"
    d.save(p)
    assert [t for _, t in _items(p, "Area")] == ["政治建设方面", "作风建设方面"]
    probs = _items(p, "Problem")
    assert [t for _, t in probs] == ["贯彻落实上级决策部署不够迅速", "政治理论学习不够深入", "调查研究不够扎实"]
    assert probs[0][0].endswith("政治建设方面/¶1")
    assert [t for _, t in _items(p, "Cause")] == ["理想信念有所弱化，放松了主观世界改造"]
    assert [t for _, t in _items(p, "Measure")] == ["强化理论武装"]


def test_notice_keeps_organisation_and_next_steps_out_and_links_named_problems() -> None:
    p = ROOT / "tools" / "bench" / "seeds" / "synthetic_tongbao.txt"
    assert [t for _, t in _items(p, "Problem")] == [
        "学习贯彻习近平新时代中国特色社会主义思想不够深入",
        "落实全面从严治党主体责任不到位",
        "干部队伍建设存在短板",
    ]
    measures = _items(p, "Measure")
    taken = [(path, t) for path, t in measures if not path.startswith("三、")]
    assert len(taken) == 5 and all(path.startswith("二、") for path, _ in taken)
    g, report = build([p])
    assert not report.failed
    ms = [d for _, d in g.nodes(data=True) if d.get("type") == "Measure"]
    assert [d["status"] for d in ms if not d.get("set_aside")] == ["taken"] * 5
    # next steps are kept, marked planned and set aside: never drawn as answers to a finding
    planned = [d for d in ms if d.get("set_aside")]
    assert planned and all(d["status"] == "planned" and d["set_aside"] == "planned" for d in planned)
    linked = {u for u, _v, _d in active_links(g, ("ADDRESSES", "TREATS"))}
    assert not any(g.nodes[u].get("set_aside") for u in linked)
    links = {
        (u.split(":")[1], v.split(":")[1]) for u, v, d in active_links(g, ("ADDRESSES",)) if d["origin"] == "explicit"
    }
    assert {("M1", "P1"), ("M2", "P1"), ("M3", "P2"), ("M4", "P2"), ("M5", "P3")} <= links


def test_inspection_plan_numbered_problems_with_fields() -> None:
    p = ROOT / "tools" / "bench" / "seeds" / "synthetic_xunshi_fangan.txt"
    assert [t for _, t in _items(p, "Problem")] == [
        "学习贯彻党的二十大精神不够深入",
        "乡村振兴战略推进力度不够",
        "“两个责任”落实不到位",
    ]
    g, _ = build([p])
    m = [d for _, d in g.nodes(data=True) if d.get("type") == "Measure"]
    assert [x["deadline"] for x in m] == ["2024年6月底前", "长期坚持", "2024年9月底前"]
    assert [x["department"] for x in m] == ["县委宣传部", "县农业农村局", "县纪委监委"]
    assert sum(1 for _, d in g.nodes(data=True) if d.get("type") == "Action") == 6
    assert not any(d.get("type") == "Problem" and "组织" in d.get("path", "") for _, d in g.nodes(data=True))
