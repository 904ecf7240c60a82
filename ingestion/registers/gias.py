"""DfE Get Information About Schools: every school and college (establishment) with the academy trust
that runs it, and the trust's company number.

Published daily at get-information-schools.service.gov.uk/Downloads:

* establishment fields, edubasealldataYYYYMMDD.csv (URN, EstablishmentName, EstablishmentStatus (name),
  Postcode, Trusts (code), Trusts (name), ...);
* all group records, allgroupsdataYYYYMMDD.csv (Group UID, Group Name, Companies House Number,
  Group Contact Postcode, ...): the trusts, with the company number each academy trust has as a
  charitable company. 'Trusts (code)' in the establishment file is the trust's Group UID.

SVW_GIAS names the establishment file (a groups file beside it is read too) or the folder holding both.
The Trafford Data Lab's schools extract (name, unique_reference_number, postcode, sponsoring_trust, ...)
reads too; its trusts are then known by name, without a company number. Closed establishments are
kept (their names stay in the register) but never resolve a payee: a school that became an academy
closes under its old URN and opens under a new one with the same name. The version is the date in
the file names, else the file's modification date.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingestion.registers import common
from ingestion.registers.common import Columns, RegisterError

REGISTER = "gias"
SETTING = "SVW_GIAS"
FILE_PATTERNS = (r"edubase.*\.(csv|zip)", r".*groups.*\.(csv|zip)", r".*schools.*\.csv")

ESTABLISHMENTS = Columns(
    wanted={
        "site_id": ("URN", "unique_reference_number"),
        "site_name": ("EstablishmentName", "name"),
        "postcode": ("Postcode", "postcode"),
        "status": ("EstablishmentStatus (name)",),
        "trust_code": ("Trusts (code)",),
        "trust_name": ("Trusts (name)", "sponsoring_trust"),
        "trust_company": ("Companies House Number",),
    },
    required=("site_id", "site_name"),
)
GROUPS = Columns(
    wanted={
        "uid": ("Group UID",),
        "name": ("Group Name",),
        "company": ("Companies House Number",),
        "postcode": ("Group Contact Postcode",),
        "status": ("Status", "Group Status"),
    },
    required=("uid", "name"),
)


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column the file may not have (the Trafford extract has no trust codes): missing throughout."""
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype="string")


def _is_groups_file(path: Path) -> bool:
    try:
        next(common.read_register_file(path, GROUPS, REGISTER, chunk_rows=1))
        return True
    except (RegisterError, StopIteration):
        return False


def load(path: Path) -> common.RegisterTables:
    given = Path(path)
    files = common.register_files(given, FILE_PATTERNS, REGISTER)
    if given.is_file():
        files += [p for p in given.parent.glob("*groups*") if p.is_file() and p not in files]
    group_files = [f for f in files if _is_groups_file(f)]
    establishment_files = [f for f in files if f not in group_files]
    if not establishment_files:
        raise RegisterError(f"{REGISTER}: no establishment file (edubasealldata*.csv) in {given}")
    rows = pd.concat(
        [c for f in establishment_files for c in common.read_register_file(f, ESTABLISHMENTS, REGISTER)],
        ignore_index=True,
    )
    read = len(rows)
    groups = (
        pd.concat([c for f in group_files for c in common.read_register_file(f, GROUPS, REGISTER)], ignore_index=True)
        if group_files
        else pd.DataFrame(columns=list(GROUPS.wanted))
    )
    read += len(groups)
    rows = rows.dropna(subset=["site_id", "site_name"]).reset_index(drop=True)
    trust_keys = common.keys_of(column(rows, "trust_name"))
    # A trust is its Group UID where the file gives one, else its name (the Trafford extract).
    operator = [
        f"trust:{code}"
        if isinstance(code, str) and code != "0"
        else (f"trust-name:{key}" if isinstance(key, str) else None)
        for code, key in zip(column(rows, "trust_code"), trust_keys)
    ]
    rows["operator_id"] = pd.Series(operator, index=rows.index, dtype="string")
    group = {f"trust:{uid}": g for uid, g in zip(groups["uid"], groups.to_dict("records"))} if len(groups) else {}
    trusts = rows.dropna(subset=["operator_id"]).drop_duplicates("operator_id")
    found = [{k: common.text(v) for k, v in group.get(e, {}).items()} for e in trusts["operator_id"]]
    entities = pd.DataFrame(
        {
            "entity_id": trusts["operator_id"].to_numpy(),
            "record_key": [common.entity_key(REGISTER, e) for e in trusts["operator_id"]],
            "kind": "academy_trust",
            "name": [g.get("name") or n for g, n in zip(found, column(trusts, "trust_name"))],
            "postcode": [g.get("postcode") for g in found],
            "address_type": common.OPERATOR_ADDRESS,
            "company_number": [
                g.get("company") or common.text(c) for g, c in zip(found, column(trusts, "trust_company"))
            ],
            "charity_number": None,
            "category": "academy trust",
            "status": [g.get("status") for g in found],
        }
    )
    entities["postcode"] = common.postcodes(entities["postcode"].astype("string"))
    entities["company_number"] = common.companies(entities["company_number"].astype("string"))
    entities["name_key"] = common.keys_of(entities["name"].astype("string"))
    names = entities[["entity_id", "name", "name_key"]].assign(name_type="current")
    status = rows["status"].str.lower() if "status" in rows else pd.Series("", index=rows.index)
    sites = pd.DataFrame(
        {
            "site_id": rows["site_id"],
            "record_key": [common.site_key(REGISTER, s) for s in rows["site_id"]],
            "name": rows["site_name"],
            "name_key": common.keys_of(rows["site_name"]),
            "name_type": "site",
            "postcode": common.postcodes(rows["postcode"]) if "postcode" in rows else pd.NA,
            "operator_id": rows["operator_id"],
            "is_open": ~status.fillna("").str.startswith("closed"),
        }
    )
    version = common.file_version(REGISTER, files)
    return common.finish(REGISTER, version, files, read, entities, names, sites)
