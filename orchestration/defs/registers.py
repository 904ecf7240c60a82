"""Reference registers (Companies House, Charity Commission, CQC, GIAS): read the files the SVW_*
settings name into data/raw/registers/ for supplier resolution and dbt (docs/registers.md)."""

import dagster as dg

from ingestion.raw_store import write_tables
from ingestion.registers import REGISTER_TABLES, load_registers
from orchestration.resources import WarehouseSettings

REGISTER_KEYS = {name: dg.AssetKey(["registers", name]) for name in REGISTER_TABLES}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="reference",
            description=f"Reference register table '{name}' (empty when no register is supplied)",
        )
        for name, key in REGISTER_KEYS.items()
    ],
    name="reference_registers",
)
def reference_registers(context: dg.AssetExecutionContext, warehouse: WarehouseSettings):
    """Always writes every table, empty when no register is supplied, so a register removed from the
    settings leaves nothing behind."""
    settings = warehouse.get()
    tables = load_registers(settings.register_paths)
    counts = write_tables(tables.as_dict(), settings.raw_dir / "registers")
    versions = tables.versions
    if versions.empty:
        context.log.info(
            "no reference register supplied (SVW_COMPANIES_HOUSE, SVW_CHARITY_REGISTER, "
            "SVW_CQC_LOCATIONS, SVW_GIAS unset)"
        )
    for row in versions.itertuples():
        context.log.info(
            f"{row.register}: version {row.register_version} ({row.version_source}), "
            f"{row.rows_read} rows read, {row.entities} organisations, {row.sites} sites"
        )
    for name, key in REGISTER_KEYS.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rows": counts[name],
                **(
                    {"versions": dg.MetadataValue.json(dict(zip(versions["register"], versions["register_version"])))}
                    if name == "register_versions"
                    else {}
                ),
            },
        )


defs = dg.Definitions(assets=[reference_registers])
