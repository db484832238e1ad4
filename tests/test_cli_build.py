"""`tracegraph build` / `tracegraph stats` end to end on the sample: counts per type, the JSON contract,
and ids that stay put across rebuilds and when other documents join the graph."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tracegraph.graph.model.schema import doc_id_for

try:
    from tests import fixtures as fx
except ImportError:  # tests/ itself is on sys.path (pytest rootdir-less import mode)
    import fixtures as fx  # type: ignore[no-redef]


def _tracegraph() -> list[str]:
    exe = Path(sys.executable).with_name("tracegraph")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tracegraph.cli"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_tracegraph(), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def _build(paths: list[Path], out: Path) -> dict[str, Any]:
    res = _run(["build", *map(str, paths), "--out", str(out)], out.parent)
    assert res.returncode == 0, res.stdout + res.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _doc_nodes(data: dict[str, Any], doc_id: str) -> dict[str, tuple[Any, ...]]:
    return {n["id"]: (n["type"], n["title"], n["start"], n["end"], n.get("status"))
            for n in data["nodes"] if n.get("doc") == doc_id}


@pytest.fixture(scope="module")
def built(sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("cli") / "graph.json"
    return out, _build([sample_path.parent], out)


@pytest.fixture(scope="module")
def sample_id(sample_path: Path) -> str:
    return doc_id_for(sample_path.stem)


def test_stats_prints_per_type_counts(built: tuple[Path, dict[str, Any]], sample_id: str) -> None:
    out, _ = built
    res = _run(["stats", "--graph", str(out)], out.parent)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    header = lines[0].split()
    row = next(ln for ln in lines if ln.startswith(sample_id)).split()
    counts = dict(zip(header[1:], map(int, row[1:]), strict=True))
    assert counts["Problem"] == 19
    assert counts["Cause"] == 6
    assert counts["Measure"] == 5


def test_stats_json_counts_and_none_found(built: tuple[Path, dict[str, Any]], sample_id: str) -> None:
    out, data = built
    res = _run(["stats", "--graph", str(out), "--json"], out.parent)
    assert res.returncode == 0, res.stderr
    per_doc = json.loads(res.stdout)["documents"][sample_id]
    assert (per_doc["Problem"], per_doc["Cause"], per_doc["Measure"]) == (19, 6, 5)
    statuses = [n.get("status") for n in data["nodes"] if n["type"] == "Problem" and n["doc"] == sample_id]
    assert statuses.count("none_found") == 2
    assert statuses.count("admitted") == 17


def test_json_schema_and_document_fields(built: tuple[Path, dict[str, Any]], sample_path: Path,
                                         sample_id: str) -> None:
    _, data = built
    assert data["schema"] == "tracegraph/1"
    assert len(data["documents"]) == 1
    doc = data["documents"][0]
    for key in ("id", "path", "title", "sha256", "encoding", "chars"):
        assert key in doc, key
    raw = sample_path.read_bytes()
    assert doc["id"] == sample_id
    assert Path(doc["path"]).resolve() == sample_path.resolve()
    assert doc["sha256"] == hashlib.sha256(raw).hexdigest()
    assert doc["encoding"] == "utf-8"
    assert doc["chars"] == len(raw.decode("utf-8"))
    assert isinstance(doc["title"], str) and doc["title"]
    # every item's span slices the stored document text to its own text, its title span to its title
    text = doc["text"]
    items = [n for n in data["nodes"] if n.get("doc") == sample_id
             and n["type"] in ("Problem", "Example", "Cause", "Measure", "Action")]
    assert len(items) > 40
    for n in items:
        assert text[n["start"] : n["end"]] == n["text"], n["id"]
        assert text[n["title_start"] : n["title_end"]] == n["title"], n["id"]


def test_rebuild_gives_identical_node_ids(built: tuple[Path, dict[str, Any]], sample_path: Path,
                                          sample_id: str, tmp_path: Path) -> None:
    _, first = built
    again = _build([sample_path.parent], tmp_path / "again.json")
    assert _doc_nodes(again, sample_id) == _doc_nodes(first, sample_id)
    assert sorted(n["id"] for n in again["nodes"]) == sorted(n["id"] for n in first["nodes"])


def test_adding_a_document_leaves_sample_ids_unchanged(built: tuple[Path, dict[str, Any]], sample_path: Path,
                                                       sample_id: str, tmp_path: Path) -> None:
    _, alone = built
    other = fx.write_personal_gb18030(tmp_path)
    both = _build([sample_path.parent, other], tmp_path / "both.json")
    assert len(both["documents"]) == 2
    assert _doc_nodes(both, sample_id) == _doc_nodes(alone, sample_id)
    other_id = next(d["id"] for d in both["documents"] if d["id"] != sample_id)
    assert sum(1 for n in both["nodes"] if n.get("doc") == other_id and n["type"] == "Problem") == 4
    # and adding it first, before the sample, changes nothing either
    first = _build([other, sample_path.parent], tmp_path / "first.json")
    assert _doc_nodes(first, sample_id) == _doc_nodes(alone, sample_id)


def test_adding_a_document_leaves_sample_links_unchanged(built: tuple[Path, dict[str, Any]], sample_path: Path,
                                                         sample_id: str, tmp_path: Path) -> None:
    """Linking is per document: another material in the graph must not move this one's links."""
    _, alone = built
    both = _build([sample_path.parent, fx.write_docx(tmp_path)], tmp_path / "both.json")

    def links(data: dict[str, Any]) -> set[tuple[str, str, str, str]]:
        own = {n["id"] for n in data["nodes"] if n.get("doc") == sample_id}
        return {(e["source"], e["target"], e["type"], e["origin"]) for e in data["edges"]
                if e["type"] in ("ADDRESSES", "EXPLAINS", "TREATS") and e["source"] in own}

    assert links(alone)
    assert links(both) == links(alone)
