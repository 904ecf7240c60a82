"""Resolved identities kept between runs.

Resolution is the costliest step of a build that follows a small delivery (issue 13): at a million
ledger lines it takes most of a minute, and a corrected or re-sent month usually names no supplier
the warehouse has not seen. `resolve` is a pure function of what it reads (each record's key, name,
numbers and postcode; the overrides; the register links; the matching settings; the saved model;
its own code), so its links are kept beside a fingerprint of all of that and handed back unchanged
when the fingerprint is the same. Anything else (a new name, a changed number, a new override, a
rule or model or code change) resolves every record again: the kept links are an exact copy of what
`resolve` would return, never an approximation of it. Within that, each partner's own pass is kept
apart (kept_local.py), so the partners whose records did not change are read back, not resolved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingestion.resolution.kept_local import code_digest
from ingestion.resolution.probabilistic import MODEL_DIR
from ingestion.resolution.resolve import Overrides, resolve

# The record columns resolve reads; the rest of a record (payments, dates, flags) cannot move a link.
RESOLVE_COLUMNS = ("record_key", "name", "company_number", "charity_number", "vat_number", "postcode")
LINKS_FILE = "supplier_links.parquet"
FINGERPRINT_FILE = "fingerprint.txt"
PARTNER_LOCAL_DIR = "partner_local"  # ingestion/resolution/kept_local.py


@dataclass
class KeptResolution:
    links: pd.DataFrame
    fingerprint: str
    kept: bool  # True: the previous run's links, whose inputs were the same


def resolution_fingerprint(
    records: pd.DataFrame,
    overrides: Overrides,
    settings: dict,
    register_edges: list[tuple[str, str, str, float]] | None,
    register_keys: set[str] | None,
    model_dir: Path = MODEL_DIR,
) -> str:
    """Everything resolve's links depend on. Records are taken in the order given, and their missing
    values all hash alike (None, NA and NaN are one missing value here, as in resolve)."""
    digest = hashlib.sha256(code_digest().encode())
    for path in sorted(p for p in model_dir.glob("*") if p.is_file()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    frame = pd.DataFrame(
        {c: records[c] if c in records else pd.Series(pd.NA, index=records.index) for c in RESOLVE_COLUMNS}
    )
    frame = frame.astype("string")  # in the order given: resolve's ties fall by record order
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(
        json.dumps(
            {
                "settings": settings,
                "force_link": sorted(list(pair) for pair in overrides.force_link),
                "force_split": sorted(overrides.force_split),
                "register_edges": sorted([list(map(str, edge)) for edge in register_edges or []]),
                "register_keys": sorted(register_keys or []),
            },
            sort_keys=True,
        ).encode()
    )
    return digest.hexdigest()


def resolve_kept(
    records: pd.DataFrame,
    kept_dir: Path | None,
    overrides: Overrides,
    register_edges: list[tuple[str, str, str, float]] | None = None,
    register_keys: set[str] | None = None,
    before_resolving: Callable[[], None] | None = None,
    workers: int = 1,
    **settings,
) -> KeptResolution:
    """resolve(records, ...), or the links kept in `kept_dir` by the last run whose inputs were the
    same. Without a folder it always resolves (tests, benchmarks). `before_resolving` is called only
    when resolve is: the caller makes room for its heap there (build._SetAside), and a run whose
    links are kept does not pay for that. `workers` (processes for resolve's partner-local pass) is
    not part of the fingerprint: the links are the same for any number."""
    fingerprint = resolution_fingerprint(records, overrides, settings, register_edges, register_keys)
    if kept_dir is not None and (kept_dir / FINGERPRINT_FILE).is_file():
        if (kept_dir / FINGERPRINT_FILE).read_text(encoding="utf-8").strip() == fingerprint:
            links = pd.read_parquet(kept_dir / LINKS_FILE)  # the dtypes resolve returns
            return KeptResolution(links, fingerprint, kept=True)
    if before_resolving is not None:
        before_resolving()
    links = resolve(
        records,
        overrides,
        register_edges=register_edges,
        register_keys=register_keys,
        workers=workers,
        # each partner's own pass kept apart: a partner whose records did not change is read back
        kept_dir=kept_dir / PARTNER_LOCAL_DIR if kept_dir is not None else None,
        **settings,
    )
    if kept_dir is not None:
        _keep(links, fingerprint, kept_dir)
    return KeptResolution(links, fingerprint, kept=False)


def _keep(links: pd.DataFrame, fingerprint: str, kept_dir: Path) -> None:
    """Links first, fingerprint last, each written whole then renamed: a run stopped part-way leaves
    either the old pair or a fingerprint that no longer matches, never new links under an old one."""
    kept_dir.mkdir(parents=True, exist_ok=True)
    (kept_dir / FINGERPRINT_FILE).unlink(missing_ok=True)
    partial = kept_dir / f"{LINKS_FILE}.partial"
    links.to_parquet(partial, index=False)
    partial.replace(kept_dir / LINKS_FILE)
    partial = kept_dir / f"{FINGERPRINT_FILE}.partial"
    partial.write_text(fingerprint, encoding="utf-8")
    partial.replace(kept_dir / FINGERPRINT_FILE)
