"""The register loaders on the real Trafford extracts (../shared/data/real/gm_reference_2025/registers/,
read in place): CQC care homes with their provider's name, schools with their trust's name, charities
with their company numbers. They are small cuts of the national registers, in the Trafford Data
Lab's layout; what they show is real: sites whose names share nothing with their operator's."""

from __future__ import annotations

import pandas as pd

from ingestion.registers import LOADERS
from ingestion.registers.evidence import register_evidence
from ingestion.resolution.resolve import resolve


def _folder(real_data):
    return real_data / "gm_reference_2025" / "registers"


def _resolve(records: pd.DataFrame, registers) -> tuple[pd.DataFrame, object]:
    """As build_supplier_tables does: partner and register records resolved together, each link
    stamped with the register version that made it."""
    evidence = register_evidence(records, registers)
    every = evidence.with_records(records)
    links = resolve(
        every.rename(columns={"supplier_name": "name"}),
        register_edges=evidence.edges,
        register_keys=evidence.record_keys,
        probabilistic=False,
    )
    return evidence.stamp(links, every).set_index("record_key"), evidence


def _payees(names, postcodes=None) -> pd.DataFrame:
    postcodes = list(postcodes) if postcodes is not None else [None] * len(names)
    return pd.DataFrame(
        {
            "record_key": [f"trafford:name:{i}" for i in range(len(names))],
            "supplier_name": list(names),
            "postcode": postcodes,
            "company_number": None,
            "charity_number": None,
        }
    )


def test_trafford_care_homes_resolve_to_their_providers(real_data):
    registers = LOADERS["cqc"].load(_folder(real_data) / "trafford_care_homes.csv")
    version = registers.versions.iloc[0]
    assert version["version_source"] == "file_modified"  # the extract's name carries no date
    assert version["rows_read"] == 56 and "area_code" not in registers.sites  # the wrong column is not read
    sites = registers.sites
    assert len(sites) == 56 and sites["operator_id"].notna().all()

    # Paid under the home's name and postcode, as a partner's supplier list would give them
    links, evidence = _resolve(_payees(sites["name"], sites["postcode"]), registers)

    def operator_org(operator):  # an operator only enters when a partner record reaches it
        key = f"register:cqc:{operator}"
        return links.at[key, "supplier_id"] if key in links.index else None

    resolved = pd.Series(
        [links.at[f"trafford:name:{i}", "supplier_id"] == operator_org(o) for i, o in enumerate(sites["operator_id"])],
        index=sites.index,
    )
    # Two homes are listed twice, under the provider before and after a change of operator, at the
    # same address: nothing in the register says which one a payment went to.
    assert sorted(set(sites.loc[~resolved, "name"])) == ["Halecroft Grange", "Oakfield Croft"]
    assert set(
        links.loc[[f"trafford:name:{i}" for i in range(len(sites)) if resolved.iloc[i]], "register_version"]
    ) == {version["register_version"]}
    stockdales = sites[sites["operator_id"].str.contains("STOCKDALES")]
    assert len(stockdales) == 5 and len({operator_org(o) for o in stockdales["operator_id"]}) == 1

    # Paid under the name alone (a ledger): one-word names ('Broadway', 'Fownhope') say too little
    links, evidence = _resolve(_payees(sites["name"]), registers)
    one_word = sites["name_key"].str.split(" ").str.len() == 1
    for i, operator in enumerate(sites["operator_id"]):
        if resolved.iloc[i]:
            to_operator = links.at[f"trafford:name:{i}", "supplier_id"] == operator_org(operator)
            assert to_operator != one_word.iloc[i], sites.iloc[i]["name"]
    assert evidence.summary["one_word_names_without_postcode"] == one_word.sum() == 5


def test_trafford_academies_resolve_to_their_trusts(real_data):
    registers = LOADERS["gias"].load(_folder(real_data) / "trafford_schools_and_colleges.csv")
    sites = registers.sites
    assert len(sites) == 103 and sites["operator_id"].notna().sum() == 31
    academies = sites[sites["operator_id"].notna()]
    # by name and postcode every academy resolves to its trust; by name alone all but 'The Orchards'
    # (one word once 'The' goes)
    for postcodes, expected_unresolved in ((None, ["The Orchards"]), (sites["postcode"], [])):
        links, _ = _resolve(_payees(sites["name"], postcodes), registers)
        unresolved = [
            sites.at[i, "name"]
            for i in academies.index
            if links.at[f"trafford:name:{i}", "supplier_id"]
            != links.at[f"register:gias:{sites.at[i, 'operator_id']}", "supplier_id"]
        ]
        assert unresolved == expected_unresolved
    bright_futures = academies[academies["operator_id"] == "trust-name:BRIGHT FUTURES EDUCATIONAL TRUST"]
    assert len(bright_futures) == 6
    assert links.loc[[f"trafford:name:{i}" for i in bright_futures.index], "supplier_id"].nunique() == 1
    # a maintained school has no operator in the register: it stays its own record
    maintained = sites[sites["operator_id"].isna()].index[0]
    assert links.at[f"trafford:name:{maintained}", "link_method"] == "singleton"


def test_trafford_charities_join_records_carrying_their_company_number(real_data):
    registers = LOADERS["charity_commission"].load(_folder(real_data) / "charities_operating_in_trafford.csv")
    entities = registers.entities
    # 183 give a company number; one, 'CE00571', is not a Companies House number as printed (a CE
    # number has six digits: a zero dropped?) and is not read as one
    assert len(entities) == 736 and entities["company_number"].notna().sum() == 182
    companies = entities.dropna(subset=["company_number"])
    # a supplier record that gives only the company number, as ledgers print it (leading zeros dropped)
    records = pd.DataFrame(
        {
            "record_key": [f"trafford:ref:{i}" for i in range(len(companies))],
            "supplier_name": [f"Supplier {i}" for i in range(len(companies))],
            "postcode": None,
            "company_number": companies["company_number"].str.lstrip("0").to_numpy(),
            "charity_number": None,
        }
    )
    links, evidence = _resolve(records, registers)
    for i, charity in enumerate(companies["record_key"]):
        assert links.at[f"trafford:ref:{i}", "supplier_id"] == links.at[charity, "supplier_id"]
    assert evidence.summary["register_records"] == 182
