"""Companies House "Free Company Data Product" (basic company data): every live company on the
register, with its registered office postcode, category and up to ten previous names.

Published monthly as BasicCompanyData-YYYY-MM-DD-partN_M.zip (one CSV each) or as
BasicCompanyDataAsOneFile-YYYY-MM-DD.zip; SVW_COMPANIES_HOUSE names one file or the folder holding
the parts. Some published headers begin with a space (' CompanyNumber',
' PreviousName_1.CompanyName'): columns are matched ignoring case, spaces and punctuation.
The version is the date in the file names.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingestion.registers import common
from ingestion.registers.common import Columns

REGISTER = "companies_house"
SETTING = "SVW_COMPANIES_HOUSE"
FILE_PATTERNS = (r"BasicCompanyData.*\.(csv|zip)",)
PREVIOUS_NAMES = 10
CHUNK_ROWS = 250_000

COLUMNS = Columns(
    wanted={
        "name": ("CompanyName",),
        "number": ("CompanyNumber",),
        "postcode": ("RegAddress.PostCode",),
        "category": ("CompanyCategory",),
        "status": ("CompanyStatus",),
        **{f"previous_{i}": (f"PreviousName_{i}.CompanyName",) for i in range(1, PREVIOUS_NAMES + 1)},
        **{f"previous_{i}_date": (f"PreviousName_{i}.CONDATE",) for i in range(1, PREVIOUS_NAMES + 1)},
    },
    required=("name", "number"),
)


def _tables(chunk: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    numbers = common.companies(chunk["number"])
    chunk = chunk.assign(number=numbers).dropna(subset=["number"])
    entities = pd.DataFrame(
        {
            "entity_id": chunk["number"],
            "record_key": [common.entity_key(REGISTER, n) for n in chunk["number"]],
            "kind": "company",
            "name": chunk["name"],
            "name_key": common.keys_of(chunk["name"]),
            "postcode": common.postcodes(chunk["postcode"]) if "postcode" in chunk else pd.NA,
            "address_type": "registered_office",
            "company_number": chunk["number"],
            "charity_number": pd.NA,
            "category": chunk.get("category"),
            "status": chunk.get("status"),
        }
    )
    names = [entities[["entity_id", "name", "name_key"]].assign(name_type="current")]
    for i in range(1, PREVIOUS_NAMES + 1):
        if f"previous_{i}" in chunk:
            previous = chunk[["number", f"previous_{i}"]].dropna()
            names.append(
                pd.DataFrame(
                    {
                        "entity_id": previous["number"],
                        "name": previous[f"previous_{i}"],
                        "name_key": common.keys_of(previous[f"previous_{i}"]),
                        "name_type": "previous",
                    }
                )
            )
    return entities, pd.concat(names, ignore_index=True)


def load(path: Path) -> common.RegisterTables:
    files = common.register_files(path, FILE_PATTERNS, REGISTER)
    version = common.file_version(REGISTER, files)
    entities, names, rows = [], [], 0
    for file in files:
        for chunk in common.read_register_file(file, COLUMNS, REGISTER, chunk_rows=CHUNK_ROWS):
            rows += len(chunk)
            e, n = _tables(chunk)
            entities.append(e)
            names.append(n)
    entities = pd.concat(entities, ignore_index=True) if entities else pd.DataFrame(columns=common.ENTITY_COLUMNS)
    names = pd.concat(names, ignore_index=True) if names else pd.DataFrame(columns=common.NAME_COLUMNS)
    return common.finish(REGISTER, version, files, rows, entities, names, pd.DataFrame(columns=common.SITE_COLUMNS))
