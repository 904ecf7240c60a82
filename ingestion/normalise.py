"""Turn published text into typed values: amounts, dates, postcodes, redacted payees.

Each parser is vectorised (a 210,000-row ledger is parsed column-at-a-time) and returns missing
values where a cell cannot be read, so the validator can name the row and keep the original text in
quarantine; nothing here raises on a single bad cell.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"


def parse_amount_pence(values: pd.Series) -> pd.Series:
    """'£1,234.56', ' 57,283.20 ', '-£51.46', '(51.46)', '51.46-', '1787' -> whole pence (Int64).

    Pence are integers so that sums over millions of rows are exact; unreadable cells become NA.
    """
    text = values.astype("string").str.replace(r"[£\s,]|GBP|\u00a3", "", regex=True)
    text = text.str.replace("\u00c2", "", regex=False)  # '£' saved as UTF-8 then read as cp1252
    bracketed = text.str.fullmatch(r"\(.*\)").fillna(False)
    trailing_minus = text.str.fullmatch(r"[0-9.]+-").fillna(False)
    credit_suffix = text.str.fullmatch(r"(?i)[0-9.]+CR").fillna(False)
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    text = text.str.replace(r"(?i)(-|CR)$", "", regex=True)
    valid = text.str.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)").fillna(False)
    numbers = pd.to_numeric(text.where(valid), errors="coerce")
    sign = np.where(bracketed | trailing_minus | credit_suffix, -1, 1)
    pence = (numbers * 100).round() * sign
    return pd.array(pence, dtype="Int64") if len(pence) else pd.array([], dtype="Int64")


def parse_dates(values: pd.Series, date_format: str) -> pd.Series:
    """Parse with the partner's declared format; also accept Excel serial numbers (e.g. 43556)
    and ISO dates from Excel cells, which are unambiguous. Never guesses day/month order."""
    text = values.astype("string")
    parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    serial = text.str.fullmatch(_SERIAL.pattern).fillna(False) & parsed.isna()
    if serial.any():
        days = pd.to_numeric(text.where(serial), errors="coerce")
        days = days.where((days > 20000) & (days < 80000))
        parsed = parsed.where(~serial, EXCEL_EPOCH + pd.to_timedelta(days.round(), unit="D"))
    iso = text.str.match(_ISO_DATE.pattern).fillna(False) & parsed.isna()
    if iso.any():
        parsed = parsed.where(~iso, pd.to_datetime(text.where(iso).str.slice(0, 10),
                                                   format="%Y-%m-%d", errors="coerce"))
    return parsed.dt.date


def _fix_postcode(compact: str) -> str | None:
    """Repair the common O/0 and I/1 slips using the fixed shape of the inward code (digit letter
    letter) and of the outward code's district number."""
    if len(compact) < 5 or len(compact) > 7:
        return None
    outward, inward = compact[:-3], compact[-3:]
    inward = inward[0].replace("O", "0").replace("I", "1") + \
        inward[1:].replace("0", "O").replace("1", "I")
    letters = re.match(r"^[A-Z]{1,2}", outward.replace("0", "O"))
    if letters:
        head = letters.group(0)
        tail = outward[len(head):]
        tail = tail[:1].replace("O", "0").replace("I", "1") + tail[1:]
        outward = head + tail
    candidate = f"{outward} {inward}"
    return candidate if re.match(POSTCODE_PATTERN, candidate) else None


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """'sk13xe', ' SK1  3XE ', 'SK1 3XE' -> 'SK1 3XE'; NA when not a UK postcode shape."""
    compact = values.astype("string").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    return compact.map(lambda v: _fix_postcode(v) if isinstance(v, str) else None).astype("string")


def postcode_district(postcodes: pd.Series) -> pd.Series:
    return postcodes.astype("string").str.split(" ").str[0]


def redaction_flags(names: pd.Series, patterns: tuple[str, ...]) -> pd.Series:
    """True where the payee is a redacted individual (per the versioned rules in config/rules.yml)."""
    combined = "|".join(f"(?:{p})" for p in patterns)
    return names.astype("string").str.contains(combined, case=False, regex=True).fillna(False).astype(bool)


def normalise_name(names: pd.Series) -> pd.Series:
    """Upper-case, '&'->'AND', no punctuation, single spaces, LTD->LIMITED: a join key for
    ledger payees that carry no supplier reference. (Cross-partner resolution is separate.)"""
    text = names.astype("string").str.upper().str.replace("&", " AND ", regex=False)
    text = text.str.replace(r"[^A-Z0-9 ]+", " ", regex=True)
    text = text.str.replace(r"\bLTD\b", "LIMITED", regex=True).str.replace(r"\bPLC\b", "PLC", regex=True)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def within_period(dates: pd.Series, start: date | None, end: date | None) -> pd.Series:
    if start is None or end is None:
        return pd.Series(True, index=dates.index)
    return dates.map(lambda d: d is None or pd.isna(d) or (start <= d < end)).astype(bool)
