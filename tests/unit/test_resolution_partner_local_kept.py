"""Each partner's own resolution, kept between runs (ingestion/resolution/kept_local.py): a partner
whose records did not change is read back instead of resolved, and the links are exactly those of a
run that kept nothing, whatever changed elsewhere."""

from __future__ import annotations

import pandas as pd
import pytest

from ingestion.resolution import resolve as resolve_module
from ingestion.resolution.resolve import Overrides, resolve
from tests.unit.test_resolution_parallel import SETTINGS, _records


@pytest.fixture
def partners_resolved(monkeypatch) -> list[str]:
    """The partners whose own pass ran (rather than being read back), in the order they ran."""
    ran: list[str] = []
    real = resolve_module._one_partner_local

    def counted(own, **settings):
        ran.append(own["record_key"].iloc[0].split(":", 1)[0])
        return real(own, **settings)

    monkeypatch.setattr(resolve_module, "_one_partner_local", counted)
    return ran


def _with_new_payee(records: pd.DataFrame, partner: str) -> pd.DataFrame:
    new = {"record_key": f"{partner}:name:ACORN CARE HOMES", "name": "Acorn Care Homes"}
    return pd.concat([records, pd.DataFrame([new])], ignore_index=True)


def test_unchanged_partners_are_read_back_and_the_links_are_those_of_a_run_that_kept_nothing(
    tmp_path, partners_resolved
):
    kept = tmp_path / "partner_local"
    first = resolve(_records(), Overrides(), kept_dir=kept, **SETTINGS)
    assert partners_resolved == ["bolton", "oldham", "stockport", "trafford"]
    pd.testing.assert_frame_equal(first, resolve(_records(), Overrides(), **SETTINGS))

    partners_resolved.clear()
    again = resolve(_records(), Overrides(), kept_dir=kept, **SETTINGS)
    assert partners_resolved == []
    pd.testing.assert_frame_equal(again, first)

    changed = _with_new_payee(_records(), "oldham")
    partners_resolved.clear()
    after_new_payee = resolve(changed, Overrides(), kept_dir=kept, **SETTINGS)
    assert partners_resolved == ["oldham"]
    partners_resolved.clear()
    pd.testing.assert_frame_equal(after_new_payee, resolve(changed, Overrides(), **SETTINGS))
    # one entry (links and roots) per partner of the last run: oldham's older records are forgotten
    assert len(list(kept.iterdir())) == 2 * 4


def test_other_settings_resolve_every_partner_again(tmp_path, partners_resolved):
    kept = tmp_path / "partner_local"
    resolve(_records(), Overrides(), kept_dir=kept, **SETTINGS)
    partners_resolved.clear()
    stricter = {**SETTINGS, "fuzzy_threshold": 99.0}
    links = resolve(_records(), Overrides(), kept_dir=kept, **stricter)
    assert len(partners_resolved) == 4
    partners_resolved.clear()
    pd.testing.assert_frame_equal(links, resolve(_records(), Overrides(), **stricter))


def test_an_entry_stopped_part_way_is_resolved_again(tmp_path, partners_resolved):
    kept = tmp_path / "partner_local"
    first = resolve(_records(), Overrides(), kept_dir=kept, **SETTINGS)
    roots = sorted(kept.glob("*.roots.parquet"))
    roots[0].unlink()  # the roots file is written last: without it the entry is absent
    partners_resolved.clear()
    again = resolve(_records(), Overrides(), kept_dir=kept, **SETTINGS)
    assert len(partners_resolved) == 1
    pd.testing.assert_frame_equal(again, first)
