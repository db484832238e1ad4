"""tracegraph: a knowledge graph of Chinese self-inspection and rectification documents.

The repository root is this package (setuptools maps it to `tracegraph`), so the design card's folders stay
visible at the top: `loaders/` (files → structure), `graph/` (model, build, link, query, stores, curation,
corpus, review, exporters), `cli/` and `ui/` + `app.py` (the front ends), `errors.py` (the error tree).
Read ARCHITECTURE.md first."""

__version__ = "0.2.0"
