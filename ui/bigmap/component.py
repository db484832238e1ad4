"""The 全图 WebGL map as a Streamlit v2 component: our own script (`webgl_map.js`, shipped in this package),
drawn in the app page; a click comes back as the trigger value ``open``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@cache
def _component() -> Callable[..., Any]:
    import streamlit as st

    return st.components.v2.component(
        "tracegraph_webgl_map", js=(HERE / "webgl_map.js").read_text(encoding="utf-8"),
        css=(HERE / "webgl_map.css").read_text(encoding="utf-8"), isolate_styles=False)


def webgl_map(data: dict[str, Any], key: str, on_open: Callable[[], None]) -> Any:
    """Mount the map; ``on_open`` runs when a point is clicked (its id in ``st.session_state[key]["open"]``)."""
    return _component()(data=data, key=key, height="content", on_open_change=on_open)
