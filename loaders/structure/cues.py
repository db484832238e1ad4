"""Wording that tells what a heading or a table column is about.

Roles come from the words of a heading, never from its position: the same 一、二、三 sections can be
problems, causes and measures in one material and 指导思想/整改任务/组织保障 in another.
"""

from __future__ import annotations

import re

# Checked in this order; the first that matches gives the role of the heading.
ROLE_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "other",
        re.compile(r"其他事项|其他需要说明|其它事项|其它需要说明|有关事项说明|个人有关事项|需要说明的(?:事项|问题)"),
    ),
    (
        "past",
        re.compile(r"(?:上年度|上一年度|上年|去年|上次|上一次|前次|以往|往年|上届).{0,16}(?:整改|落实|措施|问题)"),
    ),
    (
        "none",
        re.compile(
            r"组织领导|领导小组|工作开展情况|基本情况|总体要求|指导思想|工作目标|工作原则|组织保障|保障措施|"
            r"主要做法|工作成效|工作安排|方法步骤|步骤安排|学习研讨情况|征求意见情况|谈心谈话情况|会前准备"
        ),
    ),
    # 剖析 alone is a cause only when it is not 检视剖析的问题 (the problems an examination found)
    ("cause", re.compile(r"原因|根源|根子|病根|症结|(?<!检视)(?<!对照)剖析(?!.{0,6}问题)")),
    (
        "measure",
        re.compile(
            r"整改措施|改进措施|整改举措|努力方向|改进方向|整改方向|下一步|今后|打算|整改任务|整改落实|整改情况|"
            r"整改工作|措施|整改方案|整改思路|改进举措|努力的方向|巩固.{0,10}成果"
        ),
    ),
    ("problem", re.compile(r"问题|不足|差距|查摆|对照检查|检视|短板|表现|反思")),
]

# Within the measure role: which headings announce plans and which report what was done.
PLANNED_CUE = re.compile(r"下一步|今后|打算|努力方向|改进方向|计划|将|巩固.{0,10}成果|后续")
# Before an enumeration's first marker: the run is a plan (今后一是要…), and one that answers the run above it.
PLANNED_LEAD = re.compile(r"今后|下一步|下步|努力方向|将来|新的一年|明年|计划")
# Units inside a list of measures that are not measures taken.
CAUSE_UNIT = re.compile(
    r"(?:查摆|剖析|查找|分析|反思)[^。，,]{0,6}(?:问题)?(?:根源|原因|根子|症结)|问题(?:根源|原因)在于"
)
CONTEXT_UNIT = re.compile(r"前身为|经请示|答复|据了解|经核实|经调查|系历史遗留|原因是|由于历史")
ACTION_VERB = re.compile(r"制定|建立|开展|完善|修订|组织|加强|落实|推进|整改|清退|追缴|约谈|处分|召开|出台|健全")
FUTURE_UNIT = re.compile(r"将于|拟于|计划于|计划在|正在筹备|正在推进|正在办理|下一步|今后|争取在|预计")
DONE_UNIT = re.compile(r"已(?:经)?|完成了|实现了|收回|追缴|清退了")
RESULT_LABEL = re.compile(r"\s*(?:整改情况|整改措施|整改落实情况|落实情况|整改举措)\s*[:：]\s*")
PROBLEM_WORDS = re.compile(r"不足|问题|差距|短板|反思")
MEASURES_LEAD = re.compile(r"整改(?:收获|成效|措施|举措)|(?:采取|推出)了?[^。]{0,10}(?:措施|举措)")
REQUIREMENT_LEAD = re.compile(r"(?:会议|工作|上级)?要求\s*[:：]\s*$")
ANSWERS_ABOVE = re.compile(r"针对(?:以上|上述|这些|前述)|对照(?:以上|上述)")
# A document that reports measures taken (a 整改情况通报, 进展情况): its measures are taken unless said otherwise.
REPORT_TITLE = re.compile(r"整改(?:工作)?(?:进展|落实|完成)?情况(?:的)?(?:通报|报告)|整改进展|整改落实情况")
# Sub-items that tell how the rectification itself was organised; they answer no finding.
ORGANISATIONAL = re.compile(
    r"整改决心|整改责任|全面整改|整改实效|整改工作|组织领导|领导小组|工作专班|监督问责|统筹兼顾|督促检查|督导|"
    r"台账管理|对账销号|思想认识|政治站位.{0,6}整改"
)
RECTIFICATION_WORK = re.compile(r"巡视整改|巡察整改|整改工作|整改任务|审计整改")
# A sentence that sets the scene rather than states what was done.
BACKGROUND = re.compile(
    r"^[^，,。]{2,24}(?:是|事关|关乎|关系到|在于)[^。]{0,60}(?:工作|事业|大事|根本|关键|基础|保证|命运)"
)
# Shortcoming wording strong enough to make a unit a problem on its own.
SHORTCOMING_STRONG = re.compile(
    r"不够|不足|不强|不深|不实|不严|不到位|欠缺|差距|有待|薄弱|滞后|缺乏|不高|不细|不紧|不力|不及时|不充分|不全面|"
    r"不规范|不严格|松懈|还需|仍需|尚需|较慢|偏少|偏弱|弱化|淡化|不牢|短板"
)
# Work done: first in a batch, passed with distinction, figures of what was achieved.
ACHIEVEMENT = re.compile(
    r"已完成|完成了|高分通过|顺利通过|成为首批|首批|获评|荣获|获得|被评为|圆满|顺利完成|名列前茅|"
    r"\d+(?:项|个|次|人次|篇|所|家)"
)
# “还存在需要提高的地方。如：A；B；C”: a list of shortcomings introduced by 如/主要有 after an admission.
SHORTCOMING_LIST = re.compile(
    r"(?:存在|有)[^。]{0,20}(?:不足|问题|差距|需要提高|需要加强|短板|弱项|地方)[^。]{0,60}[。，,]?\s*"
    r"(?:(?:比如|例如|主要有|主要表现在|主要是|具体表现为)\s*[:：]?|如\s*[:：])"
)
TAKEN_CUE = re.compile(r"整改落实情况|整改情况|落实情况|完成情况|已完成|整改成效|整改进展")

