"""Every export format, read back with an independent reader and checked against the selection.

The selection is the trace of P5.2 in a copy of the sample whose problem, measure and a cited policy
reference carry hostile titles (quotes, backslashes, line breaks, a Cypher injection, HTML/script
injection, an Excel formula). The DOCX is also converted to PDF with LibreOffice."""

from __future__ import annotations

import copy
import csv
import html.parser
import io
import json
import os
import re
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from tracegraph.graph.exporters import default_filename, export, export_bytes, formats
from tracegraph.graph.exporters._style import TYPE_COLORS, hex_to_rgb
from tracegraph.graph.exporters.cypher import cypher_string
from tracegraph.graph.model.io import read_json
from tracegraph.graph.model.schema import EDGE_TYPES, NODE_TYPES
from tracegraph.graph.query.queries import counted_problems, gaps
from tracegraph.graph.query.subgraph import select

REQUIRE_BROWSER = os.environ.get("TRACEGRAPH_REQUIRE_BROWSER") == "1"
TODAY = date(2024, 5, 1)
SELECT = "trace:P5.2"
HOSTILE = (
    '两个责任\'}) DETACH DELETE n //"双引号"\\反斜杠\\u0041\n第二行\r\t'
    "<img src=x onerror=\"document.title='pwned'\"></script><script>document.title='pwned'</script>|竖线\u2028尾"
)
HOSTILE_MEASURE = '=HYPERLINK("http://evil.example/x","点我") 提高政治站位'
HOSTILE_POLICY = "policy:它'}) MATCH (m) DETACH DELETE m //"
ALL_FORMATS = {"csv", "cypher", "docx", "gexf", "graphml", "html", "json", "md", "png", "pptx", "svg"}


@pytest.fixture(scope="module")
def hostile_graph(sample_graph, sample_doc_id):
    g = copy.deepcopy(sample_graph)
    p, m1, m3 = (f"{sample_doc_id}:{s}" for s in ("P5.2", "M1", "M3"))
    g.nodes[p]["title"] = HOSTILE
    g.nodes[m1]["title"] = HOSTILE_MEASURE
    g.add_node(
        HOSTILE_POLICY,
        type="PolicyRef",
        title=HOSTILE_POLICY[7:],
        text=HOSTILE_POLICY[7:],
        doc=None,
        start=None,
        end=None,
        path="",
        marker="",
        kind="document",
        canonical=HOSTILE_POLICY[7:],
        aliases=["《它》", "它'"],
    )
    g.add_edge(
        p, HOSTILE_POLICY, key="CITES", type="CITES", origin="parsed", mentions=[[sample_doc_id, 4394, 4400, "“它”"]]
    )
    g.add_edge(m3, p, key="ADDRESSES", type="ADDRESSES", origin="curated", rejected=True)
    return g


@pytest.fixture(scope="module")
def expected(hostile_graph):
    return select(hostile_graph, SELECT)


@pytest.fixture(scope="module")
def outputs(hostile_graph, tmp_path_factory):
    """Each format through export_bytes (what the app's buttons call), written to a file."""
    folder = tmp_path_factory.mktemp("exports")
    out = {}
    for name in sorted(ALL_FORMATS):
        data, filename, mime = export_bytes(hostile_graph, SELECT, name, today=TODAY)
        path = folder / filename
        path.write_bytes(data)
        out[name] = (path, mime)
    return out


def _edge_set(g: nx.MultiDiGraph) -> set[tuple[str, str, str]]:
    return {(u, v, d["type"]) for u, v, d in g.edges(data=True)}


def test_registry_lists_every_format_with_mime_and_suffix(outputs):
    specs = formats()
    assert set(specs) == ALL_FORMATS
    stem = outputs["docx"][0].name.removesuffix(".docx")
    assert stem.startswith("整改追溯_") and stem.endswith("_2024-05-01")
    for name, (path, mime) in outputs.items():
        assert path.name == f"{stem}{specs[name].suffix}"  # the hostile title, made safe for a file name
        assert not set('<>:"/\\|?*') & set(path.name) and "\n" not in path.name
        assert mime == specs[name].mime and path.stat().st_size > 100
    assert outputs["csv"][1] == "application/zip"
    assert default_filename("types:Problem;doc:x", "docx", TODAY) == "整改追溯_x_2024-05-01.docx"


