"""The Annual Social Value Statement: one self-contained HTML document (and its PDF) per partner
and financial year, written only from the published warehouse, never from working tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2

from publishing.charts import grouped_bars, horizontal_bars
from publishing.data_quality import annex
from publishing.declared import declared
from publishing.sections import section_contexts

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Statement:
    partner: str
    financial_year: str
    html_path: Path
    pdf_path: Path | None


def _rows(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _one(con, sql, params=()):
    rows = _rows(con, sql, params)
    return rows[0] if rows else None


def _num(value) -> float | None:
    return None if value is None else float(value)


# --- What the statement fetches: one query each, named for the figure it brings -----------------


def _partner(con, partner: str) -> dict | None:
    return _one(con, "select * from dim_partner where partner_code = ?", [partner])


def _years_with_local_spend(con, partner: str) -> list[str]:
    """The partner's years, oldest first: the statement's charts run over these."""
    rows = _rows(
        con, "select distinct financial_year from kpi_local_spend where reporting_unit = ? order by 1", [partner]
    )
    return [r["financial_year"] for r in rows]


def _kpi_row(con, table: str, unit: str, year: str | None) -> dict | None:
    """A published KPI's row for one reporting unit and year (none for no year). `table` is a
    published table's name (declared in the marts yml or named here), never text from a reader."""
    if not year:
        return None
    return _one(con, f"select * from {table} where reporting_unit = ? and financial_year = ?", [unit, year])


def _value_by_theme(con, partner: str, year: str) -> list[dict]:
    return _rows(
        con,
        "select theme, sum(committed_gbp) committed, sum(delivered_gbp) delivered "
        "from kpi_sv_by_theme where reporting_unit = ? and financial_year = ? group by 1 order by 2 desc",
        [partner, year],
    )


def _committed_by_gm_priority(con, partner: str, year: str) -> list[dict]:
    return _rows(
        con,
        "select gm_priority, sum(committed_gbp) committed from kpi_sv_by_theme "
        "where reporting_unit = ? and financial_year = ? group by 1 order by 2 desc",
        [partner, year],
    )


def _largest_contracts(con, partner: str, year: str) -> list[dict]:
    """The ten contracts awarded in the year with the largest social value commitments."""
    return _rows(
        con,
        "select contract_ref, title, supplier_name, committed_gbp, delivered_gbp, delivery_pct, "
        "rag_status from kpi_sv_delivery where reporting_unit = ? and financial_year = ? "
        "order by committed_gbp desc limit 10",
        [partner, year],
    )


def _red_rated_contracts(con, partner: str) -> list[dict]:
    """Every year's red-rated deliveries (largest 15): a red contract stays news until delivered."""
    return _rows(
        con,
        "select contract_ref, title, supplier_name, committed_gbp, delivered_gbp, delivery_pct, "
        "elapsed_pct from kpi_sv_delivery where reporting_unit = ? and rag_status = 'red' "
        "order by committed_gbp desc limit 15",
        [partner],
    )


def _publication(con) -> dict | None:
    return _one(con, "select * from publication")


def _feeds_loaded(con, partner: str) -> list[dict]:
    """Per feed: the files behind the statement, the periods they cover and the rows they gave."""
    return _rows(
        con,
        "select feed, count(*) files, min(period) first_period, max(period) last_period, "
        "sum(rows_loaded) rows_loaded, sum(rows_quarantined) rows_quarantined "
        "from publication_feeds where partner_code = ? group by 1 order by 1",
        [partner],
    )


def _checks_passed_by_layer(con) -> list[dict]:
    return _rows(
        con,
        "select layer, count(*) checks, count(*) filter (where success) passed "
        "from publication_checks group by 1 order by 1",
    )


def _valuation_framework(con, partner: str) -> dict:
    """The framework the partner's social value was valued with, and whether it is illustrative."""
    framework = _one(
        con,
        "select max(framework) framework, bool_or(framework_is_illustrative) illustrative "
        "from kpi_sv_secured where reporting_unit = ?",
        [partner],
    )
    return framework or {}


