"""The view state of the app, typed, its mirror in the URL, and typed access to the session.

Each page of the app has its own URL path (/graph, /trace, …: the page names in VIEWS). What the analyst
looks at on it — selected node, filters, question — is a small set of fields kept in st.session_state
under ``tg_<field>`` (used directly as widget keys, see `key`) and written back to the URL query string
after each run, so a view can be bookmarked or shared, and a page loaded from such a URL starts in the
same view. Old links named the page in the query (``?view=trace``); they still open that page.

Views never touch st.session_state by key: they go through `Session` (typed attributes) and `key`.
Parsing and serialising are plain functions so they are tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

if TYPE_CHECKING:
    from tracegraph.graph.corpus.boilerplate import SentenceIndex

# the pages in navigation order; each name is also the page's URL path (/overview, /graph, …)
VIEWS = ("overview", "graph", "map", "trace", "matrix", "ask", "corpus", "curation", "review")
VIEW_LABELS_ZH = {"overview": "总览", "graph": "图谱", "map": "全图", "trace": "溯源", "matrix": "矩阵", "ask": "问答",
                  "corpus": "语料", "curation": "校对", "review": "评估"}
DEFAULT_TYPES = ("Area", "Problem", "Cause", "Measure", "Action")
ALL_ORIGINS = ("parsed", "explicit", "inferred", "curated")
PREFIX = "tg_"
_INIT_FLAG = "_tg_initialised"
_PUBLISHED = "_tg_published"  # the query string this session last wrote into the URL
MAX_TEXT = 200  # a query parameter longer than this is cut: URLs are shared, not documents


@dataclass(frozen=True)
class ViewState:
    """What the analyst is looking at; defaults are left out of the URL to keep it short."""

    view: str = "overview"  # the page (its URL path), not a query parameter
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
    scene: str = ""  # a saved scene opened in 图谱


# field → URL query key (short, stable: these names are in bookmarks); the page itself is the URL path
URL_KEYS = {
    "doc": "doc", "node": "node", "types": "types", "area": "area", "min_score": "min",
    "origins": "origin", "q": "q", "focus": "focus", "hops": "hops", "cap": "cap", "trace": "trace",
    "cell": "cell", "ask": "ask", "scene": "scene",
}
LEGACY_VIEW_KEY = "view"  # ?view=trace, from before the pages had paths: read (to open that page), never written
STATE_FIELDS = ("view", *URL_KEYS)
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


def parse_view(v: Any) -> str:
    """A page name from a URL (a path or the old ?view=); anything else is the 总览."""
    v = str(v).strip().strip("/")
    return v if v in VIEWS else DEFAULT.view


def _parsers(node_types: tuple[str, ...]) -> dict[str, Callable[[str], Any]]:
    return {
        "doc": _text, "node": _text, "area": _text, "q": _text, "focus": _text, "trace": _text,
        "cell": _text, "ask": _text, "scene": _text,
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
    for name, qkey in (("view", LEGACY_VIEW_KEY), *URL_KEYS.items()):
        raw = params.get(qkey)
        if isinstance(raw, list | tuple):
            raw = raw[-1] if raw else None
        if raw is None:
            continue
        values[name] = parse_view(raw) if name == "view" else parsers[name](str(raw))
    return ViewState(**values)


def _serialise(name: str, value: Any) -> str:
    if isinstance(value, tuple | list):
        return ",".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_query(state: ViewState) -> dict[str, str]:
    """ViewState → query parameters, leaving out defaults (and empty lists stay explicit: no type chosen
    is a real, if odd, choice). The page is not among them: it is the URL path."""
    out: dict[str, str] = {}
    for name, qkey in URL_KEYS.items():
        value = getattr(state, name)
        if value == getattr(DEFAULT, name):
            continue
        if isinstance(value, tuple) and set(value) == set(getattr(DEFAULT, name)):
            continue
        out[qkey] = _serialise(name, value)
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
    if _PUBLISHED in session and _plain_query(query) != session[_PUBLISHED]:
        # the URL is not the one this session last wrote: the browser's Back or Forward brought back an
        # older one (each view and each selection is a history entry) — show what that entry holds
        st_state = coerce(parse_query(query))
        for name in URL_KEYS:
            value = getattr(st_state, name)
            session[PREFIX + name] = list(value) if isinstance(value, tuple) else value
        session[_PUBLISHED] = _plain_query(query)
        return
    for name in STATE_FIELDS:
        k = PREFIX + name
        if k in session:
            session[k] = session[k]


def read(session: Mapping[str, Any]) -> ViewState:
    """The current state from session_state (missing keys → defaults)."""
    values: dict[str, Any] = {}
    for name in STATE_FIELDS:
        k = PREFIX + name
        if k in session:
            v = session[k]
            values[name] = tuple(v) if isinstance(v, list | tuple) else v
    return ViewState(**values)


def set_fields(session: MutableMapping[str, Any], **changes: Any) -> None:
    """Change state fields from a callback (callbacks run before the widgets, so this is allowed)."""
    for name, value in changes.items():
        if name not in STATE_FIELDS:
            raise KeyError(name)
        session[PREFIX + name] = list(value) if isinstance(value, tuple) else value


def key(name: str) -> str:
    """The widget key of a state field (a widget with this key reads and writes the field)."""
    if name not in STATE_FIELDS:
        raise KeyError(name)
    return PREFIX + name


def _plain_query(query: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v[-1] if isinstance(v, list) else v) for k, v in dict(query).items()}


def publish(query: MutableMapping[str, Any], state: ViewState,
            session: MutableMapping[Any, Any] | None = None) -> None:
    """Mirror the state into the URL (only when it changed, so the browser history is not spammed; each
    change is one history entry). With the session, remember what was written: a later run whose URL
    differs came from the browser's Back or Forward (see `init_session`)."""
    want = to_query(state)
    if session is not None:
        session[_PUBLISHED] = dict(want)
    have = _plain_query(query)
    if have == want:
        return
    if hasattr(query, "from_dict"):
        query.from_dict(want)
        return
    for k in list(have):
        if k not in want:
            del query[k]
    query.update(want)


