"""The view state of the app, typed, and its mirror in the URL query string.

Every view reads and writes the same small set of fields kept in st.session_state under ``tg_<field>``
(used directly as widget keys). The whole state is written back to the URL after each run, so a view can
be bookmarked or shared, and a page loaded from such a URL starts in the same view. Parsing and
serialising are plain functions so they are tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, fields, replace
from typing import Any

CORE_VIEWS = ("overview", "graph", "trace", "matrix", "ask")
OPTIONAL_VIEWS = ("corpus", "curation", "review")  # other modules' pages, listed when their module is present
VIEWS = CORE_VIEWS + OPTIONAL_VIEWS
VIEW_LABELS_ZH = {"overview": "总览", "graph": "图谱", "trace": "溯源", "matrix": "矩阵", "ask": "问答",
                  "corpus": "语料", "curation": "校对", "review": "评估"}
DEFAULT_TYPES = ("Area", "Problem", "Cause", "Measure", "Action")
ALL_ORIGINS = ("parsed", "explicit", "inferred", "curated")
PREFIX = "tg_"
_INIT_FLAG = "_tg_initialised"
MAX_TEXT = 200  # a query parameter longer than this is cut: URLs are shared, not documents


@dataclass(frozen=True)
class ViewState:
    """What the analyst is looking at; defaults are left out of the URL to keep it short."""

    view: str = "overview"
    doc: str = ""  # "" = all documents
    node: str = ""  # node whose detail panel is open (图谱)
    types: tuple[str, ...] = DEFAULT_TYPES
    area: str = ""
    min_score: float = 0.0
    origins: tuple[str, ...] = ALL_ORIGINS
    q: str = ""
    focus: str = ""
    hops: int = 1
    cap: int = 150
    trace: str = ""  # node traced in 溯源
    cell: str = ""  # "<measure>|<problem>" chosen in 矩阵
    ask: str = ""  # question in 问答


# field → URL key (short, stable: these names are in bookmarks)
URL_KEYS = {
    "view": "view", "doc": "doc", "node": "node", "types": "types", "area": "area", "min_score": "min",
    "origins": "origin", "q": "q", "focus": "focus", "hops": "hops", "cap": "cap", "trace": "trace",
    "cell": "cell", "ask": "ask",
}
STATE_FIELDS = tuple(URL_KEYS)
DEFAULT = ViewState()


def _text(v: str) -> str:
    return v.strip()[:MAX_TEXT]


def _list(v: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    items = [x.strip() for x in v.split(",") if x.strip()]
    if allowed is not None:
        items = [x for x in items if x in allowed]
    return tuple(dict.fromkeys(items))


def _clamp_int(v: str, lo: int, hi: int, default: int) -> int:
    try:
        return max(lo, min(hi, int(v)))
    except ValueError:
        return default


def _clamp_float(v: str, lo: float, hi: float, default: float) -> float:
    try:
        x = float(v)
    except ValueError:
        return default
    if x != x:  # NaN
        return default
    return round(max(lo, min(hi, x)), 2)


def _parsers(node_types: tuple[str, ...]) -> dict[str, Callable[[str], Any]]:
    return {
        "view": lambda v: v if v in VIEWS else DEFAULT.view,
        "doc": _text, "node": _text, "area": _text, "q": _text, "focus": _text, "trace": _text,
        "cell": _text, "ask": _text,
        "types": lambda v: _list(v, node_types),
        "origins": lambda v: _list(v, ALL_ORIGINS),
        "min_score": lambda v: _clamp_float(v, 0.0, 1.0, DEFAULT.min_score),
        "hops": lambda v: _clamp_int(v, 1, 3, DEFAULT.hops),
        "cap": lambda v: _clamp_int(v, 10, 1000, DEFAULT.cap),
    }


def parse_query(params: Mapping[str, Any], node_types: tuple[str, ...] | None = None) -> ViewState:
    """URL query parameters → ViewState. Unknown or malformed values fall back to defaults (URLs are
    typed by hand and shared: a bad one must still open the app)."""
    from tracegraph.graph.model.schema import NODE_TYPES

    parsers = _parsers(node_types or NODE_TYPES)
    values: dict[str, Any] = {}
    for name, key in URL_KEYS.items():
        raw = params.get(key)
        if isinstance(raw, list | tuple):
            raw = raw[-1] if raw else None
        if raw is None:
            continue
        values[name] = parsers[name](str(raw))
    return ViewState(**values)


def _serialise(name: str, value: Any) -> str:
    if isinstance(value, tuple | list):
        return ",".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_query(state: ViewState) -> dict[str, str]:
    """ViewState → query parameters, leaving out defaults (and empty lists stay explicit: no type chosen
    is a real, if odd, choice)."""
    out: dict[str, str] = {}
    for name, key in URL_KEYS.items():
        value = getattr(state, name)
        if value == getattr(DEFAULT, name):
            continue
        if isinstance(value, tuple) and set(value) == set(getattr(DEFAULT, name)):
            continue
        out[key] = _serialise(name, value)
    return out


def coerce(state: ViewState) -> ViewState:
    """Make a state usable: a URL that names no link origin at all means every origin."""
    if not state.origins:
        state = replace(state, origins=ALL_ORIGINS)
    return state


# --- Streamlit glue (session_state and query_params are passed in: the functions stay testable) ---

def init_session(session: MutableMapping[str, Any], query: Mapping[str, Any]) -> None:
    """On a session's first run, seed the state from the URL; later runs keep what the widgets hold.

    Widget keys are re-assigned to themselves on every run so a filter set in one view survives a visit
    to another view (Streamlit drops the state of widgets that were not drawn in a run)."""
    if not session.get(_INIT_FLAG):
        st_state = coerce(parse_query(query))
        for name in STATE_FIELDS:
            value = getattr(st_state, name)
            session[PREFIX + name] = list(value) if isinstance(value, tuple) else value
        session[_INIT_FLAG] = True
        return
    for name in STATE_FIELDS:
        key = PREFIX + name
        if key in session:
            session[key] = session[key]


def read(session: Mapping[str, Any]) -> ViewState:
    """The current state from session_state (missing keys → defaults)."""
    values: dict[str, Any] = {}
    for f in fields(ViewState):
        if f.name not in URL_KEYS:
            continue
        key = PREFIX + f.name
        if key in session:
            v = session[key]
            values[f.name] = tuple(v) if isinstance(v, list | tuple) else v
    return ViewState(**values)


def set_fields(session: MutableMapping[str, Any], **changes: Any) -> None:
    """Change state fields from a callback (callbacks run before the widgets, so this is allowed)."""
    for name, value in changes.items():
        if name not in URL_KEYS:
            raise KeyError(name)
        session[PREFIX + name] = list(value) if isinstance(value, tuple) else value


def publish(query: MutableMapping[str, Any], state: ViewState) -> None:
    """Mirror the state into the URL (only when it changed, so the browser history is not spammed)."""
    want = to_query(state)
    have = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(query).items()}
    if have == want:
        return
    if hasattr(query, "from_dict"):
        query.from_dict(want)  # type: ignore[attr-defined]
        return
    for k in list(have):
        if k not in want:
            del query[k]
    query.update(want)


def share_link(state: ViewState) -> str:
    """The relative link of a view, e.g. ``?view=trace&trace=doc%3AP5.2`` (to bookmark or share it)."""
    from urllib.parse import urlencode

    return "?" + urlencode(to_query(state))
