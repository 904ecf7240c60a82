"""Statement sections for issue 17: payment performance, SVMi and the local multiplier.

Each reads the published warehouse only (kpi_payment_performance, kpi_payment_performance_comparison,
kpi_svmi, kpi_local_multiplier) and returns None when the partner has no such figures for the year,
so the statement says so rather than leaving the section out.
"""

from __future__ import annotations

import duckdb


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def payment_performance(con: duckdb.DuckDBPyConnection, partner: str, year: str) -> dict | None:
    rows = _rows(
        con,
        "select source, supplier_segment, invoices_paid, pct_paid_within_30_days, avg_days_to_pay, "
        "interest_paid_gbp, interest_liable_gbp, prompt_payment_days, rule_version "
        "from kpi_payment_performance where partner_code = ? and financial_year = ? "
        "order by source, case supplier_segment when 'all' then 0 when 'sme' then 1 when 'vcse' then 2 else 3 end",
        [partner, year],
    )
    if not rows:
        return None
    comparison = _rows(
        con,
        "select * from kpi_payment_performance_comparison where partner_code = ? and financial_year = ?",
        [partner, year],
    )
    return {"rows": rows, "comparison": comparison[0] if comparison else None}


def svmi(con: duckdb.DuckDBPyConnection, partner: str, year: str) -> dict | None:
    rows = _rows(
        con,
        "select dimension, score, previous_score, change_from_previous, dimensions_scored, dimensions_in_index, "
        "scale_min, scale_max, rule_version from kpi_svmi where partner_code = ? and financial_year = ? "
        "order by dimension = 'overall' desc, dimension",
        [partner, year],
    )
    if not rows:
        return None
    return {"overall": rows[0] if rows[0]["dimension"] == "overall" else None, "rows": rows}


def local_multiplier(con: duckdb.DuckDBPyConnection, partner: str, year: str) -> dict | None:
    rows = _rows(
        con,
        "select * from kpi_local_multiplier where reporting_unit = ? and financial_year = ?",
        [partner, year],
    )
    return rows[0] if rows else None
