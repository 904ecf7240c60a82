"""Turn published text into typed values: amounts, dates, postcodes, redacted payees.

Each parser is vectorised (a 210,000-row ledger is parsed column-at-a-time) and returns missing
values where a cell cannot be read, so the validator can name the row and keep the original text in
quarantine; nothing here raises on a single bad cell.
"""

from __future__ import annotations

import functools
import re
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"


def _arrow_text(values) -> pa.Array:
    if isinstance(values, pd.Series):
        values = values.array
    array = pa.array(values, type=pa.string(), from_pandas=True) if not isinstance(values, pa.Array) else values
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def parse_amount_pence(values) -> pd.Series:
    """'£1,234.56', ' 57,283.20 ', '-£51.46', '(51.46)', '51.46-', '12CR', '1787' -> whole pence.

    Pence are integers so that sums over millions of rows are exact; unreadable cells become NA.
    Runs in Arrow compute (RE2 regular expressions) because ledgers run to hundreds of thousands
    of rows.
    """
    text = _arrow_text(values)
    # '£' in any of its spellings (including UTF-8 read as cp1252: 'Â£'), spaces and thousands commas
    text = pc.replace_substring_regex(text, "[£\\s,\u00c2]|GBP", "")
    bracketed = pc.match_substring_regex(text, r"^\(.*\)$")
    trailing_minus = pc.match_substring_regex(text, r"^[0-9.]+-$")
    credit_suffix = pc.match_substring_regex(text, r"^[0-9.]+CR$", ignore_case=True)
    text = pc.replace_substring_regex(text, r"^\((.*)\)$", r"\1")
    text = pc.replace_substring_regex(text, r"(-|CR|cr)$", "")
    valid = pc.match_substring_regex(text, r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    numbers = pc.cast(pc.if_else(valid, text, pa.scalar(None, pa.string())), pa.float64())
    negative = pc.or_(pc.or_(bracketed, trailing_minus), credit_suffix)
    pence = pc.round(pc.multiply(numbers, 100.0))
    pence = pc.if_else(pc.fill_null(negative, False), pc.negate(pence), pence)
    return pd.Series(pd.array(pc.cast(pence, pa.int64()), dtype="Int64"))


def parse_dates(values, date_format: str, with_fallback_flags: bool = False):
    """Parse with the partner's declared format; also accept Excel serial numbers (e.g. 43556)
    and ISO dates from Excel cells, which are unambiguous. Never guesses day/month order.
    Returns a date32-backed Series (missing where unreadable) and, if asked, a boolean Series that
    is True where a date was read by a fallback rather than the declared format."""
    text = _arrow_text(values)
    try:
        parsed = pc.strptime(text, format=date_format, unit="s", error_is_null=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        parsed = pa.array(
            pd.to_datetime(pd.Series(text.to_pandas()), format=date_format, errors="coerce"),
            type=pa.timestamp("s"),
            from_pandas=True,
        )
    dates = pc.cast(parsed, pa.date32())
    unread = pc.and_(pc.is_null(dates), pc.is_valid(text))
    if pc.any(unread).as_py():
        fallback = _fallback_dates(
            pd.Series(text.to_pandas(), dtype=object), np.asarray(unread.to_numpy(zero_copy_only=False))
        )
        dates = pc.if_else(unread, fallback, dates)
    result = pd.Series(pd.arrays.ArrowExtensionArray(dates))
    if not with_fallback_flags:
        return result
    by_fallback = pc.fill_null(pc.and_(unread, pc.is_valid(dates)), False)
    return result, pd.Series(by_fallback.to_numpy(zero_copy_only=False), dtype=bool)


def _fallback_dates(text: pd.Series, mask: np.ndarray) -> pa.Array:
    """Excel serial numbers and ISO dates, for the few cells the declared format did not read."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    candidates = text[mask].astype(str)
    serial = candidates.str.fullmatch(_SERIAL.pattern)
    days = pd.to_numeric(candidates.where(serial), errors="coerce")
    days = days.where((days > 20000) & (days < 80000))
    out.loc[days.dropna().index] = EXCEL_EPOCH + pd.to_timedelta(days.dropna().round(), unit="D")
    iso = candidates.str.match(_ISO_DATE.pattern) & ~serial
    out.loc[candidates[iso].index] = pd.to_datetime(
        candidates[iso].str.slice(0, 10), format="%Y-%m-%d", errors="coerce"
    )
    return pc.cast(pa.array(out, type=pa.timestamp("s"), from_pandas=True), pa.date32())


@functools.lru_cache(maxsize=1 << 18)
def _fix_postcode(compact: str) -> str | None:
    """Repair the common O/0 and I/1 slips using the fixed shape of the inward code (digit letter
    letter) and of the outward code's district number."""
    if len(compact) < 5 or len(compact) > 7:
        return None
    outward, inward = compact[:-3], compact[-3:]
    inward = inward[0].replace("O", "0").replace("I", "1") + inward[1:].replace("0", "O").replace("1", "I")
    letters = re.match(r"^[A-Z]{1,2}", outward.replace("0", "O"))
    if letters:
        head = letters.group(0)
        tail = outward[len(head) :]
        tail = tail[:1].replace("O", "0").replace("I", "1") + tail[1:]
        outward = head + tail
    candidate = f"{outward} {inward}"
    return candidate if re.match(POSTCODE_PATTERN, candidate) else None


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """'sk13xe', ' SK1  3XE ', 'SK1 3XE' -> 'SK1 3XE'; NA when not a UK postcode shape.

    Each distinct value is normalised once: a supplier column repeats a few postcodes over many
    rows (1.3M records at 10M ledger lines, 200k postcodes), and a Python string per row was a
    transient of hundreds of megabytes."""
    codes, distinct = pd.factorize(values.astype("string"))  # missing values are code -1
    compact = pd.Series(distinct, dtype="string").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    fixed = compact.map(lambda v: _fix_postcode(v) if isinstance(v, str) else None).astype("string")
    return pd.Series(fixed.array.take(codes, allow_fill=True), index=values.index, name=values.name, dtype="string")


_DISTRICT = r"^[A-Z]{1,2}[0-9][A-Z0-9]?$"


def postcode_districts(given: pd.Series, postcodes: pd.Series) -> pd.Series:
    """The outward code (district, e.g. 'SK4') of each full postcode, or of a cell that only gives
    a district: locations known only to district level can still be placed when the district lies
    in one borough."""
    full = postcodes.astype("string").str.split(" ").str[0]
    compact = given.astype("string").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    only_district = compact.where(compact.str.fullmatch(_DISTRICT).fillna(False))
    return full.fillna(only_district)


_YES = {"y", "yes", "true", "1", "sme", "vcse"}
_NO = {"n", "no", "false", "0", "large", "non-sme", "not sme"}


def parse_flag(values: pd.Series) -> pd.Series:
    """'Yes'/'Y'/'True'/'1' -> True, 'No'/'N'/'False'/'0' -> False, anything else -> NA."""
    text = values.astype("string").str.strip().str.lower()
    return text.map(lambda v: True if v in _YES else (False if v in _NO else None), na_action="ignore").astype(
        "boolean"
    )


def redaction_flags(names, patterns: tuple[str, ...]) -> pd.Series:
    """True where the payee is a redacted individual (per the versioned rules in config/rules.yml)."""
    combined = "|".join(f"(?:{p})" for p in patterns)
    flags = pc.fill_null(pc.match_substring_regex(_arrow_text(names), combined, ignore_case=True), False)
    return pd.Series(flags.to_numpy(zero_copy_only=False), dtype=bool)


def redaction_pattern_per_name(names, patterns: tuple[str, ...]) -> pd.Series:
    """The first redaction pattern each payee name matches (NA where none does), so a partner's
    data lead can confirm their own marker was recognised. Matches exactly where redaction_flags
    is True: the same patterns, the same case-insensitive RE2 search."""
    text = _arrow_text(names)
    which = pa.nulls(len(text), pa.string())
    for pattern in reversed(patterns):
        hit = pc.fill_null(pc.match_substring_regex(text, pattern, ignore_case=True), False)
        which = pc.if_else(hit, pa.scalar(pattern, pa.string()), which)
    return pd.Series(which.to_numpy(zero_copy_only=False), dtype="string")


def within_period(dates: pd.Series, start: date | None, end: date | None) -> pd.Series:
    """True where the date is missing or inside [start, end)."""
    if start is None or end is None:
        return pd.Series(True, index=dates.index)
    array = (
        pa.array(dates.array) if not isinstance(dates.array, pd.arrays.ArrowExtensionArray) else dates.array._pa_array
    )
    inside = pc.and_(
        pc.greater_equal(array, pa.scalar(start, pa.date32())), pc.less(array, pa.scalar(end, pa.date32()))
    )
    return pd.Series(pc.fill_null(inside, True).to_numpy(zero_copy_only=False), index=dates.index, dtype=bool)
