"""Cross-document analysis: similar-problem clusters, boilerplate, metadata, corpus overviews."""