def test_selection_excludes_rejected_and_keeps_hostile_nodes(hostile_graph, expected, sample_doc_id):
    p = f"{sample_doc_id}:P5.2"
    assert HOSTILE_POLICY in expected and f"{sample_doc_id}:M3" not in expected
    assert expected.nodes[p]["title"] == HOSTILE
    assert not any(d.get("rejected") for _, _, d in expected.edges(data=True))


# --- data formats -----------------------------------------------------------------------------------


def test_json_round_trip(outputs, expected):
    back = read_json(outputs["json"][0])
    assert set(back.nodes) == set(expected.nodes)
    assert set(back.edges(keys=True)) == set(expected.edges(keys=True))
    for n, d in expected.nodes(data=True):
        assert back.nodes[n] == d
    for u, v, k, d in expected.edges(keys=True, data=True):
        assert back.edges[u, v, k] == d
    assert back.graph["documents"] == expected.graph["documents"]


def test_graphml_typed_and_complete(outputs, expected, sample_doc_id):
    path = outputs["graphml"][0]
    back = nx.read_graphml(path, force_multigraph=True)
    assert set(back.nodes) == set(expected.nodes)
    assert _edge_set(back) == _edge_set(expected)
    p = f"{sample_doc_id}:P5.2"
    assert back.nodes[p]["title"] == HOSTILE
    assert back.nodes[p]["start"] == expected.nodes[p]["start"] and isinstance(back.nodes[p]["start"], int)
    assert "start" not in back.nodes[HOSTILE_POLICY]  # None is dropped, not written as "None"
    assert json.loads(back.nodes[HOSTILE_POLICY]["aliases"]) == ["《它》", "它'"]
    scores = {(u, v, d["type"]): d.get("score") for u, v, d in back.edges(data=True)}
    for u, v, d in expected.edges(data=True):
        if d.get("score") is not None:
            assert scores[(u, v, d["type"])] == pytest.approx(d["score"])
    keys = {
        (k.get("for"), k.get("attr.name")): k.get("attr.type")
        for k in ET.parse(path).getroot().iter("{http://graphml.graphdrawing.org/xmlns}key")
    }
    assert keys[("node", "start")] in ("int", "long")
    assert keys[("edge", "score")] == "double"
    assert keys[("node", "title")] == "string"
    assert len([1 for (scope, name) in keys if (scope, name) == ("node", "start")]) == 1  # one type per column


def test_gexf_static_typed_coloured(outputs, expected, sample_doc_id):
    path = outputs["gexf"][0]
    back = nx.read_gexf(path)
    assert set(back.nodes) == set(expected.nodes)
    assert {(u, v, d["relation"]) for u, v, d in back.edges(data=True)} == _edge_set(expected)
    p = f"{sample_doc_id}:P5.2"
    assert back.nodes[p]["title"] == HOSTILE
    assert back.nodes[p]["start_offset"] == expected.nodes[p]["start"]
    r, g, b = hex_to_rgb(TYPE_COLORS["Problem"])
    assert back.nodes[p]["viz"]["color"] == {"r": r, "g": g, "b": b, "a": 1.0}
    root = ET.parse(path).getroot()
    graph_el = next(el for el in root.iter() if el.tag.endswith("graph"))
    assert graph_el.get("mode") == "static"
    assert not [el for el in root.iter() if el.tag.endswith("}node") and el.get("start")]
    edge_kinds = {el.get("type") for el in root.iter() if el.tag.endswith("}edge")}
    assert edge_kinds <= {None, "directed"}  # relation names never land in GEXF's own edge type


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_zip_and_folder(outputs, expected, hostile_graph, tmp_path, sample_doc_id):
    with zipfile.ZipFile(outputs["csv"][0]) as zf:
        assert sorted(zf.namelist()) == ["edges.csv", "nodes.csv"]
        nodes, edges = _csv_rows(zf.read("nodes.csv")), _csv_rows(zf.read("edges.csv"))
    assert {r["id"] for r in nodes} == set(expected.nodes)
    assert {(r["source"], r["target"], r["type"]) for r in edges} == _edge_set(expected)
    by_id = {r["id"]: r for r in nodes}
    assert by_id[f"{sample_doc_id}:P5.2"]["title"] == HOSTILE
    assert by_id[f"{sample_doc_id}:P5.2"]["type_zh"] == "问题"
    assert by_id[f"{sample_doc_id}:M1"]["title"] == "'" + HOSTILE_MEASURE  # not a live Excel formula
    inferred = [r for r in edges if r["origin"] == "inferred"]
    assert inferred and all(r["score"] and r["source_sentence"] for r in inferred)
    folder = tmp_path / "tables"
    export(hostile_graph, SELECT, "csv", folder, today=TODAY)
    assert _csv_rows((folder / "nodes.csv").read_bytes()) == nodes
    assert _csv_rows((folder / "edges.csv").read_bytes()) == edges


