"""Structure: a LoadedDocument → its outline, enumerated items and their roles (ParsedDocument)."""
