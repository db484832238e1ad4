"""Issue 17, file handling and cost: symlinks and special files in input folders, control characters in names,
invalid bytes and control characters in text, budgets checked before a .docx/.pdf is parsed, batches that survive
a dead or overrunning worker, and a read-only workspace that never reports a build it did not store."""

from __future__ import annotations

import io
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from disks import tmpfs
from fixtures import run_cli

from tracegraph.errors import LoadError
from tracegraph.graph.build.pipeline import build, build_corpus, scan_inputs
from tracegraph.loaders import load_file, parse
from tracegraph.loaders.formats.encoding import escape_controls
from tracegraph.loaders.formats.registry import supported_extensions

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "000_ddb002e987b04e7f.txt"
TEXT = SAMPLE.read_text(encoding="utf-8")


def _cli(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return run_cli(args, cwd, env, text=False)  # type: ignore[no-any-return]


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO that is opened blocks forever)."""

    def boom(*_: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# ---------------------------------------------------------------- 1. safe file handling


@pytest.fixture()
def hostile_folder(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(TEXT, encoding="utf-8")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "材料.txt").write_text(TEXT, encoding="utf-8")
    (folder / "sub" / "b.txt").write_text(TEXT.replace("整改", "整治", 3), encoding="utf-8")
    (folder / "leak.txt").symlink_to(outside / "secret.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "inside-link.txt").symlink_to(folder / "材料.txt")
    (folder / "linked-dir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(folder / "pipe.txt")
    (folder / ".hidden.txt").write_text(TEXT, encoding="utf-8")
    (folder / "~$lock.docx").write_bytes(b"lock")
    (folder / "sample.gold.txt").write_text(TEXT, encoding="utf-8")
    return folder


def test_scan_refuses_links_out_and_special_files(hostile_folder: Path) -> None:
    scan = scan_inputs([hostile_folder], supported_extensions())
    assert sorted(f.name for f in scan.files) == ["b.txt", "inside-link.txt", "材料.txt"]
    refused = {f.name: why for f, why in scan.refused}
    assert "输入文件夹之外" in refused["leak.txt"] and "输入文件夹之外" in refused["zero.txt"]
    assert "FIFO" in refused["pipe.txt"]
    assert "未进入" in refused["linked-dir"]
    skipped = {f.name: why for f, why in scan.skipped}
    assert set(skipped) == {".hidden.txt", "~$lock.docx", "sample.gold.txt"}
    assert "隐藏" in skipped[".hidden.txt"] and "临时" in skipped["~$lock.docx"]
    assert ".gold" in skipped["sample.gold.txt"]


def test_build_lists_refused_and_skipped_and_never_reads_them(hostile_folder: Path) -> None:
    with _deadline(120):
        g, report = build([hostile_folder])
    failed = {Path(p).name: why for p, why in report.failed}
    assert set(failed) == {"leak.txt", "zero.txt", "pipe.txt", "linked-dir"}
    assert {Path(p).name for p, _ in report.skipped} == {".hidden.txt", "~$lock.docx", "sample.gold.txt"}
    assert not any("secret" in str(d.get("path")) for d in g.graph["documents"].values())
    assert len(report.built) == 3


def test_special_files_named_directly_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with _deadline(20):
        with pytest.raises(LoadError, match="FIFO"):
            load_file(fifo)
        link = tmp_path / "zero-direct.txt"  # a symlink named directly is followed, but to a device: refused
        link.symlink_to("/dev/zero")
        with pytest.raises(LoadError, match="设备"):
            load_file(link)
        scan = scan_inputs([fifo], supported_extensions())
        assert not scan.files and "FIFO" in scan.refused[0][1]
        from tracegraph.graph.curation.workspace import Workspace

        ws = Workspace(tmp_path / "ws", user="t")
        with pytest.raises(LoadError, match="FIFO"):
            ws.import_file(fifo)
        with pytest.raises(LoadError, match="设备"):
            ws.import_file(tmp_path / "zero-direct.txt")
        ws.close()


def test_cli_escapes_control_characters_in_names(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bad = "a\x1b[31m红\x07\n行.txt"
    (folder / bad).write_text(TEXT, encoding="utf-8")
    (folder / "空\x1b]0;title\x07.txt").write_bytes(b"")  # fails to load: its name appears in the error
    ws = tmp_path / "ws"
    res = _cli(["curate", "import", str(folder), "--workspace", str(ws)], tmp_path)
    out = res.stdout + res.stderr
    assert b"\x1b" not in out and b"\x07" not in out
    assert b"\\x1b[31m" in out and b"\\x07" in out and b"\\n" in out
    docs = _cli(["curate", "docs", "--workspace", str(ws)], tmp_path)
    assert docs.returncode == 0 and b"\x1b" not in docs.stdout and b"\\x1b" in docs.stdout
    res = _cli(["build", str(folder), "--out", str(tmp_path / "g.json")], tmp_path)
    out = res.stdout + res.stderr
    assert res.returncode == 1 and b"\x1b" not in out and b"\x07" not in out and "文件为空".encode() in out
    assert escape_controls("x\u202ey") == "x\\u202ey"


def test_cli_build_summary_lists_skipped(hostile_folder: Path, tmp_path: Path) -> None:
    os.unlink(hostile_folder / "pipe.txt")
    res = _cli(["build", str(hostile_folder), "--out", str(tmp_path / "g.json")], tmp_path)
    out = res.stdout.decode()
    assert "跳过 3 个文件" in out and ".hidden.txt" in out and "~$lock.docx" in out and "sample.gold.txt" in out
    assert "输入文件夹之外" in res.stderr.decode()


# ---------------------------------------------------------------- 2. invalid bytes and control characters


def test_one_invalid_byte_is_replaced_and_reported(tmp_path: Path) -> None:
    data = TEXT.encode("utf-8")
    cut = data.index("整改措施".encode())
    path = tmp_path / "坏字节.txt"
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    doc = load_file(path)
    assert doc.encoding == "utf-8(replaced)"
    (w,) = doc.decode_warnings
    assert w["code"] == "invalid_bytes_replaced" and w["count"] == 1
    (pos,) = w["positions"]
    assert doc.text[pos] == "\ufffd" and doc.text[pos + 1 : pos + 5] == "整改措施"
    assert parse(doc).items  # the document still reads
    g, report = build([path])
    did = next(iter(g.graph["documents"]))
    assert g.graph["documents"][did]["decode_warnings"][0]["positions"] == [pos]
    assert any(x["code"] == "invalid_bytes_replaced" for x in g.graph["documents"][did]["reading"]["warnings"])
    assert report.warnings and "无效字节" in report.warnings[0][1]
    res = _cli(["build", str(path), "--out", str(tmp_path / "g.json")], tmp_path)
    assert res.returncode == 0 and "无效字节已替换".encode() in res.stdout


def test_gbk_with_a_bad_byte_still_reads(tmp_path: Path) -> None:
    data = TEXT.encode("gbk")
    cut = len(data) // 2
    cut -= cut % 2
    path = tmp_path / "gbk.txt"
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    doc = load_file(path)
    assert doc.encoding.startswith("gb") and doc.decode_warnings[0]["count"] >= 1
    assert "整改" in doc.text


def test_nul_and_controls_anywhere_are_dropped_and_counted(tmp_path: Path) -> None:
    lines = TEXT.split("\n")
    mid = len(lines) // 2
    lines[1] = lines[1][:3] + "\x00" + lines[1][3:]
    lines[mid] = lines[mid][:2] + "\x1b[2J\x07\x00" + lines[mid][2:]  # past the first 8 KB
    lines[-2] += "\x7f\x9b"
    data = "\n".join(lines).encode("utf-8")
    assert data.index(b"\x1b") > 8192
    path = tmp_path / "控制.txt"
    path.write_bytes(data)
    doc = load_file(path)
    assert not any((ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F for c in doc.text)
    w = {x["code"]: x for x in doc.decode_warnings}
    assert w["control_chars_dropped"]["count"] == 6
    assert doc.text == "\n".join(lines).translate({0: None, 0x1B: None, 7: None, 0x7F: None, 0x9B: None})
    for p in doc.paragraphs:  # offsets are into the cleaned text
        assert doc.para_text(p) == doc.para_text(p).strip() and doc.para_text(p)
    clean = load_file(SAMPLE)
    assert [clean.para_text(p) for p in clean.paragraphs][:1] == [doc.para_text(p) for p in doc.paragraphs][:1]
    assert len(doc.paragraphs) == len(clean.paragraphs)


def test_controls_dropped_in_docx(tmp_path: Path) -> None:
    """XML 1.0 forbids C0 controls, but DEL and C1 (CSI 0x9b starts a terminal escape) are legal XML."""
    body = ("<w:p><w:r><w:t>一、存在的问题</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>（一）学习不够\x9b2J深入\x7f</w:t></w:r></w:p>").encode()
    src = _template()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = _HEAD + body + _TAIL if info.filename == "word/document.xml" else src.read(info.filename)
            zf.writestr(info.filename, data)
    path = tmp_path / "c.docx"
    path.write_bytes(out.getvalue())
    doc = load_file(path)
    assert "\x9b" not in doc.text and "\x7f" not in doc.text and "学习不够2J深入" in doc.text
    assert doc.decode_warnings[0]["code"] == "control_chars_dropped" and doc.decode_warnings[0]["count"] == 2
    assert [doc.para_text(p) for p in doc.paragraphs] == ["一、存在的问题", "（一）学习不够2J深入"]


# ---------------------------------------------------------------- 3. budgets before parsing


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from already deflated members (name, raw deflate, crc, size)."""
    out = io.BytesIO()
    central = []
    for name, comp, crc, size in members:
        off = out.tell()
        n = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(comp), size, len(n), 0) + n)
        out.write(comp)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(comp), size, len(n),
                        0, 0, 0, 0, 0, off) + n
        )
    cd = out.tell()
    body = b"".join(central)
    out.write(body)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(body), cd, 0))
    return out.getvalue()


