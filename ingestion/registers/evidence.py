"""Turn the registers supplied into supplier records and links for resolution.

What a register says, and what it is allowed to decide:

* **A site and its operator** (a CQC location and its provider, a school and its academy trust): the
  site record and the operator record are joined with link method `register_site`. A partner record
  whose name key is a site's name joins the site (`register_name`), so a care home paid under its
  own name resolves to the provider that runs it, for classification and the GBP 25k rule.
* **Names an organisation is also known by** (Companies House previous names, Charity Commission
  working and other names, an operator's own name): a partner record named by one of them joins the
  register record that carries the number (`register_name`), and through the number the partner
  records that carry it.
* **Numbers**: a register record carries its company and charity numbers; resolution's number rule
  joins it to the partner records with the same number. A charity's linked company number, an
  academy trust's company number, a provider's numbers (HSCA file) join registers to each other.

A register record enters only when partner records reach it (by a site's name, a number, or an
operator's name): the registers are national, the warehouse holds the organisations partners pay.

Name matches are held to what a name alone can say:

* a site name several operators use ('The Grange') decides nothing, unless the partner record's
  postcode picks out one operator's site; a name shared with an establishment that has no operator
  (a maintained school) is as ambiguous;
* a partner record with a postcode that is neither the site's nor its operator's is not that site;
* a one-word name ('Broadway') needs the postcode to agree;
* a previous or other name that is another organisation's current name in the same register is not
  used (names are reused after a change);
* a name key that points at two organisations (across registers too) links to neither.
Every link keeps the register's version (the file's date) on it: resolution writes it as
`register_version` on supplier_links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingestion.missing import values_or_none
from ingestion.normalise import normalise_postcodes
from ingestion.registers import read_register_tables, registers_supplied
from ingestion.registers.common import RegisterTables, entity_key
from ingestion.resolution.identifiers import charity_number, company_number
from ingestion.resolution.names import name_key

OPERATOR_KINDS = ("care_provider", "academy_trust")
SITE_METHOD = "register_site"
NAME_METHOD = "register_name"


@dataclass
class Evidence:
    records: pd.DataFrame
    edges: list[tuple[str, str, str, float]] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def record_keys(self) -> set[str]:
        return set(self.records["record_key"]) if len(self.records) else set()

    @classmethod
    def none(cls) -> Evidence:
        return cls(records=pd.DataFrame(columns=["record_key"]))

    def with_records(self, records: pd.DataFrame) -> pd.DataFrame:
        """The partner records followed by the register records, in the partner records' columns and
        types, with `register` and `register_version` (missing on partner records)."""
        records = records.assign(
            register=pd.Series(pd.NA, index=records.index, dtype="string"),
            register_version=pd.Series(pd.NA, index=records.index, dtype="string"),
        )
        if not len(self.records):
            return records
        extra = pd.DataFrame(index=self.records.index)
        for column in records.columns:
            values = self.records[column] if column in self.records else pd.Series(pd.NA, index=extra.index)
            dtype = records[column].dtype
            extra[column] = values.astype(dtype)
        return pd.concat([records, extra], ignore_index=True)

    def stamp(self, links: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
        """Each link's register version: the register of the record itself, else of the record it was
        linked to (missing when neither is a register record)."""
        version = records.dropna(subset=["register_version"]).set_index("record_key")["register_version"]
        own = links["record_key"].map(version)
        other = links["linked_to"].map(version)
        return links.assign(register_version=own.fillna(other).astype("string"))


class _Groups:
    """Register entities that share a company or charity number are one organisation."""

    def __init__(self, entities: pd.DataFrame):
        self.parent = {k: k for k in entities["record_key"]}
        for column in ("company_number", "charity_number"):
            for _, keys in entities.dropna(subset=[column]).groupby(column)["record_key"]:
                keys = list(keys)
                for other in keys[1:]:
                    self.parent[self.find(other)] = self.find(keys[0])

    def find(self, key: str) -> str:
        while self.parent.setdefault(key, key) != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key


def _partner_view(records: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_key": records["record_key"].astype(str),
            "key": [name_key(n) if isinstance(n, str) else None for n in values_or_none(records["supplier_name"])],
            "postcode": normalise_postcodes(records["postcode"].astype("string")).to_numpy(),
            "company": [
                company_number(v) if isinstance(v, str) else None for v in values_or_none(records["company_number"])
            ],
            "charity": [
                charity_number(v) if isinstance(v, str) else None for v in values_or_none(records["charity_number"])
            ],
        }
    )


def _ambiguous(orgs: set[str], numbered: set[str], by_entity: pd.DataFrame) -> bool:
    """Does one name point at more than one organisation? Two that carry numbers are two; two
    without numbers in one register are two. One without numbers (a CQC directory provider, a trust
    known by name) beside one with numbers in another register is the same organisation seen by
    two registers, and the number check in resolution still guards the join."""
    if len(orgs & numbered) > 1:
        return True
    unnumbered = [by_entity.at[o, "register"] for o in orgs - numbered]
    return len(unnumbered) != len(set(unnumbered))


def registers_reached(folder: Path, records: pd.DataFrame) -> RegisterTables:
    """The rows of the register tables in `folder` that these partner records can reach (by name key
    or number); empty when no register was supplied."""
    if not registers_supplied(folder):
        return RegisterTables()  # no register supplied: nothing to reach, and no view of 1.3M records to build
    partners = _partner_view(records)
    return read_register_tables(
        folder,
        keys=set(partners["key"].dropna()),
        companies=set(partners["company"].dropna()),
        charities=set(partners["charity"].dropna()),
    )


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def register_evidence(records: pd.DataFrame, registers: RegisterTables) -> Evidence:
    """records: the partner records (record_key, supplier_name, postcode, company_number,
    charity_number). Returns the register records they reach, the edges, and counts of what was
    matched and what was held back."""
    if registers.empty or records.empty:
        return Evidence.none()
    partners = _partner_view(records)
    entities = registers.entities.drop_duplicates("record_key").reset_index(drop=True)
    by_entity = entities.set_index("record_key")
    groups = _Groups(entities)
    sites = registers.sites.copy()
    sites["operator_key"] = [
        entity_key(r, o) if isinstance(o, str) else None for r, o in zip(sites["register"], sites["operator_id"])
    ]
    # a site without an operator (a maintained school) is an organisation of its own
    sites["org"] = [
        groups.find(o) if isinstance(o, str) else f"lone:{k}"
        for o, k in zip(sites["operator_key"], sites["record_key"])
    ]
    open_sites = sites[sites["is_open"].fillna(True).astype(bool)]
    sites_by_key = {k: g for k, g in open_sites.groupby("name_key")}
    names = registers.names.assign(
        entity_key=[entity_key(r, e) for r, e in zip(registers.names["register"], registers.names["entity_id"])]
    )
    names = names[names["entity_key"].isin(by_entity.index)]
    current = entities.dropna(subset=["name_key"]).groupby(["register", "name_key"])["record_key"].apply(set).to_dict()
    names_by_key = {k: g for k, g in names.groupby("name_key")}
    # organisations that carry a number, whose numbers would conflict with another's
    numbered = {
        groups.find(k)
        for k, c, h in zip(entities["record_key"], entities["company_number"], entities["charity_number"])
        if _text(c) or _text(h)
    }
    counts = {
        "partner_records_to_sites": 0,
        "ambiguous_names": 0,
        "postcode_disagrees": 0,
        "one_word_names_without_postcode": 0,
        "reused_names_not_used": 0,
    }

    def operator_postcode(key):
        return _text(by_entity["postcode"].get(key)) if isinstance(key, str) and key in by_entity.index else None

    # 1. Which sites each partner record names.
    site_choice: dict[str, pd.DataFrame] = {}
    for record, key, postcode in zip(partners["record_key"], partners["key"], partners["postcode"]):
        candidates = sites_by_key.get(key) if key else None
        if candidates is None:
            continue
        postcode = _text(postcode)
        local = candidates[candidates["postcode"] == postcode] if postcode else candidates.iloc[0:0]
        agrees = bool(len(local)) or (
            postcode is not None and any(operator_postcode(o) == postcode for o in candidates["operator_key"])
        )
        if candidates["org"].nunique() == 1:
            chosen = candidates
            if postcode and not agrees:
                counts["postcode_disagrees"] += 1
                continue
        elif len(local) and local["org"].nunique() == 1:
            chosen = local
        else:
            counts["ambiguous_names"] += 1
            continue
        if chosen["org"].iloc[0].startswith("lone:"):
            continue  # a site nobody operates resolves nothing
        if len(key.split(" ")) == 1 and not agrees:
            counts["one_word_names_without_postcode"] += 1
            continue
        site_choice[record] = chosen

    # 2. Organisations in play: those whose sites were named, and those carrying a partner's number.
    in_play = {g for chosen in site_choice.values() for g in chosen["org"]}
    partner_companies = set(partners["company"].dropna())
    partner_charities = set(partners["charity"].dropna())
    carrying = entities[
        entities["company_number"].isin(partner_companies) | entities["charity_number"].isin(partner_charities)
    ]
    in_play |= {groups.find(k) for k in carrying["record_key"]}

    # 3. Names: an organisation in play is known by all its names; an operator by its own name.
    edges: list[tuple[str, str, str, float]] = []
    for record, key, postcode in zip(partners["record_key"], partners["key"], partners["postcode"]):
        targets: dict[str, str] = {}  # register record -> organisation
        if record in site_choice:
            targets.update(zip(site_choice[record]["record_key"], site_choice[record]["org"]))
        candidates = names_by_key.get(key) if key else None
        if candidates is not None:
            for entity, name_type, register in zip(
                candidates["entity_key"], candidates["name_type"], candidates["register"]
            ):
                org = groups.find(entity)
                if org not in in_play and by_entity.at[entity, "kind"] not in OPERATOR_KINDS:
                    continue
                if name_type != "current" and any(groups.find(o) != org for o in current.get((register, key), ())):
                    counts["reused_names_not_used"] += 1
                    continue
                if len(key.split(" ")) == 1 and (
                    not _text(postcode) or _text(by_entity.at[entity, "postcode"]) != postcode
                ):
                    counts["one_word_names_without_postcode"] += 1
                    continue
                targets[entity] = org
        if not targets:
            continue
        if _ambiguous(set(targets.values()), numbered, by_entity):
            counts["ambiguous_names"] += 1
            site_choice.pop(record, None)
            continue
        in_play |= set(targets.values())
        edges += [(record, target, NAME_METHOD, 100.0) for target in sorted(targets)]
    counts["partner_records_to_sites"] = sum(1 for r in site_choice if any(e[0] == r for e in edges))

    # 4. The register records: every entity of an organisation in play, and the sites named.
    named_sites = sites[sites["record_key"].isin({t for _, t, _, _ in edges})]
    chosen_sites = named_sites.sort_values(["record_key", "name_type"]).drop_duplicates("record_key")
    chosen_entities = entities[[groups.find(k) in in_play for k in entities["record_key"]]]
    site_edges = [
        (s, o, SITE_METHOD, 100.0)
        for s, o in zip(chosen_sites["record_key"], chosen_sites["operator_key"])
        if isinstance(o, str) and o in set(chosen_entities["record_key"])
    ]
    versions = registers.versions.set_index("register_version")["version_date"]
    out = pd.concat(
        [
            pd.DataFrame(
                {
                    "record_key": chosen_entities["record_key"],
                    "origin": "register_entity",
                    "supplier_name": chosen_entities["name"],
                    "postcode": chosen_entities["postcode"],
                    "address_type": chosen_entities["address_type"],
                    "company_number": chosen_entities["company_number"],
                    "charity_number": chosen_entities["charity_number"],
                    "register": chosen_entities["register"],
                    "register_version": chosen_entities["register_version"],
                }
            ),
            pd.DataFrame(
                {
                    "record_key": chosen_sites["record_key"],
                    "origin": "register_site",
                    "supplier_name": chosen_sites["name"],
                    "postcode": chosen_sites["postcode"],
                    "address_type": "register_site",
                    "company_number": pd.NA,
                    "charity_number": pd.NA,
                    "register": chosen_sites["register"],
                    "register_version": chosen_sites["register_version"],
                }
            ),
        ],
        ignore_index=True,
    )
    out["evidence_date"] = [pd.Timestamp(versions[v]).date() for v in out["register_version"]]
    counts.update(
        register_records=len(out),
        register_sites=len(chosen_sites),
        register_site_links=len(site_edges),
        register_name_links=len(edges),
    )
    # The register's own facts first, then the partner records named as a register names them.
    return Evidence(records=out.sort_values("record_key", ignore_index=True), edges=site_edges + edges, summary=counts)
