"""One module per view of the app; each exposes ``render(...)`` and holds no state of its own."""
