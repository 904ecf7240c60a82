"""Run the whole pipeline in-process through Dagster, as `make run` does, and print the KPIs.

One `load_batch` run loads every new or changed landed file (partners in parallel processes); it
records on each raw partition the same materialization and feed check the sensor's partition runs
record, so a partition's history in the Dagster UI reads the same however it was loaded. Then one
build-and-publish run, the job the schedule launches. Exit code 0 only when the publication went through.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import dagster as dg
import duckdb

from ingestion.canonical import FEEDS
from ingestion.landing import scan_landing
from ingestion.load import recorded_report
from ingestion.registry import load_registry, load_rules
from ingestion.settings import Settings, load_settings
from orchestration.partitions import PERIOD_PARTITIONS, partition_key_for
from publishing.coverage import partial_years, provisional_figures
from publishing.data_quality import print_data_quality

# `svw run` exit codes (README "Exit codes"): each says what happened, so a scheduler or a person
# knows what to do without reading a traceback.
EXIT_OK = 0
EXIT_BLOCKED = 1  # a blocking check failed: fix the data (the report names the file and rows)
EXIT_CONFIG = 2  # configuration unreadable or wrong, or the landing zone does not match the loads
EXIT_DISK_FULL = 3  # no space left on a disk the pipeline writes
EXIT_LOCKED = 4  # a warehouse file is locked by another process (a BI tool, a second run)
EXIT_BUSY = 5  # another run held the warehouse slot for longer than SVW_SLOT_WAIT_SECONDS


def _instance() -> dg.DagsterInstance:
    from orchestration.recovery import open_instance

    return open_instance()


def recover(instance: dg.DagsterInstance, settings: Settings | None = None) -> None:
    """What a killed run left: dead runs marked failed, their slots freed, their staged releases removed."""
    from orchestration.recovery import recover_stale_runs
    from publishing.publish import clean_leftovers

    recovery = recover_stale_runs(instance)
    for line in recovery.lines():
        print(f"  recovered: {line}", flush=True)
    for path in clean_leftovers((settings or load_settings()).published_dir, recovery.live_runs):
        print(f"  recovered: removed {path} (left by a run that did not finish)", flush=True)


def _error_texts(result) -> list[str]:
    """Every error message of the run's failed steps, with their causes."""
    texts = []
    for event in result.all_events:
        if event.event_type_value in ("STEP_FAILURE", "RUN_FAILURE"):
            error = getattr(event.event_specific_data, "error", None)
            while error is not None:
                texts.append(f"{error.cls_name}: {error.message}")
                error = error.cause or error.context
            metadata = getattr(event.event_specific_data, "user_failure_data", None)
            if metadata is not None and metadata.description:
                texts.append(metadata.description)
    return texts


def classify_failure(texts: list[str]) -> tuple[int, str] | None:
    """Disk full or a locked file, told apart from a failed check: each has its own fix."""
    joined = "\n".join(texts)
    if "No space left on device" in joined or "[Errno 28]" in joined or "ENOSPC" in joined:
        return EXIT_DISK_FULL, (
            "NOT PUBLISHED: a disk is full (No space left on device) while writing "
            f"{_written_path(joined) or 'the warehouse or the publication'}. Free space there and run again."
        )
    if "Could not set lock on file" in joined or "Conflicting lock is held" in joined:
        return EXIT_LOCKED, (
            "NOT PUBLISHED: a DuckDB file is locked by another process "
            f"({_lock_holder(joined)}). Close the program holding it (a BI tool or a SQL client opened on "
            "the working warehouse, or another run) and run again; BI tools should open "
            "data/published/current/warehouse.duckdb read-only."
        )
    return None


def _written_path(text: str) -> str | None:
    for marker in ("No space left on device: '", "[Errno 28] No space left on device: '"):
        if marker in text:
            return text.split(marker, 1)[1].split("'", 1)[0]
    duckdb_says = 'Could not write file "'  # DuckDB's IOException: Could not write file "<path>": <strerror>
    if duckdb_says in text:
        return text.split(duckdb_says, 1)[1].split('"', 1)[0]
    return None


