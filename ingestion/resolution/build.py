"""Build the supplier tables dbt reads: records, payee->record keys, record->organisation links.

    data/raw/resolution/payee_records.parquet    (partner, supplier_ref, supplier_name) -> record_key
    data/raw/resolution/supplier_records.parquet one row per record: names, numbers, addresses, flags
    data/raw/resolution/supplier_links.parquet   record_key -> supplier_id, and how it was linked
    data/raw/resolution/flag_overrides.parquet   partners' SME/VCSE decisions

All name logic lives here (Python), so dbt only joins on keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from ingestion.resolution.classify import name_evidence, registration_evidence
from ingestion.resolution.names import name_key
from ingestion.resolution.resolve import Overrides, resolve


RESOLUTION_TABLES = ("payee_records", "supplier_records", "supplier_links", "flag_overrides")


class OverridesError(ValueError):
    pass


@dataclass
class OverridesFile:
    version: str
    overrides: Overrides
    flags: pd.DataFrame
    unmatched: list[str] = field(default_factory=list)


def record_key(partner: str, supplier_ref: str | None, name: str | None) -> str:
    if supplier_ref is not None and str(supplier_ref).strip():
        return f"{partner}:ref:{str(supplier_ref).strip()}"
    return f"{partner}:name:{name_key(name) or str(name).strip().upper()}"


def _key_of(entry: dict, where: str) -> str:
    if not isinstance(entry, dict) or "partner" not in entry or not ({"supplier_ref", "name"} & set(entry)):
        raise OverridesError(f"{where}: name a record as {{partner: ..., supplier_ref: ...}} or "
                             f"{{partner: ..., name: ...}}; got {entry!r}")
    return record_key(entry["partner"], entry.get("supplier_ref"), entry.get("name"))


def load_overrides(path: Path) -> OverridesFile:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    raw = raw or {}
    links = []
    for i, pair in enumerate(raw.get("force_link") or []):
        if not isinstance(pair, list) or len(pair) != 2:
            raise OverridesError(f"{path}: force_link entry {i + 1} must be a list of two records")
        links.append((_key_of(pair[0], f"{path}: force_link {i + 1}"), _key_of(pair[1], f"{path}: force_link {i + 1}")))
    splits = [_key_of(e, f"{path}: force_split {i + 1}") for i, e in enumerate(raw.get("force_split") or [])]
    flags = []
    for i, entry in enumerate(raw.get("classification") or []):
        where = f"{path}: classification {i + 1}"
        if "reason" not in entry:
            raise OverridesError(f"{where}: give a 'reason' for the decision")
        flags.append({"record_key": _key_of(entry, where), "is_sme": entry.get("is_sme"),
                      "is_vcse": entry.get("is_vcse"), "reason": entry["reason"],
                      "decided_on": str(entry.get("decided_on", ""))})
    flag_frame = pd.DataFrame(flags, columns=["record_key", "is_sme", "is_vcse", "reason", "decided_on"])
    return OverridesFile(version=str(raw.get("version", "unversioned")), overrides=Overrides(links, splits),
                         flags=flag_frame.astype({"is_sme": "boolean", "is_vcse": "boolean"}))


def _read(con, raw_dir: Path, feed: str, sql: str) -> pd.DataFrame:
    pattern = str(raw_dir / feed / "partner=*" / "period=*" / "rows.parquet")
    return con.execute(sql.replace("{rows}", "read_parquet(?, union_by_name = true)"), [pattern]).df()


def build_supplier_tables(raw_dir: Path, overrides: OverridesFile, classification_rules: dict) -> dict[str, pd.DataFrame]:
    con = duckdb.connect()
    listed = _read(con, raw_dir, "suppliers", """
        select partner_code, supplier_ref, supplier_name, postcode, postcode_district, address_type,
               company_number, charity_number, vat_number, is_sme, is_vcse,
               cast(loaded_at as date) as evidence_date
        from {rows} where partner_code <> '_none'""")
    payees = _read(con, raw_dir, "spend", """
        select partner_code, supplier_ref, supplier_name,
               any_value(company_number) as company_number, any_value(charity_number) as charity_number,
               any_value(vat_number) as vat_number, count(*) as payments,
               max(cast(loaded_at as date)) as evidence_date
        from {rows}
        where partner_code <> '_none' and not is_redacted and supplier_name is not null
        group by all""")
    con.close()

    payees["record_key"] = [record_key(p, r, n) for p, r, n in
                            zip(payees["partner_code"], payees["supplier_ref"], payees["supplier_name"])]
    listed["record_key"] = [record_key(p, r, n) for p, r, n in
                            zip(listed["partner_code"], listed["supplier_ref"], listed["supplier_name"])]
    listed = listed.drop_duplicates("record_key", keep="first")  # repeated identical rows
    listed["origin"] = "supplier_list"
    ledger_only = payees[~payees["record_key"].isin(set(listed["record_key"]))]
    ledger_only = (ledger_only.sort_values("payments", ascending=False)
                   .groupby("record_key", as_index=False)
                   .agg(partner_code=("partner_code", "first"), supplier_ref=("supplier_ref", "first"),
                        supplier_name=("supplier_name", "first"), company_number=("company_number", "first"),
                        charity_number=("charity_number", "first"), vat_number=("vat_number", "first"),
                        evidence_date=("evidence_date", "max")))
    ledger_only["origin"] = "ledger"
    records = pd.concat([listed, ledger_only], ignore_index=True)
    for column in ("postcode", "postcode_district", "address_type"):
        records[column] = records[column].astype("string")
    records["address_type"] = records["address_type"].fillna("supplier_list")
    records["registration_vcse_evidence"] = registration_evidence(records, classification_rules)
    records["name_vcse_evidence"] = name_evidence(records, classification_rules)
    links = resolve(records.rename(columns={"supplier_name": "name"}), overrides.overrides)
    known = set(records["record_key"])
    named = {k for pair in overrides.overrides.force_link for k in pair} | set(overrides.overrides.force_split) \
        | set(overrides.flags["record_key"])
    overrides.unmatched = sorted(named - known)
    return {
        "payee_records": payees[["partner_code", "supplier_ref", "supplier_name", "record_key"]],
        "supplier_records": records[["record_key", "origin", "partner_code", "supplier_ref", "supplier_name",
                                     "postcode", "postcode_district", "address_type", "company_number",
                                     "charity_number", "vat_number", "is_sme", "is_vcse",
                                     "registration_vcse_evidence", "name_vcse_evidence", "evidence_date"]],
        "supplier_links": links,
        "flag_overrides": overrides.flags.assign(overrides_version=overrides.version),
    }


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, frame in tables.items():
        tmp = folder / f".{name}.parquet.tmp"
        frame.to_parquet(tmp, index=False)
        tmp.replace(folder / f"{name}.parquet")
        counts[name] = len(frame)
    return counts
