"""Every published table has a dbt model contract and a description for every column, and the
statement and dashboard are declared as dbt exposures (BI tools depend on these names)."""

import json

from publishing.publish import PUBLISHED_TABLES
from tests.conftest import PROJECT_ROOT


def manifest():
    return json.loads((PROJECT_ROOT / "dbt_project" / "target" / "manifest.json").read_text())


def test_published_tables_have_contracts_and_described_columns():
    nodes = {n["name"]: n for n in manifest()["nodes"].values() if n["resource_type"] == "model"}
    for table in PUBLISHED_TABLES:
        node = nodes[table]
        assert node["config"]["contract"]["enforced"], f"{table} has no enforced contract"
        assert node["columns"], f"{table} declares no columns"
        for name, column in node["columns"].items():
            assert column.get("data_type"), f"{table}.{name} has no data_type"
            assert column.get("description"), f"{table}.{name} has no description"


def test_statement_and_dashboard_are_exposures():
    exposures = {e["name"]: e for e in manifest()["exposures"].values()}
    assert {"annual_social_value_statement", "gm_dashboard"} <= set(exposures)
    assert any("kpi_local_spend" in d for d in exposures["gm_dashboard"]["depends_on"]["nodes"])
