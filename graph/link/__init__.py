"""Link inference: which measure addresses which problem, which cause explains it (scores + evidence)."""
