"""Shared fixtures: isolated data directories per test, the bundled samples, the real data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    """A private copy of everything the pipeline writes, pointed to by the SVW_* variables."""

    def __init__(self, root: Path):
        self.root = root
        self.landing = root / "landing"
        self.raw = root / "raw"
        self.work = root / "work"
        self.published_root = root / "published"  # SVW_PUBLISHED_DIR: releases/ and the `current` pointer
        self.published = self.published_root / "current"  # what readers open: the current publication
        self.postcodes = SAMPLE_DIR / "reference" / "sample_postcodes_nspl.csv"

    def environment(self) -> dict[str, str]:
        return {
            "SVW_LANDING_DIR": str(self.landing),
            "SVW_RAW_DIR": str(self.raw),
            "SVW_WORK_DIR": str(self.work),
            "SVW_PUBLISHED_DIR": str(self.published_root),
            "SVW_POSTCODE_DIRECTORY": str(self.postcodes),
            "SVW_WAREHOUSE": str(self.work / "warehouse.duckdb"),
        }

    def resources(self) -> dict:
        """The Dagster resources that give a sensor or job this workspace's folders by argument
        (orchestration/resources.py), for tests that evaluate definitions directly."""
        from orchestration.resources import RESOURCE_KEY, WarehouseSettings

        return {
            RESOURCE_KEY: WarehouseSettings(
                landing_dir=str(self.landing),
                raw_dir=str(self.raw),
                work_dir=str(self.work),
                published_dir=str(self.published_root),
                postcode_directory=str(self.postcodes),
            )
        }


def _activate(workspace: Workspace):
    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    for key in ENV_KEYS:
        os.environ.pop(key, None)
    os.environ.update(workspace.environment())
    return saved


def _restore(saved):
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    """An empty workspace, active for one test."""
    ws = Workspace(tmp_path)
    ws.landing.mkdir()
    saved = _activate(ws)
    yield ws
    _restore(saved)


@pytest.fixture(scope="module")
def sample_workspace(tmp_path_factory) -> Workspace:
    """A workspace whose landing zone is a copy of the bundled sample feeds (module-wide)."""
    ws = Workspace(tmp_path_factory.mktemp("sample_ws"))
    shutil.copytree(SAMPLE_DIR / "landing", ws.landing)
    saved = _activate(ws)
    yield ws
    _restore(saved)


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Workspace:
    """The bundled samples run once through the whole pipeline and published, shared read-only by the
    known-answer tests of every module that only reads the publication (a pipeline run costs minutes,
    so each new KPI's tests read this one rather than running their own). Tests that change the landing
    zone or the warehouse use `sample_workspace` instead."""
    from orchestration import run_pipeline

    ws = Workspace(tmp_path_factory.mktemp("published_sample"))
    shutil.copytree(SAMPLE_DIR / "landing", ws.landing)
    saved = _activate(ws)
    try:
        code = run_pipeline.run(quiet=True)
    finally:
        _restore(saved)
    assert code == 0, f"the pipeline failed on the bundled samples (exit code {code})"
    return ws
