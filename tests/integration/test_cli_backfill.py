"""The README's backfill command, typed as written in a shell where make's variables are not set:
it reads the landing zone `make run` reads (the settings' one rule), and its runs land in the
Dagster instance `make dev` shows (DAGSTER_HOME's default, beside the working folder)."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import pytest

from ingestion.settings import choose_landing_zone
from tests.conftest import ENV_KEYS, PROJECT_ROOT, SAMPLE_DIR

pytestmark = pytest.mark.slow

README_BACKFILL = "svw backfill --feed spend --partner stockport --from 2019-04 --to 2019-06"


def test_the_readme_backfill_reads_makes_landing_zone_and_shows_in_the_ui(tmp_path):
    assert README_BACKFILL in (PROJECT_ROOT / "README.md").read_text()
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}  # no SVW_LANDING_DIR, no DAGSTER_HOME
    env.update(
        {
            "SVW_RAW_DIR": str(tmp_path / "raw"),
            "SVW_WORK_DIR": str(tmp_path / "work"),
            "SVW_PUBLISHED_DIR": str(tmp_path / "published"),
        }
    )
    landing, why = choose_landing_zone({}, PROJECT_ROOT)  # what a plain `make run` reads
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *README_BACKFILL.split()[1:]],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=900,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert f"landing zone: {landing} ({why})" in out
    if landing == SAMPLE_DIR / "landing":  # a checkout with an empty data/landing, as in CI
        assert "backfilling 3 partition(s)" in out
    assert "Traceback" not in out
    home = tmp_path / "dagster_home"  # the settings' default beside SVW_WORK_DIR
    assert (home / "dagster.yaml").exists()
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name="load_batch"))
        loaded = instance.get_materialized_partitions(dg.AssetKey(["raw", "spend"]))
    finally:
        instance.dispose()
    assert runs and all(r.is_success for r in runs)
    if landing == SAMPLE_DIR / "landing":
        # one load run for the three partitions, each recorded on raw/spend where `make dev` looks
        assert len(runs) == 1
        assert loaded == {f"stockport|{month}" for month in ("2019-04", "2019-05", "2019-06")}
