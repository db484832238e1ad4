"""Read-only questions over a built graph: search, trace, matrix, gaps, ask, subgraph selections."""
