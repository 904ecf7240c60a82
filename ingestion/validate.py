"""Great Expectations suites for feed files, and what their results mean for each row.

A suite is the single source of truth for a file: its row-level *blocking* expectations decide
which rows go to quarantine (with the expectation's reason and fix), and its overall result decides
whether the file may reach a published figure. *Warning* expectations are reported, never block.
Suites are kept here as code so that they are reviewed like code; GX runs on pandas (GX has no
working DuckDB datasource on our stack, see engineering notes).
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
import great_expectations as gx  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.execution_engine import pandas_execution_engine  # noqa: E402

logging.getLogger("great_expectations").setLevel(logging.WARNING)

# GX fingerprints every pandas batch smaller than HASH_THRESHOLD bytes (an md5 over every value,
# hashed one by one) only to label the batch in its result metadata, which nothing here reads. A
# batch is fetched twice per validation, so on fct_spend at 10M rows the fingerprints were 15 s of
# the mart suite's 41 s (benchmarks/mart_validation.py). A threshold of 0 fingerprints no batch;
# tests/unit/test_gx_batch_fingerprint.py fails if a GX upgrade moves or renames the setting.
pandas_execution_engine.HASH_THRESHOLD = 0

BLOCKING = "blocking"
WARNING = "warning"
# Row-level: the rows are set aside (quarantined with the reason) but the file does not fail:
# they are not this feed's rows (e.g. tender notices in an awards export).
EXCLUDE = "exclude"
ROW_ID = "source_row_number"
MAX_ROWS_LISTED = 20


@dataclass
class CheckResult:
    """One check's outcome, in the words a partner's data lead needs to fix it."""

    check: str
    severity: str
    success: bool
    reason: str
    fix: str
    failing_rows: int = 0
    rows_checked: int = 0
    example_rows: list[int] = field(default_factory=list)
    source: str = "great_expectations"

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        if self.success and not self.failing_rows:
            return f"PASS {self.check}"
        rows = ", ".join(str(r) for r in self.example_rows[:10])
        more = "" if self.failing_rows <= 10 else f" and {self.failing_rows - 10} more"
        status = "WARN" if self.severity in (WARNING, EXCLUDE) or self.success else "FAIL"
        where = f" at row(s) {rows}{more}" if rows else ""
        within = (
            " (within the feed's tolerance; these rows are quarantined)"
            if self.severity == BLOCKING and self.success
            else ""
        )
        return f"{status} {self.check} [{self.severity}]: {self.reason}{where}{within}. Fix: {self.fix}"


@dataclass
class Expectation:
    check: str
    severity: str
    reason: str
    fix: str
    gx_expectation: gx.expectations.Expectation
    row_level: bool = True


def file_has_rows() -> Expectation:
    return Expectation(
        "file_has_rows",
        BLOCKING,
        "the file has no data rows",
        "check that the export is not empty and the header row is present",
        gx.expectations.ExpectTableRowCountToBeBetween(min_value=1),
        row_level=False,
    )


def spend_suite(tolerance_pct: float, max_abs_pence: int, date_format: str) -> list[Expectation]:
    mostly = 1.0 - tolerance_pct / 100.0
    E = gx.expectations
    return [
        file_has_rows(),
        Expectation(
            "amount_readable",
            BLOCKING,
            "amount is missing or not a number",
            "write amounts as numbers, e.g. 1234.56, £1,234.56, -51.46 or (51.46)",
            E.ExpectColumnValuesToNotBeNull(column="amount_pence", mostly=mostly),
        ),
        Expectation(
            "amount_plausible",
            BLOCKING,
            f"amount is larger than £{max_abs_pence / 100:,.0f} either way",
            "check the amount for a typing slip; a genuine larger payment is accepted row by row in "
            "config/exceptions/<partner>.yml (see its README)",
            E.ExpectColumnValuesToBeBetween(
                column="amount_pence", min_value=-max_abs_pence, max_value=max_abs_pence, mostly=mostly
            ),
        ),
        Expectation(
            "payment_date_readable",
            BLOCKING,
            f"payment date is missing or not in the declared format {date_format!r}",
            f"write dates as {date_format!r} (e.g. {pd.Timestamp('2019-04-01').strftime(date_format)}) "
            "or change date_format in config/partners.yml if the whole file uses another",
            E.ExpectColumnValuesToNotBeNull(column="payment_date", mostly=mostly),
        ),
        Expectation(
            "supplier_named",
            BLOCKING,
            "supplier name is empty",
            "give the payee's name, or a redaction marker such as 'Redacted' for individuals",
            E.ExpectColumnValuesToNotBeNull(column="supplier_name", mostly=mostly),
        ),
        Expectation(
            "payment_date_in_declared_format",
            WARNING,
            f"payment date is not in the declared format {date_format!r} but was read as an "
            "ISO date or Excel serial number",
            "check date_format in config/partners.yml matches the file (these dates are unambiguous and were loaded)",
            E.ExpectColumnValuesToBeInSet(column="date_in_declared_format", value_set=[True]),
        ),
        Expectation(
            "payment_date_in_file_period",
            WARNING,
            "payment date lies outside the period named by the file",
            "check the file name's period; the row is loaded under its own date's financial year",
            E.ExpectColumnValuesToBeInSet(column="in_file_period", value_set=[True]),
        ),
    ]


def suppliers_suite(tolerance_pct: float) -> list[Expectation]:
    mostly = 1.0 - tolerance_pct / 100.0
    E = gx.expectations
    return [
        file_has_rows(),
        Expectation(
            "supplier_ref_present",
            BLOCKING,
            "supplier reference (vendor id) is empty",
            "every supplier needs the id that the spend ledger uses for it",
            E.ExpectColumnValuesToNotBeNull(column="supplier_ref", mostly=mostly),
        ),
        Expectation(
            "supplier_ref_unique",
            BLOCKING,
            "supplier reference appears again with different details (later rows quarantined)",
            "keep one row per supplier reference; give other addresses their own address_type row "
            "with a distinct reference, or correct the details",
            E.ExpectColumnValuesToBeInSet(column="is_repeat_ref", value_set=[False], mostly=mostly),
        ),
        Expectation(
            "supplier_named",
            BLOCKING,
            "supplier name is empty",
            "give the supplier's name",
            E.ExpectColumnValuesToNotBeNull(column="supplier_name", mostly=mostly),
        ),
        Expectation(
            "postcode_readable",
            WARNING,
            "postcode is not a UK postcode; the supplier's location will be unknown",
            "correct the postcode (e.g. SK1 3XE)",
            E.ExpectColumnValuesToBeInSet(column="postcode_readable", value_set=[True]),
        ),
    ]


@lru_cache(maxsize=1)
def _batch_definition():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("svw").add_dataframe_asset(name="frame")
    return asset.add_batch_definition_whole_dataframe("whole")


def row_condition_text(gx_expectation) -> str:
    """An expectation's row_condition as pandas query text ("" if none): GX keeps the text given
    to it inside a condition object."""
    condition = getattr(gx_expectation, "row_condition", None)
    if condition is None:
        return ""
    return condition if isinstance(condition, str) else str(getattr(condition, "pass_through_filter", condition))


# Integers a float64 holds exactly, so comparing them as floats gives the answers comparing them as
# integers gives.
_EXACT_IN_FLOAT = 2**53
# Expectations whose answer on an integer column is the same with the column as float64 (missing as NaN).
_NUMERIC_ONLY = (gx.expectations.ExpectColumnValuesToBeBetween, gx.expectations.ExpectColumnValuesToNotBeNull)


def _ranged_integer_columns(expectations: list[Expectation]) -> set[str]:
    """Columns a range check reads and nothing but range and missing-value checks read. GX's range
    check compares a nullable or Arrow-backed integer column one value at a time in Python (about
    45 ms on a 16,666-row month, on amount_pence); as float64 it takes one vectorised pass."""
    ranged = {
        e.gx_expectation.column
        for e in expectations
        if isinstance(e.gx_expectation, gx.expectations.ExpectColumnValuesToBeBetween)
    }
    others = {
        getattr(e.gx_expectation, "column", None)
        for e in expectations
        if not isinstance(e.gx_expectation, _NUMERIC_ONLY)
    }
    others |= {c for e in expectations for c in (getattr(e.gx_expectation, "column_list", None) or [])}
    return ranged - others - {ROW_ID}


def _exact_floats(values: pd.Series) -> pd.Series | None:
    """A nullable or Arrow-backed integer column as float64 (missing as NaN), when every value is
    exactly representable; None otherwise (or when it is not such a column)."""
    if isinstance(values.dtype, np.dtype) or not pd.api.types.is_integer_dtype(values.dtype):
        return None
    largest = values.abs().max()
    if not pd.isna(largest) and int(largest) > _EXACT_IN_FLOAT:
        return None
    return pd.Series(values.to_numpy(dtype="float64", na_value=np.nan), index=values.index)


def _columns_for_gx(frame: pd.DataFrame, expectations: list[Expectation]) -> pd.DataFrame:
    """Only the columns the suite reads, in the NumPy-backed dtypes GX's pandas checks are written
    for (on an Arrow-backed or nullable integer column its range check goes one value at a time, see
    _ranged_integer_columns); a column no expectation reads would be carried for nothing."""
    ranged = _ranged_integer_columns(expectations)
    wanted = {ROW_ID} | {getattr(e.gx_expectation, "column", None) for e in expectations}
    wanted |= {c for e in expectations for c in (getattr(e.gx_expectation, "column_list", None) or [])}
    # and the columns a row_condition reads (row kinds, rows accepted as exceptions)
    conditions = " ".join(row_condition_text(e.gx_expectation) for e in expectations)
    wanted |= set(re.findall(r"[A-Za-z_]\w*", conditions)) & set(frame.columns)
    subset = {}
    for column in frame.columns:
        if column not in wanted:
            continue
        values = frame[column]
        as_floats = _exact_floats(values) if column in ranged else None
        if as_floats is not None:
            values = as_floats
        elif isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_date(values.dtype.pyarrow_dtype):
            values = pd.Series(
                pc.cast(values.array._pa_array, pa.timestamp("s")).to_numpy(zero_copy_only=False), index=frame.index
            )
        elif isinstance(values.dtype, pd.ArrowDtype) or str(values.dtype) in ("str", "string"):
            values = pd.Series(values.to_numpy(dtype=object, na_value=None), index=frame.index)
        subset[column] = values
    return pd.DataFrame(subset, index=frame.index)


def run_suite(frame: pd.DataFrame, expectations: list[Expectation], suite_name: str):
    """Validate `frame` (which must carry source_row_number) and return (CheckResults, bad rows).

    bad rows: {source_row_number: [CheckResult of each failed blocking row check]}.
    """
    batch_definition = _batch_definition()  # creates the GX context the suite needs
    frame = _columns_for_gx(frame, expectations)
    suite = gx.ExpectationSuite(name=suite_name)
    for exp in expectations:
        suite.add_expectation(exp.gx_expectation)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result_format = {"result_format": "COMPLETE", "return_unexpected_index_query": False}
    if ROW_ID in frame.columns:
        result_format["unexpected_index_column_names"] = [ROW_ID]
    outcome = batch.validate(suite, result_format=result_format)
    results: list[CheckResult] = []
    bad_rows: dict[int, list[CheckResult]] = {}
    for exp, res in zip(expectations, _in_suite_order(expectations, outcome.results), strict=True):
        info = res.result or {}
        rows = sorted(
            int(item[ROW_ID])
            for item in info.get("unexpected_index_list") or []
            if isinstance(item, dict) and ROW_ID in item
        )
        raised = (res.exception_info or {}).get("raised_exception")
        check = CheckResult(
            check=exp.check,
            severity=exp.severity,
            success=bool(res.success) and not raised,
            reason=exp.reason
            if not raised
            else f"{exp.reason} (check could not run: {res.exception_info.get('exception_message')})",
            fix=exp.fix,
            failing_rows=len(rows),
            rows_checked=int(info.get("element_count") or len(frame)),
            example_rows=rows[:MAX_ROWS_LISTED],
        )
        results.append(check)
        if exp.row_level and exp.severity in (BLOCKING, EXCLUDE):
            for row in rows:
                bad_rows.setdefault(row, []).append(check)
    return results, bad_rows


def _config_key(config) -> str:
    """An expectation's type and arguments, without the batch GX adds to a result's copy."""
    kwargs = {k: v for k, v in config.to_json_dict()["kwargs"].items() if k != "batch_id"}
    return json.dumps([config.type, kwargs], sort_keys=True, default=str)


def _in_suite_order(expectations: list[Expectation], gx_results: list) -> list:
    """GX returns results grouped by column, not in the order the suite lists its expectations (two
    checks on one column with another between them come back swapped), so each result is matched
    back to its expectation by type and arguments; identical expectations have identical results."""
    remaining = list(gx_results)
    keys = [_config_key(r.expectation_config) for r in remaining]
    ordered = []
    for exp in expectations:
        index = keys.index(_config_key(exp.gx_expectation.configuration))
        ordered.append(remaining.pop(index))
        keys.pop(index)
    return ordered


def verdict(results: list[CheckResult]) -> bool:
    """A file passes when every blocking check passes (warnings are reported, never block)."""
    return all(r.success for r in results if r.severity == BLOCKING)


def run_suite_in_parts(parts, rows: int, expectations: list[Expectation], suite_name: str) -> list[CheckResult]:
    """The suite's results over a table read a part at a time: what run_suite would give on the
    whole table, with memory bounded by the largest part.

    GX validates a DataFrame held whole: on a 10M-row mart that cost 5 GB to check one column (3 GB
    once its batch fingerprint was switched off, above). `parts` are frames (each
    with source_row_number) that together hold every one of the table's `rows` rows once, and the
    caller puts rows with equal keys in the same part, so a uniqueness check within each part is the
    check over the table. Row-level results add up across parts. Table-level expectations (row
    counts) run once, on a frame of `rows` rows and no columns: they must not read a column, and a
    row-level one must not carry `mostly` (its threshold holds for the table, not for each part);
    either raises ValueError naming the check, rather than giving a different answer."""
    row_level = [e for e in expectations if e.row_level]
    table_level = [e for e in expectations if not e.row_level]
    for exp in table_level:
        if _columns_read(exp):
            raise ValueError(
                f"{suite_name}: {exp.check} is table-level but reads {sorted(_columns_read(exp))}, so it cannot "
                "run over a table read in parts; declare it row-level or read the table whole"
            )
    for exp in row_level:
        if (getattr(exp.gx_expectation, "mostly", None) or 1) < 1:
            raise ValueError(
                f"{suite_name}: {exp.check} has mostly < 1, a threshold on the whole table that parts "
                "cannot apply; read the table whole"
            )
    per_part = [run_suite(frame, row_level, suite_name)[0] for frame in parts if len(frame)] if row_level else []
    added_up = iter([_added_up(exp, [results[i] for results in per_part], rows) for i, exp in enumerate(row_level)])
    shape_only = pd.DataFrame(index=pd.RangeIndex(rows))
    counted = iter(run_suite(shape_only, table_level, suite_name)[0] if table_level else [])
    return [next(added_up) if exp.row_level else next(counted) for exp in expectations]


def _columns_read(exp: Expectation) -> set[str]:
    gx_expectation = exp.gx_expectation
    return {
        c for c in [getattr(gx_expectation, "column", None), *(getattr(gx_expectation, "column_list", None) or [])] if c
    }


def _added_up(exp: Expectation, results: list[CheckResult], rows: int) -> CheckResult:
    """One row-level check's parts as one result. A part where the check could not run gives its
    reason (the check fails); parts with no rows were not validated and add nothing."""
    failed = [r for r in results if not r.success]
    return CheckResult(
        check=exp.check,
        severity=exp.severity,
        success=not failed,
        reason=next((r.reason for r in failed if r.reason != exp.reason), exp.reason),
        fix=exp.fix,
        failing_rows=sum(r.failing_rows for r in results),
        rows_checked=sum(r.rows_checked for r in results) if results else rows,
        example_rows=sorted(row for r in results for row in r.example_rows)[:MAX_ROWS_LISTED],
    )
