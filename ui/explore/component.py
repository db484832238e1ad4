"""The explorer as a Streamlit v2 component drawn in the app page itself (no iframe): our module
(`explorer.js`) with vis-network in front of it, read from the installed pyvis package — so the JavaScript
comes from installed packages and the page asks nothing of the network (Streamlit serves the module from a
same-origin blob). Its events come back as trigger values; the page turns them into `scene_state.handle`."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EVENTS = ("search", "add", "expand", "hide", "path", "open", "picture", "look", "clear", "save")


def vis_network_js() -> str:
    """vis-network's standalone build as pyvis ships it (it defines ``globalThis.vis``)."""
    import pyvis

    base = Path(pyvis.__file__).resolve().parent
    for rel in ("templates/lib/vis-9.1.2/vis-network.min.js", "lib/vis-9.1.2/vis-network.min.js"):
        p = base / rel
        if p.is_file():
            return p.read_text(encoding="utf-8")
    raise FileNotFoundError(f"vis-network.min.js not found in the pyvis package at {base}")


@cache
def module_js() -> str:
    return vis_network_js() + "\n;\n" + (HERE / "explorer.js").read_text(encoding="utf-8")


@cache
def _component() -> Callable[..., Any]:
    import streamlit as st

    return st.components.v2.component(
        "tracegraph_explorer", js=module_js(), css=(HERE / "explorer.css").read_text(encoding="utf-8"),
        isolate_styles=False)


def explorer(data: dict[str, Any], key: str, callbacks: dict[str, Callable[[], None]]) -> Any:
    """Mount the explorer; ``callbacks[event]`` runs (before the page is drawn again) when the browser sends
    that event, its value in ``st.session_state[key][event]``."""
    mount = _component()
    unknown = set(callbacks) - set(EVENTS)
    if unknown:
        raise KeyError(f"unknown explorer events: {sorted(unknown)}")
    return mount(data=data, key=key, height="content", **{f"on_{e}_change": cb for e, cb in callbacks.items()})
