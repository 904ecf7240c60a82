"""Issue 17's planted figures (ingestion/samples/procurement_act.py, answers.json "procurement_act") are
found in the publication: payment performance per source and supplier segment and the comparison of
sources, SVMi over time, the LM3 estimate with its coverage; and the statement shows the sections."""

import json

import duckdb
import pytest

from tests.conftest import SAMPLE_DIR


@pytest.fixture(scope="module")
def answers() -> dict:
    return json.loads((SAMPLE_DIR / "answers.json").read_text(encoding="utf-8"))["procurement_act"]


@pytest.fixture(scope="module")
def con(published_sample):
    connection = duckdb.connect(str(published_sample.published / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


def _rows(con, sql, params=()):
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def test_invoice_level_figures_per_segment(con, answers):
    planted = answers["payment_performance"]["stockport"]["invoice_level"]
    got = {
        (r["financial_year"], r["supplier_segment"]): r
        for r in _rows(
            con, "select * from kpi_payment_performance where partner_code = 'stockport' and source = 'invoice_level'"
        )
    }
    assert set(got) == {(fy, seg) for fy, segments in planted.items() for seg in segments}
    for fy, segments in planted.items():
        for segment, truth in segments.items():
            row = got[(fy, segment)]
            assert row["invoices_paid"] == truth["invoices_paid"], (fy, segment)
            assert float(row["pct_paid_within_30_days"]) == pytest.approx(truth["pct_paid_within_30_days"], abs=0.005)
            assert float(row["avg_days_to_pay"]) == pytest.approx(truth["avg_days_to_pay"], abs=0.005)
            assert float(row["interest_paid_gbp"]) == pytest.approx(truth["interest_paid_gbp"], abs=0.005)
            assert row["rule_version"] == "payment-performance-v1" and row["prompt_payment_days"] == 30
    # prompt payment matters most to VCSEs: the sample pays them more slowly, and the split shows it
    for fy in planted:
        assert got[(fy, "vcse")]["pct_paid_within_30_days"] < got[(fy, "all")]["pct_paid_within_30_days"]


def test_summaries_load_and_sources_are_compared(con, answers):
    planted = answers["payment_performance"]
    summaries = {
        (r["partner_code"], r["financial_year"]): r
        for r in _rows(con, "select * from kpi_payment_performance where source = 'reg113_summary'")
    }
    for partner in ("stockport", "rochdale"):
        for fy, truth in planted[partner]["reg113_summary"].items():
            row = summaries[(partner, fy)]
            assert float(row["pct_paid_within_30_days"]) == pytest.approx(truth["pct_paid_within_30_days"])
            assert float(row["avg_days_to_pay"]) == pytest.approx(truth["avg_days_to_pay"])
            assert row["supplier_segment"] == "all"
    comparison = _rows(con, "select * from kpi_payment_performance_comparison order by financial_year")
    assert [(r["partner_code"], r["financial_year"]) for r in comparison] == [
        ("stockport", fy) for fy in sorted(planted["stockport"]["invoice_level"])
    ]
    for r in comparison:
        assert float(r["pct_difference_points"]) == pytest.approx(
            planted["summary_minus_invoice_level_pct_points"], abs=0.011
        )
        assert float(r["avg_days_difference"]) == pytest.approx(planted["summary_minus_invoice_level_days"], abs=0.011)


def test_svmi_over_time(con, answers):
    for partner, years in answers["svmi_overall"].items():
        rows = _rows(
            con,
            "select * from kpi_svmi where partner_code = ? and dimension = 'overall' order by financial_year",
            [partner],
        )
        assert {r["financial_year"]: float(r["score"]) for r in rows} == pytest.approx(years)
        assert all(r["dimensions_scored"] == 6 == r["dimensions_in_index"] for r in rows)
        assert rows[0]["previous_score"] is None
        assert float(rows[1]["change_from_previous"]) == pytest.approx(
            years[rows[1]["financial_year"]] - years[rows[0]["financial_year"]], abs=0.011
        )
    assert _rows(con, "select distinct rule_version from kpi_svmi") == [{"rule_version": "svmi-v1"}]


def test_local_multiplier(con, answers):
    rows = {
        r["financial_year"]: r
        for r in _rows(con, "select * from kpi_local_multiplier where reporting_unit = 'stockport'")
    }
    for fy, truth in answers["local_multiplier"]["stockport"].items():
        row = rows[fy]
        for column in ("round1_gbp", "round2_gbp", "round3_gbp"):
            assert float(row[column]) == pytest.approx(truth[column], abs=0.01), (fy, column)
        assert float(row["coverage_pct"]) == pytest.approx(truth["coverage_pct"], abs=0.005)
        assert row["is_provisional"]
        if truth["lm3"] is None:  # none of the year's in-scope spend was with suppliers who sent returns
            assert row["lm3"] is None and row["provisional_reason"].startswith("no in-scope spend")
        else:
            assert float(row["lm3"]) == pytest.approx(truth["lm3"], abs=0.0005)
            # returns cover a few % of in-scope spend, far below the rule's 50%: provisional, and says why
            assert "below the 50" in row["provisional_reason"]
        assert row["rule_version"] == "lm3-v1"


def test_statement_shows_the_sections(published_sample):
    html = (published_sample.published / "statements" / "stockport_2020-21_social_value_statement.html").read_text(
        encoding="utf-8"
    )
    for anchor in ('id="payment_performance"', 'id="svmi"', 'id="local_multiplier"'):
        assert anchor in html
    assert "Paying suppliers promptly" in html and "VCSEs" in html and "Two sources for the year" in html
    assert "Social Value Maturity Index" in html and "LM3" in html and "provisional" in html
    # a partner without the feeds sees the section's heading and that nothing was published
    other = next(
        (published_sample.published / "statements").glob("tameside_2020-21_social_value_statement.html")
    ).read_text(encoding="utf-8")
    assert "No SVMi self-assessment was published for the year." in other
