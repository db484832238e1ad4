"""Building graphs: one document's nodes (document.py) and the batch pipeline with its cache (pipeline.py)."""
