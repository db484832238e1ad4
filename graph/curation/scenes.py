"""Named scenes: what an analyst arranged in the explorer (the nodes, where they stand, which are pinned, how
they are coloured and captioned), kept in the workspace so it can be reopened tomorrow, by a colleague, or
exported for a briefing. A scene names nodes by id; nodes a rebuild no longer has are reported, not dropped
silently. Saving under an existing name replaces it (the previous version stays in the history table)."""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tracegraph.errors import CurationError, NotFoundError
from tracegraph.graph.curation.sqlite import SqliteFile

SCENES_SCHEMA = "tracegraph-scenes/1"
_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scenes(
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS scene_history(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    body TEXT,
    saved_by TEXT NOT NULL,
    saved_at REAL NOT NULL,
    op TEXT NOT NULL
)
"""
STYLE_BY = ("type", "document", "origin", "score")
CAPTIONS = ("code_title", "title", "code", "document")
MAX_NAME = 60
MAX_NODES = 5000


@dataclass
class Scene:
    """A scene as the explorer keeps it; positions are the canvas coordinates of the nodes."""

    name: str
    nodes: list[str]
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    pinned: list[str] = field(default_factory=list)
    style: str = "type"
    caption: str = "code_title"
    saved_by: str = ""
    saved_at: float = 0.0

    def body(self) -> str:
        d = asdict(self)
        for k in ("name", "saved_by", "saved_at"):
            d.pop(k)
        d["positions"] = {n: [round(float(x), 1), round(float(y), 1)] for n, (x, y) in self.positions.items()}
        return json.dumps(d, ensure_ascii=False, sort_keys=True)


def check_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise CurationError("场景名称不能为空")
    if len(name) > MAX_NAME:
        raise CurationError(f"场景名称过长（{len(name)} 字，最多 {MAX_NAME} 字）")
    return name


def scene_from(name: str, body: dict[str, Any], saved_by: str = "", saved_at: float = 0.0) -> Scene:
    """A scene from what the browser (or the store) sends; anything malformed is refused in one line."""
    nodes = body.get("nodes")
    if not isinstance(nodes, list) or not all(isinstance(n, str) for n in nodes):
        raise CurationError("场景内容无效：nodes 应为节点编号列表")
    if len(nodes) > MAX_NODES:
        raise CurationError(f"场景节点过多（{len(nodes)} 个，最多 {MAX_NODES} 个）")
    if not isinstance(body.get("positions") or {}, dict) or not isinstance(body.get("pinned") or [], list):
        raise CurationError("场景内容无效：positions 应为 {节点编号: [x, y]}，pinned 应为节点编号列表")
    positions: dict[str, tuple[float, float]] = {}
    for n, xy in (body.get("positions") or {}).items():
        if n in nodes and isinstance(xy, (list, tuple)) and len(xy) == 2:
            try:
                x, y = float(xy[0]), float(xy[1])
            except (TypeError, ValueError):
                continue
            if math.isfinite(x) and math.isfinite(y):  # NaN/inf would reach the browser as a broken layout
                positions[n] = (x, y)
    pinned = [n for n in body.get("pinned") or [] if n in nodes]
    style = body.get("style") if body.get("style") in STYLE_BY else "type"
    caption = body.get("caption") if body.get("caption") in CAPTIONS else "code_title"
    return Scene(check_name(name), list(dict.fromkeys(nodes)), positions, pinned, str(style), str(caption),
                 saved_by, saved_at)


class SceneStore:
    """The workspace's scenes (``scenes.sqlite``)."""

    def __init__(self, path: str | Path, user: str) -> None:
        self.db = SqliteFile(path, _DDL, SCENES_SCHEMA, "场景库")
        self.user = user

    def close(self) -> None:
        self.db.close()

    def names(self) -> list[str]:
        return [r["name"] for r in self.db.read("SELECT name FROM scenes ORDER BY saved_at DESC, name")]

    def list(self) -> list[dict[str, Any]]:
        rows = self.db.read("SELECT name, body, saved_by, saved_at FROM scenes ORDER BY saved_at DESC, name")
        return [{"name": r["name"], "nodes": len(json.loads(r["body"]).get("nodes", [])),
                 "saved_by": r["saved_by"], "saved_at": r["saved_at"]} for r in rows]

    def get(self, name: str) -> Scene:
        rows = self.db.read("SELECT * FROM scenes WHERE name = ?", (check_name(name),))
        if not rows:
            raise NotFoundError(f"工作区中没有名为“{name}”的场景")
        r = rows[0]
        return scene_from(r["name"], json.loads(r["body"]), r["saved_by"], r["saved_at"])

    def save(self, scene: Scene) -> Scene:
        scene = scene_from(scene.name, json.loads(scene.body()))
        scene.saved_by, scene.saved_at = self.user, time.time()
        body = scene.body()
        with self.db.write("保存场景") as conn:
            conn.execute("INSERT INTO scenes(name, body, saved_by, saved_at) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(name) DO UPDATE SET body = excluded.body, saved_by = excluded.saved_by, "
                         "saved_at = excluded.saved_at", (scene.name, body, scene.saved_by, scene.saved_at))
            conn.execute("INSERT INTO scene_history(name, body, saved_by, saved_at, op) VALUES (?, ?, ?, ?, 'save')",
                         (scene.name, body, scene.saved_by, scene.saved_at))
        return scene

    def delete(self, name: str) -> None:
        name = check_name(name)
        with self.db.write("删除场景") as conn:
            gone = conn.execute("DELETE FROM scenes WHERE name = ?", (name,)).rowcount
            if not gone:
                raise NotFoundError(f"工作区中没有名为“{name}”的场景")
            conn.execute("INSERT INTO scene_history(name, body, saved_by, saved_at, op) VALUES (?, NULL, ?, ?, "
                         "'delete')", (name, self.user, time.time()))
