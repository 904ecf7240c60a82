"""Partners whose feeds Dagster fetches: one from a web page, one from an SFTP folder, one whose
server is broken. The sensors fetch, load and publish the first two; the third is reported and
holds up nobody; a second fetch of an unchanged file is answered 304 and loads nothing."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import dagster as dg
import duckdb
import pytest
import yaml

from orchestration.resources import run_config_for
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR
from tests.sources.servers import FileServer, SftpServer

pytestmark = pytest.mark.slow
ROCHDALE = [f"Rochdale Payments {m} 2019.csv" for m in ("Apr", "May")]
STOCKPORT = [f"stockport_spend_2019-{m}.csv" for m in ("04", "05")]


def _configure(config_dir, sources: dict[str, dict]) -> None:
    """A copy of config/ whose partners' spend feeds carry the given sources."""
    shutil.copytree(PROJECT_ROOT / "config", config_dir)
    registry = yaml.safe_load((config_dir / "partners.yml").read_text(encoding="utf-8"))
    for partner in registry["partners"]:
        if partner["code"] in sources:
            spend = partner["feeds"]["spend"]
            target = spend["layouts"][0] if "layouts" in spend else spend
            target["source"] = sources[partner["code"]]
    (config_dir / "partners.yml").write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")


def _run(defs, instance, request) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def(request.job_name or "fetch_partner_sources")
    # the run config the sensor put on its request carries the folders it scanned
    return job.execute_in_process(
        instance=instance, partition_key=request.partition_key, run_config=request.run_config, raise_on_error=False
    )


def _load_what_landed(defs, instance, resources) -> int:
    sensor = defs.resolve_sensor_def("landing_zone_sensor")
    result = sensor(dg.build_sensor_context(instance=instance, definitions=defs, resources=resources))
    for add in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(add.partitions_def_name, list(add.partition_keys))
    for request in result.run_requests:
        assert _run(defs, instance, request).success
    return len(result.run_requests)


def test_sensors_fetch_load_and_publish_and_a_broken_source_holds_up_nobody(workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("SVW_FETCH_BACKOFF_SECONDS", "0.01")
    sftp_root = tmp_path / "sftp_root"
    (sftp_root / "outgoing").mkdir(parents=True)
    for name in STOCKPORT:
        shutil.copy(SAMPLE_DIR / "landing" / "stockport" / "spend" / name, sftp_root / "outgoing" / name)
    with FileServer() as http, SftpServer(sftp_root, tmp_path) as sftp:
        for name in ROCHDALE:
            http.files[f"/files/{quote(name)}"] = (SAMPLE_DIR / "landing" / "rochdale" / "spend" / name).read_bytes()
        links = "".join(f'<a href="/files/{quote(n)}">{n}</a>' for n in ROCHDALE)
        http.files["/rochdale/spending/"] = f"<html><body>{links}</body></html>".encode()
        monkeypatch.setenv("SVW_SECRET_STOCKPORT_SFTP_USERNAME", sftp.username)
        monkeypatch.setenv("SVW_SECRET_STOCKPORT_SFTP_PASSWORD", sftp.password)
        monkeypatch.setenv("SVW_SECRET_STOCKPORT_SFTP_KNOWN_HOSTS", str(sftp.known_hosts))
        config_dir = tmp_path / "config"
        _configure(
            config_dir,
            {
                "rochdale": {
                    "url": f"{http.url}/rochdale/spending/",
                    "link_pattern": r"Rochdale%20Payments|Rochdale Payments",
                    "files": "all",
                },
                "stockport": {
                    "url": f"{sftp.url}/outgoing",
                    "link_pattern": r"stockport_spend_.*\.csv$",
                    "files": "all",
                    "credentials": "stockport_sftp",
                },
                "tameside": {"url": f"{http.url}/broken/Tameside_Spend_2019-20_Q1.csv", "retries": 1},
            },
        )
        from orchestration.definitions import defs

        warehouse = workspace.resources(config_dir=config_dir)
        folders = run_config_for(workspace.settings(config_dir=config_dir))

        instance = dg.DagsterInstance.ephemeral()
        sources_sensor = defs.resolve_sensor_def("partner_sources_sensor")
        requests = sources_sensor(dg.build_sensor_context(instance=instance, definitions=defs, resources=warehouse))
        assert sorted(r.partition_key for r in requests) == ["rochdale", "stockport", "tameside"]
        fetched = {r.partition_key: _run(defs, instance, r) for r in requests}
        assert fetched["rochdale"].success and fetched["stockport"].success
        assert not fetched["tameside"].success  # reported in its own run, in the UI
        failure = next(e for e in fetched["tameside"].all_events if e.event_type_value == "STEP_FAILURE")
        assert "answered 500" in failure.event_specific_data.error.message
        # nothing is due again straight away
        assert isinstance(
            sources_sensor(dg.build_sensor_context(instance=instance, definitions=defs, resources=warehouse)),
            dg.SkipReason,
        )

        assert _load_what_landed(defs, instance, warehouse) == 4
        rebuild = defs.resolve_sensor_def("rebuild_after_new_loads")(
            dg.build_sensor_context(instance=instance, resources=warehouse)
        )
        assert isinstance(rebuild, dg.RunRequest)
        published = defs.resolve_job_def("build_and_publish").execute_in_process(
            instance=instance, run_config=rebuild.run_config, raise_on_error=False
        )
        assert published.success
        with duckdb.connect(str(workspace.published / "warehouse.duckdb"), read_only=True) as con:
            units = {
                row[0]
                for row in con.execute(
                    "select reporting_unit from kpi_local_spend where reporting_unit_type = 'partner'"
                ).fetchall()
            }
        assert units == {"rochdale", "stockport"}

        # fetched again: the unchanged files are answered 304 (HTTP) or not downloaded (SFTP)
        again = _run(defs, instance, dg.RunRequest(partition_key="rochdale", run_config=folders))
        assert again.success
        assert all(http.statuses(f"/files/{quote(n)}") == [200, 304] for n in ROCHDALE)
        assert _run(defs, instance, dg.RunRequest(partition_key="stockport", run_config=folders)).success
        assert _load_what_landed(defs, instance, warehouse) == 0
