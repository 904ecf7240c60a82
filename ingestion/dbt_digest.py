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
