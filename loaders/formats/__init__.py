"""File formats: bytes on disk → LoadedDocument (paragraphs with offsets, headings, encoding)."""
