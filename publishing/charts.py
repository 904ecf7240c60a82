"""The charts of the statement and the dashboard, from one declarative library: Vega-Lite specs built
with Altair and rendered to static SVG by vl-convert (no JavaScript, no network), so the same chart
reads the same in a browser opened from disk and in the PDF.

Every chart carries its text alternative: a title, a sentence that says what it shows (the SVG's
accessible name and the figure's caption) and the figures behind it as a table, so a reader who
cannot see the bars loses nothing. Legends sit below the plot and are laid out from the names they
hold (no fixed width, no truncation), and every label is at least LABEL_PX pixels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Any

import altair as alt
import vl_convert

LABEL_PX = 12  # axis, legend and value labels; the brief's floor is 11 px
TITLE_PX = 14
WIDTH = 560  # plot width (px) of a statement chart; the SVG adds axes and the legend
# Colours for marks on white, each at least 3:1 against it (WCAG 1.4.11, non-text contrast);
# tests/unit/test_charts.py checks the ratio. Series are also told apart by shape or dash, never
# by colour alone.
PALETTE = ["#1f5f8b", "#b35806", "#2e7d4f", "#6a3d9a", "#b42318", "#4d4d4d", "#8a6d00", "#0f7c8c", "#a0306e"]
FONT = "Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class Chart:
    """A rendered chart and its text alternative."""

    title: str
    description: str  # what the chart shows, in words: the accessible name and the caption
    columns: list[str]  # the figures behind the chart, as a table: header ...
    rows: list[list[str]] = field(default_factory=list)  # ... and formatted cells
    svg: str = ""
    spec: dict = field(default_factory=dict)  # the Vega-Lite specification the SVG was drawn from

    def html(self, chart_id: str, table: str = "visible") -> str:
        """The chart as a <figure>: the SVG named by its description, the caption, and the data table
        (`table`: "visible", or "details" for a disclosure the reader opens)."""
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in self.columns)
        body = "".join(
            "<tr>"
            + f'<th scope="row">{escape(r[0])}</th>'
            + "".join(f'<td class="n">{escape(v)}</td>' for v in r[1:])
            + "</tr>"
            for r in self.rows
        )
        data = (
            f'<table class="chart-data"><caption>Figures behind the chart: {escape(self.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
        if table == "details":
            data = f"<details><summary>Figures behind the chart</summary>{data}</details>"
        return (
            f'<figure class="chart-figure" id="{escape(chart_id)}">{_named_svg(self.svg, self.title, self.description)}'
            f"<figcaption>{escape(self.description)}</figcaption>{data}</figure>"
        )


def fmt(value: float | None, unit: str) -> str:
    """A figure as the chart labels and the data table write it."""
    if value is None:
        return "–"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "£":
        return f"£{value / 1e6:,.2f}m" if abs(value) >= 1e6 else f"£{value:,.0f}"
    return f"{value:,.0f}"


def _named_svg(svg: str, title: str, description: str) -> str:
    """vl-convert's SVG, given the chart class, role img and its accessible name (aria-label), with a
    <title> and <desc> for readers that use those instead."""
    root = re.match(r"<svg\b[^>]*>", svg)
    if root is None:
        raise ValueError("vl-convert gave no <svg> element")
    attributes = re.sub(r'\s(?:class|role|aria-label)="[^"]*"', "", root.group(0)[4:-1])
    name = f"{escape(title)}. {escape(description)}"
    svg = f'<svg class="chart" role="img" aria-label="{name}"{attributes}>' + svg[root.end() :]
    head_end = svg.index(">") + 1
    return svg[:head_end] + f"<title>{escape(title)}</title><desc>{escape(description)}</desc>" + svg[head_end:]


def _config(chart: alt.TopLevelMixin, legend_columns: int = 3) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT, background="white")
        .configure_axis(labelFontSize=LABEL_PX, titleFontSize=LABEL_PX, labelLimit=0, labelColor="#1d2733")
        .configure_legend(
            orient="bottom",
            direction="horizontal",
            columns=legend_columns,
            labelFontSize=LABEL_PX,
            titleFontSize=LABEL_PX,
            labelLimit=0,  # never truncate a partner's name
            symbolSize=120,
            labelColor="#1d2733",
            titleColor="#1d2733",
        )
        .configure_title(fontSize=TITLE_PX, anchor="start", color="#1d2733")
        .configure_view(stroke=None)
    )


def render(chart: alt.TopLevelMixin, legend_columns: int = 3) -> tuple[str, dict]:
    """The chart's Vega-Lite spec and its SVG, drawn offline by vl-convert."""
    spec = _config(chart, legend_columns).to_dict()
    return vl_convert.vegalite_to_svg(vl_spec=spec), spec


