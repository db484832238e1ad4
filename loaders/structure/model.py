"""What the reader produces: the outline (OutlineNode) and the items (Item) of a ParsedDocument."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracegraph.loaders.formats.document import LoadedDocument


@dataclass
class Span:
    start: int
    end: int


@dataclass
class OutlineNode:
    """A heading (marked paragraph) with what follows it until the next heading of its level or above."""

    key: tuple[str, int] | str
    para: int | None
    marker: str = ""
    marker_start: int = 0
    content_start: int = 0
    end: int = 0
    level: int = 0
    children: list[OutlineNode] = field(default_factory=list)
    body: list[int] = field(default_factory=list)  # indices of unmarked paragraphs directly under it
    parent: OutlineNode | None = None


@dataclass
class Item:
    """One node the parser found; graph.build turns these into graph nodes."""

    type: str
    start: int
    end: int
    title_start: int
    title_end: int
    marker: str = ""
    path: str = ""
    parent: int | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    key: str = ""


@dataclass
class ParsedDocument:
    doc: LoadedDocument
    title: str
    items: list[Item]
    redactions: list[tuple[int, int]]
    parts: list[tuple[int, str]] = field(default_factory=list)  # further documents in the file: (start, title)
    set_aside: dict[str, int] = field(default_factory=dict)  # characters kept out of items, by reason

    def of_type(self, t: str) -> list[Item]:
        return [i for i in self.items if i.type == t]


_ITEM_TYPES = ("Problem", "Cause", "Measure", "Action", "Example")


_CN = "一二三四五六七八九十百"


def _walk(node: OutlineNode):  # type: ignore[no-untyped-def]
    yield node
    for c in node.children:
        yield from _walk(c)
