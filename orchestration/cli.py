"""`svw`: the project's command line.

svw inspect-file path/to/file.csv                                   (writing a mapping)
svw validate-feed --partner stockport --feed spend path/to/file.csv   (partners, before submitting;
                                                  also a folder, or a quoted glob 'folder/20*.csv')
svw backfill --partner stockport --from 2019-04 --to 2019-06 [--publish]  (re-run partitions)
svw run                                                             (the whole pipeline, as make run)
svw withdraw --partner P --feed F --period YYYY-MM --reason "..."   (remove a wrong delivery, recorded)

`svw run` exits 0 published, 1 a blocking check failed, 2 configuration problem, 3 disk full,
4 a warehouse file locked by another process, 5 another run held the warehouse slot too long.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingestion.canonical import FEEDS


def _validate_feed(args) -> int:
    """Exit 0 only when every file can be submitted, 1 when any must be fixed, 2 when what was
    typed or configured must be fixed first (nothing was validated)."""
    from ingestion.feed_report import TargetError, expand_targets, validate_feed, validate_feeds
    from ingestion.registry import ConfigError, load_registry, load_rules
    from ingestion.settings import load_settings

    settings = load_settings()
    try:
        registry = load_registry(settings.config_dir)
        rules = load_rules(settings.config_dir)
        registry.layouts(args.partner, args.feed)
        if args.layout:
            registry.feed(args.partner, args.feed, args.layout)
        paths = expand_targets(args.files)
        docs_dir = (
            None if args.no_docs else (args.docs_dir or settings.work_dir / "validation" / args.partner / args.feed)
        )
        if len(args.files) == 1 and Path(args.files[0]).is_file():
            report = validate_feed(registry, rules, args.partner, args.feed, paths[0], docs_dir, args.layout)
            print(report.text())
            return 0 if report.passed else 1
        batch = validate_feeds(
            registry,
            rules,
            args.partner,
            args.feed,
            paths,
            docs_dir,
            args.layout,
            progress=lambda line: print(line, flush=True),
        )
    except TargetError as exc:
        print(f"nothing to validate: {exc}")
        return 2
    except ConfigError as exc:
        print(f"configuration problem: {exc}")
        return 2
    print("\n".join(batch.summary_lines(rules)))
    docs = next((r.data_docs for r in batch.reports if r.data_docs), None)
    if docs is not None:
        print(f"Great Expectations report (every file): {docs}")
    return 0 if batch.passed else 1


def _inspect_file(args) -> int:
    """What the reader sees in a file: encoding, delimiter, header row, columns, example values."""
    from ingestion.readers import ReadError, read_table

    try:
        table = read_table(args.file, encoding=args.encoding, sheet=args.sheet)
    except ReadError as exc:
        print(f"cannot read: {exc}")
        return 1
    kind = "Excel" if table.from_excel else f"CSV, encoding {table.encoding}, delimiter {table.delimiter!r}"
    print(
        f"{args.file}: {kind}, header on row {table.header_row}, {len(table.frame)} data rows, "
        f"{table.blank_rows_skipped} empty rows skipped"
    )
    print("columns (name: first values):")
    for column in table.frame.columns:
        examples = table.frame[column].dropna().astype(str).head(3).tolist()
        print(f"  {column!r}: {', '.join(repr(e) for e in examples)}")
    return 0


def _backfill(args) -> int:
    from orchestration.run_pipeline import backfill

    return backfill(args.feed, args.partner, args.start, args.end, args.publish, quiet=args.quiet)


def _partner_files(landing: Path) -> int:
    """Files where the landing scan looks for them: <landing>/<partner>/<feed>/<file>."""
    if not landing.is_dir():
        return 0
    return sum(1 for p in landing.glob("*/*/*") if p.is_file() and not p.name.startswith("."))


def choose_landing_zone(environ: dict[str, str], project_root: Path) -> tuple[Path, str]:
    """Which landing zone a plain `svw run` / `make run` reads, and why, in words: a user who has
    put files in data/landing expects them to be read, and a newcomer with an empty data/landing
    expects the bundled sample to run. SVW_LANDING_DIR, when set, always wins."""
    if environ.get("SVW_LANDING_DIR"):
        return Path(environ["SVW_LANDING_DIR"]).resolve(), "SVW_LANDING_DIR is set"
    landing = project_root / "data" / "landing"
    count = _partner_files(landing)
    if count:
        return landing, f"data/landing holds {count} partner file{'s' if count != 1 else ''}"
    return (
        project_root / "data" / "sample" / "landing",
        "data/landing holds no partner files, so the bundled sample is read; put files in "
        "data/landing/<partner>/<feed>/ to read those instead",
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


def _run(args) -> int:
    """The whole pipeline on the landing zone chosen by choose_landing_zone, refusing to mix its
    figures with partitions loaded from another landing zone."""
    import os

    from ingestion.registry import ConfigError
    from ingestion.settings import PROJECT_ROOT, load_settings

    landing, why = choose_landing_zone(dict(os.environ), PROJECT_ROOT)
    os.environ["SVW_LANDING_DIR"] = str(landing)
    print(f"landing zone: {landing} ({why})", flush=True)
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
    return _run_reporting_errors(args.quiet, args.rebuild)


def _run_reporting_errors(quiet: bool, rebuild: bool = False) -> int:
    """The pipeline, with what went wrong said in one line and its own exit code (README "Exit
    codes") instead of a traceback: a full disk, a locked file, unreadable configuration, a slot
    another live run held too long."""
    import errno

    import duckdb

    from ingestion.registry import ConfigError
    from orchestration.recovery import SlotWaitTimeout
    from orchestration.run_pipeline import EXIT_BUSY, EXIT_CONFIG, EXIT_DISK_FULL, classify_failure, run

    try:
        return run(quiet=quiet, rebuild=rebuild)
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


def _withdraw(args) -> int:
    """Exit 0 withdrawn, 2 nothing withdrawn (the message says why and what to do)."""
    from ingestion.registry import ConfigError, load_registry
    from ingestion.settings import load_settings
    from ingestion.withdraw import WithdrawError, withdraw

    settings = load_settings()
    try:
        done = withdraw(
            settings.raw_dir,
            settings.landing_dir,
            load_registry(settings.config_dir),
            args.partner,
            args.feed,
            args.period,
            args.reason,
            withdrawn_by=args.by,
            remove_landing_file=args.remove_landing_file,
        )
    except (WithdrawError, ConfigError) as exc:
        print(f"NOT WITHDRAWN: {exc}")
        return 2
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
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="svw", description="GM social value warehouse")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser(
        "validate-feed", help="check a partner's files before submitting them (a file, a folder or a glob)"
    )
    validate.add_argument("--partner", required=True, help="partner code from config/partners.yml")
    validate.add_argument("--feed", required=True, choices=sorted(FEEDS))
    validate.add_argument("--layout", help="layout name, if the file name matches none")
    validate.add_argument("--docs-dir", type=Path, help="where to write the Great Expectations HTML report")
    validate.add_argument("--no-docs", action="store_true", help="skip the HTML report")
    validate.add_argument(
        "files",
        nargs="+",
        metavar="file|folder|glob",
        help="a file, a folder (its files), or a quoted glob such as 'clean/20*.csv'",
    )
    validate.set_defaults(handler=_validate_feed)
    inspect = commands.add_parser("inspect-file", help="show how a file reads: header, columns, values")
    inspect.add_argument("--encoding")
    inspect.add_argument("--sheet")
    inspect.add_argument("file", type=Path)
    inspect.set_defaults(handler=_inspect_file)
    refill = commands.add_parser("backfill", help="re-run ingest partitions (in-process), optionally publish")
    refill.add_argument("--feed", choices=sorted(FEEDS))
    refill.add_argument("--partner", action="append", help="repeatable; default: every partner")
    refill.add_argument("--from", dest="start", help="first period, yyyy-mm")
    refill.add_argument("--to", dest="end", help="last period, yyyy-mm")
    refill.add_argument("--publish", action="store_true", help="then rebuild the marts and publish")
    refill.add_argument("--quiet", action="store_true")
    refill.set_defaults(handler=_backfill)
    run = commands.add_parser("run", help="run the whole pipeline on the landing zone and publish")
    run.add_argument("--quiet", action="store_true")
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild and publish even when nothing changed since the last publication",
    )
    run.set_defaults(handler=_run)
    pull = commands.add_parser("withdraw", help="withdraw a loaded delivery: remove its raw partition, record why")
    pull.add_argument("--partner", required=True, help="partner code from config/partners.yml")
    pull.add_argument("--feed", required=True, choices=sorted(FEEDS))
    pull.add_argument("--period", required=True, help="YYYY-MM, or 'current' for a snapshot feed")
    pull.add_argument("--reason", required=True, help="why: recorded and shown in the publication")
    pull.add_argument("--by", help="who is withdrawing (default: SVW_OPERATOR, else the login name)")
    pull.add_argument(
        "--remove-landing-file",
        action="store_true",
        help="also move the delivery's file out of the landing zone (else a file still there is refused)",
    )
    pull.set_defaults(handler=_withdraw)
    args = parser.parse_args(argv)
    sys.exit(args.handler(args))


if __name__ == "__main__":
    main()
