"""Reference registers: each loader on a small file in its register's published layout
(tests/fixtures/registers/), and the links the registers make in resolution."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ingestion.raw_store import write_tables
from ingestion.registers import LOADERS, RegisterError, RegisterTables, load_registers, read_register_tables
from ingestion.registers.common import date_in_name, file_version
from ingestion.registers.evidence import register_evidence, registers_reached
from ingestion.resolution.resolve import resolve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registers"
CQC_DIRECTORY = FIXTURES / "cqc" / "01_July_2025_CQC_directory.csv"
CQC_HSCA = FIXTURES / "cqc" / "01_July_2025_HSCA_Active_Locations.csv"
HARBOUR_HOMES = [
    "Alder Court",
    "Beech House",
    "Cedar Lodge",
    "Damson Grove",
    "Elm Bank",
    "Fir Tree House",
    "Gorse Hill Lodge",
    "Hawthorn Court",
    "Ivy Mount",
    "Juniper House",
    "Kestrel Court",
    "Larch Lodge",
    "Maple Grange",
    "Nettle Bank",
    "Oak Hollow",
    "Poplar View",
    "Quince House",
    "Rowan Lodge",
    "Sycamore Court",
    "Tamarind House",
    "Umber Grange",
    "Vale View Lodge",
    "Willow Mount",
    "Yew Tree Court",
    "Zelkova House",
    "Ashgrove Lodge",
    "Bramble Court",
    "Clover Bank",
    "Dogwood House",
    "Evergreen Lodge",
]


# --- loaders -------------------------------------------------------------------------------------


def test_companies_house_basic_company_data_with_previous_names():
    tables = LOADERS["companies_house"].load(FIXTURES / "companies_house")  # both parts of one download
    version = tables.versions.iloc[0]
    assert (version["register_version"], version["version_source"]) == ("companies_house@2025-08-01", "file_name")
    assert version["rows_read"] == 6
    bt = tables.entities.set_index("company_number").loc["01800099"]  # ' CompanyNumber' header, leading space
    assert (bt["name"], bt["postcode"], bt["address_type"]) == (
        "NORTHERN LIGHTS TELECOMMUNICATIONS PLC",
        "EC1A 7AJ",
        "registered_office",
    )
    assert bt["category"] == "Public Limited Company"
    previous = tables.names[(tables.names["entity_id"] == "01800099") & (tables.names["name_type"] == "previous")]
    assert sorted(previous["name"]) == ["NORTHERN LIGHTS TELECOM PLC", "NORTHERN LIGHTS TELEPHONES PLC"]
    assert set(tables.entities["register_version"]) == {"companies_house@2025-08-01"}


def test_companies_house_parts_of_different_dates_are_refused(tmp_path):
    for part, day in ((1, "2025-08-01"), (2, "2025-09-01")):
        source = FIXTURES / "companies_house" / f"BasicCompanyData-2025-08-01-part{part}_2.csv"
        (tmp_path / f"BasicCompanyData-{day}-part{part}_2.csv").write_bytes(source.read_bytes())
    with pytest.raises(RegisterError, match="different dates"):
        LOADERS["companies_house"].load(tmp_path)


def test_charity_register_extract_with_other_names_and_linked_charities():
    tables = LOADERS["charity_commission"].load(FIXTURES / "charity_commission" / "publicextract.charity.txt")
    version = tables.versions.iloc[0]
    # the extract's own date, from its date_of_extract column (its file names carry none)
    assert (version["register_version"], version["version_source"]) == (
        "charity_commission@2025-07-14",
        "date_column:date_of_extract",
    )
    entities = tables.entities.set_index("charity_number")
    assert len(entities) == 3  # the linked charity (1190001-1) is folded into its main charity
    assert entities.loc["1190001", "company_number"] == "07654321"  # its linked company number
    assert entities.loc["1170003", "status"] == "Removed"
    names = tables.names[tables.names["entity_id"] == "1190001"].set_index("name")["name_type"].to_dict()
    assert names == {
        "HARBOUR LIGHTS CARE TRUST": "current",
        "HARBOUR LIGHTS": "working",
        "HARBOUR LIGHTS HOMES ASSOCIATION": "previous",
    }


def test_cqc_care_directory_skips_its_title_lines():
    tables = LOADERS["cqc"].load(CQC_DIRECTORY)
    assert tables.versions.iloc[0]["register_version"] == "cqc@2025-07-01"
    assert len(tables.sites) == 34 and tables.sites["operator_id"].notna().all()
    harbour = tables.sites[tables.sites["operator_id"] == "provider:1-100000001"]
    assert sorted(harbour["name"]) == sorted(HARBOUR_HOMES)
    provider = tables.entities.set_index("entity_id").loc["provider:1-100000001"]
    assert provider["name"] == "Harbour Lights Care Trust" and pd.isna(provider["charity_number"])


def test_cqc_hsca_active_locations_give_the_providers_numbers():
    tables = LOADERS["cqc"].load(CQC_HSCA)
    provider = tables.entities.set_index("entity_id").loc["provider:1-100000001"]
    assert (provider["company_number"], provider["charity_number"], provider["postcode"]) == (
        "07654321",
        "1190001",
        "M1 1ED",
    )
    assert tables.sites.set_index("site_id").loc["1-300000000", "postcode"] == "OL1 1AY"


def test_gias_establishments_with_trusts_and_their_company_numbers():
    tables = LOADERS["gias"].load(FIXTURES / "gias" / "edubasealldata20250701.csv")  # groups file beside it
    assert tables.versions.iloc[0]["register_version"] == "gias@2025-07-01"
    trust = tables.entities.set_index("entity_id").loc["trust:5001"]
    assert (trust["name"], trust["company_number"], trust["postcode"]) == (
        "BRIGHT ACADEMIES TRUST",
        "08111111",
        "M32 0TH",
    )
    sites = tables.sites.set_index("site_id")
    assert sites.loc["140001", "operator_id"] == "trust:5001" and bool(sites.loc["140001", "is_open"])
    assert pd.isna(sites.loc["106300", "operator_id"]) and not bool(sites.loc["106300", "is_open"])  # closed


def test_a_file_without_a_date_is_versioned_by_its_modification_date(tmp_path):
    copy = tmp_path / "care_homes.csv"
    copy.write_bytes(CQC_DIRECTORY.read_bytes())
    os.utime(copy, (1_700_000_000, 1_700_000_000))  # 14 Nov 2023
    version = LOADERS["cqc"].load(copy).versions.iloc[0]
    assert (version["register_version"], version["version_source"]) == ("cqc@2023-11-14", "file_modified")


def test_dates_in_published_file_names():
    assert date_in_name("BasicCompanyData-2025-08-01-part1_7.csv") == date(2025, 8, 1)
    assert date_in_name("01_July_2025_CQC_directory.csv") == date(2025, 7, 1)
    assert date_in_name("edubasealldata20250701.csv") == date(2025, 7, 1)
    assert date_in_name("publicextract.charity.txt") is None
    assert file_version("cqc", [CQC_DIRECTORY]).label == "cqc@2025-07-01"


def test_a_file_in_another_layout_says_what_is_missing(tmp_path):
    wrong = tmp_path / "edubasealldata20250701.csv"
    wrong.write_text("School,Town\nA,B\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="URN"):
        LOADERS["gias"].load(wrong)


def test_register_tables_round_trip_through_parquet_and_read_only_what_records_reach(tmp_path):
    tables = load_registers({"cqc": CQC_HSCA, "companies_house": FIXTURES / "companies_house"})
    write_tables(tables.as_dict(), tmp_path)
    assert len(read_register_tables(tmp_path).sites) == 34
    records = _records(("oldham:name:ALDER COURT", "Alder Court"))
    reached = registers_reached(tmp_path, records)
    assert list(reached.sites["name"]) == ["Alder Court"]
    # the site's operator, and through the operator's company number its Companies House record
    assert set(reached.entities["record_key"]) == {
        "register:cqc:provider:1-100000001",
        "register:companies_house:07654321",
    }
    assert read_register_tables(tmp_path / "none").empty


# --- links -------------------------------------------------------------------------------------------


def _records(*rows) -> pd.DataFrame:
    """(record_key, name[, postcode[, company_number[, charity_number]]])."""
    full = [tuple(r) + (None,) * (5 - len(r)) for r in rows]
    return pd.DataFrame(full, columns=["record_key", "supplier_name", "postcode", "company_number", "charity_number"])


def _resolve(records: pd.DataFrame, registers: RegisterTables) -> tuple[pd.DataFrame, object]:
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


def test_every_site_the_register_lists_resolves_to_its_operator():
    registers = LOADERS["cqc"].load(CQC_HSCA)
    sites = registers.sites.drop_duplicates("site_id")
    records = _records(
        *[
            (f"oldham:name:{i}", name, postcode)
            for i, (name, postcode) in enumerate(zip(sites["name"], sites["postcode"]))
        ]
    )
    links, evidence = _resolve(records, registers)
    operator_org = {
        o: links.at[f"register:cqc:provider:{o.split(':', 1)[1]}", "supplier_id"] for o in sites["operator_id"]
    }
    for i, operator in enumerate(sites["operator_id"]):
        assert links.at[f"oldham:name:{i}", "supplier_id"] == operator_org[operator], sites.iloc[i]["name"]
    site_links = links[links.index.str.startswith("register:cqc:site:")]
    assert set(site_links["link_method"]) == {"register_site"}
    assert len(set(operator_org.values())) == 5  # five providers, never merged with each other


def test_care_homes_paid_under_their_own_names_resolve_to_the_provider_and_its_number():
    registers = LOADERS["cqc"].load(CQC_HSCA)
    records = _records(*[(f"oldham:name:{home.upper()}", home) for home in HARBOUR_HOMES])
    links, evidence = _resolve(records, registers)
    homes = links.loc[[f"oldham:name:{home.upper()}" for home in HARBOUR_HOMES]]
    assert homes["supplier_id"].nunique() == 1
    assert set(homes["link_method"]) == {"register_name"}
    # the provider's charity and company numbers (HSCA file) identify the organisation
    assert homes["identity_basis"].iloc[0] == "company:07654321"
    assert links.at["register:cqc:provider:1-100000001", "supplier_id"] == homes["supplier_id"].iloc[0]


def test_a_site_name_several_operators_use_needs_the_postcode():
    registers = LOADERS["cqc"].load(CQC_DIRECTORY)
    records = _records(
        ("oldham:name:THE GRANGE", "The Grange"),  # Grange Care Homes' and Pennine's
        ("stockport:ref:9", "The Grange", "OL8 1NW"),  # Pennine's, by its postcode
        ("trafford:ref:1", "Broadway"),  # one word: says too little alone
        ("trafford:ref:2", "Broadway", "M32 0PE"),
        ("trafford:ref:3", "Larkfield House", "WA14 1AA"),
    )  # neither the home's nor the office's
    evidence = register_evidence(records, registers)
    by_record = {a: b for a, b, method, _ in evidence.edges if method == "register_name"}
    assert by_record == {
        "stockport:ref:9": "register:cqc:site:1-200000002",
        "trafford:ref:2": "register:cqc:site:1-200000003",
    }
    assert evidence.summary["ambiguous_names"] == 1
    assert evidence.summary["one_word_names_without_postcode"] == 1
    assert evidence.summary["postcode_disagrees"] == 1


def test_a_school_resolves_to_its_trust_and_a_closed_namesake_does_not_stand_in_the_way():
    registers = LOADERS["gias"].load(FIXTURES / "gias")
    records = _records(
        ("trafford:name:OAKFIELD", "Oakfield Primary School"),
        ("trafford:name:RIVERSIDE", "RIVERSIDE ACADEMY"),
        ("trafford:ref:77", "Bright Academies Trust Ltd", None, "8111111"),
        # an academy and a maintained school share this name: neither is chosen
        ("trafford:name:ST MARY", "St Mary's Catholic Primary School"),
    )
    links, _ = _resolve(records, registers)
    trust = links.at["register:gias:trust:5001", "supplier_id"]
    assert links.at["trafford:name:OAKFIELD", "supplier_id"] == trust
    assert links.at["trafford:name:RIVERSIDE", "supplier_id"] == trust
    assert links.at["trafford:ref:77", "supplier_id"] == trust  # the trust's company number (zeros dropped)
    assert links.at["trafford:name:ST MARY", "link_method"] == "singleton"


def test_previous_and_other_names_join_the_record_carrying_the_number():
    registers = load_registers(
        {"companies_house": FIXTURES / "companies_house", "charity_commission": FIXTURES / "charity_commission"}
    )
    records = _records(
        ("trafford:ref:5", "Northern Lights Telecommunications plc", None, "1800099"),
        ("oldham:name:NLT", "Northern Lights Telecom PLC"),  # a previous name
        ("trafford:ref:7", "Oldham Tool Library", None, None, "1180002"),
        ("oldham:name:TOOL", "The Tool Shed Oldham"),  # a working name
        ("trafford:ref:6", "Oldname Services Holdings Ltd", None, "09000001"),
        # its previous name is another company's name today: not a link
        ("oldham:name:OLDNAME", "Oldname Services Ltd"),
        # a previous name of a company no partner record carries the number of
        ("oldham:name:HLH", "Harbour Lights Homes Ltd"),
    )
    links, evidence = _resolve(records, registers)
    assert links.at["oldham:name:NLT", "supplier_id"] == links.at["trafford:ref:5", "supplier_id"]
    assert links.at["oldham:name:NLT", "link_method"] == "register_name"
    assert links.at["oldham:name:TOOL", "supplier_id"] == links.at["trafford:ref:7", "supplier_id"]
    assert links.at["oldham:name:OLDNAME", "link_method"] == "singleton"
    assert links.at["oldham:name:HLH", "link_method"] == "singleton"
    assert evidence.summary["reused_names_not_used"] == 1


def test_a_register_never_joins_records_whose_numbers_differ():
    registers = LOADERS["cqc"].load(CQC_HSCA)
    # the payee's own company number is not the provider's: the register's name link yields
    records = _records(("oldham:ref:1", "Alder Court Ltd", None, "12345678"))
    links, _ = _resolve(records, registers)
    assert links.at["oldham:ref:1", "supplier_id"] != links.at["register:cqc:provider:1-100000001", "supplier_id"]


def test_no_register_supplied_adds_nothing():
    records = _records(("oldham:name:ALDER COURT", "Alder Court"))
    evidence = register_evidence(records, RegisterTables())
    assert evidence.records.empty and evidence.edges == []
    with_none = evidence.with_records(records)
    assert with_none.drop(columns=["register", "register_version"]).equals(records)
