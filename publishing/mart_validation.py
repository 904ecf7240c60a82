"""A published mart's Great Expectations suite, run on the working warehouse's table.

GX validates pandas frames held whole (ingestion/validate.py). A mart up to ROWS_PER_PART rows is
read whole; a larger one (fct_spend at GM scale is ~10M rows) is read a part at a time, split by a
hash of its key so that rows with equal keys meet in one part, and the parts' results are added up
(validate.run_suite_in_parts). Whole or in parts, the checks and their answers are the same; only
the memory differs: at 10M rows the whole read held 5 GB for a one-column suite.

Table and column names come from the marts yml declarations only (publishing/declared.py), never
from input.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from ingestion.validate import CheckResult, run_suite_in_parts
from publishing.declared import declared
from publishing.kpi_suite import kpi_suite, suite_columns, typed_for_suite, validate_kpi, with_contract_check

# Rows GX is handed at once. fct_spend at 10M rows (benchmarks/mart_validation.py): whole 29 s and
# 5.2 GB; 2M a part 33 s and 1.7 GB; 1M 40 s and 1.1 GB.
ROWS_PER_PART = 2_000_000

_POSITION = "svw_position_in_mart"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [d[0] for d in con.execute(f"select * from {_quoted(table)} limit 0").description]


def _suite_selection(table: str, present: list[str], expect_rows: bool) -> str:
    wanted = [c for c in suite_columns(table, expect_rows) if c in present] or present[:1]
    return ", ".join(_quoted(c) for c in wanted)


def read_mart(warehouse_path: Path, table: str, expect_rows: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """The columns of the mart its suite reads (kpi_suite.suite_columns), whole, and the names of all
    the mart's columns for the contract check."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        present = _columns(con, table)
        selected = _suite_selection(table, present, expect_rows)
        return con.execute(f"select {selected} from {_quoted(table)}").df(), present


def validate_mart(
    warehouse_path: Path, table: str, expect_rows: bool = True, rows_per_part: int = ROWS_PER_PART
) -> list[CheckResult]:
    """The table's suite and contract check (as kpi_suite.validate_kpi gives them), reading at most
    about `rows_per_part` rows at a time."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        present = _columns(con, table)
        (rows,) = con.execute(f"select count(*) from {_quoted(table)}").fetchall()[0]
        parts = max(1, math.ceil(rows / rows_per_part))
        selected = _suite_selection(table, present, expect_rows)
        if parts == 1:
            frame = con.execute(f"select {selected} from {_quoted(table)}").df()
            return validate_kpi(table, frame, expect_rows, present)
        results = run_suite_in_parts(
            _parts(con, table, selected, present, parts), rows, kpi_suite(table, expect_rows), table
        )
    return with_contract_check(table, results, present, rows)


def _parts(
    con: duckdb.DuckDBPyConnection, table: str, selected: str, present: list[str], parts: int
) -> Iterator[pd.DataFrame]:
    """The mart in `parts` frames by a hash of its declared key (by position when it has none), each
    row numbered by its position in the table (rowid: the marts are tables, and position is the
    order a whole read gives)."""
    keys = [c for c in declared().tables[table].gx.keys if c in present]
    part_of = f"hash({', '.join(_quoted(k) for k in keys)})" if keys else "rowid"
    for part in range(parts):
        # The two numbers are written into the query, not bound: with them as parameters DuckDB
        # took 1.8 s a part of fct_spend at 10M rows, 0.45 s with them as literals. Both are ints
        # this function counts, never input.
        frame = con.execute(
            f"select {selected}, rowid + 1 as {_POSITION} from {_quoted(table)} "
            f"where {part_of} % {int(parts)} = {int(part)}"
        ).df()
        yield typed_for_suite(frame.drop(columns=[_POSITION]), positions=frame[_POSITION].to_numpy())
