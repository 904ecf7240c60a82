"""Checks a feed needs beyond "present and readable" (issue 17's feeds: invoices, payment summaries,
SVMi scores, re-spend surveys).

The generic path (ingestion/generic_feed.py) checks each column on its own. These feeds also carry
rules *between* values (an invoice cannot be paid before it was received; a year's summary appears
once; a score lies on the index's scale; a dimension is one the rules know), so each gets a few
helper columns here and the expectations that read them: the same GX suite, the same quarantine with
a reason and a fix. A feed with no entry here is unchanged.
"""

from __future__ import annotations

import re

import pandas as pd

from ingestion.registry import Rules
from ingestion.validate import BLOCKING, Expectation, gx

YEAR = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")


def financial_year_text(value: object) -> str | None:
    """'2019/20', '2019-20', '2019/2020' -> '2019/20'; anything else (or a year that does not follow
    on, '2019/22') -> None, so it is quarantined rather than guessed."""
    if not isinstance(value, str):
        return None
    match = YEAR.match(value)
    if not match:
        return None
    start, end = int(match.group(1)), match.group(2)
    if int(end[-2:]) != (start + 1) % 100 or (len(end) == 4 and int(end) != start + 1):
        return None
    return f"{start}/{(start + 1) % 100:02d}"


def dimension_code(value: object) -> str | None:
    """'Leadership and governance' / 'leadership_and_governance' -> 'leadership_and_governance'."""
    if not isinstance(value, str) or not value.strip():
        return None
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")


def _repeats(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """True on the second and later rows with the same key (rows with an empty key are left to the
    presence checks)."""
    key = frame[keys].astype("string")
    has_key = key.notna().all(axis=1)
    return (key.duplicated(keep="first") & has_key).to_numpy()


def _year_column(prepared: pd.DataFrame) -> None:
    given = prepared["financial_year"]
    normalised = given.map(financial_year_text)
    prepared["financial_year__readable"] = (given.isna() | normalised.notna()).to_numpy()
    # an unreadable year keeps its text, so the row's reason is "not a financial year", not "missing"
    prepared["financial_year"] = normalised.where(normalised.notna(), given).astype("string")


def add_helper_columns(feed: str, prepared: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The helper columns this feed's extra checks read (never stored: not in the Arrow schema)."""
    if feed == "invoices":
        received, paid = prepared["received_date"], prepared["paid_date"]
        prepared["paid_on_or_after_received"] = (received.isna() | paid.isna() | (paid >= received)).to_numpy(
            dtype=bool, na_value=True
        )
        prepared["is_repeat_invoice"] = _repeats(prepared, ["invoice_ref"])
    elif feed == "payment_summary":
        _year_column(prepared)
        prepared["is_repeat_year"] = _repeats(prepared, ["financial_year"])
    elif feed == "svmi":
        _year_column(prepared)
        prepared["dimension"] = prepared["dimension"].map(dimension_code).astype("string")
        prepared["is_repeat_score"] = _repeats(prepared, ["financial_year", "dimension"])
    elif feed == "lm3_survey":
        _year_column(prepared)
        prepared["is_repeat_return"] = _repeats(prepared, ["contract_ref", "financial_year"])
    return prepared


def _between(check: str, column: str, low: float | None, high: float | None, reason: str, fix: str, mostly: float):
    return Expectation(
        check,
        BLOCKING,
        reason,
        fix,
        gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high, mostly=mostly),
    )


def _flag(check: str, column: str, want: bool, reason: str, fix: str, mostly: float) -> Expectation:
    return Expectation(
        check,
        BLOCKING,
        reason,
        fix,
        gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=[want], mostly=mostly),
    )


def _year_readable(mostly: float) -> Expectation:
    return _flag(
        "financial_year_readable",
        "financial_year__readable",
        True,
        "financial year is not a financial year such as 2019/20",
        "write the financial year as 2019/20 (the year it starts, a slash, the next year's two digits)",
        mostly,
    )


