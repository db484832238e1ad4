"""Safe HTML for document text: everything from a document is escaped first, then our own tags
(<mark>, <b>) are put around known spans. Document text is untrusted (an uploaded file can hold
``<script>``), so no text reaches the page unescaped."""

from __future__ import annotations

import re
from typing import Any

# Every ASCII punctuation character becomes a numeric character reference: Markdown, GFM, Streamlit's
# directives (:red[…], :material/…:, $…$) and HTML are all spelled with ASCII punctuation, and a character
# reference is literal text to both the Markdown parser and the HTML parser. A word joiner (U+2060, invisible)
# after "://", "www" and "@" keeps GFM's autolink pass (which runs on the decoded text) from making a link.
_ENTITIES = {c: f"&#{ord(c)};" for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"}
_WJ = "\u2060"
_AUTOLINK = re.compile(r"(?i):/|www|@.|@$")


def esc(text: Any, newlines: str = "<br>") -> str:
    """THE escape for document and URL text shown anywhere in the app (st.markdown, st.caption, alerts,
    our HTML tables, button and expander labels, metric labels, help tooltips, our own HTML): the text stays
    text — nothing in it can become markup, a link or an image. Line breaks become `newlines` (``<br>`` for
    our own HTML; ui.views.common.md passes a space for Markdown elements)."""
    s = str(text if text is not None else "")
    s = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + _WJ + m.group(0)[-1], s)
    s = "".join(_ENTITIES.get(ch, ch) for ch in s)
    return s.replace("\r", "").replace("\n", newlines)


def paragraph_bounds(text: str, start: int, end: int, max_chars: int = 700) -> tuple[int, int]:
    """The paragraph(s) around [start, end), trimmed to about `max_chars` around the span."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    p0 = text.rfind("\n", 0, start) + 1
    p1 = text.find("\n", end)
    p1 = len(text) if p1 < 0 else p1
    if p1 - p0 > max_chars:
        room = max(0, max_chars - (end - start)) // 2
        p0 = max(p0, start - room)
        p1 = min(p1, end + room)
    return p0, p1


def paragraph_html(text: str, start: int, end: int, title_start: int | None = None,
                   title_end: int | None = None, max_chars: int = 700) -> str:
    """The node's paragraph with its span in <mark> (and its lead sentence in bold inside the mark)."""
    p0, p1 = paragraph_bounds(text, start, end, max_chars)
    s, e = max(p0, start), min(p1, end)
    inner = esc(text[s:e])
    if title_start is not None and title_end is not None and s <= title_start < title_end <= e:
        inner = (esc(text[s:title_start]) + "<b>" + esc(text[title_start:title_end]) + "</b>"
                 + esc(text[title_end:e]))
    before = ("…" if p0 > 0 and text[p0 - 1] != "\n" else "") + esc(text[p0:s])
    after = esc(text[e:p1]) + ("…" if p1 < len(text) and text[p1] != "\n" else "")
    return f'<div class="tg-source">{before}<mark>{inner}</mark>{after}</div>'


def mark_terms(sentence: str, terms: list[str]) -> str:
    """Escape a sentence and mark the shared terms that made the link (longest first, no overlaps)."""
    spans: list[tuple[int, int]] = []
    for t in sorted({t for t in terms if t}, key=len, reverse=True):
        i = sentence.find(t)
        while i >= 0:
            if all(i >= e or i + len(t) <= s for s, e in spans):
                spans.append((i, i + len(t)))
            i = sentence.find(t, i + len(t))
    spans.sort()
    out, pos = [], 0
    for s, e in spans:
        out.append(esc(sentence[pos:s]))
        out.append("<mark>" + esc(sentence[s:e]) + "</mark>")
        pos = e
    out.append(esc(sentence[pos:]))
    return "".join(out)


def evidence_html(ev: dict[str, Any] | None) -> str:
    """The sentence(s) a link rests on, with shared terms marked; empty when there is no evidence."""
    if not ev:
        return ""
    terms = list(ev.get("shared_terms") or []) + list(ev.get("shared_refs") or [])
    parts = []
    src = (ev.get("source_sentence") or {}).get("text")
    tgt = (ev.get("target_sentence") or {}).get("text")
    if src:
        parts.append(f'<div class="tg-ev">依据（措施/原因一侧）：{mark_terms(src, terms)}</div>')
    if tgt and tgt != src:
        parts.append(f'<div class="tg-ev">依据（问题一侧）：{mark_terms(tgt, terms)}</div>')
    if ev.get("shared_terms"):
        parts.append(f'<div class="tg-ev">共同词语：{esc("、".join(ev["shared_terms"]))}</div>')
    if ev.get("shared_refs"):
        parts.append(f'<div class="tg-ev">共同引用：{esc("、".join(ev["shared_refs"]))}</div>')
    if ev.get("similarity") is not None:
        parts.append(f'<div class="tg-ev">文本相似度：{float(ev["similarity"]):.2f}</div>')
    return "".join(parts)


STYLE = """<style>
.tg-source{line-height:1.8;padding:.6em .8em;border-left:3px solid #f0b429;background:#fffdf5;}
.tg-source mark{background:#ffe58f;padding:0 .1em;}
.tg-ev{font-size:.9em;color:#444;margin:.15em 0;}
.tg-ev mark{background:#d6f5d6;}
.tg-table{border-collapse:collapse;width:100%;font-size:.9em;margin:.2em 0 1em;}
.tg-table th,.tg-table td{border-bottom:1px solid rgba(49,51,63,.1);padding:.3em .6em;text-align:left;
  vertical-align:top;}
.tg-table th{color:rgba(49,51,63,.6);font-weight:600;}
.tg-table .tg-num{text-align:right;white-space:nowrap;}
.tg-badge{display:inline-block;padding:0 .45em;border-radius:.6em;font-size:.8em;color:#fff;margin-right:.3em;}
</style>"""

ORIGIN_COLOURS = {"explicit": "#2f6fdf", "inferred": "#8a8a8a", "curated": "#2e9d57", "parsed": "#b0b0b0"}


def origin_badge(origin: str | None) -> str:
    from tracegraph.graph.model.schema import ORIGIN_LABELS_ZH

    o = origin or "parsed"
    return (f'<span class="tg-badge" style="background:{ORIGIN_COLOURS.get(o, "#999")}">'
            f'{esc(ORIGIN_LABELS_ZH.get(o, o))}</span>')