_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
         b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
_TAIL = b"</w:body></w:document>"


def _template() -> zipfile.ZipFile:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return zipfile.ZipFile(buf)


def docx_bomb(total: int) -> bytes:
    """A real, valid .docx whose document.xml inflates to `total` bytes of paragraphs (a repeated, fully flushed
    deflate block, so it is made in about a second)."""
    src = _template()
    block = (b"<w:p><w:r><w:t>" + "整改落实到位".encode() * 300 + b"</w:t></w:r></w:p>") * 60
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(_HEAD) + c.flush(zlib.Z_FULL_FLUSH)
    rep = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(_TAIL) + c.flush()
    n = total // len(block) + 1
    crc = zlib.crc32(_HEAD)
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(_TAIL, crc)
    members = []
    for info in src.infolist():
        if info.filename == "word/document.xml":
            members.append((info.filename, first + rep * n + last, crc, len(_HEAD) + n * len(block) + len(_TAIL)))
        else:
            data = src.read(info.filename)
            cc = zlib.compressobj(6, zlib.DEFLATED, -15)
            members.append((info.filename, cc.compress(data) + cc.flush(), zlib.crc32(data), len(data)))
    return _raw_zip(members)


def docx_paragraphs(total: int) -> bytes:
    """A .docx with `total` bytes of varied paragraph XML (every 50th a Heading 1)."""
    src = _template()
    parts = [_HEAD]
    n, i = len(_HEAD), 0
    while n < total:
        style = b'<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>' if i % 50 == 0 else b""
        p = (b"<w:p>" + style + f"<w:r><w:t>{i}. 关于第{i}项问题的整改：加强学习教育，落实主体责任。</w:t></w:r></w:p>"
             .encode())
        parts.append(p)
        n += len(p)
        i += 1
    parts.append(_TAIL)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = b"".join(parts) if info.filename == "word/document.xml" else src.read(info.filename)
            zf.writestr(info.filename, data)
    return out.getvalue()


