"""Resolved identities kept between runs (issue 13): the kept links are exactly resolve's, and any
input resolve reads, changed, resolves again."""

import numpy as np
import pandas as pd
import pytest

from ingestion.resolution.kept import FINGERPRINT_FILE, resolve_kept
from ingestion.resolution.resolve import Overrides, resolve


def _records(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "record_key": ["a:name:TAME HIGHWAYS LTD", "b:name:TAME HIGHWAYS LTD", "a:ref:V1", "b:name:ACORN CARE"],
            "name": ["Tame Highways Ltd", "Tame Highways Limited", "Acorn Care Ltd", "Acorn Care"],
            "company_number": [None, "01234567", None, None],
            "charity_number": [None, None, None, None],
            "vat_number": [None, None, "GB123456789", None],
            "postcode": [None, "OL6 7SG", None, None],
            "payments": [3, 5, 1, 9],  # not read by resolve
        }
    )
    for column, (row, value) in changes.items():
        frame.loc[row, column] = value
    return frame


SETTINGS = {"fuzzy_threshold": 95.0, "use_aliases": True, "separate_bare_and_company": True}


def test_second_run_with_the_same_inputs_keeps_links_identical_to_resolve(tmp_path):
    first = resolve_kept(_records(), tmp_path, Overrides(), **SETTINGS)
    second = resolve_kept(_records(), tmp_path, Overrides(), **SETTINGS)
    assert (first.kept, second.kept) == (False, True)
    assert first.fingerprint == second.fingerprint
    pd.testing.assert_frame_equal(second.links, resolve(_records(), Overrides(), **SETTINGS))


@pytest.mark.parametrize(
    "changes",
    [
        {"payments": (0, 40)},  # what a record was paid
        {"postcode": (0, np.nan)},  # missing stays missing, whichever marker says so
        {"postcode": (0, pd.NA)},
    ],
)
def test_what_resolve_does_not_read_or_how_a_value_is_missing_keeps_the_links(tmp_path, changes):
    resolve_kept(_records(), tmp_path, Overrides(), **SETTINGS)
    assert resolve_kept(_records(**changes), tmp_path, Overrides(), **SETTINGS).kept


@pytest.mark.parametrize(
    ("changes", "overrides", "settings"),
    [
        ({"name": (3, "Acorn Care Homes")}, Overrides(), SETTINGS),
        ({"company_number": (0, "01234567")}, Overrides(), SETTINGS),
        ({"postcode": (3, "M1 1AE")}, Overrides(), SETTINGS),
        ({}, Overrides(force_split=["a:ref:V1"]), SETTINGS),
        ({}, Overrides(), {**SETTINGS, "fuzzy_threshold": 90.0}),
    ],
)
def test_a_changed_input_resolves_every_record_again(tmp_path, changes, overrides, settings):
    resolve_kept(_records(), tmp_path, Overrides(), **SETTINGS)
    again = resolve_kept(_records(**changes), tmp_path, overrides, **settings)
    assert not again.kept
    pd.testing.assert_frame_equal(again.links, resolve(_records(**changes), overrides, **settings))


def test_a_new_record_resolves_again_and_is_kept_for_the_next_run(tmp_path):
    resolve_kept(_records(), tmp_path, Overrides(), **SETTINGS)
    grown = pd.concat([_records(), _records().iloc[[0]].assign(record_key="c:name:TAME HIGHWAYS LTD")])
    assert not resolve_kept(grown, tmp_path, Overrides(), **SETTINGS).kept
    assert resolve_kept(grown, tmp_path, Overrides(), **SETTINGS).kept


def test_links_without_their_fingerprint_are_never_used(tmp_path):
    resolve_kept(_records(), tmp_path, Overrides(), **SETTINGS)
    (tmp_path / FINGERPRINT_FILE).unlink()  # a run stopped between writing the links and the fingerprint
    assert not resolve_kept(_records(), tmp_path, Overrides(), **SETTINGS).kept


def test_the_same_records_in_another_order_resolve_again(tmp_path):
    """resolve breaks ties by record order, so only the same records in the same order keep links."""
    resolve_kept(_records(), tmp_path, Overrides(), **SETTINGS)
    assert not resolve_kept(_records().iloc[::-1], tmp_path, Overrides(), **SETTINGS).kept


def test_room_is_made_for_resolve_only_when_it_runs(tmp_path):
    """build_supplier_tables sets frames aside before resolve (build._SetAside); kept links need no room."""
    calls = []
    resolve_kept(_records(), tmp_path, Overrides(), before_resolving=lambda: calls.append("first"), **SETTINGS)
    resolve_kept(_records(), tmp_path, Overrides(), before_resolving=lambda: calls.append("second"), **SETTINGS)
    assert calls == ["first"]
