"""Where one document ends and the next begins inside one file, and which paragraphs are boilerplate.

Published pages often hold several reports in a row (述职报告 of four leaders, each with a title line and a name
line), and every 通报 closes with contact lines (欢迎…监督, 联系电话, 邮政信箱) and a 落款. No item may run across
a document boundary or into closing boilerplate; both are found here, before roles are read."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracegraph.loaders.formats.document import Paragraph

# A title line of a document of the family (short, no sentence punctuation at its end).
DOC_TITLE = re.compile(
    r"(?:述职|述廉|述德|述法|对照检查|检视剖析|整改|巡视|巡察|民主生活会|组织生活会|发言提纲|汇报|工作)"
    r"[^。；;！!？?]{0,30}(?:报告|材料|通报|方案|提纲|情况)\s*$"
)
# A name line right after a title: two to four Han characters, maybe spaced (王  琛).
NAME_LINE = re.compile(r"^\s*[\u4e00-\u9fff](?:[\s\u3000]*[\u4e00-\u9fff]){1,3}\s*$")
# Boilerplate that closes a document wherever it stands: thanks, contact lines, appeals for supervision.
CLOSING_ANYWHERE = re.compile(
    r"^\s*(?:欢迎.{0,40}监督|联系电话|联系方式|邮政信箱|电子邮箱|来信地址|通信地址|邮编|附件\s*[:：\d])"
    r"|表示(?:诚挚|衷心|真诚)?的?(?:感谢|谢意)|谢谢大家|请批评指正|不当之处|(?:特别|衷心)要?感谢|感谢(?:全体|各位|大家)"
    r"|诚恳接受|恳请.{0,10}(?:批评|指正)"
)
# The closing words of a whole document: resolve, thanks, an appeal — only at the very end, before the 落款.
PERORATION = re.compile(r"永远在路上|决心|以实际行动|胜利召开|再接再厉|新的一年|展望|让我们|我们将|我将")
_ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}\s*[.．、]|[（(])")
SIGNATURE_LIKE = re.compile(
    r"^\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[^，。；：:,;!?！？]{2,30}(?:委员会|党委|党组|政府|学校|大学|学院|局|办公室))\s*$"
)


def document_starts(paras: Sequence[Paragraph], norm: str, min_body: int = 120) -> list[int]:
    """Indices of paragraphs that open a further document in the same file (never the first one).

    A title line counts when real body text came before it and either a name line follows it or the same
    title wording was already seen (the second and later of a series)."""
    out: list[int] = []
    seen_titles: set[str] = set()
    body = 0
    for i, p in enumerate(paras):
        t = norm[p.start : p.end].strip()
        if p.kind != "table_row" and 4 <= len(t) <= 40 and DOC_TITLE.search(t) and not _ENUMERATED.match(t):
            key = re.sub(r"^\d{4}年度?", "", t)
            nxt = norm[paras[i + 1].start : paras[i + 1].end] if i + 1 < len(paras) else ""
            if body >= min_body and (NAME_LINE.match(nxt) or key in seen_titles):
                out.append(i)
                body = 0
            seen_titles.add(key)
            continue
        body += len(t)
    return out


def closing_paragraphs(paras: Sequence[Paragraph], norm: str) -> list[int]:
    """Paragraphs of closing boilerplate (thanks, contacts, 欢迎监督) — short ones only, so a long paragraph
    that merely ends with thanks keeps its content."""
    out = {
        i
        for i, p in enumerate(paras)
        if p.kind != "table_row" and (p.end - p.start) <= 220 and CLOSING_ANYWHERE.search(norm[p.start : p.end])
    }
    # the closing block of each document: from its end backwards, boilerplate, 落款 and a closing peroration
    ends = [*(s - 1 for s in document_starts(paras, norm)), len(paras) - 1]
    for last in ends:
        i = last
        while i > 0:
            t = norm[paras[i].start : paras[i].end].strip()
            if i in out or SIGNATURE_LIKE.match(t) or not t:
                i -= 1
                continue
            if PERORATION.search(t[:80]) and len(t) <= 400 and not _ENUMERATED.match(t):
                out.add(i)
            break
    return sorted(out)
