"""Supplier identity on the bundled samples against what the generator planted: firms of one name and
different legal forms ('Tame Highways LLP', '... Limited', '... plc') are different suppliers
(since supplier-matching-v5, docs/supplier-matching.md). Reads the shared `published_sample` run only."""

import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from ingestion.samples.world import build_world, legal_form_namesakes
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.slow


def _suppliers_by_firm(raw: Path, world) -> dict[int, set[str]]:
    """firm id -> the supplier ids its records resolved to: records carrying the firm's company
    number, and the records every ledger line, bid, contract and return naming the firm was keyed to."""
    resolution = raw / "resolution"
    links = pd.read_parquet(resolution / "supplier_links.parquet").set_index("record_key")["supplier_id"]
    records = pd.read_parquet(resolution / "supplier_records.parquet")
    named = pd.concat(
        [
            pd.read_parquet(resolution / "payee_records.parquet")[["supplier_name", "record_key"]],
            pd.read_parquet(resolution / "party_records.parquet")[["supplier_name", "record_key"]],
            records[["supplier_name", "record_key"]],
        ]
    ).dropna()
    keys_by_name: dict[str, set[str]] = defaultdict(set)
    for name, key in zip(named["supplier_name"].str.strip().str.upper(), named["record_key"]):
        keys_by_name[name].add(key)
    keys_by_number: dict[str, set[str]] = defaultdict(set)
    for number, key in zip(records["company_number"], records["record_key"]):
        if isinstance(number, str):
            keys_by_number[number].add(key)
    out: dict[int, set[str]] = {}
    for firm in world.firms.values():
        keys = keys_by_name.get(firm.name.upper(), set()) | keys_by_number.get(firm.company_number or "", set())
        out[firm.firm_id] = {links[k] for k in keys if k in links.index}
    return out


def test_firms_of_one_name_and_different_legal_forms_are_different_suppliers(published_sample):
    seed = json.loads((SAMPLE_DIR / "answers.json").read_text())["seed"]
    world = build_world(seed)
    namesakes = legal_form_namesakes(world)
    suppliers = _suppliers_by_firm(published_sample.raw, world)
    merged = []
    for stem, forms in namesakes.items():
        by_form = {form: set().union(*(suppliers[f] for f in firms)) for form, firms in forms.items()}
        for (form_a, ids_a), (form_b, ids_b) in combinations(sorted(by_form.items()), 2):
            if ids_a & ids_b:
                merged.append(f"{stem} ({form_a} / {form_b})")
    assert not merged, f"{len(merged)} planted firms merged across legal forms, e.g. {merged[:5]}"
    # The example: the sample plants 'Tame Highways' as an LLP, a plc and private companies,
    # and each form's firms appear in the feeds and resolve to suppliers of their own.
    tame = namesakes["Tame Highways"]
    assert len(tame) == 3
    tame_suppliers = [set().union(*(suppliers[f] for f in firms)) for firms in tame.values()]
    assert all(tame_suppliers) and len(set().union(*tame_suppliers)) >= len(tame)
