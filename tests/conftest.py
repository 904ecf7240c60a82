"""Shared fixtures: isolated data directories per test, the bundled samples, the real data."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
REAL_DATA = (PROJECT_ROOT / ".." / "shared" / "data" / "real").resolve()
ENV_KEYS = (
    "SVW_LANDING_DIR",
    "SVW_RAW_DIR",
    "SVW_WORK_DIR",
    "SVW_PUBLISHED_DIR",
    "SVW_POSTCODE_DIRECTORY",
    "SVW_CONFIG_DIR",
    "SVW_WAREHOUSE",
    "DAGSTER_HOME",
    # optional registers: a developer's own copies must not change the pipeline tests' figures
    "SVW_COMPANIES_HOUSE",
    "SVW_CHARITY_REGISTER",
    "SVW_CQC_LOCATIONS",
    "SVW_GIAS",
)


def _manifest_is_stale(project: Path) -> bool:
    manifest = project / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [
        project / "dbt_project.yml",
        *project.glob("models/**/*"),
        *project.glob("tests/**/*"),
        *project.glob("macros/**/*"),
    ]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def pytest_configure(config):
    """The Dagster definitions read dbt's manifest when imported; make sure it matches the models
    (`make test` builds it first; this covers a bare `pytest` after editing a model)."""
    project = PROJECT_ROOT / "dbt_project"
    if _manifest_is_stale(project):
        dbt = Path(sys.executable).parent / "dbt"
        subprocess.run([str(dbt), "parse", "--profiles-dir", ".", "--quiet"], cwd=project, check=True)


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real published council files. They are part of the test contract, so their absence
    fails the test rather than skipping it."""
    if not REAL_DATA.exists():
        pytest.fail(f"real data not found at {REAL_DATA}: the project expects ../shared/data/real")
    return REAL_DATA


@pytest.fixture(scope="session")
def config_dir() -> Path:
    return PROJECT_ROOT / "config"


class Workspace:
    """A private copy of everything the pipeline writes. Tests hand its `settings()` (or, to
    definitions evaluated directly, its `resources()`) to the code they run: nothing is read from
    the environment."""

    def __init__(self, root: Path):
        self.root = root
        self.landing = root / "landing"
        self.raw = root / "raw"
        self.work = root / "work"
        self.published_root = root / "published"  # published_dir: releases/ and the `current` pointer
        self.published = self.published_root / "current"  # what readers open: the current publication
        self.postcodes = SAMPLE_DIR / "reference" / "sample_postcodes_nspl.csv"

    def settings(self, **changes) -> Settings:
        """This workspace's folders with the project's shipped configuration and no registers;
        `changes` replace any field (a test's own config_dir, a register file)."""
        settings = Settings(
            config_dir=PROJECT_ROOT / "config",
            landing_dir=self.landing,
            raw_dir=self.raw,
            work_dir=self.work,
            published_dir=self.published_root,
            postcode_directory=self.postcodes,
            framework=PROJECT_ROOT / "config" / "frameworks" / "demo_framework.csv",
            dbt_project_dir=PROJECT_ROOT / "dbt_project",
            landing_reason="a test workspace",
        )
        return dataclasses.replace(settings, **changes)

    def environment(self) -> dict[str, str]:
        """The SVW_* variables naming this workspace."""
        return self.settings().environment()

    def export(self, monkeypatch) -> Workspace:
        """Name this workspace in the SVW_* variables, for a test of the `svw` command line (whose
        contract is to read them) or of a subprocess; monkeypatch puts them back after the test."""
        for key, value in self.environment().items():
            monkeypatch.setenv(key, value)
        return self

    def resources(self, **changes) -> dict:
        """The Dagster resources that give a sensor or job this workspace's settings by argument
        (orchestration/resources.py), for tests that evaluate definitions directly."""
        from orchestration.resources import RESOURCE_KEY, WarehouseSettings, run_config_for

        config = run_config_for(self.settings(**changes))["resources"][RESOURCE_KEY]["config"]
        return {RESOURCE_KEY: WarehouseSettings(**config)}


@pytest.fixture(scope="session", autouse=True)
def no_developer_environment():
    """A developer's own SVW_* variables or DAGSTER_HOME must not change what a test sees: they are
    taken away for the session (and put back after). Tests pass paths; a test about reading the
    environment sets what it reads with monkeypatch."""
    own = {"SVW_REAL_DBT"}  # set by orchestration/defs/transform.py for its dbt wrapper, not a setting
    scrubbed = [key for key in os.environ if (key.startswith("SVW_") and key not in own) or key == "DAGSTER_HOME"]
    saved = {key: os.environ.pop(key) for key in scrubbed}
    yield
    os.environ.update(saved)


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    """An empty workspace, for one test."""
    ws = Workspace(tmp_path)
    ws.landing.mkdir()
    return ws


@pytest.fixture(scope="module")
def sample_workspace(tmp_path_factory) -> Workspace:
    """A workspace whose landing zone is a copy of the bundled sample feeds (module-wide)."""
    ws = Workspace(tmp_path_factory.mktemp("sample_ws"))
    shutil.copytree(SAMPLE_DIR / "landing", ws.landing)
    return ws


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Workspace:
    """The bundled samples run once through the whole pipeline and published, shared read-only by the
    known-answer tests of every module that only reads the publication (a pipeline run costs minutes,
    so each new KPI's tests read this one rather than running their own). Tests that change the landing
    zone or the warehouse use `sample_workspace` instead."""
    from orchestration import run_pipeline

    ws = Workspace(tmp_path_factory.mktemp("published_sample"))
    shutil.copytree(SAMPLE_DIR / "landing", ws.landing)
    code = run_pipeline.run(quiet=True, settings=ws.settings())
    assert code == 0, f"the pipeline failed on the bundled samples (exit code {code})"
    return ws
