"""Loading one file: accounting, quarantine, idempotency, replacement, layout errors."""

import json

import pandas as pd
import pyarrow.parquet as pq

from ingestion import raw_store
from ingestion.landing import scan_landing
from ingestion.load import load_file
from ingestion.registry import load_registry, load_rules

HEADER = "Department,Service Area,Expense Type,Date Paid,Transaction Number,Supplier Name,Supplier ID,Amount\n"


def land(workspace, name, rows, header=HEADER):
    folder = workspace.landing / "stockport" / "spend"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(header + "".join(rows), encoding="utf-8")
    return folder / name


def load_one(workspace, config_dir, name):
    registry = load_registry(config_dir)
    scan = scan_landing(workspace.landing, registry)
    landed = next(f for f in scan.files if f.path.name == name)
    return load_file(landed, load_rules(config_dir), workspace.raw)


GOOD = [
    'People,Adult Care,Fees,01/04/2019,1,Acme Ltd,S1," 1,000.00 "\n',
    "People,Adult Care,Fees,02/04/2019,2,*Redact - Personal Information,,£25.00\n",
    "People,Adult Care,Fees,03/04/2019,3,Acme Ltd,S1,-£51.46\n",
]


def test_rows_loaded_with_lineage_and_totals(workspace, config_dir):
    land(workspace, "stockport_spend_2019-04.csv", GOOD)
    report = load_one(workspace, config_dir, "stockport_spend_2019-04.csv")
    assert report.passed and (report.rows_in, report.rows_loaded, report.rows_quarantined) == (3, 3, 0)
    assert report.loaded_amount_pence == 100000 + 2500 - 5146
    rows = pq.read_table(
        raw_store.partition_dir(workspace.raw, "spend", "stockport", "2019-04") / "rows.parquet"
    ).to_pandas()
    assert rows["source_row_number"].tolist() == [2, 3, 4]
    assert rows["is_redacted"].tolist() == [False, True, False]
    assert rows["source_file_hash"].nunique() == 1 and rows["load_id"].notna().all()


def test_bad_rows_quarantined_with_reason_and_file_fails(workspace, config_dir):
    land(
        workspace,
        "stockport_spend_2019-05.csv",
        GOOD
        + [
            "People,Adult Care,Fees,04/05/2019,4,Beta Ltd,S2,12x.00\n",
            "People,Adult Care,Fees,31/13/2019,5,Beta Ltd,S2,10.00\n",
        ],
    )
    report = load_one(workspace, config_dir, "stockport_spend_2019-05.csv")
    assert not report.passed
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (5, 3, 2)
    failed = {c.check: c for c in report.checks if not c.success}
    assert failed["amount_readable"].example_rows == [5]
    assert failed["payment_date_readable"].example_rows == [6]
    quarantine = pq.read_table(
        raw_store.partition_dir(workspace.raw, "spend", "stockport", "2019-05") / "quarantine.parquet"
    ).to_pandas()
    assert quarantine["source_row_number"].tolist() == [5, 6]
    assert "not a number" in quarantine.loc[0, "reason"] and "1234.56" in quarantine.loc[0, "fix"]
    assert json.loads(quarantine.loc[0, "raw_record"])["Amount"] == "12x.00"


def test_reloading_the_same_file_is_a_no_op(workspace, config_dir):
    land(workspace, "stockport_spend_2019-04.csv", GOOD)
    first = load_one(workspace, config_dir, "stockport_spend_2019-04.csv")
    second = load_one(workspace, config_dir, "stockport_spend_2019-04.csv")
    assert second.status == "unchanged" and second.load_id == first.load_id


def test_a_corrected_file_replaces_the_partition(workspace, config_dir):
    land(workspace, "stockport_spend_2019-04.csv", GOOD + ["People,X,Y,05/04/2019,9,Gamma,S3,bad\n"])
    first = load_one(workspace, config_dir, "stockport_spend_2019-04.csv")
    assert first.rows_quarantined == 1
    land(workspace, "stockport_spend_2019-04.csv", GOOD + ["People,X,Y,05/04/2019,9,Gamma,S3,9.99\n"])
    second = load_one(workspace, config_dir, "stockport_spend_2019-04.csv")
    assert second.status == "loaded" and second.passed and second.load_id != first.load_id
    folder = raw_store.partition_dir(workspace.raw, "spend", "stockport", "2019-04")
    assert len(pd.read_parquet(folder / "rows.parquet")) == 4
    assert len(pd.read_parquet(folder / "quarantine.parquet")) == 0
    assert not any((workspace.raw / "_staging").iterdir())


def test_unknown_layout_quarantines_every_row_and_says_what_to_fix(workspace, config_dir):
    land(workspace, "stockport_spend_2019-06.csv", ["a,b,c\n", "d,e,f\n"], header="When,Who,How much\n")
    report = load_one(workspace, config_dir, "stockport_spend_2019-06.csv")
    assert not report.passed and (report.rows_loaded, report.rows_quarantined) == (0, 2)
    layout = report.checks[0]
    assert layout.check == "file_layout"
    assert "'amount_gbp'" in layout.reason and "'When'" in layout.reason
    assert "config/partners.yml" in layout.fix


def test_landing_problems_are_reported_not_ignored(workspace, config_dir):
    land(workspace, "stockport spend April.csv", GOOD)
    (workspace.landing / "wigan").mkdir()
    problems = scan_landing(workspace.landing, load_registry(config_dir)).problems
    messages = " ".join(p.message for p in problems)
    assert "does not match" in messages and "'wigan' is not a partner" in messages
