"""Where things live, read once from the environment so every entry point agrees.

`load_settings` is for the entry points (`make run`, `svw`, the Dagster daemon): it reads the SVW_*
variables, then the project's defaults. Below them everything is handed a `Settings`: Dagster assets
through the WarehouseSettings resource (orchestration/resources.py), dbt through `--vars`
(`dbt_vars`), library functions as arguments; tests build their own (tests/conftest.py Workspace).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ingestion.dbt_digest import project_digest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every entry point (make run, make dev, svw, the Dagster daemon) reads its defaults here, so a run
# started from any of them reads the same landing zone and lands in the same Dagster instance.
ENVIRONMENT_VARIABLES = {
    "SVW_LANDING_DIR": "landing zone: data/landing when it holds partner files, else data/sample/landing",
    "SVW_RAW_DIR": "raw layer (default data/raw)",
    "SVW_WORK_DIR": "working warehouse folder (default data/work)",
    "SVW_PUBLISHED_DIR": "publications: releases/ and the `current` pointer (default data/published)",
    "DAGSTER_HOME": "Dagster's run history, shown by `make dev` (default: dagster_home beside SVW_WORK_DIR, "
    "i.e. data/dagster_home)",
    "SVW_CONFIG_DIR": "partners.yml, rules.yml (default config/)",
    "SVW_POSTCODE_DIRECTORY": "ONSPD/NSPL CSV (default: the bundled sample directory)",
    "SVW_FRAMEWORK": "social value framework CSV (default: the illustrative demo framework)",
    "SVW_KEEP_RELEASES": "publications kept under releases/ (default 3)",
    "SVW_PUBLISHED_URL": "also copy each publication to this fsspec URL, e.g. s3://bucket/published "
    "(publishing/remote.py; default: none)",
    "SVW_SLOT_WAIT_SECONDS": "how long a run waits for another live run's warehouse slot (default 600)",
}


def _partner_files(landing: Path) -> int:
    """Files where the landing scan looks for them: <landing>/<partner>/<feed>/<file>."""
    if not landing.is_dir():
        return 0
    return sum(1 for p in landing.glob("*/*/*") if p.is_file() and not p.name.startswith("."))


def choose_landing_zone(environ: Mapping[str, str], project_root: Path) -> tuple[Path, str]:
    """Which landing zone is read when SVW_LANDING_DIR is not set, and why, in words: a user who has
    put files in data/landing expects them to be read, and a newcomer with an empty data/landing
    expects the bundled sample to run. The one rule for `make run`, `make dev`, every `svw` command
    and the sensors, so a backfill after `make run` reads the files make read. SVW_LANDING_DIR, when
    set, always wins."""
    if environ.get("SVW_LANDING_DIR"):
        given = Path(environ["SVW_LANDING_DIR"])
        return (given if given.is_absolute() else project_root / given).resolve(), "SVW_LANDING_DIR is set"
    landing = project_root / "data" / "landing"
    count = _partner_files(landing)
    if count:
        return landing, f"data/landing holds {count} partner file{'s' if count != 1 else ''}"
    return (
        project_root / "data" / "sample" / "landing",
        "data/landing holds no partner files, so the bundled sample is read; put files in "
        "data/landing/<partner>/<feed>/ to read those instead",
    )


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
    # Reference registers (docs/registers.md): a downloaded file or folder each; None = not supplied.
    companies_house: Path | None = None  # SVW_COMPANIES_HOUSE: BasicCompanyData-YYYY-MM-DD-part*.csv
    charity_register: Path | None = None  # SVW_CHARITY_REGISTER: publicextract.charity(_other_names).txt
    cqc_locations: Path | None = None  # SVW_CQC_LOCATIONS: CQC care directory or HSCA active locations
    gias: Path | None = None  # SVW_GIAS: edubasealldataYYYYMMDD.csv (+ allgroupsdata)
    # Geography and deprivation (docs/geography-and-deprivation.md)
    lsoa_boundaries: Path | None = None  # SVW_LSOA_BOUNDARIES: LSOA 2021 GeoJSON, for a directory of points only
    deprivation_dir: Path | None = None  # SVW_DEPRIVATION_DIR: editions.csv + files (default: shipped)
    keep_releases: int = 3  # SVW_KEEP_RELEASES: publications kept under published/releases/ (current among them)
    slot_wait_seconds: int = 600  # SVW_SLOT_WAIT_SECONDS: how long a run waits for a live run's warehouse slot
    # SVW_LOAD_WORKERS: processes that load partners' files, that resolve partners' own supplier records,
    # and that draw statements, at once (load_settings: up to 4, one per core); 1 does the work in the
    # run's own process, with nothing to start
    load_workers: int = 1
    # SVW_DBT_MEMORY_LIMIT: DuckDB's memory limit while dbt builds the warehouse (beyond it DuckDB spills
    # to disk). DuckDB's own default is 80% of the machine's memory, which dbt took at 10M ledger lines.
    dbt_memory_limit: str = "2GB"
    dagster_home: Path | None = None  # DAGSTER_HOME: default dagster_home beside work_dir (data/dagster_home)
    landing_reason: str = ""  # why this landing zone (choose_landing_zone), printed by svw
    # SVW_PUBLISHED_URL: each publication also copied there, its pointer moved last (publishing/remote.py)
    published_url: str | None = None

    @property
    def warehouse_path(self) -> Path:
        """The working warehouse: only dbt writes it; BI tools never open it."""
        return self.work_dir / "warehouse.duckdb"

    @property
    def releases_dir(self) -> Path:
        """One immutable folder per publication (publishing/publish.py); only `current` is read."""
        return self.published_dir / "releases"

    @property
    def current_dir(self) -> Path:
        """The one stable path every reader and BI tool uses: a symlink switched atomically to the
        newest complete publication."""
        return self.published_dir / "current"

    @property
    def published_warehouse_path(self) -> Path:
        return self.current_dir / "warehouse.duckdb"

    @property
    def reference_dir(self) -> Path:
        return self.raw_dir / "reference"

    @property
    def register_paths(self) -> dict[str, Path]:
        """The registers supplied, by register name (ingestion/registers)."""
        given = {
            "companies_house": self.companies_house,
            "charity_commission": self.charity_register,
            "cqc": self.cqc_locations,
            "gias": self.gias,
        }
        return {name: path for name, path in given.items() if path is not None}

    def dbt_vars(self) -> dict[str, str]:
        """The paths dbt reads, handed to it as `--vars` (profiles.yml and the raw sources read these
        before any SVW_* variable), so a run's dbt sees exactly the folders the run was given."""
        return {
            "svw_raw_dir": str(self.raw_dir),
            "svw_warehouse": str(self.warehouse_path),
            "svw_dbt_memory_limit": self.dbt_memory_limit,
            # which project built the rows an incremental model keeps (ingestion/dbt_digest.py)
            "svw_project_digest": project_digest(self.dbt_project_dir),
        }

    def environment(self) -> dict[str, str]:
        """The same folders as SVW_* variables, for what is fingerprinted or started outside Python."""
        return {
            "SVW_CONFIG_DIR": str(self.config_dir),
            "SVW_LANDING_DIR": str(self.landing_dir),
            "SVW_RAW_DIR": str(self.raw_dir),
            "SVW_WORK_DIR": str(self.work_dir),
            "SVW_WAREHOUSE": str(self.warehouse_path),
            "SVW_PUBLISHED_DIR": str(self.published_dir),
            "SVW_POSTCODE_DIRECTORY": str(self.postcode_directory),
            "SVW_FRAMEWORK": str(self.framework),
        } | ({"SVW_PUBLISHED_URL": self.published_url} if self.published_url else {})


