"""Money checks: no pound counted twice, none of another body's, none lost by a cut replacement.

Issue 14 found four ways money reached the figures wrongly with every check green: a ledger line
sent twice in one file (£2,500 counted twice), April 2019 re-sent under May 2021's name (+£8.25m to
2019/20, a warning only), another council's rows in a partner's file (its organisation column was not
read), and a month replaced by a file cut at a row boundary (a year down £3.9m). Each is a blocking
check here, with the file, the rows and the fix; the rows it doubts are quarantined with the reason
(never dropped), so rows in = loaded + quarantined still holds and the gate, which blocks on any
failed blocking check in a load manifest, keeps the previous publication.

Why these keys:
  * a line repeated inside a file is a doubled line only where the file's transaction references
    identify lines. Real ledgers repeat a reference across the lines of one invoice, and Trafford's
    real 2024-25 file repeats whole lines (90 identical £1,519.24 care payments under one
    transaction), so a file in which some reference carries two *different* lines has references
    that do not identify lines, and its identical lines cannot be told from genuine ones: the check
    then says so as a warning instead of blocking;
  * the same transaction (reference, date, amount, payee) in two partitions of a partner is one
    payment delivered twice: a payment has one date and so one period;
  * an organisation column names the body whose spend the row is; a row naming another body is not
    the partner's, whatever file it came in;
  * a replacement's row count or total is compared in ingestion/replacement.py.
Thresholds live in config/rules.yml (feed_validation); the checks apply to the spend feed.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from ingestion import raw_store
from ingestion import replacement as replaced
from ingestion.landing import LandedFile
from ingestion.manifest import LoadManifest
from ingestion.mapping import map_columns
from ingestion.readers import RawTable
from ingestion.registry import SHIPPED_CONFIG, Partner, Registry, Rules, parse_registry
from ingestion.validate import BLOCKING, MAX_ROWS_LISTED, ROW_ID, WARNING, CheckResult

# Words that say what kind of body, not which one: "Trafford Council", "Trafford Metropolitan
# Borough Council" and "trafford" are one body; "Manchester City Council" is another.
GENERIC_WORDS = {"council", "metropolitan", "borough", "city", "district", "county", "of", "the", "and", "mbc"}
TRANSACTION_KEY = ["transaction_ref", "payment_date", "amount_pence", "supplier_name"]
# A check's result and the rows it quarantines (all of them, not only the examples it lists).
Found = tuple[CheckResult, list[int]]


def _result(check: str, reason: str, fix: str, rows: list[int], checked: int, severity: str = BLOCKING) -> CheckResult:
    """A check that fails (blocking) or notes (warning) when it lists rows, and passes when it lists none."""
    rows = sorted(rows)
    return CheckResult(
        check=check,
        severity=severity,
        success=not rows or severity != BLOCKING,
        reason=reason,
        fix=fix,
        failing_rows=len(rows),
        rows_checked=checked,
        example_rows=rows[:MAX_ROWS_LISTED],
        source="money_checks",
    )


def _refs(prepared: pd.DataFrame) -> pd.Series:
    if "transaction_ref" not in prepared:
        return pd.Series(pd.NA, index=prepared.index, dtype="string")
    refs = prepared["transaction_ref"].astype("string").str.strip()
    return refs.where(refs != "")


def repeated_lines(raw: pd.DataFrame, prepared: pd.DataFrame, source_file: str) -> Found:
    """Later copies of a line already in the file, where the file's references identify lines."""
    check = "transaction_repeated_in_file"
    refs = pd.Series(_refs(prepared).to_numpy(), index=prepared[ROW_ID].to_numpy())
    cells = raw.set_index(ROW_ID).reindex(refs.index).astype("string").fillna("")
    line = pd.Series(pd.util.hash_pandas_object(cells, index=False).to_numpy(), index=refs.index)
    with_ref = refs.notna()
    copies = with_ref & line.duplicated(keep="first")
    rows = [int(r) for r in copies[copies].index]
    fix = (
        f"remove the repeated line(s) from {source_file} and send it again; if two identical lines are "
        "genuinely two payments, give each its own transaction number"
    )
    if not rows:
        return _result(check, "no line is repeated within the file", fix, [], len(prepared)), []
    lines_per_ref = line[with_ref].groupby(refs[with_ref]).nunique()
    shared = lines_per_ref[lines_per_ref > 1]
    if len(shared):
        # References are not line identities here (one carries different lines), so identical
        # lines may be genuine (lines of one invoice): counted and reported, never blocked.
        reason = (
            f"{len(rows)} line(s) repeat another line exactly, but this file's transaction references "
            f"are not line identities ({len(shared)} reference(s) carry different lines, e.g. "
            f"{shared.index[0]}), so a repeat cannot be told from a genuine line; they are loaded"
        )
        note = "nothing, if the ledger repeats lines of one invoice; otherwise " + fix
        return _result(check, reason, note, rows, len(prepared), severity=WARNING), []
    first: dict[int, int] = {}
    for row, value in line[with_ref & ~copies].items():
        first.setdefault(int(value), int(row))
    pairs = "; ".join(f"row {r} repeats row {first[int(line[r])]}" for r in rows[:5])
    reason = (
        f"{len(rows)} line(s) are exact copies of an earlier line with the same transaction reference "
        f"({pairs}); the copies are quarantined so the payment counts once"
    )
    return _result(check, reason, fix, rows, len(prepared)), rows


