"""A share the mart does not state (shares_known false) never reaches a reader as a number: empty
in the spreadsheets, its words instead of a bar in the charts."""

from decimal import Decimal

import pandas as pd

from publishing.charts import grouped_bars
from publishing.exports import safe_frame, unstated_left_empty


def test_exports_leave_unstated_shares_empty_and_keep_stated_ones():
    frame = pd.DataFrame(
        {
            "reporting_unit": ["a", "b"],
            "home_share_pct": [Decimal("0.00"), Decimal("53.90")],
            "gm_share_pct": [Decimal("0.00"), Decimal("77.00")],
            "shares_known": [False, True],
            "home_share_display": ["not yet known (0% of spend located)", "53.9%"],
        }
    )
    out = safe_frame(unstated_left_empty("kpi_local_spend", frame))
    assert out["home_share_pct"].tolist() == [None, Decimal("53.90")]
    assert out["gm_share_pct"].tolist() == [None, Decimal("77.00")]
    assert out["home_share_display"].tolist() == frame["home_share_display"].tolist()
    assert frame["home_share_pct"].tolist() == [Decimal("0.00"), Decimal("53.90")]  # the input is not changed
    assert unstated_left_empty("kpi_sv_secured", frame) is frame  # no flag on other tables
    assert out.to_csv(index=False).splitlines()[1].startswith("a,,,False,")


def test_chart_draws_no_bar_for_a_figure_not_yet_known():
    svg = grouped_bars(
        "Local share",
        ["2019/20", "2020/21"],
        {"Home": [None, 53.9], "GM": [None, 77.0]},
        "%",
        notes=["not yet known", None],
    )
    chart = svg  # a publishing.charts.Chart: the SVG, the spec it was drawn from and the table behind it
    bars = chart.spec["layer"][0]["data"]["values"]
    assert {r["category"] for r in bars} == {"2020/21"}, "an unknown share must not be drawn as a bar"
    cells = [cell for row in chart.rows for cell in row]
    assert "not yet known" in cells and "0.0%" not in cells and "53.9%" in cells
