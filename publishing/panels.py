"""Dashboard panels for the published tables that have more than one row per unit and year (a row per
deprivation domain, a row per scheme), so they do not fit the one-row-per-unit-year KPI panels the marts
yml declares. Each is an accessible HTML table (caption, scoped headers), read from the publication's
Parquet only, and states a share in the mart's own words where the mart says it is not yet a
measurement.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd


def _pct(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.1f}%"


def _money(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    value = float(value)
    return f"£{value / 1e6:,.2f}m" if abs(value) >= 1e6 else f"£{value:,.0f}"


def _ordered(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Groups first (GM, then STAR), then partners by name; years newest first."""
    order = frame["reporting_unit"].map(lambda u: (0 if u == "GM" else 1 if u == "STAR" else 2, names.get(u, u)))
    return frame.assign(_order=order).sort_values(["_order", "financial_year"], ascending=[True, False])


def _table(caption: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{html.escape(r[0])}</th>'
        + "".join(f'<td class="n">{html.escape(c)}</td>' for c in r[1:])
        + "</tr>"
        for r in rows
    )
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{html.escape(caption)}">'
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        "</table></div>"
    )


def deprivation_panel(parquet_dir: Path, names: dict[str, str]) -> str | None:
    path = Path(parquet_dir) / "kpi_deprivation_spend.parquet"
    if not path.exists():
        return None
    frame = pd.read_parquet(path)
    frame = frame[frame["domain"] == "imd"]
    if frame.empty:
        return None
    worded = "decile_1_share_display" in frame.columns
    rows = [
        [
            f"{names.get(r.reporting_unit, r.reporting_unit)}, {r.financial_year}",
            r.decile_1_share_display if worded else _pct(r.decile_1_share_pct),
            r.deciles_1_2_share_display if worded else _pct(r.deciles_1_2_share_pct),
            _pct(r.located_spend_pct),
            f"{r.edition_title} (LSOA {r.lsoa_vintage})",
        ]
        for r in _ordered(frame, names).itertuples()
    ]
    return (
        '<section id="deprivation" aria-labelledby="deprivation-h">'
        '<h2 id="deprivation-h">Spend with suppliers in deprived neighbourhoods</h2>'
        "<p>Share of in-scope spend with suppliers based in the most deprived 10% and 20% of neighbourhoods "
        "in England (Index of Multiple Deprivation; the edition measuring each year is named). A share is "
        "stated only when enough spend has a known neighbourhood (the coverage rule).</p>"
        + _table(
            "In-scope spend in the most deprived neighbourhoods, by unit and year",
            ["Unit, year", "Most deprived 10%", "Most deprived 20%", "Spend located", "Index edition"],
            rows,
        )
        + "</section>"
    )


def good_employers_panel(parquet_dir: Path, names: dict[str, str]) -> str | None:
    path = Path(parquet_dir) / "kpi_supplier_attributes.parquet"
    if not path.exists():
        return None
    frame = pd.read_parquet(path)
    if frame.empty:
        return None
    rows = [
        [
            f"{names.get(r.reporting_unit, r.reporting_unit)}, {r.financial_year}: {r.scheme_name}",
            _pct(r.holding_spend_share_pct),
            _pct(r.holding_contract_share_pct),
            _money(r.unconfirmed_spend_gbp),
        ]
        for r in _ordered(frame, names).itertuples()
    ]
    return (
        '<section id="good-employers" aria-labelledby="good-employers-h">'
        '<h2 id="good-employers-h">Good employers</h2>'
        "<p>Share of in-scope spend, and of the value of contracts awarded, with suppliers holding each "
        "status on the day of the payment or the award (Good Employment Charter, Real Living Wage, "
        "Carbon Reduction Plan). Unconfirmed facts are not counted; the spend resting on them is shown "
        "beside.</p>"
        + _table(
            "Spend and contract value with good employers, by unit, year and scheme",
            ["Unit, year, scheme", "Share of in-scope spend", "Share of contract value", "Unconfirmed spend"],
            rows,
        )
        + "</section>"
    )
