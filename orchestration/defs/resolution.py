"""Supplier resolution: one identity per organisation across every partner's records."""

import dagster as dg

from ingestion.raw_store import write_tables
from ingestion.registry import load_rules
from ingestion.resolution.build import RESOLUTION_TABLES, build_supplier_tables, load_overrides
from ingestion.resolution.kept import KeptResolution
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
    overrides = load_overrides(settings.config_dir / "overrides" / "suppliers.yml")
    rules = load_rules(settings.config_dir)

    kept: dict[str, bool] = {}

    def report(resolution: KeptResolution) -> None:
        kept["links_kept"] = resolution.kept
        context.log.info(
            "supplier resolution: inputs unchanged since the last run, its links kept"
            if resolution.kept
            else "supplier resolution: every record resolved"
        )

    tables = build_supplier_tables(
        settings.raw_dir,
        overrides,
        rules.supplier_classification,
        rules.supplier_matching,
        kept_dir=settings.work_dir / "resolution_kept",
        on_resolved=report,
    )
    counts = write_tables(tables, settings.raw_dir / "resolution")
    for record in overrides.unmatched:
        context.log.warning(f"override names record {record!r}, which no partner file contains")
    links = tables["supplier_links"]
    context.log.info(
        f"{len(links)} supplier records -> {links['supplier_id'].nunique()} organisations; "
        f"by method: {links['link_method'].value_counts().to_dict()}"
    )
    for name, key in RESOLUTION_KEYS.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rows": counts[name],
                **(
                    {
                        "organisations": int(links["supplier_id"].nunique()),
                        "links_kept": kept.get("links_kept", False),
                        "links_by_method": dg.MetadataValue.json(links["link_method"].value_counts().to_dict()),
                        "overrides_not_matched": dg.MetadataValue.json(overrides.unmatched),
                    }
                    if name == "supplier_links"
                    else {}
                ),
            },
        )


defs = dg.Definitions(assets=[supplier_resolution])
