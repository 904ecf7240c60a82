"""Great Expectations on the KPI mart, as a blocking asset check before publication."""


import dagster as dg
import duckdb

from ingestion.settings import load_settings
from publishing.kpi_suite import validate_kpi_local_spend

KPI_LOCAL_SPEND = dg.AssetKey(["kpi_local_spend"])


def read_kpi_local_spend():
    with duckdb.connect(str(load_settings().warehouse_path), read_only=True) as con:
        return con.execute("select * from kpi_local_spend").df()


@dg.asset_check(asset=KPI_LOCAL_SPEND, blocking=True, name="kpi_local_spend_gx_suite",
                description="Great Expectations suite for the published local-spend KPIs")
def kpi_local_spend_gx_suite() -> dg.AssetCheckResult:
    results = validate_kpi_local_spend(read_kpi_local_spend())
    failed = [r for r in results if not r.success]
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(r.describe() for r in failed) or f"{len(results)} expectations passed",
        metadata={"expectations": dg.MetadataValue.json([r.as_dict() for r in results])},
    )
