"""The Dagster graph carries issue 16's references, tables and checks (beside test_definitions.py)."""

import dagster as dg

from orchestration.definitions import defs


def test_neighbourhood_assets_and_checks():
    graph = defs.resolve_asset_graph()
    names = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "reference/deprivation",
        "reference/deprivation_editions",
        "reference/deprivation_rule",
        "reference/lsoa_wards",
        "reference/lsoa_changes",
        "reference/output_areas",
        "fct_spend_neighbourhood",
        "kpi_deprivation_spend",
        "kpi_spend_by_area",
    } <= names
    published = graph.get(dg.AssetKey(["published", "warehouse"])).parent_keys
    assert {dg.AssetKey(["kpi_deprivation_spend"]), dg.AssetKey(["kpi_spend_by_area"])} <= published
    checks = {k.name for k in graph.asset_check_keys}
    assert {
        "kpi_deprivation_spend_gx_suite",
        "kpi_spend_by_area_gx_suite",
        "fct_spend_neighbourhood_gx_suite",
        "assert_kpi_spend_by_area_reconciles_to_kpi_local_spend",
        "assert_kpi_deprivation_spend_reconciles_to_kpi_local_spend",
    } <= checks
