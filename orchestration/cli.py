"""`svw`: the project's command line (Typer, with rich help and progress).

Every command reads its settings from ingestion/settings.py, the one place the defaults live, so
`svw`, `make run`, `make dev` and the Dagster daemon read the same landing zone and record their
runs in the same Dagster instance (DAGSTER_HOME, default data/dagster_home). What was typed is
checked before anything runs: an unknown partner or feed names the nearest one, a period says its
format, and each mistake exits 2 with one line, never a traceback.

Exit codes (README "Exit codes", docs/reliability.md): 0 done/published, 1 a blocking check failed
(or a file must be fixed), 2 what was typed or configured is wrong (nothing run), 3 disk full, 4 a
DuckDB file locked by another process, 5 another run held the warehouse slot too long.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import typer

from ingestion.canonical import FEEDS
from ingestion.settings import ENVIRONMENT_VARIABLES, PROJECT_ROOT, choose_landing_zone

EXIT_USAGE = 2  # the same code click gives a malformed command line: nothing was run

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _settings_epilog() -> str:
    lines = "\n".join(f"  {name}: {text}" for name, text in ENVIRONMENT_VARIABLES.items())
    return f"Settings read (environment variables; defaults in ingestion/settings.py):\n{lines}"


EXAMPLES = """Examples:
  svw run                                          the whole pipeline, as make run
  svw backfill --feed spend --partner stockport --from 2019-04 --to 2019-06 --publish
  svw inspect-file path/to/export.csv               how a file reads
  svw validate-feed --partner stockport --feed spend path/to/export.csv
  svw withdraw --partner trafford --feed spend --period 2019-06 --reason "wrong month sent"
  svw as-published --on 2026-11-30                 which publication was in force that day
  svw settings                                     every setting, its value and where it came from
  svw dev                                          the Dagster UI on the same instance (make dev)"""

app = typer.Typer(
    name="svw",
    help="GM social value warehouse: load partner feeds, build, check and publish.",
    epilog=EXAMPLES + "\n\n" + _settings_epilog(),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)


class UsageProblem(Exception):
    """What was typed cannot be run; the message says what to type instead."""


def _nearest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_feed(feed: str | None) -> str | None:
    if feed is not None and feed not in FEEDS:
        raise UsageProblem(f"unknown feed '{feed}'{_nearest(feed, sorted(FEEDS))}; feeds: {', '.join(sorted(FEEDS))}")
    return feed


def check_partners(codes: list[str] | None, known: list[str]) -> list[str] | None:
    for code in codes or []:
        if code not in known:
            raise UsageProblem(
                f"unknown partner '{code}'{_nearest(code, known)}; partners in config/partners.yml: {', '.join(known)}"
            )
    return codes


def check_period(value: str | None, option: str) -> str | None:
    if value is not None and not PERIOD.match(value):
        raise UsageProblem(f"{option} {value!r} is not a period: write it as YYYY-MM (e.g. 2019-04)")
    return value


def check_range(start: str | None, end: str | None) -> None:
    if start and end and start > end:
        raise UsageProblem(f"--from {start} is after --to {end}: nothing lies between them")


@contextlib.contextmanager
def shared_defaults(pin_landing: bool = True) -> Iterator[None]:
    """The defaults every entry point shares, in force for one command: DAGSTER_HOME (settings'
    default, its dagster.yaml copied from orchestration/ as make does) so the run shows in the UI,
    and the landing zone chosen once, so a file landing mid-run cannot switch it. Restored after,
    so an in-process caller (a test) keeps its own environment."""

    saved = {key: os.environ.get(key) for key in ("DAGSTER_HOME", "SVW_LANDING_DIR")}
    settings = _settings()
    home = settings.dagster_home
    if home is not None:
        ensure_dagster_home(home)
        os.environ["DAGSTER_HOME"] = str(home)
    if pin_landing:
        os.environ["SVW_LANDING_DIR"] = str(settings.landing_dir)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def ensure_dagster_home(home: Path) -> Path:
    """DAGSTER_HOME with the project's dagster.yaml (pools of one for warehouse writers, run
    monitoring), copied when missing or older, as the Makefile used to."""
    home.mkdir(parents=True, exist_ok=True)
    source = PROJECT_ROOT / "orchestration" / "dagster.yaml"
    target = home / "dagster.yaml"
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        shutil.copyfile(source, target)
    return target


def _finish(code: int) -> NoReturn:
    raise typer.Exit(code)


def _usage(exc: UsageProblem) -> NoReturn:
    print(f"svw: {exc}")
    raise typer.Exit(EXIT_USAGE)


@contextlib.contextmanager
def _progress(quiet: bool, what: str) -> Iterator:
    """A rich progress bar over landed files (per partition run), and a spinner with the time for
    the build step; plain lines when quiet or when output is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(soft_wrap=True)
    if quiet or not console.is_terminal:
        yield None, None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(what, total=None)

        def on_file(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{what} (last: {name})")

        @contextlib.contextmanager
        def status(text: str) -> Iterator[None]:
            step = bar.add_task(text, total=None)
            try:
                yield
            finally:
                bar.update(step, total=1, completed=1)

        yield on_file, status


def _settings():
    """The settings, or exit 2 naming the one that cannot be read (SVW_KEEP_RELEASES=three)."""
    from ingestion.settings import load_settings

    try:
        return load_settings()
    except ValueError as exc:
        print(f"configuration problem: {exc}")
        raise typer.Exit(EXIT_USAGE) from None


def _known_partners() -> list[str]:
    from ingestion.registry import load_registry

    return sorted(load_registry(_settings().config_dir).partners)


@app.command(
    "run",
    epilog="Example:\n  svw run\n  SVW_LANDING_DIR=/path/to/landing svw run --quiet\n  svw run --rebuild",
)
def run_command(
    quiet: bool = typer.Option(False, "--quiet", help="no progress, fewer lines"),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="rebuild and publish even when nothing changed since the current publication"
    ),
) -> None:
    """Run the whole pipeline on the landing zone and publish (what make run does). When nothing
    changed since the current publication, nothing is rebuilt (--rebuild forces it)."""
    landing, why = choose_landing_zone(os.environ, PROJECT_ROOT)
    print(f"landing zone: {landing} ({why})", flush=True)
    with shared_defaults():
        _finish(_run(quiet, rebuild))


