"""Fetching partners' files from where they publish them: a sensor that asks for a fetch run per
partner whose sources are due, and the asset that runs the fetch (ingestion/sources). The landing
sensor then loads what arrived, as it loads a file dropped in by hand."""

from datetime import UTC, datetime

import dagster as dg

from ingestion.registry import load_registry
from ingestion.sources.fetch import due_partners, fetch_partner, sources_of
from orchestration.partitions import PARTNER_PARTITIONS
from orchestration.resources import WarehouseSettings, run_config_for

FETCHED = dg.AssetKey(["landing", "fetched_files"])


@dg.asset(
    key=FETCHED,
    partitions_def=PARTNER_PARTITIONS,
    group_name="landing",
    description="A partner's files fetched from its configured sources into the landing zone.",
)
def fetched_files(context: dg.AssetExecutionContext, warehouse: WarehouseSettings) -> dg.MaterializeResult:
    """Fails (visibly, in this partner's run only) when any of its sources failed, after landing
    whatever the others gave."""
    settings = warehouse.get()
    partner = load_registry(settings.config_dir).partners[context.partition_key]
    outcomes = fetch_partner(partner, settings.landing_dir, settings.raw_dir, force=True)
    for o in outcomes:
        line = f"{o.feed}/{o.layout} {o.source}: {o.status} {o.file or ''} {o.detail}".strip()
        (context.log.error if o.status == "failed" else context.log.info)(line)
    table = dg.MetadataValue.md(
        "| feed | source | outcome | file | detail |\n|---|---|---|---|---|\n"
        + "\n".join(f"| {o.feed} | {o.source} | {o.status} | {o.file or ''} | {o.detail} |" for o in outcomes)
    )
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise dg.Failure(
            description=f"{len(failed)} of {len(outcomes)} sources of {partner.code} failed: "
            + "; ".join(o.detail for o in failed),
            metadata={"outcomes": table},
        )
    return dg.MaterializeResult(metadata={"outcomes": table, "fetched": sum(o.status == "fetched" for o in outcomes)})


fetch_sources_job = dg.define_asset_job(
    "fetch_partner_sources",
    selection=dg.AssetSelection.assets(FETCHED),
    partitions_def=PARTNER_PARTITIONS,
    description="Fetch one partner's files from its sources (config/partners.yml `source:`).",
)


@dg.sensor(job=fetch_sources_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING)
def partner_sources_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseSettings):
    """A fetch run for each partner with a source due (its interval_minutes since the last look),
    one per partner so a failing source never holds up another partner."""
    settings = warehouse.get()
    registry = load_registry(settings.config_dir)
    if not any(sources_of(p) for p in registry.partners.values()):
        return dg.SkipReason("no partner feed has a source in config/partners.yml")
    now = datetime.now(UTC)
    due = due_partners(registry, settings.raw_dir, now)
    if not due:
        return dg.SkipReason("no source is due yet")
    return [
        dg.RunRequest(
            run_key=f"fetch/{code}/{now:%Y%m%dT%H%M}",
            partition_key=code,
            tags={"partner": code},
            run_config=run_config_for(settings),
        )
        for code in due
    ]


defs = dg.Definitions(assets=[fetched_files], jobs=[fetch_sources_job], sensors=[partner_sources_sensor])
