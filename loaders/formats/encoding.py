"""Decode text files without assuming an encoding: BOMs, strict UTF-8, GB18030/GBK, then per-line mixes."""

from __future__ import annotations

from tracegraph.errors import LoadError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROLS))  # counted in C, not byte by byte
    return controls > max(4, len(sample) // 50)


def _plausible(text: str) -> bool:
    """Reject decodings that are mostly control or private-use characters (a wrong guess)."""
    if not text:
        return True
    bad = sum(
        1
        for ch in text[:20000]
        if (ord(ch) < 32 and ch not in "\t\r\n\f") or 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd"
    )
    return bad <= max(2, len(text[:20000]) // 200)


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Return (text, encoding name) or raise LoadError naming the file."""
    text, enc = _decode(data, path)
    # blank in any encoding (全角 spaces, a lone BOM) is an empty file, not a document without structure
    if not text.replace("\ufeff", "").strip():
        raise LoadError(path, "文件为空（0 字节或只有空白）")
    return text, enc


def _decode(data: bytes, path: str) -> tuple[str, str]:
    if not data.strip():
        raise LoadError(path, "文件为空（0 字节或只有空白）")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise LoadError(path, f"带 {enc} 字节顺序标记，但内容无法按 {enc} 解码：{exc.reason}") from None
            if enc.startswith("utf-16"):
                text = text.lstrip("\ufeff")
                enc = "utf-16"
            return text, enc
    if _looks_binary(data):
        raise LoadError(path, "不是文本文件（含二进制内容）")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in ("gbk", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text, enc
    text, parts = _decode_mixed(data)
    if _plausible(text) and len(parts) > 1:
        return text, "mixed(" + "+".join(sorted(parts)) + ")"
    raise LoadError(path, "无法识别文本编码（既不是 UTF-8 也不是 GB18030/GBK）")


def _decode_mixed(data: bytes) -> tuple[str, set[str]]:
    """Line by line, for files pasted together from sources in different encodings."""
    out: list[str] = []
    used: set[str] = set()
    for line in data.splitlines(keepends=True):
        for enc in ("utf-8", "gb18030"):
            try:
                out.append(line.decode(enc))
                used.add(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append(line.decode("gb18030", errors="replace"))
            used.add("gb18030")
    return "".join(out), used