_PROBE = """
import resource, sys, time
from pathlib import Path
from tracegraph.errors import LoadError
from tracegraph.loaders import load_file
t = time.perf_counter()
try:
    load_file(Path(sys.argv[1]))
    print("LOADED")
except LoadError as exc:
    print("LoadError", exc)
# VmHWM, not ru_maxrss: ru_maxrss survives exec, so it would report the (large) pytest process that started us
hwm = next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM:"))
print(round(time.perf_counter() - t, 3), hwm // 1024)
"""


def _probe(path: Path, env: dict[str, str] | None = None) -> tuple[str, float, int]:
    res = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **(env or {})})
    assert res.returncode == 0, res.stderr
    head, tail = res.stdout.strip().rsplit("\n", 1)
    secs, mb = tail.split()
    return head, float(secs), int(mb)


@pytest.mark.parametrize("kind", ["1 GB of XML", "20 MB of paragraph XML"])
def test_docx_budgets_refuse_before_parsing(tmp_path: Path, kind: str) -> None:
    data = docx_bomb(1 << 30) if kind.startswith("1 GB") else docx_paragraphs(20 << 20)
    path = tmp_path / "炸弹.docx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as zf:
        expanded = zf.getinfo("word/document.xml").file_size
    assert expanded >= (1 << 30 if kind.startswith("1 GB") else 20 << 20)
    msg, secs, rss_mb = _probe(path)
    assert msg.startswith("LoadError") and "炸弹.docx" in msg and "上限" in msg and "MB" in msg, msg
    assert secs < 5 and rss_mb < 400, (secs, rss_mb)