def _axis_format(unit: str) -> str:
    return {"%": ".0f", "£": "~s", "": ",.0f"}[unit]


def _axis_title(unit: str, label: str) -> str:
    return {"%": f"{label} (%)", "£": f"{label} (£)", "": label}[unit]


def grouped_bars(
    title: str,
    categories: list[str],
    series: dict[str, list[float | None]],
    unit: str = "",
    notes: list[str | None] | None = None,
    horizontal: bool = False,
    value_label: str = "Value",
) -> Chart:
    """Bars grouped by category, one bar per series, each labelled with its value; series differ in
    colour and in fill pattern (solid / outlined) and are named in the legend.

    A category whose figure is not a measurement (a local share whose supplier locations are mostly
    unknown) gets no bar, which would read as zero, but its note ("not yet known") in the bars' place
    and in the data table.
    """
    names = list(series)
    records = [
        {"category": c, "series": s, "value": vs[i], "label": fmt(vs[i], unit)}
        for s, vs in series.items()
        for i, c in enumerate(categories)
        if vs[i] is not None
    ]
    note_records = [{"category": c, "note": n} for c, n in zip(categories, notes or [None] * len(categories)) if n]
    category_enc = alt.Y if horizontal else alt.X
    value_enc = alt.X if horizontal else alt.Y
    offset = alt.YOffset if horizontal else alt.XOffset
    colour = alt.Color("series:N", title=None, sort=names, scale=alt.Scale(domain=names, range=PALETTE[: len(names)]))
    base = alt.Chart(alt.Data(values=records))
    encode: dict[str, Any] = {
        ("y" if horizontal else "x"): category_enc(
            "category:N", sort=categories, title=None, axis=alt.Axis(labelAngle=0)
        ),
        ("x" if horizontal else "y"): value_enc(
            "value:Q", title=_axis_title(unit, value_label), axis=alt.Axis(format=_axis_format(unit), tickCount=5)
        ),
        ("yOffset" if horizontal else "xOffset"): offset("series:N", sort=names),
    }
    bars = base.mark_bar(strokeWidth=1.5).encode(
        color=colour,
        stroke=alt.Stroke(
            "series:N", title=None, sort=names, scale=alt.Scale(domain=names, range=PALETTE[: len(names)])
        ),
        fillOpacity=alt.FillOpacity(
            "series:N", title=None, sort=names, scale=alt.Scale(domain=names, range=[1.0, 0.3, 0.7, 0.15][: len(names)])
        ),
        **encode,
    )
    text_place: dict[str, Any] = {"align": "left", "dx": 3} if horizontal else {"baseline": "bottom", "dy": -2}
    labels = base.mark_text(
        fontSize=LABEL_PX - 1,
        color="#1d2733",
        **text_place,
    ).encode(text="label:N", **encode)
    layers = [bars, labels]
    if note_records:
        note_place: dict[str, Any] = (
            {"y": alt.Y("category:N", sort=categories), "x": alt.value(60)}
            if horizontal
            else {"x": alt.X("category:N", sort=categories), "y": alt.value(60)}
        )
        layers.append(
            alt.Chart(alt.Data(values=note_records))
            .mark_text(fontSize=LABEL_PX, fontStyle="italic", color="#7a5a00")
            .encode(**note_place, text="note:N")
        )
    size = (
        {"width": WIDTH, "height": max(120, 22 * len(categories) * len(names))}
        if horizontal
        else {"width": WIDTH, "height": 200}
    )
    chart = alt.layer(*layers).properties(title=title, **size)
    svg, spec = render(chart)
    rows = []
    for i, c in enumerate(categories):
        note = (notes or [None] * len(categories))[i]
        rows.append([c, *[note if note and vs[i] is None else fmt(vs[i], unit) for vs in series.values()]])
    return Chart(title, _describe_grouped(title, categories, series, unit, notes), ["", *names], rows, svg, spec)


