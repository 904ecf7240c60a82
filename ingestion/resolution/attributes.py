"""Match supplier_attributes facts to the organisations supplier resolution found.

A fact is matched, and never resolved into a new organisation of its own, so a fact cannot change
who anyone's suppliers are (it only says something about them). In order of trust:

1. registration numbers: every organisation one of whose records carries the fact's company number,
   else its charity number;
2. the resolution's name key (ingestion/resolution/names.py): every organisation one of whose
   records has the fact's name key, leaving out any whose records carry a different company number
   from the one the fact gives (same name, different company);
3. otherwise the fact is unmatched: it stays in the published facts table with match_method
   'unmatched', and is counted in the statement, never dropped.

Resolution can leave one firm as two organisations (two partners' records it could not join), so a
fact may name several; each is the firm the fact is about.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from ingestion.missing import text_or_none
from ingestion.resolution.identifiers import charity_number, company_number
from ingestion.resolution.names import name_key

ATTRIBUTE_LINK_COLUMNS = [
    "partner_code",
    "source_file_hash",
    "source_row_number",
    "supplier_id",
    "match_method",
    "fact_name_key",
    "matched_suppliers",
]


def attribute_links(facts: pd.DataFrame, records: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """facts: partner_code, source_file_hash, source_row_number, organisation_name, company_number,
    charity_number. records: record_key, company_number, charity_number, supplier_name. links:
    record_key, supplier_id. One row per fact and organisation matched (one, supplier_id null, if none)."""
    if facts.empty:  # no facts to match: indexing every record would cost 15 s at 10M ledger lines
        return _typed(pd.DataFrame(columns=ATTRIBUTE_LINK_COLUMNS))
    supplier_of = dict(zip(links["record_key"], links["supplier_id"], strict=True))
    by_company: defaultdict[str, set[str]] = defaultdict(set)
    by_charity: defaultdict[str, set[str]] = defaultdict(set)
    by_name: defaultdict[str, set[str]] = defaultdict(set)
    companies_of: defaultdict[str, set[str]] = defaultdict(set)
    for key, company, charity, name in zip(
        records["record_key"],
        records["company_number"],
        records["charity_number"],
        records["supplier_name"],
        strict=True,
    ):
        supplier = supplier_of.get(key)
        if supplier is None:
            continue
        if number := company_number(text_or_none(company)):
            by_company[number].add(supplier)
            companies_of[supplier].add(number)
        if number := charity_number(text_or_none(charity)):
            by_charity[number].add(supplier)
        if (k := name_key(text_or_none(name))) is not None:
            by_name[k].add(supplier)

    rows = []
    for fact in facts.itertuples(index=False):
        company = company_number(text_or_none(fact.company_number))
        charity = charity_number(text_or_none(fact.charity_number))
        key = name_key(text_or_none(fact.organisation_name))
        found, method = set(), "unmatched"
        if company and by_company.get(company):
            found, method = by_company[company], "company_number"
        elif charity and by_charity.get(charity):
            found, method = by_charity[charity], "charity_number"
        elif key and by_name.get(key):
            found = {s for s in by_name[key] if not (company and companies_of[s] - {company})}
            method = "name_key" if found else "unmatched"
        base = {
            "partner_code": fact.partner_code,
            "source_file_hash": fact.source_file_hash,
            "source_row_number": int(fact.source_row_number),
            "match_method": method,
            "fact_name_key": key,
            "matched_suppliers": len(found),
        }
        rows += [{**base, "supplier_id": s} for s in sorted(found)] or [{**base, "supplier_id": None}]
    return _typed(pd.DataFrame(rows, columns=ATTRIBUTE_LINK_COLUMNS))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(
        {
            "partner_code": "string",
            "source_file_hash": "string",
            "source_row_number": "int64",
            "supplier_id": "string",
            "match_method": "string",
            "fact_name_key": "string",
            "matched_suppliers": "int64",
        }
    )