# --- Cypher -----------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(?:[\\'\"nrtbf]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")
_SIMPLE = {"\\\\": "\\", "\\'": "'", '\\"': '"', "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\b": "\b", "\\f": "\f"}


def _tokens(line: str) -> list[tuple[str, object]]:
    """Cypher tokens of one line; fails on an unclosed literal or an escape Cypher does not define."""
    out: list[tuple[str, object]] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch.isspace():
            i += 1
        elif ch in "'\"":
            j, parts = i + 1, []
            while True:
                assert j < len(line), f"unclosed string literal: {line[i : i + 40]!r}"
                c = line[j]
                if c == "\\":
                    m = _ESCAPE.match(line, j)
                    assert m, f"invalid escape {line[j : j + 6]!r}"
                    esc = m.group()
                    parts.append(_SIMPLE.get(esc) or chr(int(esc[2:], 16)))
                    j = m.end()
                elif c == ch:
                    break
                else:
                    assert c not in "\n\r\u2028\u2029", "raw line break inside a literal"
                    parts.append(c)
                    j += 1
            text = "".join(parts).encode("utf-16", "surrogatepass").decode("utf-16")
            out.append(("str", text))
            i = j + 1
        elif ch == "`":
            j = line.index("`", i + 1)
            out.append(("name", line[i + 1 : j]))
            i = j + 1
        elif ch.isalpha() or ch == "_":
            m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(line, i)
            out.append(("name", m.group()))
            i = m.end()
        elif ch.isdigit() or (ch == "-" and line[i + 1 : i + 2].isdigit()):
            m = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?").match(line, i)
            out.append(("num", float(m.group()) if re.search(r"[.eE]", m.group()) else int(m.group())))
            i = m.end()
        elif line.startswith("->", i) or line.startswith("+=", i):
            out.append(("op", line[i : i + 2]))
            i += 2
        else:
            out.append(("op", ch))
            i += 1
    return out


class _Parser:
    """Accepts exactly the three statement shapes the exporter writes, nothing else."""

    def __init__(self, tokens: list[tuple[str, object]]):
        self.t, self.i = tokens, 0

    def take(self, kind: str, value: object = None) -> object:
        k, v = self.t[self.i]
        assert k == kind and (value is None or v == value), f"expected {kind} {value!r}, got {k} {v!r}"
        self.i += 1
        return v

    def peek(self, value: object) -> bool:
        return self.i < len(self.t) and self.t[self.i][1] == value

    def ops(self, text: str) -> None:
        for piece in text.split():
            self.take("name" if piece.isidentifier() else "op", piece)

    def node_ref(self, var: str) -> str:
        self.ops("(")
        self.take("name", var)
        self.ops(":")
        self.take("name", "Tracegraph")
        self.ops("{")
        self.take("name", "id")
        self.ops(":")
        ident = self.take("str")
        self.ops("} )")
        return str(ident)

    def value(self) -> object:
        k, v = self.t[self.i]
        if k in ("str", "num"):
            self.i += 1
            return v
        if k == "name" and v in ("true", "false"):
            self.i += 1
            return v == "true"
        self.ops("[")
        items = [self.take("str")]
        while self.peek(","):
            self.ops(",")
            items.append(self.take("str"))
        self.ops("]")
        return items

    def props(self) -> dict[str, object]:
        self.ops("{")
        out: dict[str, object] = {}
        while not self.peek("}"):
            key = str(self.take("name"))
            self.ops(":")
            out[key] = self.value()
            if self.peek(","):
                self.ops(",")
        self.ops("}")
        return out

    def end(self) -> None:
        self.ops(";")
        assert self.i == len(self.t), "text after the end of the statement"


