"""Jobs, the landing sensor and the monthly rebuild."""

import dagster as dg

from ingestion.canonical import FEEDS
from ingestion.landing import file_hash, scan_landing
from ingestion.raw_store import read_manifest
from ingestion.registry import load_registry
from orchestration.defs.ingest import RAW_KEYS
from orchestration.defs.publish import PUBLISHED
from orchestration.defs.reference import REFERENCE_KEYS
from orchestration.defs.registers import REGISTER_KEYS
from orchestration.defs.resolution import RESOLUTION_KEYS
from orchestration.defs.transform import dbt_warehouse
from orchestration.partitions import PERIOD_PARTITIONS, partition_key_for
from orchestration.resources import WarehouseSettings, run_config_for

ingest_jobs = {
    feed: dg.define_asset_job(
        f"ingest_{feed}",
        selection=dg.AssetSelection.assets(dg.AssetKey(["raw", feed])),
        description=(
            f"Load one partner x period {feed.replace('_', ' ')} file (validate, quarantine, write Parquet)."
            if schema.periodic
            else f"Load one partner's {feed.replace('_', ' ')} file(s)."
        ),
    )
    for feed, schema in FEEDS.items()
}
build_and_publish_job = dg.define_asset_job(
    "build_and_publish",
    selection=(
        dg.AssetSelection.assets(*REFERENCE_KEYS.values())
        | dg.AssetSelection.assets(*REGISTER_KEYS.values())
        | dg.AssetSelection.assets(*RESOLUTION_KEYS.values())
        | dg.AssetSelection.assets(dbt_warehouse)
        | dg.AssetSelection.assets(PUBLISHED).downstream()
    ),
    description="Rebuild reference tables and every dbt model, run all checks, publish if they pass.",
)

monthly_publication = dg.ScheduleDefinition(
    name="monthly_rebuild_and_publish",
    job=build_and_publish_job,
    cron_schedule="0 6 2 * *",
    execution_timezone="Europe/London",
    description="Rebuild marts and republish on the 2nd of each month, after month-end feeds land.",
    # On as soon as the daemon runs (`make dev`), as the README promises; Dagster's default is
    # STOPPED, which left the monthly publication silently never happening. Turn it off in the UI
    # (Automation -> monthly_rebuild_and_publish) if a deployment publishes by hand.
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


@dg.sensor(
    jobs=list(ingest_jobs.values()),
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_zone_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseSettings):
    """A run for each new or changed file, keyed by its content hash: an unchanged re-upload starts
    nothing; files that cannot be placed are logged (and block publication at the gate)."""
    settings = warehouse.get()
    scan = scan_landing(settings.landing_dir, load_registry(settings.config_dir))
    for problem in scan.problems:
        context.log.warning(f"{problem.path}: {problem.message}")
    if PERIOD_PARTITIONS.name is None:  # orchestration/partitions.py names it; Dagster types the name optional
        raise dg.DagsterInvariantViolationError("the period partitions need a name to hold landed periods")
    new_periods = sorted(
        {f.period.key for f in scan.files if FEEDS[f.feed].periodic}
        - set(context.instance.get_dynamic_partitions(PERIOD_PARTITIONS.name))
    )
    requests = []
    for landed in scan.files:
        digest = file_hash(landed.path)
        manifest = read_manifest(settings.raw_dir, landed.feed, landed.partner, landed.period.key)
        if manifest and manifest.source_file_hash == digest:
            continue
        requests.append(
            dg.RunRequest(
                run_key=f"{landed.partner}/{landed.feed}/{landed.period.key}/{digest}",
                job_name=ingest_jobs[landed.feed].name,
                partition_key=partition_key_for(landed.feed, landed.partner, landed.period.key),
                run_config=run_config_for(settings),  # the run loads from the folders this scan read
            )
        )
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[PERIOD_PARTITIONS.build_add_request(new_periods)] if new_periods else [],
    )


@dg.sensor(job=build_and_publish_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING)
def rebuild_after_new_loads(context: dg.SensorEvaluationContext, warehouse: WarehouseSettings):
    """After new raw loads, rebuild what depends on them and republish, once per burst of loads:
    one request when the newest raw materialization is newer than the newest publication attempt."""
    newest_load = max(
        (event.timestamp for key in RAW_KEYS if (event := context.instance.get_latest_materialization_event(key))),
        default=None,
    )
    if newest_load is None:
        return dg.SkipReason("nothing loaded yet")
    published = context.instance.get_latest_materialization_event(PUBLISHED)
    if published is not None and published.timestamp >= newest_load:
        return dg.SkipReason("the publication is newer than every load")
    return dg.RunRequest(run_key=f"loads-until-{newest_load:.0f}", run_config=run_config_for(warehouse.get()))


defs = dg.Definitions(
    jobs=[*ingest_jobs.values(), build_and_publish_job],
    schedules=[monthly_publication],
    sensors=[landing_zone_sensor, rebuild_after_new_loads],
)
