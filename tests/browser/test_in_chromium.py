"""The statement and the dashboard, opened in headless Chromium as a reader would see them."""

import os
import shutil

import pytest

from orchestration import run_pipeline
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow
SCREENSHOTS = PROJECT_ROOT / "data" / "work" / "screenshots"


@pytest.fixture(scope="module")
def published(sample_workspace):
    assert run_pipeline.run(quiet=True) == 0
    return sample_workspace


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("Debian's chromium and chromium-driver are needed: run `make browsers` (make test does)")
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager look for a driver online
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))
    yield driver
    driver.quit()


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_statement_renders_its_charts(published, browser):
    page = published.published / "statements" / "stockport_2020-21_social_value_statement.html"
    browser.get(page.as_uri())
    charts = browser.find_elements("css selector", "svg.chart")
    assert len(charts) == 4
    assert all(chart.size["width"] > 300 and chart.size["height"] > 100 for chart in charts)
    assert len(browser.find_elements("css selector", "svg.chart rect.bar")) > 20
    assert "Stockport" in browser.find_element("tag name", "h1").text
    assert console_errors(browser) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOTS / "statement.png"))


def test_dashboard_filters_and_charts(published, browser):
    from selenium.webdriver.support.ui import Select

    browser.get((published.published / "dashboard.html").as_uri())
    assert len(browser.find_elements("css selector", "section svg.chart rect.bar")) >= 5 * 6
    rows = lambda: browser.find_elements("css selector", "#kpi_local_spend table tr")  # noqa: E731
    assert len(rows()) == 1 + 7  # header + GM, STAR and the five partners
    table = lambda: browser.find_element("css selector", "#kpi_local_spend table").text  # noqa: E731
    latest = table()
    assert "53.9%" in latest  # STAR home share 2020/21
    Select(browser.find_element("id", "year")).select_by_visible_text("2018/19")
    assert table() != latest and "42.0%" in table()
    Select(browser.find_element("id", "units")).select_by_value("group")
    assert len(rows()) == 1 + 2
    assert console_errors(browser) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOTS / "dashboard.png"))
