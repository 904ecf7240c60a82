"""benchmarks/scale.py's generated partners are files the pipeline accepts as they are: every file
lands with no problem, the config validates, and the rows and distinct names are what was asked."""

import random

import pandas as pd
import pytest

from benchmarks.scale import distinct_names_for, generate, name_pool, read_trafford_year, vat_numbers_for
from ingestion.landing import scan_landing
from ingestion.registry import load_registry
from ingestion.resolution.identifiers import vat_number
from ingestion.resolution.names import alias_kinds, parent_names

pytestmark = pytest.mark.real_data


def test_generated_ledgers_land_cleanly(tmp_path, real_data):
    made = generate(tmp_path, rows=4800, partners=2, years=1)
    registry = load_registry(made["config"])
    assert sorted(registry.partners) == ["council01", "council02"]
    scan = scan_landing(made["landing"], registry)
    assert not scan.problems
    assert len(scan.files) == 2 * 12 + 2  # monthly spend, and a supplier list each
    spend = pd.concat(pd.read_csv(f.path, dtype=str) for f in scan.files if f.feed == "spend")
    assert len(spend) == made["rows"] == 4800
    assert spend["BeneficiaryName"].nunique() <= made["distinct_names"] == distinct_names_for(4800)
    assert set(spend["OrganisationLabel"]) == {"Council 01", "Council 02"}
    assert spend["TransactionNumber"].is_unique
    assert distinct_names_for(1_000_000) == 9000 and 190_000 < distinct_names_for(10_000_000) < 210_000


def names_per_vat_number(frame: pd.DataFrame) -> pd.Series:
    numbers = frame["VATRegistrationNumber"].map(vat_number)
    return frame.assign(number=numbers).dropna(subset=["number"]).groupby("number")["BeneficiaryName"].nunique()


def test_a_name_variant_is_another_firm_with_its_own_vat_number(tmp_path, real_data):
    """The scaled ledgers vary payee names to grow the count of suppliers; a VAT number must not
    follow the real line onto every variant (at 10M rows one number covered 38,617 names, and the
    identity gate rightly refused the result). No number may cover more names than in Trafford's year,
    and a generated ledger prints one number per payee name."""
    base = read_trafford_year()
    based_on: dict[str, str] = {}
    names = name_pool(sorted(set(base["BeneficiaryName"])), 6000, random.Random(3), based_on=based_on)
    assert len(based_on) == 6000 - base["BeneficiaryName"].nunique()  # the variants, each with its real name
    vat_of = vat_numbers_for(names, based_on, base)
    pooled = pd.DataFrame({"BeneficiaryName": names, "VATRegistrationNumber": [vat_of[n] for n in names]})
    assert names_per_vat_number(pooled).max() <= names_per_vat_number(base).max()
    # another firm in the resolver's own reading too: no variant keeps its real firm's legal name as an
    # alias ('X T/A Y Ltd', 'X Ltd 8733' a site of X Ltd) or a parent note
    assert not [n for n in based_on if alias_kinds(n) or parent_names(n)]
    numbered_variants = [n for n in based_on if vat_number(vat_of[n])]
    assert numbered_variants and not {vat_of[n] for n in numbered_variants} & set(base["VATRegistrationNumber"])

    made = generate(tmp_path, rows=4800, partners=2, years=1)
    spend = pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False) for p in made["landing"].glob("*/spend/*.csv"))
    numbers = spend.assign(number=spend["VATRegistrationNumber"].map(vat_number)).dropna(subset=["number"])
    assert numbers.groupby("BeneficiaryName")["number"].nunique().max() == 1
