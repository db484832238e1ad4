"""Bad input: every unreadable file gives a typed error naming the file and a one-line reason, and a batch
build through the CLI reports each bad file on one line, still builds the good ones and exits non-zero."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tracegraph.loaders import LoadError, StructureError, load_file, parse

try:
    from tests import fixtures as fx
except ImportError:  # tests/ itself is on sys.path (pytest rootdir-less import mode)
    import fixtures as fx  # type: ignore[no-redef]

# (writer, error class, words the reason must contain)
CASES: dict[str, tuple[Callable[[Path], Path], type[LoadError], tuple[str, ...]]] = {
    "empty": (fx.write_empty, LoadError, ("空",)),
    "whitespace-only": (lambda d: _write(d / "只有空格.txt", "  \r\n\u3000\n".encode()), LoadError, ("空",)),
    "bom-only": (lambda d: _write(d / "只有BOM.txt", b"\xef\xbb\xbf\r\n"), LoadError, ("空",)),
    "binary": (fx.write_binary, LoadError, ("二进制",)),
    "unknown-extension": (fx.write_unknown_ext, LoadError, ("不支持", ".xls")),
    "no-extension": (lambda d: _write(d / "整改方案", "一、存在的问题\n".encode()), LoadError, ("不支持",)),
    "random-bytes-docx": (fx.write_random_docx, LoadError, (".docx", "ZIP")),
    "legacy-doc-renamed": (lambda d: _write(d / "旧版文档.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
                           LoadError, (".doc",)),
    "zip-not-word": (fx.write_garbage_zip_docx, LoadError, (".docx", "损坏")),
    "truncated-document-xml": (fx.write_broken_xml_docx, LoadError, (".docx", "损坏")),
    "pdf-without-text": (fx.write_scanned_pdf, LoadError, ("文字层", "OCR")),
    "not-a-pdf": (lambda d: _write(d / "假PDF.pdf", "这其实是一个文本文件".encode()), LoadError, ("PDF",)),
    "truncated-pdf": (lambda d: _write(d / "半截.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"), LoadError, ("PDF",)),
    "no-sections": (fx.write_no_structure, StructureError, ("未识别",)),
    "plain-prose": (fx.write_plain_prose, StructureError, ("未识别",)),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _load_and_parse(path: Path) -> None:
    parse(load_file(path))


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_gives_typed_error_with_name_and_reason(tmp_path: Path, case: str) -> None:
    writer, cls, words = CASES[case]
    path = writer(tmp_path)
    with pytest.raises(LoadError) as info:
        _load_and_parse(path)
    exc = info.value
    assert type(exc) is cls
    assert exc.path == str(path)
    assert path.name in str(exc)
    assert str(exc) == f"{path}: {exc.reason}"
    assert exc.reason.strip() and "\n" not in exc.reason and "Traceback" not in exc.reason
    for w in words:
        assert w in exc.reason, (w, exc.reason)


def test_structure_errors_are_load_errors_for_batch_reporting() -> None:
    assert issubclass(StructureError, LoadError)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "不存在.txt"
    with pytest.raises(LoadError) as info:
        load_file(path)
    assert info.value.path == str(path) and "无法读取" in info.value.reason


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = fx.write_bom_txt(tmp_path)
    with pytest.raises(LoadError) as info:
        load_file(path, max_bytes=100)
    assert "过大" in info.value.reason and path.name in str(info.value)


# --------------------------------------------------------------------------- the CLI on a mixed folder


def _tracegraph() -> list[str]:
    exe = Path(sys.executable).with_name("tracegraph")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tracegraph.cli"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_tracegraph(), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_cli_builds_good_files_and_reports_each_bad_one(tmp_path: Path) -> None:
    folder = tmp_path / "材料"
    folder.mkdir()
    good = [fx.write_bom_txt(folder), fx.write_docx(folder), fx.write_md(folder), fx.write_pdf(folder)]
    bad = [fx.write_empty(folder), fx.write_binary(folder), fx.write_random_docx(folder),
           fx.write_garbage_zip_docx(folder), fx.write_scanned_pdf(folder), fx.write_no_structure(folder)]
    ignored = fx.write_unknown_ext(folder)  # a folder may hold other files; only supported types are read
    out = tmp_path / "x.json"

    res = _run(["build", str(folder), "--out", str(out)], tmp_path)

    assert res.returncode != 0, res.stdout + res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    for b in bad:
        mine = [ln for ln in lines if b.name in ln]
        assert len(mine) == 1, (b.name, res.stderr)
    assert len(lines) == len(bad), res.stderr
    assert not any(g.name in res.stderr for g in good)
    assert ignored.name not in res.stderr
    assert "Traceback" not in res.stderr

    data = json.loads(out.read_text(encoding="utf-8"))
    built = sorted(Path(d["path"]).name for d in data["documents"])
    assert built == sorted(g.name for g in good)
    per_doc: dict[str, int] = {}
    for n in data["nodes"]:
        if n["type"] == "Problem":
            per_doc[n["doc"]] = per_doc.get(n["doc"], 0) + 1
    docs = {Path(d["path"]).name: d["id"] for d in data["documents"]}
    assert per_doc[docs[good[0].name]] == len(fx.BOM_PROBLEMS)
    assert per_doc[docs[good[1].name]] == len(fx.DOCX_PROBLEMS)
    assert per_doc[docs[good[2].name]] == len(fx.MD_PROBLEMS)
    assert per_doc[docs[good[3].name]] == len(fx.PDF_PROBLEMS)


def test_cli_reports_unsupported_file_named_explicitly(tmp_path: Path) -> None:
    good = fx.write_bom_txt(tmp_path)
    xls = fx.write_unknown_ext(tmp_path)
    out = tmp_path / "g.json"
    res = _run(["build", str(good), str(xls), "--out", str(out)], tmp_path)
    assert res.returncode != 0
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and xls.name in lines[0] and "不支持" in lines[0]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [Path(d["path"]).name for d in data["documents"]] == [good.name]


def test_cli_all_files_bad(tmp_path: Path) -> None:
    folder = tmp_path / "坏文件"
    folder.mkdir()
    bad = [fx.write_empty(folder), fx.write_scanned_pdf(folder)]
    out = tmp_path / "g.json"
    res = _run(["build", str(folder), "--out", str(out)], tmp_path)
    assert res.returncode != 0
    assert all(any(b.name in ln for ln in res.stderr.splitlines()) for b in bad)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["documents"] == []
