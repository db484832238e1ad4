"""Typed errors so a batch can report each bad file with its name and reason and carry on."""

from __future__ import annotations

from pathlib import Path


class TracegraphError(Exception):
    """Base of every error the project raises on purpose."""


class LoadError(TracegraphError):
    """A file could not be read as a document; `reason` is a one-line, user-facing explanation."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class StructureError(LoadError):
    """The text was read but no problem/cause/measure structure could be recognised."""
