"""The workspace folder: hostile names stay metadata, bad files are refused with the loader's reason,
the size cap holds, re-imports are versions, and a read-only or full disk gives one clear error and
leaves registry, curation store and stored files exactly as they were.

Read-only and full disks are real, not simulated: as root, chmod does not stop writes, so the tests use
`chattr +i` (immutable files, which root respects), a tmpfs remounted read-only (EROFS) and a tiny tmpfs
filled to the last byte (ENOSPC). They skip when the machine does not allow mounting or chattr."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from disks import fill, tmpfs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracegraph.errors import LoadError, TracegraphError
from tracegraph.graph.curation.workspace import Workspace

STORED = re.compile(r"documents/doc-[0-9a-f]{24}\.(txt|md|docx|pdf)")


def variant(sample: bytes, n: int | str) -> bytes:
    """A distinct, still well-formed copy of the sample (a closing line added)."""
    return sample + f"\n以上材料第{n}稿。".encode()


def inside(root: Path, rel: str) -> bool:
    p = (root / rel).resolve()
    return p.is_relative_to(root.resolve()) and p.is_file()


def dump(root: Path) -> dict[str, object]:
    """Everything a workspace holds, logically: table rows and stored files."""
    out: dict[str, object] = {}
    for name in ("registry.sqlite", "curation.sqlite"):
        con = sqlite3.connect(f"{(root / name).as_uri()}?mode=ro", uri=True)
        out[name] = list(con.iterdump())
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    docs = root / "documents"
    out["documents"] = {p.name: p.read_bytes() for p in sorted(docs.iterdir())} if docs.exists() else {}
    return out


@pytest.fixture
def sample(sample_path: Path) -> bytes:
    return sample_path.read_bytes()


def test_hostile_names_are_metadata_only(tmp_path: Path, sample: bytes) -> None:
    root = tmp_path / "ws"
    ws = Workspace(root, user="t")
    names = [
        "../../etc/passwd.txt",
        "a/b\\c.txt",
        "<script>alert(1)</script>.txt",
        "..\\..\\windows\\system32\\x.md",
        "/abs/olute.txt",
        "nul\x00byte.txt",
        "CON.txt",
        "整改方案（2023）.TXT",
    ]
    recs = [ws.import_bytes(variant(sample, i), n).record for i, n in enumerate(names)]
    for n, r in zip(names, recs, strict=True):
        assert r.original_name == n
        assert STORED.fullmatch(r.stored_path), r.stored_path
        assert inside(root, r.stored_path)
        assert not re.search(r"[/\\<>:\x00]", r.doc_id) and r.doc_id
    assert recs[0].doc_id == "passwd" and recs[1].doc_id == "c" and recs[2].doc_id == "script"
    assert len({r.doc_id for r in recs}) == len(recs)
    assert not (tmp_path / "etc").exists() and not (root.parent / "etc").exists()
    assert all(p.name.startswith(("curation.sqlite", "registry.sqlite", "documents")) for p in root.iterdir())
    assert all(STORED.fullmatch(f"documents/{p.name}") for p in (root / "documents").iterdir())
    b = ws.build()
    assert sorted(b.built) == sorted(r.doc_id for r in recs) and not b.failed
    assert b.graph.graph["documents"]["passwd"]["original_name"] == "../../etc/passwd.txt"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=40), ext=st.sampled_from([".txt", ".md", ".TXT", "", ".exe", ".txt/", ".txt\x00"]))
def test_any_name_stays_inside(tmp_path: Path, sample: bytes, name: str, ext: str) -> None:
    root = tmp_path / "fuzz"
    ws = Workspace(root, user="t")
    try:
        r = ws.import_bytes(variant(sample, name + ext), name + ext)
    except LoadError as exc:
        assert "不支持的文件类型" in exc.reason
        return
    finally:
        ws.close()
    assert r.record.original_name == (name + ext)[:1000]
    assert STORED.fullmatch(r.record.stored_path) and inside(root, r.record.stored_path)
    assert not any(p for p in tmp_path.iterdir() if p.name != "fuzz")


def _encrypted_pdf() -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="o", strength=128))
    c.drawString(72, 720, "problems and measures")
    c.showPage()
    c.save()
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


def test_bad_files_are_refused_with_the_loader_reason(tmp_path: Path, sample: bytes) -> None:
    ws = Workspace(tmp_path / "ws", user="t")
    cases = [
        ("empty.txt", b"", "文件为空"),
        ("blank.txt", b" \n\t \n", "文件为空"),
        ("binary.txt", b"\x00\x01\x02ELF" * 200, "二进制"),
        ("random.docx", os.urandom(2048), "不是有效的 .docx"),
        ("ole.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000), "已加密的 Word"),
        ("garbage-zip.docx", _zip({"[Content_Types].xml": b"<nope", "word/document.xml": b"\xff\xfe"}), "已损坏"),
        ("truncated.docx", _zip({"word/document.xml": b"<w:document/>" * 50})[:-40], "docx"),
        ("locked.pdf", _encrypted_pdf(), "PDF 已加密"),
        ("fake.pdf", b"not a pdf at all" * 10, "%PDF"),
        ("broken.pdf", b"%PDF-1.7\n" + os.urandom(3000), "PDF"),
        ("prose.txt", "今天天气很好，我们去公园散步。".encode(), "未识别出问题"),
        ("tool.exe", sample, "不支持的文件类型"),
        ("noext", sample, "不支持的文件类型"),
    ]
    for name, data, reason in cases:
        with pytest.raises(LoadError) as info:
            ws.import_bytes(data, name)
        assert reason in info.value.reason, (name, info.value.reason)
        assert info.value.path == name
        assert "\n" not in info.value.reason
    assert ws.documents() == []
    assert not (ws.root / "documents").exists() or not list((ws.root / "documents").iterdir())


def test_size_cap(tmp_path: Path, sample: bytes) -> None:
    ws = Workspace(tmp_path / "ws", user="t", max_bytes=len(sample) - 1)
    with pytest.raises(LoadError, match="文件过大"):
        ws.import_bytes(sample, "a.txt")
    src = tmp_path / "a.txt"
    src.write_bytes(sample)
    with pytest.raises(LoadError, match="文件过大"):
        ws.import_file(src)
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse: 60 MB apparent size, refused before it is read
        fh.truncate(60 * 1024 * 1024)
    with pytest.raises(LoadError, match=r"文件过大（60\.0 MB，上限 50 MB）"):
        Workspace(tmp_path / "ws2", user="t").import_file(big)
    assert Workspace(tmp_path / "ws3", user="t", max_bytes=len(sample)).import_file(src).status == "new"


def test_versions_and_duplicates(tmp_path: Path, sample: bytes) -> None:
    ws = Workspace(tmp_path / "ws", user="t")
    first = ws.import_bytes(sample, "方案.txt")
    assert (first.status, first.record.doc_id, first.record.version) == ("new", "方案", 1)
    assert ws.import_bytes(sample, "方案.txt").status == "unchanged"
    assert ws.import_bytes(sample, "copy.txt").status == "duplicate"
    second = ws.import_bytes(variant(sample, 2), "方案.txt")
    assert (second.status, second.record.doc_id, second.record.version) == ("replaced", "方案", 2)
    assert not (ws.root / first.record.stored_path).exists()  # the old copy is gone, the new one is there
    assert (ws.root / second.record.stored_path).read_bytes() == variant(sample, 2)
    third = ws.import_bytes(variant(sample, 3), "修订稿.txt", replaces="方案")
    assert (third.record.doc_id, third.record.version, third.record.original_name) == ("方案", 3, "修订稿.txt")
    clash = ws.import_bytes(variant(sample, 4), "方案?.txt")  # sanitises to 方案 but is another file
    assert clash.status == "new" and clash.record.doc_id.startswith("方案_")
    with pytest.raises(TracegraphError, match="没有文档"):
        ws.import_bytes(variant(sample, 5), "x.txt", replaces="nope")
    assert [h["action"] for h in ws.history()] == ["new", "replaced", "replaced", "new"]
    ws.remove(clash.record.doc_id)
    assert [d.doc_id for d in ws.documents()] == ["方案"]


def test_tampered_stored_file_is_reported_not_built(tmp_path: Path, sample: bytes) -> None:
    ws = Workspace(tmp_path / "ws", user="t")
    r = ws.import_bytes(sample, "a.txt").record
    (ws.root / r.stored_path).write_bytes(variant(sample, "x"))
    b = ws.build()
    assert b.built == [] and b.failed == [("a", "存储的文件已被改动（sha256 不符），请重新导入")]


def test_root_from_environment_and_not_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEGRAPH_WORKSPACE", str(tmp_path / "from-env"))
    assert Workspace().root == (tmp_path / "from-env").resolve()
    monkeypatch.delenv("TRACEGRAPH_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    assert Workspace().root == (tmp_path / "workspace").resolve()
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(TracegraphError, match="不是文件夹"):
        Workspace(f).documents()
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "documents").write_text("in the way")  # a file where the folder should be
    with pytest.raises(TracegraphError, match="无法保存文档"):
        Workspace(tmp_path / "ws", user="t").import_file(
            Path(__file__).parents[1] / "data" / "000_ddb002e987b04e7f.txt"
        )
    assert Workspace(tmp_path / "ws").documents() == []


# ---------------------------------------------------------------------------------------------- real disks
def _prepare(root: Path, sample: bytes) -> None:
    ws = Workspace(root, user="before")
    ws.import_bytes(sample, "材料.txt")
    g = ws.graph()
    ws.curation.confirm(g, "M4", "P2.2", comment="确认")
    ws.curation.reject(g, "M1", "P2.3")
    ws.close()


def _attempt_writes(root: Path, sample: bytes, expect: str) -> Workspace:
    ws = Workspace(root, user="after")
    with pytest.raises(TracegraphError, match=expect):
        ws.import_bytes(variant(sample, "new"), "另一份.txt")
    with pytest.raises(TracegraphError, match=expect):
        ws.import_bytes(variant(sample, "v2"), "材料.txt")
    g = ws.build().graph
    for op in (
        lambda: ws.curation.confirm(g, "M5", "P5.3"),
        lambda: ws.curation.undo(everyone=True),
        lambda: ws.curation.edit_node(g, "P1.1", title="新标题"),
    ):
        with pytest.raises(TracegraphError, match=expect):
            op()
    return ws





def test_read_only_mount(tmp_path: Path, sample: bytes) -> None:
    with tmpfs(tmp_path / "mnt", "8m") as mnt:
        root = mnt / "ws"
        _prepare(root, sample)
        before = dump(root)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:
            with pytest.raises(OSError):
                (mnt / "probe").write_text("x")  # really read-only, for root too
            ws = _attempt_writes(root, sample, "只读")
            # reading still works: documents, decisions, a curated build (its cache write is only noted)
            assert [d.doc_id for d in ws.documents()] == ["材料"]
            b = ws.build()
            assert b.curation.confirmed and b.curation.rejected
            assert any("只读" in n for n in b.notes)
            assert len(ws.curation.log()) == 2
            ws.close()
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        assert dump(root) == before


def test_immutable_files(tmp_path: Path, sample: bytes) -> None:
    root = tmp_path / "ws"
    _prepare(root, sample)
    before = dump(root)
    r = subprocess.run(["chattr", "-R", "+i", str(root)], capture_output=True)
    if r.returncode:
        pytest.skip(f"chattr +i not available here: {r.stderr.decode(errors='replace').strip()}")
    try:
        with pytest.raises(OSError):
            (root / "probe").write_text("x")
        ws = _attempt_writes(root, sample, "只读")
        assert len(ws.curation.decisions()) == 2
        ws.close()
    finally:
        subprocess.run(["chattr", "-R", "-i", str(root)], check=True)
    assert dump(root) == before





def test_disk_fills_while_workspace_is_open(tmp_path: Path, sample: bytes) -> None:
    with tmpfs(tmp_path / "mnt", "2m") as mnt:
        root = mnt / "ws"
        _prepare(root, sample)
        before = dump(root)
        ws = Workspace(root, user="after")
        g = ws.build().graph
        ws.documents()  # both databases open, as in a running app
        filler = fill(mnt)
        big = "很长的备注" * 400  # the WAL must grow: an append that does not fit
        with pytest.raises(TracegraphError, match="磁盘空间不足"):
            ws.import_bytes(variant(sample, "new") * 3, "另一份.txt")
        for _ in range(50):
            try:
                ws.curation.add(g, "M2", "P4.1", comment=big)
            except TracegraphError as exc:
                assert "磁盘空间不足" in str(exc)
                break
        else:
            pytest.fail("50 writes fitted on a full disk")
        grew = len(ws.curation.decisions())
        ws.close()
        assert not [p for p in (root / "documents").iterdir() if p.name.startswith(".part")]
        filler.unlink()
        after = dump(root)
        assert after["registry.sqlite"] == before["registry.sqlite"] and after["documents"] == before["documents"]
        assert grew == len([x for x in after["curation.sqlite"] if 'INSERT INTO "decisions"' in x])
        ws = Workspace(root, user="after")  # with space again, everything works
        assert ws.import_bytes(variant(sample, "new"), "另一份.txt").status == "new"
        ws.curation.confirm(ws.graph(), "材料:M5", "材料:P5.3")
        ws.close()


def test_full_disk_before_opening(tmp_path: Path, sample: bytes) -> None:
    with tmpfs(tmp_path / "mnt", "2m") as mnt:
        root = mnt / "ws"
        _prepare(root, sample)
        before = dump(root)
        filler = fill(mnt)
        ws = Workspace(root, user="after")
        with pytest.raises(TracegraphError, match="磁盘空间不足"):
            ws.import_bytes(variant(sample, "new"), "另一份.txt")
        with pytest.raises(TracegraphError, match="磁盘空间不足"):
            ws.curation.undo(everyone=True)
        ws.close()
        filler.unlink()
        assert dump(root) == before


def test_registry_refusing_a_write_leaves_no_stray_copy(tmp_path: Path, sample: bytes) -> None:
    """The copy is written first; when the registry then cannot record it, the copy is removed again."""
    root = tmp_path / "ws"
    _prepare(root, sample)
    before = dump(root)
    reg = root / "registry.sqlite"
    r = subprocess.run(["chattr", "+i", str(reg)], capture_output=True)
    if r.returncode:
        pytest.skip(f"chattr +i not available here: {r.stderr.decode(errors='replace').strip()}")
    try:
        ws = Workspace(root, user="after")
        with pytest.raises(TracegraphError, match="登记文档：工作区只读"):
            ws.import_bytes(variant(sample, "new"), "另一份.txt")
        assert sorted(p.name for p in (root / "documents").iterdir()) == sorted(before["documents"])  # type: ignore[arg-type]
        ws.curation.confirm(ws.graph(), "M5", "P5.3")  # the curation store is still writable
        ws.close()
    finally:
        subprocess.run(["chattr", "-i", str(reg)], check=True)
    after = dump(root)
    assert after["registry.sqlite"] == before["registry.sqlite"] and after["documents"] == before["documents"]