def _run(quiet: bool, rebuild: bool = False) -> int:
    """The pipeline, refusing to mix its figures with partitions loaded from another landing zone."""
    from ingestion.registry import ConfigError
    from ingestion.settings import load_settings

    try:
        settings = load_settings()
        elsewhere = loads_from_elsewhere(settings.raw_dir, settings.landing_dir, settings.config_dir)
    except (ConfigError, ValueError) as exc:
        print(f"configuration problem: {exc}")
        return 2
    except OSError as exc:  # unreadable configuration (permissions, a folder where a file belongs)
        print(f"configuration problem: cannot read {exc.filename or 'a configuration file'}: {exc.strerror or exc}")
        return 2
    if elsewhere:
        print(
            f"NOT RUN: {settings.raw_dir} holds {len(elsewhere)} loaded file(s) that no file in this "
            f"landing zone replaces ({', '.join(elsewhere[:3])}{' and more' if len(elsewhere) > 3 else ''}): "
            "loaded by an earlier run from a file since removed, or from another landing zone. The "
            "marts read every loaded file, so they would be counted in this publication. Fix: put the "
            f"file(s) back, or remove {settings.raw_dir} and {settings.work_dir} (both derived from "
            "landing files and rebuilt by the next run; `make clean` clears the default ones, and "
            "data/published with them)."
        )
        return 2
    from orchestration import run_pipeline

    with _progress(quiet, "loading") as (on_file, status):
        return _reporting_errors(
            lambda: run_pipeline.run(
                quiet=quiet, rebuild=rebuild, progress=on_file, status=status or run_pipeline.printed_status
            )
        )


def loads_from_elsewhere(raw_dir: Path, landing_dir: Path, config_dir: Path) -> list[str]:
    """Raw partitions that no file in this landing zone feeds (e.g. the sample's, loaded by an
    earlier `make run`): the marts read every raw partition, so they would be counted in this
    publication. A partition a landed file feeds is fine: that file replaces it when loaded."""
    import yaml

    from ingestion.landing import scan_landing
    from ingestion.raw_store import all_manifests
    from ingestion.registry import ConfigError, load_registry, load_rules

    try:  # an unreadable rules.yml is named here (file, line), not as a traceback mid-run
        load_rules(config_dir)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_dir / 'rules.yml'} is not valid YAML: {exc}; fix the line it names") from exc
    scan = scan_landing(landing_dir, load_registry(config_dir))
    fed = {(f.feed, f.partner, f.period.key) for f in scan.files}
    return sorted({m.source_file for m in all_manifests(raw_dir) if m.partition not in fed})


