"""The error tree: every error tracegraph raises on purpose is a TracegraphError with a one-line Chinese message.

Front ends catch TracegraphError only: each kind maps to its own exit code (cli/main.py), so a batch can report
one bad file and carry on, and a bug (any other exception) is never disguised as "not found"."""

from __future__ import annotations

from pathlib import Path


class TracegraphError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code = 2
    label = "错误"


class LoadError(TracegraphError):
    """A file could not be read as a document; `reason` is a one-line, user-facing explanation."""

    exit_code = 3
    label = "读取失败"

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class StructureError(LoadError):
    """The text was read but no problem/cause/measure structure could be recognised."""

    label = "无法识别结构"


class NotFoundError(TracegraphError, KeyError):
    """An id, document or link the caller named is not in the graph (a KeyError too, for mapping-style callers)."""

    exit_code = 4
    label = "找不到"

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(what)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.what


class AmbiguousIdError(NotFoundError):
    """A short id (P1.1) that names nodes in several documents: the caller must say which document."""

    label = "编号不唯一"


class SelectionError(TracegraphError):
    """A subgraph selection or query that cannot be understood."""

    exit_code = 5
    label = "选择无效"


class ConfigError(TracegraphError):
    """A lexicon, rules or metadata file that is not what it should be."""

    exit_code = 6
    label = "配置错误"


class StorageError(TracegraphError):
    """A file the workspace must write or read failed (read-only or full disk, damaged file)."""

    exit_code = 7
    label = "存储错误"


class CurationError(TracegraphError):
    """A curation decision that cannot be applied (unknown link type, nothing to undo, cross-document link…)."""

    exit_code = 8
    label = "校对操作无效"


class StoreError(TracegraphError):
    """The graph store (Neo4j) is unreachable, refuses the credentials or holds something unexpected."""

    exit_code = 9
    label = "图数据库错误"


class ExportError(TracegraphError):
    """An export that cannot be produced (unknown format, empty selection, unwritable target)."""

    exit_code = 10
    label = "导出失败"
