"""Accepted exceptions: single rows a partner has confirmed are genuine although a blocking check
fails them (config/exceptions/<partner>.yml).

Why named rows rather than a looser rule: a genuine £106m loan to an airport holding company fails
the £50m plausibility check, and the only other escapes are bad trades. Raising
`feed_validation.max_abs_amount_gbp` lets every typing slip below the new limit through, for every
partner; `tolerance_pct` loosens every blocking check on every file of the partner. An exception
instead names one row (the file, the row's identity and its exact amount) and one check, with who
accepted it, when and why, so nothing else gets through and the decision is on the record. It is
listed wherever the figures are: the load manifest, `dq_accepted_exceptions`, `make run` and the
statement annex.

Matching, in this order of authority:
  * the file: the name the file has in the landing zone (no folders);
  * the row: `transaction_ref` wins where the entry gives one, because a ledger's transaction number
    survives a re-export that re-sorts or inserts rows while a row number does not; `row` (the
    spreadsheet row, header = row 1, as every report prints it) identifies rows of files without
    transaction references, and, beside a transaction_ref, only chooses among rows sharing it;
  * the amount, to the penny: a re-exported file whose amount changed must be looked at again.
An entry that matches no row, whose row passes the check anyway, or whose row fails another check
too, is not applied and is reported as a warning on every load of the file, never ignored.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ingestion.registry import ConfigError, Partner, Registry
from ingestion.validate import ROW_ID, WARNING, CheckResult, Expectation, row_condition_text, run_suite

# Checks a row may be accepted for, and the feed each belongs to. Only a judgement can be accepted:
# "this amount is implausible" is an opinion a finance officer can overrule for one payment.
ACCEPTABLE_CHECKS = {"amount_plausible": "spend"}
# Checks a whole file is accepted for, naming no row: a replacement whose rows or total fell
# (ingestion/replacement.py, which applies them); the amount is the replacement's loaded total.
FILE_CHECKS = {"replacement_shrank": "spend"}
# Checks where accepting makes no sense: the row would load without a figure, a date, a payee or an
# identity, so there is nothing true to count. The file has to be corrected instead.
REFUSED_CHECKS = {
    "amount_readable": "a row whose amount cannot be read has no figure to accept; correct the amount in the file",
    "payment_date_readable": "a row without a readable date has no financial year; correct the date in the file",
    "supplier_named": "a payment to nobody cannot be attributed; give the payee's name (or a redaction marker) "
    "in the file",
    "file_layout": "a layout problem concerns the whole file; fix the mapping in config/partners.yml",
    "file_readable": "an unreadable file has no rows to accept; re-export it",
    "file_has_rows": "an empty file has no rows to accept; re-export it",
    "supplier_ref_present": "a supplier without its reference cannot be joined to the ledger; give the reference",
    "supplier_ref_unique": "two suppliers under one reference would make the ledger ambiguous; correct the list",
}
AMOUNT_COLUMNS = {"spend": "amount_pence"}
MARK = "accepted_exception"  # raw column: ids of the exceptions a loaded row was accepted under
HELPER_PREFIX = "accepted__"  # + check: helper column the suite's row_condition reads, never stored
ENTRY_KEYS = {"id", "file", "transaction_ref", "row", "amount", "check", "reason", "accepted_by", "accepted_on"}
REQUIRED_KEYS = ("id", "file", "amount", "check", "reason", "accepted_by", "accepted_on")
APPLIED = "applied"


class ExceptionsError(ConfigError):
    """An exceptions file says something the pipeline cannot act on."""


@dataclass(frozen=True)
class AcceptedException:
    id: str
    entry: int  # position in the file (1 = first), for messages
    file: str
    check: str
    amount_pence: int
    amount_as_written: str
    reason: str
    accepted_by: str
    accepted_on: date
    transaction_ref: str | None = None
    row: int | None = None

    @property
    def identity(self) -> str:
        if self.transaction_ref is not None:
            return f"transaction_ref {self.transaction_ref}" + (f" (row {self.row})" if self.row else "")
        return f"row {self.row}"


@dataclass(frozen=True)
class PartnerExceptions:
    partner: str
    label: str  # config/exceptions/<partner>.yml, as messages name it
    version: str
    entries: tuple[AcceptedException, ...] = ()

    def for_file(self, name: str) -> tuple[AcceptedException, ...]:
        return tuple(e for e in self.entries if e.file == name)

    def checks(self, feed: str) -> set[str]:
        return {e.check for e in self.entries if ACCEPTABLE_CHECKS.get(e.check) == feed}


def gbp(pence: int | None) -> str:
    if pence is None or pd.isna(pence):
        return "no readable amount"
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(int(pence)) / 100:,.2f}"


# --- reading config/exceptions/ ----------------------------------------------------------------


def _amount_pence(value, where: str) -> tuple[int, str]:
    fix = "write the amount exactly, in pounds and pence as the file has it, e.g. '£106,451,612.93' or 106451612.93"
    if isinstance(value, bool) or value is None:
        raise ExceptionsError(f"{where}: 'amount' is missing or not an amount; {fix}")
    written = str(value).strip()
    text = re.sub(r"[£,\s]|GBP", "", written)
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ExceptionsError(f"{where}: 'amount' {written!r} is not an amount; {fix}") from None
    exponent = number.as_tuple().exponent  # 'n', 'N' or 'F' (a str) for NaN and infinity
    if not number.is_finite() or isinstance(exponent, str) or exponent < -2:
        raise ExceptionsError(f"{where}: 'amount' {written!r} is not exact to the penny; {fix}")
    pence = int(number * 100)
    return (-pence if negative else pence), written


def _text(entry: dict, key: str, where: str, hint: str) -> str:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ExceptionsError(f"{where}: '{key}' is required ({hint})")
    return str(value).strip()


def _parse_entry(raw, number: int, label: str, partner: Partner) -> AcceptedException:
    where = f"{label}: entry {number}"
    if not isinstance(raw, dict):
        raise ExceptionsError(
            f"{where}: each entry is a mapping of keys ({', '.join(REQUIRED_KEYS)}, and "
            "transaction_ref or row); see config/exceptions/README.md"
        )
    if raw.get("id") not in (None, ""):
        where += f" (id {raw['id']})"
    unknown = sorted(set(raw) - ENTRY_KEYS)
    if unknown:
        raise ExceptionsError(f"{where}: unknown key(s) {unknown}; known: {sorted(ENTRY_KEYS)}")
    ident = _text(raw, "id", where, "a short name that stays the same, e.g. SMBC-2023-001")
    check = _text(raw, "check", where, f"the blocking check the row is accepted for: {', '.join(ACCEPTABLE_CHECKS)}")
    if check in REFUSED_CHECKS:
        raise ExceptionsError(f"{where}: check '{check}' cannot be accepted: {REFUSED_CHECKS[check]}")
    if check not in ACCEPTABLE_CHECKS and check not in FILE_CHECKS:
        raise ExceptionsError(
            f"{where}: check '{check}' is not a check a row can be accepted for; "
            f"acceptable: {', '.join(sorted(ACCEPTABLE_CHECKS))}"
        )
    feed = ACCEPTABLE_CHECKS.get(check) or FILE_CHECKS[check]
    file = _text(raw, "file", where, "the file's name as it lands, e.g. stockport_spend_2022-11.csv")
    if "/" in file or "\\" in file:
        raise ExceptionsError(f"{where}: 'file' {file!r} must be the file's name only, without folders")
    layouts = partner.feeds.get(feed, ())
    if not any(c.pattern.fullmatch(file) for c in layouts):
        patterns = " or ".join(repr(c.file_pattern) for c in layouts) or "none"
        raise ExceptionsError(
            f"{where}: file {file!r} matches none of {partner.code}'s {feed} file patterns "
            f"({patterns}), so it could never be loaded; give the name as the file lands"
        )
    ref, row = raw.get("transaction_ref"), raw.get("row")
    if ref is None and row is None and check not in FILE_CHECKS:
        raise ExceptionsError(
            f"{where}: say which row: 'transaction_ref' (the ledger's transaction number, "
            "preferred) or 'row' (the spreadsheet row, header = row 1)"
        )
    if ref is not None and not isinstance(ref, str):
        raise ExceptionsError(
            f'{where}: quote the transaction_ref, e.g. transaction_ref: "{ref}" '
            "(an unquoted number can lose leading zeros)"
        )
    if ref is not None and not ref.strip():
        raise ExceptionsError(f"{where}: 'transaction_ref' is empty; give it or use 'row'")
    if row is not None and (isinstance(row, bool) or not isinstance(row, int) or row < 1):
        raise ExceptionsError(
            f"{where}: 'row' must be a whole row number as the reports print it (header = row 1), not {row!r}"
        )
    pence, written = _amount_pence(raw.get("amount"), where)
    accepted_on = raw.get("accepted_on")
    if isinstance(accepted_on, str):
        try:
            accepted_on = date.fromisoformat(accepted_on.strip())
        except ValueError:
            accepted_on = None
    if not isinstance(accepted_on, date):
        raise ExceptionsError(
            f"{where}: 'accepted_on' must be the date it was accepted, written YYYY-MM-DD "
            f"(e.g. 2023-01-15), not {raw.get('accepted_on')!r}"
        )
    if accepted_on > date.today():
        raise ExceptionsError(f"{where}: 'accepted_on' {accepted_on} is in the future; give the date it was accepted")
    return AcceptedException(
        id=ident,
        entry=number,
        file=file,
        check=check,
        amount_pence=pence,
        amount_as_written=written,
        reason=_text(raw, "reason", where, "why the row is genuine, e.g. what the payment is and who approved it"),
        accepted_by=_text(raw, "accepted_by", where, "the name and role of the person who accepted it"),
        accepted_on=accepted_on,
        transaction_ref=ref.strip() if ref is not None else None,
        row=row,
    )


def parse_exceptions(raw, partner: Partner, label: str) -> PartnerExceptions:
    if not isinstance(raw, dict):
        raise ExceptionsError(
            f"{label}: expected 'version:' and 'exceptions:' (a list); see config/exceptions/README.md"
        )
    unknown = sorted(set(raw) - {"version", "exceptions"})
    if unknown:
        raise ExceptionsError(f"{label}: unknown key(s) {unknown}; the file has 'version' and 'exceptions'")
    version = raw.get("version")
    if version in (None, "") or isinstance(version, bool):
        raise ExceptionsError(
            f"{label}: 'version' is required (e.g. version: {partner.code}-exceptions-1); "
            "bump it on every change, so each load records which list it used"
        )
    items = raw.get("exceptions") or []
    if not isinstance(items, list):
        raise ExceptionsError(f"{label}: 'exceptions' must be a list of entries (each starting with '- id:')")
    entries = [_parse_entry(item, n, label, partner) for n, item in enumerate(items, start=1)]
    seen_ids: dict[str, int] = {}
    seen_rows: dict[tuple, int] = {}
    for e in entries:
        if e.id in seen_ids:
            raise ExceptionsError(
                f"{label}: entry {e.entry}: id '{e.id}' is already used by entry "
                f"{seen_ids[e.id]}; give each exception its own id"
            )
        seen_ids[e.id] = e.entry
        key = (e.file, e.transaction_ref, e.row if e.transaction_ref is None else None, e.check)
        if key in seen_rows:
            raise ExceptionsError(
                f"{label}: entry {e.entry} (id {e.id}): accepts the same row of {e.file} for "
                f"{e.check} as entry {seen_rows[key]}; keep one"
            )
        seen_rows[key] = e.entry
    return PartnerExceptions(partner=partner.code, label=label, version=str(version), entries=tuple(entries))


def attach_exceptions(registry: Registry, folder: Path) -> Registry:
    """The registry with each partner's exceptions on its feed layouts, so every reader of a layout
    (the pipeline's loads and `svw validate-feed` alike) applies the same list."""
    if not folder.is_dir():
        return registry
    found: dict[str, PartnerExceptions] = {}
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        label = f"config/exceptions/{path.name}"
        if path.stem not in registry.partners:
            raise ExceptionsError(
                f"{label}: there is no partner '{path.stem}' in config/partners.yml; name the "
                f"file after the partner's code ({', '.join(sorted(registry.partners))})"
            )
        if path.stem in found:
            raise ExceptionsError(f"{label}: {path.stem} has two exceptions files; keep one")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ExceptionsError(f"{label} is not valid YAML: {exc}") from exc
        found[path.stem] = parse_exceptions(raw or {}, registry.partners[path.stem], label)
    partners = {}
    for code, partner in registry.partners.items():
        if code in found:
            feeds = {
                feed: tuple(replace(c, exceptions=found[code]) for c in layouts)
                for feed, layouts in partner.feeds.items()
            }
            partner = replace(partner, feeds=feeds)
        partners[code] = partner
    return replace(registry, partners=partners)


# --- applying them to one file -----------------------------------------------------------------


def fingerprint(exceptions: PartnerExceptions | None, file_name: str) -> str:
    """Changes when the list's version or any entry for this file changes, so that file is reloaded
    (an exception added, corrected or withdrawn) while the partner's other files stay as loaded
    unless the version moved."""
    payload: dict[str, object] = (
        {"version": None, "entries": []}
        if exceptions is None
        else {"version": exceptions.version, "entries": [asdict(e) for e in exceptions.for_file(file_name)]}
    )
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def helper_column(check: str) -> str:
    return f"{HELPER_PREFIX}{check}"


def scope_suite(expectations: list[Expectation], exceptions: PartnerExceptions | None, feed: str) -> list[Expectation]:
    """The suite with each acceptable check told, by a GX row_condition, to skip the rows accepted
    for it.

    Why a row_condition rather than removing accepted rows from the results afterwards: the suite
    stays the single source of truth. GX itself then computes the check's unexpected rows, its
    rows checked and its success (with `mostly`, if the feed has a tolerance) over exactly the rows
    the check applies to; recomputing success outside GX would mean re-implementing `mostly`. Every
    other row, and every other check of the accepted row, is validated as before.
    """
    checks = exceptions.checks(feed) if exceptions else set()
    if not checks:
        return expectations
    scoped = []
    for exp in expectations:
        if exp.check in checks:
            condition = f"({helper_column(exp.check)} == False)"
            existing = row_condition_text(exp.gx_expectation)
            condition = f"({existing}) & {condition}" if existing else condition
            settings = exp.gx_expectation.dict(
                exclude={"id", "rendered_content", "batch_id", "row_condition", "condition_parser"}, exclude_none=True
            )
            # row_condition is a field of the concrete expectation classes, not of GX's base class
            settings.update(row_condition=condition, condition_parser="pandas")
            exp = replace(exp, gx_expectation=type(exp.gx_expectation)(**settings))
        scoped.append(exp)
    return scoped


@dataclass
class Outcome:
    """What became of one exception on one load (recorded in the manifest)."""

    exception: AcceptedException
    status: str  # applied | stale | not_needed | other_checks_failed
    detail: str
    source_row_number: int | None = None
    payment_date: date | None = None

    def as_dict(self, exceptions: PartnerExceptions) -> dict:
        e = self.exception
        return {
            "exception_id": e.id,
            "status": self.status,
            "detail": self.detail,
            "check_name": e.check,
            "source_row_number": self.source_row_number if self.source_row_number is not None else e.row,
            "transaction_ref": e.transaction_ref,
            "amount_pence": e.amount_pence,
            "amount_as_written": e.amount_as_written,
            "reason": e.reason,
            "accepted_by": e.accepted_by,
            "accepted_on": e.accepted_on.isoformat(),
            "payment_date": self.payment_date.isoformat() if self.payment_date else None,
            "exceptions_file": exceptions.label,
            "exceptions_version": exceptions.version,
        }


@dataclass
class Plan:
    exceptions: PartnerExceptions | None
    entries: tuple[AcceptedException, ...] = ()
    matched: dict[str, int] = field(default_factory=dict)  # id -> row that fails the accepted check
    decided: dict[str, Outcome] = field(default_factory=dict)  # id -> outcome known before the suite ran


def _flags(values: pd.Series) -> np.ndarray:
    return np.asarray(pd.Series(values).fillna(False), dtype=bool)


def _find_row(prepared: pd.DataFrame, e: AcceptedException, amount_column: str) -> tuple[int | None, str, int | None]:
    """The one row the entry names (file already matched), or None, why not and the nearest row."""
    rows = prepared[ROW_ID].astype("int64").to_numpy()
    amounts = prepared[amount_column]
    same_amount = _flags(amounts == e.amount_pence)
    if e.transaction_ref is not None:
        refs = prepared["transaction_ref"] if "transaction_ref" in prepared else pd.Series(dtype="string")
        if refs.isna().all():
            return None, "this file has no transaction references; identify the row by 'row' instead", None
        same_ref = _flags(refs.astype("string").str.strip() == e.transaction_ref)
        hits = rows[same_ref & same_amount]
        if len(hits) > 1 and e.row is not None and e.row in hits:
            return int(e.row), "", None
        if len(hits) > 1:
            return (
                None,
                (
                    f"{len(hits)} rows ({', '.join(map(str, hits[:10]))}) carry transaction_ref "
                    f"{e.transaction_ref} and {gbp(e.amount_pence)}; add 'row' to say which one"
                ),
                None,
            )
        if len(hits) == 1:
            return int(hits[0]), "", None
        if same_ref.any():
            found = "; ".join(f"row {r} has {gbp(a)}" for r, a in zip(rows[same_ref][:5], amounts[same_ref].iloc[:5]))
            return (
                None,
                (
                    f"transaction_ref {e.transaction_ref} is in the file but not with {gbp(e.amount_pence)} "
                    f"({found}); the amount must match to the penny"
                ),
                int(rows[same_ref][0]),
            )
        return None, f"no row has transaction_ref {e.transaction_ref}", None
    if e.row is None:  # parse_exceptions requires 'row' where there is no transaction_ref
        return None, "the entry names neither a transaction_ref nor a row", None
    at = rows == e.row
    if not at.any():
        span = f"rows {rows.min()}–{rows.max()}" if len(rows) else "no data rows"
        return None, f"the file has no data row {e.row} ({span})", None
    if not same_amount[at].any():
        return (
            None,
            (
                f"row {e.row} has {gbp(amounts[at].iloc[0])}, not {gbp(e.amount_pence)}; "
                "the amount must match to the penny"
            ),
            int(e.row),
        )
    return int(e.row), "", None


def plan(
    prepared: pd.DataFrame,
    exceptions: PartnerExceptions | None,
    file_name: str,
    feed: str,
    base_suite: list[Expectation],
    suite_name: str,
) -> Plan:
    """Find the rows the file's exceptions name and mark, in the helper columns the scoped suite
    reads, those that really fail the check they are accepted for (an exception whose row passes
    anyway is not needed, and the row is validated like any other)."""
    result = Plan(exceptions=exceptions)
    if exceptions is None:
        return result
    for check in exceptions.checks(feed):
        prepared[helper_column(check)] = False
    result.entries = tuple(e for e in exceptions.for_file(file_name) if e.check not in FILE_CHECKS)
    amount_column = AMOUNT_COLUMNS.get(feed)
    by_check: dict[str, dict[str, int]] = {}
    for e in result.entries:
        if ACCEPTABLE_CHECKS.get(e.check) != feed or amount_column is None or amount_column not in prepared:
            result.decided[e.id] = Outcome(e, "stale", f"{e.check} is not a check of the {feed} feed")
            continue
        row, why, near = _find_row(prepared, e, amount_column)
        if row is None:
            result.decided[e.id] = Outcome(e, "stale", why, source_row_number=near)
        else:
            by_check.setdefault(e.check, {})[e.id] = row
    expectations = {exp.check: exp for exp in base_suite}
    for check, found in by_check.items():
        subset = prepared[prepared[ROW_ID].isin(list(found.values()))]
        _, bad = run_suite(subset, [expectations[check]], f"{suite_name}.accepted")
        for ident, row in found.items():
            e = next(x for x in result.entries if x.id == ident)
            if row in bad:
                result.matched[ident] = row
            else:
                result.decided[ident] = Outcome(
                    e,
                    "not_needed",
                    f"row {row} passes {check}; the exception is not needed (remove it)",
                    source_row_number=row,
                )
        failing = prepared[ROW_ID].isin([r for i, r in result.matched.items() if i in found])
        prepared.loc[failing, helper_column(check)] = True
    return result


def settle(
    plan_: Plan, prepared: pd.DataFrame, bad_rows: dict[int, list[CheckResult]]
) -> tuple[list[Outcome], list[CheckResult]]:
    """After the suite ran: an accepted row that failed nothing else loads, marked with the
    exception's id; one that failed another check stays in quarantine for that check."""
    if not plan_.entries:
        return [], []
    outcomes: list[Outcome] = []
    for e in plan_.entries:
        if e.id in plan_.decided:
            outcomes.append(plan_.decided[e.id])
            continue
        row = plan_.matched[e.id]
        if row in bad_rows:
            others = ", ".join(sorted({c.check for c in bad_rows[row]}))
            outcomes.append(
                Outcome(
                    e,
                    "other_checks_failed",
                    f"row {row} also fails {others}, which it has no exception for; it stays in quarantine",
                    source_row_number=row,
                )
            )
        else:
            moved = f" (the entry says row {e.row}: transaction_ref wins)" if e.row and e.row != row else ""
            outcomes.append(Outcome(e, APPLIED, f"row {row} loaded under {e.check}{moved}", source_row_number=row))
    applied = [o for o in outcomes if o.status == APPLIED]
    if applied:
        marks: dict[int, list[str]] = {}
        for o in applied:
            if o.source_row_number is not None:  # always set: an applied exception names the row it loaded
                marks.setdefault(o.source_row_number, []).append(o.exception.id)
        rows = prepared[ROW_ID].astype("int64")
        if MARK not in prepared:
            prepared[MARK] = pd.Series(None, index=prepared.index, dtype=object)
        for row, ids in marks.items():
            prepared.loc[rows == row, MARK] = ", ".join(sorted(ids))
        if "payment_date" in prepared:
            dates = dict(zip(rows, prepared["payment_date"]))
            for o in applied:
                value = dates.get(o.source_row_number)
                o.payment_date = None if value is None or pd.isna(value) else pd.Timestamp(value).date()
    exceptions = plan_.exceptions
    if exceptions is None:  # not reached: plan() finds entries only in a partner's exceptions list
        raise ValueError("a plan with exception entries must carry the exceptions list they came from")
    results = []
    if applied:
        listed = "; ".join(
            f"{o.exception.id} ({o.exception.check}, row {o.source_row_number}, {gbp(o.exception.amount_pence)})"
            for o in applied
        )
        results.append(
            CheckResult(
                check="accepted_exceptions",
                severity=WARNING,
                success=True,
                reason=f"{len(applied)} row(s) loaded under accepted exceptions in {exceptions.label} "
                f"(version {exceptions.version}): {listed}",
                fix="nothing to fix if each row is genuine: they are listed in dq_accepted_exceptions and the statement "
                "annex; withdraw an entry that is not",
                failing_rows=len(applied),
                rows_checked=len(prepared),
                example_rows=sorted({o.source_row_number for o in applied if o.source_row_number is not None}),
                source="exceptions",
            )
        )
    unused = [o for o in outcomes if o.status != APPLIED]
    if unused:
        listed = "; ".join(
            f"{o.exception.id} ({o.exception.identity}, {gbp(o.exception.amount_pence)}): {o.detail}" for o in unused
        )
        rows = sorted({o.source_row_number for o in unused if o.source_row_number is not None})
        results.append(
            CheckResult(
                check="accepted_exceptions_unused",
                severity=WARNING,
                success=False,
                reason=f"{len(unused)} accepted exception(s) in {exceptions.label} (version {exceptions.version}) "
                f"were not applied: {listed}",
                fix=f"correct or withdraw the entry in {exceptions.label} and bump its version (was the file "
                "re-exported, or the amount changed?)",
                failing_rows=len(rows),
                rows_checked=len(prepared),
                example_rows=rows,
                source="exceptions",
            )
        )
    return outcomes, results
