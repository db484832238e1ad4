"""Readers for rectification documents: file formats → text → structure, policy references, quotes."""

from .document import LoadedDocument, Paragraph
from .errors import LoadError, StructureError, TracegraphError
from .registry import LOADERS, load_file, supported_extensions
from .structure import Item, ParsedDocument, parse

__all__ = [
    "LOADERS",
    "Item",
    "LoadError",
    "LoadedDocument",
    "Paragraph",
    "ParsedDocument",
    "StructureError",
    "TracegraphError",
    "load_file",
    "parse",
    "supported_extensions",
]
