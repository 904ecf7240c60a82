"""Raw-layer assets: one partition = one partner's file for one period (or its supplier list).

Two ways to load the same partitions, both recording the same events on the raw assets:
* the partitioned assets, one Dagster run per partition, which the landing sensor launches for a
  file that arrives and the UI backfills;
* the `load_batch` job, one run for a whole landing zone (`svw run`, `svw backfill`): its
  partitions are split by partner into batches that load in parallel processes (Dagster's
  multiprocess executor), each batch in order, so a thousand files cost one run instead of a
  thousand.
"""

from typing import Any

import dagster as dg

from ingestion.canonical import FEEDS
from ingestion.landing import LandedFile, scan_landing
from ingestion.load import LoadReport, load_partition
from ingestion.registry import load_registry, load_rules
from ingestion.settings import Settings
from orchestration.partitions import batches_by_partner, partition_key_for, partitions_for
from orchestration.resources import WarehouseSettings


def _files_of(files: list[LandedFile], feed: str, partner: str, period: str | None) -> list[LandedFile]:
    """The landed file(s) of one partition (period None: every snapshot list of the partner)."""
    return [f for f in files if f.partner == partner and f.feed == feed and (period is None or f.period.key == period)]


def _metadata(report: LoadReport) -> dict:
    return {
        "status": report.status,
        "source_file": report.source_file,
        "source_file_hash": report.source_file_hash,
        "rows_in": report.rows_in,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "blank_rows_skipped": report.blank_rows_skipped,
        "load_id": report.load_id,
    }


def _check_description(report: LoadReport) -> str:
    failed = [c for c in report.checks if not c.success]
    if report.passed:
        return "all blocking checks passed"
    return f"{report.source_file}: " + " | ".join(c.describe() for c in failed)


def _check_metadata(report: LoadReport) -> dict:
    return {
        "source_file": report.source_file,
        "checks": dg.MetadataValue.json([c.as_dict() for c in report.checks]),
        "rows_quarantined": report.rows_quarantined,
    }


def _check_name(feed: str) -> str:
    return f"{feed}_feed_valid"


def _load_partition(
    context: dg.AssetExecutionContext, settings: Settings, feed: str, partner: str, period: str | None, check_name: str
):
    landed_files = _files_of(
        scan_landing(settings.landing_dir, load_registry(settings.config_dir)).files, feed, partner, period
    )
    if not landed_files:
        context.log.info(f"no {feed} file has landed for {partner} {period or ''}; nothing to load")
        return
    report = load_partition(landed_files, load_rules(settings.config_dir), settings.raw_dir)
    context.log.info(report.summary())
    yield dg.MaterializeResult(asset_key=dg.AssetKey(["raw", feed]), metadata=_metadata(report))
    yield dg.AssetCheckResult(
        asset_key=dg.AssetKey(["raw", feed]),
        check_name=check_name,
        passed=report.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=_check_description(report),
        metadata=_check_metadata(report),
    )


def raw_feed_asset(feed: str) -> dg.AssetsDefinition:
    """The raw asset of one feed, as its FeedSchema declares it: a periodic feed (spend) has a
    partition per partner and period, a snapshot feed one per partner (all its landed lists)."""
    key = dg.AssetKey(["raw", feed])
    check = _check_name(feed)
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


class PartitionToLoad(dg.Config):
    feed: str
    partner: str
    period: str = ""  # "" for a snapshot feed: all the partner's lists


class LoadBatchConfig(dg.Config):
    """The partitions one `load_batch` run loads, and how many batches may load at once."""

    partitions: list[PartitionToLoad]
    workers: int = 1


@dg.op(out=dg.DynamicOut(list))
def plan_load_batch(config: LoadBatchConfig):
    """One output per batch of partners (orchestration/partitions.py batches_by_partner)."""
    wanted = [(p.feed, p.partner, p.period) for p in config.partitions]
    for index, batch in enumerate(batches_by_partner(wanted, config.workers)):
        yield dg.DynamicOutput(batch, mapping_key=f"batch_{index}")


@dg.op
def load_partitions(context: dg.OpExecutionContext, warehouse: WarehouseSettings, batch: list) -> int:
    """Load a batch's partitions in order, recording on each raw asset partition the materialization
    and feed check a partition run would record. Every partition is tried; a load that raised fails
    the step at the end, naming each partition that did not load."""
    settings = warehouse.get()
    rules = load_rules(settings.config_dir)
    scan = scan_landing(settings.landing_dir, load_registry(settings.config_dir))
    errors: list[str] = []
    rows = 0
    for done, (feed, partner, period) in enumerate(batch, start=1):
        landed_files = _files_of(scan.files, feed, partner, period if FEEDS[feed].periodic else None)
        key = str(partition_key_for(feed, partner, period))
        if not landed_files:
            context.log.warning(f"no {feed} file has landed for {key}; nothing to load")
            continue
        try:
            report = load_partition(landed_files, rules, settings.raw_dir)
        except Exception as exc:  # noqa: BLE001 - the batch's other partners still load; the step fails below
            errors.append(f"{feed} {key}: {type(exc).__name__}: {exc}")
            context.log.error(f"{feed} {key} did not load: {type(exc).__name__}: {exc}")
            continue
        asset_key = dg.AssetKey(["raw", feed])
        context.log_event(dg.AssetMaterialization(asset_key=asset_key, partition=key, metadata=_metadata(report)))
        # log_event handles a check evaluation, though its UserEvent type hint leaves it out
        evaluation: Any = dg.AssetCheckEvaluation(
            asset_key=asset_key,
            check_name=_check_name(feed),
            passed=report.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=_check_description(report),
            metadata=_check_metadata(report),
            partition=key,
        )
        context.log_event(evaluation)
        rows += report.rows_in or 0
        context.log.info(f"[{done}/{len(batch)}] {report.summary()}")
    if errors:
        raise dg.Failure(
            description=f"{len(errors)} of {len(batch)} partition(s) did not load: " + "; ".join(errors),
        )
    return rows


@dg.job(
    name="load_batch",
    description=(
        "Load many raw partitions in one run: batches of partners in parallel processes (run config "
        "execution: multiprocess), each partner's files in order. `svw run` and `svw backfill` use it."
    ),
)
def load_batch_job():
    plan_load_batch().map(load_partitions)


defs = dg.Definitions(assets=[*raw_assets.values(), *raw_side_tables], jobs=[load_batch_job])
