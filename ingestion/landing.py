"""Find partner files in the landing zone and say which partition each one feeds.

Layout: <landing>/<partner>/<feed>/<file>. A partner's folder can only feed that partner: the
partner comes from the folder, never from the file. A file whose name matches no pattern, or two
files claiming the same partition, is reported, never silently skipped.

The landing zone trusts nothing put in it: a symbolic link (to /etc/passwd, or to another
partner's CSV) or a special file (a pipe would hang the loader) is refused by what it is, from
lstat, without opening it, and recorded as a blocking landing problem.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ingestion.periods import SNAPSHOT, Period, Reading, choose_reading, name_matches, overlaps
from ingestion.readers import open_regular
from ingestion.registry import FeedConfig, Partner, Registry


@dataclass(frozen=True)
class LandedFile:
    partner: str
    feed: str
    period: Period
    path: Path
    config: FeedConfig
    # the partner's registry entry (name, home districts) as the scan found it; None when a caller
    # built the LandedFile itself
    registered: Partner | None = None

    @property
    def partition_key(self) -> str:
        return f"{self.partner}|{self.period.key}"


@dataclass(frozen=True)
class LandingProblem:
    path: Path
    message: str
    kind: str = "unplaced"  # unplaced (name, place or overlap) | refused (what the entry is)


@dataclass
class LandingScan:
    files: list[LandedFile]
    problems: list[LandingProblem]


def file_hash(path: Path) -> str:
    """SHA-256 of a regular file, opened without following links (readers.open_regular)."""
    digest = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def match_file(config: FeedConfig, path: Path) -> Period | None:
    reading = read_name((config,), path)
    return reading.period if reading else None


def read_name(layouts: tuple[FeedConfig, ...], path: Path) -> Reading[FeedConfig] | None:
    """The layout and period a file name gives, weighing every reading the layouts offer (so a
    financial-year name is never taken for a month because a month alternative came first).
    Snapshot layouts other than the first are separate lists (e.g. a grants register beside the
    vendor master), so each keeps its own snapshot period."""
    candidates = [(config, match) for config in layouts for match in name_matches(config.pattern, path.name)]
    reading = choose_reading(path.name, candidates)
    if reading is None:
        return None
    config, period = reading.source, reading.period
    if period.key == SNAPSHOT and config.layout not in ("default", layouts[0].layout):
        return Reading(config, Period(key=f"{SNAPSHOT}-{config.layout}", start=None, months=0), reading.note)
    return reading


def match_layout(layouts: tuple[FeedConfig, ...], path: Path) -> tuple[FeedConfig, Period] | None:
    """The layout whose file-name pattern reads the name, and the period it gives."""
    reading = read_name(layouts, path)
    return (reading.source, reading.period) if reading else None


def refusal(path: Path) -> LandingProblem | None:
    """Why an entry of the landing zone is refused for what it is (never for what it holds), or
    None for a regular file or a real folder. Decided from lstat: the entry is not opened."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return LandingProblem(path, f"cannot be examined ({exc.strerror}); nothing was read", "refused")
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        what = "a symbolic link"
        fix = "put the file itself there, not a link to it"
    else:
        what = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket"}.get(stat.S_IFMT(mode), "a device")
        fix = "deliver the data as an ordinary file"
    return LandingProblem(
        path,
        f"{path.name} is {what}; the landing zone takes only regular files, so it was refused and not read: {fix}",
        "refused",
    )


def _entries(folder: Path) -> tuple[list[Path], list[Path], list[LandingProblem]]:
    """A folder's real sub-folders, its regular files and its refused entries (links, specials;
    a link to a folder is refused too, so nothing outside the landing zone is ever walked)."""
    folders, files, refused = [], [], []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        problem = refusal(entry)
        if problem is not None:
            refused.append(problem)
        elif entry.is_dir():
            folders.append(entry)
        else:
            files.append(entry)
    return folders, files, refused


def _misplaced(folder: Path, where: str, home: str) -> list[LandingProblem]:
    """Files left where the scan never looks for files (the landing zone's root, a partner's own
    folder): reported, so a file put one level too high is not silently left out of the figures."""
    return [
        LandingProblem(path, f"a file directly in {where} is not read; move it to {home}")
        for path in _entries(folder)[1]
    ]


def scan_landing(landing_dir: Path, registry: Registry) -> LandingScan:
    files: list[LandedFile] = []
    problems: list[LandingProblem] = []
    if not landing_dir.exists():
        return LandingScan(files, [LandingProblem(landing_dir, "landing folder does not exist")])
    problems += _misplaced(landing_dir, "the landing zone itself", "data/landing/<partner>/<feed>/")
    partner_dirs, _, refused = _entries(landing_dir)
    problems += refused
    for partner_dir in partner_dirs:
        if partner_dir.name not in registry.partners:
            problems.append(
                LandingProblem(
                    partner_dir,
                    (
                        f"folder '{partner_dir.name}' is not a partner in config/partners.yml; "
                        "add the partner there or move the files"
                    ),
                )
            )
            continue
        partner = registry.partners[partner_dir.name]
        problems += _misplaced(
            partner_dir, f"partner folder '{partner.code}'", f"its feed's folder, e.g. {partner.code}/spend/"
        )
        feed_dirs, _, refused = _entries(partner_dir)
        problems += refused
        for feed_dir in feed_dirs:
            layouts = partner.feeds.get(feed_dir.name)
            if layouts is None:
                problems.append(
                    LandingProblem(feed_dir, (f"partner '{partner.code}' has no '{feed_dir.name}' feed configured"))
                )
                continue
            placed: list[LandedFile] = []
            sub_dirs, feed_files, refused = _entries(feed_dir)
            problems += refused
            problems += [
                LandingProblem(
                    sub,
                    (
                        f"folder {sub.name!r} inside {partner.code}/{feed_dir.name}/ is not read (files go directly "
                        f"in the feed folder); move its files up or out of the landing zone"
                    ),
                )
                for sub in sub_dirs
            ]
            for path in feed_files:
                try:
                    matched = match_layout(layouts, path)
                except ValueError as exc:
                    problems.append(LandingProblem(path, f"file name gives no valid period: {exc}"))
                    continue
                if matched is None:
                    patterns = " or ".join(f"'{c.file_pattern}'" for c in layouts)
                    problems.append(
                        LandingProblem(
                            path,
                            (
                                f"file name does not match the {partner.code} {feed_dir.name} pattern "
                                f"{patterns}; rename the file or extend file_pattern in config/partners.yml"
                            ),
                        )
                    )
                    continue
                config, period = matched
                clash = next((f for f in placed if overlaps(f.period, period)), None)
                if clash is not None:
                    problems.append(
                        LandingProblem(
                            path,
                            (
                                f"{path.name} ({period.key}, {period.months or 'snapshot'} months) overlaps "
                                f"{clash.path.name} ({clash.period.key}) for {partner.code} {feed_dir.name}; "
                                "its payments would be counted twice: keep one of them"
                            ),
                        )
                    )
                    continue
                landed = LandedFile(partner.code, feed_dir.name, period, path, config, partner)
                placed.append(landed)
                files.append(landed)
    return LandingScan(files, problems)
