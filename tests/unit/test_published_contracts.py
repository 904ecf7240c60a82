"""Every published table is declared once, in its marts yml entry (meta.published, read from dbt's
manifest by publishing/declared.py), with an enforced dbt model contract, a description for every
column and a blocking data-quality check; the statement and dashboard are dbt exposures of the
tables they show (BI tools depend on these names)."""

import json
import os

import dagster as dg
import pytest

from publishing.declared import ManifestError, declared, manifest_problem, read_declared
from publishing.kpi_suite import kpi_suite
from tests.conftest import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "dbt_project" / "target" / "manifest.json"

# The columns kpi_local_spend has been published with. BI reports depend on them, so the contract
# only ever gains columns after these (in the yml and the SQL alike).
KPI_LOCAL_SPEND_PUBLISHED = [
    "reporting_unit",
    "reporting_unit_type",
    "financial_year",
    "in_scope_spend_gbp",
    "home_spend_gbp",
    "gm_spend_gbp",
    "unknown_location_spend_gbp",
    "home_share_pct",
    "gm_share_pct",
    "threshold_gbp",
    "rule_version",
    "located_spend_pct",
    "is_provisional",
    "provisional_reason",
    "coverage_rule_version",
    "shares_known",
    "home_share_display",
    "gm_share_display",
    "months_covered",
    "is_partial_year",
    "partial_year_note",
    "part_year_threshold",
    "threshold_note",
]


def manifest():
    return json.loads(MANIFEST.read_text())


def test_published_tables_have_contracts_and_described_columns():
    nodes = {n["name"]: n for n in manifest()["nodes"].values() if n["resource_type"] == "model"}
    assert {
        "kpi_local_spend",
        "fct_spend",
        "dim_supplier",
        "dim_partner",
        "dq_quarantine_summary",
        "dq_accepted_exceptions",
    } <= set(declared().published)
    for table in declared().published:
        node = nodes[table]
        assert node["config"]["contract"]["enforced"], f"{table} has no enforced contract"
        assert node["columns"], f"{table} declares no columns"
        for name, column in node["columns"].items():
            assert column.get("data_type"), f"{table}.{name} has no data_type"
            assert column.get("description"), f"{table}.{name} has no description"


def test_kpi_local_spend_contract_only_gains_columns_at_the_end():
    assert (
        list(declared().tables["kpi_local_spend"].columns[: len(KPI_LOCAL_SPEND_PUBLISHED)])
        == KPI_LOCAL_SPEND_PUBLISHED
    )


def test_every_published_table_has_a_blocking_data_quality_check():
    """The suite is declared with the table, Dagster runs it as a blocking check on the table's asset,
    and publication waits for the table (so for its check)."""
    from orchestration.defs.publish import published_warehouse
    from orchestration.defs.quality import kpi_checks

    blocking = {spec.asset_key for checks in kpi_checks for spec in checks.check_specs if spec.blocking}
    publication_deps = set(published_warehouse.asset_deps[dg.AssetKey(["published", "warehouse"])])
    for table in declared().published:
        assert kpi_suite(table), f"{table} has an empty Great Expectations suite"
        assert dg.AssetKey([table]) in blocking, f"{table} is published without a blocking data-quality check"
        assert dg.AssetKey([table]) in publication_deps, f"publication does not wait for {table}"
    # the tables the issue found published without one
    for table in (
        "kpi_sv_delivery_summary",
        "kpi_sv_by_theme",
        "kpi_supply_chain",
        "kpi_payment_performance",
        "kpi_payment_performance_comparison",
        "kpi_svmi",
        "kpi_local_multiplier",
        "dq_quarantine_summary",
        "dq_accepted_exceptions",
    ):
        assert dg.AssetKey([table]) in blocking


def test_a_published_table_without_a_suite_is_refused(tmp_path):
    data = manifest()
    node = data["nodes"]["model.gm_social_value.kpi_sv_by_theme"]
    del node["config"]["meta"]["published"]["gx"]
    broken = tmp_path / "manifest.json"
    broken.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match="kpi_sv_by_theme .*declares no Great Expectations suite"):
        read_declared(broken, check_fresh=False)


def test_a_declaration_naming_an_undeclared_column_or_an_unknown_key_is_refused(tmp_path):
    data = manifest()
    meta = data["nodes"]["model.gm_social_value.kpi_sme_vcse"]["config"]["meta"]["published"]
    meta["gx"]["percentages"].append("sme_bid_pct")
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match=r"gx.percentages names column\(s\) \['sme_bid_pct'\]"):
        read_declared(path, check_fresh=False)
    meta["gx"]["percentages"].pop()
    meta["exportd"] = True
    path.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match="unknown key"):
        read_declared(path, check_fresh=False)


def test_a_missing_or_stale_manifest_is_refused_with_the_command_to_run(tmp_path):
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n")
    missing = project / "target" / "manifest.json"
    assert "missing: run `make manifest`" in manifest_problem(missing, project)
    with pytest.raises(ManifestError, match="make manifest"):
        read_declared(missing)
    missing.parent.mkdir()
    missing.write_text(MANIFEST.read_text())
    model = project / "models" / "kpi_new.sql"
    model.write_text("select 1")
    os.utime(project / "dbt_project.yml", (1_000_000, 1_000_000))
    os.utime(missing, (2_000_000, 2_000_000))
    assert "older than models/kpi_new.sql: run `make manifest`" in manifest_problem(missing, project)
    os.utime(missing)
    assert manifest_problem(missing, project) is None


def test_kpi_local_spend_suite_is_the_one_it_always_had():
    assert [e.check for e in kpi_suite("kpi_local_spend")] == [
        "kpi_local_spend_has_rows",
        "kpi_local_spend_one_row_per_key",
        "kpi_local_spend_rule_version_present",
        "kpi_local_spend_financial_year_format",
        "kpi_local_spend_unit_type_known",
        "kpi_local_spend_home_share_pct_in_range",
        "kpi_local_spend_gm_share_pct_in_range",
        "kpi_local_spend_located_spend_pct_in_range",
        "kpi_local_spend_in_scope_spend_gbp_non_negative",
    ]


def test_statement_and_dashboard_are_exposures_of_the_tables_they_show():
    exposures = {e["name"]: e for e in manifest()["exposures"].values()}
    assert {"annual_social_value_statement", "gm_dashboard"} <= set(exposures)

    def shown(exposure):
        return {node.split(".")[-1] for node in exposures[exposure]["depends_on"]["nodes"]}

    on_dashboard = {d.name for d in declared().dashboard}
    in_statement = {table for table, _ in declared().headline}
    assert "kpi_local_spend" in on_dashboard and "kpi_local_spend" in in_statement
    assert on_dashboard <= shown("gm_dashboard"), "list each dashboard table in the gm_dashboard exposure"
    assert in_statement <= shown("annual_social_value_statement"), (
        "list each statement table in the annual_social_value_statement exposure"
    )
    assert set(declared().exported) <= set(declared().published)
