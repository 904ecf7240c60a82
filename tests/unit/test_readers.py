import io
import zipfile

import pytest
from openpyxl import Workbook

from ingestion.readers import ReadError, header_key, read_table

EXPECTED = {header_key(h) for h in ("Date", "Supplier", "Amount")}


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_utf8_bom_and_trailing_empty_columns_and_blank_runs(tmp_path):
    path = write(
        tmp_path / "f.csv",
        "Date,Supplier,Amount,,\r\n01/04/2019,Acme,1.00,,\r\n,,,,\r\n,,,,\r\n02/04/2019,Beta,2.00,,\r\n",
        "utf-8-sig",
    )
    table = read_table(path, expected_headers=EXPECTED)
    assert list(table.frame.columns) == ["Date", "Supplier", "Amount"]
    assert table.frame["Supplier"].tolist() == ["Acme", "Beta"]
    assert table.row_numbers.tolist() == [2, 5]  # spreadsheet row numbers survive skipped blanks
    assert table.blank_rows_skipped == 2


def test_misdecoded_bom_in_header(tmp_path):
    path = write(tmp_path / "f.csv", "\u00ef\u00bb\u00bfDate,Supplier,Amount\n01/04/2019,Acme,1\n")
    assert list(read_table(path).frame.columns) == ["Date", "Supplier", "Amount"]


def test_cp1252_detected_and_title_lines_skipped(tmp_path):
    path = write(
        tmp_path / "f.csv",
        "Council payments over £500\r\n\r\nDate,Supplier,Amount\r\n"
        '03-Apr-19,Caf\u00e9 Rouge \u2013 Bury,"£15,867.72"\r\n',
        "cp1252",
    )
    table = read_table(path, expected_headers=EXPECTED)
    assert table.encoding == "cp1252"
    assert table.header_row == 3
    assert table.frame.loc[0, "Supplier"] == "Caf\u00e9 Rouge \u2013 Bury"
    assert table.row_numbers.tolist() == [4]


def test_semicolon_delimiter_is_sniffed(tmp_path):
    path = write(tmp_path / "f.csv", "Date;Supplier;Amount\n01/04/2019;Acme;1,50\n")
    table = read_table(path, expected_headers=EXPECTED)
    assert table.frame.loc[0, "Amount"] == "1,50"


def test_declared_na_values(tmp_path):
    path = write(tmp_path / "f.csv", "Date,Supplier,Amount\n01/04/2019,NA,1\n")
    assert read_table(path, na_values=("NA",)).frame["Supplier"].isna().all()


def test_excel_first_sheet_with_real_dates(tmp_path):
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["Title line"])
    sheet.append(["Date", "Supplier", "Amount"])
    sheet.append([datetime(2019, 4, 1), "Acme", 12.5])
    sheet.append([43557, "Beta", 3])
    book.save(tmp_path / "f.xlsx")
    table = read_table(tmp_path / "f.xlsx", expected_headers=EXPECTED)
    assert table.from_excel and table.header_row == 2
    assert table.frame["Date"].tolist() == ["2019-04-01", "43557"]
    assert table.frame["Amount"].tolist() == ["12.5", "3"]


def test_legacy_xls_with_title_line_dates_and_named_sheet(tmp_path):
    from datetime import datetime

    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("Cover").write(0, 0, "not the data")
    sheet = book.add_sheet("Payments")
    for col, value in enumerate(["Date", "Supplier", "Amount"]):
        sheet.write(1, col, value)
    sheet.write(0, 0, "Payments over £500, April 2019")
    sheet.write(2, 0, datetime(2019, 4, 1), xlwt.easyxf(num_format_str="DD/MM/YYYY"))
    sheet.write(2, 1, "Acme Ltd")
    sheet.write(2, 2, 1234.5)
    book.save(str(tmp_path / "f.xls"))
    table = read_table(tmp_path / "f.xls", sheet="Payments", expected_headers=EXPECTED)
    assert table.from_excel and table.header_row == 2
    assert table.frame.to_dict("records") == [{"Date": "2019-04-01", "Supplier": "Acme Ltd", "Amount": "1234.5"}]


def test_xls_read_by_content_not_name(tmp_path):
    text = write(tmp_path / "text.xls", "Date,Supplier,Amount\n01/04/2019,Acme,1\n")  # a CSV export named .xls
    assert read_table(text).frame.loc[0, "Supplier"] == "Acme"
    book = Workbook()
    book.active.append(["Date", "Supplier", "Amount"])
    book.active.append(["01/04/2019", "Beta", 2])
    book.save(tmp_path / "modern.xls")  # an .xlsx named .xls
    assert read_table(tmp_path / "modern.xls").frame.loc[0, "Supplier"] == "Beta"
    html = write(tmp_path / "page.xls", "<html><table><tr><td>Date</td></tr></table></html>")
    with pytest.raises(ReadError, match=r"page\.xls: is a web page \(HTML\).*save it as \.xlsx or CSV"):
        read_table(html)


def test_damaged_xls_names_the_file_and_the_fix(tmp_path):
    path = tmp_path / "payments.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)  # Excel's signature, then nothing
    with pytest.raises(ReadError, match=r"payments\.xls: cannot be read as an Excel 97-2003.*save it again"):
        read_table(path)


def test_zipped_csv(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.csv", "Date,Supplier,Amount\n01/04/2019,Acme,1\n")
    (tmp_path / "f.zip").write_bytes(buffer.getvalue())
    assert read_table(tmp_path / "f.zip").frame.loc[0, "Supplier"] == "Acme"


def test_zip_with_two_files_is_refused_with_a_reason(tmp_path):
    with zipfile.ZipFile(tmp_path / "f.zip", "w") as archive:
        archive.writestr("a.csv", "x\n")
        archive.writestr("b.csv", "x\n")
    with pytest.raises(ReadError, match="exactly one"):
        read_table(tmp_path / "f.zip")


def test_declared_encoding_that_is_wrong_says_what_to_change(tmp_path):
    path = write(tmp_path / "f.csv", "Date,Supplier\n01/04/2019,Caf\u00e9\n", "cp1252")
    with pytest.raises(ReadError, match="set 'encoding'"):
        read_table(path, encoding="utf-8")


def test_rows_wider_than_the_header_deep_in_the_file(tmp_path):
    body = "".join(f"01/04/2019,Firm {i},{i}\n" for i in range(100))
    path = write(tmp_path / "f.csv", "Date,Supplier,Amount\n" + body + "02/04/2019,Late,5,\n")
    table = read_table(path, expected_headers=EXPECTED)
    assert list(table.frame.columns) == ["Date", "Supplier", "Amount"]
    assert len(table.frame) == 101
