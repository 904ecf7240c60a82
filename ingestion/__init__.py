"""Plain-Python library that turns partner files into checked, lineage-carrying Parquet.

Nothing in this package imports Dagster: the orchestration layer wires these functions together,
and the same functions back the `svw validate-feed` command that partners run before submitting.
"""
