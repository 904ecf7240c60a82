"""Dates published to a day, a month or only a year ('2019-11-11', '2022-11', '2022 (as at article)').

Facts about organisations (an accreditation, a charter membership) are often dated only as precisely
as the announcement that reported them. Such a date is kept as the first day of the period it names
plus its precision (day, month, year), so how a partial date counts is decided later, by a versioned
rule (supplier_attributes.partial_dates in config/rules.yml), not here, and never guessed.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import pandas as pd
import pyarrow as pa

from ingestion.missing import text_or_none
from ingestion.normalise import parse_dates

DAY, MONTH, YEAR = "day", "month", "year"
# A trailing remark in brackets ("2022 (as at article)") is allowed and ignored; nothing else is.
_REMARK = r"(?:\s*\([^)]*\))?\s*"
_ISO_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})" + _REMARK + "$")
_MONTH_NAME = re.compile(r"^\s*([A-Za-z]{3,9})\.?\s+(\d{4})" + _REMARK + "$")
_YEAR = re.compile(r"^\s*(\d{4})" + _REMARK + "$")
_DAY_WITH_REMARK = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\([^)]*\)\s*$")
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}


def period_end(start: date | None, precision: str | None) -> date | None:
    """The last day of the period a partial date names."""
    if start is None or precision is None:
        return None
    if precision == YEAR:
        return date(start.year, 12, 31)
    if precision == MONTH:
        return date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start


def _partial(text: str) -> tuple[date, str] | None:
    if m := _DAY_WITH_REMARK.match(text):
        return date.fromisoformat(m.group(1)), DAY
    if m := _ISO_MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        return (date(year, month, 1), MONTH) if 1 <= month <= 12 else None
    if m := _MONTH_NAME.match(text):
        named = _MONTHS.get(m.group(1).lower())
        return (date(int(m.group(2)), named, 1), MONTH) if named else None
    if m := _YEAR.match(text):
        year = int(m.group(1))
        return (date(year, 1, 1), YEAR) if 1900 <= year <= 2100 else None
    return None


def parse_partial_dates(values: pd.Series, date_format: str) -> tuple[pd.Series, pd.Series]:
    """(first day of the named period, its precision) per cell; both missing where unreadable.

    A full date is read with the layout's declared format first (and the unambiguous ISO and Excel
    forms parse_dates also accepts); only a cell that is not a full date is read as a month or a year.
    """
    values = values.reset_index(drop=True)
    full = parse_dates(values, date_format)
    starts: list[date | None] = []
    precisions: list[str | None] = []
    for cell, parsed in zip(values.tolist(), full.tolist()):
        if parsed is not None and not pd.isna(parsed):
            starts.append(parsed if isinstance(parsed, date) else pd.Timestamp(parsed).date())
            precisions.append(DAY)
            continue
        text = text_or_none(cell)
        found = _partial(text) if text is not None else None
        starts.append(found[0] if found else None)
        precisions.append(found[1] if found else None)
    start_series = pd.Series(pd.array(starts, dtype=pd.ArrowDtype(pa.date32())))
    return start_series, pd.Series(precisions, dtype="string")
