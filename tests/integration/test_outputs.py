"""Statements, dashboard, exports and catalogue, as `make run` writes them."""

import subprocess

import pandas as pd
import pytest

from orchestration import run_pipeline
from publishing.exports import neutralise, safe_frame
from publishing.statements import render_statements

pytestmark = pytest.mark.slow
STAR = ("stockport", "trafford", "rochdale", "tameside")


@pytest.fixture(scope="module")
def published(sample_workspace):
    assert run_pipeline.run(quiet=True, settings=sample_workspace.settings()) == 0
    return sample_workspace


def test_a_statement_per_star_partner_and_year(published):
    folder = published.published / "statements"
    for partner in STAR:
        for year in ("2018-19", "2019-20", "2020-21"):
            stem = f"{partner}_{year}_social_value_statement"
            assert (folder / f"{stem}.html").stat().st_size > 5000
            assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    html = (folder / "stockport_2020-21_social_value_statement.html").read_text()
    assert "2019/20" in html  # previous year beside each figure
    assert html.count('<svg class="chart"') == 4  # local share, themes, commitments v delivery, SME/VCSE
    assert "Illustrative framework" in html  # valued with the demo framework, and says so
    assert "Red-rated deliveries" in html and "local-spend-v3" in html
    assert "Coverage in 2020/21: 96.0% of in-scope spend has a known supplier location" in html
    # the sample's coverage meets the rule for every headline figure; only the local multiplier, whose
    # planted supply-chain returns cover a few % of in-scope spend, is provisional, and says why
    assert '<div class="caveat">Provisional:' not in html
    lm3 = html[html.index('id="local_multiplier"') :]
    assert "Provisional:" in lm3 and "below the 50.0% the rule asks" in lm3


def test_pdf_pages_render_as_images(published, tmp_path):
    pdf = published.published / "statements" / "trafford_2020-21_social_value_statement.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 3 <= len(pages) <= 16  # every section of the template, the map and the issue 16-17 sections


def test_statements_need_only_the_published_warehouse(published, tmp_path):
    (published.work / "warehouse.duckdb").rename(published.work / "moved.duckdb")
    try:
        made = render_statements(published.published / "warehouse.duckdb", tmp_path, with_pdf=False)
    finally:
        (published.work / "moved.duckdb").rename(published.work / "warehouse.duckdb")
    assert len(made) == 15  # five partners (Bury publishes spend only) x three years


def test_exports_csv_and_workbook(published):
    folder = published.published / "exports"
    kpi = pd.read_csv(folder / "kpi_local_spend.csv")
    assert len(kpi) == 21  # five partners and two groups x three years
    book = pd.ExcelFile(folder / "gm_social_value_kpis.xlsx")
    assert book.sheet_names[0] == "Cover" and book.sheet_names[-1] == "Notes"
    assert {"kpi_local_spend", "kpi_sv_secured", "kpi_deprivation_spend", "kpi_svmi"} <= set(book.sheet_names)


def test_formula_like_text_is_neutralised():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [neutralise(v) for v in ("+1", "-2", "@SUM(A1)", "Acme", 3)] == ["'+1", "'-2", "'@SUM(A1)", "Acme", 3]
    frame = safe_frame(pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "ok"], "value": [-1.5, 2.0]}))
    assert frame["name"].tolist() == ["'=cmd|' /C calc'!A0", "ok"] and frame["value"].tolist() == [-1.5, 2.0]


def test_catalogue_and_dashboard(published):
    catalogue = (published.published / "catalogue" / "index.html").read_text()
    assert "kpi_local_spend" in catalogue and "annual_social_value_statement" in catalogue
    assert "gm_dashboard" in catalogue
    dashboard = (published.published / "dashboard.html").read_text()
    assert "kpi_sme_vcse" in dashboard and "/*DATA*/null" not in dashboard


def test_statements_whose_figures_are_unchanged_are_copied_not_drawn(published, tmp_path):
    """Issue 13: a new release redraws only the partner-years whose figures changed; the others are
    the previous release's files, byte for byte, and statements/index.json says which is which."""
    import json
    import shutil

    from ingestion.registry import SHIPPED_CONFIG

    warehouse = published.published / "warehouse.duckdb"
    config = tmp_path / "config"
    shutil.copytree(SHIPPED_CONFIG, config)
    first = render_statements(warehouse, tmp_path / "first", with_pdf=False, config_dir=config)
    assert not any(s.reused for s in first) and len({s.fingerprint for s in first}) == len(first)

    # one partner-year's narrative changes; every other statement shows what it showed before
    narrative = config / "narratives" / "stockport" / "2020-21.md"
    narrative.write_text(narrative.read_text(encoding="utf-8") + "\nA sentence added after review.\n")
    second = render_statements(
        warehouse, tmp_path / "second", with_pdf=False, config_dir=config, previous_dir=tmp_path / "first", workers=2
    )
    drawn = {(s.partner, s.financial_year) for s in second if not s.reused}
    assert drawn == {("stockport", "2020/21")}, drawn
    for s in second:
        before = (tmp_path / "first" / s.html_path.name).read_bytes()
        assert (s.html_path.read_bytes() == before) is s.reused
    index = json.loads((tmp_path / "second" / "index.json").read_text())["statements"]
    assert len(index) == len(second) and {e["rendered_in"] for e in index} == {first[0].rendered_in}
    assert sum(e["reused"] for e in index) == len(second) - 1

    # without the previous release's files every statement is drawn again
    assert not any(
        s.reused for s in render_statements(warehouse, tmp_path / "third", with_pdf=False, config_dir=config)
    )


def test_a_rebuild_with_the_same_figures_copies_every_statement(published):
    """The statements asset hands the current release's statements to the next one: rebuilt from the
    same inputs, no statement is drawn again, and each still names the publication it was drawn in."""
    import json

    before = json.loads((published.published / "statements" / "index.json").read_text())["statements"]
    first_release = published.published.resolve().name
    assert run_pipeline.run(quiet=True, settings=published.settings(), rebuild=True) == 0
    assert published.published.resolve().name != first_release  # a new release was published
    after = json.loads((published.published / "statements" / "index.json").read_text())["statements"]
    assert [e["stem"] for e in after] == [e["stem"] for e in before] and all(e["reused"] for e in after)
    assert {e["rendered_in"] for e in after} == {first_release}
    assert {e["fingerprint"] for e in after} == {e["fingerprint"] for e in before}
