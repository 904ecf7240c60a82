"""A replacement file must not quietly lose money: the comparison with the file it replaces.

A partition (partner x feed x period) holds one file; a new file for the same period replaces it
whole. Issue 14 replaced a month with a copy cut at a row boundary and a year fell by £3.9m with
every check green, because each file was only ever checked on its own. Here the replacement's row
count and loaded total are compared with the last file of the partition that passed its checks; a
fall of more than feed_validation.max_replacement_drop_share (config/rules.yml) blocks the file
until the partner confirms it, as a recorded entry in config/exceptions/<partner>.yml with
`check: replacement_shrank` and the replacement's exact total (a re-export that changes the total
again must be looked at again, as for any accepted exception).

Why the baseline is kept beside the raw layer: the blocked replacement is still written to its
partition (its rows quarantined or loaded, never dropped; the gate keeps it out of the
publication), so on the next run the partition's manifest is the replacement itself, and comparing
a file with itself would let it through unconfirmed. The last passed load's figures are therefore
recorded in raw/_replaced/ when a replacement arrives, and compared against until a file passes.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingestion.exceptions import gbp
from ingestion.landing import LandedFile
from ingestion.manifest import LoadManifest
from ingestion.validate import BLOCKING, WARNING, CheckResult

CHECK = "replacement_shrank"
BASELINES = "_replaced"


def baseline_path(raw_dir: Path, feed: str, partner: str, period: str) -> Path:
    return raw_dir / BASELINES / feed / partner / f"{period}.json"


def _baseline(raw_dir: Path, landed: LandedFile, digest: str, previous: LoadManifest | None) -> dict | None:
    """The last passed file of this partition that the new file replaces, or None if it replaces none."""
    if previous is None:
        return None
    path = baseline_path(raw_dir, landed.feed, landed.partner, landed.period.key)
    if previous.passed:
        if previous.source_file_hash == digest:
            return None  # the same file reloaded (a rule or mapping changed): nothing is replaced
        figures = {
            key: getattr(previous, key)
            for key in ("source_file", "source_file_hash", "load_id", "loaded_at", "rows_in", "loaded_amount_pence")
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        tmp.replace(path)
        return figures
    # The partition holds a file that failed (perhaps this very replacement, blocked last run):
    # compare with the last file that passed, if one ever did.
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _drop(before: int, after: int) -> float:
    return (before - after) / before if before > 0 else 0.0


def compare(
    raw_dir: Path,
    landed: LandedFile,
    digest: str,
    previous: LoadManifest | None,
    rows_in: int,
    loaded_pence: int,
    max_drop: float,
) -> CheckResult | None:
    """The replacement check's result, or None when the file replaces no passed file."""
    if landed.feed != "spend":
        return None
    base = _baseline(raw_dir, landed, digest, previous)
    if base is None:
        return None
    old_rows, old_pence = int(base.get("rows_in") or 0), int(base.get("loaded_amount_pence") or 0)
    row_drop, pence_drop = _drop(old_rows, rows_in), _drop(old_pence, loaded_pence)
    figures = (
        f"{landed.path.name} replaces the {landed.period.key} file loaded at {str(base.get('loaded_at'))[:19]} "
        f"({base.get('source_file')}): rows {old_rows:,} -> "
        f"{rows_in:,} ({-row_drop:+.1%}), loaded total {gbp(old_pence)} -> {gbp(loaded_pence)} ({-pence_drop:+.1%})"
    )
    if max(row_drop, pence_drop) <= max_drop:
        return CheckResult(
            CHECK, BLOCKING, True, f"{figures}; within the {max_drop:.0%} allowed", "nothing to fix", 0, rows_in
        )
    exceptions = landed.config.exceptions
    entries = [e for e in exceptions.for_file(landed.path.name) if e.check == CHECK] if exceptions else []
    confirmed = [e for e in entries if e.amount_pence == loaded_pence]
    if confirmed:
        e = confirmed[0]
        return CheckResult(
            CHECK,
            WARNING,
            True,
            f"{figures}; accepted as {e.id} in {exceptions.label} (version {exceptions.version}) by "
            f"{e.accepted_by} on {e.accepted_on.isoformat()}: {e.reason}",
            "nothing to fix if the smaller file is right; withdraw the entry if it is not",
            rows_in,  # every row of the file loads under the confirmation
            rows_in,
            source="exceptions",
        )
    label = exceptions.label if exceptions else f"config/exceptions/{landed.partner}.yml"
    stale = (
        f"; {', '.join(e.id for e in entries)} in {label} accepts {', '.join(gbp(e.amount_pence) for e in entries)}, "
        f"not {gbp(loaded_pence)}: the file changed since it was accepted"
        if entries
        else ""
    )
    return CheckResult(
        CHECK,
        BLOCKING,
        False,
        f"{figures}: more than the {max_drop:.0%} fall allowed by feed_validation.max_replacement_drop_share "
        f"(config/rules.yml); a file cut short, or the wrong file{stale}",
        f"send the complete file for {landed.period.key} again; if the smaller file is right, accept it in {label} "
        f"with an entry 'file: {landed.path.name}', 'check: {CHECK}', 'amount: \"{gbp(loaded_pence)}\"' (its "
        "loaded total), reason, accepted_by and accepted_on, and bump the version (config/exceptions/README.md)",
        0,
        rows_in,
        source="money_checks",
    )
