"""Load one feed file: read, map, parse, validate, then write loaded and quarantined rows.

The accounting identity rows_in = rows_loaded + rows_quarantined is asserted on every load, so no
row can disappear between a partner's file and the warehouse.

Every file handed to load_file ends in exactly one recorded state, written to its partition's
manifest with the reason and the fix: loaded, quarantined (a blocking check failed), empty (a
header and no rows: recorded, not blocking), refused (the reader would not parse it: binary, a
bomb, a link) or failed_to_read (damaged, or the loader itself failed on it). No error a file can
cause leaves it without a record.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ingestion import exceptions as accepted
from ingestion import money_checks, raw_store
from ingestion.attributes import FEED as ATTRIBUTES_FEED
from ingestion.attributes import attribute_expectations, prepare_attributes
from ingestion.canonical import FEEDS
from ingestion.feed_checks import add_helper_columns, extra_suite
from ingestion.generic_feed import generic_arrow_schema, generic_suite, prepare_generic
from ingestion.landing import LandedFile, file_hash
from ingestion.manifest import LoadManifest
from ingestion.mapping import MappingError, map_columns, mapping_header_keys
from ingestion.normalise import (
    normalise_postcodes,
    parse_amount_pence,
    parse_dates,
    parse_flag,
    postcode_districts,
    redaction_flags,
    within_period,
)
from ingestion.periods import Period
from ingestion.readers import RawTable, ReadError, RefusedFile, read_table
from ingestion.registry import ConfigError, FeedConfig, Rules
from ingestion.validate import (
    BLOCKING,
    ROW_ID,
    WARNING,
    CheckResult,
    run_suite,
    spend_suite,
    suppliers_suite,
    verdict,
)

# The one state each delivered file ends in (its manifest's "state"; publication_feeds.state).
LOADED, QUARANTINED, EMPTY, REFUSED, FAILED_TO_READ = "loaded", "quarantined", "empty", "refused", "failed_to_read"


@dataclass
class LoadReport:
    partner: str
    feed: str
    period: str
    source_file: str
    source_file_hash: str
    status: str  # loaded | unchanged | failed
    passed: bool
    state: str | None = None  # loaded | quarantined | empty | refused | failed_to_read
    rows_in: int | None = None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    blank_rows_skipped: int = 0
    loaded_amount_pence: int | None = None
    checks: list[CheckResult] = field(default_factory=list)
    load_id: str | None = None

    def summary(self) -> str:
        head = (
            f"{self.partner}/{self.feed}/{self.period} {self.source_file}: {self.status}, "
            f"{self.rows_in} rows in, {self.rows_loaded} loaded, {self.rows_quarantined} quarantined"
        )
        failures = [c.describe() for c in self.checks if not c.success or c.failing_rows]
        return "\n  ".join([head] + failures)


def _lineage(frame: pd.DataFrame, source_file: str, digest: str, load_id: str, loaded_at) -> pd.DataFrame:
    frame = frame.copy()
    frame["source_file"] = source_file
    frame["source_file_hash"] = digest
    frame["load_id"] = load_id
    frame["loaded_at"] = loaded_at
    return frame


def _date_format(config: FeedConfig) -> str:
    """The layout's declared date format (load_registry refuses a spend layout without one)."""
    if config.date_format is None:
        raise ConfigError(
            f"{config.partner}/{config.feed} layout {config.layout!r}: 'date_format' is required "
            "(for example '%d/%m/%Y'); the date order is declared per partner, never guessed"
        )
    return config.date_format


def _prepare_spend(mapped: pd.DataFrame, config: FeedConfig, rules: Rules, period: Period) -> pd.DataFrame:
    out = pd.DataFrame({ROW_ID: mapped[ROW_ID]})
    out["payment_date"], by_fallback = parse_dates(
        mapped["payment_date"], _date_format(config), with_fallback_flags=True
    )
    out["date_in_declared_format"] = ~by_fallback.to_numpy()
    out["amount_pence"] = parse_amount_pence(mapped["amount_gbp"])
    out["supplier_name"] = mapped["supplier_name"]
    for column in (
        "supplier_ref",
        "transaction_ref",
        "service_area",
        "expense_type",
        "vat_number",
        "company_number",
        "charity_number",
    ):
        out[column] = mapped[column] if column in mapped else None
    out["is_redacted"] = redaction_flags(out["supplier_name"], rules.redaction_patterns)
    out["in_file_period"] = within_period(out["payment_date"], period.start, period.end)
    return out


