"""Backfills from the command line: only the chosen partitions run; unchanged files stay no-ops."""

import shutil
from pathlib import Path

import pytest

from ingestion.raw_store import all_manifests, read_manifest
from orchestration import run_pipeline
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.slow


def test_backfill_a_partner_period_range(sample_workspace, capsys):
    settings = sample_workspace.settings()
    assert run_pipeline.backfill("spend", ["stockport"], "2019-04", "2019-06", publish=False, settings=settings) == 0
    loaded = {(m.partner, m.period) for m in all_manifests(sample_workspace.raw)}
    assert loaded == {("stockport", "2019-04"), ("stockport", "2019-05"), ("stockport", "2019-06")}
    first = read_manifest(sample_workspace.raw, "spend", "stockport", "2019-05").load_id
    assert run_pipeline.backfill("spend", ["stockport"], "2019-05", "2019-05", publish=False, settings=settings) == 0
    assert read_manifest(sample_workspace.raw, "spend", "stockport", "2019-05").load_id == first
    assert "backfilling 1 partition(s)" in capsys.readouterr().out


def test_an_unchanged_file_costs_no_dagster_run_and_a_changed_one_loads_again(
    sample_workspace, capsys, monkeypatch, tmp_path
):
    """Issue 13: a re-run with nothing changed must cost a lookup per file, not a Dagster run each."""
    from orchestration.recovery import open_instance

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))  # a persistent instance: runs are counted
    (tmp_path / "dagster_home").mkdir()
    settings = sample_workspace.settings()

    assert run_pipeline.backfill("spend", ["trafford"], "2019-04", "2019-04", publish=False, settings=settings) == 0
    first = read_manifest(sample_workspace.raw, "spend", "trafford", "2019-04").load_id
    runs_before = len(open_instance().get_run_records())
    capsys.readouterr()

    assert run_pipeline.backfill("spend", ["trafford"], "2019-04", "2019-04", publish=False, settings=settings) == 0
    assert len(open_instance().get_run_records()) == runs_before, "an unchanged file started a Dagster run"
    assert "1 file(s) unchanged since their last load: not loaded again" in capsys.readouterr().out
    assert read_manifest(sample_workspace.raw, "spend", "trafford", "2019-04").load_id == first

    # the same file with one more (blank) line is a new delivery: it loads again, in a run of its own
    (landed,) = [
        f
        for f in run_pipeline._scan(settings).files
        if f.partner == "trafford" and f.feed == "spend" and f.period.key == "2019-04"
    ]
    with open(landed.path, "ab") as handle:
        handle.write(b"\n")
    assert run_pipeline.backfill("spend", ["trafford"], "2019-04", "2019-04", publish=False, settings=settings) == 0
    assert len(open_instance().get_run_records()) == runs_before + 1
    assert read_manifest(sample_workspace.raw, "spend", "trafford", "2019-04").load_id != first


def test_a_run_uses_the_folders_it_is_handed_not_the_environment(workspace, monkeypatch, tmp_path):
    """Issue 12: assets, dbt and publishing read their paths from the settings a caller hands the run
    (the WarehouseSettings resource; dbt through --vars), so an environment that names other folders
    changes nothing: tests and deployments pass paths."""
    folder = workspace.landing / "rochdale" / "spend"
    folder.mkdir(parents=True)
    for month in ("Apr", "May"):
        shutil.copy(SAMPLE_DIR / "landing" / "rochdale" / "spend" / f"Rochdale Payments {month} 2019.csv", folder)
    decoy = tmp_path / "from_environment"
    for key, value in workspace.environment().items():
        if key not in ("SVW_CONFIG_DIR", "SVW_POSTCODE_DIRECTORY", "SVW_FRAMEWORK"):  # these must exist to be read
            monkeypatch.setenv(key, str(decoy / Path(value).name))
    given = workspace.settings(raw_dir=tmp_path / "raw_given", work_dir=tmp_path / "work_given")
    assert run_pipeline.run(quiet=True, settings=given) == 0
    assert read_manifest(given.raw_dir, "spend", "rochdale", "2019-05") is not None
    assert given.warehouse_path.exists() and (given.current_dir / "warehouse.duckdb").exists()
    assert not decoy.exists(), f"something was written where the environment pointed: {sorted(decoy.rglob('*'))}"
