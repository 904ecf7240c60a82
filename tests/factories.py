"""Records the tests build by hand: one place, so a new field of the load manifest is added once."""

from __future__ import annotations

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
