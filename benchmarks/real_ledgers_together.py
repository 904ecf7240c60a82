"""Every real ledger in ../shared/data/real loaded into one landing zone: per partner and year, the
in-scope spend and supplier counts from resolved suppliers beside the plain name key, and whether
the partner's figures equal those of the partner built alone.

    .venv/bin/python -m benchmarks.real_ledgers_together [--out /tmp/real_together]

Prints a table for docs/supplier-matching.md; the assertion of equality is
tests/real_data/test_real_ledgers_together.py.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from tests.real_data.real_ledgers import (
    IN_SCOPE_CHECK,
    PARTNER_FIGURES,
    PARTNERS,
    PROJECT_ROOT,
    build,
    load_all,
    raw_view,
)

REAL = (PROJECT_ROOT / ".." / "shared" / "data" / "real").resolve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="real_together_"))
    if root.exists() and any(root.iterdir()):
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    config = PROJECT_ROOT / "config"
    started = time.monotonic()
    raw = load_all(REAL, root, config)
    print(f"loaded every real ledger in {time.monotonic() - started:.0f}s")
    together = build(raw_view(raw, list(PARTNERS), root), config, root / "work_all")
    if not together.passed:
        print(f"dbt build or a check FAILED for all partners together:\n{together.log}")
    check = together.query(IN_SCOPE_CHECK)
    figures = together.query(PARTNER_FIGURES)
    equal = {}
    for partner in PARTNERS:
        built = build(raw_view(raw, [partner], root), config, root / f"work_{partner}")
        if not built.passed:
            print(f"dbt build or a check FAILED for {partner} alone:\n{built.log}")
        alone = built.query(PARTNER_FIGURES)
        mine = figures[figures["partner_code"] == partner].reset_index(drop=True)
        try:
            pd.testing.assert_frame_equal(alone, mine, check_exact=False, atol=0.005)
            equal[partner] = "equal"
        except AssertionError as exc:
            equal[partner] = f"DIFFERENT: {str(exc).splitlines()[0]}"
    print(
        f"\n{'partner':<9} {'year':<8} {'in scope £ resolved':>20} {'name key':>16} {'gap %':>7} "
        f"{'in-scope suppliers':>18} {'name key':>9} {'suppliers':>9} {'name key':>9}"
    )
    for row in check.itertuples():
        print(
            f"{row.partner_code:<9} {row.financial_year:<8} {row.resolved_in_scope_spend_gbp:>20,.0f} "
            f"{row.name_key_in_scope_spend_gbp:>16,.0f} {row.in_scope_gap_pct:>7.2f} "
            f"{row.resolved_in_scope_suppliers:>18,} {row.name_key_in_scope_suppliers:>9,} "
            f"{row.resolved_suppliers:>9,} {row.name_key_suppliers:>9,}"
        )
    print("\nalone vs together:")
    for partner, verdict in equal.items():
        print(f"  {partner:<9} {verdict}")
    print(f"\n(total {time.monotonic() - started:.0f}s; work folder {root})")


if __name__ == "__main__":
    main()
