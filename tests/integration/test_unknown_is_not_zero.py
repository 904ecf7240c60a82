"""Unknown is not zero, and a part-year says so.

A partnership that has sent two months of one partner's ledger and no supplier list: no supplier
location is known, so the home and GM shares are 0.00 by arithmetic, and the year is two months
long. Every output a reader sees (statement, dashboard, CSV, Excel, `make run`'s table) must say
"not yet known" and mark the partial year, and never show the share as 0.0%.
"""

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest

from orchestration import run_pipeline
from publishing.workbook import HEADER_ROW, header_label
from tests.conftest import SAMPLE_DIR, Workspace

pytestmark = pytest.mark.slow

UNKNOWN = "not yet known (0% of spend located)"
ROCHDALE_PART = "partial year: Apr–May 2019 (2 of 12 months)"
GROUP_PART = "partial year: rochdale Apr–May 2019 (2 of 12 months)"
THRESHOLD = "£25,000 net per partner-supplier-year, applied in full to the months covered"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("two_months_no_locations"))
    folder = ws.landing / "rochdale" / "spend"
    folder.mkdir(parents=True)
    for month in ("Apr", "May"):
        shutil.copy(SAMPLE_DIR / "landing" / "rochdale" / "spend" / f"Rochdale Payments {month} 2019.csv", folder)
    assert run_pipeline.run(quiet=True, settings=ws.settings()) == 0
    return ws


def test_the_mart_says_unknown_and_partial_once_for_every_output(published):
    kpi = pd.read_parquet(published.published / "parquet" / "kpi_local_spend.parquet").set_index("reporting_unit")
    assert set(kpi.index) == {"rochdale", "STAR", "GM"} and (kpi["financial_year"] == "2019/20").all()
    assert not kpi["shares_known"].any()
    assert (kpi["home_share_display"] == UNKNOWN).all() and (kpi["gm_share_display"] == UNKNOWN).all()
    assert (kpi["home_share_pct"].astype(float) == 0).all()  # the number stays, for BI tools that check shares_known
    assert (kpi["months_covered"] == 2).all() and kpi["is_partial_year"].all()
    assert kpi.loc["rochdale", "partial_year_note"] == ROCHDALE_PART
    assert kpi.loc["STAR", "partial_year_note"] == kpi.loc["GM", "partial_year_note"] == GROUP_PART
    assert (kpi["part_year_threshold"] == "full").all() and (kpi["threshold_note"] == THRESHOLD).all()


def test_statement_title_and_figures(published):
    html = (published.published / "statements" / "rochdale_2019-20_social_value_statement.html").read_text()
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.endswith(f"Annual Social Value Statement 2019/20 — {ROCHDALE_PART}")
    assert f"financial year 2019/20 — {ROCHDALE_PART}" in html  # the header, as printed
    values = re.findall(r'<div class="v[^"]*">(.*?)</div>', html)
    assert values[:2] == [UNKNOWN, UNKNOWN]  # home and GM shares, in the figures' own place
    chart = re.search(r'<svg class="chart" role="img" aria-label="Local share of in-scope spend.*?</svg>', html).group(
        0
    )
    assert "not yet known" in chart and "2019/20 (part)" in chart
    assert re.search(r'<g class="mark-rect role-mark[^>]*/>', chart)  # the bars' layer is empty: words, no bar
    assert f"Applied in 2019/20: {THRESHOLD}" in html and "<em>Full threshold</em> rule" in html
    # the only 0.0% left are the coverage measurements themselves (the annex's, and the neighbourhood
    # section's), which are what they say they are; no share reads 0.0% (100.0% is not a 0.0%)
    zero_shares = re.findall(r"(?<![\d.])0\.0%", html)
    coverage = html.count("Coverage in 2019/20: 0.0% of in-scope spend has a known supplier")
    neighbourhoods = html.count("Supplier neighbourhood known for 0.0% of in-scope spend")
    assert coverage == 1 and len(zero_shares) == coverage + neighbourhoods


def test_dashboard_shows_the_words_not_a_bar(published):
    page = published.published / "dashboard.html"
    payload = json.loads(re.search(r"const DATA = (.*?);\n", page.read_text()).group(1))
    local = payload["kpis"]["kpi_local_spend"]
    assert {c["key"]: c.get("display") for c in local["columns"]}["home_share_pct"] == "home_share_display"
    assert all(
        r["home_share_display"] == UNKNOWN and r["shares_known"] is False and r["is_partial_year"]
        for r in local["rows"]
    )
    # as a reader sees it, after the page's script has run
    dom = subprocess.run(
        [
            shutil.which("chromium") or "chromium",
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    section = re.search(r'<section id="kpi_local_spend"[^>]*>(.*?)</section>', dom, re.S).group(1)
    rows = re.findall(r'<tr class="(?:partner|group)[^"]*"[^>]*>(.*?)</tr>', section, re.S)
    assert len(rows) == 3
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)  # type, year, the figures, caveats
        assert cells[2] == cells[3] == UNKNOWN  # home share, GM share
        assert "partial year: " in cells[-1]
    # the home share's chart draws no point (it would read as 0%) and its figures say the words
    figure = re.search(r'<figure class="chart-figure".*?</figure>', section, re.S).group(0)
    assert "0.0%" not in figure and UNKNOWN in figure
    assert re.search(r'<g class="mark-symbol role-mark[^>]*(?:/>|></g>)', figure)  # an empty layer: no point drawn


def test_exports_leave_the_share_empty_beside_the_words(published):
    folder = published.published / "exports"
    sheet = pd.read_excel(folder / "gm_social_value_kpis.xlsx", sheet_name="kpi_local_spend", header=HEADER_ROW - 1)
    csv = pd.read_csv(folder / "kpi_local_spend.csv")
    sheet = sheet.rename(columns={header_label(column): column for column in csv.columns})
    for frame in (csv, sheet):
        assert frame["home_share_pct"].isna().all() and frame["gm_share_pct"].isna().all()
        assert (frame["home_share_display"] == UNKNOWN).all() and (frame["gm_share_display"] == UNKNOWN).all()
        assert frame["is_partial_year"].all() and (frame["months_covered"] == 2).all()
        assert set(frame["partial_year_note"]) == {ROCHDALE_PART, GROUP_PART}
    notes = pd.read_excel(folder / "gm_social_value_kpis.xlsx", sheet_name="Notes", header=3)["Text"]
    assert notes.str.contains("Never read an empty share as 0%").any()


def test_make_run_table(published, capsys):
    run_pipeline.print_kpis(published.published / "warehouse.duckdb")
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("rochdale ", "STAR ", "GM "))]
    assert len(lines) == 3
    for line in lines:
        assert UNKNOWN in line and "0.00" not in line
        assert line.endswith(f"[{ROCHDALE_PART if line.startswith('rochdale') else GROUP_PART}]")
