"""GX's range check is handed a nullable integer column as float64 (ingestion/validate.py
_columns_for_gx), which it compares in one pass instead of value by value. The answers must be the
ones the integers give: the same rows failing at the bounds, missing values still missing, and a
column holding integers a float cannot hold exactly left as it was."""

import pandas as pd
import pytest

from ingestion import validate
from ingestion.validate import BLOCKING, ROW_ID, Expectation, gx, run_suite

BOUND = 5_000_000_000


def _suite() -> list[Expectation]:
    return [
        Expectation(
            "amount_readable",
            BLOCKING,
            "missing",
            "fix",
            gx.expectations.ExpectColumnValuesToNotBeNull(column="amount_pence"),
        ),
        Expectation(
            "amount_plausible",
            BLOCKING,
            "too large",
            "fix",
            gx.expectations.ExpectColumnValuesToBeBetween(column="amount_pence", min_value=-BOUND, max_value=BOUND),
        ),
    ]


def _frame(values: list[int | None], dtype: str) -> pd.DataFrame:
    return pd.DataFrame(
        {ROW_ID: range(2, len(values) + 2), "amount_pence": pd.array(values, dtype=dtype)},
    )


VALUES = [0, BOUND, -BOUND, BOUND + 1, -BOUND - 1, None, 151_924, 2**53, -(2**53), 2**53 + 1, 10**18]


def _outcome(frame: pd.DataFrame) -> list[tuple]:
    results, bad_rows = run_suite(frame, _suite(), "ranged")
    return [(r.check, r.success, r.failing_rows, r.rows_checked, r.example_rows) for r in results] + [bad_rows.keys()]


@pytest.mark.parametrize("dtype", ["Int64", "int64[pyarrow]"])
@pytest.mark.parametrize(
    "values",
    [VALUES[:7], VALUES[:9], VALUES],
    ids=["within float precision", "at 2**53", "beyond float precision"],
)
def test_a_range_check_answers_as_the_integers_do(monkeypatch, dtype, values):
    as_floats = _outcome(_frame(values, dtype))
    monkeypatch.setattr(validate, "_ranged_integer_columns", lambda expectations: set())
    as_handed = _outcome(_frame(values, dtype))
    assert as_floats == as_handed
    failing = {check: rows for check, _, _, _, rows in as_floats[:2]}
    assert failing["amount_readable"] == [values.index(None) + 2]
    out_of_range = [i + 2 for i, v in enumerate(values) if v is not None and abs(v) > BOUND]
    assert failing["amount_plausible"] == out_of_range


def test_floats_only_where_every_value_is_exact():
    within = validate._columns_for_gx(_frame(VALUES[:9], "Int64"), _suite())
    beyond = validate._columns_for_gx(_frame(VALUES, "Int64"), _suite())
    assert str(within["amount_pence"].dtype) == "float64"
    assert str(beyond["amount_pence"].dtype) == "Int64"
    assert within[ROW_ID].dtype == "int64"


def test_a_column_another_kind_of_check_reads_is_left_as_it_is():
    suite = [
        *_suite(),
        Expectation(
            "amount_unique",
            BLOCKING,
            "repeated",
            "fix",
            gx.expectations.ExpectColumnValuesToBeUnique(column="amount_pence"),
        ),
    ]
    assert validate._ranged_integer_columns(suite) == set()
    assert validate._ranged_integer_columns(_suite()) == {"amount_pence"}
