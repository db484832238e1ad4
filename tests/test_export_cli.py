"""`tracegraph export`: the real console entry (a subprocess, as analysts run it) for the main paths, and
the sub-command's own parser in-process for the error cases."""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tracegraph.cli.export_cmd import register
from tracegraph.errors import TracegraphError
from tracegraph.graph.exporters import formats
from tracegraph.graph.model.io import read_json, write_json
from tracegraph.graph.query.subgraph import select

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph_file(sample_graph, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "graph.json"
    write_json(sample_graph, path)
    return path


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracegraph.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd or ROOT
    )


def _parse(*args: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tracegraph")
    register(parser.add_subparsers(dest="cmd", required=True))
    return parser.parse_args(["export", *args])


def test_list_formats():
    res = _cli("export", "--list-formats")
    assert res.returncode == 0, res.stderr
    listed = [line.split()[0] for line in res.stdout.splitlines() if line.strip()]
    assert listed == sorted(formats())
    assert "汇报材料" in res.stdout and ".zip" in res.stdout


def test_export_json_subgraph_and_docx(graph_file, sample_graph, tmp_path):
    out = tmp_path / "sub" / "trace.json"
    res = _cli(
        "export",
        "--graph",
        str(graph_file),
        "--select",
        "trace:P5.2;types:Problem,Cause,Measure",
        "--format",
        "json",
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert "已导出 json：追溯：P5.2；类型：问题、原因、整改措施" in res.stdout and str(out) in res.stdout
    back = read_json(out)
    want = select(sample_graph, "trace:P5.2;types:Problem,Cause,Measure")
    assert set(back.nodes) == set(want.nodes) and len(want) == 4  # P5.2, C1, M1, M5
    assert set(back.edges(keys=True)) == set(want.edges(keys=True))
    docx = tmp_path / "brief.docx"
    res = _cli(
        "export",
        "--graph",
        str(graph_file),
        "--select",
        "trace:P1.1",
        "--format",
        "DOCX",
        "--out",
        str(docx),
        "--title",
        "党史学习教育专题民主生活会整改追溯",
    )
    assert res.returncode == 0, res.stderr
    from docx import Document

    doc = Document(str(docx))
    assert doc.paragraphs[0].text == "党史学习教育专题民主生活会整改追溯"
    body = "\n".join(p.text for p in doc.paragraphs)
    title = sample_graph.nodes[next(n for n in sample_graph if n.endswith(":P1.1"))]["title"]
    assert title.rstrip("。；") in body


def test_export_csv_to_folder_and_default_name(graph_file, tmp_path):
    folder = tmp_path / "tables"
    assert (
        _cli(
            "export", "--graph", str(graph_file), "--select", "gaps", "--format", "csv", "--out", str(folder)
        ).returncode
        == 0
    )
    assert sorted(p.name for p in folder.iterdir()) == ["edges.csv", "nodes.csv"]
    res = _cli("export", "--graph", str(graph_file), "--select", "types:Measure", "--format", "csv", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    made = list(tmp_path.glob("整改追溯_整改措施_*.zip"))  # named in Chinese from the selection
    assert len(made) == 1
    with zipfile.ZipFile(made[0]) as zf:
        nodes = zf.read("nodes.csv").decode("utf-8-sig").splitlines()
    assert len(nodes) == 1 + 5 and all(",Measure," in line for line in nodes[1:])


@pytest.mark.parametrize(
    "args, message",
    [
        (("--format", "pdf"), "不支持的导出格式“pdf”"),
        (("--format", "png", "--select", "trace:P9.9"), "找不到节点“P9.9”"),
        (("--format", "png", "--select", "bogus:1"), "无法识别的选择条件"),
        (("--select", "all"), "请用 --format"),
    ],
)
def test_user_errors_raise_tracegraph_error(graph_file, tmp_path, args, message):
    ns = _parse("--graph", str(graph_file), "--out", str(tmp_path / "x.out"), *args)
    with pytest.raises(TracegraphError, match=message):
        ns.func(ns)
    assert not (tmp_path / "x.out").exists()


def test_errors_are_one_line_with_their_kind_and_exit_code(tmp_path):
    res = _cli("export", "--graph", str(tmp_path / "missing.json"), "--format", "md", "--out", str(tmp_path / "a.md"))
    assert res.returncode == 7  # StorageError
    assert (
        res.stderr.strip().count("\n") == 0
        and res.stderr.startswith("错误（存储错误）：")
        and "图文件不存在" in res.stderr
    )
    res = _cli("export", "--graph", str(tmp_path / "missing.json"), "--format", "pdf", "--out", str(tmp_path / "a.pdf"))
    assert res.returncode == 10 and res.stderr.startswith("错误（导出失败）：不支持的导出格式“pdf”")
