"""Named scenes kept in a workspace (graph/curation/scenes.py, ``Workspace.scenes``): what an analyst arranged in
the explorer is saved, listed, reopened, replaced and deleted, with its history kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracegraph.errors import CurationError, NotFoundError
from tracegraph.graph.curation.scenes import MAX_NAME, MAX_NODES, Scene, SceneStore, check_name, scene_from
from tracegraph.graph.curation.workspace import Workspace

A, B, C = "doc:P5.2", "doc:M5", "doc:A5"


@pytest.fixture()
def ws(tmp_path: Path):
    w = Workspace(tmp_path / "ws", user="钱")
    yield w
    w.close()


def _history(store: SceneStore) -> list[dict]:
    return store.db.read("SELECT name, body, saved_by, op FROM scene_history ORDER BY id")


def test_save_list_get_round_trip(ws: Workspace) -> None:
    scene = Scene("两个责任", [A, B, C], positions={A: (1.23, -4.56), B: (100.0, 0.0)}, pinned=[B],
                  style="document", caption="title")
    saved = ws.scenes.save(scene)
    assert saved.saved_by == "钱" and saved.saved_at > 0
    assert (ws.root / "scenes.sqlite").is_file()

    got = ws.scenes.get("两个责任")
    assert got.name == "两个责任"
    assert got.nodes == [A, B, C]
    assert got.positions == {A: (1.2, -4.6), B: (100.0, 0.0)}  # canvas coordinates, to a tenth
    assert got.pinned == [B]
    assert (got.style, got.caption) == ("document", "title")
    assert got.saved_by == "钱" and got.saved_at == pytest.approx(saved.saved_at)

    listed = ws.scenes.list()
    assert listed == [{"name": "两个责任", "nodes": 3, "saved_by": "钱", "saved_at": got.saved_at}]
    assert ws.scenes.names() == ["两个责任"]


def test_names_are_normalised(ws: Workspace) -> None:
    ws.scenes.save(Scene("  问题  与\t措施 ", [A]))
    assert ws.scenes.names() == ["问题 与 措施"]
    assert ws.scenes.get(" 问题 与 措施").nodes == [A]
    assert check_name("x" * MAX_NAME) == "x" * MAX_NAME


def test_saving_the_same_name_replaces_it_and_history_keeps_both(ws: Workspace) -> None:
    ws.scenes.save(Scene("场景", [A, B]))
    ws.scenes.save(Scene("场景", [C], style="origin"))
    got = ws.scenes.get("场景")
    assert got.nodes == [C] and got.style == "origin"
    assert ws.scenes.names() == ["场景"] and ws.scenes.list()[0]["nodes"] == 1
    hist = _history(ws.scenes)
    assert [(h["name"], h["op"], h["saved_by"]) for h in hist] == [("场景", "save", "钱"), ("场景", "save", "钱")]
    assert A in hist[0]["body"] and A not in hist[1]["body"]


def test_list_is_newest_first(ws: Workspace) -> None:
    ws.scenes.save(Scene("甲", [A]))
    ws.scenes.save(Scene("乙", [A, B]))
    rows = ws.scenes.list()
    assert [r["name"] for r in rows] == ["乙", "甲"]
    assert rows[0]["saved_at"] >= rows[1]["saved_at"]


def test_delete_then_get_raises(ws: Workspace) -> None:
    ws.scenes.save(Scene("短命", [A]))
    ws.scenes.delete("短命")
    with pytest.raises(NotFoundError, match="短命"):
        ws.scenes.get("短命")
    with pytest.raises(NotFoundError):
        ws.scenes.delete("短命")
    assert ws.scenes.names() == []
    hist = _history(ws.scenes)
    assert [h["op"] for h in hist] == ["save", "delete"] and hist[1]["body"] is None


def test_get_of_an_unknown_scene_raises(ws: Workspace) -> None:
    with pytest.raises(NotFoundError):
        ws.scenes.get("从未保存")


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "名" * (MAX_NAME + 1)],
                         ids=["empty", "spaces", "whitespace", "too-long"])
def test_empty_or_too_long_names_are_refused(ws: Workspace, name: str) -> None:
    with pytest.raises(CurationError):
        ws.scenes.save(Scene(name, [A]))
    with pytest.raises(CurationError):
        check_name(name)
    assert ws.scenes.names() == []
    assert _history(ws.scenes) == []


@pytest.mark.parametrize("nodes", [None, "doc:P5.2", [A, 3], {"a": A}, [[A]]])
def test_malformed_nodes_are_refused(nodes: object) -> None:
    with pytest.raises(CurationError, match="nodes"):
        scene_from("场景", {"nodes": nodes})


@pytest.mark.parametrize("body", [{"positions": [[A, 1, 2]]}, {"positions": "ab"}, {"pinned": 5}, {"pinned": A}])
def test_malformed_positions_or_pinned_are_refused_in_one_line(body: dict) -> None:
    with pytest.raises(CurationError, match="场景内容无效"):
        scene_from("场景", {"nodes": [A], **body})


def test_too_many_nodes_are_refused() -> None:
    with pytest.raises(CurationError, match="过多"):
        scene_from("场景", {"nodes": [f"doc:P{i}" for i in range(MAX_NODES + 1)]})


def test_scene_from_keeps_only_what_belongs_to_the_scene(ws: Workspace) -> None:
    body = {"nodes": [A, B, A], "positions": {A: [1, 2], "doc:X": [3, 4], B: ["x", 1], C: [5]},
            "pinned": [A, "doc:X"], "style": "rainbow", "caption": "everything"}
    s = scene_from("场景", body)
    assert s.nodes == [A, B]  # duplicates once
    assert s.positions == {A: (1.0, 2.0)}  # positions of nodes not in the scene (and unreadable ones) dropped
    assert s.pinned == [A]
    assert (s.style, s.caption) == ("type", "code_title")  # unknown styles fall back

    ws.scenes.save(Scene("存", [A], positions={A: (0.0, 0.0), C: (9.0, 9.0)}, pinned=[A, C], style="nope"))
    got = ws.scenes.get("存")
    assert got.positions == {A: (0.0, 0.0)} and got.pinned == [A] and got.style == "type"


def test_the_store_survives_reopening_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with Workspace(root, user="钱") as w:
        w.scenes.save(Scene("明天再看", [A, B], positions={A: (3.0, 4.0)}, pinned=[A], style="score"))
    with Workspace(root, user="孙") as w:
        got = w.scenes.get("明天再看")
        assert got.nodes == [A, B] and got.positions == {A: (3.0, 4.0)} and got.pinned == [A]
        assert got.style == "score" and got.saved_by == "钱"  # who saved it, not who reads it
        w.scenes.save(Scene("孙的", [C]))
        assert w.scenes.get("孙的").saved_by == "孙"
        assert sorted(w.scenes.names()) == ["孙的", "明天再看"]


def test_workspace_scenes_is_one_store_closed_with_the_workspace(tmp_path: Path) -> None:
    w = Workspace(tmp_path / "ws", user="钱")
    first = w.scenes
    assert w.scenes is first and first.user == "钱"
    w.close()
    assert w._scenes is None
    again = w.scenes
    assert again is not first and again.names() == []
    w.close()
