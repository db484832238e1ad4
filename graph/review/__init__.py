"""Review of a document's quality (checks, report) and evaluation against a gold reading."""
