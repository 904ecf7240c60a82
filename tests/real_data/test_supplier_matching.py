"""Name-only matching across the four councils' 2019 payments, scored against their numbers.

The goal from the supplier-identity issue is precision >= 0.98 and recall >= 0.90 on the GM 2019
files (docs/supplier-matching.md has the figures and how to reproduce them). Trafford's grant
recipients are a held-out set the rules were not shaped on: there the test only asks that the
resolver stays precise and finds far more than exact names do.
"""

import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.real_data
sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))


def test_name_only_matching_meets_the_goal(real_data):
    from supplier_matching import run

    result = run()
    assert result["labelled_records"] > 5000
    resolver, baseline = result["resolver"], result["baseline_exact_upper"]
    assert resolver["precision"] >= 0.98
    assert resolver["recall"] >= 0.90
    assert resolver["recall"] > 2 * baseline["recall"]  # far beyond matching names as written


def test_held_out_grant_recipients(real_data):
    from supplier_matching import run_held_out

    result = run_held_out()
    assert result["labelled_records"] > 100
    resolver, baseline = result["resolver"], result["baseline_exact_upper"]
    assert resolver["precision"] >= 0.9
    assert resolver["recall"] > 5 * baseline["recall"]


def test_precision_first_setting_trades_recall_for_precision(real_data):
    from supplier_matching import run

    default, strict = run()["resolver"], run(use_aliases=False)["resolver"]
    assert strict["precision"] >= 0.99 and strict["precision"] > default["precision"]
    assert strict["recall"] < default["recall"]
