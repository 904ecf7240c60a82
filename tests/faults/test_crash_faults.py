"""Crashes, concurrent runs and one publication at a time (issue 14 items 2, 3 and part of 6).

A `svw run` killed with SIGKILL at any stage must leave the current publication whole (the old one
or the new one, compared by the SHA-256 of every file of the current release), leave no dbt process
behind, and the next run must recover by itself (dead run marked failed, its pool slot freed, its
staged release removed) and publish. Each error a person can fix has its own message and exit code.

The whole-pipeline tests share one baseline publication (a module-scoped data folder built by one
real `svw run`), copied per test, so the file costs one baseline and a few runs.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.run_pipeline import EXIT_DISK_FULL, EXIT_LOCKED, classify_failure
from publishing.publish import MANIFEST, clean_leftovers, file_manifest, prune_releases, staging_dir, switch_release
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR

RUN_TIMEOUT = 1800  # seconds; a run that hangs on a dead run's slot fails here instead of forever


# ---------------------------------------------------------------------------------------------
# helpers


def _environment(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SVW_", "DAGSTER_"))}
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
            "DAGSTER_HOME": str(root / "dagster_home"),
            "SVW_LANDING_DIR": str(root / "landing"),
            "SVW_RAW_DIR": str(root / "raw"),
            "SVW_WORK_DIR": str(root / "work"),
            "SVW_PUBLISHED_DIR": str(root / "published"),
            "SVW_WAREHOUSE": str(root / "work" / "warehouse.duckdb"),
            "SVW_POSTCODE_DIRECTORY": str(SAMPLE_DIR / "reference" / "sample_postcodes_nspl.csv"),
        }
    )
    return env


def _fresh_root(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SAMPLE_DIR / "landing", root / "landing")
    (root / "dagster_home").mkdir()
    shutil.copy(PROJECT_ROOT / "orchestration" / "dagster.yaml", root / "dagster_home" / "dagster.yaml")
    return root


class Run:
    """One `svw run` subprocess writing its output to a log file (so it never blocks on a pipe)."""

    def __init__(self, root: Path, name: str, prelude: str | None = None):
        self.log = root / f"{name}.log"
        command = (
            [
                sys.executable,
                "-c",
                prelude + "\nfrom orchestration.cli import main\nmain(['run', '--quiet', '--rebuild'])",
            ]
            if prelude
            else [sys.executable, "-m", "orchestration.cli", "run", "--quiet", "--rebuild"]
        )
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=_environment(root), stdout=out, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until(self, condition, what: str, timeout: float = RUN_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the run ended (exit {self.process.returncode}) before {what}:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                self.process.kill()
                pytest.fail(f"timed out waiting for {what}:\n{self.output()[-3000:]}")
            time.sleep(0.2)

    def finish(self, timeout: float = RUN_TIMEOUT) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"the run hung for {timeout}s (waiting on a dead run?):\n{self.output()[-3000:]}")

    def kill9(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _processes_of(root: Path) -> dict[int, str]:
    """Live processes working on this data folder (their environment names it), with their command."""
    marker = f"SVW_WORK_DIR={root / 'work'}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                continue
            found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def _dbt_processes(root: Path) -> dict[int, str]:
    return {pid: cmd for pid, cmd in _processes_of(root).items() if "dbt" in cmd and "orchestration.cli" not in cmd}


def _current(root: Path) -> tuple[str, dict[str, str]]:
    """The current release's name and the SHA-256 of each of its files."""
    current = (root / "published" / "current").resolve(strict=True)
    return current.name, file_manifest(current)


