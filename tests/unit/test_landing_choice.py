"""Which landing zone a plain `make run` / `svw run` reads, and the refusal to mix two of them."""

import subprocess
import sys

from ingestion.raw_store import MANIFEST
from orchestration.cli import choose_landing_zone, loads_from_elsewhere
from tests.conftest import PROJECT_ROOT
from tests.factories import load_record


def test_an_empty_data_landing_reads_the_bundled_sample_and_says_why(tmp_path):
    (tmp_path / "data" / "landing" / "bolton" / "spend").mkdir(parents=True)
    (tmp_path / "data" / "landing" / "bolton" / "spend" / ".keep").write_text("")
    landing, why = choose_landing_zone({}, tmp_path)
    assert landing == tmp_path / "data" / "sample" / "landing"
    assert "data/landing holds no partner files" in why and "data/landing/<partner>/<feed>/" in why


def test_partner_files_in_data_landing_are_read(tmp_path):
    folder = tmp_path / "data" / "landing" / "bolton" / "spend"
    folder.mkdir(parents=True)
    (folder / "bolton_2019.csv").write_text("x")
    assert choose_landing_zone({}, tmp_path) == (tmp_path / "data" / "landing", "data/landing holds 1 partner file")


def test_svw_landing_dir_overrides_both(tmp_path):
    folder = tmp_path / "data" / "landing" / "bolton" / "spend"
    folder.mkdir(parents=True)
    (folder / "bolton_2019.csv").write_text("x")
    landing, why = choose_landing_zone({"SVW_LANDING_DIR": str(tmp_path / "elsewhere")}, tmp_path)
    assert landing == tmp_path / "elsewhere" and why == "SVW_LANDING_DIR is set"


def _manifest(raw, feed, partner, period, source_file):
    folder = raw / feed / f"partner={partner}" / f"period={period}"
    folder.mkdir(parents=True)
    record = load_record(
        partner=partner, feed=feed, period=period, source_file=source_file, rows_in=0, rows_loaded=0, state="empty"
    )
    (folder / MANIFEST).write_text(record.to_json())


def test_partitions_no_landed_file_feeds_are_found(config_dir, tmp_path):
    landing = tmp_path / "landing" / "bolton" / "spend"
    landing.mkdir(parents=True)
    (landing / "bolton_2019.csv").write_text("x")
    raw = tmp_path / "raw"
    _manifest(raw, "spend", "bolton", "2019-01", "bolton/spend/bolton_2019_old_name.csv")  # replaced on load
    _manifest(raw, "spend", "stockport", "2019-04", "stockport/spend/stockport_spend_2019-04.csv")
    assert loads_from_elsewhere(raw, tmp_path / "landing", config_dir) == [
        "stockport/spend/stockport_spend_2019-04.csv"
    ]


def test_svw_run_prints_its_landing_zone_and_refuses_to_mix_in_other_loads(tmp_path):
    raw = tmp_path / "raw"
    _manifest(raw, "spend", "stockport", "2019-04", "stockport/spend/stockport_spend_2019-04.csv")
    (tmp_path / "landing").mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "SVW_LANDING_DIR": str(tmp_path / "landing"),
        "SVW_RAW_DIR": str(raw),
        "SVW_WORK_DIR": str(tmp_path / "work"),
        "SVW_PUBLISHED_DIR": str(tmp_path / "published"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"landing zone: {tmp_path / 'landing'} (SVW_LANDING_DIR is set)" in result.stdout
    assert "NOT RUN" in result.stdout and "stockport/spend/stockport_spend_2019-04.csv" in result.stdout
    assert "make clean" in result.stdout and f"remove {raw}" in result.stdout
    assert not (tmp_path / "published").exists()
