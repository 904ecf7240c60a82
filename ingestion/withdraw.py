"""Withdraw a delivery: remove its raw partition and record who, when and why.

A wrong file that was loaded stays in the raw layer after it leaves the landing zone, and the marts
read every raw partition, so without this a wrong delivery blocks publication (or is counted in it)
until someone deletes a partition folder by hand, leaving no trace of why. Here the partition is
moved aside with one rename, the withdrawal is appended to an append-only log beside the raw layer
(data/raw/_withdrawals.jsonl, one JSON object a line, never rewritten), and only then is the
partition deleted; the quality gate reports every withdrawal and the publication records it.

A delivery whose file is still in the landing zone is not withdrawn by default: the next run would
load it straight back. Either move the file out of the landing zone first, or ask for it to be
moved aside with the withdrawal (`remove_landing_file`): it is kept under
data/raw/_withdrawn/<withdrawal id>/, outside the landing zone, as evidence of what was sent.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingestion import raw_store
from ingestion.landing import scan_landing
from ingestion.registry import Registry

LOG = "_withdrawals.jsonl"
KEPT = "_withdrawn"
# a period key as raw_store names partitions: a month (2019-04), or a snapshot (current[-layout])
PERIOD_KEY = re.compile(r"^(?:\d{4}-(?:0[1-9]|1[0-2])|current(?:-[a-z0-9_]+)?)$")


class WithdrawError(ValueError):
    """The withdrawal was not made; the message says why and what to do instead."""


@dataclass(frozen=True)
class Withdrawal:
    withdrawal_id: str
    partner: str
    feed: str
    period: str
    reason: str
    withdrawn_by: str
    withdrawn_at: str
    source_file: str
    source_file_hash: str
    load_id: str
    rows_loaded: int
    rows_quarantined: int
    landing_file: str | None  # where the landing file was moved to, when it was moved aside


def log_path(raw_dir: Path) -> Path:
    return raw_dir / LOG


def read_withdrawals(raw_dir: Path) -> list[dict]:
    """Every withdrawal recorded, oldest first."""
    path = log_path(raw_dir)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def operator() -> str:
    """Who is withdrawing: SVW_OPERATOR when set (a shared service account says who really did it),
    else the login name."""
    try:
        return os.environ.get("SVW_OPERATOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _append(raw_dir: Path, record: dict) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    with open(log_path(raw_dir), "a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        log.flush()
        os.fsync(log.fileno())


def withdraw(
    raw_dir: Path,
    landing_dir: Path,
    registry: Registry,
    partner: str,
    feed: str,
    period: str,
    reason: str,
    withdrawn_by: str | None = None,
    remove_landing_file: bool = False,
) -> Withdrawal:
    if partner not in registry.partners:
        raise WithdrawError(
            f"unknown partner {partner!r}; partners in config/partners.yml: {sorted(registry.partners)}"
        )
    feeds = registry.partners[partner].feeds
    if feed not in feeds:
        raise WithdrawError(f"partner {partner!r} has no {feed!r} feed; its feeds: {sorted(feeds)}")
    if not PERIOD_KEY.match(period):
        raise WithdrawError(
            f"period {period!r} is not a partition key: give the month as YYYY-MM (e.g. 2019-05), or "
            "'current' for a snapshot feed such as suppliers"
        )
    if not reason or not reason.strip():
        raise WithdrawError("a reason is required: it is recorded with the withdrawal and shown in the publication")
    manifest = raw_store.read_manifest(raw_dir, feed, partner, period)
    if manifest is None:
        loaded = sorted(m.period for m in raw_store.all_manifests(raw_dir) if m.partner == partner and m.feed == feed)
        raise WithdrawError(
            f"no {feed} delivery of {partner} is loaded for {period}; nothing was withdrawn. Loaded periods: "
            f"{', '.join(loaded) if loaded else 'none'}"
        )
    landed = [
        f
        for f in scan_landing(landing_dir, registry).files
        if f.partner == partner and f.feed == feed and f.period.key == period
    ]
    if landed and not remove_landing_file:
        names = ", ".join(str(f.path) for f in landed)
        raise WithdrawError(
            f"the landing file {names} still feeds {partner} {feed} {period}: withdrawn now, it would be loaded "
            "again by the next run or the landing sensor. Nothing was withdrawn. Move the file out of the landing "
            "zone first, or withdraw with --remove-landing-file to move it aside with the withdrawal"
        )

    now = datetime.now(UTC)
    withdrawal_id = f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    kept_dir = raw_dir / KEPT / withdrawal_id
    moved: list[tuple[Path, Path]] = []
    for f in landed:
        kept_dir.mkdir(parents=True, exist_ok=True)
        target = kept_dir / f.path.name
        shutil.move(str(f.path), target)
        moved.append((f.path, target))
    partition = raw_store.partition_dir(raw_dir, feed, partner, period)
    trash = raw_dir / "_trash" / f"withdrawn-{withdrawal_id}"
    trash.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partition, trash)  # one rename: readers see the partition or nothing
    record = Withdrawal(
        withdrawal_id=withdrawal_id,
        partner=partner,
        feed=feed,
        period=period,
        reason=reason.strip(),
        withdrawn_by=withdrawn_by or operator(),
        withdrawn_at=now.isoformat(),
        source_file=manifest.source_file,
        source_file_hash=manifest.source_file_hash,
        load_id=manifest.load_id,
        rows_loaded=manifest.rows_loaded,
        rows_quarantined=manifest.rows_quarantined,
        landing_file=", ".join(str(target) for _, target in moved) or None,
    )
    try:
        _append(raw_dir, asdict(record))
    except BaseException:
        os.replace(trash, partition)  # unrecorded means not withdrawn
        for source, target in moved:
            shutil.move(str(target), source)
        raise
    shutil.rmtree(trash, ignore_errors=True)
    return record