def _assert_whole(root: Path) -> str:
    """The current release is complete and exactly what its MANIFEST.json says."""
    import json

    current = (root / "published" / "current").resolve(strict=True)
    recorded = json.loads((current / MANIFEST).read_text())
    assert recorded["publication_id"] == current.name
    assert file_manifest(current) == recorded["files"]
    for needed in (
        "warehouse.duckdb",
        "parquet/kpi_local_spend.parquet",
        "dashboard.html",
        "exports/gm_social_value_kpis.xlsx",
        "catalogue/index.html",
        "statements/stockport_2020-21_social_value_statement.html",
    ):
        assert needed in recorded["files"], needed
    with duckdb.connect(str(current / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select publication_id from publication").fetchone() == (current.name,)
    return current.name


def _staging_folders(root: Path) -> list[Path]:
    releases = root / "published" / "releases"
    return sorted(p for p in releases.iterdir() if p.name.startswith(".staging-")) if releases.is_dir() else []


def _run_statuses(root: Path) -> list[str]:
    code = "import dagster as dg; i = dg.DagsterInstance.get(); print(' '.join(r.status.value for r in i.get_runs()))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=_environment(root), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """One good publication, built once by a real `svw run` on the bundled sample."""
    root = _fresh_root(tmp_path_factory.mktemp("baseline") / "data")
    run = Run(root, "baseline")
    assert run.finish() == 0, run.output()[-3000:]
    _assert_whole(root)
    return root


@pytest.fixture
def copied(baseline, tmp_path) -> Path:
    """A private copy of the baseline data folder (symlinks kept: `current` stays a pointer)."""
    root = tmp_path / "data"
    shutil.copytree(baseline, root, symlinks=True)
    return root


# ---------------------------------------------------------------------------------------------
# whole-pipeline crash tests


@pytest.mark.slow
def test_kill_9_at_each_stage_leaves_a_whole_publication_and_the_next_run_recovers(copied):
    before_name, before = _current(copied)

    # 1. after ingest, as the build starts
    run = Run(copied, "killed-after-ingest")
    run.wait_until(lambda: "building marts" in run.output(), "the build to start")
    run.kill9()
    assert _current(copied) == (before_name, before)

    # 2. during `dbt build`: the dbt child must die with its parent
    run = Run(copied, "killed-during-dbt")
    run.wait_until(lambda: bool(_dbt_processes(copied)), "dbt to start")
    time.sleep(3)
    run.kill9()
    deadline = time.monotonic() + 20
    while _dbt_processes(copied) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _dbt_processes(copied) == {}, "an orphaned dbt process outlived the killed run"
    assert _current(copied) == (before_name, before)

    # 3. during the outputs: statements half written into the staged release
    run = Run(copied, "killed-during-outputs")
    run.wait_until(
        lambda: any(any((s / "statements").glob("*.html")) for s in _staging_folders(copied)),
        "statements to be written",
    )
    run.kill9()
    assert _current(copied) == (before_name, before)
    assert _staging_folders(copied), "the killed run's staged release should still be there to clean"
    assert not (copied / "published" / "warehouse.duckdb").exists()  # nothing outside the release

    # 4. the next run recovers without any manual step and publishes a new, whole release
    run = Run(copied, "recovering")
    code = run.finish()
    out = run.output()
    assert code == 0, out[-3000:]
    assert "recovered: run" in out and "marked failed" in out
    assert "recovered: removed" in out and ".staging-" in out
    assert _staging_folders(copied) == []
    after_name = _assert_whole(copied)
    assert after_name != before_name
    assert "STARTED" not in _run_statuses(copied)
    assert _processes_of(copied) == {}


@pytest.mark.slow
def test_disk_full_has_its_own_message_and_exit_code_and_the_publication_is_intact(copied):
    before = _current(copied)
    prelude = textwrap.dedent(
        """
        import duckdb
        import publishing.publish as publish

        write_release = publish.write_release

        def no_space_in_published(working, final_db, parquet_dir, *args, **kwargs):
            # the disk fills as the new release's last file is written: DuckDB's own error
            write_release(working, final_db, parquet_dir, *args, **kwargs)
            where = parquet_dir / "publication_history.parquet"
            raise duckdb.IOException(f'IO Error: Could not write file "{where}": No space left on device')

        publish.write_release = no_space_in_published
        """
    )
    run = Run(copied, "disk-full", prelude=prelude)
    code = run.finish()
    out = run.output()
    assert code == EXIT_DISK_FULL, out[-3000:]
    assert "disk is full" in out and "a blocking check failed" not in out
    assert "Traceback" not in out and "Stack Trace" not in out
    assert _current(copied) == before
    assert _staging_folders(copied) == []  # what the failed publication wrote is removed at once


# ---------------------------------------------------------------------------------------------
# concurrent first runs, stale runs and slots (no pipeline)


def test_two_first_runs_on_a_fresh_dagster_home_both_open_it(tmp_path):
    """Each process starts the instance (and its recovery) at the same instant on a fresh home."""
    script = textwrap.dedent(
        """
        import sys, time
        start = float(sys.argv[1])
        import dagster  # the slow import happens before the start line
        from orchestration import run_pipeline
        while time.time() < start:
            pass
        instance = run_pipeline._instance()
        run_pipeline.recover(instance)
        print("opened")
        """
    )
    for attempt in range(2):
        root = _fresh_root(tmp_path / f"home{attempt}")
        start = time.time() + 15
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(start)],
                cwd=PROJECT_ROOT,
                env=_environment(root),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [p.communicate(timeout=120)[0] for p in processes]
        for process, out in zip(processes, outputs):
            assert process.returncode == 0 and "opened" in out, out[-2000:]


def _dead_run_holding_the_warehouse_slot(root: Path) -> str:
    """A run as a kill -9 leaves it: STARTED, holding the warehouse_writer slot, its process gone."""
    script = textwrap.dedent(
        """
        import os
        import dagster as dg
        from dagster._core.events import DagsterEvent, DagsterEventType, EngineEventData
        from orchestration.recovery import open_instance

        instance = open_instance()
        run = instance.add_run(dg.DagsterRun(job_name="build_and_publish", status=dg.DagsterRunStatus.STARTED))
        event = DagsterEvent(DagsterEventType.ENGINE_EVENT.value, job_name=run.job_name, message="working",
                             event_specific_data=EngineEventData(), pid=os.getpid())
        instance.report_dagster_event(event, run_id=run.run_id)
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default("warehouse_writer")
        assert storage.claim_concurrency_slot("warehouse_writer", run.run_id, "dbt_warehouse").is_claimed
        print(run.run_id)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=_environment(root), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.split()[-1]


def test_a_dead_run_is_marked_failed_and_its_slot_freed(tmp_path, monkeypatch):
    from orchestration.recovery import open_instance, recover_stale_runs, slot_holders

    root = _fresh_root(tmp_path / "data")
    dead = _dead_run_holding_the_warehouse_slot(root)
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    instance = open_instance()
    assert slot_holders(instance)["warehouse_writer"] == {dead}
    recovery = recover_stale_runs(instance)
    assert recovery.failed_runs == [dead]
    assert slot_holders(instance)["warehouse_writer"] == set()
    run = instance.get_run_by_id(dead)
    assert run is not None and run.status.value == "FAILURE"


def test_a_live_holder_is_named_and_the_wait_times_out(tmp_path, monkeypatch):
    import dagster as dg
    from dagster._core.events import DagsterEvent, DagsterEventType, EngineEventData

    from orchestration.recovery import SlotWaitTimeout, open_instance, wait_for_free_pools

    root = _fresh_root(tmp_path / "data")
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    instance = open_instance()
    live = instance.add_run(dg.DagsterRun(job_name="build_and_publish", status=dg.DagsterRunStatus.STARTED))
    instance.report_dagster_event(
        DagsterEvent(
            DagsterEventType.ENGINE_EVENT.value,
            job_name=live.job_name,
            message="working",
            event_specific_data=EngineEventData(),
            pid=os.getpid(),  # this very process: alive
        ),
        run_id=live.run_id,
    )
    instance.event_log_storage.initialize_concurrency_limit_to_default("warehouse_writer")
    assert instance.event_log_storage.claim_concurrency_slot("warehouse_writer", live.run_id, "dbt").is_claimed
    said: list[str] = []
    with pytest.raises(SlotWaitTimeout, match="gave up after 1s"):
        wait_for_free_pools(instance, 1, said.append, pools=("warehouse_writer",), poll_seconds=0.2)
    assert len(said) == 1 and live.run_id in said[0] and "warehouse_writer" in said[0]
    assert instance.get_run_by_id(live.run_id).status.value == "STARTED"  # a live run is left alone


# ---------------------------------------------------------------------------------------------
# one publication, one pointer (no pipeline)


def _stage(published: Path, run_id: str, content: str) -> Path:
    staging = staging_dir(published, run_id)
    (staging / "parquet").mkdir(parents=True)
    (staging / "warehouse.duckdb").write_text(content)
    (staging / "parquet" / "kpi.parquet").write_text(content)
    (staging / "PUBLICATION_ID").write_text(f"2026010{content}T000000Z-abcdef\n")
    return staging


def test_a_release_is_switched_in_whole_and_old_ones_pruned(tmp_path):
    published = tmp_path / "published"
    for n in range(1, 6):
        switch_release(published, _stage(published, f"run{n}", str(n)), keep=3)
        current = published / "current"
        assert current.is_symlink() and (current / "warehouse.duckdb").read_text() == str(n)
        assert (current / "parquet" / "kpi.parquet").read_text() == str(n)
    releases = sorted(p.name for p in (published / "releases").iterdir())
    assert releases == ["20260103T000000Z-abcdef", "20260104T000000Z-abcdef", "20260105T000000Z-abcdef"]
    assert os.readlink(published / "current") == "releases/20260105T000000Z-abcdef"


def test_a_reader_holding_the_old_release_keeps_reading_it(tmp_path):
    published = tmp_path / "published"
    switch_release(published, _stage(published, "old", "1"), keep=1)
    with open(published / "current" / "warehouse.duckdb") as held:
        switch_release(published, _stage(published, "new", "2"), keep=1)
        assert held.read() == "1"
    assert (published / "current" / "warehouse.duckdb").read_text() == "2"


def test_leftovers_of_dead_runs_are_cleaned_and_a_live_runs_staging_kept(tmp_path):
    published = tmp_path / "published"
    switch_release(published, _stage(published, "first", "1"), keep=3)
    dead, live = _stage(published, "dead", "2"), _stage(published, "live", "3")
    (published / ".parquet.20250101T000000Z-000000").mkdir()  # the old layout's staged Parquet
    (published / ".current.20260102T000000Z-abcdef").symlink_to("releases/nowhere")
    removed = clean_leftovers(published, live_run_ids=["live"])
    assert dead in removed and not dead.exists() and live.exists()
    assert not (published / ".parquet.20250101T000000Z-000000").exists()
    assert not (published / ".current.20260102T000000Z-abcdef").is_symlink()
    assert (published / "current" / "warehouse.duckdb").read_text() == "1"


def test_a_release_never_switched_in_is_pruned(tmp_path):
    """Killed between the rename and the switch: the newer release is nobody's, and goes."""
    published = tmp_path / "published"
    switch_release(published, _stage(published, "a", "1"), keep=3)
    orphan = published / "releases" / "20260109T000000Z-abcdef"
    _stage(published, "b", "9").rename(orphan)
    prune_releases(published, keep=3)
    assert not orphan.exists()
    assert (published / "current" / "warehouse.duckdb").read_text() == "1"


# ---------------------------------------------------------------------------------------------
# errors say what happened (no pipeline)


def test_a_locked_warehouse_is_told_apart_from_a_failed_check(tmp_path):
    """A real DuckDB lock: another process holds the file open for writing."""
    warehouse = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(warehouse)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(duckdb.IOException) as caught:
            duckdb.connect(str(warehouse))
    finally:
        holder.kill()
        holder.wait()
    classified = classify_failure([str(caught.value)])
    assert classified is not None
    code, message = classified
    assert code == EXIT_LOCKED and "locked by another process" in message and f"PID {holder.pid}" in message
    assert classify_failure(["check amount_readable on raw/spend: 2 rows unreadable"]) is None
    disk = classify_failure([str(OSError(errno.ENOSPC, "No space left on device", "/data/x.parquet"))])
    assert disk is not None and disk[0] == EXIT_DISK_FULL and "/data/x.parquet" in disk[1]
    in_duckdb = classify_failure(
        ['IO Error: Could not write file "/data/p/fct_spend.parquet": No space left on device']
    )
    assert in_duckdb is not None and in_duckdb[0] == EXIT_DISK_FULL and "/data/p/fct_spend.parquet" in in_duckdb[1]
