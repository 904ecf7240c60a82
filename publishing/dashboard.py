"""The GM dashboard: one static HTML page comparing every partner and group on every KPI, over every
year published.

Its panels are the published tables declared with a dashboard entry in the marts yml (title and
columns shown, meta.published.dashboard), read through publishing/declared.py. Each column of a
panel gets its own chart: one line per reporting unit over the financial years (the trend and the
comparison of partners in one picture; groups dashed with square points, partners solid with round
points, named in the legend). Charts are drawn by the statement's chart library (publishing/charts.py:
Altair specs rendered to SVG by vl-convert) and embedded as SVG, so the page opens from disk with no
script library and no network. The tables are written into the page (every year; a year filter,
plain JavaScript, narrows them and leaves them whole when scripts are off, and the print stylesheet
prints every year). Partners and groups are shown by name, dates in words, and a provisional
figure's reason as text beside it.

Built from the published Parquet files only.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import jinja2
import pyarrow.parquet as pq

from ingestion.registry import SHIPPED_CONFIG, load_registry
from publishing import labels
from publishing.charts import Chart, fmt, trend_lines
from publishing.declared import declared

# Tables whose rows can be provisional (coverage rule) or cover part of a year: the page shows the
# caveat beside the unit.
CAVEAT_COLUMNS = ["is_provisional", "provisional_reason", "is_partial_year", "partial_year_note"]
TEMPLATE = Path(__file__).parent / "templates" / "dashboard.html"


def display_columns(table: str) -> dict[str, tuple[str, str]]:
    """A figure the mart states in words when it is not a measurement (stated_only_when in the marts
    yml): column -> (text column, flag column). The page shows the mart's text and draws no point
    where the flag is false (a point would read as 0%)."""
    declaration = declared().tables[table]
    return {figure: (words, flag) for figure, flag, words in declaration.stated_only_when}


def _records(parquet_dir: Path, table: str, columns: list[str]) -> list[dict]:
    path = parquet_dir / f"{table}.parquet"
    if not path.exists():
        return []
    wanted = ["reporting_unit", "reporting_unit_type", "financial_year", *columns]
    wanted += [c for c in CAVEAT_COLUMNS if c in pq.read_schema(path).names]
    wanted += sorted({c for pair in display_columns(table).values() for c in pair})
    rows = pq.read_table(path, columns=list(dict.fromkeys(wanted))).to_pylist()
    return [{k: (float(v) if hasattr(v, "as_tuple") else v) for k, v in row.items()} for row in rows]


def unit_names(parquet_dir: Path, config_dir: Path = SHIPPED_CONFIG) -> dict[str, str]:
    """Reporting unit code -> name: partners from the published dim_partner, groups from the
    registry (partners.yml) of the run's configuration."""
    names: dict[str, str] = {}
    try:
        names.update({g.code: g.name for g in load_registry(config_dir).groups.values()})
    except Exception:  # noqa: BLE001 - the code is still shown when the registry cannot be read
        pass
    path = parquet_dir / "dim_partner.parquet"
    if path.exists():
        names.update({r["partner_code"]: r["partner_name"] for r in pq.read_table(path).to_pylist()})
    return names


def readable_time(value) -> str:
    """A timestamp as a reader writes it: '2 December 2026 at 06:03 UTC'."""
    if value is None:
        return "–"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    zone = moment.tzname() or "UTC"
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M} {zone}"


def _cell(row: dict, column: dict) -> tuple[str, bool]:
    """A table cell's text and whether it is words in place of a figure (not a measurement)."""
    display, known = column.get("display"), column.get("known")
    if display and row.get(display) is not None and (not known or row.get(known) is False):
        return str(row[display]), True
    if display and row.get(display) is not None:
        return str(row[display]), False
    return fmt(row.get(column["key"]), column["unit"]), False


def _value(row: dict, column: dict) -> float | None:
    """The figure a chart draws; none where the mart states it only in words."""
    if column.get("known") and row.get(column["known"]) is False:
        return None
    value = row.get(column["key"])
    return None if value is None else float(value)