def extra_suite(feed: str, rules: Rules, tolerance_pct: float) -> list[Expectation]:
    """The expectations this feed adds to the generic ones (empty for other feeds)."""
    mostly = 1.0 - tolerance_pct / 100.0
    pct_fix = "give the percentage as a number from 0 to 100 (e.g. 95.07 or 95.07%)"
    if feed == "invoices":
        return [
            _flag(
                "paid_on_or_after_received",
                "paid_on_or_after_received",
                True,
                "the invoice's paid date is before the date it was received",
                "check the two dates (received = the date the valid invoice reached the body)",
                mostly,
            ),
            _between(
                "amount_positive",
                "amount_pence",
                1,
                None,
                "the invoice amount is zero or negative (a credit note is not an invoice paid)",
                "leave credit notes out of the invoice file, or correct the amount",
                mostly,
            ),
            _between(
                "interest_not_negative",
                "interest_paid_pence",
                0,
                None,
                "late-payment interest paid is negative",
                "give the interest paid on the invoice as an amount >= 0, or leave it empty",
                mostly,
            ),
            _flag(
                "invoice_ref_unique",
                "is_repeat_invoice",
                False,
                "the invoice reference appears again (later rows quarantined)",
                "send each invoice once; a part payment belongs on the invoice's own row",
                mostly,
            ),
        ]
    if feed == "payment_summary":
        return [
            _year_readable(mostly),
            _between(
                "pct_in_range",
                "pct_paid_within_30_days",
                0,
                100,
                "the share paid within 30 days is not between 0 and 100",
                pct_fix,
                mostly,
            ),
            _between(
                "avg_days_not_negative",
                "avg_days_to_pay",
                0,
                None,
                "average days to pay is negative",
                "give the average number of days from receipt to payment",
                mostly,
            ),
            _between(
                "invoices_not_negative",
                "invoices_paid",
                0,
                None,
                "number of invoices paid is negative",
                "give a count >= 0",
                mostly,
            ),
            _between(
                "late_invoices_not_negative",
                "invoices_paid_late",
                0,
                None,
                "number of invoices paid late is negative",
                "give a count >= 0",
                mostly,
            ),
            _flag(
                "year_unique",
                "is_repeat_year",
                False,
                "the financial year appears again in the file (later rows quarantined)",
                "give one row per financial year",
                mostly,
            ),
        ]
    if feed == "svmi":
        known = list(rules.svmi.dimensions)
        return [
            _year_readable(mostly),
            Expectation(
                "dimension_known",
                BLOCKING,
                f"the dimension is not one of the index's ({', '.join(known)})",
                "use one of the dimension codes in config/rules.yml (svmi.dimensions), or add the dimension "
                "there with a new svmi version",
                gx.expectations.ExpectColumnValuesToBeInSet(column="dimension", value_set=known, mostly=mostly),
            ),
            _between(
                "score_in_range",
                "score",
                rules.svmi.min_score,
                rules.svmi.max_score,
                f"the score is outside the index's scale ({rules.svmi.min_score:g} to {rules.svmi.max_score:g})",
                "give the score on the scale in config/rules.yml (svmi.min_score to svmi.max_score)",
                mostly,
            ),
            _flag(
                "score_unique",
                "is_repeat_score",
                False,
                "the dimension is scored twice for the year (later rows quarantined)",
                "give one score per dimension and year",
                mostly,
            ),
        ]
    if feed == "lm3_survey":
        return [
            _year_readable(mostly),
            _between(
                "staff_respend_in_range",
                "staff_local_respend_pct",
                0,
                100,
                "staff local re-spend share is not between 0 and 100",
                pct_fix,
                mostly,
            ),
            _between(
                "supplier_respend_in_range",
                "supplier_local_respend_pct",
                0,
                100,
                "local sub-contractors' re-spend share is not between 0 and 100",
                pct_fix,
                mostly,
            ),
            _between(
                "local_staff_pay_not_negative",
                "local_staff_pay_pence",
                0,
                None,
                "pay to local staff is negative",
                "give the contract's pay to staff living locally as an amount >= 0",
                mostly,
            ),
            _flag(
                "return_unique",
                "is_repeat_return",
                False,
                "the contract's survey return appears again for the year (later rows quarantined)",
                "give one survey row per contract and year",
                mostly,
            ),
        ]
    return []
