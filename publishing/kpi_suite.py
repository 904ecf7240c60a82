"""Great Expectations suites every published table must pass before publication.

Each table's suite is declared with the table, in its marts yml entry (meta.published.gx, read
through publishing/declared.py): its key, the feed whose rows make an empty table a defect, its
rule-version column, its percentage and non-negative columns. Every published table has one; the
columns it publishes are checked against the contract declared there.
"""

from __future__ import annotations

import pandas as pd

from ingestion.manifest import LoadManifest
from ingestion.validate import BLOCKING, ROW_ID, CheckResult, Expectation, gx, run_suite
from publishing.declared import declared


def kpi_suite(table: str, expect_rows: bool = True) -> list[Expectation]:
    declaration = declared().tables[table]
    spec = declaration.gx
    E = gx.expectations
    fix = f"a pipeline defect, not a feed problem: inspect {table} in the working warehouse"
    suite = []
    # an empty table is a defect only if its feed has rows (a partnership that sends no bids yet
    # has, rightly, no bid KPIs); a table declared without rows_from may be empty
    if spec.rows_from:
        suite.append(
            Expectation(
                f"{table}_has_rows",
                BLOCKING,
                f"{table} is empty although its {spec.rows_from} feed has rows",
                fix,
                E.ExpectTableRowCountToBeBetween(min_value=1 if expect_rows else 0),
                row_level=False,
            )
        )
    keys = list(spec.keys)
    if keys:
        suite.append(
            Expectation(
                f"{table}_one_row_per_key",
                BLOCKING,
                f"more than one row per {', '.join(keys)}",
                fix,
                E.ExpectCompoundColumnsToBeUnique(column_list=keys)
                if len(keys) > 1
                else E.ExpectColumnValuesToBeUnique(column=keys[0]),
            )
        )
    if spec.rule_version:
        suite.append(
            Expectation(
                f"{table}_rule_version_present",
                BLOCKING,
                f"a row carries no {spec.rule_version}",
                fix,
                E.ExpectColumnValuesToNotBeNull(column=spec.rule_version),
            )
        )
    if "financial_year" in keys:
        suite.append(
            Expectation(
                f"{table}_financial_year_format",
                BLOCKING,
                "financial_year is not like 2020/21",
                fix,
                E.ExpectColumnValuesToMatchRegex(column="financial_year", regex=r"^\d{4}/\d{2}$"),
            )
        )
        if "reporting_unit_type" in declaration.columns:
            suite.append(
                Expectation(
                    f"{table}_unit_type_known",
                    BLOCKING,
                    "reporting_unit_type is not partner or group",
                    fix,
                    E.ExpectColumnValuesToBeInSet(column="reporting_unit_type", value_set=["partner", "group"]),
                )
            )
    for column in spec.percentages:
        suite.append(
            Expectation(
                f"{table}_{column}_in_range",
                BLOCKING,
                f"{column} outside 0-100",
                fix,
                E.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=100),
            )
        )
    for column in spec.non_negative:
        suite.append(
            Expectation(
                f"{table}_{column}_non_negative",
                BLOCKING,
                f"{column} is negative",
                fix,
                E.ExpectColumnValuesToBeBetween(column=column, min_value=0),
            )
        )
    return suite


def feeds_with_rows(manifests: list[LoadManifest]) -> set[str]:
    return {m.feed for m in manifests if m.rows_loaded}


def expects_rows(table: str, manifests: list[LoadManifest]) -> bool:
    """Whether the table must have rows: its declared feed (rows_from) loaded some."""
    feed = declared().tables[table].gx.rows_from
    return feed is not None and feed in feeds_with_rows(manifests)


def suite_columns(table: str, expect_rows: bool = True) -> list[str]:
    """The columns the table's suite reads, in contract order: all a reader of the mart needs to
    load. fct_spend at GM scale is ~10M rows of some forty columns; the suite reads a handful, and
    loading the rest into pandas cost most of a 10M-row run's memory."""
    read = set()
    for expectation in kpi_suite(table, expect_rows):
        check = expectation.gx_expectation
        read |= {getattr(check, "column", None), *(getattr(check, "column_list", None) or [])}
    return [c for c in declared().tables[table].columns if c in read]


def validate_kpi(
    table: str, frame: pd.DataFrame, expect_rows: bool = True, columns: list[str] | None = None
) -> list[CheckResult]:
    """Run the table's suite on the mart as it would be published; row numbers are 1-based.

    `frame` may hold only suite_columns(table) when `columns` names every column the mart has, in
    its order: that list is what the contract check compares. A mart too large to hold whole is
    validated a part at a time by publishing.mart_validation, with the same checks."""
    results, _ = run_suite(typed_for_suite(frame), kpi_suite(table, expect_rows), table)
    return with_contract_check(table, results, list(frame.columns) if columns is None else list(columns), len(frame))


def typed_for_suite(frame: pd.DataFrame, positions=None) -> pd.DataFrame:
    """Money and percentages as floats for GX's range checks (DuckDB gives DECIMAL as Python
    Decimal objects), and each row's 1-based position in the mart as the row number failures name:
    `positions` when the frame is a part of the mart, else the frame's own order."""
    typed = frame.copy()
    for column in typed.columns:
        if column.endswith(("_gbp", "_pct")):
            typed[column] = typed[column].astype(float)
    typed[ROW_ID] = range(1, len(typed) + 1) if positions is None else positions
    return typed


def with_contract_check(table: str, results: list[CheckResult], columns: list[str], rows: int) -> list[CheckResult]:
    """The suite's results after the check that the mart's columns are the published contract's,
    each marked as coming from this table's GX suite."""
    contract = list(declared().tables[table].columns)
    ok = columns == contract
    results = [
        CheckResult(
            check=f"{table}_columns_match_contract",
            severity=BLOCKING,
            success=ok,
            reason="columns match the published contract"
            if ok
            else f"{table} columns differ from the published contract: {columns} is not {contract}",
            fix="a pipeline defect: the published contract is fixed (BI tools depend on it)",
            rows_checked=rows,
        ),
        *results,
    ]
    for r in results:
        r.source = f"great_expectations:{table}"
    return results