def _run_script(script: str) -> tuple[dict[str, tuple[str, dict]], dict[tuple[str, str, str], dict]]:
    nodes: dict[str, tuple[str, dict]] = {}
    edges: dict[tuple[str, str, str], dict] = {}
    lines = script.splitlines()
    assert lines[2] == "CREATE CONSTRAINT tracegraph_id IF NOT EXISTS FOR (n:Tracegraph) REQUIRE n.id IS UNIQUE;"
    for line in lines[3:]:
        if line.startswith("//"):
            continue
        p = _Parser(_tokens(line))
        first = p.take("name")
        if first == "MERGE":
            ident = p.node_ref("n")
            p.take("name", "SET")
            p.take("name", "n")
            p.ops(":")
            label = str(p.take("name"))
            assert label in NODE_TYPES
            p.take("name", "SET")
            p.take("name", "n")
            p.take("op", "+=")
            nodes[ident] = (label, p.props())
        else:
            assert first == "MATCH"
            a = p.node_ref("a")
            p.take("name", "MATCH")
            b = p.node_ref("b")
            p.take("name", "MERGE")
            p.ops("( a ) - [ r :")
            rel = str(p.take("name"))
            assert rel in EDGE_TYPES
            p.ops("] -> ( b )")
            p.take("name", "SET")
            p.take("name", "r")
            p.take("op", "+=")
            edges[(a, b, rel)] = p.props()
        p.end()
    return nodes, edges


def test_cypher_literals_are_closed_and_recreate_the_subgraph(outputs, expected, sample_doc_id):
    script = outputs["cypher"][0].read_text(encoding="utf-8")
    for line in script.splitlines():
        names = {v for k, v in _tokens(line) if k == "name"} if not line.startswith("//") else set()
        assert not names & {"DELETE", "DETACH", "REMOVE", "CALL", "LOAD", "DROP"}, line[:80]
    nodes, edges = _run_script(script)
    assert set(nodes) == set(expected.nodes)
    assert set(edges) == _edge_set(expected)
    for n, d in expected.nodes(data=True):
        label, props = nodes[n]
        assert label == d["type"] and props["title"] == d["title"]
    assert nodes[f"{sample_doc_id}:P5.2"][1]["title"] == HOSTILE
    assert nodes[HOSTILE_POLICY][1]["aliases"] == ["《它》", "它'"]
    for u, v, d in expected.edges(data=True):
        props = edges[(u, v, d["type"])]
        assert props["origin"] == d["origin"]
        if d.get("score") is not None:
            assert props["score"] == pytest.approx(d["score"])
        if d.get("evidence"):
            assert json.loads(props["evidence"]) == d["evidence"]


@pytest.mark.parametrize(
    "text",
    [
        "'}) DETACH DELETE n //",
        "a\\'b",
        "\\",
        "'",
        '"',
        "x\ny\r\nz",
        "\u2028\u2029\x00\x1b",
        "\u202eevil",
        "😀𠀀",
        "\\u0027",
        "`tick`",
        "",
    ],
)
def test_cypher_string_escaping(text):
    lit = cypher_string(text)
    toks = _tokens(lit)
    assert toks == [("str", text)]
    assert "\n" not in lit and "\r" not in lit and "\u2028" not in lit and "\u202e" not in lit


def test_cypher_runs_in_real_neo4j(outputs, expected, sample_doc_id, neo4j_driver):
    """The script executed by a real Neo4j 5.26 (test harness): same nodes, labels, relationships and
    the hostile title stored verbatim; running it twice changes nothing."""
    from fixtures import empty_neo4j

    empty_neo4j(neo4j_driver)
    statements = [
        s for s in outputs["cypher"][0].read_text(encoding="utf-8").splitlines() if s and not s.startswith("//")
    ]
    for _ in range(2):
        with neo4j_driver.session() as session:
            for stmt in statements:
                session.run(stmt).consume()
    rows = neo4j_driver.execute_query(
        "MATCH (n:Tracegraph) RETURN n.id AS id, labels(n) AS labels, n.title AS title"
    ).records
    assert {r["id"] for r in rows} == set(expected.nodes)
    by_id = {r["id"]: r for r in rows}
    for n, d in expected.nodes(data=True):
        assert set(by_id[n]["labels"]) == {"Tracegraph", d["type"]}
    assert by_id[f"{sample_doc_id}:P5.2"]["title"] == HOSTILE
    rels = neo4j_driver.execute_query("MATCH (a)-[r]->(b) RETURN a.id AS a, b.id AS b, type(r) AS t").records
    assert sorted((r["a"], r["b"], r["t"]) for r in rels) == sorted(_edge_set(expected))


