"""Publication: run the quality gate over every layer, then publish atomically (or not at all)."""

from datetime import datetime

import dagster as dg

from ingestion.landing import scan_landing
from ingestion.raw_store import all_manifests
from ingestion.registry import load_registry, load_rules
from ingestion.settings import load_settings
from orchestration.defs.quality import read_mart
from orchestration.defs.transform import run_results_path
from publishing.coverage import provisional_figures
from publishing.declared import declared
from publishing.gate import GateCheck, GateReport, dbt_checks, feed_checks, landing_checks, mart_checks
from publishing.kpi_suite import expects_rows, validate_kpi
from publishing.publish import PublicationBlocked, publish

PUBLISHED = dg.AssetKey(["published", "warehouse"])


def evaluate_gate() -> tuple[GateReport, list[dict]]:
    """Every check from every layer, as the publication will record them."""
    settings = load_settings()
    manifests = all_manifests(settings.raw_dir)
    newest = max((datetime.fromisoformat(m["loaded_at"]) for m in manifests), default=None)
    report = GateReport()
    report.checks += landing_checks(scan_landing(settings.landing_dir, load_registry(settings.config_dir)).problems)
    report.checks += feed_checks(manifests)
    report.checks += dbt_checks(run_results_path(), newest)
    for table in declared().published:  # every published table's suite (marts yml, meta.published.gx)
        try:
            report.checks += mart_checks(table, validate_kpi(table, read_mart(table), expects_rows(table, manifests)))
        except Exception as exc:  # a missing mart is itself a failed check, reported as such
            report.checks.append(
                GateCheck("mart", f"{table}_readable", table, "blocking", False, f"cannot read the mart: {exc}")
            )
    return report, manifests


@dg.asset(
    key=PUBLISHED,
    group_name="publish",
    deps=[dg.AssetKey([t]) for t in declared().published],
    description="data/published/: warehouse.duckdb and parquet/, the only thing BI tools read.",
    pool="warehouse_writer",
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = load_settings()
    report, manifests = evaluate_gate()
    for line in report.summary().splitlines():
        context.log.info(line)
    try:
        publication = publish(
            settings.warehouse_path,
            settings.published_dir,
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
            "warehouse": str(publication.warehouse_path),
            "checks": len(report.checks),
            "provisional_figures": len(provisional),
            "provisional": dg.MetadataValue.md("\n".join(f"* {line}" for line in provisional) or "none"),
            **{f"rows_{k}": v for k, v in publication.row_counts.items()},
        }
    )
