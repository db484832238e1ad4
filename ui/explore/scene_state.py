"""The explorer's state in one browser session and what each browser event does to it — plain Python, so
the tests drive it without a browser. The browser sends events (search, add, expand, hide, path, open,
save, …); `handle` answers each by changing the state; `payload` is what the browser draws next.

``seq`` changes only when the scene is replaced (a saved scene opened, the scene cleared): the browser then
starts over; any other change is merged into what is drawn, so positions stay where they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from tracegraph.errors import TracegraphError
from tracegraph.graph.curation.scenes import CAPTIONS, STYLE_BY, Scene, SceneStore, scene_from
from tracegraph.graph.exporters._style import CURATED_EDGE_COLOUR, EDGE_COLOURS, NONE_FOUND_COLOUR, TYPE_COLOURS
from tracegraph.graph.model.schema import TYPE_LABELS_ZH
from tracegraph.graph.query.explore import EXPAND_LIMIT, neighbours, scene_payload, shortest_path, suggest
from tracegraph.graph.query.naming import shown_id

MAX_SCENE = 600  # a scene is for reading; past this the 全图 page draws the whole graph
LEGEND_TYPES = ("Problem", "Cause", "Measure", "Action", "Area", "PolicyRef", "Document")


@dataclass
class ExplorerState:
    nodes: list[str] = field(default_factory=list)
    seq: int = 0
    rev: int = 0
    anchor: str = ""
    path: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    focus: bool = False
    message: str = ""
    suggestions: dict[str, Any] | None = None
    style: str = "type"
    caption: str = "code_title"
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    pinned: list[str] = field(default_factory=list)
    scene_name: str = ""
    opened: str = ""  # the node whose detail panel is open
    picture: list[str] = field(default_factory=list)  # nodes whose 溯源图 is asked for
    saved: str = ""  # a scene just saved (the page then offers it in the list)

    def replace_scene(self, nodes: list[str], message: str = "", g: nx.MultiDiGraph | None = None) -> None:
        """A new scene; with the graph, laid out in columns 原因 → 问题 → 整改措施 → … (else the browser
        lays it out once)."""
        self.nodes = list(dict.fromkeys(nodes))[:MAX_SCENE]
        self.seq += 1
        self.pinned, self.path, self.select = [], [], []
        self.positions = layered_positions(g, self.nodes) if g is not None else {}
        self.message = message


def layered_positions(g: nx.MultiDiGraph, nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Canvas positions from the exporters' layered layout (the same columns as the 溯源图)."""
    from tracegraph.graph.exporters._layout import layered_layout

    pos = layered_layout(g.subgraph([n for n in nodes if n in g]), max_rows=14)
    return {n: (round(x * 300.0, 1), round(y * 80.0, 1)) for n, (x, y) in pos.items()}


def _add(g: nx.MultiDiGraph, xs: ExplorerState, ids: list[str]) -> list[str]:
    new = [n for n in dict.fromkeys(ids) if n in g and n not in xs.nodes]
    room = MAX_SCENE - len(xs.nodes)
    taken = new[: max(room, 0)]
    xs.nodes.extend(taken)
    if len(taken) < len(new):
        xs.message = f"场景最多 {MAX_SCENE} 个节点，{len(new) - len(taken)} 个未加入；可先隐藏一些，或到“全图”页看整体"
    return taken


def expand(g: nx.MultiDiGraph, xs: ExplorerState, ids: list[str], limit: int = EXPAND_LIMIT) -> None:
    """Each node's neighbours join the scene around it; how many were left out is said, never hidden."""
    added, left = 0, 0
    for n in ids:
        got, total = neighbours(g, n, limit=limit, exclude=xs.nodes)
        added += len(_add(g, xs, got))
        left += max(total - len(got), 0)
    xs.anchor = ids[0] if ids else ""
    xs.select = list(ids)
    xs.focus = False
    if not xs.message:
        what = f"展开 {len(ids)} 个节点：新增 {added} 个相邻节点"
        xs.message = what + (f"；另有 {left} 个相邻节点未展开（每次最多 {limit} 个，按关联得分）" if left else "")