OTHER_PARA = re.compile(
    r"^\s*(?:关于)?(?:其他事项说明|其他需要说明的(?:事项|问题|情况)|其它事项说明|其他事项|有关事项说明)\s*[:：]"
)
NONE_FOUND = re.compile(r"未发现|暂未发现|没有发现|尚未发现|不存在|无此类|没有.{0,12}(?:情况|问题|行为)")
SHORTCOMING = re.compile(
    r"不够|不足|不强|不深|不实|不严|不到位|欠缺|差距|有待|问题|缺乏|偏少|偏多|较少|少了|弱化|淡化|"
    r"滞后|不高|不细|不紧|不力|不及时|不充分|不全面|不规范|不严格|松懈|存在"
)

INTRO_PARA = re.compile(r"[:：]\s*$|以下|如下|主要有|主要表现|具体表现|体现在|表现在")
CLOSING_PARA = re.compile(r"^\s*(?:以上|上述|综上|恳请|敬请|请各位|特此)")
# 落款: the signing body and the date at the end of a material are neither items nor actions.
SIGNATURE = re.compile(
    r"^\s*(?:(?:\d{4}|二[〇○零一二三四五六七八九]{3})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月"
    r"\s*[\d一二三四五六七八九十]{1,3}\s*日|[^，。；：:,;!?！？]{2,30}(?:党组|党委|党工委|委员会|人民政府|局|厅|办公室|"
    r"领导班子|党支部|党总支|（盖章）|\(盖章\)))\s*$"
)

# Example openers inside a problem.
EXAMPLE_CUE = re.compile(r"(?:比如|例如|譬如|再如|又如)\s*[,，:：]?|如\s*[,，:：]")

# 台账 labels: the field a line or cell fills.
FIELD_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("target", re.compile(r"针对问题|对应问题|针对的问题|问题序号|问题编号|对应的问题")),
    ("index", re.compile(r"^\s*(?:序号|编号|No\.?)\s*$", re.I)),
    ("cause", re.compile(r"原因")),
    ("owner", re.compile(r"责任领导|责任人|牵头领导|分管领导|包保领导|责任校领导")),
    ("department", re.compile(r"责任部门|责任单位|牵头单位|牵头部门|责任科室|配合单位|配合部门|责任处室|承办单位")),
    ("deadline", re.compile(r"完成时限|整改时限|完成时间|整改时间|整改期限|时限|期限")),
    ("status", re.compile(r"整改情况|完成情况|整改进展|进展情况|整改进度|状态|整改结果")),
    ("goal", re.compile(r"整改目标|目标")),
    ("measure", re.compile(r"整改措施|措施|整改举措|改进措施|整改任务|整改办法")),
    ("problem", re.compile(r"问题|问题表现|问题描述|存在问题|具体问题|主要问题|表现")),
]

LABEL_LINE = re.compile(
    r"^\s*(问题表现|问题描述|存在问题|具体问题|整改措施|整改举措|改进措施|整改目标|整改时限|完成时限|完成时间|整改时间|"
    r"整改期限|责任领导|责任人|牵头领导|分管领导|责任部门|责任单位|牵头单位|牵头部门|配合单位|责任科室|整改情况|"
    r"完成情况|整改进展|原因分析|针对问题|对应问题)\s*[:：]"
)


def heading_role(title: str) -> str | None:
    for role, pat in ROLE_CUES:
        if pat.search(title):
            return role
    return None


def field_of(label: str) -> str | None:
    for name, pat in FIELD_CUES:
        if pat.search(label):
            return name
    return None
