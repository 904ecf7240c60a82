"""Whether the current publication already reflects exactly these inputs, so `svw run` can skip the
rebuild when nothing changed (issue 13: a re-run with nothing changed must cost a lookup, not a
rebuild of every mart, check and output).

The inputs are everything a publication is made from: each raw partition's load record (which file
bytes, which load), the withdrawals, the configuration, the reference files named by the settings,
the folders themselves, and the code (Python, dbt project, templates). A change to any of them, or a
publication made by another route (the Dagster UI, a backfill), means the next run rebuilds. The
record is written only after a publication went through, so a failed run never makes the next one
skip.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ingestion.raw_store import all_manifests
from ingestion.settings import PROJECT_ROOT, Settings

RECORD = "inputs_of_current_publication.json"
CODE_FOLDERS = (
    "ingestion",
    "orchestration",
    "publishing",
    "dbt_project/models",
    "dbt_project/macros",
    "dbt_project/tests",
)
CODE_FILES = ("dbt_project/dbt_project.yml", "dbt_project/profiles.yml", "requirements.lock")


def _hash_tree(digest, root: Path, pattern: str = "*") -> None:
    for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())


def _stat(digest, path: Path | None) -> None:
    """A large reference file (a postcode directory, a register) is known by path, size and time:
    hashing 2.7 million postcodes on every run would cost more than it saves."""
    if path is None:
        digest.update(b"-")
        return
    stat = path.stat() if path.exists() else None
    digest.update(f"{path}|{stat.st_size if stat else -1}|{stat.st_mtime_ns if stat else -1}".encode())


def inputs_fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()
    records = sorted(
        (m.feed, m.partner, m.period, m.source_file_hash, m.load_id, m.passed) for m in all_manifests(settings.raw_dir)
    )
    digest.update(json.dumps(records).encode())
    withdrawals = settings.raw_dir / "_withdrawals.jsonl"
    digest.update(withdrawals.read_bytes() if withdrawals.exists() else b"")
    _hash_tree(digest, settings.config_dir)
    for path in (
        settings.postcode_directory,
        settings.framework,
        settings.lsoa_boundaries,
        *settings.register_paths.values(),
    ):
        _stat(digest, path)
    if settings.deprivation_dir is not None and settings.deprivation_dir.is_dir():
        _hash_tree(digest, settings.deprivation_dir)
    digest.update(json.dumps(sorted(settings.environment().items())).encode())
    for folder in CODE_FOLDERS:
        _hash_tree(digest, PROJECT_ROOT / folder)
    for name in CODE_FILES:
        path = PROJECT_ROOT / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def current_publication_id(settings: Settings) -> str | None:
    current = settings.current_dir
    return current.resolve().name if current.exists() else None


def unchanged_since_publication(settings: Settings) -> str | None:
    """The current publication's id when it was made from exactly these inputs, else None."""
    record = settings.work_dir / RECORD
    publication = current_publication_id(settings)
    if publication is None or not record.exists():
        return None
    recorded = json.loads(record.read_text(encoding="utf-8"))
    if recorded.get("publication_id") != publication or recorded.get("inputs") != inputs_fingerprint(settings):
        return None
    return publication


def record_publication(settings: Settings) -> None:
    publication = current_publication_id(settings)
    if publication is None:
        return
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    record = settings.work_dir / RECORD
    partial = record.with_suffix(".partial")
    partial.write_text(
        json.dumps({"publication_id": publication, "inputs": inputs_fingerprint(settings)}), encoding="utf-8"
    )
    partial.replace(record)
