"""Where things live, read once from the environment so every entry point agrees.

The same variables are read by dbt's profiles.yml (SVW_WAREHOUSE, SVW_RAW_DIR), so Dagster, dbt and
the tests always point at the same files; tests override them with temporary directories.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(env_name: str, default: Path) -> Path:
    value = os.environ.get(env_name)
    path = Path(value) if value else default
    return path if path.is_absolute() else (PROJECT_ROOT / path)


@dataclass(frozen=True)
class Settings:
    config_dir: Path
    landing_dir: Path
    raw_dir: Path
    work_dir: Path
    published_dir: Path
    postcode_directory: Path
    framework: Path
    dbt_project_dir: Path

    @property
    def warehouse_path(self) -> Path:
        """The working warehouse: only dbt writes it; BI tools never open it."""
        return self.work_dir / "warehouse.duckdb"

    @property
    def published_warehouse_path(self) -> Path:
        return self.published_dir / "warehouse.duckdb"

    @property
    def reference_dir(self) -> Path:
        return self.raw_dir / "reference"

    def environment(self) -> dict[str, str]:
        """The variables a subprocess (dbt) needs to see the same files."""
        return {
            "SVW_CONFIG_DIR": str(self.config_dir),
            "SVW_LANDING_DIR": str(self.landing_dir),
            "SVW_RAW_DIR": str(self.raw_dir),
            "SVW_WORK_DIR": str(self.work_dir),
            "SVW_WAREHOUSE": str(self.warehouse_path),
            "SVW_PUBLISHED_DIR": str(self.published_dir),
            "SVW_POSTCODE_DIRECTORY": str(self.postcode_directory),
            "SVW_FRAMEWORK": str(self.framework),
        }


def load_settings() -> Settings:
    data = PROJECT_ROOT / "data"
    work_dir = _path("SVW_WORK_DIR", data / "work")
    return Settings(
        config_dir=_path("SVW_CONFIG_DIR", PROJECT_ROOT / "config"),
        landing_dir=_path("SVW_LANDING_DIR", data / "landing"),
        raw_dir=_path("SVW_RAW_DIR", data / "raw"),
        work_dir=work_dir,
        published_dir=_path("SVW_PUBLISHED_DIR", data / "published"),
        postcode_directory=_path(
            "SVW_POSTCODE_DIRECTORY", data / "sample" / "reference" / "sample_postcodes_nspl.csv"
        ),
        framework=_path("SVW_FRAMEWORK", PROJECT_ROOT / "config" / "frameworks" / "demo_framework.csv"),
        dbt_project_dir=PROJECT_ROOT / "dbt_project",
    )
