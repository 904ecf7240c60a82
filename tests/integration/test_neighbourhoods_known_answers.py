"""Issue 16 on the bundled samples: the published deprivation and ward/district figures equal the
truths ingestion/samples/neighbourhoods.py computed on its own (no SQL), the planted cases are
found (a supplier outside GM; a postcode whose LSOA changed in 2021, placed on its 2011 code for a
2019/20 payment and reported on its 2021 ward), and the figures reach the statement with a map.

Reads the shared publication (`published_sample`); runs no pipeline of its own.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from publishing.maps import dashboard_maps
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLE_DIR / "answers.json").read_text())["neighbourhoods"]


def table(ws, name: str) -> pd.DataFrame:
    with duckdb.connect(str(ws.published / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(f"select * from {name}").df()


def test_deprivation_shares_equal_the_answers(published_sample, truth):
    kpi = table(published_sample, "kpi_deprivation_spend")
    expected = pd.DataFrame(truth["kpi_deprivation_spend"])
    assert len(kpi) == len(expected) == 63  # 5 partners and 2 groups x 3 years x 3 domains
    merged = kpi.merge(expected, on=["reporting_unit", "financial_year", "domain"], suffixes=("", "_truth"))
    assert len(merged) == len(expected)
    for column in ("in_scope_spend_gbp", "located_spend_gbp", "decile_1_spend_gbp", "deciles_1_2_spend_gbp"):
        assert (merged[column].astype(float) - merged[f"{column}_truth"]).abs().max() < 0.005, column
    for column in (
        "decile_1_share_pct",
        "deciles_1_2_share_pct",
        "decile_1_located_share_pct",
        "deciles_1_2_located_share_pct",
    ):
        assert (merged[column].astype(float) - merged[f"{column}_truth"]).abs().max() <= 0.005, column
    for column in ("in_scope_suppliers", "located_suppliers", "decile_1_suppliers", "deciles_1_2_suppliers"):
        assert (merged[column] == merged[f"{column}_truth"]).all(), column
    # the edition and the codes it measured on are named on every row (sample years: IMD 2019)
    assert (merged["edition"] == merged["edition_truth"]).all()
    assert set(kpi["lsoa_vintage"]) == {"2011"} and set(kpi["edition_title"]) == {"English Indices of Deprivation 2019"}
    assert (merged["rule_version"] == merged["rule_version_truth"]).all()
    # a trend: one row per year for each unit and domain
    assert kpi.groupby(["reporting_unit", "domain"])["financial_year"].nunique().eq(3).all()


def test_lsoa_changed_in_2021_is_placed_on_2011_and_reported_on_2021(published_sample, truth):
    planted = truth["planted"]["lsoa_changed"]
    assert planted["lsoa11_code"] != planted["lsoa21_code"]
    placed = table(published_sample, "fct_spend_neighbourhood")
    rows = placed[(placed["postcode"] == planted["postcode"]) & (placed["financial_year"] == planted["financial_year"])]
    assert len(rows) >= 1
    assert set(rows["placed_lsoa_code"]) == {planted["lsoa11_code"]}  # the code in force for IMD 2019
    assert set(rows["lsoa21_code"]) == {planted["lsoa21_code"]}
    assert set(rows["imd_decile"]) == {planted["imd2019_decile_of_lsoa11"]}
    assert set(rows["ward_code"]) == {planted["ward_code"]}  # reported on current codes
    areas = table(published_sample, "kpi_spend_by_area")
    ward = areas[
        (areas["reporting_unit"] == "GM")
        & (areas["financial_year"] == planted["financial_year"])
        & (areas["area_code"] == planted["ward_code"])
    ]
    assert len(ward) == 1 and float(ward["in_scope_spend_gbp"].iloc[0]) >= float(rows["net_spend_gbp"].sum())


def test_supplier_outside_gm_counts_for_deprivation_but_not_on_the_map(published_sample, truth):
    planted = truth["planted"]["outside_gm"]
    placed = table(published_sample, "fct_spend_neighbourhood")
    rows = placed[placed["postcode"] == planted["postcode"]]
    assert len(rows) >= 1
    assert not rows["in_gm"].any() and rows["ward_code"].isna().all()
    assert set(rows["lad_code"]) == {planted["lad_code"]}
    assert set(rows["placed_lsoa_code"]) == {planted["lsoa11_code"]} and set(rows["imd_decile"]) == {1}
    areas = table(published_sample, "kpi_spend_by_area")
    for partner, year in rows[["partner_code", "financial_year"]].itertuples(index=False):
        mine = areas[(areas["reporting_unit"] == partner) & (areas["financial_year"] == year)]
        assert float(mine.loc[mine["area_code"] == "outside_gm", "in_scope_spend_gbp"].sum()) > 0
        assert planted["lad_code"] not in set(mine["area_code"])


def test_district_and_ward_spend_equal_the_answers(published_sample, truth):
    areas = table(published_sample, "kpi_spend_by_area")
    for level, key, units in (
        ("district", "spend_by_district", None),
        ("ward", "spend_by_ward_groups", {"STAR", "GM"}),
    ):
        got = areas[areas["area_level"] == level]
        if units:
            got = got[got["reporting_unit"].isin(units)]
        expected = pd.DataFrame(truth[key])
        merged = got.merge(expected, on=["reporting_unit", "financial_year", "area_code"], how="outer", indicator=True)
        assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
        assert (merged["in_scope_spend_gbp"].astype(float) - merged["spend_gbp"]).abs().max() < 0.005
    assert set(areas["area_vintage"]) and areas["location_rule_version"].notna().all()


def test_statement_shows_the_section_with_a_map_and_the_dashboard_gets_maps(published_sample):
    html = (published_sample.published / "statements" / "stockport_2019-20_social_value_statement.html").read_text()
    section = html[html.index('id="neighbourhoods"') :]
    assert "Where the money lands" in section and "English Indices of Deprivation 2019" in section
    assert "<svg" in section and "<title>Map of Greater Manchester" in section
    assert "the table behind the map" in section
    maps = dashboard_maps(published_sample.published / "parquet")
    assert set(maps) == {"stockport", "trafford", "rochdale", "tameside", "bury", "STAR", "GM"}
    assert all(set(years) == {"2018/19", "2019/20", "2020/21"} for years in maps.values())
    assert (
        maps["GM"]["2020/21"].lstrip().startswith("<svg")
        and 'aria-label="Map of Greater Manchester' in maps["GM"]["2020/21"]
    )


def test_new_tables_passed_their_checks_and_name_their_rules(published_sample):
    checks = table(published_sample, "publication_checks")
    for name in ("kpi_deprivation_spend", "kpi_spend_by_area", "fct_spend_neighbourhood"):
        mine = checks[checks["subject"].str.contains(name)]
        assert {f"{name}_one_row_per_key", f"{name}_rule_version_present"} <= set(mine["check"]), name
        assert mine["success"].all()
    reconciliations = set(checks["check"])
    assert "assert_kpi_spend_by_area_reconciles_to_kpi_local_spend" in reconciliations
    assert "assert_kpi_deprivation_spend_reconciles_to_kpi_local_spend" in reconciliations
    publication = table(published_sample, "publication")
    assert json.loads(publication["rule_versions"].iloc[0])["deprivation"] == "deprivation-v1"
    assert (published_sample.published / "exports" / "kpi_deprivation_spend.csv").exists()


def test_the_dashboard_shows_the_map_of_each_units_latest_year(published_sample):
    page = (published_sample.published / "dashboard.html").read_text()
    panel = page[page.index('<section id="map"') : page.index("</section>", page.index('<section id="map"'))]
    assert "Where in-scope spend goes in Greater Manchester" in panel
    assert panel.count("<details") == 7 and "<details open><summary>Greater Manchester, 2020/21</summary>" in panel
    assert panel.index("Greater Manchester, 2020/21") < panel.index("Stockport")  # GM first
    assert panel.count('aria-label="Map of Greater Manchester') == 7 and "<figcaption>" in panel
    assert (
        "<caption>In-scope spend by borough: Bury Council, 2020/21" in panel
        and "<th scope='row'>Stockport</th>" in panel
    )


def test_the_dashboard_shows_deprivation_and_good_employer_tables(published_sample):
    page = (published_sample.published / "dashboard.html").read_text()
    deprivation = page[page.index('<section id="deprivation"') :]
    deprivation = deprivation[: deprivation.index("</section>")]
    kpi = table(published_sample, "kpi_deprivation_spend")
    gm = kpi[(kpi["reporting_unit"] == "GM") & (kpi["financial_year"] == "2020/21") & (kpi["domain"] == "imd")].iloc[0]
    row = deprivation[deprivation.index("Greater Manchester, 2020/21") :].split("</tr>")[0]
    assert gm["decile_1_share_display"] in row and gm["deciles_1_2_share_display"] in row
    assert "<thead>" in deprivation and 'scope="row"' in deprivation
    employers = page[page.index('<section id="good-employers"') :]
    assert "Good employers" in employers and "Real Living Wage" in employers and "<thead>" in employers