def _reporting_errors(call) -> int:
    """The pipeline, with what went wrong said in one line and its own exit code (README "Exit
    codes") instead of a traceback: a full disk, a locked file, unreadable configuration, a slot
    another live run held too long."""
    import errno

    import duckdb

    from ingestion.registry import ConfigError
    from orchestration.recovery import SlotWaitTimeout
    from orchestration.run_pipeline import EXIT_BUSY, EXIT_CONFIG, EXIT_DISK_FULL, classify_failure

    try:
        return call()
    except SlotWaitTimeout as exc:
        print(f"NOT RUN: {exc}")
        return EXIT_BUSY
    except ConfigError as exc:
        print(f"configuration problem: {exc}")
        return EXIT_CONFIG
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            print(f"NOT PUBLISHED: a disk is full (No space left on device) writing {exc.filename or 'a file'}.")
            return EXIT_DISK_FULL
        if isinstance(exc, PermissionError):
            print(f"configuration problem: cannot read {exc.filename}: permission denied")
            return EXIT_CONFIG
        raise
    except duckdb.IOException as exc:
        classified = classify_failure([str(exc)])
        if classified is None:
            raise
        print(classified[1])
        return classified[0]


@app.command(
    "backfill",
    epilog="Examples:\n  svw backfill --feed spend --partner stockport --from 2019-04 --to 2019-06 --publish\n"
    "  svw backfill --partner rochdale --partner tameside --from 2020-01",
)
def backfill_command(
    feed: str | None = typer.Option(None, "--feed", help=f"one of: {', '.join(sorted(FEEDS))}; default every feed"),
    partner: list[str] | None = typer.Option(None, "--partner", help="repeatable; default every partner"),
    start: str | None = typer.Option(None, "--from", help="first period, YYYY-MM"),
    end: str | None = typer.Option(None, "--to", help="last period, YYYY-MM"),
    publish: bool = typer.Option(False, "--publish", help="then rebuild the marts and publish"),
    quiet: bool = typer.Option(False, "--quiet"),
) -> None:
    """Re-run the ingest partitions of landed files (in-process, through Dagster); optionally publish.

    Reads the same landing zone as make run (printed first). Exit 2 when nothing matches."""
    from ingestion.registry import ConfigError

    try:
        check_feed(feed)
        check_period(start, "--from")
        check_period(end, "--to")
        check_range(start, end)
        check_partners(partner, _known_partners())
    except UsageProblem as exc:
        _usage(exc)
    except ConfigError as exc:
        print(f"configuration problem: {exc}")
        _finish(2)
    from orchestration import run_pipeline

    landing, why = choose_landing_zone(os.environ, PROJECT_ROOT)
    print(f"landing zone: {landing} ({why})", flush=True)
    with shared_defaults(), _progress(quiet, "loading") as (on_file, status):
        _finish(
            _reporting_errors(
                lambda: run_pipeline.backfill(
                    feed,
                    partner or None,
                    start,
                    end,
                    publish,
                    quiet=quiet,
                    progress=on_file,
                    status=status or run_pipeline.printed_status,
                )
            )
        )


