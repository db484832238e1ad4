"""The graph's vocabulary. Labels and relationship types come only from here, never from document
text, so they are safe to use as Neo4j labels and in every export."""

from __future__ import annotations

import re

NODE_TYPES = (
    "Document",
    "Section",
    "Area",
    "Problem",
    "Example",
    "Cause",
    "Measure",
    "Action",
    "PolicyRef",
    "Quote",
    "Speaker",
)
EDGE_TYPES = (
    "CONTAINS",
    "HAS_EXAMPLE",
    "HAS_ACTION",
    "CITES",
    "QUOTES",
    "SAID_BY",
    "ADDRESSES",
    "EXPLAINS",
    "TREATS",
    "SIMILAR_TO",
)
# The items a document is read into, each with its own span of text (not Document, PolicyRef, Quote, Speaker).
ITEM_TYPES = ("Section", "Area", "Problem", "Example", "Cause", "Measure", "Action")
# Nodes without a document, one per reference or speaker, shared by every document that cites them.
SHARED_TYPES = ("PolicyRef", "Speaker")
ORIGINS = ("parsed", "explicit", "inferred", "curated")
# The links the linker draws and analysts curate: which node types each joins (source types, target types).
LINK_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ADDRESSES": (("Measure", "Action"), ("Problem",)),
    "EXPLAINS": (("Cause",), ("Problem",)),
    "TREATS": (("Measure",), ("Cause",)),
}
LINK_TYPES = tuple(LINK_RULES)  # ("ADDRESSES", "EXPLAINS", "TREATS")
SCHEMA = "tracegraph/1"

# Chinese names for the UI and briefings.
TYPE_LABELS_ZH = {
    "Document": "文档",
    "Section": "章节",
    "Area": "方面",
    "Problem": "问题",
    "Example": "事例",
    "Cause": "原因",
    "Measure": "整改措施",
    "Action": "具体举措",
    "PolicyRef": "政策依据",
    "Quote": "引语",
    "Speaker": "讲话人",
}
EDGE_LABELS_ZH = {
    "CONTAINS": "包含",
    "HAS_EXAMPLE": "事例",
    "HAS_ACTION": "举措",
    "CITES": "引用",
    "QUOTES": "引语",
    "SAID_BY": "出自",
    "ADDRESSES": "针对",
    "EXPLAINS": "导致",
    "TREATS": "整治",
    "SIMILAR_TO": "相似",
}
ORIGIN_LABELS_ZH = {"parsed": "解析", "explicit": "明示", "inferred": "推断", "curated": "人工"}
STATUS_LABELS_ZH = {"admitted": "查摆", "none_found": "未发现", "planned": "计划", "taken": "已采取"}

TYPE_PREFIX = {"Section": "S", "Area": "A", "Cause": "C", "Measure": "M", "Quote": "Q"}


def doc_id_for(stem: str) -> str:
    """A readable, stable document id from the file name (no path, no spaces or separators)."""
    slug = re.sub(r"[\s/\\:#?%*\"'<>|]+", "_", stem).strip("._") or "doc"
    return slug[:80]


def policy_id(canonical: str) -> str:
    return f"policy:{canonical}"


def speaker_id(name: str) -> str:
    return f"speaker:{name}"
