"""The structure reader: a LoadedDocument → ParsedDocument, through the stages in this package.

It works on a length-preserving normalised copy of the text, so every span it returns slices the loader's
own text. Document boundaries and closing boilerplate: boundaries.py; wording: cues.py; the reading report:
reading.py."""

from __future__ import annotations

import re

from tracegraph.errors import StructureError
from tracegraph.loaders.formats.document import LoadedDocument
from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.enumeration import EnumerationStage
from tracegraph.loaders.structure.ledger import LedgerStage
from tracegraph.loaders.structure.measures import MeasuresStage
from tracegraph.loaders.structure.model import OutlineNode, ParsedDocument, _walk
from tracegraph.loaders.structure.other_matters import OtherMattersStage
from tracegraph.loaders.structure.outline import OutlineStage
from tracegraph.loaders.structure.problems import ProblemsStage
from tracegraph.loaders.structure.roles import RolesStage


class _Parser(RolesStage, MeasuresStage, ProblemsStage, LedgerStage, OtherMattersStage, EnumerationStage, OutlineStage):
    """The stages composed; parse() runs them in order."""

    def parse(self) -> ParsedDocument:
        root = self.build_outline()
        doc_title = self._doc_title(root)
        sections = root.children
        has_taken = any(
            cues.TAKEN_CUE.search(self.text[slice(*self.heading_text(s))]) for s in _walk(root) if s.para is not None
        )
        head = " ".join(self.norm[self.paras[i].start : self.paras[i].end] for i in root.body[:2])
        self.report_genre = bool(cues.REPORT_TITLE.search(head))  # a 整改情况通报: what it lists was done
        self.has_taken = has_taken or self.report_genre
        ledger_section: int | None = None
        for si, sec in enumerate(sections):
            if sec.key == "tz_problem":
                # 问题1：… blocks straight under the title: a 台账 with no section headings
                if ledger_section is None:
                    ledger_section = self.add(
                        "Section",
                        sec.marker_start,
                        sec.marker_start,
                        (sec.marker_start, sec.marker_start),
                        "",
                        "台账",
                        None,
                        role="ledger",
                    )
                self.items[ledger_section].end = sec.end
                self.ledger_entry(sec, ledger_section, f"台账/{sec.marker}")
                continue
            ledger_section = None
            hs, he = self.heading_text(sec)
            role = cues.heading_role(self.norm[hs:he])
            part = self._part_of(sec.marker_start)
            spath = (f"D{part + 1}/" if self.part_paras else "") + (sec.marker or f"§{si + 1}")
            role = self._section_role(sec, role)
            sec_idx = self.add(
                "Section",
                sec.marker_start,
                sec.end,
                (hs, he),
                sec.marker,
                spath,
                None,
                role=role or "",
                **({"part": part} if self.part_paras else {}),
            )
            self.walk_section(sec, role, sec_idx, spath)
        # Plain documents with no headings at all: try the whole body as one problem list.
        if not sections:
            self.walk_body_only(root)
        self.other_matters_in_paras(root)
        self.semicolon_problem_lists()
        counted = [i for i in self.items if i.type in ("Problem", "Cause", "Measure")]
        if not counted:
            raise StructureError(
                self.doc.path,
                "未识别出问题、原因或整改措施（没有“存在的问题/原因分析/整改措施”等小节标题或 问题N： 台账行）",
            )
        parts = [
            (self.paras[i].start, self.text[self.paras[i].start : self.paras[i].end].strip()) for i in self.part_paras
        ]
        return ParsedDocument(
            self.doc, doc_title, self.items, find_redactions(self.text), parts=parts, set_aside=dict(self.set_aside)
        )

    def _doc_title(self, root: OutlineNode) -> str:
        for idx in root.body[:3]:
            p = self.paras[idx]
            t = self.text[p.start : p.end].strip()
            if 4 <= len(t) <= 60 and not t.endswith(("。", "：", ":")):
                return t
        from pathlib import Path

        return Path(self.doc.path).stem


# The leading class lets the engine skip every position that cannot start a redaction (half the scan time).
_REDACTION = re.compile(
    r"(?=[《XＸ×＊*某])(?:《[XＸx×*＊]{2,}》|[XＸ×＊*]{2,}|[XＸ](?=[省市县区乡镇村])|某(?=[省市县区乡镇村局委办]))"
)


def find_redactions(text: str) -> list[tuple[int, int]]:
    """Masked names (XX县, 《XXXXXX》, XXXXX) keep their place and are never taken for content."""
    spans = []
    for m in _REDACTION.finditer(text):
        e = m.end()
        if e < len(text) and text[e] in "省市县区乡镇村" and not m.group().startswith("《"):
            e += 1
        spans.append((m.start(), e))
    return spans


def parse(doc: LoadedDocument) -> ParsedDocument:
    """Parse a loaded document; raises StructureError when nothing recognisable is found."""
    return _Parser(doc).parse()
