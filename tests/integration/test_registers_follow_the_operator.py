"""With the CQC register supplied, classification and the GBP 25k rule follow the operator.

A tiny world: Oldham's ledger (no vendor IDs, no postcodes, no numbers) pays each of 30 care homes of
one provider GBP 5,000 in 2019/20, beside a few large suppliers. Without the register each home is its
own small supplier below the threshold; with the register file supplied (CQC's HSCA active locations,
tests/fixtures/registers/cqc/, which gives the provider's charity number) the homes are one
organisation, the provider: GBP 150,000 in scope, a VCSE on its charity number, named and located as
the provider. Built as the pipeline's assets build it: reference tables, register tables, supplier
tables, then dbt on the local-spend models and their tests (the identity checks among them).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingestion.landing import scan_landing
from ingestion.load import load_file
from ingestion.missing import query_frame
from ingestion.registry import load_registry, load_rules
from tests.real_data.real_ledgers import build

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CQC_HSCA = PROJECT_ROOT / "tests" / "fixtures" / "registers" / "cqc" / "01_July_2025_HSCA_Active_Locations.csv"
MODELS = (
    "+kpi_local_spend +int_spend__in_scope_by_name_key +stg_reference__identity_check_rule +dim_supplier "
    "+stg_registers__versions"
)

HOMES = [
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
LARGE = {
    "Pennine Highways Contractors Ltd": 3_000_000,
    "Oldham Facilities Management Ltd": 2_500_000,
    "Northern School Meals Ltd": 600_000,
}


def _ledger(path: Path) -> None:
    """Oldham's 2019 file in the North West Open Data layout: 5 payments of GBP 1,000 to each home."""
    rows, ref = [], 0
    for i, home in enumerate(HOMES):
        for month in range(4, 9):
            ref += 1
            rows.append(
                {
                    "nwod_id": ref,
                    "beneficiary_name": home.upper() if i % 2 else home,
                    "payment_date": f"2019-{month:02d}-{10 + i % 15:02d}",
                    "amount": "1000.00",
                    "company_number": "",
                    "charity_number": "",
                }
            )
    for name, total in LARGE.items():
        for month in range(4, 13):
            ref += 1
            rows.append(
                {
                    "nwod_id": ref,
                    "beneficiary_name": name,
                    "payment_date": f"2019-{month:02d}-15",
                    "amount": f"{total / 9:.2f}",
                    "company_number": "",
                    "charity_number": "",
                }
            )
    pd.DataFrame(rows).to_csv(path, index=False)


def _build(raw: Path, work: Path, config_dir: Path, registers: dict[str, Path]) -> Path:
    built = build(raw, config_dir, work, MODELS, registers)
    assert built.passed, built.log
    return built.warehouse


def _query(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return query_frame(con, sql)


HOME_SUPPLIERS = """
    select y.supplier_key, y.net_spend_gbp, y.is_in_scope, d.supplier_name, d.is_vcse, d.vcse_source,
           d.location_address_type, d.postcode, d.in_gm
    from int_spend__supplier_year as y
    join dim_supplier as d on d.supplier_id = y.supplier_key
    where y.partner_code = 'oldham' and y.financial_year = '2019/20'
      and y.supplier_key in (select supplier_key from int_spend__linked_to_supplier
                             where upper(supplier_name) in ({names}))
""".format(names=", ".join(f"'{h.upper()}'" for h in HOMES))

IN_SCOPE = """select in_scope_spend_gbp from kpi_local_spend
              where reporting_unit = 'oldham' and financial_year = '2019/20'"""


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("registers_world")
    config_dir = PROJECT_ROOT / "config"
    landing = root / "landing" / "oldham" / "spend"
    landing.mkdir(parents=True)
    _ledger(landing / "oldham_2019.csv")
    raw = root / "raw"
    scan = scan_landing(root / "landing", load_registry(config_dir))
    assert not scan.problems and len(scan.files) == 1
    report = load_file(scan.files[0], load_rules(config_dir), raw)
    assert report.passed, report.summary()
    return root


def test_without_the_register_each_home_is_its_own_small_supplier(world):
    warehouse = _build(world / "raw", world / "work_without", PROJECT_ROOT / "config", registers={})
    homes = _query(warehouse, HOME_SUPPLIERS)
    assert len(homes) == 30
    assert (homes["net_spend_gbp"] == 5000).all() and not homes["is_in_scope"].any()
    assert homes["is_vcse"].isna().all()
    assert _query(warehouse, IN_SCOPE)["in_scope_spend_gbp"].iloc[0] == pytest.approx(6_100_000, abs=1)


def test_with_the_register_the_homes_are_the_provider(world):
    warehouse = _build(world / "raw", world / "work_with", PROJECT_ROOT / "config", registers={"cqc": CQC_HSCA})
    homes = _query(warehouse, HOME_SUPPLIERS)
    assert homes["supplier_key"].nunique() == 1
    provider = homes.iloc[0]
    assert provider["net_spend_gbp"] == pytest.approx(150_000) and bool(provider["is_in_scope"])
    # classification follows the operator: a charity, on the charity number the register gives it
    assert bool(provider["is_vcse"]) and provider["vcse_source"] == "registration:charity_number"
    assert provider["supplier_name"] == "Harbour Lights Care Trust"
    # located by the provider's own address as the register gives it (no partner data locates it)
    assert (provider["location_address_type"], provider["postcode"], bool(provider["in_gm"])) == (
        "register_operator",
        "M1 1ED",
        True,
    )
    assert _query(warehouse, IN_SCOPE)["in_scope_spend_gbp"].iloc[0] == pytest.approx(6_250_000, abs=1)

    links = _query(
        warehouse,
        """
        select l.record_key, l.link_method, l.register_version, r.origin
        from stg_resolution__supplier_links as l join stg_resolution__supplier_records as r using (record_key)
        where l.supplier_id = '{}'""".format(provider["supplier_key"]),
    )
    sites = links[links["origin"] == "register_site"]
    assert len(sites) == 30 and set(sites["link_method"]) == {"register_site"}
    payees = links[links["origin"] == "ledger"]
    assert len(payees) == 30 and set(payees["link_method"]) == {"register_name"}
    assert set(links["register_version"]) == {"cqc@2025-07-01"}  # every link the register made says so
    versions = _query(warehouse, "select register, register_version, version_source from stg_registers__versions")
    assert versions.to_dict("records") == [
        {"register": "cqc", "register_version": "cqc@2025-07-01", "version_source": "file_name"}
    ]
