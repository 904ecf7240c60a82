"""Evidence that a supplier record is a VCSE, read from its numbers and name.

Only evidence is computed here; which evidence wins (override > registration > self-declaration >
partner flag > name) is applied in dbt (int_supplier__classification), one place for the order.
"""

from __future__ import annotations

import re

import pandas as pd

from ingestion.registry import SupplierClassificationRule
from ingestion.resolution.identifiers import charity_number, company_number


def registration_evidence(records: pd.DataFrame, rules: SupplierClassificationRule) -> pd.Series:
    """'charity_number', 'company_type:IP' (a registered society, CIO, ...), 'cic_name', or None."""
    prefixes = set(rules.vcse_company_prefixes)
    legal_form = re.compile("|".join(rules.vcse_name_patterns), re.IGNORECASE)
    out: list[str | None] = []
    for name, company, charity in zip(records["supplier_name"], records["company_number"], records["charity_number"]):
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
    for name in records["supplier_name"]:
        match = words.search(name) if isinstance(name, str) and "NHS" not in name.upper() else None
        out.append(match.group(1).upper() if match else None)
    return pd.Series(out, index=records.index, dtype="string")
