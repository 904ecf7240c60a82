"""Great Expectations on every published table, as blocking asset checks before publication; and a
warning check per table whose figures can be provisional (coverage rule), so thinning feeds show in
the UI. Both lists are the declarations in the marts yml (publishing/declared.py)."""

import dagster as dg
import duckdb
import pandas as pd

from ingestion.raw_store import all_manifests
from ingestion.settings import Settings
from orchestration.resources import WarehouseSettings
from publishing.coverage import provisional_figures
from publishing.declared import declared
from publishing.kpi_suite import expects_rows, suite_columns, validate_kpi


def read_mart(settings: Settings, table: str, expect_rows: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """The columns of the mart its suite reads (publishing.kpi_suite.suite_columns), and the names
    of all the mart's columns for the contract check. Table and column names come from the marts
    yml declarations only, never from input."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        present = [d[0] for d in con.execute(f'select * from "{table}" limit 0').description]
        wanted = [c for c in suite_columns(table, expect_rows) if c in present] or present[:1]
        selected = ", ".join('"' + c.replace('"', '""') + '"' for c in wanted)
        return con.execute(f'select {selected} from "{table}"').df(), present


def kpi_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([table]),
        blocking=True,
        name=f"{table}_gx_suite",
        description=f"Great Expectations suite for the published {table}",
    )
    def _check(warehouse: WarehouseSettings) -> dg.AssetCheckResult:
        settings = warehouse.get()
        expect_rows = expects_rows(table, all_manifests(settings.raw_dir))
        frame, columns = read_mart(settings, table, expect_rows)
        results = validate_kpi(table, frame, expect_rows, columns)
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
