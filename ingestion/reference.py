"""Write the reference tables dbt reads: partners, reporting units, boroughs, postcodes, rules.

Configuration reaches dbt as data (Parquet beside the raw feeds) rather than as dbt variables, so the
rule version that produced a figure is a column that travels with it, and a dbt build by hand sees
exactly what the pipeline saw.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import get_origin, get_type_hints

import pandas as pd

from ingestion.deprivation import read_editions, read_geography_lookups
from ingestion.frameworks import read_framework, read_gm_priorities
from ingestion.geography import read_postcode_directory
from ingestion.registry import RULE_SECTIONS, Registry, Rules, RuleSection

REFERENCE_TABLES = (
    "partners",
    "reporting_unit_members",
    "reporting_unit_home_lads",
    "lads",
    "postcodes",
    "address_preference",
    "framework_measures",
    "gm_priorities",
    "lsoa_wards",
    "lsoa_changes",
    "output_areas",
    "deprivation",
    "deprivation_editions",
    # one per rules.yml section (rule_table)
    *(section.TABLE for section in RULE_SECTIONS),
)


def reference_tables(
    registry: Registry,
    rules: Rules,
    config_dir: Path,
    postcode_directory: Path,
    framework: Path | None = None,
    lsoa_boundaries: Path | None = None,
    deprivation_dir: Path | None = None,
) -> dict[str, pd.DataFrame]:
    partners = pd.DataFrame(
        [
            {
                "partner_code": p.code,
                "partner_name": p.name,
                "partner_type": p.type,
                "home_lad_codes": ",".join(p.home_lad_codes),
                "groups": ",".join(p.groups),
            }
            for p in registry.partners.values()
        ]
    )
    members = [
        {"reporting_unit": p.code, "reporting_unit_type": "partner", "partner_code": p.code}
        for p in registry.partners.values()
    ]
    members += [
        {"reporting_unit": g.code, "reporting_unit_type": "group", "partner_code": m}
        for g in registry.groups.values()
        for m in g.members
    ]
    home = [{"reporting_unit": p.code, "lad_code": lad} for p in registry.partners.values() for lad in p.home_lad_codes]
    home += [{"reporting_unit": g.code, "lad_code": lad} for g in registry.groups.values() for lad in g.home_lad_codes]
    lads = pd.read_csv(config_dir / "reference" / "lad.csv", dtype={"lad_code": str, "lad_name": str})
    lads["in_gm"] = lads["in_gm"].astype(str).str.lower().eq("true")
    preference = rules.local_spend.address_preference
    address_preference = pd.DataFrame({"address_type": preference, "preference_rank": range(1, len(preference) + 1)})
    editions, deciles = read_editions(deprivation_dir or config_dir / "reference" / "deprivation", rules.deprivation)
    return {
        **rule_tables(rules),
        **read_geography_lookups(config_dir),
        "deprivation": deciles,
        "deprivation_editions": editions,
        "framework_measures": read_framework(framework or config_dir / "frameworks" / "demo_framework.csv"),
        "gm_priorities": read_gm_priorities(config_dir / "gm_priorities.csv"),
        "address_preference": address_preference,
        "partners": partners,
        "reporting_unit_members": pd.DataFrame(members),
        "reporting_unit_home_lads": pd.DataFrame(home),
        "lads": lads,
        "postcodes": read_postcode_directory(postcode_directory, lsoa_boundaries),
    }


# A field's Python type -> the column type dbt sees (Parquet int32 reads as INTEGER, float64 as DOUBLE;
# a list of strings as VARCHAR[]).
_COLUMN_DTYPES = {bool: "bool", int: "int32", float: "float64", str: "object"}


def rule_table(section: RuleSection) -> pd.DataFrame:
    """One row, a column per field of the section's dataclass: the one route every rule parameter
    takes into dbt, so a new field reaches stg_reference__<table> with no code here. `version`
    becomes `rule_version`, the name every mart carries."""
    hints = get_type_hints(type(section))
    row: dict[str, object] = {}
    dtypes: dict[str, str] = {}
    for spec in fields(section):
        value, kind = getattr(section, spec.name), hints[spec.name]
        column = "rule_version" if spec.name == "version" else spec.name
        row[column] = list(value) if get_origin(kind) is tuple else value
        dtypes[column] = "object" if get_origin(kind) is tuple else _COLUMN_DTYPES[kind]
    return pd.DataFrame([row]).astype(dtypes)


def rule_tables(rules: Rules) -> dict[str, pd.DataFrame]:
    return {section.TABLE: rule_table(section) for section in rules.sections()}