def _other_partitions(
    raw_dir: Path, partner: str, period: str, refs: pd.Series, first_date: date, last_date: date
) -> pd.DataFrame:
    """The loaded rows of the partner's other partitions (whose files passed their checks) that
    carry one of these transaction references and a payment date from first_date to last_date.

    One DuckDB scan of those partitions' Parquet keeps only rows whose reference is among this
    file's, so a load reads a handful of rows however many months the partner has sent (reading
    every month into pandas made a partner's n-th month cost n months of work). The dates bound it
    further: a transaction's key includes its date, so only rows dated within this file's dates can
    repeat one of its rows, and each partition's Parquet records its dates' range, so DuckDB skips
    a month whose dates lie outside without reading its references. Without the bound the scan still
    read every reference of every month: at 60 months of 16,666 rows it was 0.15 s of a 0.35 s load,
    growing with each month (benchmarks/partner_history_load.py)."""
    columns = [*TRANSACTION_KEY, "source_file", "period"]
    paths = []
    for folder in sorted((raw_dir / "spend" / f"partner={partner}").glob("period=*")):
        manifest = raw_store.read_manifest(raw_dir, "spend", partner, folder.name.removeprefix("period="))
        if manifest is None or manifest.period == period or not manifest.passed:
            continue
        if (folder / raw_store.ROWS).exists():
            paths.append(str(folder / raw_store.ROWS))
    wanted = sorted(set(refs.dropna()))
    if not paths or not wanted:
        return pd.DataFrame(columns=columns)
    with duckdb.connect() as con:
        con.register("wanted", pa.table({"ref": pa.array(wanted, pa.string())}))
        # the references are compared trimmed, as _key trims them; _key then decides on these rows
        found = con.sql(
            "select transaction_ref, payment_date, amount_pence, supplier_name, source_file, period "
            "from read_parquet($paths, union_by_name = true) "
            "where payment_date between $first and $last "
            r"and regexp_replace(transaction_ref, '^\s+|\s+$', '', 'g') in (select ref from wanted)",
            params={"paths": paths, "first": first_date, "last": last_date},
        ).to_arrow_table()
    return found.to_pandas()


def _datetimes(values: pd.Series) -> pd.Series:
    """Payment dates as datetime64 (missing as NaT). Arrow dates are cast in Arrow: made into Python
    date objects first, Trafford's 210,068-row year took 0.23 s; the values are the same."""
    if isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_date(values.dtype.pyarrow_dtype):
        stamps = pc.cast(values.array._pa_array, pa.timestamp("s")).to_numpy(zero_copy_only=False)
        return pd.Series(stamps, index=values.index)
    return pd.to_datetime(pd.Series(values.to_numpy(), index=values.index))


