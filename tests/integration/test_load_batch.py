"""One load_batch run, partners in parallel worker processes, loads exactly what loading each file
on its own loads, and records on every raw partition what a partition run records."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from ingestion import raw_store
from ingestion.landing import scan_landing
from ingestion.load import load_file
from ingestion.registry import load_registry, load_rules
from orchestration import run_pipeline
from orchestration.partitions import partition_key_for
from orchestration.recovery import open_instance
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR, Workspace

LINEAGE_OF_THE_LOAD = {"load_id", "loaded_at"}  # when and by which load: differ between any two loads


def raw_contents(raw_dir: Path) -> dict[str, object]:
    """Every raw partition's rows, quarantine and verdict, without what names the load itself."""
    contents: dict[str, object] = {}
    for manifest in raw_store.all_manifests(raw_dir):
        folder = raw_store.partition_dir(raw_dir, manifest.feed, manifest.partner, manifest.period)
        for name in (raw_store.ROWS, raw_store.QUARANTINE):
            if (folder / name).exists():
                table = pq.read_table(folder / name)
                table = table.drop_columns([c for c in table.column_names if c in LINEAGE_OF_THE_LOAD])
                contents[f"{folder.relative_to(raw_dir)}/{name}"] = table.to_pylist()
        contents[f"{folder.relative_to(raw_dir)}/verdict"] = (
            manifest.source_file_hash,
            manifest.passed,
            manifest.rows_in,
        )
    return contents


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """The bundled sample with one partner's month made unreadable."""
    root = tmp_path_factory.mktemp("batch_landing")
    shutil.copytree(SAMPLE_DIR / "landing", root / "landing")
    broken = root / "landing" / "stockport" / "spend" / "stockport_spend_2019-06.csv"
    broken.write_bytes(b"\x00\x01 not a ledger \xff\xfe" * 50)
    return root / "landing"


def test_a_batch_in_two_processes_loads_what_each_file_loads_alone(landed, tmp_path, monkeypatch):
    one_by_one = Workspace(tmp_path / "one_by_one")
    rules = load_rules(PROJECT_ROOT / "config")
    files = scan_landing(landed, load_registry(PROJECT_ROOT / "config")).files
    for landed_file in sorted(files, key=lambda f: (f.partner, f.period.key, f.feed)):
        load_file(landed_file, rules, one_by_one.raw)

    batch = Workspace(tmp_path / "batch")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # worker processes open the same instance
    instance = open_instance()
    settings = batch.settings(landing_dir=landed, load_workers=2)
    problems = run_pipeline.ingest(files, instance, quiet=True, settings=settings)

    assert raw_contents(batch.raw) == raw_contents(one_by_one.raw)
    # the broken month is reported by name; every other partition loaded and passed
    assert any("stockport_spend_2019-06.csv" in line for line in problems), problems
    assert all("stockport_spend_2019-06.csv" in line for line in problems), problems

    [run] = instance.get_runs(filters=dg.RunsFilter(job_name="load_batch"))
    assert run.status == dg.DagsterRunStatus.SUCCESS
    steps = {e.step_key for e in instance.all_logs(run.run_id) if e.dagster_event and e.dagster_event.is_step_start}
    assert steps == {"plan_load_batch", "load_partitions[batch_0]", "load_partitions[batch_1]"}
    workers = {
        e.dagster_event.event_specific_data.metadata["pid"].value
        for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_WORKER_STARTED)
    }
    assert len(workers) == 3  # the plan and each batch ran in a process of its own
    # and the server they forked from ended with the batch, not with the run: it holds the project's
    # imports (440 MB at 10M ledger lines), which would sit beside resolution and dbt
    from multiprocessing import forkserver

    assert forkserver._forkserver._forkserver_pid is None

    expected: dict[str, set[str]] = {}
    for f in files:
        expected.setdefault(f.feed, set()).add(str(partition_key_for(f.feed, f.partner, f.period.key)))
    for feed, keys in expected.items():
        asset = dg.AssetKey(["raw", feed])
        assert instance.get_materialized_partitions(asset) == keys, feed
        check = dg.AssetCheckKey(asset, f"{feed}_feed_valid")
        evaluations = [
            e.dagster_event.event_specific_data
            for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
            if e.dagster_event.event_specific_data.asset_check_key == check
        ]
        assert {e.partition for e in evaluations} == keys, feed
        failed = {e.partition for e in evaluations if not e.passed}
        assert failed == ({"stockport|2019-06"} if feed == "spend" else set()), feed