def share_link(state: ViewState) -> str:
    """The link of a view relative to the app's root, e.g. ``trace?trace=doc%3AP5.2`` (to bookmark or
    share it)."""
    from urllib.parse import urlencode

    query = urlencode(to_query(state))
    return state.view + ("?" + query if query else "")


# --- typed access to the session ---

T = TypeVar("T")


class _Item(Generic[T]):
    """One session value under a fixed key; reading a missing one gives the default (a fresh copy of a
    list, so it can be changed safely)."""

    def __init__(self, key: str, default: T) -> None:
        self.key = key
        self.default = default

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Item[T]: ...

    @overload
    def __get__(self, obj: Session, owner: type | None = None) -> T: ...

    def __get__(self, obj: Session | None, owner: type | None = None) -> T | _Item[T]:
        if obj is None:
            return self
        if self.key in obj.store:
            return obj.store[self.key]
        return list(self.default) if isinstance(self.default, list) else self.default  # type: ignore[return-value]

    def __set__(self, obj: Session, value: T) -> None:
        obj.store[self.key] = value

    def pop(self, obj: Session) -> T:
        """The value, removed from the session (a one-shot message or request)."""
        value = self.__get__(obj)
        if self.key in obj.store:
            del obj.store[self.key]
        return value


def _field(name: str, default: T) -> _Item[T]:
    return _Item(key(name), default)


CURATION_USER_KEY = PREFIX + "cur_user"  # the 校对人 text box


class Session:
    """What one browser session remembers, as typed attributes over st.session_state (or any mapping, in
    tests): the view state fields (also widget values) and the session's own small things."""

    # the view state (URL-mirrored); the lists are what the multiselect widgets hold
    view = _field("view", DEFAULT.view)
    doc = _field("doc", DEFAULT.doc)
    node = _field("node", DEFAULT.node)
    types: _Item[list[str]] = _field("types", list(DEFAULT.types))
    area = _field("area", DEFAULT.area)
    min_score = _field("min_score", DEFAULT.min_score)
    origins: _Item[list[str]] = _field("origins", list(DEFAULT.origins))
    q = _field("q", DEFAULT.q)
    focus = _field("focus", DEFAULT.focus)
    hops = _field("hops", DEFAULT.hops)
    cap = _field("cap", DEFAULT.cap)
    trace = _field("trace", DEFAULT.trace)
    cell = _field("cell", DEFAULT.cell)
    ask = _field("ask", DEFAULT.ask)
    scene = _field("scene", DEFAULT.scene)
    # the session's own
    goto: _Item[str] = _Item("_tg_goto", "")  # a page a button asked for; the frame switches to it
    curation_user: _Item[str] = _Item(CURATION_USER_KEY, "")
    curation_message: _Item[tuple[str, str] | None] = _Item("_tg_cur_msg", None)  # ("success"|"error", line)
    upload_results: _Item[list[tuple[str, bool, str]]] = _Item("_tg_upload_results", [])
    review_index: _Item[tuple[tuple[Any, ...], SentenceIndex] | None] = _Item("_tg_review_index", None)
    login_user: _Item[str] = _Item("_tg_login_user", "")  # the account this session logged in with
    login_token: _Item[str] = _Item("_tg_login_token", "")  # this session's id for the login slowdown

    def __init__(self, store: MutableMapping[Any, Any]) -> None:
        self.store = store  # st.session_state (its keys may be ints too) or a dict

    def state(self) -> ViewState:
        return read(self.store)

    def set(self, **changes: Any) -> None:
        set_fields(self.store, **changes)

    def navigate(self, view: str, **changes: Any) -> None:
        """Open another page (from a button callback), with some state fields changed."""
        if view not in VIEWS:
            raise KeyError(view)
        self.set(**changes)
        self.goto = view

    def pop_goto(self) -> str:
        return Session.goto.pop(self)

    def pop_curation_message(self) -> tuple[str, str] | None:
        return Session.curation_message.pop(self)


def session() -> Session:
    """The running Streamlit session."""
    import streamlit as st

    return Session(st.session_state)
