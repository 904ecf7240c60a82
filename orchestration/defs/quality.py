"""Great Expectations on every published table, as blocking asset checks before publication; and a
warning check per table whose figures can be provisional (coverage rule), so thinning feeds show in
the UI. Both lists are the declarations in the marts yml (publishing/declared.py)."""

import dagster as dg

from ingestion.raw_store import all_manifests
from orchestration.resources import WarehouseSettings
from publishing import mart_results
from publishing.coverage import provisional_figures
from publishing.declared import declared
from publishing.kpi_suite import expects_rows
from publishing.mart_validation import validate_mart


def kpi_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([table]),
        blocking=True,
        name=f"{table}_gx_suite",
        description=f"Great Expectations suite for the published {table}",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseSettings) -> dg.AssetCheckResult:
        settings = warehouse.get()
        expect_rows = expects_rows(table, all_manifests(settings.raw_dir))
        results = validate_mart(settings.warehouse_path, table, expect_rows)
        # the run's publication gate takes these rather than validating the mart again
        mart_results.save(settings.warehouse_path, context.run.run_id, table, expect_rows, results)
        failed = [r for r in results if not r.success]
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(r.describe() for r in failed) or f"{len(results)} expectations passed",
            metadata={"expectations": dg.MetadataValue.json([r.as_dict() for r in results])},
        )

    return _check


def coverage_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([table]),
        blocking=False,
        name=f"{table}_coverage",
        description="Warns when figures fall below the coverage rule (config/rules.yml, coverage): "
        "they are still published, marked provisional with the reason beside them",
    )
    def _check(warehouse: WarehouseSettings) -> dg.AssetCheckResult:
        provisional = provisional_figures(warehouse.get().warehouse_path, tables=(table,))
        return dg.AssetCheckResult(
            passed=not provisional,
            severity=dg.AssetCheckSeverity.WARN,
            description="; ".join(provisional) or "every figure meets the coverage rule",
            metadata={"provisional_figures": len(provisional)},
        )

    return _check


kpi_checks = [kpi_check(table) for table in declared().published] + [coverage_check(t) for t in declared().provisional]


defs = dg.Definitions(asset_checks=kpi_checks)
