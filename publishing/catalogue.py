"""The browsable data catalogue (dbt docs, as one static HTML file) published beside the data."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def build_catalogue(dbt_executable: str, dbt_project_dir: Path, environment: dict[str, str], out_dir: Path) -> Path:
    """`dbt docs generate --static`: column names, types, descriptions, tests, lineage and the
    exposures (statement, dashboard), in a single file that opens from disk."""
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
            ],
            cwd=dbt_project_dir,
            env={**os.environ, **environment},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt docs generate failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(target) / "static_index.html", out_dir / "index.html")
    return out_dir / "index.html"
