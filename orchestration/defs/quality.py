"""Great Expectations on every KPI mart, as blocking asset checks before publication."""

import dagster as dg
import duckdb

from ingestion.settings import load_settings
from ingestion.raw_store import all_manifests
from publishing.kpi_suite import KPI_SOURCE_FEED, KPI_TABLES, feeds_with_rows, validate_kpi


def read_mart(table: str):
    with duckdb.connect(str(load_settings().warehouse_path), read_only=True) as con:
        return con.execute(f'select * from "{table}"').df()  # table names come from KPI_TABLES only


def kpi_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dg.AssetKey([table]), blocking=True, name=f"{table}_gx_suite",
                    description=f"Great Expectations suite for the published {table}")
    def _check() -> dg.AssetCheckResult:
        expect_rows = KPI_SOURCE_FEED[table] in feeds_with_rows(all_manifests(load_settings().raw_dir))
        results = validate_kpi(table, read_mart(table), expect_rows)
        failed = [r for r in results if not r.success]
        return dg.AssetCheckResult(
            passed=not failed, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(r.describe() for r in failed) or f"{len(results)} expectations passed",
            metadata={"expectations": dg.MetadataValue.json([r.as_dict() for r in results])})
    return _check


kpi_checks = [kpi_check(table) for table in KPI_TABLES]
