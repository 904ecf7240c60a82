"""Where a run reads and writes, handed to every asset, sensor and job as a Dagster resource.

Assets receive their paths instead of reading the environment themselves: a test or a deployment
gives a run its folders in run config (or in the Definitions), and the Dagster UI shows them on the
run. A field left unset falls back to ingestion/settings.py, which reads the SVW_* variables and
then the project's defaults, so `make run`, `svw` and `make dev` still agree with no config at all.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg

from ingestion.settings import Settings, load_settings

RESOURCE_KEY = "warehouse"
PATH_FIELDS = (
    "config_dir",
    "landing_dir",
    "raw_dir",
    "work_dir",
    "published_dir",
    "postcode_directory",
    "framework",
)


class WarehouseSettings(dg.ConfigurableResource):
    """The pipeline's folders. Each None means: as the environment or the project default says."""

    config_dir: str | None = None
    landing_dir: str | None = None
    raw_dir: str | None = None
    work_dir: str | None = None
    published_dir: str | None = None
    postcode_directory: str | None = None
    framework: str | None = None
    keep_releases: int | None = None

    def get(self) -> Settings:
        base = load_settings()
        overrides: dict = {name: Path(value) for name in PATH_FIELDS if (value := getattr(self, name))}
        if self.keep_releases is not None:
            overrides["keep_releases"] = self.keep_releases
        return dataclasses.replace(base, **overrides)


def run_config_for(settings: Settings) -> dict:
    """Run config that gives a job exactly these folders (what run_pipeline passes, so an in-process
    run uses the paths it was handed even when the environment says otherwise)."""
    config: dict[str, str | int] = {name: str(getattr(settings, name)) for name in PATH_FIELDS}
    config["keep_releases"] = settings.keep_releases
    return {"resources": {RESOURCE_KEY: {"config": config}}}


defs = dg.Definitions(resources={RESOURCE_KEY: WarehouseSettings()})
