"""Registration numbers as published, made comparable. Each is read once per distinct value: a
number repeats on every record of its payee (1.3M records at 10M ledger lines)."""

from __future__ import annotations

import functools
import re

from ingestion.missing import is_missing

_COMPANY = re.compile(r"^(?:[A-Z]{2}\d{6}|[A-Z]{2}\d{5}[A-Z]|\d{1,8})$")


@functools.lru_cache(maxsize=1 << 18)
def company_number(value: str | None) -> str | None:
    """'4166647', '04166647', 'oc333213', 'IP27440R' -> canonical Companies House number."""
    if is_missing(value):
        return None
    text = re.sub(r"[^0-9A-Za-z]", "", str(value)).upper()
    if not text or not _COMPANY.match(text) or set(text) == {"0"}:
        return None
    return text.zfill(8) if text.isdigit() else text


@functools.lru_cache(maxsize=1 << 18)
def charity_number(value: str | None) -> str | None:
    """'1091234', 'CHC-1091234', 'GB-CHC-1091234', '1091234-1' -> '1091234'. Other registers that
    some publishers put in the same column (CQC-, NHS-, URN-, PRN-) are not charity numbers."""
    if is_missing(value):
        return None
    text = str(value).strip().upper()
    text = re.sub(r"^(GB-)?CHC-", "", text)
    match = re.fullmatch(r"(\d{6,8})(-\d+)?", text)
    return match.group(1) if match else None


@functools.lru_cache(maxsize=1 << 18)
def vat_number(value: str | None) -> str | None:
    if is_missing(value):
        return None
    text = re.sub(r"[^0-9A-Za-z]", "", str(value)).upper()
    text = text[2:] if text.startswith("GB") else text
    return text if re.fullmatch(r"\d{9}(\d{3})?", text) else None
