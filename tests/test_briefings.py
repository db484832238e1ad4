"""Briefings a leader can be handed (issue 14): the 公文 DOCX read back from the PDF LibreOffice makes of it,
the editable PPTX read back with python-pptx, the layered figures checked geometrically, the 政策依据 of
measures against 溯源, and the Chinese file names."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tracegraph.graph.exporters import default_filename, export, make_job, safe_filename
from tracegraph.graph.exporters._draw import figure_plan
from tracegraph.graph.exporters._layout import Box, segment_hits_box
from tracegraph.graph.exporters.deck_pptx import PICTURE_TYPES, neighbourhood
from tracegraph.graph.model.io import write_json
from tracegraph.graph.query.queries import counted_problems, gaps, matrix, trace
from tracegraph.graph.query.subgraph import select

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
TODAY = date(2026, 11, 30)
REQUIRE = os.environ.get("TRACEGRAPH_REQUIRE_BROWSER") == "1"
MM = 72 / 25.4  # PDF points per millimetre


def _soffice() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdfinfo"):
        if REQUIRE:
            pytest.fail("soffice/pdfinfo missing (scripts/system-deps.sh)")
        pytest.skip("LibreOffice (soffice) or poppler-utils not installed")
    return soffice


def _to_pdf(path: Path, out_dir: Path) -> Path:
    soffice = _soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "lo-profile"  # a private profile: parallel soffice runs do not collide
    res = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(path)],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    pdf = out_dir / (path.stem + ".pdf")
    if not pdf.is_file():
        if "impress" in path.suffix or path.suffix == ".pptx":
            if REQUIRE:
                pytest.fail(f"LibreOffice Impress missing (scripts/system-deps.sh): {res.stderr}")
            pytest.skip("LibreOffice Impress (libreoffice-impress-nogui) not installed")
        pytest.fail(f"soffice made no PDF: {res.stdout} {res.stderr}")
    return pdf


# --- figures that tell the truth --------------------------------------------------------------------


def _crossings(boxes: dict[str, Box], routes: list[tuple[str, str, list[tuple[float, float]]]]) -> list[str]:
    bad = []
    for u, v, pts in routes:
        for a, b in itertools.pairwise(pts):
            for n, box in boxes.items():
                if n not in (u, v) and segment_hits_box(a, b, box):
                    bad.append(f"{u}→{v} crosses {n}")
    return bad


@pytest.mark.parametrize("compact", [False, True])
def test_p53_figure_is_layered_complete_and_crosses_no_box(sample_graph, compact):
    job = make_job(sample_graph, "trace:P5.3", today=TODAY)
    plan = figure_plan(job, compact)
    g = job.graph
    # every relation of the selection is drawn, once
    drawn = sorted((r.source, r.target, r.data["type"]) for r in plan.routes)
    assert drawn == sorted((u, v, d["type"]) for u, v, d in g.edges(data=True) if u != v)
    assert len(drawn) == 5  # C4→P5.3, M5→P5.3, M5.A1→P5.3, M5→C4, M5→M5.A1
    # no edge segment passes through a box it does not end at (the M11→P5.3-through-C4 bug)
    assert not _crossings(plan.boxes, [(r.source, r.target, r.points) for r in plan.routes])
    # each route starts on its source box's border and ends on its target's
    for r in plan.routes:
        for node, (x, y) in ((r.source, r.points[0]), (r.target, r.points[-1])):
            x0, y0, x1, y1 = plan.boxes[node]
            assert min(abs(x - x0), abs(x - x1)) < 1e-9 and y0 <= y <= y1
    # layered left to right: 原因 → 问题 → 整改措施 → 具体举措
    col = {g.nodes[n]["type"]: plan.columns[n] for n in g}
    assert col["Cause"] < col["Problem"] < col["Measure"] < col["Action"]
    # the relation that skips a column (M5 整治 C4) is routed around P5.3, not through it
    treats = next(r for r in plan.routes if r.data["type"] == "TREATS")
    assert len(treats.points) > 2


def test_whole_sample_figure_crosses_no_box(sample_graph):
    job = make_job(sample_graph, "all", today=TODAY)
    for compact in (False, True):
        plan = figure_plan(job, compact)
        assert len(plan.routes) == sum(1 for u, v in job.graph.edges() if u != v)
        assert not _crossings(plan.boxes, [(r.source, r.target, r.points) for r in plan.routes])


def test_exports_use_the_apps_palette():
    from tracegraph.graph.exporters import _style
    from tracegraph.ui import graph_view

    assert graph_view.TYPE_COLOURS is _style.TYPE_COLOURS and graph_view.EDGE_COLOURS is _style.EDGE_COLOURS
    assert _style.TYPE_COLORS["Measure"] == "#1e88e5"  # measures are blue on screen and in every export


# --- the 公文 DOCX -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph_file(sample_graph, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("brief") / "graph.json"
    write_json(sample_graph, path)
    return path


def _cli_json(*args: str) -> dict:
    res = subprocess.run(
        [sys.executable, "-m", "tracegraph.cli", *args, "--json"], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _opening(paragraphs: list[str]) -> str:
    i = paragraphs.index("一、总体情况")
    return paragraphs[i + 1]


def _figures(text: str) -> dict[str, int]:
    m = re.search(r"本次梳理问题(\d+)个，其中(\d+)个有明确的整改措施，覆盖率(\d+)%", text)
    assert m, text
    out = {"problems": int(m[1]), "with": int(m[2]), "coverage": int(m[3])}
    m = re.search(r"分析原因(\d+)个，其中(\d+)个有对应的整改措施", text)
    if m:
        out |= {"causes": int(m[1]), "treated": int(m[2])}
    m = re.search(r"涉及整改措施(\d+)条", text)
    assert m
    out["measures"] = int(m[1])
    return out


def test_opening_figures_equal_gaps_and_matrix(sample_graph, graph_file, tmp_path):
    from docx import Document

    # the whole sample: the CLI's own `gaps`/`matrix` answers
    path = tmp_path / "all.docx"
    export(sample_graph, "all", "docx", path, today=TODAY)
    fig = _figures(_opening([p.text for p in Document(str(path)).paragraphs]))
    gp = _cli_json("gaps", "--graph", str(graph_file))
    mx = _cli_json("matrix", "--graph", str(graph_file))
    assert fig["problems"] == len(mx["problems"]) == 17
    assert fig["with"] == len(mx["problems"]) - len(gp["problems_without_measures"]) == 15
    assert fig["coverage"] == round(100 * 15 / 17) == 88
    assert fig["measures"] == len(mx["measures"])
    causes = [n for n, d in sample_graph.nodes(data=True) if d["type"] == "Cause"]
    assert fig["causes"] == len(causes) and fig["treated"] == len(causes) - len(gp["causes_without_measures"])
    # a trace selection: gaps/matrix on the same selected subgraph
    path = tmp_path / "p53.docx"
    export(sample_graph, "trace:P5.3", "docx", path, today=TODAY)
    fig = _figures(_opening([p.text for p in Document(str(path)).paragraphs]))
    sub = select(sample_graph, "trace:P5.3")
    assert fig["problems"] == len(matrix(sub)["problems"]) == 1
    assert fig["with"] == 1 - len(gaps(sub)["problems_without_measures"])
    assert fig["measures"] == len(matrix(sub)["measures"])


def test_docx_layout_fonts_and_page_numbers(sample_graph, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    path = tmp_path / "all.docx"
    export(sample_graph, "all", "docx", path, today=TODAY)
    doc = Document(str(path))
    sec = doc.sections[0]
    mm = [round(x.mm, 1) for x in (sec.page_width, sec.page_height)]
    assert mm == [210, 297]  # stored in twips: 210 mm is 11906 twips
    margins = [round(x.mm, 1) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)]
    assert margins == [37, 35, 28, 26]
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 22 lines
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.paragraph_format.line_spacing.pt == pytest.approx(28.95)

    def east_asia(run) -> str:
        return run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    title = doc.paragraphs[0]
    assert title.alignment == 1 and east_asia(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    by_text = {p.text: p for p in doc.paragraphs}
    assert east_asia(by_text["一、总体情况"].runs[0]) == "黑体"
    part = next(p for t, p in by_text.items() if t.startswith("（一）"))
    assert east_asia(part.runs[0]) == "楷体_GB2312"
    lead = next(p for t, p in by_text.items() if t.startswith("1.问题表现"))
    assert east_asia(lead.runs[0]) == "仿宋_GB2312" and lead.runs[0].bold
    assert east_asia(lead.runs[1]) == "仿宋_GB2312" and lead.runs[1].font.size.pt == 16
    # page numbers: odd pages right, even pages left, 4号 宋体
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = sec.footer.paragraphs[0], sec.even_page_footer.paragraphs[0]
    assert (odd.alignment, even.alignment) == (2, 0)  # RIGHT, LEFT
    for par in (odd, even):
        assert par.text.startswith("— ") and par.text.endswith(" —")
        assert "PAGE" in par._p.xml and east_asia(par.runs[0]) == "宋体" and par.runs[0].font.size.pt == 14
    fonts = path.parent / "ft.xml"
    fonts.write_bytes(__import__("zipfile").ZipFile(path).read("word/fontTable.xml"))
    assert 'w:name="仿宋_GB2312"><w:altName w:val="仿宋"' in fonts.read_text(encoding="utf-8")  # the fallback


def test_docx_pdf_page_size_margins_and_page_numbers(sample_graph, tmp_path):
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer, LTTextLine

    path = tmp_path / "全部.docx"
    export(sample_graph, "all", "docx", path, today=TODAY)
    pdf = _to_pdf(path, tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    w, h = (float(x) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (w, h) == (pytest.approx(595.3, abs=1), pytest.approx(841.9, abs=1))  # A4 portrait
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert pages >= 3
    left, right, top, bottom = 28 * MM, w - 26 * MM, h - 37 * MM, 35 * MM
    body_x0, body_x1, body_top = [], [], []
    for i, page in enumerate(extract_pages(str(pdf)), 1):
        lines = [
            ln
            for box in page
            if isinstance(box, LTTextContainer)
            for ln in box
            if isinstance(ln, LTTextLine) and ln.get_text().strip()
        ]
        number = [ln for ln in lines if re.fullmatch(rf"—\s*{i}\s*—", ln.get_text().strip())]
        assert len(number) == 1, (i, [ln.get_text() for ln in lines[-3:]])
        num = number[0]
        assert num.y1 < bottom  # in the bottom margin
        if i % 2:
            assert num.x1 > right - 20 * MM, (i, num.bbox)  # odd pages: outer edge = right
        else:
            assert num.x0 < left + 20 * MM, (i, num.bbox)  # even pages: outer edge = left
        body = [ln for ln in lines if ln is not num]
        body_x0 += [ln.x0 for ln in body]
        for ln in body:
            if ln.x1 > right + 1:  # LibreOffice hangs one closing CJK punctuation mark into the margin
                assert ln.get_text().strip()[-1] in "，。、；：”）》…" and ln.x1 < right + 17, ln.get_text()
            else:
                body_x1.append(ln.x1)
        body_top += [ln.y1 for ln in body]
        assert all(ln.y0 > bottom - 2 for ln in body), i
    # the text block stands inside the margins and reaches them (justified lines fill the 156 mm)
    assert min(body_x0) == pytest.approx(left, abs=3)
    assert max(body_x1) == pytest.approx(right, abs=4)
    assert max(body_top) <= top + 2 and max(body_top) > top - 25
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "总体情况" in re.sub(r"\s+", "", text)


def test_reading_doubts_are_named_and_their_gaps_not_findings(sample_graph, sample_doc_id, tmp_path):
    import copy

    from docx import Document

    g = copy.deepcopy(sample_graph)
    reading = g.graph["documents"][sample_doc_id].setdefault("reading", {})
    from tracegraph.graph.query.queries import doubtful, reading_of
    from tracegraph.loaders.structure.reading import DOUBT

    code = sorted(DOUBT)[0]
    reading.setdefault("warnings", []).append({"code": code, "text": "疑似漏读整改措施"})
    assert doubtful(reading_of(g, sample_doc_id)) == ["疑似漏读整改措施"]
    path = tmp_path / "doubt.docx"
    export(g, "all", "docx", path, today=TODAY)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "读取存疑" in text and "不作为结论" in text
    missing = gaps(g)["problems_without_measures"][0]["title"].rstrip("。；")
    assert "疑似漏读整改措施" in text
    assert any(missing in t and "待人工核实" in t and "不作为结论" in t for t in text.splitlines())


# --- 政策依据 in every format that shows measures ------------------------------------------------------


def test_measure_policy_refs_equal_trace_in_docx_md_pptx(sample_graph, tmp_path):
    from docx import Document
    from pptx import Presentation

    m5 = next(n for n in sample_graph if n.endswith(":M5"))
    want = [r["canonical"] for r in trace(sample_graph, m5)["policy_refs"]]
    assert "三会一课" in want
    line = "政策依据：" + "、".join(want)
    export(sample_graph, "trace:P5.3", "docx", tmp_path / "p.docx", today=TODAY)
    assert any(line in p.text for p in Document(str(tmp_path / "p.docx")).paragraphs)
    export(sample_graph, "trace:P5.3", "md", tmp_path / "p.md", today=TODAY)
    assert line in (tmp_path / "p.md").read_text(encoding="utf-8")
    export(sample_graph, "trace:P5.3", "pptx", tmp_path / "p.pptx", today=TODAY)
    texts = [sh.text_frame.text for s in Presentation(str(tmp_path / "p.pptx")).slides for sh in s.shapes
             if sh.has_text_frame]  # fmt: skip
    assert any(line in t for t in texts)


# --- the editable deck -------------------------------------------------------------------------------


def _slide_picture(slide):
    """Box shapes by id, connectors with their glued ends and coordinates (inches)."""
    from pptx.util import Emu

    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
          "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}  # fmt: skip
    shapes, connectors = {}, []
    for sh in slide.shapes:
        if sh.shape_type == 9 or sh.element.tag.endswith("}cxnSp"):  # a connector
            st = sh.element.find(".//a:stCxn", ns)
            en = sh.element.find(".//a:endCxn", ns)
            connectors.append(
                (
                    int(st.get("id")) if st is not None else None,
                    int(en.get("id")) if en is not None else None,
                    ((Emu(sh.begin_x).inches, Emu(sh.begin_y).inches), (Emu(sh.end_x).inches, Emu(sh.end_y).inches)),
                    sh.name,
                )
            )
        else:
            shapes[sh.shape_id] = sh
    return shapes, connectors


@pytest.mark.parametrize("selection, n_problems", [("trace:P5.3", 1), ("trace:P5.2,P5.3,P1.1", 3)])
def test_pptx_one_slide_per_problem_with_glued_connectors(sample_graph, tmp_path, selection, n_problems):
    from pptx import Presentation
    from pptx.util import Emu

    path = tmp_path / "deck.pptx"
    job = export(sample_graph, selection, "pptx", path, today=TODAY)
    problems = counted_problems(job.graph)
    assert len(problems) == n_problems
    prs = Presentation(str(path))
    slides = list(prs.slides)
    assert len(slides) == 2 + n_problems + 1  # title, overview, one per problem, gaps
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in slides]
    assert titles[1] == "总体情况" and titles[-1].startswith("覆盖缺口")
    for p, slide in zip(problems, slides[2:-1], strict=True):
        title = job.graph.nodes[p]["title"]
        assert titles[slides.index(slide)] == (title if len(title) <= 30 else title[:29] + "…")
        pic = neighbourhood(job.graph, [p])
        shapes, connectors = _slide_picture(slide)
        boxes = {sh.shape_id: sh for sh in shapes.values() if "·" in sh.name and not sh.name.startswith("途经点")}
        by_title = {sh.text_frame.text: sh for sh in boxes.values()}
        # one box per node, its text the node's full title, in the app's colour
        for _n, d in pic.nodes(data=True):
            assert " ".join(d["title"].split()) in by_title, d["title"]
        assert len(boxes) == pic.number_of_nodes()
        node_of = {by_title[" ".join(d["title"].split())].shape_id: n for n, d in pic.nodes(data=True)}
        dots = {i for i, sh in shapes.items() if sh.name.startswith("途经点")}
        # every relation is a chain of connectors glued from the source box through junctions to the target box
        nxt = {}
        for st, en, _pts, _name in connectors:
            assert st is not None and en is not None, "every connector is glued at both ends"
            assert st in boxes or st in dots
            assert en in boxes or en in dots
            nxt.setdefault(st, []).append(en)
        chains = set()
        for st, en, _pts, _name in connectors:
            if st in boxes:
                hops = [en]
                while hops[-1] in dots:
                    hops.append(nxt[hops[-1]][0])
                chains.add((node_of[st], node_of[hops[-1]]))
        assert chains == {(u, v) for u, v in pic.edges()}
        # and, drawn where they stand, no connector crosses a box it does not join
        rects = {
            i: (Emu(sh.left).inches, Emu(sh.top).inches, Emu(sh.left + sh.width).inches, Emu(sh.top + sh.height).inches)
            for i, sh in boxes.items()
        }
        for st, en, (a, b), _name in connectors:
            for i, r in rects.items():
                if i not in (st, en):
                    assert not segment_hits_box(a, b, r), (_name, boxes[i].name)
        assert {pic.nodes[n]["type"] for n in pic} <= set(PICTURE_TYPES)
    # Chinese fonts set on every run (a:ea)
    for slide in slides:
        for sh in slide.shapes:
            if sh.has_text_frame:
                for par in sh.text_frame.paragraphs:
                    for run in par.runs:
                        ea = run._r.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}ea")
                        assert ea is not None and ea.get("typeface"), run.text


def test_pptx_larger_selection_has_one_slide_per_area(sample_graph, tmp_path):
    from pptx import Presentation

    path = tmp_path / "all.pptx"
    job = export(sample_graph, "all", "pptx", path, today=TODAY)
    areas = {job.graph.nodes[p].get("area") for p in counted_problems(job.graph)}
    assert len(Presentation(str(path)).slides) == 2 + len(areas) + 1


def test_pptx_renders_through_libreoffice(sample_graph, tmp_path):
    path = tmp_path / "整改追溯_P5.3.pptx"
    export(sample_graph, "trace:P5.3", "pptx", path, today=TODAY)
    pdf = _to_pdf(path, tmp_path / "pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(ARTIFACTS / "deck_p53")], check=True)
        made = sorted(ARTIFACTS.glob("deck_p53*.png"))
        assert len(made) >= 4
    docx = tmp_path / "整改追溯_P5.3.docx"
    export(sample_graph, "trace:P5.3", "docx", docx, today=TODAY)
    dpdf = _to_pdf(docx, tmp_path / "dpdf")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-l", "2", str(dpdf), str(ARTIFACTS / "briefing_p53")])
    export(sample_graph, "trace:P5.3", "png", ARTIFACTS / "figure_p53.png", today=TODAY)


# --- file names ----------------------------------------------------------------------------------------


def test_chinese_file_names_safe_on_windows(sample_graph):
    name = default_filename("trace:P5.3", "docx", TODAY, sample_graph)
    assert name == "整改追溯_在加强干部监督管理方面还不够严格_2026-11-30.docx"
    assert default_filename("all", "pptx", TODAY, sample_graph) == "整改追溯_全部材料_2026-11-30.pptx"
    assert default_filename("gaps", "md", TODAY) == "整改追溯_覆盖缺口_2026-11-30.md"
    for bad, want in [
        ('a<b>:c"d/e\\f|g?h*i', "a_b_c_d_e_f_g_h_i"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1", "_com1"),
        ("结尾的点。. ", "结尾的点。"),
        ("换\n行\t制表", "换 行 制表"),
    ]:
        assert safe_filename(bad) == want


@pytest.mark.parametrize("selection", ["gaps", "types:PolicyRef", "focus:M5,depth=2", "types:Cause"])
def test_briefing_formats_survive_odd_selections(sample_graph, tmp_path, selection):
    """Selections without problems, or without measures, still give a readable briefing and deck."""
    from docx import Document
    from pptx import Presentation

    export(sample_graph, selection, "docx", tmp_path / "b.docx", today=TODAY)
    text = "\n".join(p.text for p in Document(str(tmp_path / "b.docx")).paragraphs)
    assert "一、总体情况" in text and "三、覆盖缺口" in text
    job = export(sample_graph, selection, "pptx", tmp_path / "b.pptx", today=TODAY)
    assert len(Presentation(str(tmp_path / "b.pptx")).slides) == 3 + len(counted_problems(job.graph))
