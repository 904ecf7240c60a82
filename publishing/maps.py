"""The GM map of where in-scope spend goes: one static SVG per reporting unit and financial year.

Drawn from the published kpi_spend_by_area only (never the working warehouse), with Altair's
geoshape over the GM boundaries shipped in config/reference/geography/ and rendered to SVG by
vl-convert (no browser, no network), so the same picture goes into the dashboard, the HTML
statement and its PDF. Wards are drawn when supplier locations allow (at least
WARD_MAP_MIN_PLACED_PCT of the GM spend placed in a ward), else districts. Every map comes with a
text alternative (the SVG's <title> and aria-label, and a sentence for the page) and the table
behind it, because a choropleth alone is neither accessible nor checkable.
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert

GEOGRAPHY = Path(__file__).resolve().parent.parent / "config" / "reference" / "geography"
# Share of a unit-year's GM-located in-scope spend that must be placed in a ward for the ward map
# to be drawn: below it, most of the spend would sit in no ward and the map would mislead.
WARD_MAP_MIN_PLACED_PCT = 80.0
NO_SPEND_COLOUR = "#e4e4e4"
_PATH_DATA = re.compile(r'd="([^"]*)"')
_LONG_DECIMAL = re.compile(r"(\d+\.\d)\d+")


@dataclass(frozen=True)
class SpendMap:
    reporting_unit: str
    financial_year: str
    level: str  # ward or district
    svg: str
    alt_text: str
    table: list[dict] = field(default_factory=list)  # the districts, largest first


@functools.cache
def _features(level: str) -> tuple[dict, ...]:
    name = "gm_wards_2023.geojson" if level == "ward" else "gm_districts_2023.geojson"
    return tuple(json.loads((GEOGRAPHY / name).read_text(encoding="utf-8"))["features"])


def _money(value: float) -> str:
    return f"£{value / 1e6:,.1f}m" if abs(value) >= 1e6 else f"£{value:,.0f}"


def _level_for(rows: pd.DataFrame) -> str:
    wards = rows[rows["area_level"] == "ward"]
    placed = float(wards.loc[wards["is_area"], "in_scope_spend_gbp"].sum())
    in_gm = placed + float(wards.loc[wards["area_code"] == "gm_ward_unknown", "in_scope_spend_gbp"].sum())
    return "ward" if in_gm > 0 and 100 * placed / in_gm >= WARD_MAP_MIN_PLACED_PCT else "district"


def _alt_text(unit: str, year: str, districts: pd.DataFrame, level: str) -> str:
    total = float(districts["in_scope_spend_gbp"].sum())
    areas = districts[districts["is_area"]].sort_values("in_scope_spend_gbp", ascending=False)
    gm = float(districts.loc[districts["is_area"] | (districts["area_code"] == "gm_district_unknown"),
                             "in_scope_spend_gbp"].sum())  # fmt: skip
    outside = float(districts.loc[districts["area_code"] == "outside_gm", "in_scope_spend_gbp"].sum())
    unknown = float(districts.loc[districts["area_code"] == "unknown", "in_scope_spend_gbp"].sum())
    if total <= 0:
        return f"Map of Greater Manchester: {unit} has no in-scope spend in {year}."
    if gm + outside <= 0:  # nothing located: say so, rather than "£0 (0.0%) went to GM", which reads as a figure
        return (
            f"Map of Greater Manchester: no supplier location is known yet for the {_money(total)} of in-scope "
            f"spend of {unit} in {year}, so no borough is shaded."
        )
    top = "; ".join(
        f"{r.area_name} {_money(float(r.in_scope_spend_gbp))} ({float(r.share_of_in_scope_pct):.1f}%)"
        for r in areas.head(3).itertuples()
    )
    shading = "each ward" if level == "ward" else "each borough"
    return (
        f"Map of Greater Manchester shading {shading} by the in-scope spend of {unit} in {year} with suppliers "
        f"based there. Of {_money(total)} in scope, {_money(gm)} ({100 * gm / total:.1f}%) went to suppliers in "
        f"Greater Manchester, {_money(outside)} ({100 * outside / total:.1f}%) outside it and {_money(unknown)} "
        f"({100 * unknown / total:.1f}%) to suppliers whose location is not known. Boroughs receiving most: {top}."
    )


def _compact(svg: str) -> str:
    """Path coordinates to a tenth of a pixel (the renderer writes thousandths): a third smaller."""
    return _PATH_DATA.sub(lambda m: 'd="' + _LONG_DECIMAL.sub(r"\1", m.group(1)) + '"', svg)


def _with_title(svg: str, text: str) -> str:
    """The text alternative inside the SVG: a <title> first child and an aria-label on the root."""
    head, sep, rest = svg.partition(">")
    if not sep or not head.lstrip().startswith("<svg"):
        return svg
    return f'{head} role="img" aria-label="{escape(text)}">' + f"<title>{escape(text)}</title>" + rest


def spend_map(rows: pd.DataFrame, unit: str, year: str) -> SpendMap:
    """The map of one unit-year from its kpi_spend_by_area rows (both levels)."""
    rows = rows.copy()
    rows["in_scope_spend_gbp"] = rows["in_scope_spend_gbp"].astype(float)
    level = _level_for(rows)
    spend = rows[(rows["area_level"] == level) & rows["is_area"]].set_index("area_code")["in_scope_spend_gbp"]
    code_key = "ward_code" if level == "ward" else "lad_code"
    features = []
    for feature in _features(level):
        props = dict(feature["properties"])
        value = float(spend.get(props[code_key], 0.0))
        props["spend_m"] = round(value / 1e6, 3)  # 0, not null: Vega-Lite drops a null-valued shape
        features.append({"type": "Feature", "properties": props, "geometry": feature["geometry"]})
    title = f"Where in-scope spend went: {unit}, {year} ({'wards' if level == 'ward' else 'boroughs'})"
    shaded = (
        alt.Chart(alt.Data(name="areas"))
        .mark_geoshape(stroke="white", strokeWidth=0.4 if level == "ward" else 1)
        .encode(
            color=alt.condition(
                "datum.properties.spend_m > 0",
                alt.Color(
                    "properties.spend_m:Q",
                    title="£m in scope",
                    scale=alt.Scale(scheme="blues"),
                    legend=alt.Legend(orient="right"),
                ),
                alt.value(NO_SPEND_COLOUR),
            )
        )
    )
    layers: list[alt.Chart] = [shaded]
    if level == "ward":
        layers.append(alt.Chart(alt.Data(name="outlines")).mark_geoshape(fill=None, stroke="#333333", strokeWidth=1))
    chart = (
        alt.layer(*layers)
        .project(type="mercator")
        .properties(width=520, height=420, title=title)
        .configure_view(stroke=None)
    )
    districts = rows[rows["area_level"] == "district"].sort_values("in_scope_spend_gbp", ascending=False)
    text = _alt_text(unit, year, districts, level)
    # The features join the spec after Altair has built it: Altair deep-copies and validates inline
    # data, which costs seconds a map for ~200 polygons.
    spec = chart.to_dict()
    spec["datasets"] = {"areas": features, "outlines": list(_features("district"))}
    svg = _with_title(_compact(vl_convert.vegalite_to_svg(spec)), text)
    table = [
        {
            "area_code": r.area_code,
            "area_name": r.area_name,
            "in_scope_spend_gbp": float(r.in_scope_spend_gbp),
            "share_of_in_scope_pct": None if pd.isna(r.share_of_in_scope_pct) else float(r.share_of_in_scope_pct),
            "suppliers": int(r.suppliers),
        }
        for r in districts.itertuples()
    ]
    return SpendMap(unit, year, level, svg, text, table)


def spend_maps(areas: pd.DataFrame) -> dict[str, dict[str, SpendMap]]:
    """Every unit-year's map from the whole kpi_spend_by_area table: {reporting_unit: {year: map}}."""
    out: dict[str, dict[str, SpendMap]] = {}
    for (unit, year), rows in areas.groupby(["reporting_unit", "financial_year"], sort=True):
        out.setdefault(str(unit), {})[str(year)] = spend_map(rows, str(unit), str(year))
    return out