def _lock_holder(text: str) -> str:
    line = next((ln for ln in text.splitlines() if "lock" in ln.lower()), "")
    return line.strip()[:400] or "unknown process"


def _failed_check_lines(result) -> list[str]:
    lines = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                lines.append(
                    f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()}: "
                    f"{evaluation.description}"
                )
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            lines.append(f"step {event.step_key} failed: {error.message.strip() if error else ''}")
    return lines


def print_kpis(published_warehouse, config_dir=None) -> None:
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        rows = con.execute(
            "select reporting_unit, financial_year, in_scope_spend_gbp, home_share_pct, gm_share_pct, "
            "unknown_location_spend_gbp, rule_version, shares_known, home_share_display, gm_share_display, "
            "partial_year_note from kpi_local_spend "
            "order by reporting_unit_type desc, reporting_unit, financial_year"
        ).fetchall()
        publication = con.execute("select publication_id, feed_files, checks_run from publication").fetchone()
    if publication is None:
        raise RuntimeError(f"{published_warehouse} has no publication row: nothing was published")
    print(
        f"\nPublished {published_warehouse} (publication {publication[0]}: "
        f"{publication[1]} feed files, {publication[2]} checks passed)\n"
    )
    header = f"{'unit':<10} {'year':<8} {'in-scope £':>16} {'home %':>7} {'GM %':>6} {'unknown £':>14}  rule"
    print(header)
    print("-" * len(header))
    for unit, year, spend, home, gm, unknown, rule, known, home_text, gm_text, partial in rows:
        # a share the mart does not state is printed in its words, never as a number
        shares = (
            f"{home:>7.2f} {gm:>6.2f}" if known else (home_text if home_text == gm_text else f"{home_text} / {gm_text}")
        )
        print(
            f"{unit:<10} {year:<8} {spend:>16,.0f} {shares} {unknown:>14,.0f}  {rule}"
            + (f"  [{partial}]" if partial else "")
        )
    provisional = provisional_figures(published_warehouse)
    if provisional:
        print(f"\n{len(provisional)} figure(s) published as provisional (coverage rule in config/rules.yml):")
        for line in provisional:
            print(f"  {line}")
    partial = partial_years(published_warehouse)
    if partial:
        print(f"\n{len(partial)} local spend figure(s) cover part of a year (fewer than 12 months of spend loaded):")
        for line in partial:
            print(f"  {line}")
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        social = con.execute("""
            select s.reporting_unit, s.financial_year, s.sv_secured_pct, s.sv_committed_gbp,
                   w.avg_sv_weighting_pct, b.sme_bids_pct, b.vcse_bids_pct, b.sme_awards_pct, b.vcse_awards_pct,
                   s.framework_is_illustrative
            from kpi_sv_secured s
            left join kpi_sv_evaluation_weighting w using (reporting_unit, financial_year)
            left join kpi_sme_vcse b using (reporting_unit, financial_year)
            where s.reporting_unit_type = 'group' order by 1 desc, 2""").fetchall()
    if social:
        print(
            f"\n{'unit':<10} {'year':<8} {'SV secured':>10} {'committed £':>14} {'SV weight':>9} "
            f"{'SME bids':>8} {'VCSE bids':>9} {'SME wins':>8} {'VCSE wins':>9}"
        )
        for unit, year, secured, committed, weight, sme_b, vcse_b, sme_a, vcse_a, _ in social:
            print(
                f"{unit:<10} {year:<8} {secured:>9.2f}% {committed:>14,.0f} {weight or 0:>8.2f}% "
                f"{sme_b or 0:>7.2f}% {vcse_b or 0:>8.2f}% {sme_a or 0:>7.2f}% {vcse_a or 0:>8.2f}%"
            )
        if any(row[-1] for row in social):
            print("(social value valued with the ILLUSTRATIVE demo framework; set SVW_FRAMEWORK for a real one)")
    print_data_quality(published_warehouse, load_registry(config_dir or load_settings().config_dir))
    print(f"\nStatements, dashboard, exports and catalogue: {published_warehouse.parent}")
    print(f"(release {published_warehouse.resolve().parent.name}; BI tools keep the path {published_warehouse})")


