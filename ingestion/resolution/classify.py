"""Evidence that a supplier record is a VCSE, read from its numbers and name.

Only evidence is computed here; which evidence wins (override > registration > self-declaration >
partner flag > name) is applied in dbt (int_supplier__classification), one place for the order.
"""

from __future__ import annotations

import re

import pandas as pd

from ingestion.missing import values_or_none
from ingestion.registry import SupplierClassificationRule
from ingestion.resolution.identifiers import charity_number, company_number


def registration_evidence(records: pd.DataFrame, rules: SupplierClassificationRule) -> pd.Series:
    """'charity_number', 'company_type:IP' (a registered society, CIO, ...), 'cic_name', or None."""
    prefixes = set(rules.vcse_company_prefixes)
    legal_form = re.compile("|".join(rules.vcse_name_patterns), re.IGNORECASE)
    out: list[str | None] = []
    # columns as lists: walking a pandas text column builds each value through its accessors
    columns = (values_or_none(records[c]) for c in ("supplier_name", "company_number", "charity_number"))
    for name, company, charity in zip(*columns):
        company = company_number(company) if isinstance(company, str) else None
        if isinstance(charity, str) and charity_number(charity):
            out.append("charity_number")
        elif company and company[:2] in prefixes:
            out.append(f"company_type:{company[:2]}")
        elif isinstance(name, str) and legal_form.search(name):
            out.append("cic_name")
        else:
            out.append(None)
    return pd.Series(out, index=records.index, dtype="string")


def name_evidence(records: pd.DataFrame, rules: SupplierClassificationRule) -> pd.Series:
    """The first VCSE-sounding word in the name (lowest trust), never for NHS bodies."""
    words = re.compile(r"\b(" + "|".join(map(re.escape, rules.vcse_name_words)) + r")\b", re.IGNORECASE)
    out: list[str | None] = []
    for name in values_or_none(records["supplier_name"]):
        match = words.search(name) if isinstance(name, str) and "NHS" not in name.upper() else None
        out.append(match.group(1).upper() if match else None)
    return pd.Series(out, index=records.index, dtype="string")
