"""The load manifest: what one load of one file into one raw partition recorded (`_load.json`).

One typed class, because the record is read by the loader (is this file already loaded?), the money
checks (was this month delivered before?), the publication gate, the withdrawal, the CLI and by dbt
(stg_raw__loads reads the JSON files directly). `MANIFEST_JSON_SCHEMA` is the contract the files
follow; tests/unit/test_manifest.py holds the class, the schema and the dbt model to one field list.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class LoadManifest:
    partner: str
    feed: str
    period: str  # YYYY-MM, or 'current' for a snapshot feed
    source_file: str  # <partner>/<feed>/<file name>
    source_file_hash: str  # SHA-256 of the file's bytes
    mapping_fingerprint: str  # the layout's mapping as it stood for this load
    rule_versions: dict[str, str]
    raw_format_version: str
    load_id: str
    loaded_at: str  # ISO 8601, UTC
    rows_in: int | None  # None when the file could not be read
    rows_loaded: int
    rows_quarantined: int
    passed: bool  # every blocking check passed
    state: str  # loaded | quarantined | empty | refused | failed_to_read (ingestion/load.py)
    checks: list[dict[str, Any]] = field(default_factory=list)  # CheckResult.as_dict() of each check
    blank_rows_skipped: int = 0
    header_row: int | None = None
    encoding: str | None = None
    loaded_amount_pence: int | None = None  # spend only: the loaded rows' net amount
    # the partner's accepted exceptions as they stood for this load, and what became of each entry
    # for this file (dq_accepted_exceptions is built from these)
    exceptions_file: str | None = None
    exceptions_version: str | None = None
    exceptions_fingerprint: str | None = None
    exceptions_applied: list[str] = field(default_factory=list)
    accepted_exceptions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def partition(self) -> tuple[str, str, str]:
        return (self.feed, self.partner, self.period)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, default=str)

    @classmethod
    def from_dict(cls, record: dict[str, Any], where: str = "a load manifest") -> LoadManifest:
        """Refuses a record with a missing or unknown field, naming the file, rather than letting a
        reader find out later that a key it needs is absent."""
        names = {f.name for f in fields(cls)}
        required = {f.name for f in fields(cls) if _is_required(f)}
        missing, unknown = required - record.keys(), record.keys() - names
        if missing or unknown:
            raise ValueError(
                f"{where} does not match the load manifest schema (ingestion/manifest.py): "
                f"missing {sorted(missing) or 'nothing'}, unknown {sorted(unknown) or 'nothing'}; "
                "reload the partition (`svw backfill`) to write it again"
            )
        return cls(**record)


def _is_required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


_JSON_TYPES = {str: "string", int: "integer", bool: "boolean", float: "number"}


def _json_type(annotation: Any) -> dict[str, Any]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return {"type": "array"}
    if origin is dict:
        return {"type": "object"}
    if args and type(None) in args:  # X | None
        (inner,) = [a for a in args if a is not type(None)]
        return {"type": [_JSON_TYPES[inner], "null"]}
    return {"type": _JSON_TYPES[annotation]}


def manifest_json_schema() -> dict[str, Any]:
    """The JSON Schema every `_load.json` follows, derived from the class (so they cannot drift)."""
    hints = typing.get_type_hints(LoadManifest)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Raw partition load manifest (_load.json)",
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields(LoadManifest) if _is_required(f)],
        "properties": {f.name: _json_type(hints[f.name]) for f in fields(LoadManifest)},
    }
