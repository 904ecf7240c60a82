"""`svw`: the project's command line.

  svw validate-feed --partner stockport --feed spend path/to/file.csv   (partners, before submitting)
  svw run                                                             (the whole pipeline, as make run)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _validate_feed(args) -> int:
    from ingestion.feed_report import validate_feed
    from ingestion.registry import ConfigError, load_registry, load_rules
    from ingestion.settings import load_settings

    settings = load_settings()
    try:
        registry = load_registry(settings.config_dir)
        rules = load_rules(settings.config_dir)
        if not args.file.exists():
            print(f"no such file: {args.file}")
            return 2
        docs_dir = None if args.no_docs else (
            args.docs_dir or settings.work_dir / "validation" / args.partner / args.feed)
        report = validate_feed(registry, rules, args.partner, args.feed, args.file, docs_dir, args.layout)
    except ConfigError as exc:
        print(f"configuration problem: {exc}")
        return 2
    print(report.text())
    return 0 if report.passed else 1


def _run(args) -> int:
    from orchestration.run_pipeline import run
    return run(quiet=args.quiet)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="svw", description="GM social value warehouse")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate-feed", help="check a partner file before submitting it")
    validate.add_argument("--partner", required=True, help="partner code from config/partners.yml")
    validate.add_argument("--feed", required=True, choices=["spend", "suppliers"])
    validate.add_argument("--layout", help="layout name, if the file name matches none")
    validate.add_argument("--docs-dir", type=Path, help="where to write the Great Expectations HTML report")
    validate.add_argument("--no-docs", action="store_true", help="skip the HTML report")
    validate.add_argument("file", type=Path)
    validate.set_defaults(handler=_validate_feed)
    run = commands.add_parser("run", help="run the whole pipeline on the landing zone and publish")
    run.add_argument("--quiet", action="store_true")
    run.set_defaults(handler=_run)
    args = parser.parse_args(argv)
    sys.exit(args.handler(args))


if __name__ == "__main__":
    main()
