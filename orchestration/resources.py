"""Where a run reads and writes, handed to every asset, sensor and job as a Dagster resource.

Assets receive their paths instead of reading the environment themselves: a test or a deployment
gives a run its folders in run config (or in the Definitions), and the Dagster UI shows them on the
run. With `read_environment` left on, a field left unset falls back to ingestion/settings.py, which
reads the SVW_* variables and then the project's defaults, so `make run`, `svw` and `make dev` still
agree with no config at all. `run_config_for` turns it off: a run handed settings uses exactly those,
whatever the environment of the process that executes it says.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg

from ingestion.settings import PROJECT_ROOT, Settings, load_settings

RESOURCE_KEY = "warehouse"
# Folders and files every run has.
PATH_FIELDS = (
    "config_dir",
    "landing_dir",
    "raw_dir",
    "work_dir",
    "published_dir",
    "postcode_directory",
    "framework",
)
# Files a run may be given or not (the reference registers, geography): unset = not supplied.
OPTIONAL_PATH_FIELDS = (
    "companies_house",
    "charity_register",
    "cqc_locations",
    "gias",
    "lsoa_boundaries",
    "deprivation_dir",
    "dagster_home",
)
NUMBER_FIELDS = ("keep_releases", "slot_wait_seconds", "load_workers")
# Addresses that are not local paths: unset = not used.
URL_FIELDS = ("published_url",)


class WarehouseSettings(dg.ConfigurableResource):
    """The pipeline's folders and limits. With `read_environment` on, each unset field means: as the
    environment or the project default says; with it off, the fields are the whole story."""

    read_environment: bool = True
    config_dir: str | None = None
    landing_dir: str | None = None
    raw_dir: str | None = None
    work_dir: str | None = None
    published_dir: str | None = None
    postcode_directory: str | None = None
    framework: str | None = None
    companies_house: str | None = None
    charity_register: str | None = None
    cqc_locations: str | None = None
    gias: str | None = None
    lsoa_boundaries: str | None = None
    deprivation_dir: str | None = None
    dagster_home: str | None = None
    keep_releases: int | None = None
    slot_wait_seconds: int | None = None
    load_workers: int | None = None
    published_url: str | None = None

    def get(self) -> Settings:
        given: dict = {
            name: Path(value) for name in (*PATH_FIELDS, *OPTIONAL_PATH_FIELDS) if (value := getattr(self, name))
        }
        given.update({name: value for name in NUMBER_FIELDS if (value := getattr(self, name)) is not None})
        given.update({name: value for name in URL_FIELDS if (value := getattr(self, name))})
        if self.read_environment:
            return dataclasses.replace(load_settings(), **given)
        missing = [name for name in PATH_FIELDS if name not in given]
        if missing:
            raise ValueError(
                f"resource '{RESOURCE_KEY}' has read_environment: false but no {', '.join(missing)}; "
                "give every folder in run config (orchestration/resources.py run_config_for makes one)"
            )
        return Settings(dbt_project_dir=PROJECT_ROOT / "dbt_project", landing_reason="given in run config", **given)


def run_config_for(settings: Settings) -> dict:
    """Run config that gives a job exactly these settings (what run_pipeline passes, so an in-process
    run uses the paths it was handed even when the environment says otherwise)."""
    config: dict[str, str | int | bool] = {"read_environment": False}
    config.update({name: str(getattr(settings, name)) for name in PATH_FIELDS})
    config.update({name: str(value) for name in OPTIONAL_PATH_FIELDS if (value := getattr(settings, name))})
    config.update({name: getattr(settings, name) for name in NUMBER_FIELDS})
    config.update({name: value for name in URL_FIELDS if (value := getattr(settings, name))})
    return {"resources": {RESOURCE_KEY: {"config": config}}}


defs = dg.Definitions(resources={RESOURCE_KEY: WarehouseSettings()})
