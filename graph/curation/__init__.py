"""Analysts' decisions that are never lost (SQLite store, anchors) and the workspace that holds them."""
