"""The charts shared by the statement and the dashboard (publishing/charts.py): Vega-Lite through
Altair, drawn to SVG offline; labels readable, legends whole, a text alternative behind each."""

import re
import xml.etree.ElementTree as ET

import pytest

from publishing import contrast
from publishing.charts import LABEL_PX, PALETTE, grouped_bars, trend_lines

LONG = "Stockport Metropolitan Borough Council and Partners in Procurement"


@pytest.fixture(scope="module")
def bars():
    return grouped_bars(
        "Local share of in-scope spend",
        ["2018/19", "2019/20", "2020/21"],
        {LONG: [42.0, None, 53.9], "Greater Manchester": [77.0, None, 80.1]},
        "%",
        notes=[None, "not yet known", None],
        value_label="Share of in-scope spend",
    )


@pytest.fixture(scope="module")
def lines():
    return trend_lines(
        "Local spend: Home share",
        ["2018/19", "2019/20", "2020/21"],
        [
            {"name": LONG, "kind": "partner", "values": {"2018/19": 40.0, "2019/20": 45.0}},
            {"name": "STAR Procurement", "kind": "group", "values": {"2018/19": 42.0, "2020/21": 53.9}},
        ],
        "%",
        "Home share",
    )


def _texts(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [e for e in root.iter() if e.tag.endswith("}text") or e.tag == "text"]


def test_every_label_is_at_least_11px(bars, lines):
    for chart in (bars, lines):
        sizes = [float(t.get("font-size", "0").rstrip("px")) for t in _texts(chart.svg)]
        assert sizes and min(sizes) >= 11, sorted(set(sizes))
    assert LABEL_PX >= 11


def test_legend_names_are_whole_and_not_truncated(bars, lines):
    """No fixed-width legend: a long partner name is printed in full, never cut with an ellipsis."""
    for chart in (bars, lines):
        words = [t.text or "" for t in _texts(chart.svg)]
        assert any(LONG in w for w in words)
        assert not any("…" in w for w in words)
        assert chart.spec["config"]["legend"]["labelLimit"] == 0


def test_the_svg_is_named_and_described(bars):
    html = bars.html("c1")
    svg_open = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg_open and "aria-label=" in svg_open
    assert "<title>Local share of in-scope spend</title>" in html and "<desc>" in html
    assert "<figcaption>" in html
    # the description says the figures, not only the title
    assert "42.0%" in bars.description and "80.1%" in bars.description


def test_a_data_table_is_behind_the_chart(bars):
    html = bars.html("c1")
    assert '<th scope="col">' in html and '<th scope="row">2018/19</th>' in html
    assert bars.columns == ["", LONG, "Greater Manchester"]
    assert bars.rows[1] == ["2019/20", "not yet known", "not yet known"]  # words, never 0%
    assert "<details>" in bars.html("c1", table="details")


def test_a_figure_that_is_not_a_measurement_gets_no_bar(bars):
    values = bars.spec["layer"][0]["data"]["values"] if "data" in bars.spec["layer"][0] else None
    records = values or next(d for d in bars.spec["datasets"].values())
    assert {r["category"] for r in records} == {"2018/19", "2020/21"}


def test_groups_differ_from_partners_by_dash_and_shape(lines):
    layers = lines.spec["layer"]
    dash = layers[0]["encoding"]["strokeDash"]["scale"]["range"]
    shapes = layers[1]["encoding"]["shape"]["scale"]["range"]
    assert dash[0] != dash[1] and shapes == ["circle", "square"]
    assert "STAR Procurement (group)" in lines.svg  # named in the legend, not only coloured
    assert lines.rows[0][0] == LONG and lines.rows[0][3] == "–"


def test_the_palette_contrasts_with_white():
    for colour in PALETTE:
        assert contrast.ratio(colour, "#ffffff") >= contrast.LARGE_TEXT_OR_GRAPHICS, colour


def test_no_script_and_no_network_in_the_svg(bars, lines):
    for chart in (bars, lines):
        assert "<script" not in chart.svg and "http://" not in chart.svg.replace("http://www.w3.org", "")
