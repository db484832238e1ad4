"""Readers for rectification documents: file formats → text → structure, policy references, quotes."""

from tracegraph.errors import LoadError, StructureError, TracegraphError
from tracegraph.loaders.formats.document import LoadedDocument, Paragraph
from tracegraph.loaders.formats.registry import LOADERS, load_file, supported_extensions
from tracegraph.loaders.structure.model import Item, ParsedDocument
from tracegraph.loaders.structure.parser import parse

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
