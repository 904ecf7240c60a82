"""The money checks read payment dates through money_checks._datetimes, which casts Arrow dates in
Arrow rather than through Python date objects. Its answer must be the slow path's, missing dates
and dates far outside pandas' nanosecond range included."""

import datetime as dt

import pandas as pd
import pyarrow as pa

from ingestion import money_checks

DATES = [dt.date(2024, 4, 1), None, dt.date(1900, 1, 1), dt.date(9999, 12, 31), dt.date(2025, 3, 31)]


def _slow(values: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.Series(values.to_numpy(), index=values.index))


def test_arrow_dates_read_as_the_slow_path_reads_them():
    values = pd.Series(pd.array(pa.array(DATES, pa.date32()), dtype=pd.ArrowDtype(pa.date32())), index=range(10, 15))
    fast = money_checks._datetimes(values)
    slow = _slow(values)
    assert list(fast.index) == list(slow.index)
    assert fast.isna().tolist() == slow.isna().tolist() == [False, True, False, False, False]
    assert fast.dt.strftime("%Y-%m-%d").tolist() == slow.dt.strftime("%Y-%m-%d").tolist()
    assert fast[fast.notna()].tolist() == slow[slow.notna()].tolist()


def test_other_columns_take_the_general_path():
    values = pd.Series(["2024-04-01", None, "2025-03-31"], dtype="object")
    assert money_checks._datetimes(values).equals(_slow(values))