# --- How the fetched figures become the statement ------------------------------------------------


def _headline_figure(
    now: dict | None, before: dict | None, label, column, unit, note="", display=None, known=None, note_column=None
) -> dict:
    return {
        "label": label,
        "unit": unit,
        "note": now[note_column] if now and note_column else note,
        "value": _num(now[column]) if now else None,
        "previous": _num(before[column]) if before else None,
        # the mart's own words for the figure ("not yet known (…% of spend located)"), so the
        # statement never decides for itself whether a share is a measurement
        "text": now[display] if now and display else None,
        "previous_text": before[display] if before and display else None,
        "known": bool(now[known]) if now and known else True,
        "partial_year_note": now.get("partial_year_note") if now and now.get("is_partial_year") else None,
        "previous_partial": bool(before and before.get("is_partial_year")),
        # a figure below its coverage threshold carries its caveat beside it
        "provisional_reason": now.get("provisional_reason") if now and now.get("is_provisional") else None,
    }


def _headline(con, partner: str, year: str, previous: str | None) -> list[dict]:
    """The headline figures are declared with their tables (marts yml, meta.published.statement); a
    figure stated only under a flag (stated_only_when) shows the mart's words where the flag is false."""
    headline = []
    for table, figure in declared().headline:
        flag, words = next(
            ((f, w) for c, f, w in declared().tables[table].stated_only_when if c == figure.column), (None, None)
        )
        headline.append(
            _headline_figure(
                _kpi_row(con, table, partner, year),
                _kpi_row(con, table, partner, previous),
                figure.label,
                figure.column,
                figure.unit,
                figure.note,
                display=words,
                known=flag,
                note_column=figure.note_column,
            )
        )
    return headline


def _local_share_chart(years: list[str], local: dict) -> str:
    known = {fy: bool(local[fy] and local[fy]["shares_known"]) for fy in years}
    return grouped_bars(
        "Local share of in-scope spend",
        [f"{fy} (part)" if local[fy]["is_partial_year"] else fy for fy in years],
        {
            "Home borough": [_num(local[fy]["home_share_pct"]) if known[fy] else None for fy in years],
            "Greater Manchester": [_num(local[fy]["gm_share_pct"]) if known[fy] else None for fy in years],
        },
        "%",
        notes=[None if known[fy] else "not yet known" for fy in years],
    )


def _theme_chart(themes: list[dict]) -> str:
    if not themes:
        return ""
    return horizontal_bars(
        "Social value by theme (contracts awarded in the year)",
        [t["theme"] for t in themes],
        {
            "Committed": [_num(t["committed"]) for t in themes],
            "Delivered to date": [_num(t["delivered"]) for t in themes],
        },
    )


def _delivery_chart(years: list[str], delivery: dict) -> str:
    return grouped_bars(
        "Commitments against delivery, by year of award",
        years,
        {
            "Committed": [_num(delivery[fy]["committed_gbp"]) if delivery[fy] else None for fy in years],
            "Delivered to date": [_num(delivery[fy]["delivered_gbp"]) if delivery[fy] else None for fy in years],
        },
        "£",
    )


SME_RATES = [
    ("SME bids", "sme_bids_pct"),
    ("VCSE bids", "vcse_bids_pct"),
    ("SME awards", "sme_awards_pct"),
    ("VCSE awards", "vcse_awards_pct"),
]


def _sme_chart(partner_name: str, mine: dict | None, gm: dict | None) -> str:
    if not mine:
        return ""
    return grouped_bars(
        "SME and VCSE rates against the GM average",
        [k for k, _ in SME_RATES],
        {
            partner_name: [_num(mine[c]) for _, c in SME_RATES],
            "GM average": [_num(gm[c]) if gm else None for _, c in SME_RATES],
        },
        "%",
    )


