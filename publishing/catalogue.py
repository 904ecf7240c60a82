"""The browsable data catalogue (dbt docs, as one static HTML file) published beside the data.

`dbt docs generate` costs most of a minute, and its output depends only on the dbt project, the
settings it reads and the warehouse's schema (names and types, not rows). So the catalogue is
kept in a cache keyed by exactly those, and a publication whose project and schema did not change
copies the cached file instead of generating it again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb

from ingestion.dbt_digest import project_digest


def catalogue_fingerprint(dbt_project_dir: Path, dbt_vars: dict[str, str], warehouse: Path) -> str:
    """One hash of everything the generated catalogue depends on."""
    digest = hashlib.sha256()
    digest.update(project_digest(dbt_project_dir).encode())
    digest.update(json.dumps(sorted(dbt_vars.items())).encode())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schema = con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns "
            "order by 1, 2, ordinal_position"
        ).fetchall()
    digest.update(json.dumps(schema).encode())
    return digest.hexdigest()


def build_catalogue(
    dbt_executable: str,
    dbt_project_dir: Path,
    dbt_vars: dict[str, str],
    out_dir: Path,
    cache_dir: Path | None = None,
    warehouse: Path | None = None,
) -> tuple[Path, bool]:
    """`dbt docs generate --static`: column names, types, descriptions, tests, lineage and the
    exposures (statement, dashboard), in a single file that opens from disk. Returns the file and
    whether it came from the cache (given a cache folder and the warehouse the project builds)."""
    cached = None
    if cache_dir is not None and warehouse is not None:
        cached = cache_dir / catalogue_fingerprint(dbt_project_dir, dbt_vars, warehouse) / "index.html"
        if cached.is_file():
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy(cached, out_dir / "index.html")
            return out_dir / "index.html", True
    with tempfile.TemporaryDirectory() as target:
        result = subprocess.run(
            [
                dbt_executable,
                "docs",
                "generate",
                "--static",
                "--profiles-dir",
                str(dbt_project_dir),
                "--target-path",
                target,
                "--quiet",
                "--vars",
                json.dumps(dbt_vars),
            ],
            cwd=dbt_project_dir,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt docs generate failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(target) / "static_index.html", out_dir / "index.html")
    if cached is not None:
        # only the newest catalogue is worth keeping; written whole, then renamed into place
        for old in cache_dir.iterdir() if cache_dir and cache_dir.is_dir() else []:
            if old != cached.parent:
                shutil.rmtree(old, ignore_errors=True)
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        shutil.copy(out_dir / "index.html", partial)
        partial.replace(cached)
    return out_dir / "index.html", False
