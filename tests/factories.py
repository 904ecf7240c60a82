"""Records the tests build by hand: one place, so a new field of the load manifest is added once."""

from __future__ import annotations

import pandas as pd

from ingestion.manifest import LoadManifest


def load_record(**fields) -> LoadManifest:
    """A passed load of Stockport's April 2019 spend; `fields` override any of it."""
    base = dict(
        partner="stockport",
        feed="spend",
        period="2019-04",
        source_file="stockport/spend/a.csv",
        source_file_hash="0" * 64,
        mapping_fingerprint="",
        rule_versions={},
        raw_format_version="",
        load_id="test",
        loaded_at="2026-01-01T00:00:00+00:00",
        rows_in=2,
        rows_loaded=2,
        rows_quarantined=0,
        passed=True,
        state="loaded",
    )
    return LoadManifest(**{**base, **fields})


def write_spend_partition(raw_dir, partner, rows):
    """A raw spend partition (2019-04) of (supplier_ref, supplier_name, vat_number) rows, as the load writes them."""
    folder = raw_dir / "spend" / f"partner={partner}" / "period=2019-04"
    folder.mkdir(parents=True)
    frame = pd.DataFrame(rows, columns=["supplier_ref", "supplier_name", "vat_number"])
    frame = frame.assign(
        partner_code=partner,
        company_number=None,
        charity_number=None,
        is_redacted=False,
        loaded_at=pd.Timestamp("2026-01-01", tz="UTC"),
    )
    frame.to_parquet(folder / "rows.parquet")
