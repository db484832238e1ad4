"""Budgets a document must stay within before and while it is read, so a hostile file costs seconds and a
bounded amount of memory and ends in one clear message naming the file and the limit.

Every limit has a default that fits real rectification material many times over and can be changed by an
environment variable (read when `limits()` is called, so a test or a deployment can set it):

    TRACEGRAPH_MAX_FILE_MB        50    size of the file itself (compressed size of a .docx/.pdf)
    TRACEGRAPH_MAX_EXPANDED_MB    256   total uncompressed size of a .docx's zip members / a PDF's Flate streams
    TRACEGRAPH_MAX_XML_MB         16    uncompressed size of a .docx's XML parts (the text, styles, numbering…)
    TRACEGRAPH_MAX_RATIO          100   expanded ÷ compressed, for members/streams over 1 MB expanded
    TRACEGRAPH_MAX_ZIP_MEMBERS    5000  members in a .docx
    TRACEGRAPH_DOC_SECONDS        120   wall time one document may take in a build worker (0: no limit)
    TRACEGRAPH_DOC_MEMORY_MB      2048  memory one build worker may add while reading a document (0: no limit)

Every document a build or an import reads goes to such a worker (graph.build.pipeline); only `--workers 0` or
TRACEGRAPH_IN_PROCESS=1 read in the calling process, without these two budgets (tests and benchmarks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * MB
    max_expanded_bytes: int = 256 * MB
    max_xml_bytes: int = 16 * MB
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1 * MB  # the ratio is only checked for members/streams expanding beyond this
    max_zip_members: int = 5000
    doc_seconds: float = 120.0
    doc_memory_bytes: int = 2048 * MB


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value >= 0 else default


def limits() -> Limits:
    """The defaults above, with any environment overrides applied."""
    d = Limits()
    return Limits(
        max_file_bytes=int(_env_number("TRACEGRAPH_MAX_FILE_MB", d.max_file_bytes / MB) * MB),
        max_expanded_bytes=int(_env_number("TRACEGRAPH_MAX_EXPANDED_MB", d.max_expanded_bytes / MB) * MB),
        max_xml_bytes=int(_env_number("TRACEGRAPH_MAX_XML_MB", d.max_xml_bytes / MB) * MB),
        max_ratio=_env_number("TRACEGRAPH_MAX_RATIO", d.max_ratio),
        ratio_floor_bytes=d.ratio_floor_bytes,
        max_zip_members=int(_env_number("TRACEGRAPH_MAX_ZIP_MEMBERS", d.max_zip_members)),
        doc_seconds=_env_number("TRACEGRAPH_DOC_SECONDS", d.doc_seconds),
        doc_memory_bytes=int(_env_number("TRACEGRAPH_DOC_MEMORY_MB", d.doc_memory_bytes / MB) * MB),
    )


def mb(n: float) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n / 1024:.0f} KB"
