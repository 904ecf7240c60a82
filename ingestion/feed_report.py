"""`svw validate-feed`: what the pipeline would do with a partner's file, in plain English.

It runs the same reader, mapping and Great Expectations suite as a pipeline load, writes nothing to
the warehouse, and tells the partner's data lead each problem with its rows and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingestion.data_docs import write_data_docs
from ingestion.landing import match_layout
from ingestion.load import read_and_validate, suite_for
from ingestion.periods import Period
from ingestion.readers import ReadError
from ingestion.registry import FeedConfig, Registry, Rules
from ingestion.validate import verdict


@dataclass
class FeedValidation:
    path: Path
    config: FeedConfig
    period: Period | None
    lines: list[str] = field(default_factory=list)
    passed: bool = False
    rows_read: int = 0
    rows_ok: int = 0
    data_docs: Path | None = None

    def text(self) -> str:
        return "\n".join(self.lines)


def choose_layout(registry: Registry, partner: str, feed: str, path: Path, layout: str | None):
    """The layout named, else the one whose file pattern matches, else the first (with a warning)."""
    if layout:
        config = registry.feed(partner, feed, layout)
        matched = match_layout((config,), path)
        return config, (matched[1] if matched else None), None
    matched = match_layout(registry.layouts(partner, feed), path)
    if matched:
        return matched[0], matched[1], None
    config = registry.feed(partner, feed)
    patterns = " or ".join(repr(c.file_pattern) for c in registry.layouts(partner, feed))
    return config, None, (f"the file name does not match {patterns}: the landing zone would not pick it "
                          f"up under this name; validating with layout '{config.layout}'")


def validate_feed(registry: Registry, rules: Rules, partner: str, feed: str, path: Path,
                  docs_dir: Path | None, layout: str | None = None) -> FeedValidation:
    config, period, warning = choose_layout(registry, partner, feed, path, layout)
    report = FeedValidation(path=path, config=config, period=period)
    say = report.lines.append
    say(f"Validating {path} as {partner} / {feed} (layout '{config.layout}')")
    if warning:
        say(f"  WARNING: {warning}")
    if period and period.start:
        say(f"  period from file name: {period.key} ({period.months} month{'s' if period.months > 1 else ''})")
    try:
        raw, prepared, results, bad_rows, table = read_and_validate(
            path, config, rules, period or Period("unknown", None, 0))
    except ReadError as exc:
        say(f"  FAIL the file cannot be read: {exc}")
        say("Result: FAIL")
        return report
    kind = "Excel" if table.from_excel else ("JSON lines (OCDS releases)" if table.delimiter is None else "CSV")
    say(f"  read: {kind}"
        + (f", encoding {table.encoding}, delimiter {table.delimiter!r}" if kind == "CSV" else "")
        + f", header on row {table.header_row}, {table.blank_rows_skipped} empty rows skipped")
    report.rows_read = len(raw)
    report.rows_ok = len(raw) - len(bad_rows)
    say(f"  rows read: {report.rows_read}")
    say(f"  rows that would load: {report.rows_ok}")
    say(f"  rows that would be quarantined: {len(bad_rows)}")
    problems = [r for r in results if not r.success or r.failing_rows]
    if problems:
        say("Problems:")
        for result in problems:
            say(f"  {result.describe()}")
    report.passed = verdict(results)
    if docs_dir is not None and prepared is not None:
        report.data_docs = write_data_docs(prepared, suite_for(config, rules), docs_dir,
                                           f"{partner}_{feed}_{path.stem}")
        say(f"Great Expectations report: {report.data_docs}")
    say("Result: PASS - the file can be submitted." if report.passed else
        "Result: FAIL - fix the problems above and validate again.")
    return report
