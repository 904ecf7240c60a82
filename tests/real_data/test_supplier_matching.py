"""Name-only matching across the four councils' 2019 payments, scored against their numbers.

The first goal was precision >= 0.98 and recall >= 0.90 on the GM 2019 files; that truth was made
from names, so it is now a regression check only (docs/supplier-matching.md has the figures and how to
reproduce them). Since supplier-matching-v4 keeps a partner's 'X' and 'X Ltd' apart on names alone
(the honest benchmark's false links), its in-sample recall is 0.87, and 0.865 since v5 keeps names of
different legal forms apart ('X LLP' / 'X Ltd'): the floor is 0.85. Trafford's grant
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
    assert resolver["recall"] >= 0.85
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


def test_honest_benchmark_held_out(real_data):
    """Truth not made from names (benchmarks/supplier_matching_honest.py): the held-out part, never read
    while the rules were tuned, holds at the figures recorded in docs/supplier-matching.md (a rule
    change that loses them fails here), and far beyond exact names."""
    from benchmarks.supplier_matching_honest import run as run_honest

    result = run_honest()
    held_out, baseline = result["resolver"][("held_out", "all")], result["baseline_exact_upper"][("held_out", "all")]
    assert held_out["true_pairs"] > 80
    assert held_out["recall"] >= 0.50 and held_out["precision"] >= 0.96
    assert held_out["recall"] > 2.5 * baseline["recall"]
    across = result["resolver"][("held_out", "across")]
    assert across["precision"] >= 0.98
