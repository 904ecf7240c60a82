"""The Dagster code location: `dagster dev` (make dev) and `make run` load these definitions."""

from __future__ import annotations

import dagster as dg

from orchestration.defs import sources
from orchestration.defs.ingest import raw_spend, snapshot_assets
from orchestration.defs.outputs import output_assets
from orchestration.defs.publish import published_warehouse
from orchestration.defs.quality import kpi_checks
from orchestration.defs.recovery import stale_run_recovery
from orchestration.defs.reference import reference_tables_asset
from orchestration.defs.registers import reference_registers
from orchestration.defs.resolution import supplier_resolution
from orchestration.defs.schedules import (
    build_and_publish_job,
    ingest_spend_job,
    landing_zone_sensor,
    monthly_publication,
    rebuild_after_new_loads,
    snapshot_jobs,
)
from orchestration.defs.transform import dbt_resource, dbt_warehouse
from orchestration.defs.withdraw import withdraw_delivery_job

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

core = dg.Definitions(
    assets=[
        raw_spend,
        *snapshot_assets.values(),
        *raw_side_tables,
        reference_tables_asset,
        reference_registers,
        supplier_resolution,
        dbt_warehouse,
        published_warehouse,
        *output_assets,
    ],
    asset_checks=kpi_checks,
    jobs=[ingest_spend_job, *snapshot_jobs.values(), build_and_publish_job, withdraw_delivery_job],
    schedules=[monthly_publication],
    sensors=[landing_zone_sensor, rebuild_after_new_loads, stale_run_recovery],
    resources={"dbt": dbt_resource()},
)

# Each newer module declares its own Definitions; they are merged here (issue 12).
defs = dg.Definitions.merge(core, sources.defs)