# Every event still reaches the Dagster instance (and the UI, stack traces included); the terminal
# shows this module's own report of what happened (checks, files, rows, a full disk, a locked file),
# never a stack trace for something a person can fix.
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def _run_config(settings: Settings) -> dict:
    """Quiet logs, and the folders this run was given (orchestration/resources.py): the jobs use
    them whatever the environment of the process says."""
    from orchestration.resources import run_config_for

    return {**QUIET_LOGS, **run_config_for(settings)}


def unchanged_partitions(files, settings: Settings) -> tuple[set[tuple[str, str]], list[str]]:
    """The partitions every one of whose files is loaded exactly as it would load again, and the
    problems those earlier loads recorded (a failed file stays a problem until it is fixed).

    A re-run with nothing changed then costs one hash per file instead of one Dagster run each."""
    rules = load_rules(settings.config_dir)
    by_partition: dict[tuple[str, str], list] = {}
    for landed in files:
        key = partition_key_for(landed.feed, landed.partner, landed.period.key)
        by_partition.setdefault((landed.feed, str(key)), []).append(landed)
    unchanged: set[tuple[str, str]] = set()
    problems: list[str] = []
    for partition, members in by_partition.items():
        reports = [recorded_report(f, rules, settings.raw_dir) for f in members]
        if all(r is not None for r in reports):
            unchanged.add(partition)
            problems += [
                f"unchanged since its last load, which failed: {r.summary()}"
                for r in reports
                if r is not None and not r.passed
            ]
    return unchanged, problems


# Called after each landed file is loaded: (files done, files in all, the file's name). `svw` draws
# a progress bar from it; without one, a line is printed every 20 files.
FileProgress = Callable[[int, int, str], None]


def ingest(
    files, instance, quiet: bool = False, settings: Settings | None = None, progress: FileProgress | None = None
) -> list[str]:
    """Load every landed file's partition in one `load_batch` run (orchestration/defs/ingest.py):
    partners in parallel processes when settings.load_workers > 1. A partition whose files are all
    loaded exactly as they would load again is skipped (its load is already recorded)."""
    from orchestration.recovery import wait_for_free_pools

    settings = settings or load_settings()
    wait_for_free_pools(
        instance, settings.slot_wait_seconds, lambda line: print(line, flush=True), pools=("raw_writer",)
    )
    skip, problems = unchanged_partitions(files, settings)
    to_load = [f for f in files if (f.feed, str(partition_key_for(f.feed, f.partner, f.period.key))) not in skip]
    if skip and not quiet:
        print(f"  {len(files) - len(to_load)} file(s) unchanged since their last load: not loaded again")
    if not to_load:
        return problems
    periods = sorted({f.period.key for f in to_load if FEEDS[f.feed].periodic})
    instance.add_dynamic_partitions(
        PERIOD_PARTITIONS.name, [p for p in periods if not instance.has_dynamic_partition(PERIOD_PARTITIONS.name, p)]
    )
    return problems + _load_batch(instance, to_load, settings, quiet, progress)


BATCH_TAG = "svw/load_batch"
# A worker process costs about five seconds to start (the forkserver imports Dagster and the
# project): a batch gets one worker per this many files, up to settings.load_workers.
FILES_PER_WORKER = 40