def test_docx_ratio_and_limits_are_settings(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_bomb(40 << 20))  # 40 MB of XML, very repetitive
    msg, _, _ = _probe(path, {"TRACEGRAPH_MAX_XML_MB": "100"})
    assert "压缩比" in msg and "TRACEGRAPH_MAX_RATIO" in msg, msg
    msg, _, _ = _probe(path, {"TRACEGRAPH_MAX_XML_MB": "100", "TRACEGRAPH_MAX_EXPANDED_MB": "10"})
    assert "TRACEGRAPH_MAX_EXPANDED_MB" in msg, msg
    small = tmp_path / "small.docx"
    small.write_bytes(docx_paragraphs(200_000))
    assert load_file(small).paragraphs  # an ordinary document is within every budget


def test_docx_headings_from_style_index(tmp_path: Path) -> None:
    path = tmp_path / "h.docx"
    path.write_bytes(docx_paragraphs(50_000))
    doc = load_file(path)
    levels = [p.heading_level for p in doc.paragraphs]
    assert levels[0] == 1 and levels[1] is None and levels[50] == 1
    assert sum(1 for x in levels if x == 1) == (len(levels) + 49) // 50


def _pdf_with_stream(raw: bytes) -> bytes:
    comp = zlib.compress(raw, 9)
    return (b"%PDF-1.4\n1 0 obj\n<< /Length " + str(len(comp)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + comp + b"\nendstream\nendobj\ntrailer\n<< >>\n%%EOF\n")


def test_pdf_stream_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "炸弹.pdf"
    path.write_bytes(_pdf_with_stream(b"\0" * (40 << 20)))
    t = time.perf_counter()
    with pytest.raises(LoadError, match="压缩比") as exc:
        load_file(path)
    assert "炸弹.pdf" in str(exc.value) and time.perf_counter() - t < 5
    monkeypatch.setenv("TRACEGRAPH_MAX_RATIO", "100000")
    monkeypatch.setenv("TRACEGRAPH_MAX_EXPANDED_MB", "8")
    with pytest.raises(LoadError, match="TRACEGRAPH_MAX_EXPANDED_MB"):
        load_file(path)


# ---------------------------------------------------------------- 4. batches survive


@pytest.fixture()
def batch(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "batch"
    folder.mkdir()
    out = []
    for k in range(5):
        f = folder / f"doc{k}.txt"
        f.write_text(TEXT.replace("整改", f"整改{k}", 1), encoding="utf-8")
        out.append(f)
    return out


def test_a_killed_worker_loses_only_its_file(batch: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEGRAPH_TEST_CRASH_ON", "doc2.txt")
    g, report = build_corpus(batch, workers=2)
    assert [Path(p).name for p, _ in report.failed] == ["doc2.txt"]
    assert "工作进程意外终止" in report.failed[0][1]
    assert sorted(g.graph["documents"]) == ["doc0", "doc1", "doc3", "doc4"]
    assert sum(1 for _, d in g.nodes(data=True) if d.get("type") == "Problem" and d.get("doc") == "doc4") > 0


def test_an_overrunning_document_is_stopped(batch: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEGRAPH_TEST_HANG_ON", "doc1.txt")
    monkeypatch.setenv("TRACEGRAPH_DOC_SECONDS", "4")
    t = time.perf_counter()
    g, report = build_corpus(batch, workers=2)
    assert time.perf_counter() - t < 60
    assert [Path(p).name for p, _ in report.failed] == ["doc1.txt"]
    assert "时间上限" in report.failed[0][1]
    assert sorted(g.graph["documents"]) == ["doc0", "doc2", "doc3", "doc4"]


def test_the_hooks_are_inert_in_the_main_process(batch: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEGRAPH_TEST_CRASH_ON", "doc0.txt")
    g, report = build_corpus(batch[:2], workers=0)
    assert not report.failed and len(g.graph["documents"]) == 2


def test_cli_build_keeps_the_batch(batch: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    res = _cli(["build", str(batch[0].parent), "--workers", "2", "--out", str(out)], tmp_path,
               {"TRACEGRAPH_TEST_CRASH_ON": "doc3.txt"})
    assert res.returncode == 1 and b"doc3.txt" in res.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(d["id"] for d in data["documents"]) == ["doc0", "doc1", "doc2", "doc4"]


# ---------------------------------------------------------------- 5. honest storage errors





def test_curate_build_on_read_only_workspace_is_not_success(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "8m") as mnt:
        ws = mnt / "ws"
        res = _cli(["curate", "import", str(SAMPLE), "--workspace", str(ws)], tmp_path)
        assert res.returncode == 0, res.stdout + res.stderr
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:  # not even the curation store exists yet
            res = _cli(["curate", "build", "--workspace", str(ws)], tmp_path)
            assert res.returncode == 7 and "已构建" not in (res.stdout + res.stderr).decode()
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        res = _cli(["curate", "build", "--workspace", str(ws)], tmp_path)
        assert res.returncode == 0 and "已构建".encode() in res.stdout
        (ws / "build" / "graph.json").unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:  # a store that reads fine, a graph that cannot be written
            res = _cli(["curate", "build", "--workspace", str(ws)], tmp_path)
            out = (res.stdout + res.stderr).decode()
            assert res.returncode == 7, out
            assert "已构建" not in out and "只读" in out and "未写入" in out
            res = _cli(["curate", "build", "--workspace", str(ws), "--out", str(mnt / "g.json")], tmp_path)
            assert res.returncode == 7 and "已构建" not in (res.stdout + res.stderr).decode()
            res = _cli(["curate", "build", "--workspace", str(ws), "--out", str(tmp_path / "g.json")], tmp_path)
            assert res.returncode == 0 and (tmp_path / "g.json").exists()  # a copy elsewhere is a real write
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)


def test_cli_build_to_unwritable_out_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    res = _cli(["build", str(SAMPLE), "--out", str(tmp_path / "file" / "g.json")], tmp_path)
    assert res.returncode == 7 and "已构建".encode() not in res.stdout
