"""The Great Expectations suite a KPI mart must pass before it is published."""

from __future__ import annotations

import pandas as pd

from ingestion.validate import BLOCKING, CheckResult, Expectation, gx, run_suite

KPI_LOCAL_SPEND_COLUMNS = [
    "reporting_unit", "reporting_unit_type", "financial_year", "in_scope_spend_gbp", "home_spend_gbp",
    "gm_spend_gbp", "unknown_location_spend_gbp", "home_share_pct", "gm_share_pct", "threshold_gbp",
    "rule_version",
]


def kpi_local_spend_suite() -> list[Expectation]:
    E = gx.expectations
    fix = "a pipeline defect, not a feed problem: inspect kpi_local_spend in the working warehouse"
    return [
        Expectation("kpi_columns_match_contract", BLOCKING,
                    "kpi_local_spend columns differ from the published contract", fix,
                    E.ExpectTableColumnsToMatchOrderedList(column_list=KPI_LOCAL_SPEND_COLUMNS),
                    row_level=False),
        Expectation("kpi_has_rows", BLOCKING, "kpi_local_spend is empty", fix,
                    E.ExpectTableRowCountToBeBetween(min_value=1), row_level=False),
        Expectation("kpi_one_row_per_unit_year", BLOCKING,
                    "more than one row for a reporting unit and financial year", fix,
                    E.ExpectCompoundColumnsToBeUnique(column_list=["reporting_unit", "financial_year"])),
        Expectation("kpi_home_share_in_range", BLOCKING, "home_share_pct outside 0-100", fix,
                    E.ExpectColumnValuesToBeBetween(column="home_share_pct", min_value=0, max_value=100)),
        Expectation("kpi_gm_share_in_range", BLOCKING, "gm_share_pct outside 0-100", fix,
                    E.ExpectColumnValuesToBeBetween(column="gm_share_pct", min_value=0, max_value=100)),
        Expectation("kpi_unit_type_known", BLOCKING, "reporting_unit_type is not partner or group", fix,
                    E.ExpectColumnValuesToBeInSet(column="reporting_unit_type", value_set=["partner", "group"])),
        Expectation("kpi_financial_year_format", BLOCKING, "financial_year is not like 2020/21", fix,
                    E.ExpectColumnValuesToMatchRegex(column="financial_year", regex=r"^\d{4}/\d{2}$")),
        Expectation("kpi_rule_version_present", BLOCKING, "a row carries no rule_version", fix,
                    E.ExpectColumnValuesToNotBeNull(column="rule_version")),
        Expectation("kpi_spend_non_negative", BLOCKING, "in-scope spend is negative", fix,
                    E.ExpectColumnValuesToBeBetween(column="in_scope_spend_gbp", min_value=0)),
    ]


def validate_kpi_local_spend(frame: pd.DataFrame) -> list[CheckResult]:
    """Run the suite on the mart as it would be published; row numbers are 1-based mart rows."""
    typed = frame.copy()
    for column in typed.columns:
        if column.endswith(("_gbp", "_pct")):
            typed[column] = typed[column].astype(float)
    contract, table_level = kpi_local_spend_suite()[:1], kpi_local_spend_suite()[1:]
    results, _ = run_suite(typed, contract, "kpi_local_spend_contract")
    typed["source_row_number"] = range(1, len(typed) + 1)
    more, _ = run_suite(typed, table_level, "kpi_local_spend")
    for r in results + more:
        r.source = "great_expectations:kpi_local_spend"
    return results + more
