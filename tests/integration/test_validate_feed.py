"""`svw validate-feed`: the partner's pre-submission check, as a partner would run it."""

import shutil
import subprocess
import sys

from tests.conftest import PROJECT_ROOT, SAMPLE_DIR

GOOD = SAMPLE_DIR / "landing" / "rochdale" / "spend" / "Rochdale Payments Apr 2019.csv"


def svw(*args, cwd=PROJECT_ROOT):
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_a_good_file_passes_and_gets_a_gx_report(tmp_path):
    result = svw(
        "validate-feed", "--partner", "rochdale", "--feed", "spend", "--docs-dir", str(tmp_path / "docs"), str(GOOD)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rows read: " in result.stdout and "rows that would be quarantined: 0" in result.stdout
    assert "encoding cp1252" in result.stdout and "header on row 3" in result.stdout
    index = tmp_path / "docs" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert index.exists()
    assert any((tmp_path / "docs" / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations").rglob("*.html"))


def test_a_bad_file_fails_naming_rows_and_fixes(tmp_path):
    bad = tmp_path / "Rochdale Payments Apr 2019.csv"
    shutil.copy(GOOD, bad)
    lines = bad.read_bytes().decode("cp1252").split("\r\n")
    # header is on file row 3; data rows 4.. ; break the date of row 6 and the amount of row 9
    lines[5] = lines[5].replace("-Apr-19", "-Apx-19", 1)
    cells = lines[8].rsplit(",", 2)
    lines[8] = ",".join([cells[0], "lots", cells[2]]) if not lines[8].count('"') else lines[8].replace("£", "£x", 1)
    bad.write_bytes("\r\n".join(lines).encode("cp1252"))
    result = svw("validate-feed", "--partner", "rochdale", "--feed", "spend", "--no-docs", str(bad))
    assert result.returncode == 1
    assert "payment_date_readable" in result.stdout and "row(s) 6" in result.stdout
    assert "amount_readable" in result.stdout and "row(s) 9" in result.stdout
    assert "Fix:" in result.stdout and "Result: FAIL" in result.stdout


def test_unknown_partner_is_a_clear_configuration_message(tmp_path):
    result = svw("validate-feed", "--partner", "wigan", "--feed", "spend", "--no-docs", str(GOOD))
    assert result.returncode == 2
    assert "unknown partner 'wigan'" in result.stdout


# A folder or a glob: one line per file, the details of files with problems, a total, and the
# redaction markers recognised, per pattern of config/rules.yml.

HEADER = "Date Paid,Supplier Name,Supplier ID,Amount,Transaction Number,Service Area,Expense Type\n"
PAYEES = [  # name, the redaction pattern it must be counted under (None: a real payee)
    ("Redacted", r"^\W*redact(?:ed)?\b"),
    ("*Redact - Personal Information", r"^\W*redact(?:ed)?\b"),
    ("Payee details redacted", r"\bredacted\b"),
    ("Personal Data", r"\bpersonal (?:information|data)\b"),
    ("Name withheld", r"\b(?:name )?withheld\b"),
    ("Redactive Publishing", None),
    ("Acme Cleaning Ltd", None),
]


def _spend_file(folder, month: str, bad_amount_row: int | None = None):
    """A small Stockport-layout month; `bad_amount_row` (spreadsheet row) gets an unreadable amount."""
    lines = [HEADER]
    for index, (name, _) in enumerate(PAYEES):
        amount = "lots" if bad_amount_row == index + 2 else f"{100 + index}.50"
        lines.append(f"0{index + 1}/{month[5:]}/{month[:4]},{name},S{index:03d},{amount},{index},Adults,Care\n")
    path = folder / f"stockport_spend_{month}.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_folder_reports_each_file_a_total_and_fails_if_any_file_fails(tmp_path):
    folder = tmp_path / "spend"
    folder.mkdir()
    _spend_file(folder, "2019-04")
    _spend_file(folder, "2019-05", bad_amount_row=4)
    result = svw("validate-feed", "--partner", "stockport", "--feed", "spend", "--no-docs", str(folder))
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "Validating 2 files as stockport / spend" in out
    assert "[1/2] stockport_spend_2019-04.csv (2019-04): 7 read, 7 would load, 0 quarantined, 5 redacted - PASS" in out
    assert "[2/2] stockport_spend_2019-05.csv (2019-05): 7 read, 6 would load, 1 quarantined, 4 redacted - FAIL" in out
    details = out[out.index("Details of the 1 file(s) with problems or warnings") :]
    assert "stockport_spend_2019-05.csv" in details and "amount_readable" in details and "row(s) 4" in details
    assert "stockport_spend_2019-04.csv as" not in details
    assert "Total: 2 files, 14 rows read, 13 would load, 1 quarantined, 9 redacted; 1 passed, 1 failed" in out
    assert "Result: FAIL - 1 of 2 files must be fixed first: stockport_spend_2019-05.csv." in out


def test_a_glob_takes_the_files_it_matches(tmp_path):
    _spend_file(tmp_path, "2019-04")
    _spend_file(tmp_path, "2019-05")
    (tmp_path / "notes.txt").write_text("not a ledger")
    result = svw(
        "validate-feed",
        "--partner",
        "stockport",
        "--feed",
        "spend",
        "--no-docs",
        str(tmp_path / "stockport_spend_2019-*.csv"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validating 2 files" in result.stdout and "notes.txt" not in result.stdout
    assert (
        "Total: 2 files, 14 rows read, 14 would load, 0 quarantined, 10 redacted; 2 passed, 0 failed" in result.stdout
    )
    assert "Result: PASS - every file can be submitted." in result.stdout


def test_a_file_the_landing_zone_would_not_pick_up_is_a_failure_with_its_fix(tmp_path):
    _spend_file(tmp_path, "2019-04")
    misnamed = _spend_file(tmp_path, "2019-05").rename(tmp_path / "May 2019 payments.csv")
    result = svw("validate-feed", "--partner", "stockport", "--feed", "spend", "--no-docs", str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{misnamed.name} (no period: name matches no pattern): 7 read, 7 would load" in result.stdout
    assert "FAIL file_name_matches_pattern" in result.stdout
    assert "rename the file or extend file_pattern in config/partners.yml" in result.stdout


def test_redactions_are_counted_per_pattern_and_spare_real_firms(tmp_path):
    path = _spend_file(tmp_path, "2019-04")
    result = svw("validate-feed", "--partner", "stockport", "--feed", "spend", "--no-docs", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "rows treated as redacted: 5 " in out
    assert r"pattern '^\W*redact(?:ed)?\b': 2 rows (e.g. 'Redacted', '*Redact - Personal Information')" in out
    assert r"pattern '\bredacted\b': 1 rows (e.g. 'Payee details redacted')" in out
    assert r"pattern '\bpersonal (?:information|data)\b': 1 rows (e.g. 'Personal Data')" in out
    assert r"pattern '\b(?:name )?withheld\b': 1 rows (e.g. 'Name withheld')" in out
    assert "Redactive Publishing" not in out


def test_nothing_to_validate_is_a_usage_error_that_says_what_to_fix(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = svw("validate-feed", "--partner", "stockport", "--feed", "spend", "--no-docs", str(empty))
    assert result.returncode == 2
    assert f"the folder {empty} holds no files" in result.stdout
    result = svw("validate-feed", "--partner", "stockport", "--feed", "spend", "--no-docs", str(tmp_path / "*.csv"))
    assert result.returncode == 2
    assert "matches no file" in result.stdout and "quote it" in result.stdout
    result = svw(
        "validate-feed", "--partner", "stockport", "--feed", "spend", "--no-docs", str(tmp_path / "missing.csv")
    )
    assert result.returncode == 2 and "no such file or folder" in result.stdout


def test_a_mapped_column_the_file_lacks_is_a_warning_not_silence(tmp_path):
    path = _spend_file(tmp_path, "2019-04")
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in lines) + "\n")
    result = svw("validate-feed", "--partner", "stockport", "--feed", "spend", "--no-docs", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "WARN mapped_column_absent [warning]: supplier_ref (looked for 'Supplier ID') is not in this file"
        in result.stdout
    )