def _prepare_suppliers(mapped: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({ROW_ID: mapped[ROW_ID]})
    for column in ("supplier_ref", "supplier_name", "company_number", "charity_number", "vat_number"):
        out[column] = mapped[column] if column in mapped else None
    given = mapped["postcode"] if "postcode" in mapped else pd.Series(None, index=mapped.index, dtype="string")
    out["postcode_as_given"] = given
    out["postcode"] = normalise_postcodes(given)
    out["postcode_district"] = postcode_districts(given, out["postcode"])
    out["postcode_readable"] = given.isna() | out["postcode_district"].notna()
    out["address_type"] = mapped["address_type"] if "address_type" in mapped else None
    for flag in ("is_sme", "is_vcse"):
        out[flag] = (
            parse_flag(mapped[flag]) if flag in mapped else pd.Series(pd.NA, index=mapped.index, dtype="boolean")
        )
    # A reference repeated with the same details (a register listing each grant, perhaps spelling
    # the name differently) is harmless; one
    # repeated with different details is ambiguous, and its later rows are quarantined.
    details = ["supplier_ref", "postcode", "company_number", "charity_number", "vat_number"]
    repeated_ref = out["supplier_ref"].notna() & out["supplier_ref"].duplicated(keep="first")
    repeated_row = out[details].astype("string").fillna("").duplicated(keep="first")
    out["is_repeat_ref"] = repeated_ref & ~repeated_row
    return out


# Bump when the raw Parquet layout or the parsing rules change: partitions written by an older
# version are then reloaded instead of being skipped as unchanged.
# 4: spend rows carry accepted_exception; quarantine rows carry amount_pence and payment_date.
# 5: manifests carry the file's state; truncated last rows, binary text and archive caps.
RAW_FORMAT_VERSION = "raw-format-5"

SPEND_SCHEMA = pa.schema(
    [
        ("partner_code", pa.string()),
        ("period", pa.string()),
        ("payment_date", pa.date32()),
        ("supplier_name", pa.string()),
        ("supplier_ref", pa.string()),
        ("amount_pence", pa.int64()),
        ("transaction_ref", pa.string()),
        ("service_area", pa.string()),
        ("expense_type", pa.string()),
        ("vat_number", pa.string()),
        ("company_number", pa.string()),
        ("charity_number", pa.string()),
        ("is_redacted", pa.bool_()),
        (accepted.MARK, pa.string()),
        ("source_file", pa.string()),
        ("source_file_hash", pa.string()),
        ("source_row_number", pa.int64()),
        ("load_id", pa.string()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
    ]
)
SUPPLIERS_SCHEMA = pa.schema(
    [
        ("partner_code", pa.string()),
        ("period", pa.string()),
        ("supplier_ref", pa.string()),
        ("supplier_name", pa.string()),
        ("postcode", pa.string()),
        ("postcode_as_given", pa.string()),
        ("postcode_district", pa.string()),
        ("address_type", pa.string()),
        ("is_sme", pa.bool_()),
        ("is_vcse", pa.bool_()),
        ("company_number", pa.string()),
        ("charity_number", pa.string()),
        ("vat_number", pa.string()),
        ("source_file", pa.string()),
        ("source_file_hash", pa.string()),
        ("source_row_number", pa.int64()),
        ("load_id", pa.string()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
    ]
)
SCHEMAS = {
    "spend": SPEND_SCHEMA,
    "suppliers": SUPPLIERS_SCHEMA,
    **{name: generic_arrow_schema(schema) for name, schema in FEEDS.items() if name not in ("spend", "suppliers")},
}


def _to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    columns = {}
    for f in schema:
        if f.name not in frame:
            columns[f.name] = pa.nulls(len(frame), type=f.type)
            continue
        values = frame[f.name]
        try:
            columns[f.name] = pa.array(values, type=f.type, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            columns[f.name] = pa.array(values.astype(object).where(values.notna(), None), type=f.type)
    return pa.table(columns, schema=schema)


# The column holding each feed's amount (whole pence), for totals and for quarantined £.
AMOUNT_COLUMNS = {
    "spend": "amount_pence",
    "contracts": "contract_value_pence",
    "supply_chain": "amount_pence",
    "contract_notices": "contract_value_pence",
}


def _parsed(prepared: pd.DataFrame | None, rows: pd.Series, column: str | None, arrow_type: pa.DataType) -> pa.Array:
    """A prepared column for the given rows, null where the row was unreadable or has no such column."""
    if prepared is None or column not in prepared:
        return pa.nulls(len(rows), type=arrow_type)
    values = prepared.set_index(ROW_ID)[column].reindex(rows.to_numpy())
    return pa.array(values.astype(object).where(values.notna(), None).tolist(), type=arrow_type)


def _quarantine_rows(
    raw: pd.DataFrame,
    bad_rows: dict[int, list[CheckResult]],
    partner: str,
    feed: str,
    period: str,
    source_file: str,
    digest: str,
    load_id: str,
    loaded_at,
    prepared: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The rows set aside, with their original cells and, where they could be read, the parsed
    amount and payment date: so the £ kept out of the figures is exact, not re-parsed from text,
    and placed in the financial year it would have counted in."""
    bad = raw[raw[ROW_ID].isin(bad_rows)]
    cells = bad.drop(columns=[ROW_ID])
    records = [
        json.dumps({k: v for k, v in row.items() if isinstance(v, str)}, ensure_ascii=False)
        for row in cells.to_dict(orient="records")
    ]
    checks = [bad_rows[int(r)] for r in bad[ROW_ID]]
    amounts = _parsed(prepared, bad[ROW_ID], AMOUNT_COLUMNS.get(feed), pa.int64())
    dates = _parsed(prepared, bad[ROW_ID], "payment_date" if feed == "spend" else None, pa.date32())
    return pd.DataFrame(
        {
            "partner_code": partner,
            "feed": feed,
            "period": period,
            "source_file": source_file,
            "source_file_hash": digest,
            "source_row_number": bad[ROW_ID].astype("int64").to_numpy(),
            "load_id": load_id,
            "loaded_at": loaded_at,
            "checks": [", ".join(c.check for c in cs) for cs in checks],
            "reason": ["; ".join(c.reason for c in cs) for cs in checks],
            "fix": ["; ".join(c.fix for c in cs) for cs in checks],
            "raw_record": records,
            "amount_pence": pd.Series(pd.arrays.ArrowExtensionArray(amounts), index=bad.index),
            "payment_date": pd.Series(pd.arrays.ArrowExtensionArray(dates), index=bad.index),
        }
    )


def suite_for(config: FeedConfig, rules: Rules):
    """The Great Expectations suite a file of this feed must pass (checks a partner has accepted
    rows for skip those rows only: ingestion/exceptions.py)."""
    return accepted.scope_suite(_base_suite(config, rules), config.exceptions, config.feed)


def _base_suite(config: FeedConfig, rules: Rules):
    if config.feed == "spend":
        max_pence = int(rules.feed_validation.max_abs_amount_gbp) * 100
        return spend_suite(config.tolerance_pct, max_pence, _date_format(config))
    if config.feed == "suppliers":
        return suppliers_suite(config.tolerance_pct)
    suite = generic_suite(FEEDS[config.feed], config.tolerance_pct, config.date_format, config.buyers, config.buyer_ids)
    suite += extra_suite(config.feed, rules, config.tolerance_pct)
    if config.feed == ATTRIBUTES_FEED:  # dated facts: a known scheme, dates in order (ingestion/attributes.py)
        suite += attribute_expectations(config.schemes, config.tolerance_pct)
    return suite


def _prepare(mapped: pd.DataFrame, config: FeedConfig, rules: Rules, period: Period) -> pd.DataFrame:
    if config.feed == "spend":
        return _prepare_spend(mapped, config, rules, period)
    if config.feed == "suppliers":
        return _prepare_suppliers(mapped)
    prepared = prepare_generic(mapped, FEEDS[config.feed], config.date_format, config.buyers, config.buyer_ids)
    if config.feed == ATTRIBUTES_FEED:
        prepared = prepare_attributes(prepared, mapped, config.schemes)
    return add_helper_columns(config.feed, prepared, rules)


@dataclass
class ValidatedFile:
    raw: pd.DataFrame  # cells with row numbers
    prepared: pd.DataFrame | None  # None when the layout could not be mapped
    results: list[CheckResult]
    bad_rows: dict[int, list[CheckResult]]  # the rows to quarantine, with their failed checks
    table: RawTable
    exceptions: list[accepted.Outcome] = field(default_factory=list)


def read_and_validate(path: Path, config: FeedConfig, rules: Rules, period: Period):
    """The part of a load shared with `svw validate-feed`: no writes, just what would happen.

    Returns (raw cells with row numbers, prepared frame or None, check results, bad rows, table).
    """
    checked = validate_file(path, config, rules, period)
    return checked.raw, checked.prepared, checked.results, checked.bad_rows, checked.table


def validate_file(path: Path, config: FeedConfig, rules: Rules, period: Period) -> ValidatedFile:
    """Read, map, prepare and validate one file, applying the partner's accepted exceptions."""
    schema = FEEDS[config.feed]
    table: RawTable = read_table(
        path,
        encoding=config.encoding,
        delimiter=config.delimiter,
        sheet=config.sheet,
        na_values=config.na_values,
        expected_headers=mapping_header_keys(config),
        ocds=schema.ocds,
    )
    raw = table.frame.copy()
    raw.insert(0, ROW_ID, table.row_numbers.to_numpy())
    try:
        mapped = map_columns(table, config, source=str(path))
    except MappingError as exc:
        check = CheckResult(
            check="file_layout",
            severity=BLOCKING,
            success=False,
            reason=str(exc),
            fix=exc.fix,
            failing_rows=len(raw),
            rows_checked=len(raw),
            example_rows=[int(r) for r in raw[ROW_ID].head(20)],
            source="mapping",
        )
        return ValidatedFile(raw, None, [check], {int(r): [check] for r in raw[ROW_ID]}, table)
    prepared = _prepare(mapped, config, rules, period)
    if table.truncated_rows:  # a cut row fails for being cut, not for what its cut cells say
        prepared = prepared[~prepared[ROW_ID].isin(table.truncated_rows)].reset_index(drop=True)
    suite_name = f"{config.partner}.{schema.name}"
    plan = accepted.plan(prepared, config.exceptions, path.name, config.feed, _base_suite(config, rules), suite_name)
    results, bad_rows = run_suite(prepared, suite_for(config, rules), suite_name)
    outcomes, notices = accepted.settle(plan, prepared, bad_rows)
    results = results + notices
    if table.truncated_rows:
        results.append(_truncated_check(table, bad_rows, len(raw)))
    elif len(raw) == 0:
        results = _empty_delivery(results, path.name, period)
    return ValidatedFile(raw, prepared, results, bad_rows, table, outcomes)


def _truncated_check(table: RawTable, bad_rows: dict[int, list[CheckResult]], rows_checked: int) -> CheckResult:
    """A row the file ends part-way through is quarantined as that row, whatever its cells look
    like (a cut amount still reads as a number), and the file is blocked: what came after the
    cut is missing, so the partner must send the whole file."""
    rows = sorted(table.truncated_rows)
    check = CheckResult(
        check="row_complete",
        severity=BLOCKING,
        success=False,
        reason="; ".join(table.truncated_rows[r] for r in rows),
        fix="send the complete file again (it was cut short in export or transfer); rows after the cut are missing",
        failing_rows=len(rows),
        rows_checked=rows_checked,
        example_rows=rows,
        source="reader",
    )
    for row in rows:
        bad_rows.setdefault(row, []).append(check)
    return check


def _empty_delivery(results: list[CheckResult], name: str, period: Period) -> list[CheckResult]:
    """A header and no rows is an empty delivery, not a broken one: recorded as state `empty`
    with a warning, so it never blocks another partner's publication. For its own partner the
    period has no payments loaded, so a year containing it is shown as a partial year (months
    are counted from payment dates) until a file with rows replaces it."""
    return [
        CheckResult(
            check="file_has_rows",
            severity=WARNING,
            success=False,
            reason=(
                f"{name} holds a header and no data rows: recorded as an empty delivery for {period.key}; "
                "no payments are loaded for it, so its year is shown as a partial year"
            ),
            fix="if there were payments in the period, re-export the file with its rows and deliver it again",
            source="reader",
        )
        if r.check == "file_has_rows" and not r.success
        else r
        for r in results
    ]


def file_state(results: list[CheckResult], rows_in: int) -> str:
    """The recorded state a load's checks amount to."""
    failed = {r.check for r in results if r.severity == BLOCKING and not r.success}
    if "file_refused" in failed:
        return REFUSED
    if failed & {"file_readable", "file_loaded"}:
        return FAILED_TO_READ
    if failed:
        return QUARANTINED
    if rows_in == 0:
        return EMPTY
    return LOADED


def recorded_report(
    landed: LandedFile, rules: Rules, raw_dir: Path, source_name: str | None = None, digest: str | None = None
) -> LoadReport | None:
    """The report recorded for this exact file when loading it again would change nothing: same bytes,
    same mapping, same accepted exceptions, same rule versions and raw format. None when it must load.

    Kept apart from load_file so a run can ask it before paying for a Dagster run (a re-run with
    nothing changed then costs one hash and one manifest read per file)."""
    config = landed.config
    digest = digest or file_hash(landed.path)
    previous = raw_store.read_manifest(raw_dir, landed.feed, landed.partner, landed.period.key)
    if not (
        previous
        and previous.source_file_hash == digest
        and previous.mapping_fingerprint == config.fingerprint()
        and previous.exceptions_fingerprint == accepted.fingerprint(config.exceptions, landed.path.name)
        and previous.rule_versions == rules.versions()
        and previous.raw_format_version == RAW_FORMAT_VERSION
    ):
        return None
    return LoadReport(
        partner=landed.partner,
        feed=landed.feed,
        period=landed.period.key,
        source_file=source_name or f"{landed.partner}/{landed.feed}/{landed.path.name}",
        source_file_hash=digest,
        status="unchanged",
        passed=previous.passed,
        state=previous.state,
        rows_in=previous.rows_in,
        rows_loaded=previous.rows_loaded,
        rows_quarantined=previous.rows_quarantined,
        checks=[CheckResult(**c) for c in previous.checks],
        load_id=previous.load_id,
    )


def load_file(landed: LandedFile, rules: Rules, raw_dir: Path, source_name: str | None = None) -> LoadReport:
    """Load one landed file into its partition (a no-op if this exact file is already loaded)."""
    digest = file_hash(landed.path)
    unchanged = recorded_report(landed, rules, raw_dir, source_name, digest)
    if unchanged is not None:
        return unchanged
    config = landed.config
    source_file = source_name or f"{landed.partner}/{landed.feed}/{landed.path.name}"
    fingerprint = config.fingerprint()
    exceptions_fingerprint = accepted.fingerprint(config.exceptions, landed.path.name)
    rule_versions = rules.versions()
    previous = raw_store.read_manifest(raw_dir, landed.feed, landed.partner, landed.period.key)

    load_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    loaded_at = pd.Timestamp.now(tz="UTC").floor("us")
    outcomes: list[accepted.Outcome] = []
    try:
        checked = validate_file(landed.path, config, rules, landed.period)
        raw, prepared, results, bad_rows, table = (
            checked.raw,
            checked.prepared,
            checked.results,
            checked.bad_rows,
            checked.table,
        )
        outcomes = checked.exceptions
        # doubled, foreign or cut money (issue 14): ingestion/money_checks.py
        results, bad_rows = money_checks.apply(
            landed, rules, raw_dir, raw, prepared, table, results, bad_rows, previous, digest
        )
    except ReadError as exc:
        check = CheckResult(
            check="file_refused" if isinstance(exc, RefusedFile) else "file_readable",
            severity=BLOCKING,
            success=False,
            reason=str(exc),
            fix=exc.fix,
            source="reader",
        )
        raw = pd.DataFrame({ROW_ID: pd.Series([], dtype="int64")})
        prepared, results, bad_rows, table = None, [check], {}, None
    except ConfigError:
        raise  # the configuration, not the file, is wrong: nothing to record against the file
    except Exception as exc:  # noqa: BLE001 - whatever a file makes the loader do, the file is recorded
        check = CheckResult(
            check="file_loaded",
            severity=BLOCKING,
            success=False,
            reason=f"the loader failed on this file ({type(exc).__name__}: {exc})"[:2000],
            fix="check the file opens in Excel or a text editor and send it again; if it does, report this "
            "error with the file to the warehouse team",
            source="loader",
        )
        raw = pd.DataFrame({ROW_ID: pd.Series([], dtype="int64")})
        prepared, results, bad_rows, table = None, [check], {}, None

    keep = pd.Series(dtype=bool) if prepared is None else ~prepared[ROW_ID].isin(bad_rows)
    loaded = prepared[keep] if prepared is not None else pd.DataFrame(columns=[ROW_ID])
    loaded = _lineage(loaded, source_file, digest, load_id, loaded_at)
    loaded["partner_code"] = landed.partner
    loaded["period"] = landed.period.key
    quarantined = _quarantine_rows(
        raw, bad_rows, landed.partner, landed.feed, landed.period.key, source_file, digest, load_id, loaded_at, prepared
    )
    rows_in = len(raw)
    if rows_in != len(loaded) + len(quarantined):
        raise AssertionError(
            f"{source_file}: {rows_in} rows in but {len(loaded)} loaded + "
            f"{len(quarantined)} quarantined; this is a bug, please report it"
        )
    passed = verdict(results)
    state = file_state(results, rows_in)
    amount_column = AMOUNT_COLUMNS.get(landed.feed)
    amount = int(loaded[amount_column].sum()) if amount_column in loaded and len(loaded) else None
    manifest = LoadManifest(
        partner=landed.partner,
        feed=landed.feed,
        period=landed.period.key,
        source_file=source_file,
        source_file_hash=digest,
        mapping_fingerprint=fingerprint,
        rule_versions=rule_versions,
        raw_format_version=RAW_FORMAT_VERSION,
        load_id=load_id,
        loaded_at=loaded_at.isoformat(),
        rows_in=rows_in,
        rows_loaded=len(loaded),
        rows_quarantined=len(quarantined),
        blank_rows_skipped=table.blank_rows_skipped if table else 0,
        header_row=table.header_row if table else None,
        encoding=table.encoding if table else None,
        loaded_amount_pence=amount,
        passed=passed,
        state=state,
        checks=[c.as_dict() for c in results],
        exceptions_file=config.exceptions.label if config.exceptions else None,
        exceptions_version=config.exceptions.version if config.exceptions else None,
        exceptions_fingerprint=exceptions_fingerprint,
        exceptions_applied=[o.exception.id for o in outcomes if o.status == accepted.APPLIED],
        accepted_exceptions=[o.as_dict(config.exceptions) for o in outcomes],
    )
    raw_store.write_partition(
        raw_dir,
        landed.feed,
        landed.partner,
        landed.period.key,
        _to_arrow(loaded, SCHEMAS[landed.feed]),
        pa.Table.from_pandas(quarantined, preserve_index=False),
        manifest,
    )
    return LoadReport(
        partner=landed.partner,
        feed=landed.feed,
        period=landed.period.key,
        source_file=source_file,
        source_file_hash=digest,
        status="loaded",
        passed=passed,
        state=state,
        rows_in=rows_in,
        rows_loaded=len(loaded),
        rows_quarantined=len(quarantined),
        blank_rows_skipped=manifest.blank_rows_skipped,
        loaded_amount_pence=amount,
        checks=results,
        load_id=load_id,
    )


def load_partition(landed_files: list[LandedFile], rules: Rules, raw_dir: Path) -> LoadReport:
    """Load the landed file(s) of one partition and report them as one load.

    A periodic feed's partition holds one file; a snapshot feed's partition holds every list the
    partner sent (each loads into its own folder). Their reports are merged so the partition has one
    materialization and one verdict: it passes only when every list passed."""
    if not landed_files:
        raise ValueError("load_partition needs at least one landed file")
    reports = [load_file(landed, rules, raw_dir) for landed in landed_files]
    report = reports[0]
    if len(reports) > 1:
        report.checks = [c for r in reports for c in r.checks]
        report.passed = all(r.passed for r in reports)
        report.source_file = ", ".join(r.source_file for r in reports)
        report.source_file_hash = ", ".join(r.source_file_hash for r in reports)
        report.rows_in = sum(r.rows_in or 0 for r in reports)
        report.rows_loaded = sum(r.rows_loaded for r in reports)
        report.rows_quarantined = sum(r.rows_quarantined for r in reports)
    return report