def _key(frame: pd.DataFrame) -> pd.Series:
    """Reference | date | pence | payee (case ignored): one payment, wherever it was delivered."""
    dates = _datetimes(frame["payment_date"])
    parts = [
        dates.dt.strftime("%Y-%m-%d").astype("string"),
        pd.Series(frame["amount_pence"].to_numpy(), index=frame.index).astype("Int64").astype("string"),
        frame["supplier_name"].astype("string").str.strip().str.casefold(),
    ]
    return frame["transaction_ref"].astype("string").str.strip().str.cat(parts, sep="|")


def delivered_twice(prepared: pd.DataFrame, raw_dir: Path, partner: str, period: str) -> Found:
    """Rows whose transaction is already loaded in another of the partner's partitions."""
    check = "transaction_in_another_period"
    fix = (
        "send each payment in one period's file only: remove these rows from this file, or withdraw the "
        "other period's file if that is the wrong one"
    )
    clear = _result(check, "no transaction is already loaded from another period's file", fix, [], len(prepared))
    refs = _refs(prepared)
    # a row without a reference or a date has no transaction key (_key), so it repeats nothing
    dates = _datetimes(prepared["payment_date"])[refs.notna()].dropna()
    if dates.empty:
        return clear, []
    others = _other_partitions(raw_dir, partner, period, refs, dates.min().date(), dates.max().date())
    others = others[others["transaction_ref"].notna()]
    if others.empty:
        return clear, []
    where = dict(zip(_key(others), others["source_file"] + " (" + others["period"] + ")", strict=True))
    keys = _key(prepared.assign(transaction_ref=refs))
    # a missing key is no transaction: pandas' isin would match it to another missing key
    hit = (keys.isin(list(where)) & keys.notna() & refs.notna()).fillna(False).astype(bool)
    rows = [int(r) for r in prepared.loc[hit, ROW_ID]]
    if not rows:
        return clear, []
    files = sorted({where[k] for k in keys[hit]})
    reason = (
        f"{len(rows)} row(s) repeat a transaction (same reference, date, amount and payee) already loaded "
        f"from {', '.join(files[:3])}{' and others' if len(files) > 3 else ''}; they are quarantined so "
        "each payment counts once"
    )
    return _result(check, reason, fix, rows, len(prepared)), rows


def outside_named_period(prepared: pd.DataFrame, landed: LandedFile, max_share: float) -> Found:
    """A file most of whose dated rows belong to another period than its name says. A verdict on
    the file, not on its rows: none is quarantined for it, the file fails."""
    check = "file_mostly_outside_named_period"
    period = landed.period
    dates = _datetimes(prepared["payment_date"])
    dated = dates.notna()
    outside = dated & ~prepared["in_file_period"].astype(bool)
    n_dated, n_outside = int(dated.sum()), int(outside.sum())
    share = n_outside / n_dated if n_dated else 0.0
    if share <= max_share:
        reason = (
            f"{share:.0%} of dated rows lie outside {period.key} (more than {max_share:.0%} would block; "
            "a few late postings are the warning payment_date_in_file_period)"
        )
        return _result(check, reason, "nothing to fix", [], n_dated), []
    reason = (
        f"{n_outside} of the file's {n_dated} dated rows ({share:.0%}) lie outside {period.key}, the "
        f"period its name {landed.path.name} says (more than the {max_share:.0%} allowed by "
        "feed_validation.max_share_outside_named_period in config/rules.yml): it is another period's file"
    )
    fix = (
        f"its dates run {dates[dated].min():%Y-%m-%d} to {dates[dated].max():%Y-%m-%d}: name the file for the "
        f"period its rows are in, or send {period.key}'s own file in its place"
    )
    result = _result(check, reason, fix, [int(r) for r in prepared.loc[outside, ROW_ID]], n_dated)
    return result, []


def _core(name: str) -> str:
    words = re.sub(r"[^0-9a-z]+", " ", name.casefold()).split()
    return " ".join(w for w in words if w not in GENERIC_WORDS)


