"""Publication: run the quality gate over every layer, stage one release, and (after every output
is built into it, orchestration/defs/outputs.py) switch it in atomically, or not at all."""

from datetime import datetime
from pathlib import Path

import dagster as dg

from ingestion.landing import scan_landing
from ingestion.manifest import LoadManifest
from ingestion.raw_store import all_manifests
from ingestion.registry import load_registry, load_rules
from ingestion.settings import Settings
from orchestration.defs.transform import run_results_path
from orchestration.resources import WarehouseSettings
from publishing import mart_results
from publishing.coverage import provisional_figures
from publishing.declared import declared
from publishing.gate import (
    GateCheck,
    GateReport,
    dbt_checks,
    delivery_checks,
    feed_checks,
    landing_checks,
    mart_checks,
    withdrawal_checks,
)
from publishing.kpi_suite import expects_rows
from publishing.mart_validation import validate_mart
from publishing.publish import PublicationBlocked, publish, staging_dir

PUBLISHED = dg.AssetKey(["published", "warehouse"])
CURRENT = dg.AssetKey(["published", "current"])


def evaluate_gate(
    settings: Settings, run_id: str | None = None, reused: list[str] | None = None
) -> tuple[GateReport, list[LoadManifest]]:
    """Every check from every layer, as the publication will record them. A mart whose suite this
    run's blocking check already ran on the warehouse as it is now (publishing/mart_results.py) is
    given those results, and its name added to `reused`; every other mart is validated here."""
    manifests = all_manifests(settings.raw_dir)
    newest = max((datetime.fromisoformat(m.loaded_at) for m in manifests), default=None)
    report = GateReport()
    scan = scan_landing(settings.landing_dir, load_registry(settings.config_dir))
    report.checks += landing_checks(scan.problems) + delivery_checks(scan.files, manifests)
    report.checks += withdrawal_checks(settings.raw_dir, run_results_path(settings))
    report.checks += feed_checks(manifests)
    report.checks += dbt_checks(run_results_path(settings), newest)
    for table in declared().published:  # every published table's suite (marts yml, meta.published.gx)
        try:
            expect_rows = expects_rows(table, manifests)
            results = None if run_id is None else mart_results.load(settings.warehouse_path, run_id, table, expect_rows)
            if results is None:
                results = validate_mart(settings.warehouse_path, table, expect_rows)
            elif reused is not None:
                reused.append(table)
            report.checks += mart_checks(table, results)
        except Exception as exc:  # a missing mart is itself a failed check, reported as such
            report.checks.append(
                GateCheck("mart", f"{table}_readable", table, "blocking", False, f"cannot read the mart: {exc}")
            )
    return report, manifests


def run_staging(context: dg.AssetExecutionContext, settings: Settings) -> Path:
    """The release this run is building. An output asset materialized on its own has none: it is
    built into a publication only in the run that stages one (the build_and_publish job)."""
    staging = staging_dir(settings.published_dir, context.run_id)
    if not (staging / "PUBLICATION_ID").exists():
        raise dg.Failure(
            description=f"{context.asset_key.to_user_string()} is built only into the publication its own run "
            f"stages, and this run staged none ({staging}). Materialize it together with published/warehouse "
            "(the build_and_publish job); the current publication is unchanged.",
            allow_retries=False,
        )
    return staging


@dg.asset(
    key=PUBLISHED,
    group_name="publish",
    deps=[dg.AssetKey([t]) for t in declared().published],
    description="Stages a new release (warehouse.duckdb, parquet/) under data/published/releases/; "
    "published/current switches it in once every output is built.",
    pool="warehouse_writer",
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseSettings) -> dg.MaterializeResult:
    settings = warehouse.get()
    reused: list[str] = []
    report, manifests = evaluate_gate(settings, context.run.run_id, reused)
    validated = len(declared().published) - len(reused)
    context.log.info(
        f"mart suites: {len(reused)} taken from this run's checks, {validated} run by the gate"
        + (f" ({', '.join(t for t in declared().published if t not in reused)})" if validated else "")
    )
    for line in report.summary().splitlines():
        context.log.info(line)
    try:
        publication = publish(
            settings.warehouse_path,
            staging_dir(settings.published_dir, context.run_id),
            report,
            manifests,
            load_rules(settings.config_dir).versions(),
        )
    except PublicationBlocked as exc:
        raise dg.Failure(
            description=f"nothing published; the previous publication is unchanged.\n{exc}", allow_retries=False
        ) from None
    provisional = provisional_figures(publication.warehouse_path)
    for line in provisional:
        context.log.warning(f"published as provisional: {line}")
    return dg.MaterializeResult(
        metadata={
            "publication_id": publication.publication_id,
            "staged": str(publication.warehouse_path.parent),
            "checks": len(report.checks),
            "provisional_figures": len(provisional),
            "provisional": dg.MetadataValue.md("\n".join(f"* {line}" for line in provisional) or "none"),
            **{f"rows_{k}": v for k, v in publication.row_counts.items()},
        }
    )


defs = dg.Definitions(assets=[published_warehouse])
