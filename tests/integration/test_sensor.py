"""The landing sensor: a run per new or changed file, keyed by content hash; nothing for re-uploads."""

import shutil

import dagster as dg

from ingestion.landing import scan_landing
from ingestion.load import load_file
from ingestion.registry import load_registry, load_rules
from orchestration.definitions import defs
from tests.conftest import SAMPLE_DIR

NAME = "stockport_spend_2019-04.csv"


def evaluate(instance, workspace):
    sensor = defs.resolve_sensor_def("landing_zone_sensor")
    return sensor(dg.build_sensor_context(instance=instance, definitions=defs, resources=workspace.resources()))


def test_new_file_requests_its_partition_and_reupload_requests_nothing(workspace, config_dir):
    folder = workspace.landing / "stockport" / "spend"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE_DIR / "landing" / "stockport" / "spend" / NAME, folder / NAME)
    instance = dg.DagsterInstance.ephemeral()

    first = evaluate(instance, workspace)
    assert len(first.run_requests) == 1
    request = first.run_requests[0]
    assert request.partition_key == dg.MultiPartitionKey({"partner": "stockport", "period": "2019-04"})
    assert request.run_key.startswith("stockport/spend/2019-04/")
    assert first.dynamic_partitions_requests[0].partition_keys == ["2019-04"]

    registry = load_registry(config_dir)
    landed = scan_landing(workspace.landing, registry).files[0]
    load_file(landed, load_rules(config_dir), workspace.raw)
    shutil.copy(SAMPLE_DIR / "landing" / "stockport" / "spend" / NAME, folder / NAME)  # same bytes again
    assert not evaluate(instance, workspace).run_requests

    with open(folder / NAME, "a", encoding="utf-8") as handle:
        handle.write("People Directorate,Housing,Premises,30/04/2019,1,Acme Ltd,S999999,10.00\r\n")
    changed = evaluate(instance, workspace)
    assert len(changed.run_requests) == 1 and changed.run_requests[0].run_key != request.run_key


def test_marts_are_rebuilt_once_after_a_burst_of_loads(workspace):
    from ingestion.landing import scan_landing as scan
    from ingestion.registry import load_registry as registry_of
    from orchestration import run_pipeline
    from tests.conftest import PROJECT_ROOT

    folder = workspace.landing / "stockport" / "spend"
    folder.mkdir(parents=True)
    for month in ("2019-04", "2019-05"):
        shutil.copy(SAMPLE_DIR / "landing" / "stockport" / "spend" / f"stockport_spend_{month}.csv", folder)
    instance = dg.DagsterInstance.ephemeral()
    sensor = defs.resolve_sensor_def("rebuild_after_new_loads")
    assert isinstance(
        sensor(dg.build_sensor_context(instance=instance, resources=workspace.resources())), dg.SkipReason
    )
    files = scan(workspace.landing, registry_of(PROJECT_ROOT / "config")).files
    run_pipeline.ingest(files, instance, quiet=True, settings=workspace.settings())
    request = sensor(dg.build_sensor_context(instance=instance, resources=workspace.resources()))
    assert isinstance(request, dg.RunRequest) and request.run_key.startswith("loads-until-")
