"""Great Expectations suites every published KPI table must pass before publication."""

from __future__ import annotations

import pandas as pd

from ingestion.validate import BLOCKING, CheckResult, Expectation, gx, run_suite

KPI_LOCAL_SPEND_COLUMNS = [
    "reporting_unit", "reporting_unit_type", "financial_year", "in_scope_spend_gbp", "home_spend_gbp",
    "gm_spend_gbp", "unknown_location_spend_gbp", "home_share_pct", "gm_share_pct", "threshold_gbp",
    "rule_version", "located_spend_pct", "is_provisional", "provisional_reason", "coverage_rule_version",
    "shares_known", "home_share_display", "gm_share_display", "months_covered", "is_partial_year",
    "partial_year_note", "part_year_threshold", "threshold_note",
]

# The feed each KPI table is made from: an empty KPI table is a defect only if its feed has rows
# (a partnership that sends no bids yet has, rightly, no bid KPIs).
KPI_SOURCE_FEED = {"kpi_local_spend": "spend", "kpi_sv_evaluation_weighting": "contracts",
                   "kpi_sv_secured": "contracts", "kpi_sme_vcse": "tenders", "kpi_sv_delivery": "sv_commitments"}

# table -> (key columns, percentage columns that must lie in 0-100, non-negative amount columns)
KPI_TABLES = {
    "kpi_local_spend": (["reporting_unit", "financial_year"], ["home_share_pct", "gm_share_pct", "located_spend_pct"],
                        ["in_scope_spend_gbp"]),
    "kpi_sv_evaluation_weighting": (["reporting_unit", "financial_year"], ["avg_sv_weighting_pct"], []),
    "kpi_sv_secured": (["reporting_unit", "financial_year"], [], ["contract_value_gbp", "sv_committed_gbp"]),
    "kpi_sme_vcse": (["reporting_unit", "financial_year"],
                     ["sme_bids_pct", "vcse_bids_pct", "sme_awards_pct", "vcse_awards_pct"], []),
    "kpi_sv_delivery": (["contract_id"], [], ["committed_gbp", "delivered_gbp"]),
}


def kpi_suite(table: str, expect_rows: bool = True) -> list[Expectation]:
    keys, percentages, amounts = KPI_TABLES[table]
    E = gx.expectations
    fix = f"a pipeline defect, not a feed problem: inspect {table} in the working warehouse"
    suite = [
        Expectation(f"{table}_has_rows", BLOCKING,
                    f"{table} is empty although its {KPI_SOURCE_FEED[table]} feed has rows", fix,
                    E.ExpectTableRowCountToBeBetween(min_value=1 if expect_rows else 0), row_level=False),
        Expectation(f"{table}_one_row_per_key", BLOCKING, f"more than one row per {', '.join(keys)}", fix,
                    E.ExpectCompoundColumnsToBeUnique(column_list=keys) if len(keys) > 1
                    else E.ExpectColumnValuesToBeUnique(column=keys[0])),
        Expectation(f"{table}_rule_version_present", BLOCKING, "a row carries no rule_version", fix,
                    E.ExpectColumnValuesToNotBeNull(column="rule_version")),
    ]
    if "financial_year" in keys:
        suite.append(Expectation(f"{table}_financial_year_format", BLOCKING, "financial_year is not like 2020/21",
                                 fix, E.ExpectColumnValuesToMatchRegex(column="financial_year", regex=r"^\d{4}/\d{2}$")))
        suite.append(Expectation(f"{table}_unit_type_known", BLOCKING, "reporting_unit_type is not partner or group",
                                 fix, E.ExpectColumnValuesToBeInSet(column="reporting_unit_type",
                                                                    value_set=["partner", "group"])))
    for column in percentages:
        suite.append(Expectation(f"{table}_{column}_in_range", BLOCKING, f"{column} outside 0-100", fix,
                                 E.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=100)))
    for column in amounts:
        suite.append(Expectation(f"{table}_{column}_non_negative", BLOCKING, f"{column} is negative", fix,
                                 E.ExpectColumnValuesToBeBetween(column=column, min_value=0)))
    return suite


def feeds_with_rows(manifests: list[dict]) -> set[str]:
    return {m["feed"] for m in manifests if m.get("rows_loaded")}


def validate_kpi(table: str, frame: pd.DataFrame, expect_rows: bool = True) -> list[CheckResult]:
    """Run the table's suite on the mart as it would be published; row numbers are 1-based."""
    typed = frame.copy()
    for column in typed.columns:
        if column.endswith(("_gbp", "_pct")):
            typed[column] = typed[column].astype(float)
    typed["source_row_number"] = range(1, len(typed) + 1)
    results, _ = run_suite(typed, kpi_suite(table, expect_rows), table)
    if table == "kpi_local_spend":
        ok = list(frame.columns) == KPI_LOCAL_SPEND_COLUMNS
        results.insert(0, CheckResult(
            check="kpi_columns_match_contract", severity=BLOCKING, success=ok,
            reason="columns match the published contract" if ok else
            "kpi_local_spend columns differ from the published contract",
            fix="a pipeline defect: the published contract is fixed (BI tools depend on it)",
            rows_checked=len(frame)))
    for r in results:
        r.source = f"great_expectations:{table}"
    return results

