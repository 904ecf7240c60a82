"""`svw` as a data engineer types it: arguments checked with a message and exit 2 (never a silent
exit 0, never a traceback), help that shows examples and the settings read, and one set of defaults
shared with make and the Dagster UI (landing zone, DAGSTER_HOME)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.settings import ENVIRONMENT_VARIABLES, choose_landing_zone, load_settings
from orchestration import cli
from tests.conftest import PROJECT_ROOT


def svw(capsys, *args) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        cli.main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return exit_.value.code, out.out + out.err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["backfill", "--partner", "stockprot"], "unknown partner 'stockprot' (did you mean 'stockport'?)"),
        (["backfill", "--from", "2019-4"], "--from '2019-4' is not a period: write it as YYYY-MM (e.g. 2019-04)"),
        (["backfill", "--to", "2019-13"], "--to '2019-13' is not a period"),
        (["backfill", "--from", "2019-06", "--to", "2019-04"], "--from 2019-06 is after --to 2019-04"),
        (["backfill", "--feed", "spnd"], "unknown feed 'spnd' (did you mean 'spend'?)"),
        (
            ["withdraw", "--partner", "trafford", "--feed", "spend", "--period", "June", "--reason", "x"],
            "--period 'June' is not a period",
        ),
        (
            ["withdraw", "--partner", "trafod", "--feed", "spend", "--period", "2019-06", "--reason", "x"],
            "did you mean 'trafford'?",
        ),
        (["validate-feed", "--partner", "stockprot", "--feed", "spend", "x.csv"], "did you mean 'stockport'?"),
        (["as-published", "--on", "2026-11"], "--on '2026-11' is not a date: write it as YYYY-MM-DD"),
    ],
)
def test_wrong_arguments_are_refused_with_a_message_and_exit_2(capsys, workspace, monkeypatch, args, says):
    workspace.export(monkeypatch)
    code, out = svw(capsys, *args)
    assert code == 2, out
    assert says in out


def test_inspect_file_of_a_missing_file_says_so_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "inspect-file", "nope.csv"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "cannot read: nope.csv: cannot be opened (No such file or directory)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_help_shows_examples_and_the_settings_it_reads(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps help to the terminal's width; no terminal here
    code, out = svw(capsys, "--help")
    assert code == 0
    assert "svw backfill --feed spend --partner stockport --from 2019-04 --to 2019-06 --publish" in out
    for name in ENVIRONMENT_VARIABLES:
        assert name in out
    for command in ("run", "backfill", "validate-feed", "inspect-file", "withdraw", "as-published", "dev"):
        assert command in out
    code, out = svw(capsys, "backfill", "--help")
    assert code == 0 and "Examples" in out and "--publish" in out


def test_a_backfill_matching_no_landed_file_stops_before_rebuilding(capsys, sample_workspace, monkeypatch):
    sample_workspace.export(monkeypatch)
    code, out = svw(capsys, "backfill", "--feed", "spend", "--partner", "stockport", "--from", "2030-01")
    assert code == 2
    assert "NOT RUN: no landed file" in out and "backfilling" not in out
    assert f"landing zone: {sample_workspace.landing} (SVW_LANDING_DIR is set)" in out


def test_the_landing_zone_rule_is_the_settings_default(tmp_path, monkeypatch):
    """make run, make dev and every svw command read the landing zone through load_settings, whose
    default is choose_landing_zone: a backfill after `make run` reads what make read."""
    monkeypatch.delenv("SVW_LANDING_DIR", raising=False)
    landing, why = choose_landing_zone({}, PROJECT_ROOT)
    settings = load_settings()
    assert settings.landing_dir == landing and settings.landing_reason == why
    monkeypatch.setenv("SVW_LANDING_DIR", str(tmp_path))
    assert load_settings().landing_dir == tmp_path.resolve()


def test_the_makefile_sets_no_defaults_of_its_own():
    """The defaults live once, in ingestion/settings.py: the Makefile used to export a landing zone
    (the sample) and a DAGSTER_HOME that a bare `svw` did not see."""
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    for name in ("SVW_LANDING_DIR ?=", "DAGSTER_HOME ?=", "export SVW_", "export DAGSTER_HOME"):
        assert name not in makefile
    assert "$(BIN)/svw run" in makefile and "$(BIN)/svw dev" in makefile


def test_dagster_home_defaults_beside_the_working_folder_and_is_set_for_the_command(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("SVW_LANDING_DIR", raising=False)
    monkeypatch.setenv("SVW_WORK_DIR", str(tmp_path / "work"))
    assert load_settings().dagster_home == tmp_path / "dagster_home"
    monkeypatch.delenv("SVW_WORK_DIR")
    assert load_settings().dagster_home == PROJECT_ROOT / "data" / "dagster_home"  # what `make dev` shows
    monkeypatch.setenv("SVW_WORK_DIR", str(tmp_path / "work"))
    with cli.shared_defaults():
        assert os.environ["DAGSTER_HOME"] == str(tmp_path / "dagster_home")
        assert (tmp_path / "dagster_home" / "dagster.yaml").read_text() == (
            PROJECT_ROOT / "orchestration" / "dagster.yaml"
        ).read_text()
        assert os.environ["SVW_LANDING_DIR"] == str(load_settings().landing_dir)
    assert "DAGSTER_HOME" not in os.environ and "SVW_LANDING_DIR" not in os.environ  # restored


def test_settings_prints_every_setting_and_where_it_came_from(capsys, workspace, monkeypatch):
    workspace.export(monkeypatch)
    code, out = svw(capsys, "settings")
    assert code == 0
    assert f"SVW_LANDING_DIR          set      {workspace.landing}" in out
    assert "DAGSTER_HOME" in out and "SVW_KEEP_RELEASES        default  3" in out
    assert f"{'SVW_DBT_MEMORY_LIMIT':<24} default  2GB" in out


def test_the_monthly_schedule_and_the_sensors_are_on_by_default():
    import dagster as dg

    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("monthly_rebuild_and_publish")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    for sensor in defs.sensors or []:
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING, sensor.name


def test_svw_is_the_console_script():
    assert (Path(sys.executable).parent / "svw").exists()


def test_a_setting_that_is_not_a_number_is_a_configuration_problem(capsys, workspace, monkeypatch):
    workspace.export(monkeypatch)
    monkeypatch.setenv("SVW_KEEP_RELEASES", "three")
    code, out = svw(capsys, "backfill", "--partner", "stockport")
    assert code == 2 and "configuration problem: SVW_KEEP_RELEASES='three'" in out
