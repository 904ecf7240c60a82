"""Supplier resolution: one identity per organisation across every partner's records."""

import dagster as dg

from ingestion.child_process import run_in_child
from ingestion.resolution.build import RESOLUTION_TABLES, write_supplier_tables
from orchestration.defs.ingest import RAW_KEYS
from orchestration.defs.registers import REGISTER_KEYS
from orchestration.resources import WarehouseSettings

RESOLUTION_KEYS = {name: dg.AssetKey(["resolution", name]) for name in RESOLUTION_TABLES}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="resolution",
            deps=[*RAW_KEYS, *REGISTER_KEYS.values()],
            description=f"Supplier resolution table '{name}'",
        )
        for name, key in RESOLUTION_KEYS.items()
    ],
    name="supplier_resolution",
)
def supplier_resolution(context: dg.AssetExecutionContext, warehouse: WarehouseSettings):
    """Reads the raw layer, data/raw/registers/ and config/overrides/suppliers.yml; writes data/raw/resolution/."""
    settings = warehouse.get()
    # in a process of its own, which gives its heap back before dbt starts (ingestion/child_process.py)
    written = run_in_child(
        "supplier resolution",
        write_supplier_tables,
        settings.raw_dir,
        settings.config_dir,
        settings.work_dir / "resolution_kept",
        settings.load_workers,
    )
    context.log.info(
        "supplier resolution: inputs unchanged since the last run, its links kept"
        if written.links_kept
        else "supplier resolution: every record resolved"
    )
    for record in written.overrides_not_matched:
        context.log.warning(f"override names record {record!r}, which no partner file contains")
    context.log.info(
        f"{written.rows['supplier_links']} supplier records -> {written.organisations} organisations; "
        f"by method: {written.links_by_method}"
    )
    for name, key in RESOLUTION_KEYS.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rows": written.rows[name],
                **(
                    {
                        "organisations": written.organisations,
                        "links_kept": written.links_kept,
                        "links_by_method": dg.MetadataValue.json(written.links_by_method),
                        "overrides_not_matched": dg.MetadataValue.json(written.overrides_not_matched),
                    }
                    if name == "supplier_links"
                    else {}
                ),
            },
        )


defs = dg.Definitions(assets=[supplier_resolution])
