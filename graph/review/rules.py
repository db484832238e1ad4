"""Review rules: graph/data/review_rules.json merged with an office's own rules file, validated key by key
with one clear message per mistake, regexes compiled once. Kept apart from the checks so the rules can be
loaded and validated (CLI `--rules`, the app's upload) without running a review."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tracegraph.errors import ConfigError, TracegraphError
from tracegraph.graph.link.concepts import load_categories

_SHARE, _COUNT, _BOOL, _WORDS, _REGEXES, _ROOTS = "share", "count", "bool", "words", "regexes", "roots"
_SPEC: dict[str, Any] = {
    "specificity.specific_if_any": ("enum", ("example", "date", "figure", "named_work")),
    "specificity.date_patterns": _REGEXES,
    "specificity.figure_patterns": _REGEXES,
    "specificity.named_work_patterns": _REGEXES,
    "specificity.generic_phrases": _WORDS,
    "specificity.vague_quantifiers": _WORDS,
    "specificity.thresholds.min_example_share": (_SHARE, True),
    "specificity.thresholds.min_specific_share": (_SHARE, True),
    "cause_depth.roots": _ROOTS,
    "cause_depth.count_body_mentions": _BOOL,
    "cause_depth.min_body_words": _COUNT,
    "cause_depth.objective_excuses": _WORDS,
    "cause_depth.thresholds.min_roots_covered": (_COUNT, True),
    "cause_depth.thresholds.max_excuse_causes": (_COUNT, True),
    "coverage.thresholds.max_problems_without_measures": (_COUNT, True),
    "coverage.thresholds.max_causes_without_measures": (_COUNT, True),
    "coverage.thresholds.max_problems_without_causes": (_COUNT, True),
    "checkability.required": ("enum", ("deadline", "owner", "target")),
    "checkability.deadline_patterns": _REGEXES,
    "checkability.vague_deadlines": _WORDS,
    "checkability.accept_vague_deadline": _BOOL,
    "checkability.owner_patterns": _REGEXES,
    "checkability.target_patterns": _REGEXES,
    "checkability.thresholds.min_checkable_share": (_SHARE, True),
    "boilerplate.min_clause_chars": _COUNT,
    "boilerplate.min_run_chars": _COUNT,
    "boilerplate.thresholds.max_boilerplate_share": (_SHARE, True),
}
_LEAF_DICTS = {"cause_depth.roots"}  # replaced whole by an override, so an office can drop a root


@dataclass(frozen=True)
class Rules:
    """Validated review rules; `patterns(key)` gives the compiled regexes of a *_patterns key."""

    data: dict[str, Any]
    source: str
    compiled: dict[str, list[re.Pattern[str]]] = field(default_factory=dict, repr=False)

    def get(self, dotted: str) -> Any:
        cur: Any = self.data
        for part in dotted.split("."):
            cur = cur[part]
        return cur

    def patterns(self, dotted: str) -> list[re.Pattern[str]]:
        return self.compiled[dotted]


def _default_data() -> dict[str, Any]:
    return json.loads(resources.files("tracegraph.graph").joinpath("data/review_rules.json").read_text("utf-8"))


def _merge(base: dict[str, Any], over: dict[str, Any], where: str, source: str) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        key = f"{where}.{k}" if where else k
        if k in ("note", "version"):
            out[k] = v
            continue
        if k not in base:
            known = "、".join(x for x in base if x != "note")
            raise ConfigError(f"评估规则 {source}：未知的键 {key}（此处可用：{known}）")
        if isinstance(base[k], dict) and key not in _LEAF_DICTS:
            if not isinstance(v, dict):
                raise ConfigError(f"评估规则 {source}：{key} 应为对象（{{…}}）")
            out[k] = _merge(base[k], v, key, source)
        else:
            out[k] = v
    return out


def _check(key: str, kind: Any, v: Any, source: str, compiled: dict[str, list[re.Pattern[str]]]) -> None:
    def bad(what: str) -> TracegraphError:
        return ConfigError(f"评估规则 {source}：{key} {what}（现为 {json.dumps(v, ensure_ascii=False)}）")

    nullable = False
    if isinstance(kind, tuple) and kind[0] in (_SHARE, _COUNT):
        kind, nullable = kind
    if v is None and nullable:
        return
    if kind == _SHARE:
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            raise bad("应为 0 到 1 之间的数字" + ("，或 null 表示不参与结论" if nullable else ""))
    elif kind == _COUNT:
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise bad("应为非负整数" + ("，或 null 表示不参与结论" if nullable else ""))
    elif kind == _BOOL:
        if not isinstance(v, bool):
            raise bad("应为 true 或 false")
    elif kind in (_WORDS, _REGEXES):
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise bad("应为非空字符串的列表")
        if kind == _REGEXES:
            pats = []
            for x in v:
                try:
                    pats.append(re.compile(x))
                except re.error as exc:
                    raise ConfigError(f"评估规则 {source}：{key} 中的正则表达式 {x!r} 有误：{exc}") from None
            compiled[key] = pats
    elif kind == _ROOTS:
        cats = load_categories()
        if not isinstance(v, dict) or not v:
            raise bad("应为对象：根源名称 → {categories: [...], words: [...]}")
        for name, spec in v.items():
            if not isinstance(spec, dict) or set(spec) - {"categories", "words"}:
                raise bad(f"中的“{name}”应只含 categories 和 words 两个键")
            for sub in ("categories", "words"):
                items = spec.get(sub, [])
                if not isinstance(items, list) or not all(isinstance(x, str) and x for x in items):
                    raise bad(f"中“{name}”的 {sub} 应为字符串列表")
            unknown = [c for c in spec.get("categories", []) if c not in cats]
            if unknown:
                raise ConfigError(
                    f"评估规则 {source}：{key} 中“{name}”引用了未知类别 {'、'.join(unknown)}"
                    f"（graph/data/concepts.json 中有：{'、'.join(cats)}）"
                )
            if not spec.get("categories") and not spec.get("words"):
                raise bad(f"中“{name}”没有任何类别或信号词")
    elif isinstance(kind, tuple) and kind[0] == "enum":
        allowed = kind[1]
        if not isinstance(v, list) or not v or any(x not in allowed for x in v):
            raise bad(f"应为以下取值组成的非空列表：{'、'.join(allowed)}")


def rules_from_dict(over: dict[str, Any] | None = None, source: str = "（内置默认规则）") -> Rules:
    """Defaults with `over` merged in (objects key by key, lists replaced), then validated."""
    data = _default_data()
    if over:
        if not isinstance(over, dict):
            raise ConfigError(f"评估规则 {source}：顶层应为 JSON 对象")
        data = _merge(data, copy.deepcopy(over), "", source)
    compiled: dict[str, list[re.Pattern[str]]] = {}
    for key, kind in _SPEC.items():
        cur: Any = data
        for part in key.split("."):
            if not isinstance(cur, dict) or part not in cur:
                raise ConfigError(f"评估规则 {source}：缺少 {key}")
            cur = cur[part]
        _check(key, kind, cur, source, compiled)
    roots = data["cause_depth"]["roots"]
    need = data["cause_depth"]["thresholds"]["min_roots_covered"]
    if need is not None and need > len(roots):
        raise ConfigError(
            f"评估规则 {source}：cause_depth.thresholds.min_roots_covered 为 {need}，但只定义了 {len(roots)} 个根源"
        )
    return Rules(data, source, compiled)


def load_rules(path: str | Path | None = None) -> Rules:
    """The built-in rules, or a user's rules file merged over them (only the keys it changes need be given)."""
    if path is None:
        return rules_from_dict(None)
    p = Path(path)
    try:
        over = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"评估规则文件不存在：{p}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"评估规则文件 {p} 不是 UTF-8 编码") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"评估规则文件 {p} 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    return rules_from_dict(over, str(p))
