"""Which period a feed file covers, read from its file name through the partner's pattern.

Every period is keyed by its first month (`2019-04`), whatever the partner's cadence, so monthly,
quarterly and annual publishers share one partition scheme and one financial-year calendar.
Snapshot feeds (supplier lists) have the single period `current`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

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
    a_end, b_end = a.end, b.end
    if a_end is None or b_end is None:  # not reached: a period has an end whenever it has a start
        return a.key == b.key
    return a.start < b_end and b.start < a_end


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


T = TypeVar("T")


@dataclass(frozen=True)
class Reading(Generic[T]):
    """The period a file name gives under one pattern (`source`: the layout that read it), and,
    when the name also allowed another reading, why this one was chosen."""

    source: T
    period: Period
    note: str | None = None


def _without_group(pattern: re.Pattern[str], group: str) -> re.Pattern[str] | None:
    """The pattern with one named group made unable to match (an always-failing lookahead just
    before it, outside any alternation inside the group), so the regex engine must try the
    pattern's other alternatives."""
    if group not in pattern.groupindex:
        return None
    return re.compile(pattern.pattern.replace(f"(?P<{group}>", f"(?!)(?P<{group}>"), pattern.flags)


def name_matches(pattern: re.Pattern[str], name: str) -> list[re.Match[str]]:
    """Every reading the pattern offers for the name, not only its first alternative.

    A regular expression stops at the first alternative that fits, so in
    `(?P<year>\\d{4})-(?P<month>\\d{2})|(?P<fy>\\d{4})-\\d{2}` the order the alternatives were
    written in would decide whether `2011-12` is December 2011 or the financial year 2011/12.
    Disabling the month, then the financial-year group, brings out the readings hidden behind it.
    """
    matches = []
    for disabled in (None, "month", "fy"):
        variant = pattern if disabled is None else _without_group(pattern, disabled)
        match = variant.fullmatch(name) if variant is not None else None
        if match is not None:
            matches.append(match)
    return matches


def _groups(match: re.Match[str]) -> dict[str, str]:
    return {k: v for k, v in match.groupdict().items() if v is not None}


def _is_month_reading(match: re.Match[str]) -> bool:
    return {"year", "month"} <= set(_groups(match))


def _is_financial_year_reading(match: re.Match[str]) -> bool:
    groups = set(_groups(match))
    return "fy" in groups and "fy_quarter" not in groups


def _looks_like_financial_year(match: re.Match[str]) -> bool:
    """year-month text whose 'month' is the next year's last two digits: 2011-12, 2024-25."""
    groups = _groups(match)
    return groups["month"].isdigit() and int(groups["month"]) == (int(groups["year"]) + 1) % 100


def _valid(candidates: Sequence[tuple[T, re.Match[str]]]) -> list[tuple[T, re.Match[str], Period]]:
    """The candidates whose groups make a real period (month 1-12, a known month name). A name
    with no valid reading at all raises the first reading's error, which names the bad value."""
    valid, errors = [], []
    for source, match in candidates:
        try:
            valid.append((source, match, period_from_match(match)))
        except ValueError as exc:
            errors.append(exc)
    if not valid and errors:
        raise errors[0]
    return valid


def choose_reading(name: str, candidates: Sequence[tuple[T, re.Match[str]]]) -> Reading[T] | None:
    """The one period a file name gives, when its patterns read it in more than one way.

    The rule, decided by the name and never by the order the patterns were written in: where the
    name can be read as a month and as a financial year, `YYYY-YY` with YY the following year
    (2011-12, 2024-25) is the financial year; any other (2019-04) is the month, since a financial
    year is never written with a month number after it. Otherwise the first reading stands.
    """
    valid = _valid(candidates)
    if not valid:
        return None
    months = [c for c in valid if _is_month_reading(c[1])]
    years = [c for c in valid if _is_financial_year_reading(c[1])]
    if not (months and years):
        return Reading(valid[0][0], valid[0][2])
    month_source, month_match, month_period = months[0]
    month_start = month_period.start
    if month_start is None:  # not reached: a month reading always starts on its month
        return Reading(month_source, month_period)
    fy = month_start.year
    same_year = [c for c in years if int(_groups(c[1])["fy"]) == fy]
    if _looks_like_financial_year(month_match) and same_year:
        source, _, period = same_year[0]
        note = (
            f"'{name}' also reads as {calendar.month_name[month_start.month]} "
            f"{month_start.year}; read as the financial year {fy}/{(fy + 1) % 100:02d} "
            f"because {_groups(month_match)['month']} follows {fy}. If it holds one month's "
            "payments, give monthly files a form of their own in file_pattern (for example a "
            "'-monthly' suffix) and rename it"
        )
        return Reading(source, period, note)
    return Reading(month_source, month_period)


def confusable_readings(patterns: Sequence[re.Pattern[str]]) -> str | None:
    """A warning when a feed's patterns read both months (year + month) and financial years (fy):
    such patterns let a name like 2011-12 mean two things, settled by `choose_reading`."""
    groups = set().union(*(p.groupindex for p in patterns)) if patterns else set()
    if not ({"year", "month", "fy"} <= groups):
        return None
    return (
        "the file_pattern offers both a month (year+month) and a financial-year (fy) reading: "
        "a name like 2011-12 is read as the financial year 2011/12 (12 follows 2011), never as "
        "December 2011; 2019-04 is April 2019"
    )


def financial_year(d: date) -> str:
    """UK public-sector financial year label, 1 April - 31 March: 2020-05-01 -> '2020/21'."""
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"
