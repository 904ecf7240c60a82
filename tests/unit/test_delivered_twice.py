"""The cross-period check (money_checks.delivered_twice) on partitions written here, row by row.

It reads the partner's other months through a date-bounded scan: these pin that the bound is
inclusive at both ends, that a date outside this file's dates never makes a repeat, and that a row
without a transaction key repeats nothing, whatever the other months hold."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa

from ingestion import raw_store
from ingestion.load import SPEND_SCHEMA
from ingestion.money_checks import delivered_twice
from ingestion.validate import ROW_ID
from tests.factories import load_record

PARTNER = "stockport"


def _write_month(raw_dir, period: str, lines: list[tuple[str, date, int, str | None]]) -> None:
    """A loaded, passed partition of (reference, date, pence, payee) lines."""
    n = len(lines)
    columns = {name: [None] * n for name in SPEND_SCHEMA.names}
    columns.update(
        partner_code=[PARTNER] * n,
        period=[period] * n,
        transaction_ref=[line[0] for line in lines],
        payment_date=[line[1] for line in lines],
        amount_pence=[line[2] for line in lines],
        supplier_name=[line[3] for line in lines],
        is_redacted=[False] * n,
        source_file=[f"{PARTNER}/spend/{period}.csv"] * n,
        source_row_number=list(range(2, n + 2)),
    )
    rows = pa.table(columns, schema=SPEND_SCHEMA)
    manifest = load_record(partner=PARTNER, period=period, load_id=f"load-{period}", source_file=f"{period}.csv")
    raw_store.write_partition(
        raw_dir, "spend", PARTNER, period, rows, raw_store.QUARANTINE_SCHEMA.empty_table(), manifest
    )


def _prepared(lines: list[tuple[str | None, date | None, int, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            ROW_ID: list(range(2, len(lines) + 2)),
            "transaction_ref": pd.array([line[0] for line in lines], dtype="string"),
            "payment_date": pd.to_datetime(pd.Series([line[1] for line in lines])),
            "amount_pence": pd.array([line[2] for line in lines], dtype="Int64"),
            "supplier_name": pd.array([line[3] for line in lines], dtype="string"),
        }
    )


def test_repeats_on_the_first_and_last_dates_are_found_and_other_dates_are_not(tmp_path):
    _write_month(
        tmp_path,
        "2019-04",
        [
            ("T1", date(2019, 4, 30), 1000, "Acme Ltd"),  # repeated on this file's first date
            ("T2", date(2019, 5, 31), 2000, "Acme Ltd"),  # repeated on its last date (stored in April's file)
            ("T3", date(2019, 4, 29), 3000, "Acme Ltd"),  # same reference, amount, payee; the day before
            ("T4", date(2019, 5, 15), 4000, "Acme Ltd"),  # a date inside, but another amount
        ],
    )
    prepared = _prepared(
        [
            ("T1", date(2019, 4, 30), 1000, "ACME LTD "),
            ("T2", date(2019, 5, 31), 2000, "Acme Ltd"),
            ("T3", date(2019, 5, 2), 3000, "Acme Ltd"),
            ("T4", date(2019, 5, 15), 4001, "Acme Ltd"),
            (" T1 ", date(2019, 5, 10), 1000, "Acme Ltd"),
        ]
    )
    result, rows = delivered_twice(prepared, tmp_path, PARTNER, "2019-05")
    assert rows == [2, 3]
    assert not result.success and result.failing_rows == 2
    assert "already loaded from stockport/spend/2019-04.csv (2019-04)" in result.reason


def test_a_row_without_a_transaction_key_repeats_nothing(tmp_path):
    # another month holds a line whose payee is missing (no load writes one: the belt is at this boundary)
    _write_month(tmp_path, "2019-04", [("T9", date(2019, 5, 20), 500, None)])
    prepared = _prepared([("T9", date(2019, 5, 20), 700, None), ("T9", None, 500, "Acme Ltd")])
    result, rows = delivered_twice(prepared, tmp_path, PARTNER, "2019-05")
    assert rows == [] and result.success


def test_the_files_own_partition_is_not_another_period(tmp_path):
    _write_month(tmp_path, "2019-05", [("T1", date(2019, 5, 3), 500, "Acme Ltd")])
    result, rows = delivered_twice(_prepared([("T1", date(2019, 5, 3), 500, "Acme Ltd")]), tmp_path, PARTNER, "2019-05")
    assert rows == [] and result.success