@app.command(
    "validate-feed",
    epilog="Examples:\n  svw validate-feed --partner stockport --feed spend path/to/export.csv\n"
    "  svw validate-feed --partner salford --feed spend --no-docs 'clean/2021-0*.csv'",
)
def validate_feed_command(
    files: list[str] = typer.Argument(
        ..., metavar="FILE|FOLDER|GLOB", help="a file, a folder (its files), or a quoted glob such as 'clean/20*.csv'"
    ),
    partner: str = typer.Option(..., "--partner", help="partner code from config/partners.yml"),
    feed: str = typer.Option(..., "--feed", help=f"one of: {', '.join(sorted(FEEDS))}"),
    layout: str | None = typer.Option(None, "--layout", help="layout name, if the file name matches none"),
    docs_dir: Path | None = typer.Option(None, "--docs-dir", help="where to write the Great Expectations HTML report"),
    no_docs: bool = typer.Option(False, "--no-docs", help="skip the HTML report"),
) -> None:
    """Check a partner's files before submitting them: exit 0 submit, 1 fix first, 2 nothing validated."""
    from ingestion.feed_report import TargetError, expand_targets, validate_feed, validate_feeds
    from ingestion.registry import ConfigError, load_registry, load_rules

    try:
        check_feed(feed)
    except UsageProblem as exc:
        _usage(exc)
    settings = _settings()
    try:
        registry = load_registry(settings.config_dir)
        rules = load_rules(settings.config_dir)
        check_partners([partner], sorted(registry.partners))
        registry.layouts(partner, feed)
        if layout:
            registry.feed(partner, feed, layout)
        paths = expand_targets(files)
        docs = None if no_docs else (docs_dir or settings.work_dir / "validation" / partner / feed)
        if len(files) == 1 and Path(files[0]).is_file():
            report = validate_feed(registry, rules, partner, feed, paths[0], docs, layout)
            print(report.text())
            _finish(0 if report.passed else 1)
        batch = validate_feeds(
            registry, rules, partner, feed, paths, docs, layout, progress=lambda line: print(line, flush=True)
        )
    except UsageProblem as exc:
        _usage(exc)
    except TargetError as exc:
        print(f"nothing to validate: {exc}")
        _finish(2)
    except ConfigError as exc:
        print(f"configuration problem: {exc}")
        _finish(2)
    print("\n".join(batch.summary_lines(rules)))
    written = next((r.data_docs for r in batch.reports if r.data_docs), None)
    if written is not None:
        print(f"Great Expectations report (every file): {written}")
    _finish(0 if batch.passed else 1)


@app.command("inspect-file", epilog="Example:\n  svw inspect-file path/to/export.csv --encoding cp1252")
def inspect_file_command(
    file: Path = typer.Argument(..., help="a CSV, Excel or zip file"),
    encoding: str | None = typer.Option(None, "--encoding", help="e.g. cp1252; default: detected"),
    sheet: str | None = typer.Option(None, "--sheet", help="Excel sheet name; default: the first"),
) -> None:
    """Show how a file reads: encoding, delimiter, header row, columns, example values (exit 1 unreadable)."""
    from ingestion.readers import ReadError, read_table

    try:
        table = read_table(file, encoding=encoding, sheet=sheet)
    except ReadError as exc:
        print(f"cannot read: {exc}")
        _finish(1)
    except (OSError, LookupError) as exc:  # an unknown --encoding, a file gone while reading
        print(f"cannot read {file}: {exc}")
        _finish(1)
    kind = "Excel" if table.from_excel else f"CSV, encoding {table.encoding}, delimiter {table.delimiter!r}"
    print(
        f"{file}: {kind}, header on row {table.header_row}, {len(table.frame)} data rows, "
        f"{table.blank_rows_skipped} empty rows skipped"
    )
    print("columns (name: first values):")
    for column in table.frame.columns:
        examples = table.frame[column].dropna().astype(str).head(3).tolist()
        print(f"  {column!r}: {', '.join(repr(e) for e in examples)}")
    _finish(0)


@app.command(
    "withdraw",
    epilog='Example:\n  svw withdraw --partner trafford --feed spend --period 2019-06 --reason "wrong month sent"',
)
def withdraw_command(
    partner: str = typer.Option(..., "--partner", help="partner code from config/partners.yml"),
    feed: str = typer.Option(..., "--feed", help=f"one of: {', '.join(sorted(FEEDS))}"),
    period: str = typer.Option(..., "--period", help="YYYY-MM, or 'current' for a snapshot feed"),
    reason: str = typer.Option(..., "--reason", help="why: recorded and shown in the publication"),
    by: str | None = typer.Option(None, "--by", help="who is withdrawing (default: SVW_OPERATOR, else the login name)"),
    remove_landing_file: bool = typer.Option(
        False, "--remove-landing-file", help="also move the delivery's file out of the landing zone"
    ),
) -> None:
    """Withdraw a loaded delivery: remove its raw partition and record who, when and why (exit 0, or 2)."""
    from ingestion.registry import ConfigError, load_registry
    from ingestion.withdraw import WithdrawError, withdraw

    try:
        check_feed(feed)
        if period != "current":
            check_period(period, "--period")
    except UsageProblem as exc:
        _usage(exc)
    settings = _settings()
    try:
        registry = load_registry(settings.config_dir)
        check_partners([partner], sorted(registry.partners))
        done = withdraw(
            settings.raw_dir,
            settings.landing_dir,
            registry,
            partner,
            feed,
            period,
            reason,
            withdrawn_by=by,
            remove_landing_file=remove_landing_file,
        )
    except UsageProblem as exc:
        _usage(exc)
    except (WithdrawError, ConfigError) as exc:
        print(f"NOT WITHDRAWN: {exc}")
        _finish(2)
    print(
        f"withdrawn {done.partner} {done.feed} {done.period}: {done.source_file} "
        f"({done.rows_loaded} rows loaded, {done.rows_quarantined} quarantined), by {done.withdrawn_by} at "
        f"{done.withdrawn_at}: {done.reason}"
    )
    if done.landing_file:
        print(f"the landing file was moved aside to {done.landing_file}")
    print(
        f"recorded in {settings.raw_dir / '_withdrawals.jsonl'}; the next publication reports it. Rebuild and "
        "publish (`svw run` or `make run`) to take its rows out of the published figures."
    )
    _finish(0)