def _identities(partner: Partner) -> set[str]:
    """The forms a partner's own rows may name it by: its name and code without the kind of body
    ('Trafford Council' and 'trafford' alike) and its home district codes (E08000009)."""
    return {_core(partner.name), _core(partner.code.replace("_", " ")), *(_core(c) for c in partner.home_lad_codes)}


def foreign_rows(mapped: pd.DataFrame, partner: Partner) -> Found:
    """Rows whose organisation column names another body than the partner."""
    check = "organisation_is_partner"
    fix = (
        f"send {partner.name}'s own payments only: remove the other body's rows (each body sends its "
        "own file); if the name is this partner's in another form, correct it in the file"
    )
    if "organisation" not in mapped:
        return _result(check, "the layout maps no organisation column", fix, [], len(mapped)), []
    names = mapped["organisation"].astype("string").str.strip()
    # a file names its payer in a handful of ways: each distinct name is reduced once, not per row
    named = names.fillna("")
    cores = named.map({name: _core(name) for name in named.unique()})
    foreign = (cores != "") & ~cores.isin(_identities(partner))
    rows = [int(r) for r in mapped.loc[foreign, ROW_ID]]
    if not rows:
        return _result(check, f"every row's organisation is {partner.name}", fix, [], len(mapped)), []
    bodies = sorted(set(names[foreign]))
    reason = (
        f"{len(rows)} row(s) name another body than {partner.name} as the payer "
        f"({', '.join(repr(b) for b in bodies[:3])}{' and others' if len(bodies) > 3 else ''}): "
        "they are not this partner's spend and are quarantined"
    )
    return _result(check, reason, fix, rows, len(mapped)), rows


def _partner(code: str) -> Partner:
    """For a LandedFile built by hand (not by the landing scan, which carries the run's entry): the
    partner's entry in the shipped registry; a partner that registry lacks is known by its code alone."""
    path = SHIPPED_CONFIG / "partners.yml"
    partners = _registry(path, path.stat().st_mtime_ns).partners if path.exists() else {}
    return partners.get(code) or Partner(code=code, name=code, type="other", home_lad_codes=(), groups=())


@lru_cache(maxsize=4)
def _registry(path: Path, _mtime: int) -> Registry:
    return parse_registry(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def apply(
    landed: LandedFile,
    rules: Rules,
    raw_dir: Path,
    raw: pd.DataFrame,
    prepared: pd.DataFrame | None,
    table: RawTable | None,
    results: list[CheckResult],
    bad_rows: dict[int, list[CheckResult]],
    previous: LoadManifest | None,
    digest: str,
) -> tuple[list[CheckResult], dict[int, list[CheckResult]]]:
    """The load's results and bad rows with the money checks added (spend files that could be read
    and mapped; any other file is left as its suite found it)."""
    config = landed.config
    if config.feed != "spend" or prepared is None or table is None or prepared.empty:
        return results, bad_rows
    source_file = f"{landed.partner}/{landed.feed}/{landed.path.name}"
    mapped = map_columns(table, config, source=str(landed.path))  # validate_file mapped it already
    found = [
        repeated_lines(raw, prepared, source_file),
        delivered_twice(prepared, raw_dir, landed.partner, landed.period.key),
        outside_named_period(prepared, landed, rules.feed_validation.max_share_outside_named_period),
        foreign_rows(mapped, landed.registered or _partner(landed.partner)),
    ]
    bad = dict(bad_rows)
    for result, rows in found:
        for row in rows:
            bad.setdefault(row, []).append(result)
    loaded = prepared[~prepared[ROW_ID].isin(list(bad))]
    shrunk = replaced.compare(
        raw_dir,
        landed,
        digest,
        previous,
        rows_in=len(raw),
        loaded_pence=int(loaded["amount_pence"].sum()) if len(loaded) else 0,
        max_drop=rules.feed_validation.max_replacement_drop_share,
    )
    return results + [r for r, _ in found] + ([shrunk] if shrunk else []), bad