def _load_batch(instance, to_load, settings: Settings, quiet: bool, progress: FileProgress | None) -> list[str]:
    """Run `load_batch` on these files' partitions, reporting each file as its partition's
    materialization reaches the instance (a thread watches the run's events while it runs here)."""
    from orchestration.definitions import load_batch_job

    names: dict[tuple[str, str], list[str]] = {}
    for landed in to_load:
        key = partition_key_for(landed.feed, landed.partner, landed.period.key)
        names.setdefault((landed.feed, str(key)), []).append(landed.path.name)
    partitions = sorted(
        {(f.feed, f.partner, f.period.key if FEEDS[f.feed].periodic else "") for f in to_load}, key=lambda p: p[1:]
    )
    workers = min(settings.load_workers, len({p[1] for p in partitions}), max(1, len(to_load) // FILES_PER_WORKER))
    if workers > 1 and not instance.is_ephemeral:
        # worker processes fork from one server that has imported the project once
        start = {"forkserver": {"preload_modules": ["orchestration.definitions"]}}
        executor: dict = {"multiprocess": {"max_concurrent": workers, "start_method": start}}
    else:  # one worker, or no DAGSTER_HOME whose instance other processes could open: load here
        executor = {"in_process": {}}
    run_config = {
        **_run_config(settings),
        "ops": {
            "plan_load_batch": {
                "config": {
                    "partitions": [{"feed": f, "partner": p, "period": period} for f, p, period in partitions],
                    "workers": workers,
                }
            }
        },
        "execution": {"config": executor},
    }
    token = uuid.uuid4().hex
    watcher = _BatchWatcher(instance, token, names, len(to_load), quiet, progress)
    watcher.start()
    try:
        with dg.execute_job(
            dg.reconstructable(load_batch_job),
            instance=instance,
            run_config=run_config,
            tags={BATCH_TAG: token},
            raise_on_error=False,
        ) as result:
            lines = _failed_check_lines(result)
            if not result.success and not lines:
                lines = [f"the load run {result.run_id} failed before loading; its events are shown by `make dev`"]
    finally:
        watcher.stop()
        if "multiprocess" in executor:
            _stop_forkserver()
    return lines


def _stop_forkserver() -> None:
    """The load's workers fork from a server that imported the project (440 MB at 10M ledger lines).
    It lives as long as the process that started it, so it would sit beside resolution and dbt for
    the rest of the run; a later batch starts another. `_stop` is the standard library's own way to
    end it (written for its tests); without it the server stays, as before."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()


class _BatchWatcher(threading.Thread):
    """Reports files as the batch run records their partitions' materializations."""

    def __init__(self, instance, token: str, names: dict, total: int, quiet: bool, progress: FileProgress | None):
        super().__init__(daemon=True)
        self.instance, self.token, self.names, self.total = instance, token, names, total
        self.quiet, self.progress = quiet, progress
        self.done = 0
        self.started = time.monotonic()
        self.finished = threading.Event()

    def stop(self) -> None:
        self.finished.set()
        self.join()

    def run(self) -> None:
        run_id, cursor = None, None
        while True:
            last = self.finished.wait(1.0)
            if run_id is None:
                runs = self.instance.get_runs(filters=dg.RunsFilter(tags={BATCH_TAG: self.token}), limit=1)
                run_id = runs[0].run_id if runs else None
            if run_id is not None:
                while True:
                    page = self.instance.get_records_for_run(
                        run_id, cursor=cursor, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=500
                    )
                    for record in page.records:
                        self._report(record.event_log_entry.dagster_event)
                    cursor = page.cursor
                    if not page.has_more:
                        break
            if last:
                return

    def _report(self, event) -> None:
        feed = event.asset_key.path[-1]
        for name in self.names.get((feed, event.partition), []):
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total, name)
            elif not self.quiet and (self.done % 20 == 0 or self.done == self.total):
                print(f"  loaded {self.done}/{self.total} files ({time.monotonic() - self.started:.0f}s)", flush=True)


# Wraps the long build step (minutes, one Dagster run): `svw` shows a spinner with the time elapsed.
StepStatus = Callable[[str], contextlib.AbstractContextManager]


@contextlib.contextmanager
def printed_status(text: str) -> Iterator[None]:
    print(f"{text} ...", flush=True)
    yield


def build_and_publish(
    instance, problems: list[str], settings: Settings | None = None, status: StepStatus = printed_status
) -> int:
    from orchestration.definitions import defs
    from orchestration.recovery import wait_for_free_pools

    settings = settings or load_settings()
    recover(instance, settings)
    wait_for_free_pools(
        instance, settings.slot_wait_seconds, lambda line: print(line, flush=True), pools=("warehouse_writer",)
    )
    with status("building marts, running checks, publishing"):
        result = defs.resolve_job_def("build_and_publish").execute_in_process(
            instance=instance, raise_on_error=False, run_config=_run_config(settings)
        )
    problems = problems + _failed_check_lines(result)
    if not result.success:
        print(f"(every event of this run, stack traces included: Dagster run {result.run_id}, shown by `make dev`)")
        classified = classify_failure(_error_texts(result))
        if classified is not None:
            code, message = classified
            print(f"\n{message}\nThe previous publication in {settings.current_dir} is unchanged.")
            return code
    if problems:
        print("\nProblems found:")
        for line in problems:
            print(f"  {line}")
    if not result.success:
        print(
            f"\nNOT PUBLISHED: a blocking check failed (see above). "
            f"The previous publication in {settings.current_dir} is unchanged."
        )
        return EXIT_BLOCKED
    print_kpis(settings.published_warehouse_path, settings.config_dir)
    return EXIT_OK


def _scan(settings: Settings | None = None):
    settings = settings or load_settings()
    registry = load_registry(settings.config_dir)
    scan = scan_landing(settings.landing_dir, registry)
    print(f"landing zone {settings.landing_dir}: {len(scan.files)} files for {len(registry.partners)} partners")
    for problem in scan.problems:
        print(f"  PROBLEM {problem.path}: {problem.message}")
    return scan


def run(
    quiet: bool = False,
    settings: Settings | None = None,
    rebuild: bool = False,
    progress: FileProgress | None = None,
    status: StepStatus = printed_status,
) -> int:
    """Everything in the landing zone, then build and publish (in the folders given, else those the
    environment names). When the current publication was made from exactly these inputs, nothing is
    rebuilt (orchestration/freshness.py) unless `rebuild` asks for it."""
    from orchestration.freshness import record_publication, unchanged_since_publication

    settings = settings or load_settings()
    scan = _scan(settings)
    instance = _instance()
    recover(instance, settings)
    problems = ingest(scan.files, instance, quiet, settings, progress)
    if not rebuild and not scan.problems and not problems and (current := unchanged_since_publication(settings)):
        print(
            f"nothing changed since publication {current} (files, loads, withdrawals, configuration, "
            "reference files and code all as they were): not rebuilt; `svw run --rebuild` forces it"
        )
        print_kpis(settings.published_warehouse_path, settings.config_dir)
        return EXIT_OK
    code = build_and_publish(instance, problems, settings, status)
    if code == EXIT_OK:
        record_publication(settings)
    return code


def backfill_files(files, feed: str | None, partners: list[str] | None, start: str | None, end: str | None) -> list:
    """The landed files a backfill re-runs (period keys compared as yyyy-mm; a snapshot feed's
    'current' is in every range)."""
    return [
        f
        for f in files
        if (feed is None or f.feed == feed)
        and (not partners or f.partner in partners)
        and (start is None or f.period.key == "current" or f.period.key >= start)
        and (end is None or f.period.key == "current" or f.period.key <= end)
    ]


def backfill(
    feed: str | None,
    partners: list[str] | None,
    start: str | None,
    end: str | None,
    publish: bool,
    quiet: bool = False,
    settings: Settings | None = None,
    progress: FileProgress | None = None,
    status: StepStatus = printed_status,
) -> int:
    """Re-run the ingest partitions whose files match, and optionally rebuild and publish.
    Unchanged files stay no-ops; a changed mapping reloads. Nothing matching is a mistake in what
    was typed (or the wrong landing zone), so it stops with exit 2 before rebuilding anything."""
    settings = settings or load_settings()
    scan = _scan(settings)
    chosen = backfill_files(scan.files, feed, partners, start, end)
    if not chosen:
        print(
            f"NOT RUN: no landed file in {settings.landing_dir} matches "
            f"(feed {feed or 'any'}, partner {', '.join(partners or []) or 'any'}, "
            f"periods {start or 'first'} to {end or 'last'}). Check the landing zone printed above "
            "(SVW_LANDING_DIR chooses another) and the periods its files cover."
        )
        return EXIT_CONFIG
    print(f"backfilling {len(chosen)} partition(s)")
    instance = _instance()
    recover(instance, settings)
    problems = ingest(chosen, instance, quiet, settings, progress)
    if publish:
        return build_and_publish(instance, problems, settings, status)
    for line in problems:
        print(f"  {line}")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    sys.exit(run(quiet=args.quiet))


if __name__ == "__main__":
    main()
