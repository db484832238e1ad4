"""Format registry: file extension → loader. A new format is one module and one line here."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from tracegraph.errors import LoadError
from tracegraph.loaders.formats.document import LoadedDocument
from tracegraph.loaders.formats.docx import load_docx
from tracegraph.loaders.formats.limits import limits
from tracegraph.loaders.formats.pdf import load_pdf
from tracegraph.loaders.formats.text import load_md, load_txt

Loader = Callable[[Path, bytes], LoadedDocument]

LOADERS: dict[str, Loader] = {
    ".txt": load_txt,
    ".text": load_txt,
    ".md": load_md,
    ".markdown": load_md,
    ".docx": load_docx,
    ".pdf": load_pdf,
}

MAX_BYTES = limits().max_file_bytes  # TRACEGRAPH_MAX_FILE_MB, see limits.py


def supported_extensions() -> list[str]:
    return sorted(LOADERS)


def special_kind(mode: int) -> str | None:
    """What a non-regular file is, in Chinese (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISDIR(mode):
        return "文件夹"
    return "特殊文件"


def read_regular_file(path: str | Path, max_bytes: int = MAX_BYTES, shown: str | Path | None = None) -> bytes:
    """The bytes of a regular file, never more than `max_bytes`: a FIFO, device or socket is refused with a
    reason instead of blocking or reading without end (checked again on the opened descriptor, so a file
    swapped for a FIFO after the check is refused too)."""
    who = shown if shown is not None else path
    try:
        kind = special_kind(os.stat(path).st_mode)
        if kind:
            raise LoadError(who, f"不是普通文件（{kind}），未读取")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise LoadError(who, f"无法读取文件：{exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        kind = special_kind(st.st_mode)
        if kind:
            raise LoadError(who, f"不是普通文件（{kind}），未读取")
        if st.st_size > max_bytes:
            raise LoadError(who, f"文件过大（{st.st_size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）")
        chunks: list[bytes] = []
        got = 0
        while got <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > max_bytes:  # grew while being read
            raise LoadError(who, f"文件过大（超过上限 {max_bytes / 1048576:.0f} MB）")
        return b"".join(chunks)
    except OSError as exc:
        raise LoadError(who, f"无法读取文件：{exc.strerror or exc}") from None
    finally:
        os.close(fd)


def load_file(path: str | Path, data: bytes | None = None, max_bytes: int = MAX_BYTES) -> LoadedDocument:
    """Read one file; raises LoadError with the file name and a one-line reason."""
    p = Path(path)
    loader = LOADERS.get(p.suffix.lower())
    if loader is None:
        raise LoadError(p, f"不支持的文件类型“{p.suffix or '(无扩展名)'}”，支持：{'、'.join(supported_extensions())}")
    if data is None:
        data = read_regular_file(p, max_bytes)
    elif len(data) > max_bytes:
        raise LoadError(p, f"文件过大（{len(data) / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）")
    if not data:
        raise LoadError(p, "文件为空（0 字节）")
    return loader(p, data)