def _describe_grouped(title, categories, series, unit, notes) -> str:
    parts = []
    for s, vs in series.items():
        known = [(c, v) for c, v in zip(categories, vs) if v is not None]
        if not known:
            parts.append(f"{s}: no figures")
            continue
        parts.append(f"{s}: " + ", ".join(f"{c} {fmt(v, unit)}" for c, v in known))
    unknown = [c for c, n in zip(categories, notes or [None] * len(categories)) if n]
    tail = f" Not stated for {', '.join(unknown)} ({notes[categories.index(unknown[0])]})." if unknown and notes else ""
    return f"Bar chart, {len(categories)} groups by {len(series)} series. " + "; ".join(parts) + "." + tail


def trend_lines(
    title: str,
    years: list[str],
    lines: list[dict],
    unit: str,
    value_label: str,
) -> Chart:
    """One line per reporting unit over the years: the trend of a KPI and the comparison of units in
    one picture. `lines`: [{"name", "kind" ("partner"/"group"), "values": {year: value or None},
    "notes": {year: words}}]; a year with words in place of a figure ("not yet known") gets no point
    and its words in the data table.
    Groups are drawn dashed with square points, partners solid with round points, and the legend
    names both, so the two are told apart by more than colour."""
    names = [line["name"] for line in lines]
    kinds = {line["name"]: line["kind"] for line in lines}
    records = [
        {"year": y, "unit": line["name"], "kind": "Group" if line["kind"] == "group" else "Partner", "value": v}
        for line in lines
        for y in years
        if (v := line["values"].get(y)) is not None
    ]
    legend_names = [f"{n} (group)" if kinds[n] == "group" else n for n in names]
    for r in records:
        r["unit"] = f"{r['unit']} (group)" if r["kind"] == "Group" else r["unit"]
    palette = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    dashes = [[6, 3] if kinds[n] == "group" else [1, 0] for n in names]
    shapes = ["square" if kinds[n] == "group" else "circle" for n in names]
    x = alt.X("year:O", sort=years, title="Financial year", axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=_axis_title(unit, value_label), axis=alt.Axis(format=_axis_format(unit), tickCount=5))
    scale: dict[str, Any] = {"sort": legend_names, "title": "Reporting unit"}
    base = alt.Chart(alt.Data(values=records))
    line = base.mark_line(strokeWidth=2).encode(
        x=x,
        y=y,
        color=alt.Color("unit:N", scale=alt.Scale(domain=legend_names, range=palette), **scale),
        strokeDash=alt.StrokeDash("unit:N", scale=alt.Scale(domain=legend_names, range=dashes), **scale),
    )
    points = base.mark_point(filled=True, size=60).encode(
        x=x,
        y=y,
        color=alt.Color("unit:N", scale=alt.Scale(domain=legend_names, range=palette), **scale),
        shape=alt.Shape("unit:N", scale=alt.Scale(domain=legend_names, range=shapes), **scale),
    )
    chart = alt.layer(line, points).properties(title=title, width=440, height=190)
    svg, spec = render(chart, legend_columns=1)  # one name a line: a long name never widens the chart
    rows = [
        [n, *[line.get("notes", {}).get(yr) or fmt(line["values"].get(yr), unit) for yr in years]]
        for n, line in zip(legend_names, lines)
    ]
    unstated = sorted({w for line in lines for w in line.get("notes", {}).values() if w})
    latest = (
        [(n, v) for n, line in zip(legend_names, lines) if (v := line["values"].get(years[-1])) is not None]
        if years
        else []
    )
    ranked = sorted(latest, key=lambda nv: nv[1])
    extremes = (
        f" In {years[-1]} the highest is {ranked[-1][0]} ({fmt(ranked[-1][1], unit)}) and the lowest "
        f"{ranked[0][0]} ({fmt(ranked[0][1], unit)})."
        if len(ranked) > 1
        else ""
    )
    description = (
        f"Line chart of {value_label} by financial year, {years[0]} to {years[-1]}, one line per reporting unit "
        f"(groups dashed, square points).{extremes}"
        + (f" Not drawn where a figure is not stated ({'; '.join(unstated)})." if unstated else "")
        + " Every figure is in the table of figures behind the chart."
        if years
        else "No figures."
    )
    return Chart(title, description, ["Reporting unit", *years], rows, svg, spec)
