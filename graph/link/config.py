"""Every number the linker decides with — feature weights, thresholds, caps and window sizes — in one place.

A knob that sits inline in the linker cannot be found, tested or tuned; here each has its default and a line
saying what it does. The defaults were measured on the sample family (tools/bench and the tests); pass a
changed `LinkConfig` to `link_document` / `link_graph` (or `DocumentLinker`) to use others."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LinkConfig:
    """Weights and thresholds of the linker; defaults measured on the sample family (see tools/bench and tests)."""

    # ---- feature weights: each feature is z-scored over a target's candidate sources, then weighted
    w_full: float = 1.0  # body ↔ body
    w_title: float = 0.5  # lead sentence ↔ lead sentence
    w_cross: float = 0.25  # lead sentence ↔ body
    w_policy: float = 0.3  # shared distinctive policy references
    w_concept: float = 1.0  # same root category (政治/理论学习/担当…, graph/data/concepts.json)
    w_rare: float = 0.5  # gram_chars-character strings only these two items (of all problems/causes/measures) share
    w_transitive: float = 1.0  # measure → cause → problem
    w_transitive_cause: float = 1.5  # cause ← measure → problem
    target_z_share: float = 0.5  # weight of the target's rank among the source's candidates (the rest: source's rank)

    # ---- what the features are computed on
    area_weight: float = 0.25  # share of the area heading mixed into a problem's body vector (a hint, not the topic)
    gram_chars: int = 4  # length of the Han strings behind w_rare and the ubiquitous-phrase filter of the evidence
    rare_max_items: int = 3  # such a string is "rare" when at most this many items of the document use it
    common_share: float = 0.25  # ... and "ubiquitous" (explains nothing) when more than this share of items use it
    common_min_items: int = 6  # documents with fewer items than this have no ubiquitous strings

    # ---- choosing links
    min_z: float = 0.5  # below this a problem's best candidate is not adequate evidence (coverage gap)
    second_ratio: float = 0.7  # a second link when it scores this close to the best
    second_min_z: float = 1.0  # ... and at least this high
    max_seconds: int = 2  # how many runners-up (ranks 2, 3, …) may be linked besides the best
    min_cos: float = 0.015  # raw overlap floor: no shared content, no link
    direct_min_z: float = 0.0  # a candidate needs direct evidence this good; transitive evidence only ranks
    cause_min_z: float = 1.5  # min_z for causes, which are few and broad
    cause_second_ratio: float = 0.7  # second_ratio for causes
    suggestions: int = 3  # nearest candidates kept on a target left unlinked, for the analyst to confirm one
    exact_assignment_max: int = 14  # measures ↔ causes paired exactly up to this many causes, greedily beyond

    # ---- actions, explicitly named problems, scores and evidence
    action_min_cos: float = 0.02  # a measure's step is linked to the problem only when their bodies overlap this much
    action_score_factor: float = 0.9  # the step's score: its measure's link score times this
    name_min_sim: float = 0.5  # a problem named in the text (针对“…”问题) matches a problem title this similar
    score_centre: float = 1.0  # combined z that maps to score 0.5 (clearly above the row average)
    score_slope: float = 0.9  # steepness of the z → [0, 1] score curve (0.86 at z = 3 with the defaults)
    evidence_min_terms: int = 2  # fewer shared terms in the best sentence pair: add terms from the whole bodies
    evidence_max_terms: int = 6  # shared terms listed as evidence at most
