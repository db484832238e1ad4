"""Format registry: file extension → loader. A new format is one module and one line here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tracegraph.errors import LoadError
from tracegraph.loaders.formats.document import LoadedDocument
from tracegraph.loaders.formats.docx import load_docx
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

MAX_BYTES = 50 * 1024 * 1024


def supported_extensions() -> list[str]:
    return sorted(LOADERS)


def load_file(path: str | Path, data: bytes | None = None, max_bytes: int = MAX_BYTES) -> LoadedDocument:
    """Read one file; raises LoadError with the file name and a one-line reason."""
    p = Path(path)
    loader = LOADERS.get(p.suffix.lower())
    if loader is None:
        raise LoadError(p, f"不支持的文件类型“{p.suffix or '(无扩展名)'}”，支持：{'、'.join(supported_extensions())}")
    if data is None:
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise LoadError(p, f"无法读取文件：{exc.strerror or exc}") from None
        if size > max_bytes:
            raise LoadError(p, f"文件过大（{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）")
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise LoadError(p, f"无法读取文件：{exc.strerror or exc}") from None
    elif len(data) > max_bytes:
        raise LoadError(p, f"文件过大（{len(data) / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）")
    if not data:
        raise LoadError(p, "文件为空（0 字节）")
    return loader(p, data)
