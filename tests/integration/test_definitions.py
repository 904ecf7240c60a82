"""A snapshot of the Dagster graph: any change to lineage, jobs or checks is a reviewed diff."""

import dagster as dg

from ingestion.registry import load_registry
from orchestration.definitions import defs
from orchestration.defs.quality import kpi_checks


def keys(assets) -> set[str]:
    return {k.to_user_string() for k in assets}


def test_asset_graph():
    graph = defs.resolve_asset_graph()
    assert {
        "raw/spend",
        "raw/suppliers",
        "raw/quarantine",
        "raw/load_manifests",
        "reference/partners",
        "reference/postcodes",
        "reference/local_spend_rule",
        "stg_raw__spend",
        "int_spend__supplier_year",
        "fct_spend",
        "dim_supplier",
        "dim_partner",
        "kpi_local_spend",
        "published/warehouse",
        "resolution/supplier_links",
        "resolution/supplier_records",
        "int_supplier__classification",
        "raw/contracts",
        "raw/tenders",
        "raw/sv_commitments",
        "raw/sv_deliveries",
        "raw/supply_chain",
        "raw/contract_notices",
        "kpi_contract_performance",
        "fct_contract_kpi_rating",
        "raw/invoices",
        "raw/payment_summary",
        "raw/svmi",
        "raw/lm3_survey",
        "kpi_payment_performance",
        "kpi_payment_performance_comparison",
        "kpi_svmi",
        "kpi_local_multiplier",
        "raw/supplier_attributes",
        "reference/schemes",
        "reference/supplier_attribute_rule",
        "resolution/attribute_links",
        "int_supplier__attribute_facts",
        "fct_supplier_attribute",
        "kpi_supplier_attributes",
        "kpi_sv_secured",
        "kpi_sv_evaluation_weighting",
        "kpi_sme_vcse",
        "kpi_sv_delivery",
        "kpi_sv_by_theme",
        "published/statements",
        "published/dashboard",
        "published/exports",
        "published/catalogue",
    } <= keys(graph.get_all_asset_keys())
    assert dg.AssetKey(["raw", "spend"]) in graph.get(dg.AssetKey(["stg_raw__spend"])).parent_keys
    assert dg.AssetKey(["kpi_local_spend"]) in graph.get(dg.AssetKey(["published", "warehouse"])).parent_keys
    assert dg.AssetKey(["published", "warehouse"]) in graph.get(dg.AssetKey(["published", "statements"])).parent_keys
    assert dg.AssetKey(["raw", "tenders"]) in graph.get(dg.AssetKey(["resolution", "supplier_links"])).parent_keys


def test_checks_are_blocking_where_publication_depends_on_them():
    graph = defs.resolve_asset_graph()
    check_names = {k.name for k in graph.asset_check_keys}
    assert {
        "spend_feed_valid",
        "suppliers_feed_valid",
        "kpi_local_spend_gx_suite",
        "kpi_sv_secured_gx_suite",
        "kpi_supplier_attributes_gx_suite",
        "supplier_attributes_feed_valid",
        "contracts_feed_valid",
        "tenders_feed_valid",
        "contract_notices_feed_valid",
        "kpi_contract_performance_gx_suite",
        "assert_kpi_local_spend_reconciles_to_fct_spend",
    } <= check_names
    specs = {spec.name: spec for checks in kpi_checks for spec in checks.check_specs}
    assert specs["kpi_local_spend_gx_suite"].blocking
    # coverage only warns: a provisional figure is published with its caveat, never held back
    assert {"kpi_local_spend_coverage", "kpi_sv_delivery_summary_coverage"} <= check_names
    assert not specs["kpi_local_spend_coverage"].blocking


def test_jobs_schedule_sensor(config_dir):
    assert {
        "ingest_spend",
        "ingest_suppliers",
        "ingest_contracts",
        "ingest_tenders",
        "ingest_sv_commitments",
        "ingest_sv_deliveries",
        "ingest_supply_chain",
        "ingest_contract_notices",
        "ingest_invoices",
        "ingest_payment_summary",
        "ingest_svmi",
        "ingest_lm3_survey",
        "ingest_supplier_attributes",
        "build_and_publish",
    } <= {j.name for j in defs.jobs}
    publish_job = defs.resolve_job_def("build_and_publish")
    assert {"published/statements", "published/dashboard"} <= {
        k.to_user_string() for k in publish_job.asset_layer.selected_asset_keys
    }
    assert defs.resolve_schedule_def("monthly_rebuild_and_publish").cron_schedule == "0 6 2 * *"
    assert defs.resolve_sensor_def("landing_zone_sensor") is not None
    spend = defs.resolve_assets_def(dg.AssetKey(["raw", "spend"]))
    partner_dim = spend.partitions_def.get_partitions_def_for_dimension("partner")
    assert set(partner_dim.get_partition_keys()) == set(load_registry(config_dir).partners)