@app.command(
    "as-published",
    epilog="Examples:\n  svw as-published --on 2026-11-30\n  svw as-published --on 2026-11-30 --table kpi_local_spend",
)
def as_published_command(
    on: str = typer.Option(
        ..., "--on", help="a date, YYYY-MM-DD: the publication in force at the end of that day (UK)"
    ),
    table: str | None = typer.Option(None, "--table", help="also print this published table from that publication"),
) -> None:
    """Which publication was in force on a date, where its folder is, and (with --table) its figures.

    Exit 0 found (its folder kept), 1 found but its folder was pruned (SVW_KEEP_RELEASES), 2 none."""
    from datetime import date

    from publishing.history import as_published, print_table

    try:
        day = date.fromisoformat(on)
    except ValueError:
        _usage(UsageProblem(f"--on {on!r} is not a date: write it as YYYY-MM-DD (e.g. 2026-11-30)"))
    settings = _settings()
    found = as_published(settings.published_dir, day)
    if found is None:
        print(f"no publication was in force on {day:%Y-%m-%d} (none in {settings.published_dir} by then)")
        _finish(2)
    print(found.describe())
    if not found.kept:
        _finish(1)
    if table is not None:
        try:
            print_table(found.warehouse, table)
        except ValueError as exc:
            _usage(UsageProblem(str(exc)))
    _finish(0)


@app.command("settings")
def settings_command() -> None:
    """Print every setting, its value, and whether it came from the environment or the default."""
    settings = _settings()
    values = {
        "SVW_LANDING_DIR": f"{settings.landing_dir} ({settings.landing_reason})",
        "SVW_RAW_DIR": settings.raw_dir,
        "SVW_WORK_DIR": settings.work_dir,
        "SVW_PUBLISHED_DIR": settings.published_dir,
        "DAGSTER_HOME": settings.dagster_home,
        "SVW_CONFIG_DIR": settings.config_dir,
        "SVW_POSTCODE_DIRECTORY": settings.postcode_directory,
        "SVW_FRAMEWORK": settings.framework,
        "SVW_KEEP_RELEASES": settings.keep_releases,
        "SVW_SLOT_WAIT_SECONDS": settings.slot_wait_seconds,
        "SVW_LOAD_WORKERS": settings.load_workers,
        "SVW_DBT_MEMORY_LIMIT": settings.dbt_memory_limit,
        "SVW_PUBLISHED_URL": settings.published_url or "(none: publications stay on this machine)",
    }
    for name, value in values.items():
        origin = "set" if os.environ.get(name) else "default"
        print(f"{name:<24} {origin:<8} {value}")
    _finish(0)


@app.command(
    "dev",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog="Example:\n  svw dev            (what make dev runs; extra arguments go to dagster dev, e.g. -p 3001)",
)
def dev_command(ctx: typer.Context) -> None:
    """Open the Dagster UI (and daemon: schedule, sensors) on the same instance and landing zone as svw run."""
    settings = _settings()
    home = settings.dagster_home or PROJECT_ROOT / "data" / "dagster_home"
    ensure_dagster_home(home)
    os.environ["DAGSTER_HOME"] = str(home)
    print(f"DAGSTER_HOME={home}; landing zone: {settings.landing_dir} ({settings.landing_reason})", flush=True)
    dagster = Path(sys.executable).parent / "dagster"
    command = [str(dagster), "dev", "-m", "orchestration.definitions", *ctx.args]
    os.execv(command[0], command)


def main(argv: list[str] | None = None) -> None:
    """The `svw` entry point; raises SystemExit with the command's exit code (tests call it so)."""
    app(args=argv, prog_name="svw")


if __name__ == "__main__":
    main()
