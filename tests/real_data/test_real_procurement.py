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
        "contract_ref_present",
        "supplier_name_present",
        "award_date_present",
        "start_date_readable",
    }
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


def test_contracts_finder_download_keeps_only_the_partners_buyers(real_data, tmp_path, config_dir):
    """A regional download holds other bodies' notices: with `buyers` set on the layout, only the
    named buyer's awards load; every other release is set aside with its reason."""
    import json
    import shutil

    import yaml

    config = tmp_path / "config"
    shutil.copytree(config_dir, config)
    raw = yaml.safe_load((config / "partners.yml").read_text())
    salford = next(p for p in raw["partners"] if p["code"] == "salford")
    salford["feeds"]["tenders"]["layouts"][0]["buyers"] = ["doncaster"]
    (config / "partners.yml").write_text(yaml.safe_dump(raw))
    path = real_data / "contracts_finder_ocds_apa999_CFServer1" / "contracts_finder_ocds_releases.jsonl"
    report, rows, quarantine = load("salford", "tenders", path, tmp_path / "raw", config)
    assert report.passed and report.rows_in == len(rows) + len(quarantine)
    releases = [json.loads(line) for line in path.read_text().splitlines()]
    doncaster_awards = sum(
        len(a.get("suppliers") or [None])
        for r in releases
        if "doncaster" in (r.get("buyer") or {}).get("name", "").lower()
        for a in r.get("awards") or []
    )
    assert 0 < len(rows) == doncaster_awards
    assert rows["buyer_name"].str.contains("Doncaster").all()
    buyers = quarantine["raw_record"].map(lambda r: json.loads(r).get("buyer_name") or "")
    other_buyers = quarantine[(buyers != "") & ~buyers.str.contains("Doncaster")]
    assert len(other_buyers) > 300 and other_buyers["checks"].str.contains("buyer_is_this_partner").all()
    # a release that names no buyer cannot be told apart: only its kind decides
    assert not quarantine[buyers == ""]["checks"].str.contains("buyer_is_this_partner").any()
    assert "add its buyer name" in quarantine["fix"].iloc[0]
