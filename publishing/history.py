"""The history of publications, carried into each new one, and "the figures as published on date D".

Each publication is an immutable folder (publishing/publish.py), so nothing already published can
be updated to say it was superseded. Instead every new publication carries the whole history
forward in its own `publication_history` table: the previous publication's rows, the one that was
current marked `superseded` at the new publication's time, and a row for itself marked `current`.
The newest publication therefore answers "which publication was in force on date D" for every
date, even for publications whose folders were pruned (only SVW_KEEP_RELEASES are kept): the answer
then says the figures are gone rather than silently using another publication's.

A publication is in force from its `published_at` (when it was staged, a few minutes before the
`current` pointer moved to it) until its `superseded_at`. "On date D" means at the end of that day,
UK time (Europe/London), the day as a council officer reads it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from ingestion.manifest import LoadManifest

HISTORY_TABLE = "publication_history"
UK = ZoneInfo("Europe/London")

HISTORY_SCHEMA = pa.schema(
    [
        ("publication_id", pa.string()),
        ("published_at", pa.timestamp("us", tz="UTC")),
        ("superseded_at", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),  # current | superseded
        ("release", pa.string()),  # its folder, relative to the published folder: releases/<id>
        ("rule_versions", pa.string()),  # JSON {rule: version}
        ("feed_files", pa.int64()),
        ("feeds", pa.string()),  # JSON {feed: files loaded}
        ("checks_run", pa.int64()),
        ("checks_failed", pa.int64()),
        ("duckdb_version", pa.string()),
    ]
)


def _previous_rows(previous_warehouse: Path | None) -> list[dict]:
    """The history the current publication carries, or (a publication from before the history
    existed) its own publication row."""
    if previous_warehouse is None or not previous_warehouse.exists():
        return []
    with duckdb.connect(str(previous_warehouse), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        if HISTORY_TABLE in tables:
            return con.sql(f"select * from {HISTORY_TABLE} order by published_at").to_arrow_table().to_pylist()
        if "publication" not in tables:
            return []
        old = con.sql("select * from publication").to_arrow_table().to_pylist()
    return [
        {
            "publication_id": row["publication_id"],
            "published_at": row["published_at"],
            "superseded_at": None,
            "status": "current",
            "release": f"releases/{row['publication_id']}",
            "rule_versions": row.get("rule_versions"),
            "feed_files": row.get("feed_files"),
            "feeds": None,
            "checks_run": row.get("checks_run"),
            "checks_failed": row.get("checks_failed"),
            "duckdb_version": row.get("duckdb_version"),
        }
        for row in old
    ]


def history_table(previous_warehouse: Path | None, publication: dict, manifests: list[LoadManifest]) -> pa.Table:
    """publication_history for a new publication: the previous history, what was current now
    superseded at this publication's time, and this one, current."""
    published_at = publication["published_at"]
    rows = []
    for row in _previous_rows(previous_warehouse):
        if row["status"] == "current":
            row = {**row, "status": "superseded", "superseded_at": published_at}
        rows.append(row)
    rows.append(
        {
            "publication_id": publication["publication_id"],
            "published_at": published_at,
            "superseded_at": None,
            "status": "current",
            "release": f"releases/{publication['publication_id']}",
            "rule_versions": publication["rule_versions"],
            "feed_files": publication["feed_files"],
            "feeds": json.dumps(dict(sorted(Counter(m.feed for m in manifests).items()))),
            "checks_run": publication["checks_run"],
            "checks_failed": publication["checks_failed"],
            "duckdb_version": publication["duckdb_version"],
        }
    )
    return pa.Table.from_pylist(rows, schema=HISTORY_SCHEMA)


@dataclass(frozen=True)
class AsPublished:
    publication_id: str
    published_at: datetime
    superseded_at: datetime | None
    folder: Path
    on: date

    @property
    def kept(self) -> bool:
        return (self.folder / "warehouse.duckdb").exists()

    @property
    def warehouse(self) -> Path:
        return self.folder / "warehouse.duckdb"

    def describe(self) -> str:
        until = f"superseded {self.superseded_at:%Y-%m-%d %H:%M} UTC" if self.superseded_at else "still current"
        head = (
            f"as published on {self.on:%Y-%m-%d}: publication {self.publication_id} "
            f"(published {self.published_at:%Y-%m-%d %H:%M} UTC, {until})"
        )
        if not self.kept:
            return (
                f"{head}\nits folder {self.folder} is no longer kept (only the last SVW_KEEP_RELEASES "
                "publications are); its figures cannot be read here. Raise SVW_KEEP_RELEASES to keep more."
            )
        return (
            f"{head}\nfolder: {self.folder}\nwarehouse: {self.warehouse}\nparquet: {self.folder / 'parquet'}\n"
            f"open it read-only, e.g. duckdb -readonly {self.warehouse}"
        )


def end_of_day_utc(day: date) -> datetime:
    """The end of a UK calendar day, as a UTC instant."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UK).astimezone(UTC)


def as_published(published_dir: Path, day: date) -> AsPublished | None:
    """The publication in force at the end of `day`, from the current publication's history; None
    when nothing had been published by then."""
    current = published_dir / "current" / "warehouse.duckdb"
    rows = _previous_rows(current.resolve() if current.exists() else None)
    cutoff = end_of_day_utc(day)
    in_force = [r for r in rows if r["published_at"] < cutoff]
    if not in_force:
        return None
    row = max(in_force, key=lambda r: r["published_at"])
    return AsPublished(
        row["publication_id"], row["published_at"], row["superseded_at"], published_dir / row["release"], day
    )


def print_table(warehouse: Path, table: str, limit: int = 50) -> None:
    """A published table of that publication, as text (the first `limit` rows)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        known = sorted(r[0] for r in con.execute("select table_name from information_schema.tables").fetchall())
        if table not in known:
            raise ValueError(f"no table '{table}' in {warehouse}; its tables: {', '.join(known)}")
        # the name is one of the file's own tables (checked above), never free text
        con.sql(f'select * from "{table}" limit {int(limit)}').show(max_width=200)
