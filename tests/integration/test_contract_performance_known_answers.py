"""Procurement Act contract performance on the bundled samples: the planted ratings, RAGs and
disagreements (answers.json "contract_performance", computed by ingestion/samples/contract_notices.py
without the pipeline) are found in the published tables and the statements; the planted faults are
quarantined or reported. Reads the shared `published_sample` publication only."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLE_DIR / "answers.json").read_text())["contract_performance"]


def _query(ws, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(ws.published / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).df()


def test_every_planted_contract_has_its_latest_rating_rag_and_disagreement(published_sample, truth):
    kpi = _query(published_sample, "select * from kpi_contract_performance").set_index(
        ["reporting_unit", "contract_ref"]
    )
    for planted in truth["contracts"]:
        row = kpi.loc[(planted["partner"], planted["contract_ref"])]
        assert row["latest_rating"] == planted["latest_rating"], planted
        assert row["sv_rag_status"] == planted["sv_rag_status"], planted
        assert bool(row["disagrees"]) is planted["disagrees"], planted
        assert row["kpi_count"] == planted["kpi_count"]
        assert row["rating_periods"] == planted["rating_periods"]
        assert row["contract_status"] == planted["contract_status"]
        assert str(row["latest_period_end"])[:10] == planted["latest_period_end"]
        assert row["financial_year"] == "2020/21"
        assert row["rule_version"] == truth["rule_version"]
        assert row["is_on_register"]


def test_the_disagreeing_contracts_are_exactly_the_planted_ones(published_sample, truth):
    flagged = _query(published_sample, "select contract_ref from kpi_contract_performance where disagrees")
    assert sorted(flagged["contract_ref"]) == truth["disagreeing"]
    assert len(truth["disagreeing"]) == 8


def test_ratings_over_time_are_published_per_kpi_and_period(published_sample, truth):
    counts = _query(
        published_sample,
        "select reporting_unit, contract_ref, count(*) as n from fct_contract_kpi_rating "
        "where is_agreed_kpi group by 1, 2",
    ).set_index(["reporting_unit", "contract_ref"])["n"]
    for planted in truth["contracts"]:
        assert counts[(planted["partner"], planted["contract_ref"])] == planted["rating_rows"], planted


def test_kpis_on_a_contract_the_register_does_not_hold_are_reported_not_dropped(published_sample, truth):
    kpi = _query(published_sample, "select * from kpi_contract_performance where not is_on_register")
    assert sorted(zip(kpi["reporting_unit"], kpi["contract_ref"], strict=True)) == sorted(
        (u["partner"], u["contract_ref"]) for u in truth["unknown_contracts"]
    )
    assert kpi["disagrees"].isna().all() and kpi["contract_id"].isna().all()
    assert (kpi["latest_rating"] == "met").all()
    assert kpi["comparison"].str.contains("not on the contract register").all()
    ratings = _query(published_sample, "select * from fct_contract_kpi_rating where not is_on_register")
    assert len(ratings) == len(truth["unknown_contracts"])


def test_broken_notices_are_quarantined_with_their_reasons(published_sample, truth):
    raw = published_sample.raw / "contract_notices" / "partner=stockport"
    quarantine = pd.concat(pd.read_parquet(p) for p in raw.glob("period=*/quarantine.parquet"))
    by_check = quarantine["checks"].value_counts()
    assert by_check.get("ocid_present", 0) == truth["quarantined"]["no_ocid_rows"]
    assert by_check.get("rating_in_codelist", 0) == truth["quarantined"]["rating_not_in_codelist_rows"]
    assert by_check.get("buyer_is_this_partner", 0) == truth["other_buyer_contract_rows"]["stockport"]
    assert (
        quarantine.loc[quarantine["checks"] == "rating_in_codelist", "reason"].str.contains("met, slightlyBelow").all()
    )
    # nothing of the neighbour's reached the published figures
    other = _query(
        published_sample, "select count(*) as n from kpi_contract_performance where contract_ref like 'MCC-%'"
    )
    assert other["n"][0] == 0


def test_the_statement_section_shows_the_ratings_beside_social_value(published_sample, truth):
    planted = [c for c in truth["contracts"] if c["partner"] == "stockport"]
    html = next((published_sample.published / "statements").glob("*stockport*2020-21*.html")).read_text(
        encoding="utf-8"
    )
    section = html.split('id="contract_performance"', 1)[1].split("</section>", 1)[0]
    for c in planted:
        assert c["contract_ref"] in section
    disagreeing = sum(1 for c in planted if c["disagrees"])
    assert f"{disagreeing} where the two disagree" in section
    assert "requires improvement" in section or "inadequate" in section
    # a year with no ratings says so, rather than dropping the section
    earlier = next((published_sample.published / "statements").glob("*stockport*2018-19*.html")).read_text(
        encoding="utf-8"
    )
    assert "No Procurement Act contract performance notices (UK9)" in earlier.split('id="contract_performance"', 1)[1]