def dashboard_maps(parquet_dir: Path) -> dict[str, dict[str, str]]:
    """For the dashboard: {reporting_unit: {financial_year: SVG}} from a publication's parquet/ folder
    (empty when kpi_spend_by_area was not published). Each SVG carries its text alternative."""
    path = Path(parquet_dir) / "kpi_spend_by_area.parquet"
    if not path.exists():
        return {}
    return {
        unit: {year: m.svg for year, m in years.items()} for unit, years in spend_maps(pd.read_parquet(path)).items()
    }


def _money_cell(value: float) -> str:
    return f"£{value / 1e6:,.2f}m" if abs(value) >= 1e6 else f"£{value:,.0f}"


def _table_row(row: dict) -> str:
    share = row["share_of_in_scope_pct"]
    return (
        f"<tr><th scope='row'>{html.escape(str(row['area_name']))}</th>"
        f"<td class='n'>{_money_cell(row['in_scope_spend_gbp'])}</td>"
        f"<td class='n'>{'–' if share is None else f'{share:.1f}%'}</td>"
        f"<td class='n'>{row['suppliers']:,}</td></tr>"
    )


def dashboard_map_panel(parquet_dir: Path, names: dict[str, str]) -> str | None:
    """The dashboard's map panel: each reporting unit's latest year, GM first and open, every map
    with its text alternative and the borough table behind it (None when no area table was
    published). Only the latest year is drawn: a map per unit-year would make the page megabytes."""
    path = Path(parquet_dir) / "kpi_spend_by_area.parquet"
    if not path.exists():
        return None
    areas = pd.read_parquet(path)
    if areas.empty:
        return None
    latest = areas.groupby("reporting_unit")["financial_year"].transform("max")
    maps = spend_maps(areas[areas["financial_year"] == latest])
    order = sorted(maps, key=lambda unit: (unit != "GM", names.get(unit, unit)))
    parts = [
        '<section id="map" aria-labelledby="map-heading">',
        '<h2 id="map-heading">Where in-scope spend goes in Greater Manchester</h2>',
        "<p>In-scope spend by the borough (or ward, where supplier locations allow) of the supplier's "
        "address, each unit's latest year. Spend with suppliers outside GM or of unknown location is "
        "not on the map; the tables give every borough.</p>",
    ]
    for unit in order:
        for year, spend_map_ in maps[unit].items():
            label = html.escape(f"{names.get(unit, unit)}, {year}")
            rows = "".join(_table_row(r) for r in spend_map_.table)
            parts.append(
                f"<details{' open' if unit == 'GM' else ''}><summary>{label}</summary>"
                f"<figure>{spend_map_.svg}<figcaption>{html.escape(spend_map_.alt_text)}</figcaption></figure>"
                f"<table><caption>In-scope spend by borough: {label}</caption><thead><tr><th scope='col'>Borough</th>"
                f"<th scope='col'>In-scope spend</th><th scope='col'>Share</th><th scope='col'>Suppliers</th></tr>"
                f"</thead><tbody>{rows}</tbody></table></details>"
            )
    parts.append("</section>")
    return "".join(parts)
