"""`svw validate-feed`: what the pipeline would do with a partner's files, in plain English.

It runs the same reader, mapping and Great Expectations suite as a pipeline load, writes nothing to
the warehouse, and tells the partner's data lead each problem with its rows and how to fix it. A
partner publishing monthly validates a whole folder in one run: one line per file as it goes, the
details of every file with problems, and a total.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingestion.canonical import FEEDS
from ingestion.data_docs import write_data_docs
from ingestion.landing import read_name
from ingestion.load import read_and_validate, suite_for
from ingestion.normalise import redaction_pattern_per_name
from ingestion.periods import Period, confusable_readings, overlaps
from ingestion.readers import ReadError, header_key
from ingestion.registry import FeedConfig, Registry, Rules
from ingestion.validate import ROW_ID, verdict

EXAMPLES_PER_PATTERN = 3


class TargetError(ValueError):
    """The files to validate cannot be found from what was typed: a usage problem (exit 2)."""


@dataclass
class Redactions:
    """Rows that would load whose payee is treated as a redacted individual, by the pattern in
    config/rules.yml that recognised them, so a partner can see their marker was understood."""

    rows: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def add(self, other: Redactions) -> None:
        for pattern, count in other.rows.items():
            self.rows[pattern] = self.rows.get(pattern, 0) + count
            known = self.examples.setdefault(pattern, [])
            known += [e for e in other.examples.get(pattern, []) if e not in known]
            del known[EXAMPLES_PER_PATTERN:]

    def lines(self, patterns: tuple[str, ...], indent: str = "  ") -> list[str]:
        if not self.total:
            return [
                f"{indent}rows treated as redacted: 0 (no payee name matched a pattern in "
                "config/rules.yml redaction.patterns; if your export marks individuals another "
                "way, ask for that marker to be added there)"
            ]
        out = [
            f"{indent}rows treated as redacted: {self.total:,} (payee not published by name; "
            "counted in totals and unknown-location spend)"
        ]
        for pattern in patterns:
            if self.rows.get(pattern):
                examples = ", ".join(repr(e) for e in self.examples.get(pattern, []))
                out.append(f"{indent}  pattern '{pattern}': {self.rows[pattern]:,} rows (e.g. {examples})")
        return out


def count_redactions(prepared: pd.DataFrame, loading: pd.Series, patterns: tuple[str, ...]) -> Redactions:
    """Redactions among the rows that would load (quarantined rows reach no figure)."""
    names = prepared.loc[loading.to_numpy(), "supplier_name"]
    which = redaction_pattern_per_name(names, patterns)
    found = Redactions()
    for pattern in patterns:
        hits = (which == pattern).fillna(False).to_numpy()
        if hits.any():
            found.rows[pattern] = int(hits.sum())
            found.examples[pattern] = list(dict.fromkeys(names[hits].astype(str)))[:EXAMPLES_PER_PATTERN]
    return found


def absent_optional_columns(config: FeedConfig, columns) -> list[str]:
    """Mapped optional columns none of whose listed names is in the file: their values would be
    empty for every row, which a loader cannot tell from a column the partner leaves blank. A
    header that drifted ('G/L descript' for 'G/L description.') shows up here, not in a figure."""
    present = {header_key(str(c)) for c in columns}
    return [
        f"{canonical} (looked for {', '.join(repr(n) for n in names)})"
        for canonical, names in config.columns.items()
        if canonical not in config.constants and not any(header_key(n) in present for n in names)
    ]


def other_feed_hint(registry: Registry, partner: str, feed: str, columns) -> str | None:
    """When a file fails its layout, the partner's other feed whose required columns it does have:
    a contracts register saved among the monthly ledgers (Salford's 2022-07.csv) is a misplaced
    file, not a broken one, and the fix is where it lands."""
    present = {header_key(str(c)) for c in columns}
    for other, layouts in registry.partner(partner).feeds.items():
        for config in layouts if other != feed else ():
            required = [c for c in FEEDS[other].required if c not in config.constants]
            if all(any(header_key(n) in present for n in config.columns.get(c, ())) for c in required):
                return (
                    f"its columns are those of {partner}'s '{other}' feed: validate it with --feed {other} "
                    f"and land it in <landing>/{partner}/{other}/, not among the {feed} files"
                )
    return None


@dataclass
class FeedValidation:
    path: Path
    config: FeedConfig
    period: Period | None
    lines: list[str] = field(default_factory=list)
    passed: bool = False
    rows_read: int = 0
    rows_ok: int = 0
    rows_quarantined: int = 0
    redactions: Redactions | None = None
    problems: int = 0
    data_docs: Path | None = None

    def text(self) -> str:
        return "\n".join(self.lines)

    def compact(self) -> str:
        """The one line a folder run prints per file."""
        period = f" ({self.period.key})" if self.period else " (no period: name matches no pattern)"
        redacted = f", {self.redactions.total:,} redacted" if self.redactions is not None else ""
        return (
            f"{self.path.name}{period}: {self.rows_read:,} read, {self.rows_ok:,} would load, "
            f"{self.rows_quarantined:,} quarantined{redacted} - {self.outcome}"
        )

    @property
    def outcome(self) -> str:
        if not self.passed:
            return "FAIL"
        return f"PASS with {self.problems} warning{'s' if self.problems > 1 else ''}" if self.problems else "PASS"


def choose_layout(registry: Registry, partner: str, feed: str, path: Path, layout: str | None):
    """The layout named, else the one whose file pattern reads the name, else the first (with the
    problem named: the landing zone would not pick the file up). Returns (config, period, note,
    name problem)."""
    layouts = (registry.feed(partner, feed, layout),) if layout else registry.layouts(partner, feed)
    try:
        reading = read_name(layouts, path)
    except ValueError as exc:
        return (
            layouts[0],
            None,
            None,
            (
                f"the file name gives no valid period ({exc}); rename the file "
                "or correct file_pattern in config/partners.yml"
            ),
        )
    if reading is not None:
        return reading.source, reading.period, reading.note, None
    patterns = " or ".join(f"'{c.file_pattern}'" for c in layouts)
    return (
        layouts[0],
        None,
        None,
        (
            f"the file name {path.name!r} does not match the {partner} {feed} file_pattern {patterns}, so "
            f"the landing zone would not pick it up (and would block publication); rename the file or "
            f"extend file_pattern in config/partners.yml. Validated with layout '{layouts[0].layout}'"
        ),
    )


def validate_feed(
    registry: Registry,
    rules: Rules,
    partner: str,
    feed: str,
    path: Path,
    docs_dir: Path | None,
    layout: str | None = None,
) -> FeedValidation:
    config, period, note, name_problem = choose_layout(registry, partner, feed, path, layout)
    report = FeedValidation(path=path, config=config, period=period)
    say = report.lines.append
    say(f"Validating {path} as {partner} / {feed} (layout '{config.layout}')")
    if name_problem:
        say(f"  FAIL file_name_matches_pattern [blocking]: {name_problem}")
        report.problems += 1
    if period and period.start:
        say(f"  period from file name: {period.key} ({period.months} month{'s' if period.months > 1 else ''})")
    if note:
        say(f"  NOTE {note}")
    try:
        raw, prepared, results, bad_rows, table = read_and_validate(
            path, config, rules, period or Period("unknown", None, 0)
        )
    except ReadError as exc:
        say(f"  FAIL the file cannot be read: {exc}")
        say("Result: FAIL - fix the problems above and validate again.")
        report.problems += 1
        return report
    kind = "Excel" if table.from_excel else ("JSON lines (OCDS releases)" if table.delimiter is None else "CSV")
    say(
        f"  read: {kind}"
        + (f", encoding {table.encoding}, delimiter {table.delimiter!r}" if kind == "CSV" else "")
        + f", header on row {table.header_row}, {table.blank_rows_skipped} empty rows skipped"
    )
    report.rows_read = len(raw)
    report.rows_quarantined = len(bad_rows)
    report.rows_ok = len(raw) - len(bad_rows)
    say(f"  rows read: {report.rows_read}")
    say(f"  rows that would load: {report.rows_ok}")
    say(f"  rows that would be quarantined: {report.rows_quarantined}")
    if prepared is not None and "is_redacted" in prepared:
        loading = ~prepared[ROW_ID].isin(bad_rows)
        report.redactions = count_redactions(prepared, loading, rules.redaction_patterns)
        report.lines += report.redactions.lines(rules.redaction_patterns)
    problems = [r.describe() for r in results if not r.success or r.failing_rows]
    if prepared is not None:
        problems += [
            f"WARN mapped_column_absent [warning]: {absent} is not in this file, so it will be "
            "empty for every row. Fix: add the file's name for it to the mapping in "
            "config/partners.yml (the header is shown by svw inspect-file)"
            for absent in absent_optional_columns(config, table.frame.columns)
        ]
    hint = other_feed_hint(registry, partner, feed, table.frame.columns) if prepared is None else None
    if hint:
        problems.append(f"NOTE {hint}")
    report.problems += len(problems)
    if problems:
        say("Problems:")
        for problem in problems:
            say(f"  {problem}")
    report.passed = verdict(results) and name_problem is None
    if docs_dir is not None and prepared is not None:
        report.data_docs = write_data_docs(
            prepared, suite_for(config, rules), docs_dir, f"{partner}_{feed}_{path.stem}"
        )
        say(f"Great Expectations report: {report.data_docs}")
    say(
        "Result: PASS - the file can be submitted."
        if report.passed
        else "Result: FAIL - fix the problems above and validate again."
    )
    return report


_GLOB_CHARACTERS = set("*?[")


def _folder_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise TargetError(
            f"the folder {folder} holds no files: put the partner's files in it, or give "
            "a file or a pattern such as 'folder/20*.csv'"
        )
    return files


def _glob_files(pattern: str) -> list[Path]:
    files = sorted(Path(p) for p in glob.glob(pattern) if Path(p).is_file())
    if not files:
        raise TargetError(
            f"the pattern {pattern!r} matches no file: check the folder and the pattern "
            "(quote it, e.g. '.../clean/20*.csv', so the shell does not expand it)"
        )
    return files


def expand_targets(targets: list[str]) -> list[Path]:
    """The files meant by what was typed: files as given, a folder's files (not its subfolders, as
    in the landing zone), a glob's matches. Anything that finds nothing is a usage error that says
    what to fix, never an empty, passing run."""
    files: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            files += _folder_files(path)
        elif path.is_file():
            files.append(path)
        elif _GLOB_CHARACTERS & set(target):
            files += _glob_files(target)
        else:
            raise TargetError(f"no such file or folder: {target}")
    return list(dict.fromkeys(files))


@dataclass
class FeedsValidation:
    """Several files of one partner's feed, validated as a partner would submit them together."""

    partner: str
    feed: str
    reports: list[FeedValidation] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.reports) and all(r.passed for r in self.reports)

    def redactions(self) -> Redactions | None:
        counted = [r.redactions for r in self.reports if r.redactions is not None]
        if not counted:
            return None
        total = Redactions()
        for one in counted:
            total.add(one)
        return total

    def total_line(self) -> str:
        failed = sum(not r.passed for r in self.reports)
        redactions = self.redactions()
        redacted = f", {redactions.total:,} redacted" if redactions is not None else ""
        return (
            f"Total: {len(self.reports)} files, {sum(r.rows_read for r in self.reports):,} rows read, "
            f"{sum(r.rows_ok for r in self.reports):,} would load, "
            f"{sum(r.rows_quarantined for r in self.reports):,} quarantined{redacted}; "
            f"{len(self.reports) - failed} passed, {failed} failed"
        )

    def summary_lines(self, rules: Rules) -> list[str]:
        """Details of each file with a problem, the redaction patterns over all files, the total."""
        lines: list[str] = []
        flagged = [r for r in self.reports if r.problems or not r.passed]
        if flagged:
            lines.append(f"\nDetails of the {len(flagged)} file(s) with problems or warnings:")
            for report in flagged:
                lines += ["", *(line for line in report.lines[:-1] if not line.startswith("Great Expectations report"))]
        redactions = self.redactions()
        lines.append("")
        if redactions is not None:
            lines += ["Redaction over all files:", *redactions.lines(rules.redaction_patterns)]
        lines.append(self.total_line())
        failed = [r.path.name for r in self.reports if not r.passed]
        lines.append(
            "Result: PASS - every file can be submitted."
            if not failed
            else f"Result: FAIL - {len(failed)} of {len(self.reports)} files must be fixed first: "
            f"{', '.join(failed[:10])}{' and more' if len(failed) > 10 else ''}."
        )
        return lines


