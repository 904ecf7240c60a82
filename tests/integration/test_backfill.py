"""Backfills from the command line: only the chosen partitions run; unchanged files stay no-ops."""

import pytest

from ingestion.raw_store import all_manifests, read_manifest
from orchestration import run_pipeline

pytestmark = pytest.mark.slow


def test_backfill_a_partner_period_range(sample_workspace, capsys):
    assert run_pipeline.backfill("spend", ["stockport"], "2019-04", "2019-06", publish=False) == 0
    loaded = {(m["partner"], m["period"]) for m in all_manifests(sample_workspace.raw)}
    assert loaded == {("stockport", "2019-04"), ("stockport", "2019-05"), ("stockport", "2019-06")}
    first = read_manifest(sample_workspace.raw, "spend", "stockport", "2019-05")["load_id"]
    assert run_pipeline.backfill("spend", ["stockport"], "2019-05", "2019-05", publish=False) == 0
    assert read_manifest(sample_workspace.raw, "spend", "stockport", "2019-05")["load_id"] == first
    assert "backfilling 1 partition(s)" in capsys.readouterr().out
