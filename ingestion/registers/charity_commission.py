"""The Charity Commission for England and Wales register extract: every registered (and removed)
charity with its company number and contact postcode, and the names it also works under.

Published daily at register-of-charities.charitycommission.gov.uk/register/full-register-download
as tab-separated text files, each zipped: publicextract.charity.zip (the charities) and
publicextract.charity_other_names.zip (working and previous names). SVW_CHARITY_REGISTER names the
charity file (the other-names file beside it is read too when present) or the folder holding both.
A CSV with the same column names (the Trafford Data Lab's 'charities operating in Trafford') reads
the same way. Linked charities (linked_charity_number other than 0) share the main charity's number
and are folded into it. The version is the extract's own date (date_of_extract), else the file's
modification date.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingestion.readers import header_key
from ingestion.registers import common
from ingestion.registers.common import Columns

REGISTER = "charity_commission"
SETTING = "SVW_CHARITY_REGISTER"
FILE_PATTERNS = (r"publicextract\.charity(_other_names)?\.(txt|zip|csv)", r".*charit.*\.(csv|txt|zip)")

CHARITIES = Columns(
    wanted={
        "number": ("registered_charity_number",),
        "linked": ("linked_charity_number",),
        "name": ("charity_name",),
        "company": ("charity_company_registration_number",),
        "postcode": ("charity_contact_postcode",),
        "category": ("charity_type",),
        "status": ("charity_registration_status",),
        "extracted": ("date_of_extract",),
    },
    required=("number", "name"),
)
OTHER_NAMES = Columns(
    wanted={
        "number": ("registered_charity_number",),
        "linked": ("linked_charity_number",),
        "name_type": ("charity_name_type",),
        "name": ("charity_name",),
        "extracted": ("date_of_extract",),
    },
    required=("number", "name_type", "name"),
)


def _is_other_names(path: Path) -> bool:
    if "other_names" in path.name.lower():
        return True
    try:
        head = path.read_bytes()[:4096] if not path.name.lower().endswith(".zip") else b""
    except OSError:
        return False
    first = head.decode("utf-8", errors="replace").splitlines()[:1]
    return bool(first) and header_key("charity_name_type") in {
        header_key(c) for c in first[0].replace("\t", ",").split(",")
    }


def _main_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the main charity, not of its linked (subsidiary) charities."""
    if "linked" not in frame:
        return frame
    return frame[frame["linked"].isna() | frame["linked"].isin(["0", "0.0"])]


def _dates(values: pd.Series | None):
    if values is None:
        return []
    parsed = pd.to_datetime(values.dropna().str.slice(0, 10), errors="coerce", format="mixed", dayfirst=True)
    return [d.date() for d in parsed.dropna()]


def load(path: Path) -> common.RegisterTables:
    given = Path(path)
    files = common.register_files(given, FILE_PATTERNS, REGISTER)
    if given.is_file():
        files += [p for p in given.parent.glob("publicextract.charity_other_names.*") if p not in files]
    main_files = [f for f in files if not _is_other_names(f)]
    other_files = [f for f in files if _is_other_names(f)]
    if not main_files:
        raise common.RegisterError(f"{REGISTER}: no charity file (publicextract.charity.*) in {given}")
    chunks: list[pd.DataFrame] = []
    extracted: list = []
    rows = 0
    for file in main_files:
        for chunk in common.read_register_file(file, CHARITIES, REGISTER):
            rows += len(chunk)
            extracted += _dates(chunk.get("extracted"))
            chunks.append(_main_rows(chunk))
    charities = pd.concat(chunks, ignore_index=True)
    charities["number"] = common.charities(charities["number"])
    charities = charities.dropna(subset=["number"])
    entities = pd.DataFrame(
        {
            "entity_id": charities["number"],
            "record_key": [common.entity_key(REGISTER, n) for n in charities["number"]],
            "kind": "charity",
            "name": charities["name"],
            "name_key": common.keys_of(charities["name"]),
            "postcode": common.postcodes(charities["postcode"]) if "postcode" in charities else pd.NA,
            "address_type": common.OPERATOR_ADDRESS,
            "company_number": common.companies(charities["company"]) if "company" in charities else pd.NA,
            "charity_number": charities["number"],
            "category": charities.get("category"),
            "status": charities.get("status"),
        }
    )
    names = [entities[["entity_id", "name", "name_key"]].assign(name_type="current")]
    for file in other_files:
        for chunk in common.read_register_file(file, OTHER_NAMES, REGISTER):
            rows += len(chunk)
            extracted += _dates(chunk.get("extracted"))
            chunk = chunk.assign(number=common.charities(chunk["number"])).dropna(subset=["number", "name"])
            # 'Working Name' / 'Previous Name' as published -> 'working' / 'previous'
            kind = chunk["name_type"].str.lower().str.replace(" name", "", regex=False).str.strip()
            names.append(
                pd.DataFrame(
                    {
                        "entity_id": chunk["number"],
                        "name": chunk["name"],
                        "name_key": common.keys_of(chunk["name"]),
                        "name_type": kind.fillna("other"),
                    }
                )
            )
    version = common.file_version(REGISTER, files, extracted, "date_of_extract")
    return common.finish(
        REGISTER,
        version,
        files,
        rows,
        entities,
        pd.concat(names, ignore_index=True),
        pd.DataFrame(columns=common.SITE_COLUMNS),
    )
