"""Issue 17, the rest: every document a build or an import reads goes through a budgeted worker (one alone too),
a .docx paragraph whose XML cannot be read is reported with its position, and the warnings about what reading
changed in a text are shown when the file is imported or uploaded."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from fixtures import run_cli

from tracegraph.errors import LoadError
from tracegraph.graph.build.pipeline import build, build_corpus, resolve_workers
from tracegraph.graph.curation.workspace import Workspace
from tracegraph.loaders import load_file

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "000_ddb002e987b04e7f.txt"
TEXT = SAMPLE.read_text(encoding="utf-8")


_cli = run_cli


# ---------------------------------------------------------------- unreadable XML in a .docx

_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>%s<w:document xmlns:w='
    b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
_TAIL = b"</w:body></w:document>"


def _docx(doctype: bytes, body: str) -> bytes:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = _HEAD % doctype + body.encode() + _TAIL
            zf.writestr(info.filename, data)
    return out.getvalue()


_BODY = (
    "<w:p><w:r><w:t>一、存在的问题</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>（一）学习&ext;不够深入</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>&ext;</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>（二）制度执行不严</w:t></w:r></w:p>"
)


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE w:document [<!ENTITY ext SYSTEM "file:///etc/hostname">]>',
        b'<!DOCTYPE w:document [<!ENTITY ext "X">]>',
    ],
    ids=["external", "internal"],
)
def test_unresolved_entity_is_reported_with_its_paragraph(tmp_path: Path, doctype: bytes) -> None:
    path = tmp_path / "实体.docx"
    path.write_bytes(_docx(doctype, _BODY))
    doc = load_file(path)
    # the readable text around the entity is kept (python-docx lost everything after it)
    assert [doc.para_text(p) for p in doc.paragraphs] == ["一、存在的问题", "（一）学习不够深入", "（二）制度执行不严"]
    (w,) = doc.decode_warnings
    assert w["code"] == "unreadable_xml" and w["count"] == 2
    assert w["paragraphs"] == [2, 3]
    assert w["positions"] == [doc.paragraphs[1].start, doc.paragraphs[2].start]
    assert "第 2 段" in w["text"] and "第 3 段" in w["text"]
    g, report = build([path], workers=0)
    assert g.graph["documents"]["实体"]["decode_warnings"] == [w]
    assert report.warnings == [("实体", w["text"])]
    res = _cli(["build", str(path), "--out", str(tmp_path / "g.json")], tmp_path)
    assert res.returncode == 0, res.stderr
    assert "无法读取的 XML" in res.stdout and "第 3 段" in res.stdout


def test_a_clean_docx_has_no_unreadable_warning(tmp_path: Path) -> None:
    path = tmp_path / "干净.docx"
    path.write_bytes(_docx(b"", _BODY.replace("&ext;", "")))
    assert load_file(path).decode_warnings == []


# ---------------------------------------------------------------- every read is budgeted


def test_workers_default_to_a_budgeted_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACEGRAPH_IN_PROCESS", raising=False)
    assert resolve_workers(None, 1) == 1 and resolve_workers(1, 1) == 1 and resolve_workers(None, 1) >= 1
    assert resolve_workers(0, 5) == 0 and resolve_workers(3, 2) == 3
    monkeypatch.setenv("TRACEGRAPH_IN_PROCESS", "1")
    assert resolve_workers(None, 1) == 0 and resolve_workers(4, 40) == 0


def test_a_hanging_file_in_a_one_file_build_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "挂起.txt"
    f.write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("TRACEGRAPH_TEST_HANG_ON", f.name)
    monkeypatch.setenv("TRACEGRAPH_DOC_SECONDS", "3")
    monkeypatch.delenv("TRACEGRAPH_IN_PROCESS", raising=False)
    t = time.perf_counter()
    g, report = build_corpus([f])
    assert time.perf_counter() - t < 20
    assert report.failed == [(str(f), "读取超过时间上限 3 秒（TRACEGRAPH_DOC_SECONDS），已停止")]
    assert not g.graph["documents"]
    # the CLI names the file and the limit, and does not say it built anything
    t = time.perf_counter()
    res = _cli(["build", str(f), "--out", str(tmp_path / "g.json")], tmp_path)
    assert time.perf_counter() - t < 30
    assert res.returncode == 1
    assert f"错误 {f}: 读取超过时间上限 3 秒（TRACEGRAPH_DOC_SECONDS）" in res.stderr
    assert "已构建 0 个文档，失败 1 个" in res.stdout


def test_a_killed_worker_in_a_one_file_build_fails_only_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "崩溃.txt"
    f.write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("TRACEGRAPH_TEST_CRASH_ON", f.name)
    _g, report = build_corpus([f], workers=1)
    assert [Path(p).name for p, _ in report.failed] == ["崩溃.txt"] and "工作进程意外终止" in report.failed[0][1]


def test_in_process_reading_is_kept_for_tests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """workers=0 and $TRACEGRAPH_IN_PROCESS read in this process (the test hooks are inert there)."""
    f = tmp_path / "本进程.txt"
    f.write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("TRACEGRAPH_TEST_CRASH_ON", f.name)
    g, report = build_corpus([f], workers=0)
    assert not report.failed and list(g.graph["documents"]) == ["本进程"]
    monkeypatch.setenv("TRACEGRAPH_IN_PROCESS", "1")
    g, report = build_corpus([f], workers=2)
    assert not report.failed and list(g.graph["documents"]) == ["本进程"]


def test_budgeted_and_in_process_builds_agree(tmp_path: Path) -> None:
    a, _ = build([SAMPLE], workers=0)
    b, _ = build([SAMPLE])
    assert sorted(a.nodes) == sorted(b.nodes)
    assert sorted((u, v, k) for u, v, k in a.edges(keys=True)) == sorted((u, v, k) for u, v, k in b.edges(keys=True))


def test_import_and_upload_checks_run_under_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEGRAPH_TEST_HANG_ON", "挂起.txt")
    monkeypatch.setenv("TRACEGRAPH_DOC_SECONDS", "3")
    monkeypatch.delenv("TRACEGRAPH_IN_PROCESS", raising=False)
    ws = Workspace(tmp_path / "ws", user="测试")
    t = time.perf_counter()
    with pytest.raises(LoadError, match="时间上限 3 秒") as info:
        ws.import_bytes(TEXT.encode(), "挂起.txt")
    assert "挂起.txt" in str(info.value)
    up = ws.add_upload("挂起.txt", TEXT.encode())
    assert time.perf_counter() - t < 30
    assert not up.ok and "时间上限 3 秒" in up.message
    assert ws.documents() == [] and not list((tmp_path / "ws" / "documents").glob("*"))
    monkeypatch.setenv("TRACEGRAPH_TEST_CRASH_ON", "崩溃.txt")
    with pytest.raises(LoadError, match="工作进程意外终止"):
        ws.import_bytes(TEXT.encode(), "崩溃.txt")
    assert ws.import_bytes(TEXT.encode(), "正常.txt").status == "new"
    ws.close()


# ---------------------------------------------------------------- warnings at import time


def _with_bad_byte() -> bytes:
    data = TEXT.encode("utf-8")
    cut = data.index("整改措施".encode())
    return data[:cut] + b"\xff" + data[cut:]


def test_upload_message_shows_what_reading_changed(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws", user="测试")
    up = ws.add_upload("坏字节.txt", _with_bad_byte())
    assert up.ok and up.doc_id == "坏字节"
    assert "已加入：坏字节" in up.message and "注意：1 处无效字节已替换为 �" in up.message
    again = ws.add_upload("坏字节.txt", _with_bad_byte())
    assert again.ok and "未重复加入" in again.message and "无效字节" in again.message
    clean = ws.add_upload("干净.txt", TEXT.encode())
    assert clean.ok and "注意" not in clean.message
    res = ws.import_bytes(_docx(b'<!DOCTYPE w:document [<!ENTITY ext "X">]>', _BODY), "实体.docx")
    assert res.status == "new" and len(res.warnings) == 1 and "无法读取的 XML" in res.warnings[0]
    ws.close()


def test_curate_import_prints_the_warnings(tmp_path: Path) -> None:
    bad = tmp_path / "坏字节.txt"
    bad.write_bytes(_with_bad_byte())
    ctl = tmp_path / "控制符.txt"
    ctl.write_text(TEXT.replace("整改措施", "整改\x00措施", 1), encoding="utf-8")
    good = tmp_path / "干净.txt"
    good.write_text(TEXT.replace("整改", "整改好", 1), encoding="utf-8")
    res = _cli(["curate", "import", "--workspace", str(tmp_path / "ws"), str(bad), str(ctl), str(good)], tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("已导入：坏字节"))
    assert lines[i + 1].startswith("  提示 坏字节：1 处无效字节已替换为 �")
    j = next(k for k, ln in enumerate(lines) if ln.startswith("已导入：控制符"))
    assert lines[j + 1] == "  提示 控制符：删除了 1 个控制字符（如 NUL）"
    k = next(k for k, ln in enumerate(lines) if ln.startswith("已导入：干净"))
    assert k == len(lines) - 1 or not lines[k + 1].startswith("  提示")
    docs = json.loads(_cli(["curate", "docs", "--json", "--workspace", str(tmp_path / "ws")], tmp_path).stdout)
    assert {d["doc_id"] for d in docs} == {"干净", "坏字节", "控制符"}
