"""Issue 17's feed checks (ingestion/feed_checks.py): rows that break a rule between values are
quarantined with the check's reason; good rows load."""

import pytest

from ingestion.feed_checks import dimension_code, financial_year_text
from ingestion.landing import LandedFile, match_layout
from ingestion.load import load_file
from ingestion.raw_store import partition_dir
from ingestion.registry import load_registry, load_rules


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2019/20", "2019/20"),
        ("2019-20", "2019/20"),
        (" 2019/2020 ", "2019/20"),
        ("1999/00", "1999/00"),
        ("2019/22", None),
        ("2019", None),
        ("FY19", None),
        (None, None),
    ],
)
def test_financial_year_text(given, expected):
    assert financial_year_text(given) == expected


def test_dimension_code():
    assert dimension_code("Leadership and governance") == "leadership_and_governance"
    assert dimension_code(" policy_and_strategy ") == "policy_and_strategy"
    assert dimension_code("") is None


def _load(tmp_path, config_dir, partner, feed, name, text):
    import pandas as pd

    path = tmp_path / "landing" / partner / feed / name
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    config, period = match_layout(load_registry(config_dir).layouts(partner, feed), path)
    report = load_file(LandedFile(partner, feed, period, path, config), load_rules(config_dir), tmp_path / "raw")
    folder = partition_dir(tmp_path / "raw", feed, partner, period.key)
    quarantine = pd.read_parquet(folder / "quarantine.parquet")
    return (
        report,
        pd.read_parquet(folder / "rows.parquet"),
        dict(zip(quarantine["source_row_number"], quarantine["checks"])),
    )


def test_invoice_checks(tmp_path, config_dir):
    header = (
        "Invoice Number,Supplier ID,Supplier,Date Received,Date Paid,Invoice Amount,Disputed?,Late Payment Interest\n"
    )
    rows = (
        "INV1,S1,Acme Ltd,01/04/2020,20/04/2020,100.00,No,\n"
        "INV2,S1,Acme Ltd,20/04/2020,01/04/2020,100.00,No,\n"  # paid before received
        "INV3,S1,Acme Ltd,01/04/2020,20/04/2020,-5.00,No,\n"  # a credit note
        "INV1,S1,Acme Ltd,01/04/2020,20/04/2020,100.00,No,\n"  # repeated
        "INV5,S1,Acme Ltd,01/04/2020,20/06/2020,100.00,No,-1\n"  # negative interest
    )
    report, rows_, bad = _load(
        tmp_path, config_dir, "stockport", "invoices", "STAR_invoices_stockport.csv", header + rows
    )
    assert len(rows_) == 1 and report.rows_in == 5
    assert bad == {
        3: "paid_on_or_after_received",
        4: "amount_positive",
        5: "invoice_ref_unique",
        6: "interest_not_negative",
    }


def test_svmi_checks(tmp_path, config_dir):
    text = (
        "Year,Dimension,Score,Assessed On,Assessed By\n"
        "2020/21,Leadership and governance,3.5,15/03/2021,lead\n"
        "2020/21,Vibes,3,15/03/2021,lead\n"  # not a dimension of the index
        "2020/21,Policy and strategy,7,15/03/2021,lead\n"  # off the 1-5 scale
        "2020/21,Leadership and governance,4,15/03/2021,lead\n"  # scored twice
        "20/21,Contract management,2,15/03/2021,lead\n"  # not a financial year
    )
    report, rows, bad = _load(tmp_path, config_dir, "stockport", "svmi", "STAR_svmi_stockport.csv", text)
    assert list(rows["dimension"]) == ["leadership_and_governance"] and not report.passed
    assert bad == {3: "dimension_known", 4: "score_in_range", 5: "score_unique", 6: "financial_year_readable"}


def test_survey_checks(tmp_path, config_dir):
    text = (
        "Contract Ref,Financial Year,Respondents,Pay to Local Staff,Staff Local Re-spend %,Local Sub-contractor Re-spend %\n"
        "C1,2020/21,10,1000.00,40,25\n"
        "C2,2020/21,10,1000.00,140,25\n"
        "C3,2020/21,10,-1000.00,40,25\n"
        "C1,2020-21,10,1000.00,40,25\n"
    )
    _, rows, bad = _load(tmp_path, config_dir, "stockport", "lm3_survey", "STAR_respend_survey_stockport.csv", text)
    assert len(rows) == 1
    assert bad == {3: "staff_respend_in_range", 4: "local_staff_pay_not_negative", 5: "return_unique"}
