"""Doubled and foreign money is never published (issue 14, item 4).

One good publication of the bundled samples is shared by the file. Then four bad deliveries land
together, as the issue found them: a ledger line sent twice in one file, April 2019 re-sent inside
a zip named for May 2021, another council's rows in Trafford's file, and a month replaced by a copy
cut at a row boundary. The run must block, naming each file, its check and the fix; the previous
publication must stay byte-identical; the doubted rows must be quarantined with their reason, not
dropped. Then the partner's fixes land (the right files again, the wrong one withdrawn, the cut
month confirmed in config/exceptions/) and the publication holds exactly the right figures.

The fast tests below the pipeline ones pin the rules that keep real ledgers green: a reference the
ledger repeats across different lines (Trafford's real files do, with identical care lines) does
not make identical lines doubled money.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import shutil
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from ingestion.exceptions import ExceptionsError, parse_exceptions
from ingestion.landing import LandedFile
from ingestion.manifest import LoadManifest
from ingestion.money_checks import foreign_rows, repeated_lines
from ingestion.periods import Period
from ingestion.raw_store import partition_dir, read_manifest
from ingestion.registry import load_registry
from ingestion.replacement import compare
from ingestion.validate import BLOCKING, ROW_ID, WARNING
from orchestration import run_pipeline
from tests.conftest import PROJECT_ROOT
from tests.factories import load_record

DOUBLED = "stockport_spend_2020-06.csv"  # one line sent twice
FOREIGN = "trafford-supplier-spend-2020-06.csv"  # another council's rows appended
RESENT = "trafford-supplier-spend-2021-05.zip"  # holds April 2019's file
APRIL_2019 = "trafford-supplier-spend-2019-04.csv"
CUT = "stockport_spend_2019-09.csv"  # replaced by a copy cut at a row boundary


def digest_tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def run(settings) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run_pipeline.run(quiet=True, settings=settings)
    return code, out.getvalue()


def manifest(ws, partner: str, period: str) -> dict:
    found = read_manifest(ws.raw, "spend", partner, period)
    assert found is not None, f"no load of {partner} {period}"
    return dataclasses.asdict(found)  # the story compares many fields by name


def check(found: dict, name: str) -> dict:
    return next(c for c in found["checks"] if c["check"] == name)


def published_pence(ws, source_file: str) -> int:
    with duckdb.connect(str(ws.published / "warehouse.duckdb"), read_only=True) as con:
        [(pence,)] = con.execute(
            "select coalesce(sum(cast(round(amount_gbp * 100) as bigint)), 0) from fct_spend where source_file = ?",
            [source_file],
        ).fetchall()
    return int(pence)


@pytest.fixture(scope="module")
def story(sample_workspace, tmp_path_factory):
    """The good publication, the four bad deliveries' blocked run, and the fixed run."""
    ws = sample_workspace
    config = tmp_path_factory.mktemp("money_config") / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    settings = ws.settings(config_dir=config)
    code, _ = run(settings)
    assert code == 0
    good = {
        "published": digest_tree(ws.published),
        "doubled": manifest(ws, "stockport", "2020-06"),
        "foreign": manifest(ws, "trafford", "2020-06"),
        "april": manifest(ws, "trafford", "2019-04"),
        "cut": manifest(ws, "stockport", "2019-09"),
        "cut_published": published_pence(ws, f"stockport/spend/{CUT}"),
    }
    stockport, trafford = ws.landing / "stockport" / "spend", ws.landing / "trafford" / "spend"
    originals = {name: (folder / name).read_bytes() for folder, name in ((stockport, DOUBLED), (trafford, FOREIGN))}

    rows = csv_rows(stockport / DOUBLED)
    doubled_line = rows[5]
    rows.insert(6, doubled_line)  # data row 5 again, as spreadsheet row 7
    write_rows(stockport / DOUBLED, rows)

    rows = csv_rows(trafford / FOREIGN)
    foreign = [list(r) for r in rows[1:4]]
    for n, row in enumerate(foreign):
        row[0] = "Manchester City Council"
        row[7] = str(9_900_000_000 + n)  # their own transaction numbers
    write_rows(trafford / FOREIGN, rows + foreign)

    with zipfile.ZipFile(trafford / RESENT, "w") as archive:
        archive.writestr(APRIL_2019, (trafford / APRIL_2019).read_bytes())

    rows = csv_rows(stockport / CUT)
    kept = rows[: len(rows) // 2]
    write_rows(stockport / CUT, kept)

    blocked_code, blocked_out = run(settings)
    blocked = {
        "code": blocked_code,
        "out": blocked_out,
        "published": digest_tree(ws.published),
        "doubled": manifest(ws, "stockport", "2020-06"),
        "doubled_quarantine": pd.read_parquet(
            partition_dir(ws.raw, "spend", "stockport", "2020-06") / "quarantine.parquet"
        ),
        "foreign": manifest(ws, "trafford", "2020-06"),
        "foreign_quarantine": pd.read_parquet(
            partition_dir(ws.raw, "spend", "trafford", "2020-06") / "quarantine.parquet"
        ),
        "resent": manifest(ws, "trafford", "2021-05"),
        "april": manifest(ws, "trafford", "2019-04"),
        "cut": manifest(ws, "stockport", "2019-09"),
    }

    # The partners' fixes: the right files again, the wrong delivery withdrawn (its file and
    # its partition), and the shorter month confirmed as right, on the record.
    for folder, name in ((stockport, DOUBLED), (trafford, FOREIGN)):
        (folder / name).write_bytes(originals[name])
    (trafford / RESENT).unlink()
    shutil.rmtree(partition_dir(ws.raw, "spend", "trafford", "2021-05"))
    cut_total = blocked["cut"]["loaded_amount_pence"]
    (config / "exceptions" / "stockport.yml").write_text(
        yaml.safe_dump(
            {
                "version": "stockport-exceptions-1",
                "exceptions": [
                    {
                        "id": "SMBC-2019-009",
                        "file": CUT,
                        "check": "replacement_shrank",
                        "amount": f"{cut_total / 100:.2f}",
                        "reason": "September closed early; the rest was re-posted to October",
                        "accepted_by": "A. Finance, Chief Finance Officer",
                        "accepted_on": "2019-10-15",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    try:
        fixed_code, fixed_out = run(settings)
    except Exception as exc:  # noqa: BLE001 - e.g. a confirmation the exceptions file refuses
        fixed_code, fixed_out = None, f"the fixed run raised {type(exc).__name__}: {exc}"
    fixed = {
        "code": fixed_code,
        "out": fixed_out,
        "cut": manifest(ws, "stockport", "2019-09"),
        "cut_published": published_pence(ws, f"stockport/spend/{CUT}"),
        "doubled_published": published_pence(ws, f"stockport/spend/{DOUBLED}"),
        "foreign_published": published_pence(ws, f"trafford/spend/{FOREIGN}"),
        "resent_published": published_pence(ws, f"trafford/spend/{RESENT}"),
    }
    return {"good": good, "blocked": blocked, "fixed": fixed, "doubled_line": doubled_line, "kept": kept}


@pytest.mark.slow
def test_bad_deliveries_block_and_leave_the_publication_untouched(story):
    blocked = story["blocked"]
    assert blocked["code"] == 1
    assert "NOT PUBLISHED" in blocked["out"]
    assert blocked["published"] == story["good"]["published"]


@pytest.mark.slow
def test_a_line_sent_twice_counts_once_and_blocks(story):
    good, blocked = story["good"]["doubled"], story["blocked"]
    out = blocked["out"]
    assert f"FAIL [feed] transaction_repeated_in_file on stockport/spend/{DOUBLED}" in out
    assert "row 7 repeats row 6" in out and f"remove the repeated line(s) from stockport/spend/{DOUBLED}" in out
    doubled = blocked["doubled"]
    assert not doubled["passed"]
    # nothing lost: the copy is quarantined with its £, and the payment counts once
    assert doubled["rows_in"] == good["rows_in"] + 1
    assert doubled["rows_quarantined"] == 1 and doubled["rows_loaded"] == good["rows_loaded"]
    assert doubled["loaded_amount_pence"] == good["loaded_amount_pence"]
    quarantine = blocked["doubled_quarantine"]
    assert quarantine["source_row_number"].tolist() == [7]
    assert quarantine["checks"].tolist() == ["transaction_repeated_in_file"]
    assert quarantine["raw_record"].iloc[0].count(story["doubled_line"][4]) == 1  # its transaction number
    # once corrected, the month is published at its one-count figure
    assert story["fixed"]["doubled_published"] == good["loaded_amount_pence"]


@pytest.mark.slow
def test_a_period_re_sent_under_another_name_blocks(story):
    blocked = story["blocked"]
    out = blocked["out"]
    assert f"FAIL [feed] file_mostly_outside_named_period on trafford/spend/{RESENT}" in out
    assert "lie outside 2021-05" in out and "name the file for the period its rows are in" in out
    # ... and each of its payments is already loaded from April 2019's own file
    assert f"FAIL [feed] transaction_in_another_period on trafford/spend/{RESENT}" in out
    assert f"already loaded from trafford/spend/{APRIL_2019} (2019-04)" in out
    resent = blocked["resent"]
    assert not resent["passed"]
    assert resent["rows_loaded"] == 0 and resent["rows_quarantined"] == resent["rows_in"] > 0
    # April 2019 itself is untouched, and the withdrawn delivery never reaches a figure
    assert blocked["april"]["load_id"] == story["good"]["april"]["load_id"]
    assert story["fixed"]["resent_published"] == 0


@pytest.mark.slow
def test_another_bodys_rows_are_not_this_partners_spend(story):
    good, blocked = story["good"]["foreign"], story["blocked"]
    out = blocked["out"]
    assert f"FAIL [feed] organisation_is_partner on trafford/spend/{FOREIGN}" in out
    assert "name another body than Trafford Council as the payer ('Manchester City Council')" in out
    assert "remove the other body's rows" in out
    foreign = blocked["foreign"]
    assert not foreign["passed"]
    assert foreign["rows_quarantined"] == 3 and foreign["loaded_amount_pence"] == good["loaded_amount_pence"]
    quarantine = blocked["foreign_quarantine"]
    assert quarantine["checks"].eq("organisation_is_partner").all()
    assert quarantine["raw_record"].str.contains("Manchester City Council").all()
    assert story["fixed"]["foreign_published"] == good["loaded_amount_pence"]


@pytest.mark.slow
def test_a_cut_replacement_blocks_until_confirmed(story):
    good, blocked, fixed = story["good"], story["blocked"], story["fixed"]
    out = blocked["out"]
    cut = blocked["cut"]
    assert cut["rows_in"] == len(story["kept"]) - 1 < good["cut"]["rows_in"]
    assert f"FAIL [feed] replacement_shrank on stockport/spend/{CUT}" in out
    assert f"rows {good['cut']['rows_in']:,} -> {cut['rows_in']:,}" in out
    assert "send the complete file for 2019-09 again" in out and "check: replacement_shrank" in out
    assert not cut["passed"]
    # confirmed on the record: the shorter month loads, the run publishes, and says who accepted it
    assert fixed["code"] == 0, fixed["out"]
    accepted = check(fixed["cut"], "replacement_shrank")
    assert accepted["severity"] == WARNING and accepted["success"]
    assert "accepted as SMBC-2019-009" in accepted["reason"] and "A. Finance" in accepted["reason"]
    assert f"rows {good['cut']['rows_in']:,} -> {cut['rows_in']:,}" in accepted["reason"]
    assert fixed["cut_published"] == cut["loaded_amount_pence"] < good["cut_published"]


# --- the rules behind the checks, on small frames (fast) ------------------------------------------


def _frames(lines: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.DataFrame(lines).astype("string")
    raw.insert(0, ROW_ID, range(2, len(lines) + 2))
    prepared = pd.DataFrame({ROW_ID: raw[ROW_ID], "transaction_ref": raw["ref"]})
    return raw, prepared


def test_identical_lines_under_a_reference_the_ledger_repeats_are_not_doubled():
    """Trafford's real 2024-25 ledger has 90 identical £1,519.24 care lines under one transaction,
    and references that carry different lines of one invoice: identical lines there are genuine."""
    lines = [
        {"ref": "1901657830", "amount": "1519.24", "purpose": "SUPP LIVING CONT"},
        {"ref": "1901657830", "amount": "1519.24", "purpose": "SUPP LIVING CONT"},
        {"ref": "1901657830", "amount": "-30.00", "purpose": "CLIENTS PERS NEEDS"},
    ]
    result, quarantined = repeated_lines(*_frames(lines), "trafford/spend/x.csv")
    assert result.severity == WARNING and result.success and result.failing_rows == 1
    assert quarantined == []


def test_an_identical_line_where_references_identify_lines_is_doubled():
    lines = [
        {"ref": "4103340", "amount": "2500.00", "purpose": "Roofing"},
        {"ref": "4103341", "amount": "12.00", "purpose": "Fees"},
        {"ref": "4103340", "amount": "2500.00", "purpose": "Roofing"},
        {"ref": None, "amount": "5.00", "purpose": "Petty"},
        {"ref": None, "amount": "5.00", "purpose": "Petty"},  # no reference: cannot be told apart
    ]
    result, quarantined = repeated_lines(*_frames(lines), "stockport/spend/x.csv")
    assert result.severity == BLOCKING and not result.success
    assert quarantined == [4] and "row 4 repeats row 2" in result.reason


def test_the_partner_is_known_by_its_name_code_and_district_only():
    registry = load_registry(PROJECT_ROOT / "config")
    names = ["Trafford Council", "TRAFFORD METROPOLITAN BOROUGH COUNCIL", "trafford", "E08000009", None, ""]
    names += ["Manchester City Council", "Stockport MBC"]
    mapped = pd.DataFrame({ROW_ID: range(2, len(names) + 2), "organisation": pd.array(names, dtype="string")})
    result, quarantined = foreign_rows(mapped, registry.partner("trafford"))
    assert quarantined == [8, 9] and not result.success


def _landed(tmp_path: Path, exceptions=None) -> LandedFile:
    registry = load_registry(PROJECT_ROOT / "config")
    config = registry.feed("stockport", "spend")
    if exceptions is not None:
        config = replace(config, exceptions=exceptions)
    return LandedFile("stockport", "spend", Period("2019-09", date(2019, 9, 1), 1), tmp_path / CUT, config)


def _record(**fields) -> LoadManifest:
    """A load record of the CUT partition with the fields a replacement is compared on."""
    base = dict(
        period="2019-09",
        source_file=f"stockport/spend/{CUT}",
        source_file_hash="aaa",
        load_id="1",
        loaded_at="2019-10-01T00:00:00",
        rows_in=200,
        rows_loaded=200,
        loaded_amount_pence=1_000_000,
    )
    return load_record(**{**base, **fields})


def test_a_replacement_compares_with_the_last_passed_file_not_with_itself(tmp_path):
    good = _record()
    first = compare(tmp_path, _landed(tmp_path), "bbb", good, rows_in=100, loaded_pence=500_000, max_drop=0.1)
    assert first is not None and not first.success
    # next run: the partition now holds the blocked replacement itself; still blocked
    failed = replace(good, passed=False, source_file_hash="bbb", rows_in=100, loaded_amount_pence=500_000)
    again = compare(tmp_path, _landed(tmp_path), "bbb", failed, rows_in=100, loaded_pence=500_000, max_drop=0.1)
    assert again is not None and not again.success and "rows 200 -> 100" in again.reason
    # a correction within the allowed fall passes; the same file reloaded is no replacement
    ok = compare(tmp_path, _landed(tmp_path), "ccc", good, rows_in=195, loaded_pence=990_000, max_drop=0.1)
    assert ok is not None and ok.success
    assert compare(tmp_path, _landed(tmp_path), "aaa", good, rows_in=200, loaded_pence=1_000_000, max_drop=0.1) is None


def test_a_replacement_is_confirmed_by_an_exact_recorded_entry(tmp_path):
    registry = load_registry(PROJECT_ROOT / "config")
    entry = {
        "id": "SMBC-2019-009",
        "file": CUT,
        "check": "replacement_shrank",
        "amount": "5000.00",
        "reason": "closed early",
        "accepted_by": "A. Finance",
        "accepted_on": "2019-10-15",
    }
    listed = parse_exceptions({"version": "v1", "exceptions": [entry]}, registry.partner("stockport"), "x.yml")
    good = _record()
    landed = _landed(tmp_path, listed)
    accepted = compare(tmp_path, landed, "bbb", good, rows_in=100, loaded_pence=500_000, max_drop=0.1)
    assert accepted is not None and accepted.success and accepted.severity == WARNING
    other = compare(tmp_path, landed, "ddd", good, rows_in=100, loaded_pence=400_000, max_drop=0.1)
    assert other is not None and not other.success and "the file changed since it was accepted" in other.reason
    with pytest.raises(ExceptionsError, match="matches none of stockport's spend file patterns"):
        parse_exceptions(
            {"version": "v1", "exceptions": [entry | {"file": "wrong.csv"}]}, registry.partner("stockport"), "x.yml"
        )


def test_rows_parquet_is_what_the_check_reads():
    """The cross-period check reads these raw columns; a raw-layout change must keep them."""
    from ingestion.load import SPEND_SCHEMA
    from ingestion.money_checks import TRANSACTION_KEY

    assert set(TRANSACTION_KEY) | {"source_file", "period"} <= set(SPEND_SCHEMA.names)
