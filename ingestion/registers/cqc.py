"""The Care Quality Commission's register of care locations, each with its provider (operator).

Two published files, both from www.cqc.org.uk/about-us/transparency/using-cqc-data, updated monthly:

* the care directory, DD_Month_YYYY_CQC_directory.csv (four title lines, then Name, Also known as,
  Address, Postcode, ..., Provider name, Local authority, Region, Location URL,
  CQC Location ID (for office use only), CQC Provider ID (for office use only));
* HSCA Active Locations, DD_Month_YYYY_HSCA_Active_Locations.ods (Location ID, Location Name,
  Location Postal Code, ..., Provider ID, Provider Name, Provider Companies House Number,
  Provider Charity Number, Provider Postal Code, ...): the one that gives the provider's company
  and charity numbers. It is published as .ods: save it as .xlsx or CSV to read it here.

The Trafford Data Lab's extract of the directory (name, cqc_id, postcode, provider, ...; no provider
ID, and an area_code that is wrong on every row, which is not read) reads too: its provider is then
known by name. SVW_CQC_LOCATIONS names the file. The version is the date in the file name, else the
file's modification date.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingestion.registers import common
from ingestion.registers.common import Columns

REGISTER = "cqc"
SETTING = "SVW_CQC_LOCATIONS"
FILE_PATTERNS = (
    r".*CQC_directory\.(csv|zip)",
    r".*HSCA.*Active.*Locations.*\.(csv|xlsx|ods|zip)",
    r".*care_homes.*\.csv",
)

COLUMNS = Columns(
    wanted={
        "site_id": (
            "CQC Location ID (for office use only)",
            "CQC Location (for office use only",
            "Location ID",
            "cqc_id",
        ),
        "site_name": ("Location Name", "Name", "name"),
        "also_known_as": ("Also known as",),
        "postcode": ("Location Postal Code", "Postcode", "postcode"),
        "provider_id": ("CQC Provider ID (for office use only)", "Provider ID"),
        "provider_name": ("Provider Name", "Provider name", "provider"),
        "provider_company": ("Provider Companies House Number",),
        "provider_charity": ("Provider Charity Number",),
        "provider_postcode": ("Provider Postal Code",),
    },
    required=("site_id", "site_name", "provider_name"),
)


def load(path: Path) -> common.RegisterTables:
    files = common.register_files(path, FILE_PATTERNS, REGISTER)
    frames = [chunk for file in files for chunk in common.read_register_file(file, COLUMNS, REGISTER)]
    rows = pd.concat(frames, ignore_index=True)
    read = len(rows)
    rows = rows.dropna(subset=["site_id", "site_name", "provider_name"])
    provider_keys = common.keys_of(rows["provider_name"])
    if "provider_id" in rows:
        operator = rows["provider_id"].map(lambda v: f"provider:{v}" if isinstance(v, str) else None)
    else:
        operator = pd.Series(None, index=rows.index, dtype="object")
    # Without a provider ID (the Trafford extract) the provider is known by its name.
    operator = operator.fillna(provider_keys.map(lambda k: f"provider-name:{k}" if isinstance(k, str) else None))
    rows = rows.assign(operator_id=operator)
    # one row per provider, each column from the first row that gives it (a folder may hold both files)
    providers = rows.groupby("operator_id", as_index=False, sort=True).first()
    entities = pd.DataFrame(
        {
            "entity_id": providers["operator_id"],
            "record_key": [common.entity_key(REGISTER, e) for e in providers["operator_id"]],
            "kind": "care_provider",
            "name": providers["provider_name"],
            "name_key": common.keys_of(providers["provider_name"]),
            "postcode": common.postcodes(providers["provider_postcode"]) if "provider_postcode" in providers else pd.NA,
            "address_type": common.OPERATOR_ADDRESS,
            "company_number": common.companies(providers["provider_company"])
            if "provider_company" in providers
            else pd.NA,
            "charity_number": common.charities(providers["provider_charity"])
            if "provider_charity" in providers
            else pd.NA,
            "category": pd.NA,
            "status": "registered",
        }
    )
    names = entities[["entity_id", "name", "name_key"]].assign(name_type="current")
    site_rows = [
        pd.DataFrame(
            {
                "site_id": rows["site_id"],
                "name": rows["site_name"],
                "name_key": common.keys_of(rows["site_name"]),
                "name_type": "site",
            }
        )
    ]
    if "also_known_as" in rows:
        known = rows.dropna(subset=["also_known_as"])
        site_rows.append(
            pd.DataFrame(
                {
                    "site_id": known["site_id"],
                    "name": known["also_known_as"],
                    "name_key": common.keys_of(known["also_known_as"]),
                    "name_type": "also_known_as",
                }
            )
        )
    by_site = rows.drop_duplicates("site_id").set_index("site_id")
    sites = pd.concat(site_rows, ignore_index=True)
    sites["record_key"] = [common.site_key(REGISTER, s) for s in sites["site_id"]]
    sites["postcode"] = common.postcodes(
        sites["site_id"].map(by_site["postcode"]) if "postcode" in by_site else pd.Series(pd.NA, index=sites.index)
    ).to_numpy()
    sites["operator_id"] = sites["site_id"].map(by_site["operator_id"]).to_numpy()
    sites["is_open"] = True  # both files list active registrations only
    version = common.file_version(REGISTER, files)
    return common.finish(REGISTER, version, files, read, entities, names, sites)