def refuse_overlap(report: FeedValidation, earlier: list[FeedValidation]) -> None:
    """Fail a file whose period overlaps an earlier file's, as the landing zone would refuse it:
    landed together, their payments would be counted twice (a monthly file inside a yearly one,
    or a full year beside its own first-rows extract)."""
    if report.period is None:
        return
    clash = next((r for r in earlier if r.period is not None and overlaps(r.period, report.period)), None)
    if clash is None or clash.period is None:  # no earlier file's period overlaps this one
        return
    report.passed = False
    report.problems += 1
    report.lines[-1:] = [
        f"  FAIL period_not_overlapping [blocking]: {report.path.name} ({report.period.key}, "
        f"{report.period.months or 'snapshot'} months) overlaps {clash.path.name} ({clash.period.key}); landed "
        "together, their payments would be counted twice, so the landing zone would refuse this one. "
        "Fix: submit one of them",
        "Result: FAIL - fix the problems above and validate again.",
    ]


def validate_feeds(
    registry: Registry,
    rules: Rules,
    partner: str,
    feed: str,
    paths: list[Path],
    docs_dir: Path | None,
    layout: str | None = None,
    progress: Callable[[str], None] = print,
) -> FeedsValidation:
    """Validate each file, reporting one line per file as it finishes (a folder of monthly files
    takes minutes, and the data lead should see it moving)."""
    batch = FeedsValidation(partner, feed)
    warning = confusable_readings([c.pattern for c in registry.layouts(partner, feed)])
    progress(f"Validating {len(paths)} files as {partner} / {feed}")
    if warning:
        progress(f"  note: {warning}")
    width = len(str(len(paths)))
    for index, path in enumerate(paths, start=1):
        report = validate_feed(registry, rules, partner, feed, path, docs_dir, layout)
        refuse_overlap(report, batch.reports)
        batch.reports.append(report)
        progress(f"  [{index:>{width}}/{len(paths)}] {report.compact()}")
    return batch
