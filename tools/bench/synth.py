"""Synthetic corpora for the benchmark, made by recombining paragraphs of the shipped sample documents
(data/ and bench/seeds/, the latter invented for this purpose) with other organisations, years, numbering
styles, reworded sentences and encodings. Deterministic for a given seed, so runs compare like with like.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ORGS = [
    "县委组织部",
    "市委宣传部",
    "县教育局",
    "区卫生健康委",
    "市财政局",
    "县自然资源局",
    "镇党委",
    "市委政法委",
    "县农业农村局",
    "区市场监管局",
    "市交通运输局",
    "县住建局",
    "市委统战部",
    "县人社局",
    "区应急管理局",
]
# Rewordings a different author would choose: the claim stays, the characters change.
SWAPS = [
    ("不够", "不足"),
    ("还存在", "仍存在"),
    ("进一步", "持续"),
    ("加强", "强化"),
    ("深入", "深化"),
    ("认识", "理解"),
    ("到位", "落实"),
    ("存在", "有"),
    ("工作", "业务"),
    ("提高", "提升"),
]
_AREA = re.compile(r"^（[一二三四五六七八九十]+）", re.M)
_CN = "一二三四五六七八九十"


def seed_texts() -> list[str]:
    files = sorted((ROOT / "data").glob("*.txt")) + sorted((ROOT / "tools" / "bench" / "seeds").glob("*.txt"))
    return [f.read_text(encoding="utf-8") for f in files]


def _reword(text: str, rng: random.Random, rate: float) -> str:
    out = []
    for sent in re.split(r"(?<=。)", text):
        if rng.random() < rate:
            for a, b in rng.sample(SWAPS, 3):
                sent = sent.replace(a, b)
        out.append(sent)
    return "".join(out)


def _shuffle_areas(text: str, rng: random.Random) -> str:
    """Reorder (and sometimes drop) the （一）（二）… blocks of the first section, renumbering them."""
    lines = text.split("\n")
    idx = [i for i, ln in enumerate(lines) if _AREA.match(ln)]
    if len(idx) < 3:
        return text
    blocks = [lines[i] for i in idx]
    rng.shuffle(blocks)
    if rng.random() < 0.3:
        blocks = blocks[:-1]
    blocks = [_AREA.sub(f"（{_CN[k]}）", b, count=1) for k, b in enumerate(blocks)]
    out = []
    for i, ln in enumerate(lines):
        if i == idx[0]:
            out.extend(blocks)
        elif i in idx:
            continue
        else:
            out.append(ln)
    return "\n".join(out)


def _numbering(text: str, rng: random.Random) -> str:
    """一是/二是 → 第一，第二， in some documents (another common style)."""
    if rng.random() < 0.3:
        return re.sub(r"(^|[。；\n])([一二三四五六七八九])是", lambda m: f"{m.group(1)}第{m.group(2)}，", text)
    return text


def make_document(i: int, seeds: list[str], rng: random.Random) -> str:
    base = seeds[0] if rng.random() < 0.8 or len(seeds) == 1 else rng.choice(seeds[1:])
    org = rng.choice(ORGS)
    year = rng.randint(2019, 2025)
    text = base.replace("县委组织部", org).replace("组织部", org[-3:])
    text = re.sub(r"20[12]\d年", f"{year}年", text)
    text = _shuffle_areas(text, rng)
    text = _numbering(text, rng)
    text = _reword(text, rng, 0.25)
    title = f"{org}领导班子{year}年度民主生活会对照检查材料" if base is seeds[0] else ""
    return (title + "\n" + text) if title else text


def make_corpus(out_dir: str | Path, n: int, seed: int = 0) -> list[Path]:
    """Write n documents (10% of them in GB18030) and return their paths; reuses files already there."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seeds = seed_texts()
    paths = []
    for i in range(n):
        p = out / f"doc{i:05d}.txt"
        paths.append(p)
        if p.exists():
            continue
        rng = random.Random(seed * 1_000_003 + i)
        text = make_document(i, seeds, rng)
        enc = "gb18030" if rng.random() < 0.1 else "utf-8"
        p.write_bytes(text.encode(enc))
    return paths
