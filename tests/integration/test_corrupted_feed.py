"""A corrupted feed must be named (check, file, rows), quarantined, and kept from publication."""

import csv
import hashlib
import io

import pandas as pd
import pytest

from ingestion.raw_store import partition_dir
from orchestration import run_pipeline

pytestmark = pytest.mark.slow

VICTIM = "stockport_spend_2020-06.csv"


def digest_tree(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def corrupt_amounts(path, data_rows):
    """Overwrite the Amount cell of the given data rows (1 = first row under the header)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for index in data_rows:
        rows[index][7] = "twelve pounds"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_corrupted_feed_is_reported_quarantined_and_not_published(sample_workspace, capsys):
    assert run_pipeline.run(quiet=True, settings=sample_workspace.settings()) == 0
    published_before = digest_tree(sample_workspace.published)
    assert "warehouse.duckdb" in published_before

    corrupt_amounts(sample_workspace.landing / "stockport" / "spend" / VICTIM, [2, 6])
    capsys.readouterr()
    assert run_pipeline.run(quiet=True, settings=sample_workspace.settings()) == 1
    out = capsys.readouterr().out

    # The run names the failing check, the file and the spreadsheet rows (header = row 1).
    assert "amount_readable" in out
    assert VICTIM in out
    assert "row(s) 3, 7" in out
    assert "NOT PUBLISHED" in out

    # The published warehouse is byte-for-byte what it was.
    assert digest_tree(sample_workspace.published) == published_before

    # Quarantine holds exactly the bad rows, with the reason and the original text.
    quarantine = pd.read_parquet(
        partition_dir(sample_workspace.raw, "spend", "stockport", "2020-06") / "quarantine.parquet"
    )
    assert quarantine["source_row_number"].tolist() == [3, 7]
    assert quarantine["checks"].eq("amount_readable").all()
    assert quarantine["raw_record"].str.contains("twelve pounds").all()
