"""Salford's real contracts register and real Contracts Finder notices load, every row accounted for."""

import pandas as pd
import pytest

from ingestion.landing import LandedFile, match_layout
from ingestion.load import load_file
from ingestion.raw_store import partition_dir
from ingestion.registry import load_registry, load_rules

pytestmark = pytest.mark.real_data


def load(partner, feed, path, raw_dir, config_dir):
    registry = load_registry(config_dir)
    config, period = match_layout(registry.layouts(partner, feed), path)
    report = load_file(LandedFile(partner, feed, period, path, config), load_rules(config_dir), raw_dir)
    folder = partition_dir(raw_dir, feed, partner, period.key)
    return report, pd.read_parquet(folder / "rows.parquet"), pd.read_parquet(folder / "quarantine.parquet")


def test_salford_contracts_register(real_data, tmp_path, config_dir):
    path = real_data / "odileeds_council_spending" / "salford" / "clean" / "2022-07.csv"
    report, rows, quarantine = load("salford", "contracts", path, tmp_path, config_dir)
    assert report.rows_in == 360 == len(rows) + len(quarantine)
    assert report.passed  # within the layout's declared tolerance
    assert set(quarantine["checks"].str.split(", ").explode()) <= {
        "contract_ref_present", "supplier_name_present", "award_date_present", "start_date_readable"}
    assert rows["is_sme"].notna().sum() > 200 and rows["is_sme"].any()
    assert rows["contract_value_pence"].isna().any()  # '-' : no guaranteed value, kept as unknown


def test_contracts_finder_notices_load_as_awards(real_data, tmp_path, config_dir):
    path = real_data / "contracts_finder_ocds_apa999_CFServer1" / "contracts_finder_ocds_releases.jsonl"
    report, rows, quarantine = load("salford", "tenders", path, tmp_path, config_dir)
    assert report.passed
    assert report.rows_in == len(rows) + len(quarantine)
    assert len(rows) == 267 and rows["is_winner"].all()
    assert (rows["row_kind"] == "award").all()
    assert rows["is_sme_declared"].sum() == 79 and rows["is_vcse_declared"].sum() == 8
    assert set(quarantine["checks"]) == {"is_bid_or_award"}
    # every one of the 382 releases is in the load: as award rows, or set aside with its line number
    import json
    set_aside = {int(json.loads(r)["source_line"]) for r in quarantine["raw_record"]}
    awarded = {i for i, line in enumerate(path.read_text().splitlines(), 1) if json.loads(line).get("awards")}
    assert set_aside | awarded == set(range(1, 383))
