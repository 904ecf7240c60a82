"""Poll a partner's due sources and put each new or changed file in its landing folder.

What a fetch records, per source (raw/_sources/<partner>__<feed>__<layout>.json): when it last
looked, and for each remote file its ETag / Last-Modified (so the next request is conditional and an
unchanged file costs a 304), its listing fingerprint (size and time, for SFTP and storage) and the
hash of what was landed. Every outcome is one line of raw/_sources/fetch_log.jsonl: origin URL,
final URL after redirects, retrieval time, SHA-256, and the landed file. A file is written beside its
final name as a hidden partial and renamed into place whole, so the landing sensor never reads half a
download. A failing source is an outcome, never an exception: the partner's other sources, and every
other partner, go on.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ingestion.sources.credentials import CredentialsError, credentials_for, redact
from ingestion.sources.spec import SourceSpec
from ingestion.sources.transports import FetchError, natural_key, transport_for


@dataclass(frozen=True)
class FetchOutcome:
    partner: str
    feed: str
    layout: str
    source: str
    status: str  # fetched | unchanged | not_modified | failed | not_due
    file: str | None = None
    detail: str = ""
    sha256: str | None = None


def state_dir(raw_dir: Path) -> Path:
    return raw_dir / "_sources"


def _state_path(raw_dir: Path, partner: str, feed: str, layout: str) -> Path:
    return state_dir(raw_dir) / f"{partner}__{feed}__{layout}.json"


def _load_state(path: Path) -> dict:
    if not path.exists():
        return {"files": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _save_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def _log(raw_dir: Path, record: dict) -> None:
    folder = state_dir(raw_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "fetch_log.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True) + "\n")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sources_of(partner) -> list[tuple[Any, SourceSpec]]:
    """(layout, source) for each of a partner's feed layouts that has a source."""
    return [
        (layout, layout.source)
        for layouts in partner.feeds.values()
        for layout in layouts
        if getattr(layout, "source", None) is not None
    ]


def is_due(raw_dir: Path, layout, spec: SourceSpec, now: datetime) -> bool:
    last = _load_state(_state_path(raw_dir, layout.partner, layout.feed, layout.layout)).get("last_polled")
    return last is None or now - datetime.fromisoformat(last) >= timedelta(minutes=spec.interval_minutes)


def due_partners(registry, raw_dir: Path, now: datetime | None = None) -> list[str]:
    now = now or datetime.now(UTC)
    return sorted(
        code
        for code, partner in registry.partners.items()
        if any(is_due(raw_dir, layout, spec, now) for layout, spec in sources_of(partner))
    )


def _landed_name(spec: SourceSpec, remote_name: str) -> str:
    name = spec.save_as.format(name=remote_name) if spec.save_as else remote_name
    return Path(name).name


def fetch_source(layout, spec: SourceSpec, landing_dir: Path, raw_dir: Path, now: datetime) -> list[FetchOutcome]:
    """Every outcome of one source; raises nothing a source can cause."""
    state_path = _state_path(raw_dir, layout.partner, layout.feed, layout.layout)
    state = _load_state(state_path)
    secrets: dict = {}

    def outcome(status: str, file: str | None = None, detail: str = "", digest: str | None = None) -> FetchOutcome:
        return FetchOutcome(
            layout.partner, layout.feed, layout.layout, spec.url, status, file, redact(detail, secrets), digest
        )

    outcomes: list[FetchOutcome] = []
    try:
        secrets = credentials_for(spec.credentials)
        transport = transport_for(spec, secrets)
        candidates = transport.list(state)
        if not candidates:
            raise FetchError(f"{spec.url}: no file matches link_pattern {spec.link_pattern!r}")
        chosen = candidates if spec.files == "all" else [max(candidates, key=lambda r: natural_key(r.name))]
        folder = landing_dir / layout.partner / layout.feed
        folder.mkdir(parents=True, exist_ok=True)
        for remote in chosen:
            name = _landed_name(spec, remote.name)
            if not name or not layout.pattern.search(name):
                outcomes.append(
                    outcome(
                        "failed",
                        name,
                        f"{remote.url}: the file name {name!r} does not match the {layout.partner} {layout.feed} "
                        f"file_pattern {layout.file_pattern!r}; set the source's save_as (e.g. "
                        f"'{layout.partner}_{layout.feed}_{{name}}') or widen the pattern",
                    )
                )
                continue
            entry = state["files"].setdefault(remote.url, {})
            if remote.fingerprint is not None and entry.get("fingerprint") == remote.fingerprint:
                outcomes.append(outcome("unchanged", name, "listing unchanged; not downloaded", entry.get("sha256")))
                continue
            partial = folder / f".{name}.partial"
            try:
                got = transport.download(remote, partial, entry, spec.max_megabytes * 2**20)
                if got.not_modified:
                    outcomes.append(outcome("not_modified", name, "the server answered 304", entry.get("sha256")))
                    continue
                digest = _sha256(partial)
                target = folder / name
                entry.update(
                    etag=got.etag, last_modified=got.last_modified, fingerprint=remote.fingerprint, landed_as=name
                )
                if digest == entry.get("sha256") and target.exists():
                    outcomes.append(outcome("unchanged", name, "same bytes as the file landed before", digest))
                    continue
                os.replace(partial, target)
                entry["sha256"] = digest
                _log(
                    raw_dir,
                    {
                        "partner": layout.partner,
                        "feed": layout.feed,
                        "layout": layout.layout,
                        "origin": remote.url,
                        "final_url": got.final_url or remote.url,
                        "retrieved_at": now.isoformat(),
                        "sha256": digest,
                        "landed_as": str(target.relative_to(landing_dir)),
                        "etag": got.etag,
                        "last_modified": got.last_modified,
                    },
                )
                outcomes.append(outcome("fetched", name, f"from {got.final_url or remote.url}", digest))
            finally:
                partial.unlink(missing_ok=True)
    except (FetchError, CredentialsError, OSError, ValueError) as error:
        outcomes.append(outcome("failed", None, str(error)))
    state["last_polled"] = now.isoformat()
    state["last_outcomes"] = [asdict(o) for o in outcomes]
    _save_state(state_path, state)
    return outcomes


def fetch_partner(partner, landing_dir: Path, raw_dir: Path, now: datetime | None = None, force: bool = False):
    """Outcomes of each of the partner's sources that is due (all of them when forced)."""
    now = now or datetime.now(UTC)
    outcomes: list[FetchOutcome] = []
    for layout, spec in sources_of(partner):
        if force or is_due(raw_dir, layout, spec, now):
            outcomes.extend(fetch_source(layout, spec, landing_dir, raw_dir, now))
        else:
            outcomes.append(
                FetchOutcome(layout.partner, layout.feed, layout.layout, spec.url, "not_due", None, "polled recently")
            )
    return outcomes
