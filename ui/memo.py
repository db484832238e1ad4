"""Answers computed once per graph object. The app's graph is one shared, read-only object per workspace
version (``ui.shell._graph``), so what a page derives from all of it — counts, gaps, cited policies for the
总览 of a thousand documents — is computed on the first visit and then read back; a new build or a curation
decision gives a new graph object and so fresh answers. Only for views: nothing here may mutate a graph."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import networkx as nx

T = TypeVar("T")
_MEMO: WeakKeyDictionary[nx.MultiDiGraph, dict[Hashable, Any]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def per_graph(g: nx.MultiDiGraph, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once for this graph object and key (two sessions at once may both compute it)."""
    with _LOCK:
        memo = _MEMO.setdefault(g, {})
        if key in memo:
            return memo[key]
    value = compute()
    with _LOCK:
        memo[key] = value
    return value


def cached(g: nx.MultiDiGraph, fn: Callable[..., T], *args: Hashable) -> T:
    """``fn(g, *args)`` once per graph object, keyed by the function's name and the arguments — so the
    warm-up at server start and the page ask for the same answer by the same key."""
    return per_graph(g, (fn.__name__, *args), lambda: fn(g, *args))
