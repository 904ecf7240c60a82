"""benchmarks/scale.py's generated partners are files the pipeline accepts as they are: every file
lands with no problem, the config validates, and the rows and distinct names are what was asked."""

import pandas as pd
import pytest

from benchmarks.scale import distinct_names_for, generate
from ingestion.landing import scan_landing
from ingestion.registry import load_registry

pytestmark = pytest.mark.real_data


def test_generated_ledgers_land_cleanly(tmp_path, real_data):
    made = generate(tmp_path, rows=4800, partners=2, years=1)
    registry = load_registry(made["config"])
    assert sorted(registry.partners) == ["council01", "council02"]
    scan = scan_landing(made["landing"], registry)
    assert not scan.problems
    assert len(scan.files) == 2 * 12 + 2  # monthly spend, and a supplier list each
    spend = pd.concat(pd.read_csv(f.path, dtype=str) for f in scan.files if f.feed == "spend")
    assert len(spend) == made["rows"] == 4800
    assert spend["BeneficiaryName"].nunique() <= made["distinct_names"] == distinct_names_for(4800)
    assert set(spend["OrganisationLabel"]) == {"Council 01", "Council 02"}
    assert spend["TransactionNumber"].is_unique
    assert distinct_names_for(1_000_000) == 9000 and 190_000 < distinct_names_for(10_000_000) < 210_000
