"""Write the reference tables dbt reads: partners, reporting units, boroughs, postcodes, rules.

Configuration reaches dbt as data (Parquet beside the raw feeds) rather than as dbt variables, so the
rule version that produced a figure is a column that travels with it, and a dbt build by hand sees
exactly what the pipeline saw.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingestion.frameworks import read_framework, read_gm_priorities
from ingestion.geography import read_postcode_directory
from ingestion.registry import Registry, Rules

REFERENCE_TABLES = (
    "partners",
    "reporting_unit_members",
    "reporting_unit_home_lads",
    "lads",
    "postcodes",
    "local_spend_rule",
    "address_preference",
    "supplier_classification_rule",
    "framework_measures",
    "gm_priorities",
    "social_value_rule",
    "coverage_rule",
    "identity_check_rule",
)


def reference_tables(
    registry: Registry, rules: Rules, config_dir: Path, postcode_directory: Path, framework: Path | None = None
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
    ls = rules.local_spend
    rule = pd.DataFrame(
        [
            {
                "rule_version": ls["version"],
                "threshold_gbp": float(ls["threshold_gbp"]),
                "threshold_basis": ls["threshold_basis"],
                "share_denominator": ls["share_denominator"],
                "address_rule": ls["address_rule"] + ":" + ">".join(ls["address_preference"]),
                "district_fallback": bool(ls.get("district_fallback", True)),
                "redacted_payees": ls["redacted_payees"],
                "part_year_threshold": ls["part_year_threshold"],
            }
        ]
    )
    address_preference = pd.DataFrame(
        {"address_type": ls["address_preference"], "preference_rank": range(1, len(ls["address_preference"]) + 1)}
    )
    classification = pd.DataFrame([{"rule_version": rules.supplier_classification["version"]}])
    sv = rules.social_value
    sv_rule = pd.DataFrame(
        [
            {
                "rule_version": sv["version"],
                "weighting_min_contract_value_gbp": float(sv["weighting_min_contract_value_gbp"]),
                "secured_min_contract_value_gbp": float(sv["secured_min_contract_value_gbp"]),
                "portal_disagreement_pct": float(sv["portal_disagreement_pct"]),
                "delivered_evidence_status": ",".join(sv["delivered_evidence_status"]),
                "delivery_red_ratio": float(sv["delivery_red_ratio"]),
                "delivery_amber_ratio": float(sv["delivery_amber_ratio"]),
                "bid_status_source": sv["bid_status_source"],
            }
        ]
    )
    cov = rules.coverage
    coverage_rule = pd.DataFrame(
        [
            {
                "rule_version": cov["version"],
                "min_located_spend_pct": float(cov["min_located_spend_pct"]),
                "min_recent_return_pct": float(cov["min_recent_return_pct"]),
                "delivery_return_window_months": int(cov["delivery_return_window_months"]),
            }
        ]
    )
    identity = rules.identity_checks
    identity_check_rule = pd.DataFrame(
        [
            {
                "rule_version": identity["version"],
                "max_unrelated_names_per_record": int(identity["max_unrelated_names_per_record"]),
                "max_in_scope_gap_pct": float(identity["max_in_scope_gap_pct"]),
            }
        ]
    )
    return {
        "coverage_rule": coverage_rule,
        "identity_check_rule": identity_check_rule,
        "framework_measures": read_framework(framework or config_dir / "frameworks" / "demo_framework.csv"),
        "gm_priorities": read_gm_priorities(config_dir / "gm_priorities.csv"),
        "social_value_rule": sv_rule,
        "address_preference": address_preference,
        "supplier_classification_rule": classification,
        "partners": partners,
        "reporting_unit_members": pd.DataFrame(members),
        "reporting_unit_home_lads": pd.DataFrame(home),
        "lads": lads,
        "postcodes": read_postcode_directory(postcode_directory),
        "local_spend_rule": rule,
    }
