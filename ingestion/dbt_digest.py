"""One hash of the dbt project: what decides whether rows a build kept were made by today's code.

The payments joined to their suppliers (int_spend__linked_to_supplier) are built incrementally, by
partition. Rows kept from a build by other models, macros or dbt versions could differ from what
today's project makes, with every test green, so the model builds every row again when this digest
differs from the one that built the kept rows. The data catalogue's cache (publishing/catalogue.py)
is keyed by it too.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

import duckdb

# the models materialized incrementally (dbt_project/macros/incremental_by_partition.sql)
INCREMENTAL_MODELS = frozenset({"int_spend__linked_to_supplier", "fct_spend"})
# what a build is made from; target/, logs/ and the profile's secrets are not read
PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests", "seeds", "snapshots", "analyses")


def project_digest(dbt_project_dir: Path) -> str:
    """sha256 over the dbt and dbt-duckdb versions and every file of the project's inputs, by path."""
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("dbt-core").encode())
    digest.update(importlib.metadata.version("dbt-duckdb").encode())
    for name in PROJECT_INPUTS:
        root = dbt_project_dir / name
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(dbt_project_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


BUILT_BY_SUFFIX = "__built_by"


def kept_rows_from_another_project(warehouse: Path, digest: str) -> list[str]:
    """The incremental models whose kept rows another dbt project built (their `<model>__built_by`
    table names another digest, or none): the build must be a full refresh. A model whose columns
    changed cannot take new rows beside old ones (on_schema_change: fail), and one whose logic
    changed would keep rows the old code made. An absent warehouse has nothing kept."""
    if not warehouse.is_file():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        stale = []
        for model in sorted(INCREMENTAL_MODELS & tables):
            built_by = model + BUILT_BY_SUFFIX
            kept = con.execute(f'select project_digest from "{built_by}"').fetchall() if built_by in tables else []
            if kept != [(digest,)]:
                stale.append(model)
    return stale