def _panel(table: str, title: str, columns: list[dict], rows: list[dict], names: dict[str, str]) -> dict:
    years = sorted({r["financial_year"] for r in rows})
    units = sorted(
        {
            (
                r["reporting_unit_type"] != "group",
                names.get(r["reporting_unit"], r["reporting_unit"]),
                r["reporting_unit"],
                r["reporting_unit_type"],
            )
            for r in rows
        }
    )
    charts: list[Chart] = []
    for column in columns:
        lines = [
            {
                "name": name,
                "kind": kind,
                "values": {r["financial_year"]: _value(r, column) for r in rows if r["reporting_unit"] == code},
                "notes": {
                    r["financial_year"]: text
                    for r in rows
                    if r["reporting_unit"] == code
                    for text, unknown in [_cell(r, column)]
                    if unknown
                },
            }
            for _, name, code, kind in units
        ]
        charts.append(trend_lines(f"{title}: {column['label']}", years, lines, column["unit"], column["label"]))
    table_rows = []
    for r in sorted(
        rows,
        key=lambda r: (
            r["financial_year"],
            r["reporting_unit_type"] != "group",
            names.get(r["reporting_unit"], r["reporting_unit"]),
        ),
    ):
        cells = [_cell(r, c) for c in columns]
        table_rows.append(
            {
                "year": r["financial_year"],
                "name": names.get(r["reporting_unit"], r["reporting_unit"]),
                "code": r["reporting_unit"],
                "kind": r["reporting_unit_type"],
                "kind_label": labels.label(labels.UNIT_TYPES, r["reporting_unit_type"]),
                "cells": cells,
                "provisional_reason": r.get("provisional_reason") if r.get("is_provisional") else None,
                "partial_year_note": r.get("partial_year_note") if r.get("is_partial_year") else None,
            }
        )
    return {"key": table, "title": title, "columns": columns, "charts": charts, "rows": table_rows, "years": years}


def build_dashboard(
    parquet_dir: Path, out_path: Path, extra_panels: list[str] | None = None, config_dir: Path = SHIPPED_CONFIG
) -> Path:
    """The page, from the publication's Parquet. `extra_panels`: HTML fragments placed after the KPI
    panels, each a <section> with its own heading; by default the GM map of where in-scope spend goes
    (publishing/maps.py) and the deprivation and good-employer tables (publishing/panels.py), each when
    the publication has its table."""
    names = unit_names(parquet_dir, config_dir)
    if extra_panels is None:
        from publishing.maps import dashboard_map_panel
        from publishing.panels import deprivation_panel, good_employers_panel

        made = [dashboard_map_panel(parquet_dir, names), deprivation_panel(parquet_dir, names)]
        extra_panels = [panel for panel in [*made, good_employers_panel(parquet_dir, names)] if panel]
    panels, data = [], {}
    for d in declared().dashboard:  # every table declared with a dashboard panel, in the declared order
        columns = [
            {"key": c, "label": label, "unit": u, **dict(zip(("display", "known"), display_columns(d.name).get(c, ())))}
            for c, label, u in d.dashboard_columns
        ]
        rows = _records(parquet_dir, d.name, [c for c, _, _ in d.dashboard_columns])
        panels.append(_panel(d.name, d.dashboard_title or d.name, columns, rows, names))
        data[d.name] = {"title": d.dashboard_title, "columns": columns, "rows": rows}
    publication = pq.read_table(parquet_dir / "publication.parquet").to_pylist()[0]
    rule_versions = json.loads(publication["rule_versions"])
    years = sorted({y for p in panels for y in p["years"]})
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE.parent), autoescape=True)
    html = environment.get_template(TEMPLATE.name).render(
        panels=panels,
        years=years,
        publication_id=publication["publication_id"],
        published_at=readable_time(publication["published_at"]),
        rules={labels.rule(k): v for k, v in rule_versions.items()},
        extra_panels=extra_panels or [],
        # the figures as data too, for a reader's own tools (and the tests): as drawn, no script reads it
        data=json.dumps(
            {
                "kpis": data,
                "meta": {
                    "publication_id": publication["publication_id"],
                    "published_at": str(publication["published_at"]),
                    "rule_versions": rule_versions,
                    "names": names,
                },
            },
            default=str,
        ).replace("</", "<\\/"),
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path
