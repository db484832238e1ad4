"""Fixture documents built at test time in a tmp dir, in layouts, encodings and formats unlike the sample.

Every organisation, person and figure here is invented. Each builder writes one file and returns its
path; the module-level constants hold what a careful reader would extract, so the tests can compare the
parser against the text itself rather than against whatever the parser happens to produce today.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------- 1. 个人对照检查材料 (GB18030 .txt)

PERSONAL_TITLE = "清河市水务局党组成员、副局长李𫖮2023年度民主生活会个人对照检查材料"
PERSONAL_PAST_HEADING = "一、上年度民主生活会整改措施落实情况"
PERSONAL_PAST_ITEMS = [
    "针对理论学习不够系统深入的问题，本人制定了年度个人学习计划，全年参加局党组理论学习中心组集体学习12次，"
    "撰写学习心得4篇，学习的系统性有所增强。",
    "针对深入基层调研不够的问题，本人先后到8个区县水务部门和15个供水厂站开展调研，形成调研报告2篇，"
    "推动解决农村供水保障问题6个。",
    "针对落实“一岗双责”不够到位的问题，本人与分管科室负责人开展谈心谈话26人次，督促整改廉政风险点9个。",
]
PERSONAL_PROBLEM_TITLES = [
    "理论学习的深度和系统性还不够",
    "服务群众的宗旨意识有所弱化",
    "攻坚克难的担当精神不够强",
    "落实全面从严治党责任还有薄弱环节",
]
PERSONAL_PROBLEM_BODIES = [
    "虽然能够按时参加中心组学习，但自学时间安排不够固定，有时以工作忙为由压缩学习时间，对习近平总书记关于治水的"
    "重要论述学得不够深、悟得不够透，运用党的创新理论指导水务工作实践的能力还有差距。",
    "到基层调研时听汇报多、看现场少，对群众反映的农村饮水安全问题跟踪督办不够及时。比如，2023年夏季部分乡镇出现"
    "季节性缺水，本人虽然作了安排部署，但对后续应急供水措施的落实情况过问不多。",
    "面对河湖“清四乱”整治中的历史遗留问题，有时存在畏难情绪，习惯于按部就班推进，主动破解难题的办法不多，"
    "个别问题整改进度滞后于时间节点。",
    "对分管科室干部的日常教育管理偏重于业务工作，廉政提醒多停留在会议要求上，对工程建设、资金拨付等重点环节的"
    "监督检查不够经常。",
]
PERSONAL_CAUSE_TITLES = [
    "理想信念的“总开关”拧得不够紧",
    "宗旨意识树得不够牢",
    "自我要求有所放松",
]
PERSONAL_CAUSE_BODIES = [
    "对加强理论学习的重要性认识不足，把学习当作软任务，没有真正做到学以铸魂、学以致用。",
    "随着职务变化和工作年限增加，与基层群众的直接联系少了，对群众急难愁盼问题的感受不够深切。",
    "认为自己长期在水务系统工作，经验比较丰富，产生了松劲歇脚的思想，对自己的要求有所降低。",
]
PERSONAL_MEASURE_TITLES = [
    "坚持学深悟透，筑牢信仰之基",
    "践行宗旨意识，提升服务质效",
    "强化担当作为，狠抓责任落实",
]
PERSONAL_MEASURE_STEPS = [
    ["制定个人年度学习计划，每周安排不少于4小时自学时间；", "坚持读原著、学原文、悟原理，每季度撰写1篇学习体会。"],
    ["每季度到基层调研不少于3次，建立群众反映问题台账；", "对农村饮水安全问题实行清单化管理、销号式督办。"],
    ["对河湖“清四乱”遗留问题逐一制定攻坚方案，明确时间表和路线图；",
     "认真履行“一岗双责”，每半年对分管领域开展1次廉政风险排查。"],
]
PERSONAL_CLOSING = "以上对照检查，如有不妥之处，恳请同志们批评指正。"


def personal_text() -> str:
    """The material as a Windows user saves it: CRLF lines, paragraphs indented with 全角 spaces."""
    ind = "\u3000\u3000"
    lines = [
        PERSONAL_TITLE,
        "",
        ind + "根据市委办公室关于认真开好2023年度民主生活会的通知要求，本人认真学习会议指定的学习材料，"
        "广泛征求意见建议，深入开展谈心谈话，紧扣会议主题进行了认真查摆。现将有关情况报告如下。",
        PERSONAL_PAST_HEADING,
        *(ind + s for s in PERSONAL_PAST_ITEMS),
        "二、存在的问题",
        ind + "对照本次民主生活会主题和“四个带头”要求，结合征求到的意见建议，本人主要存在以下几个方面的问题：",
        *(ind + t + "。" + b for t, b in zip(PERSONAL_PROBLEM_TITLES, PERSONAL_PROBLEM_BODIES, strict=True)),
        "三、原因剖析",
        ind + "深刻反思上述问题，根源主要在于：",
        *(ind + f"（{'一二三'[i]}）" + t + "。" + b
          for i, (t, b) in enumerate(zip(PERSONAL_CAUSE_TITLES, PERSONAL_CAUSE_BODIES, strict=True))),
        "四、整改措施",
        *(ind + f"{i + 1}." + t + "。" + "".join(s)
          for i, (t, s) in enumerate(zip(PERSONAL_MEASURE_TITLES, PERSONAL_MEASURE_STEPS, strict=True))),
        ind + PERSONAL_CLOSING,
    ]
    return "\r\n".join(lines) + "\r\n"


def write_personal_gb18030(folder: Path, name: str = "李副局长对照检查材料.txt") -> Path:
    """GB18030 bytes; the name contains a character outside GBK, as some real names do."""
    path = folder / name
    path.write_bytes(personal_text().encode("gb18030"))
    return path


# --------------------------------------------------------------------------- 2. 整改台账 (.txt)

LEDGER_TITLE = "清河县农业农村局落实县委第三巡察组反馈意见整改台账"
LEDGER_BLOCKS: list[dict[str, object]] = [
    {
        "problem": "“三重一大”事项集体决策制度执行不严格",
        "detail": "2022年以来有3项农田水利工程项目未经局党组会集体研究即签订施工合同。",
        "actions": [
            "修订《局党组“三重一大”事项集体决策实施办法》，明确决策范围、程序和责任。",
            "对2022年以来签订的工程合同逐项复核，对程序不合规的补充履行集体决策程序。",
            "将“三重一大”制度执行情况纳入年度内部审计重点。",
        ],
        "owner": "局党组书记、局长",
        "department": "办公室、计划财务股",
        "deadline": "2024年6月30日",
    },
    {
        "problem": "农村集体“三资”监管不到位",
        "detail": "部分村集体资产台账登记不全，2个村存在集体土地发包合同到期未续签仍由原承包人经营的情况。",
        "actions": [
            "组织开展农村集体“三资”专项清查，2024年5月底前完成全部行政村资产台账补录。",
            "对到期合同逐一清理，依法重新组织公开发包。",
        ],
        "owner": "分管副局长",
        "department": "农村经营管理股",
        "deadline": "2024年9月底前",
    },
    {
        "problem": "惠农补贴资金发放审核把关不严",
        "detail": "耕地地力保护补贴发放中，存在个别农户补贴面积与实际种植面积不符的情况。",
        "actions": [
            "对2023年度耕地地力保护补贴发放情况开展全面核查，多发资金限期追回。",
            "建立乡镇初审、部门复审、公示监督的三级审核机制。",
        ],
        "owner": "分管副局长",
        "department": "计划财务股、种植业管理股",
        "deadline": "长期坚持",
    },
]


LEDGER_SECTION = "一、巡察反馈问题及整改措施"


def ledger_text(multiline_actions: bool = False, section: bool = False) -> str:
    """`问题N：` blocks right under the title (or under one numbered section heading); the actions either
    run on the 整改措施 line or sit one per line below it."""
    lines = [LEDGER_TITLE, ""]
    if section:
        lines.append(LEDGER_SECTION)
    for n, b in enumerate(LEDGER_BLOCKS, 1):
        lines.append(f"问题{n}：{b['problem']}。{b['detail']}")
        acts = [f"{k}.{a}" for k, a in enumerate(b["actions"], 1)]  # type: ignore[arg-type]
        if multiline_actions:
            lines.append("整改措施：")
            lines.extend(acts)
        else:
            lines.append("整改措施：" + "".join(acts))
        lines.append(f"责任领导：{b['owner']}")
        lines.append(f"责任部门：{b['department']}")
        lines.append(f"完成时限：{b['deadline']}")
        lines.append("")
    return "\n".join(lines)


def write_ledger_txt(folder: Path, name: str = "农业农村局整改台账.txt", multiline_actions: bool = False,
                     section: bool = False) -> Path:
    path = folder / name
    path.write_text(ledger_text(multiline_actions, section), encoding="utf-8")
    return path


def ledger_md() -> str:
    """The same 台账 as Markdown: `#` title, `##` section, bold labels, one blank line between fields."""
    lines = [f"# {LEDGER_TITLE}", "", f"## {LEDGER_SECTION}", ""]
    for n, b in enumerate(LEDGER_BLOCKS, 1):
        acts = "".join(f"{k}.{a}" for k, a in enumerate(b["actions"], 1))  # type: ignore[arg-type]
        lines += [f"**问题{n}：**{b['problem']}。{b['detail']}", "", f"**整改措施：**{acts}", "",
                  f"**责任领导：**{b['owner']}", "", f"**责任部门：**{b['department']}", "",
                  f"**完成时限：**{b['deadline']}", ""]
    return "\n".join(lines)


def write_ledger_md(folder: Path, name: str = "农业农村局整改台账.md") -> Path:
    path = folder / name
    path.write_text(ledger_md(), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 3. Word .docx (list numbering + table)

DOCX_TITLE = "中共清河县教育局党组关于县委巡察反馈意见的整改方案"
DOCX_PROBLEMS = [
    ("落实意识形态工作责任制不到位",
     "局党组研究意识形态工作不够经常，2023年仅专题研究1次，对所属学校思政课教师队伍建设的指导不够有力。"),
    ("校外培训机构监管存在薄弱环节", "对无证办学机构排查不彻底，群众举报的3起违规培训问题处置不够及时。"),
    ("教育经费使用管理不规范", "部分学校公用经费支出审批手续不全，2所学校存在超范围列支接待费用的情况。"),
    ("干部队伍建设统筹谋划不够", "中层干部年龄结构偏大，45岁以下的仅占28%，年轻干部培养选拔力度不足。"),
]
DOCX_CAUSES = [
    ("政治站位不够高", "对意识形态工作极端重要性认识不足，习惯于抓业务工作，存在重教学质量、轻思想引领的倾向。"),
    ("管党治党责任压得不实", "党组对下属单位的监督偏重于年终考核，日常监督检查的频次和深度不够。"),
    ("制度执行刚性不足", "财务管理、干部选育等制度虽已建立，但执行中打折扣、搞变通的情况时有发生。"),
]
DOCX_TABLE_HEADER = ["序号", "整改措施", "针对问题", "责任部门", "完成时限"]
DOCX_MEASURE_ROWS = [
    ["1", "每季度至少召开1次党组会专题研究意识形态工作。制定思政课教师队伍建设三年规划。", "问题1",
     "办公室、思政教育股", "2024年12月底"],
    ["2", "联合市场监管、公安等部门开展校外培训专项治理。对群众举报问题实行“接诉即办”。", "问题2",
     "校外教育培训监管股", "2024年8月底"],
    ["3", "全面清查2021年以来各学校公用经费支出。对超范围列支的费用限期退回并严肃追责问责。", "问题3",
     "计划财务股", "2024年10月底"],
    ["4", "制定年轻干部培养三年计划。每年选派不少于5名年轻干部到乡镇中心学校挂职锻炼。", "干部队伍建设统筹谋划不够",
     "人事股", "长期坚持"],
]
# row index (0-based) → index of the problem its 针对问题 cell names
DOCX_TARGETS = {0: 0, 1: 1, 2: 2, 3: 3}

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _add_chinese_counting_list(document) -> str:  # type: ignore[no-untyped-def]
    """Add a （一）（二）… list to numbering.xml (Word's 中文编号 list) and return its numId."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    abstract_ids = [int(a.get(f"{{{_W_NS}}}abstractNumId")) for a in numbering.findall(f"{{{_W_NS}}}abstractNum")]
    num_ids = [int(n.get(f"{{{_W_NS}}}numId")) for n in numbering.findall(f"{{{_W_NS}}}num")]
    aid, nid = max(abstract_ids) + 1, max(num_ids) + 1
    abstract = parse_xml(
        f'<w:abstractNum xmlns:w="{_W_NS}" w:abstractNumId="{aid}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="（%1）"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr></w:lvl>'
        "</w:abstractNum>"
    )
    num = parse_xml(f'<w:num xmlns:w="{_W_NS}" w:numId="{nid}"><w:abstractNumId w:val="{aid}"/></w:num>')
    # abstractNum elements must precede num elements
    first_num = numbering.find(f"{{{_W_NS}}}num")
    first_num.addprevious(abstract)
    numbering.append(num)
    return str(nid)


def _set_num(paragraph, num_id: str, ilvl: int = 0) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml import parse_xml

    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(
        f'<w:numPr xmlns:w="{_W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))


def write_docx(folder: Path, name: str = "教育局巡察整改方案.docx") -> Path:
    """Problems as Word automatic numbering (List Number), causes as a 中文编号 list, measures in a table."""
    import docx

    d = docx.Document()
    d.add_paragraph(DOCX_TITLE, style="Title")
    d.add_paragraph("按照县委巡察工作领导小组的统一部署，县委第二巡察组对县教育局党组开展了常规巡察，并反馈了巡察意见。"
                    "局党组坚持问题导向，逐条研究制定整改措施，现将整改方案报告如下。")
    d.add_heading("存在的主要问题", level=1)
    d.add_paragraph("巡察组反馈指出的问题主要有：")
    for title, body in DOCX_PROBLEMS:
        d.add_paragraph(f"{title}。{body}", style="List Number")
    d.add_heading("原因分析", level=1)
    cn_list = _add_chinese_counting_list(d)
    for title, body in DOCX_CAUSES:
        p = d.add_paragraph(f"{title}。{body}")
        _set_num(p, cn_list)
    d.add_heading("整改措施", level=1)
    d.add_paragraph("针对巡察反馈问题，局党组逐项制定整改措施如下：")
    table = d.add_table(rows=1 + len(DOCX_MEASURE_ROWS), cols=len(DOCX_TABLE_HEADER))
    table.style = "Table Grid"
    for c, h in enumerate(DOCX_TABLE_HEADER):
        table.cell(0, c).text = h
    for r, row in enumerate(DOCX_MEASURE_ROWS, 1):
        for c, v in enumerate(row):
            table.cell(r, c).text = v
    d.add_paragraph("中共清河县教育局党组")
    d.add_paragraph("2024年3月15日")
    path = folder / name
    d.save(str(path))
    return path


# --------------------------------------------------------------------------- 4. PDF with a text layer

PDF_TITLE = "中共清河县卫生健康局党组关于巡察反馈问题的整改方案"
PDF_PROBLEMS = [
    ("贯彻落实党中央关于公立医院高质量发展的决策部署不够有力",
     "对县人民医院党委领导下的院长负责制落实情况督导不够，医院党委会与院长办公会议事规则修订滞后，"
     "部分重大事项仍由院长办公会直接决定。"),
    ("医疗卫生领域群众身边不正之风和腐败问题整治不够深入",
     "对医药购销领域的监督检查以查阅资料为主，深入科室、病区暗访抽查较少，个别医务人员收受“红包”的问题仍有发生。"),
    ("基层医疗卫生服务能力建设存在短板",
     "乡镇卫生院全科医生缺口较大，村卫生室药品配备不全，家庭医生签约服务存在“签而不约”的现象。"),
]
PDF_CAUSES = [
    ("对卫生健康工作的政治属性认识不够到位", "重业务轻党建的思想还不同程度存在，抓党建促业务的意识不够强。"),
    ("监督责任落实层层递减", "局党组对系统内各单位的监督偏重于年度考核，平时的监督检查不够经常、不够深入。"),
]
PDF_MEASURES = [
    ("全面落实公立医院党委领导下的院长负责制",
     "2024年6月底前指导县人民医院修订党委会和院长办公会议事规则，明确党委研究讨论事项清单。"),
    ("深入整治医疗卫生领域不正之风",
     "每季度组织1次医药购销领域专项检查，采取“四不两直”方式深入科室、病区暗访，发现一起、查处一起。"),
    ("补齐基层医疗卫生服务短板",
     "通过定向培养、县聘乡用等方式每年补充全科医生不少于10名，2024年底前实现村卫生室基本药物配备全覆盖。"),
]


def pdf_paragraphs() -> list[str]:
    cn = "一二三四五六七八九十"
    paras = [PDF_TITLE,
             "根据县委巡察工作领导小组的部署，县委第一巡察组对县卫生健康局党组开展了巡察并反馈了意见。局党组高度重视，"
             "对照反馈意见逐条认领，深入剖析根源，制定本整改方案。",
             "一、存在的问题"]
    paras += [f"（{cn[i]}）{t}。{b}" for i, (t, b) in enumerate(PDF_PROBLEMS)]
    paras.append("二、原因分析")
    paras += [f"（{cn[i]}）{t}。{b}" for i, (t, b) in enumerate(PDF_CAUSES)]
    paras.append("三、整改措施")
    paras += [f"（{cn[i]}）{t}。{b}" for i, (t, b) in enumerate(PDF_MEASURES)]
    return paras


def write_pdf(folder: Path, name: str = "卫健局巡察整改方案.pdf") -> Path:
    """公文-like layout: 16 pt type, 28 pt leading, two-character first-line indent, page numbers
    “- N -” in the footer; long paragraphs wrap mid-sentence and run across the page break."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=16, leading=28, firstLineIndent=32,
                          wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=20, leading=34, firstLineIndent=0, alignment=1)

    def footer(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont("STSong-Light", 12)
        canvas.drawCentredString(A4[0] / 2, 1.5 * cm, f"- {doc.page} -")

    path = folder / name
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2.8 * cm, rightMargin=2.6 * cm,
                            topMargin=3.7 * cm, bottomMargin=3.5 * cm)
    paras = pdf_paragraphs()
    flow = [Paragraph(paras[0], title)] + [Paragraph(p, body) for p in paras[1:]]
    doc.build(flow, onFirstPage=footer, onLaterPages=footer)
    return path


# --------------------------------------------------------------------------- 5. Markdown with # headings

MD_TITLE = "中共清河县市场监督管理局党组关于县委巡察反馈意见的整改工作方案"
MD_PROBLEMS = [
    ("食品安全监管存在盲区",
     "对农村集体聚餐、校园周边小餐饮的日常检查覆盖不全，2023年抽检不合格食品的后处置不够及时。"),
    ("营商环境优化措施落实不到位", "企业开办“一网通办”推进较慢，个别窗口存在“推拖绕”现象。"),
    ("执法办案规范化水平不高", "部分行政处罚案卷自由裁量说理不充分，执法记录仪使用不规范。"),
]
MD_CAUSES = [
    ("对市场监管工作的政治属性认识不够深刻",
     "局党组习惯于从业务角度看待监管工作，没有把食品安全、营商环境放到讲政治的高度来把握。"),
    ("基层监管力量配置与任务不匹配", "乡镇市场监管所人员少、任务重，专业执法人员占比不足三成，日常监管疲于应付。"),
]
MD_MEASURES = [
    ("织密食品安全监管网络", [
        "将农村集体聚餐纳入网格化管理，实行申报备案制度",
        "每学期开展1次校园周边食品安全专项整治",
        "对抽检不合格食品实行24小时内启动核查处置",
    ]),
    ("持续优化营商环境", [
        "2024年9月底前实现企业开办全程网上办理",
        "在政务服务窗口推行首问负责和限时办结制度",
    ]),
    ("提升执法办案规范化水平", [
        "制定行政处罚自由裁量基准适用指引",
        "每半年开展1次执法案卷评查，评查结果纳入年度考核",
    ]),
]


def md_text() -> str:
    cn = "一二三四五六七八九十"
    lines = [f"# {MD_TITLE}", "",
             "根据县委巡察工作领导小组的统一部署，结合巡察反馈意见，现制定如下整改工作方案。", "",
             "## 一、总体要求", "",
             "坚持问题导向、目标导向、结果导向，做到条条有整改、件件有着落、事事有回音。", "",
             "## 二、存在的主要问题", ""]
    lines += [f"{i}. **{t}。**{b}" for i, (t, b) in enumerate(MD_PROBLEMS, 1)]
    lines += ["", "## 三、原因剖析", ""]
    for t, b in MD_CAUSES:
        lines += [f"{t}。{b}", ""]
    lines += ["## 四、整改措施", ""]
    for i, (t, acts) in enumerate(MD_MEASURES):
        lines += [f"### （{cn[i]}）{t}", ""]
        lines.append("".join(f"{cn[k]}是{a}。" for k, a in enumerate(acts)))
        lines.append("")
    lines += ["## 五、组织保障", "", "成立由党组书记任组长的整改工作领导小组，统筹推进整改工作。", "",
              "---", "", "> 本方案自印发之日起施行。"]
    return "\n".join(lines) + "\n"


def write_md(folder: Path, name: str = "市场监管局整改工作方案.md") -> Path:
    path = folder / name
    path.write_text(md_text(), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 6. UTF-8 with BOM, 全角/半角 mix

BOM_PROBLEMS = [
    ("(一)", "统计法治意识还不够强",
     "对统计数据质量的重要性认识不足，个别专业统计数据审核把关不严，存在“重上报、轻审核”的倾向。"),
    ("（二）", "深入基层调研不够",
     "到乡镇统计站和调查点实地指导的次数偏少，对基层统计人员业务能力不足的情况掌握不够全面。"),
    ("(三)", "工作作风不够扎实", "满足于完成上级布置的任务，主动研究统计改革新情况新问题的意识不强。"),
]
BOM_CAUSES = [
    ("（一）", "党性修养有所放松", "对理论学习抓得不够紧，用党的创新理论武装头脑的自觉性不够强。"),
    ("(二)", "责任意识有所淡化", "认为统计工作是业务工作，对防范和惩治统计造假的政治责任认识不够到位。"),
]
BOM_MEASURES = [
    ("1．", "加强统计法治建设", "每年组织1次统计法律法规专题培训，严格执行数据审核责任制。"),
    ("2.", "深入基层开展调研", "每季度到乡镇统计站调研指导不少于2次，帮助解决基层统计实际困难。"),
    ("3．", "切实改进工作作风", "主动研究统计改革中的新情况新问题，每年形成不少于2篇专题分析报告。"),
]


def bom_text() -> str:
    lines = ["清河县统计局党组成员赵某某个人对照检查材料", "一、存在的问题"]
    lines += [f"{m}{t}。{b}" for m, t, b in BOM_PROBLEMS]
    lines.append("二、原因分析")
    lines += [f"{m}{t}。{b}" for m, t, b in BOM_CAUSES]
    lines.append("三、整改措施")
    lines += [f"{m}{t}。{b}" for m, t, b in BOM_MEASURES]
    return "\n".join(lines) + "\n"


def write_bom_txt(folder: Path, name: str = "统计局对照检查材料.txt") -> Path:
    path = folder / name
    path.write_bytes(b"\xef\xbb\xbf" + bom_text().encode("utf-8"))
    return path


# --------------------------------------------------------------------------- bad input

NO_STRUCTURE_TEXT = "\n".join([
    "关于举办2024年清河县职工春季运动会的通知",
    "各乡镇工会，县直各单位工会：",
    "为丰富职工文化体育生活，经研究，决定举办2024年清河县职工春季运动会。现将有关事项通知如下：",
    "一、时间地点",
    "2024年4月20日至21日，在县体育中心举行。",
    "二、参赛对象",
    "县直各单位、各乡镇在职职工，每单位限报运动员20名。",
    "三、比赛项目",
    "设拔河、篮球、跳绳、趣味接力等8个项目。",
    "四、报名办法",
    "请各单位于4月10日前将报名表报送县总工会文体部。",
    "清河县总工会",
    "2024年3月25日",
]) + "\n"


def write_empty(folder: Path, name: str = "空白材料.txt") -> Path:
    path = folder / name
    path.write_bytes(b"")
    return path


def write_binary(folder: Path, name: str = "乱码材料.txt") -> Path:
    """Random bytes with NULs, as when an image or archive is renamed .txt."""
    rng = random.Random(7)
    path = folder / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(2048)))
    return path


def write_unknown_ext(folder: Path, name: str = "整改台账.xls") -> Path:
    path = folder / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    return path


def write_random_docx(folder: Path, name: str = "损坏的方案.docx") -> Path:
    rng = random.Random(11)
    path = folder / name
    path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    return path


def write_garbage_zip_docx(folder: Path, name: str = "压缩包改名.docx") -> Path:
    """A real ZIP archive, but not a Word package: no [Content_Types].xml, garbage members."""
    rng = random.Random(13)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", bytes(rng.randrange(256) for _ in range(1024)))
        zf.writestr("readme.txt", "这不是 Word 文档")
    path = folder / name
    path.write_bytes(buf.getvalue())
    return path


def write_broken_xml_docx(folder: Path, name: str = "正文损坏.docx") -> Path:
    """A genuine .docx whose word/document.xml was truncated (a download that stopped half way)."""
    import docx

    good = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("一、存在的问题")
    d.save(good)
    good.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    path = folder / name
    path.write_bytes(out.getvalue())
    return path


def write_scanned_pdf(folder: Path, name: str = "扫描件.pdf") -> Path:
    """A PDF with no text layer: a drawn frame and a grey raster image, like a scanned page."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (200, 280), color=235)
    for y in range(40, 260, 12):
        for x in range(20, 180):
            img.putpixel((x, y), 60)
    path = folder / name
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(50, 50, A4[0] - 100, A4[1] - 100)
    c.drawImage(ImageReader(img), 100, 150, width=400, height=560)
    c.showPage()
    c.save()
    return path


def write_no_structure(folder: Path, name: str = "运动会通知.txt") -> Path:
    path = folder / name
    path.write_text(NO_STRUCTURE_TEXT, encoding="utf-8")
    return path


def write_plain_prose(folder: Path, name: str = "工作简报.txt") -> Path:
    """Prose without any heading or numbering at all."""
    path = folder / name
    path.write_text(
        "3月18日，县水务局组织召开春季防汛工作部署会议，传达学习上级有关会议精神。\n"
        "会议听取了各乡镇水利站关于汛前检查情况的汇报，并对水库安全度汛工作进行了安排。\n",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------- big workspaces, in a second

def replicated(g: Any, copies: int) -> Any:
    """``copies`` documents made of one graph's items (ids and titles of each copy its own), sharing its
    policy references: a big workspace in a second, for the renderer (the reading is tested elsewhere)."""
    import networkx as nx

    out = nx.MultiDiGraph()
    out.graph.update({k: v for k, v in g.graph.items() if k != "documents" and not k.startswith("_")})  # no caches
    out.graph["documents"] = {}
    [doc] = list(g.graph["documents"])

    def rename(n: str, k: int) -> str:
        if n == doc:
            return f"{doc}_{k}"
        return f"{doc}_{k}:{n.split(':', 1)[1]}" if n.startswith(doc + ":") else n

    for k in range(copies):
        meta = dict(g.graph["documents"][doc])
        meta["title"] = f"第{k + 1}号单位对照检查材料"
        meta["id"] = f"{doc}_{k}"
        out.graph["documents"][f"{doc}_{k}"] = meta
        for n, d in g.nodes(data=True):
            m = rename(n, k)
            if m not in out:
                out.add_node(m, **{**d, "doc": f"{doc}_{k}"} if d.get("doc") else d)
        for u, v, key, d in g.edges(keys=True, data=True):
            out.add_edge(rename(u, k), rename(v, k), key=key, **d)
    return out


def replicated_workspace(ws_dir: Path, copies: int) -> Any:
    """A workspace whose graph holds ``copies`` documents made of the sample (see `replicated`): the sample
    is imported and built, then its graph is replaced by the copies, stamped as current so the app reads it
    as it is. Returns the graph written (with one copy: the sample's own graph)."""
    from tracegraph.graph.curation.workspace import Workspace
    from tracegraph.graph.model.io import write_json

    ws = Workspace(ws_dir, user="fixture")
    try:
        if not ws.documents():
            ws.import_file(Path(__file__).resolve().parents[1] / "data" / "000_ddb002e987b04e7f.txt")
        ws.build()
        one = ws.current_graph()  # writes the curation stamp the app checks before reading build/graph.json
        if copies == 1:
            return one
        big = replicated(one, copies)
        write_json(big, ws.graph_path)
        return big
    finally:
        ws.close()


SAMPLE_TXT = Path(__file__).resolve().parents[1] / "data" / "000_ddb002e987b04e7f.txt"


def twin_copy(folder: Path, name: str = "copy-of-sample.txt") -> Path:
    """The sample as another organisation wrote it: only the opening names the organisation, so the codes
    and titles are the same in both (the look-alike ids every view must tell apart)."""
    text = SAMPLE_TXT.read_text(encoding="utf-8")
    assert text.count("县委组织部") == 1
    other = folder / name
    other.write_text(text.replace("县委组织部", "市委宣传部"), encoding="utf-8")
    return other


def two_document_graph(folder: Path) -> Any:
    """The sample and its twin (see `twin_copy`), built together."""
    from tracegraph.graph.build.pipeline import build

    g, report = build([SAMPLE_TXT, twin_copy(folder)])
    assert not report.failed and len(g.graph["documents"]) == 2
    return g


def sample_workspace(ws_dir: Path, *others: Path, user: str | None = None) -> Any:
    """A workspace holding the sample (and ``others``), built; returns the built graph. The app, browser and
    curation tests all start from it."""
    from tracegraph.graph.curation.workspace import Workspace

    with Workspace(ws_dir, user=user) as core:
        core.import_file(SAMPLE_TXT)
        for other in others:
            core.import_file(other)
        built = core.build()
        assert not built.failed
    return built.graph


def run_app(monkeypatch: Any, ws: Path, timeout: float = 60, user: str | None = None, **query: str) -> Any:
    """The app (AppTest) on workspace ``ws`` with ``query`` as the URL's query string, run once and checked to
    raise nothing; with ``user``, that name is the session's 校对人."""
    from streamlit.testing.v1 import AppTest

    from tracegraph.ui import state as vs

    monkeypatch.setenv("TRACEGRAPH_WORKSPACE", str(ws))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    if user is not None:
        at.session_state[vs.CURATION_USER_KEY] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(s: object) -> str:
    """What the reader sees of escaped text (ui.highlight.esc writes punctuation as character references)."""
    import html

    return html.unescape(str(s)).replace("\u2060", "")


def clear_shared_store(stores: bool = True) -> None:
    """Forget what the app on a paged store (ui.shared_store) cached: the catalogue, the parts, the numbers and, with
    `stores`, the open stores themselves (the next test's app must not see this one's)."""
    from tracegraph.ui import shared_store

    for cache in (shared_store._index, shared_store.document_graph, shared_store._counts):
        cache.clear()
    if stores:
        shared_store._store.clear()


def paged_page(monkeypatch: Any, ws: Path, kind: type, **query: str) -> tuple[Any, int]:
    """A page of the app on a paged store drawn in a fresh session, and what the store read for it (nothing from an
    earlier page's cache); the store must be a `kind`."""
    from tracegraph.ui import shared_store

    clear_shared_store(stores=False)
    monkeypatch.setenv("TRACEGRAPH_WORKSPACE", str(ws))  # the store the app opens: its decisions are the workspace's
    store = shared_store.store(shared_store.uri() or "")
    assert isinstance(store, kind)
    before = store.rows_read
    at = run_app(monkeypatch, ws, timeout=120, **query)
    return at, store.rows_read - before


def page_text(at: Any) -> str:
    """What a page shows as text: its markdown, captions, notices and headings."""
    return "\n".join(plain(e.value) for kind in ("markdown", "caption", "info", "warning", "header", "subheader")
                     for e in getattr(at, kind))


def empty_neo4j(driver: Any) -> None:
    """Delete everything in the test server's database, a few thousand nodes per transaction (the harness's
    server has a small transaction memory: one DETACH DELETE of a 1,000-document store runs out of it)."""
    while driver.execute_query("MATCH (n) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS k").records[0]["k"]:
        pass


def normalised(g: Any) -> dict[str, Any]:
    """graph.io.to_dict with every list sorted, so two graphs compare by content, not by storage order."""
    from tracegraph.graph.model.io import to_dict

    d = to_dict(g)
    return {
        "documents": sorted(d["documents"], key=lambda x: x["id"]),
        "nodes": sorted(d["nodes"], key=lambda x: x["id"]),
        "edges": sorted(d["edges"], key=lambda e: (e["source"], e["target"], e["type"])),
    }


def html_tables(at: Any) -> list[Any]:
    """The app's tables (ui.views.common.html_table: our own HTML in st.markdown) as DataFrames of what the
    reader sees: text unescaped, the right-aligned number columns as numbers."""
    from html.parser import HTMLParser

    import pandas as pd

    class Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tables: list[list[list[tuple[str, bool]]]] = []
            self.cell: list[str] | None = None
            self.num = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "table" and ("class", "tg-table") in attrs:
                self.tables.append([])
            elif tag == "tr" and self.tables:
                self.tables[-1].append([])
            elif tag in ("td", "th") and self.tables:
                self.cell, self.num = [], ("class", "tg-num") in attrs

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                self.tables[-1][-1].append(("".join(self.cell).replace("\u2060", ""), self.num))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    def value(text: str, num: bool) -> Any:
        return (float(text) if "." in text else int(text)) if num else text

    out = []
    for m in at.markdown:
        if 'class="tg-table"' not in str(m.value):
            continue
        p = Tables()
        p.feed(str(m.value))
        for t in p.tables:
            head, *rows = t
            out.append(pd.DataFrame([[value(c, n) for c, n in r] for r in rows], columns=[c for c, _ in head]))
    return out


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None, text: bool = True) -> Any:
    """``tracegraph <args>`` in a process of its own (the installed script, else ``python -m``), its output
    captured (as bytes with ``text=False``: for output that must be checked byte by byte)."""
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("tracegraph")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "tracegraph.cli"]
    return subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=text, timeout=300,
                          env={**os.environ, **(env or {})})