def handle(g: nx.MultiDiGraph, xs: ExplorerState, event: str, value: Any, doc: str | None = None,
           scenes: SceneStore | None = None) -> None:
    """Apply one browser event to the state."""
    # one-shot parts of the answer: what to select and say is for this event only (a later rerun must not
    # take the analyst's own selection away)
    xs.message, xs.focus, xs.saved, xs.select = "", False, "", []
    value = value if isinstance(value, dict) else {"q": value} if isinstance(value, str) else {}
    xs.rev += 1
    if event == "search":
        q = str(value.get("q") or "")[:100]
        xs.suggestions = {"q": q.strip(), "items": suggest(g, q, limit=12, doc=doc)}
    elif event == "add":
        n = str(value.get("id") or "")
        if n in g:
            _add(g, xs, [n])
            xs.anchor, xs.select, xs.focus, xs.opened = n, [n], True, n
            xs.message = f"已加入：{shown_id(g, n)}；双击它展开相邻节点"
        xs.suggestions = None
    elif event == "expand":
        expand(g, xs, [n for n in value.get("ids") or [] if n in g])
    elif event == "hide":
        gone = set(value.get("ids") or [])
        xs.nodes = [n for n in xs.nodes if n not in gone]
        xs.path = [n for n in xs.path if n not in gone]
        xs.pinned = [n for n in xs.pinned if n not in gone]
        xs.message = f"已隐藏 {len(gone)} 个节点"
    elif event == "path":
        ids = [n for n in value.get("ids") or [] if n in g]
        path = shortest_path(g, ids[0], ids[1]) if len(ids) == 2 else []
        if path:
            _add(g, xs, path)
            xs.path, xs.select, xs.focus, xs.anchor = path, [ids[0], ids[1]], True, ids[0]
            xs.message = f"最短路径：{len(path) - 1} 步（" + " → ".join(shown_id(g, n) for n in path) + "）"
        else:
            xs.path = []
            xs.message = "这两个节点之间没有关联路径（已否决的关联不计）"
    elif event == "open":
        n = str(value.get("id") or "")
        xs.opened = n if n in g else ""
    elif event == "picture":
        xs.picture = [n for n in value.get("ids") or [] if n in g]
    elif event == "look":
        xs.style = value.get("style") if value.get("style") in STYLE_BY else xs.style
        xs.caption = value.get("caption") if value.get("caption") in CAPTIONS else xs.caption
    elif event == "clear":
        xs.replace_scene([], "场景已清空；在上方输入关键词重新开始")
        xs.opened, xs.picture = "", []
    elif event == "save":
        name = str(value.get("name") or "")
        body = {k: value.get(k) for k in ("nodes", "positions", "pinned", "style", "caption")}
        if scenes is None:
            xs.message = "无法保存场景：没有打开的工作区"
            return
        try:
            saved = scenes.save(scene_from(name, body))
        except TracegraphError as exc:
            xs.message = f"未保存：{exc}"
            return
        xs.positions = dict(saved.positions)
        xs.pinned, xs.style, xs.caption = list(saved.pinned), saved.style, saved.caption
        xs.scene_name, xs.saved = saved.name, saved.name
        xs.message = f"已保存场景“{saved.name}”（{len(saved.nodes)} 个节点）到工作区"


def open_scene(g: nx.MultiDiGraph, xs: ExplorerState, scene: Scene) -> None:
    """A saved scene replaces what is drawn, at its saved positions; nodes a rebuild removed are named."""
    present = [n for n in scene.nodes if n in g]
    missing = len(scene.nodes) - len(present)
    xs.replace_scene(present, f"已打开场景“{scene.name}”（{len(present)} 个节点）"
                     + (f"；{missing} 个节点在当前图谱中已不存在" if missing else ""))
    xs.positions = {n: p for n, p in scene.positions.items() if n in g}
    xs.pinned = [n for n in scene.pinned if n in g]
    xs.style, xs.caption, xs.scene_name = scene.style, scene.caption, scene.name


def payload(g: nx.MultiDiGraph, xs: ExplorerState, height: int = 620) -> dict[str, Any]:
    """What the browser draws; the same state gives the same payload (so a rerun changes nothing drawn)."""
    scene = scene_payload(g, xs.nodes)
    scene.update(style=xs.style, caption=xs.caption, pinned=list(xs.pinned),
                 positions={n: [x, y] for n, (x, y) in xs.positions.items()})
    return {
        "seq": xs.seq, "rev": xs.rev, "scene": scene, "anchor": xs.anchor, "path": list(xs.path),
        "select": list(xs.select), "focus": xs.focus, "message": xs.message, "suggestions": xs.suggestions,
        "documents": sorted(g.graph.get("documents", {}) or {}), "height": height,
        "palette": {"types": dict(TYPE_COLOURS), "edges": dict(EDGE_COLOURS), "curated": CURATED_EDGE_COLOUR,
                    "noneFound": NONE_FOUND_COLOUR},
        "typeLabels": {t: TYPE_LABELS_ZH[t] for t in LEGEND_TYPES},
    }
