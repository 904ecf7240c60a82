"""The 29 real dated facts (gm_reference_2025/accreditation) load: every fact loaded or quarantined
with a reason, dated as precisely as published, and the alliance-membership facts unconfirmed."""

import pandas as pd
import pytest

from ingestion.landing import LandedFile, match_layout
from ingestion.load import load_file
from ingestion.raw_store import partition_dir
from ingestion.registry import load_registry, load_rules

pytestmark = pytest.mark.real_data


def test_real_accreditation_facts_are_all_accounted_for(real_data, tmp_path, config_dir):
    path = real_data / "gm_reference_2025" / "accreditation" / "gm_accreditation_facts_from_web_pages.csv"
    registry = load_registry(config_dir)
    config, period = match_layout(registry.layouts("gm_shared", "supplier_attributes"), path)
    assert config.layout == "gm_web_pages_2025"
    report = load_file(
        LandedFile("gm_shared", "supplier_attributes", period, path, config), load_rules(config_dir), tmp_path
    )
    folder = partition_dir(tmp_path, "supplier_attributes", "gm_shared", period.key)
    rows = pd.read_parquet(folder / "rows.parquet")
    quarantine = pd.read_parquet(folder / "quarantine.parquet")
    assert report.rows_in == 29 == len(rows) + len(quarantine)
    assert quarantine["reason"].str.len().gt(0).all()  # any quarantined fact says why
    assert report.passed and len(rows) == 29
    assert rows["scheme_code"].value_counts().to_dict() == {
        "gm_good_employment_charter_member": 16,
        "real_living_wage_employer": 13,
    }
    # dated as published: to the month (charter posts), the day, or only the year ("2022 (as at article)")
    assert rows["valid_from_precision"].value_counts().to_dict() == {"month": 16, "day": 10, "year": 3}
    # "Making Living Wage Places alliance member": the wording does not confirm accreditation
    unconfirmed = rows[~rows["confirmed"].astype(bool)]
    assert len(unconfirmed) == 9 and set(unconfirmed["scheme_code"]) == {"real_living_wage_employer"}
    assert set(unconfirmed["valid_from"].astype(str)) == {"2022-10-04"}
    manchester = rows.set_index("organisation_name").loc["Manchester City Council"]
    assert str(manchester["valid_from"]) == "2019-11-11" and manchester["confirmed"]
    assert rows["evidence_url"].str.startswith("https://").all() and rows["source"].notna().all()
