"""Issue 17, honest storage: on a full disk the workspace still reads (`curate list`, `log`, `docs`), leaves
no stray `-shm`/`-wal` files behind, and a write that did not happen is never reported as done. A tiny
tmpfs is mounted and filled to the last byte; the tests skip when mounting is not allowed here."""

from __future__ import annotations

from pathlib import Path

from disks import fill, tmpfs
from fixtures import run_cli

from tracegraph.graph.curation.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "000_ddb002e987b04e7f.txt"


_cli = run_cli








def _files(root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in root.iterdir() if p.is_file()}


def _prepare(root: Path, decisions: bool = True) -> None:
    ws = Workspace(root, user="before")
    ws.import_bytes(SAMPLE.read_bytes(), "材料.txt")
    if decisions:
        g = ws.graph()
        ws.curation.confirm(g, "M4", "P2.2", comment="确认")
        ws.curation.reject(g, "M1", "P2.3")
    ws.close()


def test_curate_reads_on_a_full_disk(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "4m") as mnt:
        root = mnt / "ws"
        _prepare(root)
        before = _files(root)
        assert not any(n.endswith(("-shm", "-wal")) for n in before)  # closed cleanly: checkpointed
        filler = fill(mnt)
        docs = _cli(["curate", "docs", "--workspace", str(root)], tmp_path)
        assert docs.returncode == 0, docs.stdout + docs.stderr
        assert "材料" in docs.stdout and "共 1 个文档" in docs.stdout
        log = _cli(["curate", "log", "--workspace", str(root)], tmp_path)
        assert log.returncode == 0, log.stdout + log.stderr
        assert [ln.split()[3] for ln in log.stdout.splitlines()] == ["confirm", "reject"]
        ls = _cli(["curate", "list", "--workspace", str(root)], tmp_path)
        assert ls.returncode == 0, ls.stdout + ls.stderr
        assert "人工确认/添加的关系（1）" in ls.stdout and "已否决 1 条" in ls.stdout
        rej = _cli(["curate", "list", "--rejected", "--workspace", str(root)], tmp_path)
        assert rej.returncode == 0 and "已否决的关系（1）" in rej.stdout
        # a write on the full disk fails with the reason, never "已确认"
        w = _cli(["curate", "confirm", "--workspace", str(root), "M5", "P5.3"], tmp_path)
        assert w.returncode != 0 and "已确认" not in w.stdout
        assert "磁盘空间不足" in w.stdout + w.stderr
        after = _files(root)
        assert not [n for n in after if n.endswith(("-shm", "-wal", "-journal"))], after
        assert {n: s for n, s in after.items() if n.endswith(".sqlite")} == {
            n: s for n, s in before.items() if n.endswith(".sqlite")
        }
        filler.unlink()
        ws = Workspace(root, user="after")  # with space again everything works, nothing was lost
        assert len(ws.curation.log()) == 2
        ws.curation.confirm(ws.graph(), "M5", "P5.3")
        ws.close()


def test_full_disk_without_a_curation_store(tmp_path: Path) -> None:
    """No decision was ever made: reading shows none and creates no empty database on the full disk."""
    with tmpfs(tmp_path / "mnt", "4m") as mnt:
        root = mnt / "ws"
        _prepare(root, decisions=False)
        assert not (root / "curation.sqlite").exists()
        filler = fill(mnt)
        log = _cli(["curate", "log", "--workspace", str(root)], tmp_path)
        assert log.returncode == 0 and log.stdout.strip() == "", log.stdout + log.stderr
        ls = _cli(["curate", "list", "--workspace", str(root)], tmp_path)
        assert ls.returncode == 0, ls.stdout + ls.stderr
        assert "人工确认/添加的关系（0）" in ls.stdout
        assert not [n for n in _files(root) if n.startswith("curation.sqlite")]
        assert not [n for n in _files(root) if n.endswith(("-shm", "-wal"))]
        filler.unlink()
