"""A partnership that has sent only spend ledgers (no supplier list, no procurement feeds yet)
still publishes: empty social value tables are right, not a defect; every column keeps its type."""

import shutil

import duckdb
import pytest

from orchestration import run_pipeline
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.slow


def test_spend_only_publishes(workspace):
    folder = workspace.landing / "rochdale" / "spend"
    folder.mkdir(parents=True)
    for month in ("Apr", "May"):
        shutil.copy(SAMPLE_DIR / "landing" / "rochdale" / "spend" / f"Rochdale Payments {month} 2019.csv", folder)
    assert run_pipeline.run(quiet=True, settings=workspace.settings()) == 0
    from publishing.coverage import provisional_figures

    reason = "supplier location known for 0.00% of in-scope spend (the coverage rule asks for 90%)"
    assert set(provisional_figures(workspace.published / "warehouse.duckdb")) == {
        f"kpi_local_spend {unit} 2019/20: {reason}" for unit in ("rochdale", "STAR", "GM")
    }
    with duckdb.connect(str(workspace.published / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from kpi_local_spend where reporting_unit = 'rochdale'").fetchone()[0] == 1
        assert con.execute("select count(*) from kpi_sv_secured").fetchone()[0] == 0
        unknown, in_scope = con.execute(
            "select unknown_location_spend_gbp, in_scope_spend_gbp from kpi_local_spend "
            "where reporting_unit = 'rochdale'"
        ).fetchone()
        assert unknown == in_scope  # no supplier list: every location unknown, none counted local
        provisional, reason = con.execute(
            "select is_provisional, provisional_reason from kpi_local_spend where reporting_unit = 'rochdale'"
        ).fetchone()
        assert provisional and "known for 0.00% of in-scope spend" in reason
    assert (workspace.published / "statements" / "rochdale_2019-20_social_value_statement.pdf").exists()
    statement = (workspace.published / "statements" / "rochdale_2019-20_social_value_statement.html").read_text()
    assert "Provisional: supplier location known for 0.00% of in-scope spend" in statement
    dashboard = (workspace.published / "dashboard.html").read_text()
    assert '"is_provisional": true' in dashboard and "known for 0.00% of in-scope spend" in dashboard
