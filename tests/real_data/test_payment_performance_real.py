"""Trafford's and Salford's published regulation 113 payment performance load as the payment_summary feed
(landing -> mapping -> GX -> quarantine), every row loaded or quarantined with its reason, and the figures
read back equal the files read the plain way (csv module + Decimal)."""

import csv
import io
from decimal import Decimal

import pandas as pd
import pytest

from ingestion.landing import LandedFile, match_layout
from ingestion.load import load_file
from ingestion.raw_store import partition_dir
from ingestion.registry import load_registry, load_rules

from .helpers import csv_text, deliver

pytestmark = pytest.mark.real_data

TRAFFORD = ("trafford", "prompt_payment", "prompt_payment.csv")
SALFORD = ("gm_reference_2025", "payment_practices", "salford_reg113_payment_performance_from_web_page.csv")


def _load(partner, source, tmp_path, config_dir):
    landing = tmp_path / "landing" / partner / "payment_summary"
    landing.mkdir(parents=True)
    path = landing / source.name
    deliver(source, path)
    config, period = match_layout(load_registry(config_dir).layouts(partner, "payment_summary"), path)
    raw = tmp_path / "raw"
    report = load_file(LandedFile(partner, "payment_summary", period, path, config), load_rules(config_dir), raw)
    folder = partition_dir(raw, "payment_summary", partner, period.key)
    return report, pd.read_parquet(folder / "rows.parquet"), pd.read_parquet(folder / "quarantine.parquet")


def _money(text: str) -> int:
    return int(Decimal(text.replace("£", "").replace(",", "")) * 100)


def test_trafford_prompt_payment_loads_every_year(real_data, tmp_path, config_dir):
    source = real_data.joinpath(*TRAFFORD)
    report, rows, quarantine = _load("trafford", source, tmp_path, config_dir)
    plain = list(csv.DictReader(io.StringIO(csv_text(source))))
    assert report.passed and report.rows_in == len(plain) == len(rows) + len(quarantine)
    assert quarantine.empty, quarantine[["source_row_number", "reason"]].to_string()
    got = rows.set_index("financial_year")
    for r in plain:
        row = got.loc[r["FinancialYear"]]
        assert row["pct_paid_within_30_days"] == pytest.approx(float(r["ProportionPaidOnTime"]))
        assert row["interest_paid_pence"] == _money(r["InterestPaid"])
        assert row["interest_liable_pence"] == _money(r["LiableInterest"])
        assert row["invoices_paid_late"] == int(r["NumberNotPaidOnTime"])
        assert str(row["period_end"]) == r["EffectiveDate"]
    assert sorted(got.index) == [f"{y}/{(y + 1) % 100:02d}" for y in range(2017, 2025)]
    # Trafford publishes no average days to pay and no count of invoices paid: unknown, not zero
    assert rows["avg_days_to_pay"].isna().all() and rows["invoices_paid"].isna().all()


def test_salford_reg113_page_loads_every_year(real_data, tmp_path, config_dir):
    source = real_data.joinpath(*SALFORD)
    report, rows, quarantine = _load("salford", source, tmp_path, config_dir)
    plain = list(csv.DictReader(io.StringIO(csv_text(source))))
    assert report.passed and report.rows_in == len(plain) == len(rows) + len(quarantine)
    assert quarantine.empty, quarantine[["source_row_number", "reason"]].to_string()
    got = rows.set_index("financial_year")
    for r in plain:
        row = got.loc[r["financial_year"]]
        pct = r["pct_valid_undisputed_invoices_paid_within_30_days"].rstrip("%")
        assert row["pct_paid_within_30_days"] == pytest.approx(float(pct))
        assert row["interest_paid_pence"] == _money(r["interest_paid_due_to_breach"])
        assert row["interest_liable_pence"] == _money(r["interest_liable_due_to_breach"])
    assert got.loc["2019/20", "pct_paid_within_30_days"] == pytest.approx(92.60)
    assert got.loc["2021/22", "interest_liable_pence"] == 241_514_00


def test_a_bad_summary_row_is_quarantined_with_its_reason(real_data, tmp_path, config_dir):
    """The same real layout with one year's share mistyped (952.3) and one year repeated: those rows
    are quarantined with the check that failed, the others load."""
    source = real_data.joinpath(*TRAFFORD)
    lines = csv_text(source).splitlines()
    lines[2] = lines[2].replace(",87.62,", ",952.3,")
    lines.append(lines[1])
    broken = tmp_path / "src" / "prompt_payment.csv"
    broken.parent.mkdir()
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, rows, quarantine = _load("trafford", broken, tmp_path, config_dir)
    assert report.rows_in == 9 == len(rows) + len(quarantine)
    assert not report.passed  # a blocking check failed: the file does not reach a figure
    reasons = dict(zip(quarantine["source_row_number"], quarantine["checks"], strict=True))
    assert reasons == {3: "pct_in_range", 10: "year_unique"}
