"""The worked example of docs/architecture.md: kpi_sme_vcse_spend (share of in-scope spend with SMEs
and with VCSEs) was added as its SQL, its yml entry and its reconciliation test. Declared there, it is
published, exported, checked before publication and on the dashboard and statement, with no other
edit: no Python file or template names it. (The pipeline run that shows it in every output is
tests/integration/test_pipeline_known_answers.py::test_sme_vcse_spend_reaches_every_output.)"""

import dagster as dg

from publishing.declared import declared
from publishing.kpi_suite import kpi_suite
from tests.conftest import PROJECT_ROOT

KPI = "kpi_sme_vcse_spend"


def test_declared_published_exported_on_the_dashboard_and_in_the_statement():
    table = declared().tables[KPI]
    assert KPI in declared().published and KPI in declared().exported
    assert KPI in [d.name for d in declared().dashboard]
    assert {h.column for t, h in declared().headline if t == KPI} == {"sme_share_pct", "vcse_share_pct"}
    # unknown is not zero: a share over spend nobody classified is shown in words, not as 0.0%
    assert ("sme_share_pct", "sme_share_known", "sme_share_display") in table.stated_only_when
    assert {"sme_unclassified_pct", "vcse_unclassified_pct"} <= set(table.gx.percentages)


def test_checked_before_publication():
    from orchestration.defs.publish import published_warehouse
    from orchestration.defs.quality import kpi_checks

    specs = {spec.name: spec for checks in kpi_checks for spec in checks.check_specs}
    assert specs[f"{KPI}_gx_suite"].blocking and specs[f"{KPI}_gx_suite"].asset_key == dg.AssetKey([KPI])
    assert dg.AssetKey([KPI]) in published_warehouse.asset_deps[dg.AssetKey(["published", "warehouse"])]
    assert {f"{KPI}_one_row_per_key", f"{KPI}_sme_share_pct_in_range", f"{KPI}_rule_version_present"} <= {
        e.check for e in kpi_suite(KPI)
    }


def test_no_python_file_or_template_names_it():
    code = [
        p
        for folder in ("publishing", "orchestration", "ingestion")
        for p in (PROJECT_ROOT / folder).rglob("*")
        if p.suffix in (".py", ".j2", ".html")
    ]
    assert code and not [str(p) for p in code if KPI in p.read_text(encoding="utf-8")]
    dbt = [
        str(p.relative_to(PROJECT_ROOT / "dbt_project"))
        for folder in ("models", "tests", "macros")
        for p in (PROJECT_ROOT / "dbt_project" / folder).rglob("*")
        if p.is_file() and (KPI in p.name or KPI in p.read_text(encoding="utf-8"))
    ]
    assert sorted(dbt) == [
        "models/marts/_marts__models.yml",
        f"models/marts/{KPI}.sql",
        f"tests/assert_{KPI}_reconciles_to_kpi_local_spend.sql",
    ]
