"""`svw validate-feed`: the partner's pre-submission check, as a partner would run it."""

import shutil
import subprocess
import sys

from tests.conftest import PROJECT_ROOT, SAMPLE_DIR

GOOD = SAMPLE_DIR / "landing" / "rochdale" / "spend" / "Rochdale Payments Apr 2019.csv"


def svw(*args, cwd=PROJECT_ROOT):
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_a_good_file_passes_and_gets_a_gx_report(tmp_path):
    result = svw("validate-feed", "--partner", "rochdale", "--feed", "spend", "--docs-dir",
                 str(tmp_path / "docs"), str(GOOD))
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
