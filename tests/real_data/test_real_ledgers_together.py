"""Every real ledger in shared/ in one landing zone publishes, per partner, exactly the figures of
that partner alone (issue 10), and every supplier identity check passes on them.

Trafford's ledger has vendor IDs and VAT numbers; Salford's, Bolton's, Oldham's and Tameside's
have none, and the 2019 files carry company and charity numbers: the mixed landing zone that once
collapsed every payee of a partner without IDs into one supplier.
"""

import pandas as pd
import pytest

from tests.real_data.real_ledgers import IN_SCOPE_CHECK, PARTNER_FIGURES, PARTNERS, build, load_all, raw_view

pytestmark = [pytest.mark.real_data, pytest.mark.slow]


@pytest.fixture(scope="module")
def loaded(real_data, tmp_path_factory, config_dir):
    root = tmp_path_factory.mktemp("real_together")
    return root, load_all(real_data, root, config_dir)


@pytest.fixture(scope="module")
def together(loaded, config_dir):
    root, raw = loaded
    return build(raw_view(raw, list(PARTNERS), root), config_dir, root / "work_all")


def test_all_five_partners_loaded_and_published(together):
    assert together.passed, together.log  # every identity check holds on the real ledgers together
    figures = together.query(PARTNER_FIGURES)
    assert set(figures["partner_code"]) == set(PARTNERS)
    # no partner has all its spend in scope: the symptom of its payees collapsing into one supplier
    totals = together.query(
        "select partner_code, financial_year, cast(sum(amount_gbp) as double) as total from stg_raw__spend group by all"
    )
    merged = figures.merge(totals, on=["partner_code", "financial_year"])
    assert (merged["in_scope_spend_gbp"].astype(float) < 0.99 * merged["total"]).all(), merged


@pytest.mark.parametrize("partner", PARTNERS)
def test_a_partner_publishes_the_same_figures_alone_and_together(loaded, together, config_dir, partner):
    root, raw = loaded
    alone = build(raw_view(raw, [partner], root), config_dir, root / f"work_{partner}")
    assert alone.passed, alone.log
    mine = together.query(PARTNER_FIGURES)
    mine = mine[mine["partner_code"] == partner].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.query(PARTNER_FIGURES), mine, check_exact=False, atol=0.005)
    # and the resolved suppliers' in-scope spend and counts per year
    check = together.query(IN_SCOPE_CHECK)
    check = check[check["partner_code"] == partner].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.query(IN_SCOPE_CHECK), check, check_exact=False, atol=0.005)
