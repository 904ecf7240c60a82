"""Real council ledgers load through config/partners.yml mappings, every row accounted for and
totals reconciled to the file's own sum (read independently with the csv module and Decimal)."""

import json

import pandas as pd
import pytest

from ingestion.landing import LandedFile, match_layout, scan_landing
from ingestion.load import load_file
from ingestion.normalise import parse_amount_pence
from ingestion.raw_store import partition_dir
from ingestion.registry import load_registry, load_rules
from tests.real_data.helpers import column_total_pence, deliver

pytestmark = pytest.mark.real_data


def load_and_reconcile(partner, path, amount_column, raw_dir, config_dir):
    registry = load_registry(config_dir)
    matched = match_layout(registry.layouts(partner, "spend"), path)
    assert matched is not None, f"{path.name} matches no {partner} layout"
    config, period = matched
    report = load_file(LandedFile(partner, "spend", period, path, config), load_rules(config_dir), raw_dir)
    folder = partition_dir(raw_dir, "spend", partner, period.key)
    rows = pd.read_parquet(folder / "rows.parquet")
    quarantine = pd.read_parquet(folder / "quarantine.parquet")
    source_rows, source_pence = column_total_pence(path, amount_column)
    assert report.rows_in == source_rows, path.name
    assert len(rows) + len(quarantine) == source_rows == report.rows_loaded + report.rows_quarantined
    quarantined_pence = (
        parse_amount_pence(quarantine["raw_record"].map(lambda r: json.loads(r).get(amount_column))).sum()
        if len(quarantine)
        else 0
    )
    assert int(rows["amount_pence"].sum()) + int(quarantined_pence) == source_pence, path.name
    assert quarantine["reason"].notna().all()
    return report, rows, quarantine


def salford_monthly_files(real_data):
    folder = real_data / "odileeds_council_spending" / "salford" / "clean"
    # 2022-07.csv is Salford's contracts register, not a ledger month (see PROVENANCE.md).
    return [p for p in sorted(folder.glob("20*.csv")) if p.name != "2022-07.csv"]


def test_every_salford_month_across_the_2020_header_change(real_data, tmp_path, config_dir):
    files = salford_monthly_files(real_data)
    assert len(files) == 39
    layouts = set()
    for path in files:
        report, rows, _ = load_and_reconcile("salford", path, "Net", tmp_path, config_dir)
        assert report.passed, report.summary()
        assert rows["supplier_name"].notna().all() and rows["payment_date"].notna().all()
        layouts.add(tuple(sorted(rows.columns)))
    assert len(layouts) == 1  # both header versions map onto the same canonical columns


@pytest.mark.parametrize(
    "council, partner", [("bolton", "bolton"), ("oldham", "oldham"), ("salford", "salford"), ("tameside", "tameside")]
)
def test_gm_2019_payments(real_data, tmp_path, config_dir, council, partner):
    path = real_data / "northwestopendata_gmca_2019" / f"{council}_2019.csv"
    report, rows, quarantine = load_and_reconcile(partner, path, "amount", tmp_path, config_dir)
    assert rows["payment_date"].min().year == 2019
    assert rows["company_number"].notna().any()
    # Rows that cannot be used are named with their file row and reason, never dropped.
    for _, row in quarantine.iterrows():
        assert row["checks"] and row["source_row_number"] >= 2
    if council == "tameside":  # two payments in the published file carry no payee name
        assert quarantine["checks"].tolist() == ["supplier_named", "supplier_named"]


def test_trafford_full_year_2024_25_zipped(real_data, tmp_path, config_dir):
    path = real_data / "trafford" / "supplier_spend" / "trafford-supplier-spend-2024-25.zip"
    report, rows, _ = load_and_reconcile("trafford", path, "Amount", tmp_path, config_dir)
    assert report.rows_in == 210_068
    redacted_share = rows["is_redacted"].mean()
    assert 0.10 < redacted_share < 0.25  # PROVENANCE.md: about 16% of rows are "Redacted"
    assert (rows["amount_pence"] < 0).mean() > 0.05  # credits are kept, not dropped


def test_salford_2019_files_from_two_publishers_cannot_both_feed_one_partner(real_data, tmp_path, config_dir):
    landing = tmp_path / "landing" / "salford" / "spend"
    landing.mkdir(parents=True)
    for name in ("2019-04.csv",):
        deliver(real_data / "odileeds_council_spending" / "salford" / "clean" / name, landing / name)
    deliver(real_data / "northwestopendata_gmca_2019" / "salford_2019.csv", landing / "salford_2019.csv")
    scan = scan_landing(tmp_path / "landing", load_registry(config_dir))
    assert len(scan.files) == 1
    assert "counted twice" in scan.problems[0].message
