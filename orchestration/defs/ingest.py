"""Raw-layer assets: one partition = one partner's file for one period (or its supplier list)."""

import dagster as dg

from ingestion.canonical import FEEDS
from ingestion.landing import scan_landing
from ingestion.load import LoadReport, load_file
from ingestion.registry import load_registry, load_rules
from ingestion.settings import Settings
from orchestration.partitions import partitions_for
from orchestration.resources import WarehouseSettings


def _load_partition(
    context: dg.AssetExecutionContext, settings: Settings, feed: str, partner: str, period: str | None, check_name: str
):
    """Load the landed file(s) of one partition (period None: every snapshot list of the partner)."""
    registry = load_registry(settings.config_dir)
    scan = scan_landing(settings.landing_dir, registry)
    landed_files = [
        f for f in scan.files if f.partner == partner and f.feed == feed and (period is None or f.period.key == period)
    ]
    if not landed_files:
        context.log.info(f"no {feed} file has landed for {partner} {period or ''}; nothing to load")
        return
    reports = [load_file(landed, load_rules(settings.config_dir), settings.raw_dir) for landed in landed_files]
    report: LoadReport = reports[0]
    if len(reports) > 1:  # several snapshot lists: one materialization, one check over all of them
        report.checks = [c for r in reports for c in r.checks]
        report.passed = all(r.passed for r in reports)
        report.source_file = ", ".join(r.source_file for r in reports)
        report.source_file_hash = ", ".join(r.source_file_hash for r in reports)
        report.rows_in = sum(r.rows_in or 0 for r in reports)
        report.rows_loaded = sum(r.rows_loaded for r in reports)
        report.rows_quarantined = sum(r.rows_quarantined for r in reports)
    context.log.info(report.summary())
    yield dg.MaterializeResult(
        asset_key=dg.AssetKey(["raw", feed]),
        metadata={
            "status": report.status,
            "source_file": report.source_file,
            "source_file_hash": report.source_file_hash,
            "rows_in": report.rows_in,
            "rows_loaded": report.rows_loaded,
            "rows_quarantined": report.rows_quarantined,
            "blank_rows_skipped": report.blank_rows_skipped,
            "load_id": report.load_id,
        },
    )
    failed = [c for c in report.checks if not c.success]
    yield dg.AssetCheckResult(
        asset_key=dg.AssetKey(["raw", feed]),
        check_name=check_name,
        passed=report.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            "all blocking checks passed"
            if report.passed
            else f"{report.source_file}: " + " | ".join(c.describe() for c in failed)
        ),
        metadata={
            "source_file": report.source_file,
            "checks": dg.MetadataValue.json([c.as_dict() for c in report.checks]),
            "rows_quarantined": report.rows_quarantined,
        },
    )


def raw_feed_asset(feed: str) -> dg.AssetsDefinition:
    """The raw asset of one feed, as its FeedSchema declares it: a periodic feed (spend) has a
    partition per partner and period, a snapshot feed one per partner (all its landed lists)."""
    key = dg.AssetKey(["raw", feed])
    check = f"{feed}_feed_valid"
    periodic = FEEDS[feed].periodic
    words = feed.replace("_", " ")

    @dg.asset(
        key=key,
        partitions_def=partitions_for(feed),
        group_name="raw",
        output_required=False,
        check_specs=[
            dg.AssetCheckSpec(
                check, asset=key, blocking=True, description="The file passed its Great Expectations suite"
            )
        ],
        description=(
            f"A partner's {words} file for one period, validated, as Parquet with lineage."
            if periodic
            else f"A partner's latest {words} file(s), validated, as Parquet with lineage."
        ),
        pool="raw_writer",
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseSettings):
        if periodic:
            keys = context.partition_key.keys_by_dimension
            yield from _load_partition(context, warehouse.get(), feed, keys["partner"], keys["period"], check)
        else:
            yield from _load_partition(context, warehouse.get(), feed, context.partition_key, None, check)

    return _asset


raw_assets = {feed: raw_feed_asset(feed) for feed in FEEDS}
RAW_KEYS = [dg.AssetKey(["raw", feed]) for feed in FEEDS]


# Written by the raw ingest assets beside each partition's rows; declared so dbt lineage is whole.
raw_side_tables = [
    dg.AssetSpec(
        dg.AssetKey(["raw", "quarantine"]),
        group_name="raw",
        description="Rows that failed validation (quarantine.parquet in each raw partition).",
    ),
    dg.AssetSpec(
        dg.AssetKey(["raw", "load_manifests"]),
        group_name="raw",
        description="Load manifest of each raw partition (_load.json).",
    ),
]

defs = dg.Definitions(assets=[*raw_assets.values(), *raw_side_tables])
