"""The whole pipeline, in-process through Dagster, on the bundled samples: the published KPIs must
equal the truths the generator planted (computed by the generator's own code)."""

import hashlib
import json

import duckdb
import pandas as pd
import pytest

from ingestion.raw_store import all_manifests
from orchestration import run_pipeline
from ingestion.registry import load_rules
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR


def answers_rule_version():
    return json.loads((SAMPLE_DIR / "answers.json").read_text())["kpi_local_spend"][0]["rule_version"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(sample_workspace):
    assert run_pipeline.run(quiet=True) == 0
    return sample_workspace


@pytest.fixture(scope="module")
def answers():
    return json.loads((SAMPLE_DIR / "answers.json").read_text())


def published_table(ws, name) -> pd.DataFrame:
    with duckdb.connect(str(ws.published / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(f"select * from {name}").df()


def test_star_2020_21_matches_the_planted_truth(published, answers):
    kpi = published_table(published, "kpi_local_spend").set_index(["reporting_unit", "financial_year"])
    star = kpi.loc[("STAR", "2020/21")]
    truth = next(r for r in answers["kpi_local_spend"]
                 if (r["reporting_unit"], r["financial_year"]) == ("STAR", "2020/21"))
    assert abs(float(star["home_share_pct"]) - truth["home_share_pct"]) < 0.1
    assert abs(float(star["gm_share_pct"]) - truth["gm_share_pct"]) < 0.1
    # ... and the truth is the STAR report's figure the generator aimed at.
    assert abs(truth["home_share_pct"] - answers["planted_targets"]["STAR"]["2020/21"]["home_share_pct"]) < 0.1


def test_every_published_kpi_row_equals_the_answers(published, answers):
    kpi = published_table(published, "kpi_local_spend")
    expected = pd.DataFrame(answers["kpi_local_spend"])
    assert len(kpi) == len(expected) == 18
    merged = kpi.merge(expected, on=["reporting_unit", "financial_year"], suffixes=("", "_truth"))
    assert len(merged) == len(expected)
    for column in ("in_scope_spend_gbp", "home_spend_gbp", "gm_spend_gbp", "unknown_location_spend_gbp"):
        diff = (merged[column].astype(float) - merged[f"{column}_truth"]).abs()
        assert diff.max() < 0.005, f"{column} differs from the answers by up to £{diff.max():.2f}"
    for column in ("home_share_pct", "gm_share_pct"):
        assert (merged[column].astype(float) - merged[f"{column}_truth"]).abs().max() <= 0.005
    assert (merged["reporting_unit_type"] == merged["reporting_unit_type_truth"]).all()
    assert (merged["rule_version"] == merged["rule_version_truth"]).all()
    assert (merged["threshold_gbp"].astype(float) == 25000).all()


def test_published_contract_column_names(published):
    assert list(published_table(published, "kpi_local_spend").columns) == [
        "reporting_unit", "reporting_unit_type", "financial_year", "in_scope_spend_gbp",
        "home_spend_gbp", "gm_spend_gbp", "unknown_location_spend_gbp", "home_share_pct",
        "gm_share_pct", "threshold_gbp", "rule_version"]


def test_publication_records_feeds_hashes_rules_and_checks(published):
    feeds = published_table(published, "publication_feeds")
    landed = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in published.landing.rglob("*") if p.is_file()}
    assert len(feeds) == len(landed) == 124
    for _, feed in feeds.iterrows():
        assert landed[feed["source_file"].split("/")[-1]] == feed["source_file_hash"]
    publication = published_table(published, "publication").iloc[0]
    versions = json.loads(publication["rule_versions"])
    assert versions == load_rules(PROJECT_ROOT / "config").versions()
    assert versions["local_spend"] == answers_rule_version()
    assert publication["duckdb_version"] == duckdb.__version__
    checks = published_table(published, "publication_checks")
    assert set(checks["layer"]) == {"feed", "dbt", "mart"}
    assert checks["success"].all()
    assert {"amount_readable", "kpi_one_row_per_unit_year",
            "assert_kpi_local_spend_reconciles_to_fct_spend"} <= set(checks["check"])


def test_parquet_copy_of_every_published_table(published):
    parquet = published.published / "parquet"
    names = {p.stem for p in parquet.glob("*.parquet")}
    assert {"kpi_local_spend", "fct_spend", "dim_supplier", "dim_partner", "publication"} <= names
    kpi = pd.read_parquet(parquet / "kpi_local_spend.parquet")
    assert len(kpi) == len(published_table(published, "kpi_local_spend"))


def test_every_row_accounted_for_and_lineage_on_published_rows(published):
    manifests = all_manifests(published.raw)
    rows_in = sum(m["rows_in"] for m in manifests if m["feed"] == "spend")
    loaded = sum(m["rows_loaded"] for m in manifests if m["feed"] == "spend")
    quarantined = sum(m["rows_quarantined"] for m in manifests if m["feed"] == "spend")
    assert rows_in == loaded + quarantined
    fct = published_table(published, "fct_spend")
    assert len(fct) == loaded
    assert fct[["source_file", "source_file_hash", "source_row_number", "load_id"]].notna().all().all()


def test_redacted_payees_count_but_are_never_named(published):
    fct = published_table(published, "fct_spend")
    redacted = fct[fct["is_redacted"]]
    assert len(redacted) > 0 and redacted["supplier_name"].isna().all()
    names = published_table(published, "dim_supplier")["supplier_name"].dropna().str.lower()
    assert not names.str.contains("redact").any()


def test_rerun_reloads_nothing_and_republishes(published):
    before = {(m["feed"], m["partner"], m["period"]): m["load_id"] for m in all_manifests(published.raw)}
    first_id = published_table(published, "publication").iloc[0]["publication_id"]
    assert run_pipeline.run(quiet=True) == 0
    after = {(m["feed"], m["partner"], m["period"]): m["load_id"] for m in all_manifests(published.raw)}
    assert before == after
    assert published_table(published, "publication").iloc[0]["publication_id"] != first_id
