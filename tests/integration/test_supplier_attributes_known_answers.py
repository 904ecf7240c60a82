"""The sample's dated supplier facts (ingestion/samples/attributes.py) give the planted answers.

Reads the shared publication of the bundled samples (`published_sample`). The answers in
data/sample/answers.json were computed from the generator's own payments and contracts: a firm
accredited mid-year counts only from that day, a lapsed membership stops counting, an unconfirmed
fact is reported beside the share and not in it, a fact dated 2022 adds nothing to earlier years, and
a fact about an organisation nobody pays is published as unmatched.
"""

import json

import duckdb
import pytest

from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.slow

ANSWERS = json.loads((SAMPLE_DIR / "answers.json").read_text(encoding="utf-8"))["supplier_attributes"]
MATCHED_BY = {
    "mid_year": "company_number",
    "lapses": "company_number",
    "unconfirmed": "company_number",
    "future": "company_number",
    "by_name": "name_key",
    "charity": "charity_number",
    "unmatched": "unmatched",
}


@pytest.fixture(scope="module")
def con(published_sample):
    with duckdb.connect(str(published_sample.published / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


def _rows(con, sql, params=()):
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def test_every_planted_fact_is_published_and_matched_as_planted(con):
    facts = {r["organisation_name"]: r for r in _rows(con, "select * from fct_supplier_attribute")}
    assert len(facts) == len(ANSWERS["facts"])
    for planted in ANSWERS["facts"]:
        row = facts[planted["organisation"]]
        assert row["match_method"] == MATCHED_BY[planted["plant"]], planted["plant"]
        assert row["is_matched"] == planted["matched"]
        assert row["matched_suppliers"] == (1 if planted["matched"] else 0), planted["plant"]
        assert row["scheme_code"] == planted["scheme_code"]
        assert str(row["counts_from"]) == planted["counts_from"], planted["plant"]
        assert (str(row["counts_to"]) if row["counts_to"] else None) == planted["counts_to"], planted["plant"]
        assert row["is_confirmed"] == planted["confirmed"]
        assert row["rule_version"] == "supplier-attributes-v1" and row["source_file"].endswith(".csv")


def test_shares_take_the_status_as_at_each_payment_and_award(con):
    published = {
        (r["reporting_unit"], r["financial_year"], r["scheme_code"]): r
        for r in _rows(con, "select * from kpi_supplier_attributes")
    }
    assert len(ANSWERS["kpi_supplier_attributes"]) >= 84  # 7 units x 3 years x 4 schemes
    for truth in ANSWERS["kpi_supplier_attributes"]:
        key = (truth["reporting_unit"], truth["financial_year"], truth["scheme_code"])
        row = published[key]
        for column in (
            "holding_spend_gbp",
            "unconfirmed_spend_gbp",
            "contract_value_gbp",
            "holding_contract_value_gbp",
            "unconfirmed_contract_value_gbp",
        ):
            assert float(row[column]) == pytest.approx(truth[column], abs=0.005), (key, column)
        assert row["rule_version"] == truth["rule_version"]


def test_the_planted_cases_show_in_the_figures(con):
    def star(year, scheme):
        return _rows(
            con,
            "select * from kpi_supplier_attributes where reporting_unit = 'STAR' and financial_year = ? "
            "and scheme_code = ?",
            [year, scheme],
        )[0]

    rlw = "real_living_wage_employer"
    # the mid-year firm is the only confirmed Real Living Wage employer in 2019/20: the year's share is
    # its spend on or after 15 Oct 2019, and its spend before that day (planted, non-zero) is left out
    mid = ANSWERS["mid_year_star_spend_gbp"]
    assert mid["before"] > 0 and mid["on_or_after"] > 0
    assert float(star(mid["financial_year"], rlw)["holding_spend_gbp"]) == pytest.approx(mid["on_or_after"], abs=0.005)
    # the only confirmed accreditation before 2022 starts on 15 Oct 2019: nothing in 2018/19
    assert star("2018/19", rlw)["holding_spend_gbp"] == 0 and star("2019/20", rlw)["holding_spend_gbp"] > 0
    # the unconfirmed fact is published beside the share, not in it
    assert star("2018/19", rlw)["unconfirmed_spend_gbp"] > 0
    assert "would add" in star("2018/19", rlw)["unconfirmed_note"]
    # the supporter fact counts from 31 Jul 2020 only
    assert star("2019/20", "gm_good_employment_charter_supporter")["holding_spend_gbp"] == 0
    assert star("2020/21", "gm_good_employment_charter_supporter")["holding_spend_gbp"] > 0
    # the membership lapsed on 31 Dec 2019
    assert star("2020/21", "gm_good_employment_charter_member")["holding_spend_gbp"] == 0
    for row in _rows(con, "select * from kpi_supplier_attributes"):
        assert row["in_scope_spend_gbp"] >= row["holding_spend_gbp"] >= 0
        assert row["unconfirmed_facts_rule"] == "report_separately" and row["partial_dates_rule"] == "conservative"
    local = {
        (r["reporting_unit"], r["financial_year"]): r["in_scope_spend_gbp"]
        for r in _rows(con, "select * from kpi_local_spend")
    }
    for row in _rows(con, "select * from kpi_supplier_attributes where in_scope_spend_gbp > 0"):
        assert row["in_scope_spend_gbp"] == local[(row["reporting_unit"], row["financial_year"])]


def test_the_statement_has_the_good_employers_section(published_sample):
    statements = sorted((published_sample.published / "statements").rglob("*stockport*2020*.html"))
    assert statements, "no Stockport 2020/21 statement"
    html = statements[0].read_text(encoding="utf-8")
    assert 'id="good_employers"' in html and "Real Living Wage accredited employer" in html
    assert "supplier-attributes-v1" in html and "not matched" in html
