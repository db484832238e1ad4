"""The app's index of a paged store (graph.stores.base.catalogue_entry): each document named as doc_label names it
from its whole metadata, with exactly the warnings that put its reading in doubt and nothing else of the report."""

from __future__ import annotations

import networkx as nx

from tracegraph.graph.query.naming import doc_label
from tracegraph.graph.query.queries import doubtful
from tracegraph.graph.stores.base import catalogue_entry

REPORT = {"item_share": 0.4, "counts": {"Problem": 2}, "set_aside": {"planned": 120},
          "warnings": [{"code": "problems_without_measures", "text": "识别出 2 个问题，但没有识别出整改措施"},
                       {"code": "short_document", "text": "正文很短"}]}


def _label(meta: dict) -> str:
    g = nx.MultiDiGraph()
    g.graph["documents"] = {"d1": meta}
    return doc_label(g, "d1")


def test_an_entry_names_the_document_as_its_whole_metadata_does() -> None:
    named = {"title": "2023_report_v2", "format": "docx", "chars": 5120, "path": "/x/2023_report_v2.docx",
             "original_name": "2023_report_v2.docx", "text": "正文" * 100, "sha256": "ab",
             "meta": {"organisation": "某县委组织部", "genre": "整改方案", "year": 2023, "level": "县",
                      "source": {"organisation": "body"}}, "reading": REPORT}
    e = catalogue_entry("d1", named)
    assert e == {"id": "d1", "title": "2023_report_v2", "original_name": "2023_report_v2.docx", "format": "docx",
                 "chars": 5120, "meta": {"organisation": "某县委组织部", "genre": "整改方案", "year": 2023},
                 "reading": {"warnings": [REPORT["warnings"][0]], "doubts_only": True}}
    assert _label(e) == _label(named) == "某县委组织部·整改方案（2023）"
    assert doubtful(e["reading"]) == doubtful(REPORT) == ["识别出 2 个问题，但没有识别出整改措施"]


def test_a_chinese_title_needs_no_meta_and_a_sound_reading_no_report() -> None:
    meta = {"title": "县住建局领导班子2021年度民主生活会对照检查材料", "format": "txt", "chars": 7856,
            "meta": {"organisation": "县住建局领导班子", "year": 2021},
            "reading": {"item_share": 0.84, "warnings": [{"code": "short_document", "text": "正文很短"}]}}
    e = catalogue_entry("doc00005", meta)
    assert e == {"id": "doc00005", "title": meta["title"], "format": "txt", "chars": 7856}
    assert _label(e) == _label(meta) == meta["title"]
