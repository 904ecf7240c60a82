"""Every real ledger in shared/, loaded once, then built alone per partner and all together.

A partner's figures must not depend on who else shares the landing zone (issue 10: every payee of a
partner without vendor IDs once collapsed into one supplier as soon as a partner with IDs arrived).
The raw layer is partitioned by partner, so "alone" is the same loaded Parquet seen through a raw
folder that links only that partner's partitions: one load, several builds.

Used by tests/real_data/test_real_ledgers_together.py and benchmarks/real_ledgers_together.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ingestion.landing import scan_landing
from ingestion.load import SCHEMAS, load_file
from ingestion.missing import query_frame
from ingestion.raw_store import ensure_feed_placeholders, write_tables
from ingestion.reference import reference_tables
from ingestion.registers import load_registers
from ingestion.registry import load_registry, load_rules
from ingestion.resolution.build import build_supplier_tables, load_overrides
from tests.real_data.helpers import deliver

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = PROJECT_ROOT / "dbt_project"
SAMPLE_POSTCODES = PROJECT_ROOT / "data" / "sample" / "reference" / "sample_postcodes_nspl.csv"


def real_ledger_files(real: Path) -> dict[str, list[Path]]:
    """One source per partner-month: Salford's monthly files, not also its 2019 NWOD file; the
    Trafford 2026 extract of 2,000 rows is part of the 2026-27 file and is left out."""
    salford = sorted(
        p for p in (real / "odileeds_council_spending" / "salford" / "clean").glob("20*.csv") if p.name != "2022-07.csv"
    )  # 2022-07.csv is the contracts register
    nwod = real / "northwestopendata_gmca_2019"
    spend = real / "trafford" / "supplier_spend"
    return {
        "trafford": [spend / "trafford-supplier-spend-2024-25.zip", spend / "trafford-supplier-spend-2026-27.zip"],
        "salford": salford,
        "bolton": [nwod / "bolton_2019.csv"],
        "oldham": [nwod / "oldham_2019.csv"],
        "tameside": [nwod / "tameside_2019.csv"],
    }


def load_all(real: Path, root: Path, config_dir: Path) -> Path:
    """Land every file (hard links where possible: tests/real_data/helpers.py deliver) and load it;
    returns the raw folder."""
    landing, raw = root / "landing", root / "raw"
    for partner, files in real_ledger_files(real).items():
        folder = landing / partner / "spend"
        folder.mkdir(parents=True, exist_ok=True)
        for path in files:
            deliver(path, folder / path.name)
    registry, rules = load_registry(config_dir), load_rules(config_dir)
    scan = scan_landing(landing, registry)
    if scan.problems:
        raise AssertionError("; ".join(f"{p.path}: {p.message}" for p in scan.problems))
    for landed in scan.files:
        report = load_file(landed, rules, raw)
        if not report.passed:
            raise AssertionError(report.summary())
    return raw


def raw_view(raw: Path, partners: list[str], root: Path) -> Path:
    """A raw folder holding only these partners' loaded partitions (linked, not copied)."""
    view = root / f"raw_{'_'.join(partners) if len(partners) < 3 else 'all'}"
    spend = view / "spend"
    spend.mkdir(parents=True, exist_ok=True)
    for partner in partners:
        (spend / f"partner={partner}").symlink_to(raw / "spend" / f"partner={partner}")
    return view


@dataclass
class Build:
    raw: Path
    warehouse: Path
    passed: bool  # every model built and every selected dbt test (the identity checks among them) passed
    log: str

    def query(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return query_frame(con, sql)


LOCAL_SPEND_MODELS = (
    "+kpi_local_spend +int_spend__in_scope_by_name_key +stg_reference__identity_check_rule +dim_supplier"
)


def build(
    raw: Path, config_dir: Path, work: Path, select: str = LOCAL_SPEND_MODELS, registers: dict[str, Path] | None = None
) -> Build:
    """Register, reference and resolution tables, then dbt build of the selected models and their
    tests, exactly as the pipeline's assets call them (registers: none supplied unless given)."""
    registry, rules = load_registry(config_dir), load_rules(config_dir)
    ensure_feed_placeholders(raw, SCHEMAS)
    write_tables(load_registers(registers or {}).as_dict(), raw / "registers")
    write_tables(reference_tables(registry, rules, config_dir, SAMPLE_POSTCODES), raw / "reference")
    tables = build_supplier_tables(
        raw,
        load_overrides(config_dir / "overrides" / "suppliers.yml"),
        rules.supplier_classification,
        rules.supplier_matching,
    )
    write_tables(tables, raw / "resolution")
    work.mkdir(parents=True, exist_ok=True)
    warehouse = work / "warehouse.duckdb"
    env = {**os.environ, "SVW_RAW_DIR": str(raw), "SVW_WAREHOUSE": str(warehouse), "SVW_CONFIG_DIR": str(config_dir)}
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [
            str(dbt),
            "build",
            "--profiles-dir",
            ".",
            "--quiet",
            "--select",
            *select.split(),
            "--indirect-selection",
            "cautious",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=DBT_PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    return Build(raw, warehouse, result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:])


PARTNER_FIGURES = """
    select reporting_unit as partner_code, financial_year, in_scope_spend_gbp, home_spend_gbp, gm_spend_gbp,
           unknown_location_spend_gbp
    from kpi_local_spend where reporting_unit_type = 'partner' order by 1, 2"""

IN_SCOPE_CHECK = "select * from int_spend__in_scope_by_name_key order by partner_code, financial_year"

PARTNERS = tuple(sorted(real_ledger_files(Path("."))))
