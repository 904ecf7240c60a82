"""The statement and the dashboard, opened in headless Chromium as a reader would see them."""

import pytest
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import console_errors
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow
SCREENSHOTS = PROJECT_ROOT / "data" / "work" / "screenshots"


def test_statement_renders_its_charts(published_sample, browser):
    page = published_sample.published / "statements" / "stockport_2020-21_social_value_statement.html"
    browser.get(page.as_uri())
    charts = browser.find_elements("css selector", "figure.chart-figure svg.chart")
    assert len(charts) == 4
    assert all(chart.size["width"] > 300 and chart.size["height"] > 100 for chart in charts)
    assert len(browser.find_elements("css selector", "svg.chart .mark-rect path")) > 20  # the bars
    assert len(browser.find_elements("css selector", "figure.chart-figure table.chart-data")) == 4
    assert "Stockport" in browser.find_element("tag name", "h1").text
    assert console_errors(browser) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOTS / "statement.png"))


def test_dashboard_filters_and_charts(published_sample, browser):
    browser.get((published_sample.published / "dashboard.html").as_uri())
    assert len(browser.find_elements("css selector", "section svg.chart .mark-line path")) >= 5 * 4
    rows = lambda: [r for r in browser.find_elements("css selector", "#kpi_local_spend tbody tr") if r.is_displayed()]  # noqa: E731
    assert len(rows()) == 7  # the latest year: GM, STAR and the five partners
    table = lambda: browser.find_element("css selector", "#kpi_local_spend table").text  # noqa: E731
    latest = table()
    assert "53.9%" in latest  # STAR home share 2020/21
    Select(browser.find_element("id", "year")).select_by_visible_text("2018/19")
    assert table() != latest and "42.0%" in table()
    Select(browser.find_element("id", "units")).select_by_value("group")
    assert len(rows()) == 2
    assert console_errors(browser) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOTS / "dashboard.png"))
