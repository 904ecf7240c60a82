"""Reference tables (partners, reporting units, boroughs, postcodes, rules) for dbt."""

import dagster as dg

from ingestion.load import SCHEMAS
from ingestion.raw_store import ensure_feed_placeholders, write_tables
from ingestion.reference import REFERENCE_TABLES, reference_tables
from ingestion.registry import load_registry, load_rules
from orchestration.resources import WarehouseSettings

REFERENCE_KEYS = {name: dg.AssetKey(["reference", name]) for name in REFERENCE_TABLES}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="reference",
            description=f"Reference table '{name}' (from config/ and the postcode directory)",
        )
        for name, key in REFERENCE_KEYS.items()
    ],
    name="reference_tables",
)
def reference_tables_asset(context: dg.AssetExecutionContext, warehouse: WarehouseSettings):
    settings = warehouse.get()
    rules = load_rules(settings.config_dir)
    tables = reference_tables(
        load_registry(settings.config_dir),
        rules,
        settings.config_dir,
        settings.postcode_directory,
        settings.framework,
        lsoa_boundaries=settings.lsoa_boundaries,
        deprivation_dir=settings.deprivation_dir,
    )
    counts = write_tables(tables, settings.reference_dir)
    ensure_feed_placeholders(settings.raw_dir, SCHEMAS)
    context.log.info(f"reference tables written: {counts}; postcode directory {settings.postcode_directory}")
    for name, key in REFERENCE_KEYS.items():
        yield dg.MaterializeResult(asset_key=key, metadata={"rows": counts[name]})


defs = dg.Definitions(assets=[reference_tables_asset])
