"""The format registry and the job every writer receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import networkx as nx

from tracegraph.graph.query.subgraph import Selection


@dataclass(frozen=True)
class ExportJob:
    """``graph`` is the selected subgraph; ``source`` the graph it came from (coverage gaps are judged
    against the whole source, not against what happens to be selected)."""

    graph: nx.MultiDiGraph
    source: nx.MultiDiGraph
    selection: Selection
    scope: str
    title: str
    generated: date
    subject: str = ""  # the selection in plain words (a problem's title, a document's title), no ids


Writer = Callable[[ExportJob, Path], None]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    suffix: str
    mime: str
    label: str
    writer: Writer


REGISTRY: dict[str, ExportFormat] = {}


def register(name: str, suffix: str, mime: str, label: str) -> Callable[[Writer], Writer]:
    """Decorator: ``@register("md", ".md", "text/markdown", "简报表格（Markdown）")``."""

    def deco(fn: Writer) -> Writer:
        REGISTRY[name] = ExportFormat(name, suffix, mime, label, fn)
        return fn

    return deco
