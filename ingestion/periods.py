"""Which period a feed file covers, read from its file name through the partner's pattern.

Every period is keyed by its first month (`2019-04`), whatever the partner's cadence, so monthly,
quarterly and annual publishers share one partition scheme and one financial-year calendar.
Snapshot feeds (supplier lists) have the single period `current`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

SNAPSHOT = "current"
_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH_NAMES.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})


@dataclass(frozen=True)
class Period:
    key: str
    start: date | None
    months: int

    @property
    def end(self) -> date | None:
        """First day after the period."""
        if self.start is None:
            return None
        total = self.start.year * 12 + self.start.month - 1 + self.months
        return date(total // 12, total % 12 + 1, 1)


def overlaps(a: Period, b: Period) -> bool:
    if a.start is None or b.start is None:
        return a.key == b.key
    return a.start < b.end and b.start < a.end


def _month_period(year: int, month: int, months: int) -> Period:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1-12")
    return Period(key=f"{year:04d}-{month:02d}", start=date(year, month, 1), months=months)


def period_from_match(match: re.Match[str]) -> Period:
    """Turn the named groups of a file-name match into a Period (see config/partners.yml)."""
    g = {k: v for k, v in match.groupdict().items() if v is not None}
    if "year" in g and "month" in g:
        return _month_period(int(g["year"]), int(g["month"]), 1)
    if "year" in g and "month_name" in g:
        name = g["month_name"].lower()
        if name not in _MONTH_NAMES:
            raise ValueError(f"'{g['month_name']}' is not a month name")
        return _month_period(int(g["year"]), _MONTH_NAMES[name], 1)
    if "year" in g and "quarter" in g:
        return _month_period(int(g["year"]), (int(g["quarter"]) - 1) * 3 + 1, 3)
    if "fy" in g and "fy_quarter" in g:
        q = int(g["fy_quarter"])
        start_month = 4 + (q - 1) * 3
        year = int(g["fy"]) + (1 if start_month > 12 else 0)
        return _month_period(year, (start_month - 1) % 12 + 1, 3)
    if "fy" in g:
        return _month_period(int(g["fy"]), 4, 12)
    if "calendar_year" in g:
        return _month_period(int(g["calendar_year"]), 1, 12)
    return Period(key=SNAPSHOT, start=None, months=0)


def financial_year(d: date) -> str:
    """UK public-sector financial year label, 1 April - 31 March: 2020-05-01 -> '2020/21'."""
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"
