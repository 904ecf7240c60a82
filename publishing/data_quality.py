"""What was kept out of the published figures and what a partner let in: quarantined rows (count
and £) and accepted exceptions, read from the published warehouse for `make run` and the statement
annex.

A figure's reader needs both sides: £60m quarantined as a likely typo is spend the figure does not
contain, and £106m accepted as a genuine loan is spend it does contain only because someone said so.
Neither may be found only in a log.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.exceptions import gbp
from ingestion.registry import Registry


def _rows(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _pence(value) -> int | None:
    return None if value is None else int(round(float(value) * 100))


def _count(n: int, word: str = "row") -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def quarantine_lines(con) -> list[str]:
    """Every partner's quarantined rows and £, then by feed and check (partners with none say so)."""
    partners = _rows(
        con,
        """
        select p.partner_code, coalesce(sum(q.rows_quarantined), 0) as n, coalesce(sum(q.amount_gbp), 0) as gbp
        from dim_partner p left join dq_quarantine_summary q using (partner_code)
        group by 1 order by 1""",
    )
    detail = _rows(
        con,
        """
        select partner_code, feed, checks, min(reason) as reason, sum(rows_quarantined) as n,
               sum(amount_gbp) as gbp, sum(rows_quarantined - rows_with_amount) as unreadable
        from dq_quarantine_summary group by 1, 2, 3 order by 1, 2, 3""",
    )
    lines = []
    for p in partners:
        lines.append(f"  {p['partner_code']:<12} {_count(p['n']):>12}  {gbp(_pence(p['gbp'])) if p['n'] else ''}")
        for d in (d for d in detail if d["partner_code"] == p["partner_code"]):
            unreadable = f" ({_count(d['unreadable'])} without a readable amount)" if d["unreadable"] else ""
            lines.append(
                f"      {d['feed']} {d['checks']}: {_count(d['n'])}, {gbp(_pence(d['gbp']))}{unreadable}"
                f" - {d['reason']}"
            )
    return lines


def exception_lines(con, registry: Registry | None = None) -> list[str]:
    """Every accepted exception a current load evaluated, and every entry naming a file that no
    current load has (a file renamed or never landed): those can never apply, so they are said."""
    entries = _rows(
        con,
        """
        select partner_code, source_file, exception_id, status, detail, check_name, source_row_number,
               amount_gbp, reason, accepted_by, accepted_on, exceptions_version
        from dq_accepted_exceptions order by partner_code, source_file, exception_id""",
    )
    lines = []
    for e in entries:
        state = "applied" if e["status"] == "applied" else f"NOT APPLIED ({e['status']}): {e['detail']}"
        lines.append(
            f"  {e['partner_code']} {e['source_file']} row {e['source_row_number']}  "
            f"{gbp(_pence(e['amount_gbp']))}  {e['check_name']}  {state}"
        )
        lines.append(
            f"      {e['exception_id']}: {e['reason']} (accepted by {e['accepted_by']} on "
            f"{e['accepted_on']}; {e['exceptions_version']})"
        )
    if registry is not None:
        loaded = {
            (p, f.rsplit("/", 1)[-1])
            for p, f in con.execute("select partner_code, source_file from publication_feeds").fetchall()
        }
        for code, partner in sorted(registry.partners.items()):
            listed = next((c.exceptions for layouts in partner.feeds.values() for c in layouts if c.exceptions), None)
            if listed is None:
                continue
            for entry in listed.entries:
                if (code, entry.file) not in loaded:
                    lines.append(
                        f"  {code} {entry.file}  {gbp(entry.amount_pence)}  {entry.check}  NOT APPLIED: no "
                        f"current load has this file (renamed, or not landed?); {entry.id} in {listed.label}"
                    )
    return lines


def print_data_quality(warehouse: Path, registry: Registry | None = None) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        quarantined = quarantine_lines(con)
        accepted = exception_lines(con, registry)
    print("\nQuarantined rows (kept out of every figure; dq_quarantine_summary):")
    for line in quarantined:
        print(line)
    print("\nAccepted exceptions (config/exceptions/; dq_accepted_exceptions):")
    for line in accepted or ["  none"]:
        print(line)


def annex(con, partner: str, year: str) -> dict:
    """The statement annex's data quality rows for one partner and year. Quarantined rows of
    lists that belong to no year (supplier lists, registers) are shown in every year."""
    quarantine = _rows(
        con,
        """
        select feed, checks, min(reason) as reason, financial_year is null as any_year,
               sum(rows_quarantined) as rows_quarantined, sum(amount_gbp) as amount_gbp,
               sum(rows_quarantined - rows_with_amount) as rows_without_amount
        from dq_quarantine_summary
        where partner_code = ? and (financial_year = ? or financial_year is null)
        group by feed, checks, any_year order by any_year, feed, checks""",
        [partner, year],
    )
    exceptions = _rows(
        con,
        """
        select exception_id, source_file, source_row_number, transaction_ref, amount_gbp, check_name, reason,
               accepted_by, accepted_on, status, is_applied, detail, exceptions_version
        from dq_accepted_exceptions where partner_code = ? and financial_year = ?
        order by is_applied desc, source_file, exception_id""",
        [partner, year],
    )
    return {
        "quarantine": quarantine,
        "exceptions": exceptions,
        "quarantined_rows": sum(q["rows_quarantined"] for q in quarantine if not q["any_year"]),
        "quarantined_gbp": sum(float(q["amount_gbp"]) for q in quarantine if not q["any_year"]),
    }
