"""The KPI workbook as the guidance on releasing statistics in spreadsheets asks, read with openpyxl."""

from decimal import Decimal

import pandas as pd
from openpyxl import load_workbook

from publishing.exports import export_tables
from publishing.workbook import HEADER_ROW, header_label, write_workbook

PUBLICATION = {"publication_id": "pub-test", "published_at": "2026-12-02 09:00:00+00:00", "rule_versions": "{}"}


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "reporting_unit": ["stockport", '=HYPERLINK("http://x")', "-Dash Ltd"],
            "financial_year": ["2019/20"] * 3,
            "in_scope_spend_gbp": [Decimal("405000000.00"), Decimal("1234.50"), None],
            "home_share_pct": [42.0, None, 12.5],
            "suppliers": pd.array([3, 4, 5], dtype="Int64"),
        }
    )


def test_cover_notes_and_one_excel_table_per_sheet(tmp_path):
    path = write_workbook({"kpi_local_spend": frame()}, PUBLICATION, tmp_path / "book.xlsx", ["a general note"])
    book = load_workbook(path)
    assert book.sheetnames == ["Cover", "kpi_local_spend", "Notes"]
    cover = book["Cover"]
    assert cover["A1"].font.bold and "pub-test" in cover["A2"].value
    links = {cell.value: cell.hyperlink.location for cell in cover["A"] if cell.hyperlink}
    assert links == {"Notes": "'Notes'!A1", "kpi_local_spend": "'kpi_local_spend'!A1"}

    sheet = book["kpi_local_spend"]
    assert sheet["A1"].font.bold and sheet["A1"].value  # a title above the table
    (table,) = sheet.tables.values()
    assert table.ref == f"A{HEADER_ROW}:E{HEADER_ROW + 3}"
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    assert headers == ["Reporting unit", "Financial year", "In scope spend (£)", "Home share (%)", "Suppliers"]
    assert all(cell.font.bold for cell in sheet[HEADER_ROW])
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1

    spend = sheet.cell(row=HEADER_ROW + 1, column=3)
    assert spend.value == 405000000.0 and spend.data_type == "n" and spend.number_format == "£#,##0.00"
    assert sheet.cell(row=HEADER_ROW + 3, column=3).value is None  # missing is empty, never 0 or 'nan'
    assert sheet.cell(row=HEADER_ROW + 2, column=4).value is None
    assert sheet.cell(row=HEADER_ROW + 1, column=5).number_format == "#,##0"
    formula_like, dashed = sheet.cell(row=HEADER_ROW + 2, column=1), sheet.cell(row=HEADER_ROW + 3, column=1)
    # stored as text: no formula can run, and no apostrophe to see or to break a lookup
    assert formula_like.data_type == "s" and formula_like.value == '=HYPERLINK("http://x")'
    assert dashed.data_type == "s" and dashed.value == "-Dash Ltd"
    assert 10 <= sheet.column_dimensions["A"].width <= 60

    notes = book["Notes"]
    texts = [row[2].value for row in notes.iter_rows(min_row=5)]
    assert "a general note" in texts
    assert any("Partner code" in (t or "") for t in texts)  # the column's description from the dbt yml


def test_an_empty_table_says_so(tmp_path):
    path = write_workbook({"kpi_local_spend": frame().iloc[0:0]}, PUBLICATION, tmp_path / "book.xlsx", [])
    sheet = load_workbook(path)["kpi_local_spend"]
    assert sheet.cell(row=HEADER_ROW + 1, column=1).value == "No rows in this publication."


def test_header_labels():
    assert header_label("in_scope_spend_gbp") == "In scope spend (£)"
    assert header_label("sme_bids_pct") == "SME bids (%)"
    assert header_label("sv_committed_gbp") == "Social value committed (£)"


def test_exports_write_csv_with_the_guard_and_the_workbook_without(tmp_path):
    parquet = tmp_path / "parquet"
    parquet.mkdir()
    data = frame().drop(columns=["suppliers", "home_share_pct"])
    data.to_parquet(parquet / "kpi_sv_secured.parquet")
    written = export_tables(parquet, tmp_path / "exports", PUBLICATION)
    csv = pd.read_csv(written["kpi_sv_secured"])
    assert csv["reporting_unit"].tolist()[1:] == ['\'=HYPERLINK("http://x")', "'-Dash Ltd"]
    sheet = load_workbook(written["workbook"])["kpi_sv_secured"]
    assert sheet.cell(row=HEADER_ROW + 3, column=1).value == "-Dash Ltd"
