"""Stage 3, roles: what each part of the outline holds (problems, causes, measures taken or planned,
organisational, past, other matters), from heading wording and, where the heading says nothing, from content."""

from __future__ import annotations

from tracegraph.loaders.structure import cues
from tracegraph.loaders.structure.base import ParserState
from tracegraph.loaders.structure.enumeration import split_runs
from tracegraph.loaders.structure.model import OutlineNode


class RolesStage(ParserState):
    def walk_section(self, node: OutlineNode, role: str | None, parent: int, path: str) -> None:
        if (
            role in ("problem", "measure", None)
            and node.para is not None
            and self._names_problem(node)
            and not any(self._names_problem(c) for c in node.children)
        ):  # 一、关于“……”问题的整改 as a part of its own: the problem and the units that answer it
            self.problem_named_measures(node, parent, path, self._default_status())
            return
        if role == "organisational":
            n0 = len(self.items)
            self.extract(node, "measure", parent, path, status="organisational")
            self._mark_set_aside(n0, "organisational")
            self._set_aside("organisational", node.marker_start, node.end)
            return
        if role in ("problem", "cause", "measure", "other"):
            if (
                role == "measure"
                and self.has_taken
                and cues.PLANNED_CUE.search(self._heading(node))
                and not cues.TAKEN_CUE.search(self._heading(node))
            ):
                # next steps in a report of measures taken: kept, marked planned, apart from what was done
                self.items[parent].attrs["role"] = "next_steps"
                n0 = len(self.items)
                self.extract(node, "measure", parent, path, status="planned")
                self._mark_set_aside(n0, "planned")
                self._set_aside("planned", node.marker_start, node.end)
                return
            if role == "measure" and not node.children and cues.PROBLEM_WORDS.search(self._heading(node)):
                self.mixed_paragraphs(node, parent, path)
                return
            self.extract(node, role, parent, path)
            return
        if role in ("past", "none"):
            self._set_aside(role if role == "past" else "context", node.marker_start, node.end)
            return
        # No role of its own: sub-headings may carry one (二、对照检查 → （一）存在的问题 …), and 台账
        # blocks or tables can appear anywhere.
        if node.children and node.para is not None and self._lead_says_measures(node):
            n0 = len(self.items)
            self.extract(node, "measure", parent, path, status="taken")
            for it in self.items[n0:]:
                if it.type == "Measure":
                    it.attrs["role_uncertain"] = True
            return
        for child in node.children:
            child_role = cues.heading_role(self._heading(child))
            cpath = f"{path}/{self._seg(child)}"
            if child.key == "tz_problem":
                self.ledger_entry(child, parent, cpath)
            elif self._names_problem(child):  # 1．关于“……”问题的整改 under a heading that names no role
                self.problem_named_measures(child, parent, cpath, self._default_status())
            elif child_role:
                hs, he = self.heading_text(child)
                idx = self.add(
                    "Section", child.marker_start, child.end, (hs, he), child.marker, cpath, parent, role=child_role
                )
                self.walk_section(child, child_role, idx, cpath)
            else:
                self.walk_section(child, None, parent, cpath)
        if not node.children and node.para is not None:
            self.roles_from_content(node, parent, path)
        self.tables(node, parent, path, None)

    def _section_role(self, sec: OutlineNode, role: str | None) -> str | None:
        """A 通报's first part often tells how the rectification was organised (组织领导, 压实责任…): its items
        answer no finding. Read from the wording of its sub-items, not from its position."""
        if role not in ("measure", None) or len(sec.children) < 2:
            return role
        heads = [self._heading(c) for c in sec.children]
        org = sum(bool(cues.ORGANISATIONAL.search(h)) for h in heads)
        if org * 2 >= len(heads) and (role == "measure" or cues.RECTIFICATION_WORK.search(self._heading(sec))):
            return "organisational"
        return role

    def _lead_says_measures(self, node: OutlineNode) -> bool:
        """二、会议的主要收获 whose opening paragraph says what follows (…四个方面的整改收获): measures taken."""
        assert node.para is not None
        lead_end = node.children[0].marker_start
        lead = self.norm[self.paras[node.para].end : lead_end]
        return bool(cues.MEASURES_LEAD.search(lead)) and len(lead) < 400

    def mixed_paragraphs(self, node: OutlineNode, parent: int, path: str) -> None:
        """三、存在的不足和努力方向 with plain paragraphs: a paragraph that opens with 今后/下一步 is a plan; the
        others are left to the shortcoming lists (比如…；…；…) found afterwards."""
        for k, p in enumerate(self._item_paragraphs(node), 1):
            if cues.PLANNED_LEAD.search(self.norm[p.start : min(p.end, p.start + 14)]):
                title = self.title_span(p.start, p.end)
                m = self.add("Measure", p.start, p.end, title, "", f"{path}/¶{k}", parent, status="planned")
                self.sentence_actions(title[1], p.end, m, f"{path}/¶{k}")

    def roles_from_content(self, node: OutlineNode, parent: int, path: str) -> None:
        """A part whose heading names no role (一、思想政治情况) may still hold an enumeration whose units admit
        shortcomings (第一，…不够) or announce plans (今后一要…): kept as items, marked role_uncertain for the
        analyst to confirm in 校对, instead of being dropped."""
        start = self.heading_text(node)[1]
        enum = self.inline_enums(start, node.end)
        runs = split_runs(enum)
        for r, run in enumerate(runs):
            if len(run) < 2:
                continue
            run_end = runs[r + 1][0][0] if r + 1 < len(runs) else node.end
            lead = self.lead_before(run[0][0])
            bodies = [
                self.norm[s : (run[i + 1][0] if i + 1 < len(run) else self._item_end(s, run_end))]
                for i, (s, _me, _mk) in enumerate(run)
            ]
            if cues.PLANNED_LEAD.search(lead) or cues.REQUIREMENT_LEAD.search(lead):
                role, status = "measure", "planned"
            elif sum(bool(cues.SHORTCOMING_STRONG.search(b)) for b in bodies) * 2 > len(bodies) and not any(
                cues.ACHIEVEMENT.search(b) and not cues.SHORTCOMING_STRONG.search(b) for b in bodies
            ):
                role, status = "problem", None
            else:
                continue
            n0 = len(self.items)
            self.enum_items(run, role, parent, path, run_end, status)
            for it in self.items[n0:]:
                if it.parent == parent and it.type in ("Problem", "Measure"):
                    it.attrs["role_uncertain"] = True

    def walk_body_only(self, root: OutlineNode) -> None:
        self.tables(root, None, "", None)

    def _measure_status(self, node: OutlineNode) -> str:
        h = self._heading(node)
        if cues.TAKEN_CUE.search(h) or (self.report_genre and not cues.PLANNED_CUE.search(h)):
            return "taken"
        return "planned"

    def _default_status(self) -> str:
        return "taken" if self.has_taken else "planned"

    def extract(self, node: OutlineNode, role: str, parent: int, path: str, status: str | None = None) -> None:
        """Items of a role section: marked children, else inline enumerations, else plain paragraphs."""
        if role == "measure" and status is None:
            status = self._measure_status(node)
        if role == "other":
            self.other_matters_block(node, parent, path)
            return
        children = [c for c in node.children]
        if any(c.key == "tz_problem" for c in children):
            for c in children:
                if c.key == "tz_problem":
                    self.ledger_entry(c, parent, f"{path}/{self._seg(c)}")
            return
        if children:
            siblings_grouped = role == "measure" and any(self._is_group(c) for c in children)
            for child in children:
                cpath = f"{path}/{self._seg(child)}"
                child_role = cues.heading_role(self._heading(child))
                if child_role and child_role != role and child_role != "problem" and self.is_heading_like(child):
                    hs, he = self.heading_text(child)
                    idx = self.add(
                        "Section", child.marker_start, child.end, (hs, he), child.marker, cpath, parent, role=child_role
                    )
                    self.walk_section(child, child_role, idx, cpath)
                    continue
                if self._names_problem(child) and role in ("measure", "problem"):
                    self.problem_named_measures(child, parent, cpath, status or self._default_status())
                    continue
                if role == "measure" and self._is_group(child, siblings_grouped):
                    self.measure_group(child, parent, cpath, status)
                    continue
                self.child_item(child, role, parent, cpath, status)
            self.tables(node, parent, path, role)
            return
        # no marked children: inline enumerations in the section's own text and body
        start = node.content_start if node.para is not None else node.marker_start
        if node.para is not None:
            hs, he = self.heading_text(node)
            start = he
        enum = self.inline_enums(start, node.end)
        if enum:
            self.enum_runs(enum, role, parent, path, node.end, status)
        else:
            self.paragraph_items(node, role, parent, path, status)
        self.tables(node, parent, path, role)
