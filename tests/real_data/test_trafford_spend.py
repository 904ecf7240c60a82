"""Trafford's real published spend loads through its mapping with every row accounted for."""

import json

import pandas as pd
import pytest

from ingestion.landing import LandedFile, match_layout
from ingestion.load import load_file
from ingestion.normalise import parse_amount_pence
from ingestion.raw_store import partition_dir
from ingestion.registry import load_registry, load_rules
from tests.real_data.helpers import column_total_pence

pytestmark = pytest.mark.real_data


def load_real(path, workspace, config_dir):
    registry = load_registry(config_dir)
    matched = match_layout(registry.layouts("trafford", "spend"), path)
    assert matched is not None, f"{path.name} should match a Trafford layout's file pattern"
    config, period = matched
    report = load_file(LandedFile("trafford", "spend", period, path, config), load_rules(config_dir), workspace.raw)
    folder = partition_dir(workspace.raw, "spend", "trafford", period.key)
    return report, pd.read_parquet(folder / "rows.parquet"), pd.read_parquet(folder / "quarantine.parquet")


def test_trafford_2000_row_extract_every_row_accounted_for(workspace, config_dir, real_data):
    path = real_data / "trafford" / "supplier_spend" / "trafford-supplier-spend-2026-27_first2000rows.csv"
    report, rows, quarantine = load_real(path, workspace, config_dir)
    source_rows, source_pence = column_total_pence(path, "Amount")
    assert report.rows_in == source_rows == 2000
    assert report.rows_loaded + report.rows_quarantined == source_rows
    assert len(rows) == report.rows_loaded and len(quarantine) == report.rows_quarantined
    quarantined_pence = (
        parse_amount_pence(quarantine["raw_record"].map(lambda r: json.loads(r).get("Amount"))).sum()
        if len(quarantine)
        else 0
    )
    assert int(rows["amount_pence"].sum()) + int(quarantined_pence) == source_pence
    # Trafford's quirks: literal NA, credits, redacted payees kept in totals and flagged.
    assert rows["is_redacted"].any()
    assert (rows["amount_pence"] < 0).any()
    assert not rows["supplier_ref"].eq("NA").any()
    assert rows["source_row_number"].min() == 2 and rows["source_row_number"].max() == 2001