# --- HTML -------------------------------------------------------------------------------------------


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_and_inert(outputs, expected, sample_doc_id):
    page = outputs["html"][0].read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?//""", page, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page
    parser = _Tags()
    parser.feed(page)
    tags = {t for t, _ in parser.tags}
    assert tags <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "header",
        "h1",
        "p",
        "div",
        "span",
        "i",
        "b",
        "input",
        "main",
        "aside",
        "script",
    }, tags
    assert not any(k.startswith("on") for _, attrs in parser.tags for k in attrs)
    assert not any("src" in attrs or "href" in attrs for _, attrs in parser.tags)
    assert [a.get("type") for t, a in parser.tags if t == "script"] == ["application/json", None, None]
    csp = next(a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert "<img" not in page and "pwned" in page  # the payload is there, only as inert JSON text
    assert "vis.Network" in page and "vis-network" in page and len(page) > 400_000  # library inlined
    data_text = page.split('<script type="application/json" id="tg-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(data_text)
    assert {n["id"] for n in data["nodes"]} == set(expected.nodes)
    assert {(e["from"], e["to"]) for e in data["edges"]} == {(u, v) for u, v, _ in _edge_set(expected)}
    p = next(n for n in data["nodes"] if n["id"] == f"{sample_doc_id}:P5.2")
    assert ["标题", HOSTILE] in p["details"]


# --- figures ----------------------------------------------------------------------------------------


def test_png_is_a_readable_picture(outputs, hostile_graph, tmp_path):
    from PIL import Image

    with Image.open(outputs["png"][0]) as im:
        assert im.format == "PNG"
        w, h = im.size
        px = np.asarray(im.convert("RGB")).astype(int)
    assert w >= 1000 and h >= 300
    assert (px.min(axis=2) < 240).mean() > 0.02  # not blank
    for t in ("Problem", "Cause", "Measure", "PolicyRef"):  # each type's border colour is drawn
        assert (np.abs(px - np.array(hex_to_rgb(TYPE_COLORS[t]))).max(axis=2) < 30).sum() > 50, t
    with warnings.catch_warnings(record=True) as caught:  # a missing CJK glyph would draw boxes
        warnings.simplefilter("always")
        export(hostile_graph, SELECT, "png", tmp_path / "again.png", today=TODAY)
    assert not [w for w in caught if "missing from" in str(w.message)]
    assert (tmp_path / "again.png").read_bytes() == outputs["png"][0].read_bytes()  # deterministic


def test_svg_parses_with_glyph_outlines(outputs, hostile_graph):
    root = ET.parse(outputs["svg"][0]).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.get("width").removesuffix("pt")) > 500
    paths = list(root.iter("{http://www.w3.org/2000/svg}path"))
    assert len(paths) > 100
    assert not list(root.iter("{http://www.w3.org/2000/svg}text"))  # text as outlines: no font needed
    again = export_bytes(hostile_graph, SELECT, "svg", today=TODAY)[0]
    assert again == outputs["svg"][0].read_bytes()


# --- briefings --------------------------------------------------------------------------------------


def test_docx_briefing_content_and_fonts(outputs, expected, hostile_graph, sample_doc_id):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(outputs["docx"][0]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "整改追溯情况摘编" and "2024年5月1日" in text
    for heading in ("一、总体情况", "二、问题整改情况", "三、覆盖缺口", "四、需人工核实的推断关联", "出处"):
        assert heading in text
    assert len(doc.inline_shapes) == 1  # the figure
    flat = lambda s: re.sub(r"\s+", "", s)  # noqa: E731 - python-docx turns \n into line breaks
    assert flat(HOSTILE).rstrip("。") in flat(text)
    assert "一、 › （五） › 二是" in text  # the source location is in the appendix
    assert "第 " not in text and f"{sample_doc_id}:" not in text  # no offsets, no internal ids
    for _, d in expected.nodes(data=True):
        if d["type"] in ("Cause", "Measure"):
            assert flat(d["title"]).rstrip("。；") in flat(text), d["title"]
    assert "原文依据：" in text and "推断关联" in text
    # every run carries the East Asian font, named for the 公文 slots
    eastasia = set()
    for par in doc.paragraphs:
        for run in par.runs:
            rfonts = run._r.rPr.find(qn("w:rFonts"))
            assert rfonts is not None and rfonts.get(qn("w:eastAsia")), run.text
            assert rfonts.get(qn("w:eastAsiaTheme")) is None
            eastasia.add(rfonts.get(qn("w:eastAsia")))
    assert {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"} <= eastasia


@pytest.fixture(scope="module")
def all_docx(sample_graph, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("briefing") / "all.docx"
    export(sample_graph, "all", "docx", path, today=TODAY)
    return path


def test_docx_lists_coverage_gaps(all_docx, sample_graph):
    from docx import Document

    doc = Document(str(all_docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    found = gaps(sample_graph)
    assert found["problems_without_measures"]
    assert f"没有整改措施的问题（{len(found['problems_without_measures'])}个）" in text
    for row in found["problems_without_measures"] + found["negative_findings"]:
        assert row["title"].rstrip("。；") in text
    texts = [p.text for p in doc.paragraphs]
    body = texts[texts.index("二、问题整改情况") : texts.index("三、覆盖缺口")]
    parts = [t for t in body if re.match(r"^（[一二三四五六七八九十]+）", t)]
    assert len(parts) == len(counted_problems(sample_graph))  # one part per problem


def test_docx_survives_control_characters(hostile_graph, tmp_path, sample_doc_id):
    g = copy.deepcopy(hostile_graph)
    g.nodes[f"{sample_doc_id}:P5.2"]["title"] = "分页\x0c符与\x0b垂直制表\x00问题"
    export(g, SELECT, "docx", tmp_path / "ctl.docx", today=TODAY)
    from docx import Document

    assert "分页符与垂直制表问题" in "\n".join(p.text for p in Document(str(tmp_path / "ctl.docx")).paragraphs)


def test_markdown_table(outputs, expected, sample_doc_id):
    md = outputs["md"][0].read_text(encoding="utf-8")
    lines = md.splitlines()
    assert "| 问题 | 原因 | 整改措施 | 政策依据 |" in lines
    rows = [ln for ln in lines if ln.startswith("| **")]
    assert len(rows) == len(counted_problems(expected))
    assert "<img" not in md and "&lt;img" in md
    assert "\\|竖线" in rows[0]  # a | in a title does not split the cell
    assert rows[0].count(" | ") == 3
    for _, d in expected.nodes(data=True):
        if d["type"] == "Cause":
            assert d["title"] in rows[0]


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_docx_converts_to_pdf_with_chinese(all_docx, sample_graph, tmp_path):
    soffice = _soffice()
    if not soffice or not shutil.which("pdftotext"):
        if REQUIRE_BROWSER:
            pytest.fail("TRACEGRAPH_REQUIRE_BROWSER=1 but soffice/pdftotext is missing (scripts/system-deps.sh)")
        pytest.skip("LibreOffice (soffice) or poppler-utils not installed")
    profile = tmp_path / "lo-profile"  # a private profile: parallel soffice runs do not collide
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(all_docx),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "all.pdf"
    assert pdf.is_file()
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    titles = [sample_graph.nodes[p]["title"] for p in counted_problems(sample_graph)]
    missing = [t for t in titles if re.sub(r"\s+", "", t) not in flat]
    assert not missing, missing
    assert "一、总体情况" in flat and "二、问题整改情况" in flat
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"WenQuanYi|Noto\w*CJK|SimSun|SimHei|Song|Hei", fonts), fonts  # Chinese drawn in a CJK font


def test_export_panel_renders_deferred_download_buttons(sample_graph, tmp_path):
    """The app's panel: one button per format, files made only on click (deferred data)."""
    from streamlit.testing.v1 import AppTest

    graph_path = tmp_path / "graph.json"
    from tracegraph.graph.model.io import write_json

    write_json(sample_graph, graph_path)
    script = tmp_path / "panel_app.py"
    script.write_text(
        "from tracegraph.graph.model.io import read_json\n"
        "from tracegraph.ui.export_panel import render_export_panel\n"
        f"render_export_panel(read_json({str(graph_path)!r}), 'trace:P5.2', key='brief')\n",
        encoding="utf-8",
    )
    at = AppTest.from_file(str(script), default_timeout=60).run()
    assert not at.exception
    buttons = at.get("download_button")
    from tracegraph.ui.export_panel import BRIEFING_FIRST

    offered = [f for f in BRIEFING_FIRST if f in ALL_FORMATS]  # the panel's own list of formats
    assert sorted(b.key for b in buttons) == sorted(f"brief-{f}" for f in offered)
    assert all(b.proto.deferred_file_id for b in buttons)
    # ui.highlight.esc: text, not markup
    assert "导出范围：追溯：P5.2" in __import__("html").unescape(at.caption[0].value)