def _optional_path(env_name: str) -> Path | None:
    value = os.environ.get(env_name, "").strip()
    return _path(env_name, Path(value)) if value else None


def _positive_int(env_name: str, default: int) -> int:
    value = os.environ.get(env_name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{env_name}={value!r}: expected a whole number of at least 1 (default {default})")
    return int(value)


_MEMORY_SIZE = re.compile(r"^[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


def _memory_size(env_name: str, default: str) -> str:
    value = os.environ.get(env_name, "").strip()
    if not value:
        return default
    if not _MEMORY_SIZE.match(value):
        raise ValueError(
            f"{env_name}={value!r}: expected a size DuckDB reads, such as 2GB or 1536MB (default {default})"
        )
    return value


def load_settings() -> Settings:
    data = PROJECT_ROOT / "data"
    work_dir = _path("SVW_WORK_DIR", data / "work")
    landing_dir, landing_reason = choose_landing_zone(os.environ, PROJECT_ROOT)
    return Settings(
        config_dir=_path("SVW_CONFIG_DIR", PROJECT_ROOT / "config"),
        landing_dir=landing_dir,
        raw_dir=_path("SVW_RAW_DIR", data / "raw"),
        work_dir=work_dir,
        published_dir=_path("SVW_PUBLISHED_DIR", data / "published"),
        postcode_directory=_path("SVW_POSTCODE_DIRECTORY", data / "sample" / "reference" / "sample_postcodes_nspl.csv"),
        framework=_path("SVW_FRAMEWORK", PROJECT_ROOT / "config" / "frameworks" / "demo_framework.csv"),
        dbt_project_dir=PROJECT_ROOT / "dbt_project",
        companies_house=_optional_path("SVW_COMPANIES_HOUSE"),
        charity_register=_optional_path("SVW_CHARITY_REGISTER"),
        cqc_locations=_optional_path("SVW_CQC_LOCATIONS"),
        gias=_optional_path("SVW_GIAS"),
        lsoa_boundaries=_optional_path("SVW_LSOA_BOUNDARIES"),
        deprivation_dir=_optional_path("SVW_DEPRIVATION_DIR"),
        keep_releases=_positive_int("SVW_KEEP_RELEASES", 3),
        slot_wait_seconds=_positive_int("SVW_SLOT_WAIT_SECONDS", 600),
        load_workers=_positive_int("SVW_LOAD_WORKERS", max(1, min(4, os.cpu_count() or 1))),
        dbt_memory_limit=_memory_size("SVW_DBT_MEMORY_LIMIT", Settings.dbt_memory_limit),
        # beside the working folder, so a workspace pointed elsewhere (a test, a second checkout)
        # keeps its own run history; the default layout gives data/dagster_home, as make dev shows
        dagster_home=_path("DAGSTER_HOME", work_dir.parent / "dagster_home"),
        landing_reason=landing_reason,
        published_url=os.environ.get("SVW_PUBLISHED_URL", "").strip() or None,
    )