def statement_context(con, partner: str, year: str) -> dict:
    partner_row = _partner(con, partner)
    years = _years_with_local_spend(con, partner)
    previous = years[years.index(year) - 1] if year in years and years.index(year) > 0 else None
    local = {fy: _kpi_row(con, "kpi_local_spend", partner, fy) for fy in years}
    delivery = {fy: _kpi_row(con, "kpi_sv_delivery_summary", partner, fy) for fy in years}
    charts = [
        _local_share_chart(years, local),
        _theme_chart(_value_by_theme(con, partner, year)),
        _delivery_chart(years, delivery),
        _sme_chart(
            partner_row["partner_name"] if partner_row else partner,
            _kpi_row(con, "kpi_sme_vcse", partner, year),
            _kpi_row(con, "kpi_sme_vcse", "GM", year),
        ),
    ]
    publication = _publication(con)
    now_local = local.get(year)
    now_delivery = delivery.get(year)
    coverage = {
        "located_spend_pct": _num(now_local["located_spend_pct"]) if now_local else None,
        "recent_return_pct": _num(now_delivery["recent_return_pct"]) if now_delivery else None,
        "contracts_due_return": now_delivery["contracts_due_return"] if now_delivery else None,
    }
    weighting = _kpi_row(con, "kpi_sv_evaluation_weighting", partner, year) or {}
    secured = _kpi_row(con, "kpi_sv_secured", partner, year) or {}
    thresholds = {
        "local spend (supplier-year net spend)": _num(now_local["threshold_gbp"]) if now_local else None,
        "SV weighting (contract value)": _num(weighting.get("threshold_gbp")),
        "SV secured (contract value)": _num(secured.get("threshold_gbp")),
    }
    return {
        "partner": partner_row or {"partner_code": partner, "partner_name": partner},
        "year": year,
        "previous": previous,
        "headline": _headline(con, partner, year, previous),
        "charts": [c for c in charts if c],
        "gm_priorities": _committed_by_gm_priority(con, partner, year),
        "largest": _largest_contracts(con, partner, year),
        "red": _red_rated_contracts(con, partner),
        "feeds": _feeds_loaded(con, partner),
        "checks": _checks_passed_by_layer(con),
        "rules": json.loads(publication["rule_versions"]) if publication else {},
        "coverage": coverage,
        "framework": _valuation_framework(con, partner),
        "thresholds": thresholds,
        "publication": publication,
        "generated_at": datetime.now(UTC).strftime("%d %B %Y"),
        # a year with fewer than 12 months of spend says so in the title and beside the figures
        "local": now_local,
        "partial_year_note": now_local["partial_year_note"] if now_local and now_local["is_partial_year"] else None,
        "data_quality": annex(con, partner, year),  # quarantined rows and accepted exceptions
        "sections": section_contexts(con, partner, year),  # publishing/sections: one per capability
    }


def render_statements(published_warehouse: Path, out_dir: Path, with_pdf: bool = True) -> list[Statement]:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    environment.filters["money"] = lambda v: (
        "–" if v is None else (f"£{float(v) / 1e6:,.2f}m" if abs(float(v)) >= 1e6 else f"£{float(v):,.0f}")
    )
    environment.filters["pct"] = lambda v: "–" if v is None else f"{float(v):.1f}%"
    environment.filters["pounds"] = lambda v: "–" if v is None else f"£{float(v):,.2f}"  # to the penny
    template = environment.get_template("statement.html.j2")
    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        pairs = _rows(
            con,
            "select distinct reporting_unit, financial_year from kpi_local_spend "
            "where reporting_unit_type = 'partner' order by 1, 2",
        )
        for pair in pairs:
            partner, year = pair["reporting_unit"], pair["financial_year"]
            html = template.render(**statement_context(con, partner, year))
            stem = f"{partner}_{year.replace('/', '-')}_social_value_statement"
            html_path = out_dir / f"{stem}.html"
            html_path.write_text(html, encoding="utf-8")
            pdf_path = None
            if with_pdf:
                from weasyprint import HTML

                pdf_path = out_dir / f"{stem}.pdf"
                HTML(string=html, base_url=str(out_dir)).write_pdf(pdf_path)
            made.append(Statement(partner, year, html_path, pdf_path))
    return made
