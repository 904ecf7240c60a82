"""Every delivered file is accounted for; the landing zone trusts nothing (issue 14, items 1, 5, 6).

Fast cases load one file (or scan the landing zone) in an empty workspace and assert its one
recorded state, reason and fix. The slow cases run the whole pipeline on a small landing zone
(Rochdale and Trafford, two months each, and a Rochdale month that is only a header): it publishes,
then a batch of hostile deliveries is blocked with the previous publication byte-identical and
nothing of /etc/passwd anywhere, then the wrong deliveries are withdrawn and it publishes again.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import time
import tracemalloc
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingestion import raw_store
from ingestion.landing import scan_landing
from ingestion.load import load_file
from ingestion.readers import RefusedFile, read_table
from ingestion.registry import load_registry, load_rules
from ingestion.withdraw import WithdrawError, read_withdrawals, withdraw
from orchestration import cli, run_pipeline
from publishing.gate import delivery_checks, landing_checks
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR, Workspace
from tests.integration.test_corrupted_feed import digest_tree

CONFIG = PROJECT_ROOT / "config"
TRAFFORD_APRIL = SAMPLE_DIR / "landing" / "trafford" / "spend" / "trafford-supplier-spend-2019-04.csv"
PASSWD = Path("/etc/passwd")


def trafford(workspace: Workspace, name: str) -> Path:
    folder = workspace.landing / "trafford" / "spend"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def load_one(workspace: Workspace, name: str):
    """Scan the landing zone, load the one file called `name`; (report, manifest, quarantine)."""
    registry = load_registry(CONFIG)
    (landed,) = [f for f in scan_landing(workspace.landing, registry).files if f.path.name == name]
    report = load_file(landed, load_rules(CONFIG), workspace.raw)
    folder = raw_store.partition_dir(workspace.raw, landed.feed, landed.partner, landed.period.key)
    manifest = raw_store.read_manifest(workspace.raw, landed.feed, landed.partner, landed.period.key)
    return report, manifest, pd.read_parquet(folder / raw_store.QUARANTINE)


def zipped(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return buffer.getvalue()


def failed(manifest: dict) -> dict:
    (check,) = [c for c in manifest.checks if not c["success"] and c["severity"] == "blocking"]
    return check


# --- item 1: a file whose load crashes is recorded, and the gate blocks on it -----------------


def test_corrupt_zip_is_recorded_failed_to_read_with_its_fix(workspace):
    good = zipped("april.csv", TRAFFORD_APRIL.read_bytes())
    trafford(workspace, "trafford-supplier-spend-2019-06.zip").write_bytes(good[: len(good) // 2])
    report, manifest, quarantine = load_one(workspace, "trafford-supplier-spend-2019-06.zip")
    assert (report.state, manifest.state, manifest.passed) == ("failed_to_read", "failed_to_read", False)
    check = failed(manifest)
    assert check["check"] == "file_readable" and "not a readable zip archive" in check["reason"]
    assert "send it again" in check["fix"] and len(quarantine) == 0


def test_a_zip_bomb_is_refused_before_it_expands(workspace):
    # 64 MiB of one byte deflates to ~64 KB: a ratio of ~1000 to 1
    bomb = zipped("payments.csv", b"Date,Amount\n" + b"1" * (64 << 20))
    assert len(bomb) < 200_000
    trafford(workspace, "trafford-supplier-spend-2019-07.zip").write_bytes(bomb)
    tracemalloc.start()
    try:
        report, manifest, _ = load_one(workspace, "trafford-supplier-spend-2019-07.zip")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20  # never the whole expansion in memory
    assert manifest.state == "refused" and report.rows_in == 0
    check = failed(manifest)
    assert check["check"] == "file_refused" and "zip bomb" in check["reason"]
    assert "SVW_ARCHIVE_MAX_RATIO" in check["reason"] and "unzip the archive" in check["fix"]


def test_archive_caps_are_settings(workspace, monkeypatch):
    """Expanded size and member count are capped by settings, counted as the member streams."""
    path = trafford(workspace, "trafford-supplier-spend-2019-08.zip")
    path.write_bytes(zipped("april.csv", TRAFFORD_APRIL.read_bytes()))
    assert len(read_table(path).frame) > 0  # within the default caps it loads
    monkeypatch.setenv("SVW_ARCHIVE_MAX_EXPANDED_MB", "1")
    size = TRAFFORD_APRIL.stat().st_size
    if size <= 1 << 20:
        path.write_bytes(zipped("april.csv", TRAFFORD_APRIL.read_bytes() * ((2 << 20) // size + 1)))
    with pytest.raises(RefusedFile, match="SVW_ARCHIVE_MAX_EXPANDED_MB"):
        read_table(path)
    monkeypatch.delenv("SVW_ARCHIVE_MAX_EXPANDED_MB")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(60):
            archive.writestr(f"note_{index}.md", b"x")
        archive.writestr("april.csv", TRAFFORD_APRIL.read_bytes())
    path.write_bytes(buffer.getvalue())
    with pytest.raises(RefusedFile, match="61 entries.*SVW_ARCHIVE_MAX_MEMBERS"):
        read_table(path)


def test_a_load_that_crashes_is_still_recorded(workspace, monkeypatch):
    trafford(workspace, "trafford-supplier-spend-2019-04.csv").write_bytes(TRAFFORD_APRIL.read_bytes())

    def explode(*args, **kwargs):
        raise MemoryError("cannot allocate")

    monkeypatch.setattr("ingestion.load.validate_file", explode)
    report, manifest, _ = load_one(workspace, "trafford-supplier-spend-2019-04.csv")
    assert manifest.state == "failed_to_read" and not report.passed
    check = failed(manifest)
    assert check["check"] == "file_loaded" and "MemoryError: cannot allocate" in check["reason"]


def test_the_gate_blocks_a_delivered_file_without_a_passing_record(workspace):
    path = trafford(workspace, "trafford-supplier-spend-2019-04.csv")
    path.write_bytes(TRAFFORD_APRIL.read_bytes())
    files = scan_landing(workspace.landing, load_registry(CONFIG)).files
    (never_loaded,) = delivery_checks(files, [])
    assert not never_loaded.success and never_loaded.severity == "blocking"
    assert never_loaded.subject == "trafford/spend/trafford-supplier-spend-2019-04.csv"
    assert "no load record" in never_loaded.detail
    _, manifest, _ = load_one(workspace, path.name)
    (loaded,) = delivery_checks(files, [manifest])
    assert loaded.success and loaded.detail.startswith("state loaded")
    path.write_bytes(TRAFFORD_APRIL.read_bytes() + b"\n")  # changed since it was loaded
    (changed,) = delivery_checks(files, [manifest])
    assert not changed.success and "the file changed since" in changed.detail


# --- item 5: links and special files are refused, never read ---------------------------------


def test_symlinks_are_refused_and_never_read(workspace, tmp_path):
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_bytes(TRAFFORD_APRIL.read_bytes())
    trafford(workspace, "trafford-supplier-spend-2019-08.csv").symlink_to(PASSWD)
    trafford(workspace, "trafford-supplier-spend-2019-09.csv").symlink_to(elsewhere)
    (workspace.landing / "rochdale").symlink_to(tmp_path, target_is_directory=True)
    scan = scan_landing(workspace.landing, load_registry(CONFIG))
    assert scan.files == []  # the CSV elsewhere is not loaded as Trafford data
    refused = {p.path.name: p for p in scan.problems}
    assert set(refused) == {"trafford-supplier-spend-2019-08.csv", "trafford-supplier-spend-2019-09.csv", "rochdale"}
    assert all(p.kind == "refused" and "symbolic link" in p.message for p in refused.values())
    checks = landing_checks(scan.problems)
    assert {c.check for c in checks} == {"file_refused"} and not any(c.success for c in checks)
    first_line = PASSWD.read_text().splitlines()[0]
    assert not any(first_line in c.line() or "/etc/passwd" in c.line() for c in checks)
    with pytest.raises(RefusedFile, match="symbolic link"):  # the reader refuses a link itself too
        read_table(trafford(workspace, "trafford-supplier-spend-2019-08.csv"))


def test_a_fifo_is_refused_without_blocking(workspace):
    fifo = trafford(workspace, "trafford-supplier-spend-2019-10.csv")
    os.mkfifo(fifo)

    def hung(*_):
        raise TimeoutError("the landing zone blocked on a named pipe")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)  # opening a pipe for reading would wait forever for a writer
    try:
        scan = scan_landing(workspace.landing, load_registry(CONFIG))
        with pytest.raises(RefusedFile, match="named pipe"):
            read_table(fifo)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    (problem,) = scan.problems
    assert problem.kind == "refused" and "named pipe (FIFO)" in problem.message and scan.files == []


# --- item 6: lesser file faults ---------------------------------------------------------------


def test_a_binary_file_named_csv_is_refused(workspace):
    trafford(workspace, "trafford-supplier-spend-2019-11.csv").write_bytes(bytes(range(256)) * 4 + os.urandom(100_000))
    report, manifest, quarantine = load_one(workspace, "trafford-supplier-spend-2019-11.csv")
    assert manifest.state == "refused" and report.rows_in == 0 and len(quarantine) == 0
    check = failed(manifest)
    assert check["check"] == "file_refused" and "binary content (a NUL byte at byte 0)" in check["reason"]
    assert "re-export it as CSV" in check["fix"]


def test_a_truncated_last_row_is_quarantined_as_that_row(workspace):
    lines = TRAFFORD_APRIL.read_bytes().splitlines(keepends=True)
    cut = lines[5].split(b",")
    cut[4] = b'"' + cut[4]  # the export quoted the supplier name, and the transfer stopped inside it
    body = b"".join(lines[:5]) + b",".join(cut[:5])
    trafford(workspace, "trafford-supplier-spend-2019-04.csv").write_bytes(body)
    report, manifest, quarantine = load_one(workspace, "trafford-supplier-spend-2019-04.csv")
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (5, 4, 1)
    assert manifest.state == "quarantined"
    check = failed(manifest)
    assert check["check"] == "row_complete" and check["example_rows"] == [6]
    assert "cut short" in check["reason"] and "delimiter" not in check["reason"] + check["fix"]
    assert quarantine["source_row_number"].tolist() == [6] and quarantine["checks"].tolist() == ["row_complete"]
    # a row cut between cells, with no quote open: fewer cells than the header, no line end
    trafford(workspace, "trafford-supplier-spend-2019-04.csv").write_bytes(
        b"".join(lines[:5]) + lines[5][:-30].rstrip()
    )
    report, manifest, quarantine = load_one(workspace, "trafford-supplier-spend-2019-04.csv")
    assert (report.rows_loaded, report.rows_quarantined) == (4, 1) and failed(manifest)["check"] == "row_complete"


def test_a_header_only_file_is_an_empty_delivery(workspace):
    header = TRAFFORD_APRIL.read_bytes().splitlines(keepends=True)[0]
    trafford(workspace, "trafford-supplier-spend-2019-06.csv").write_bytes(header)
    report, manifest, _ = load_one(workspace, "trafford-supplier-spend-2019-06.csv")
    assert (manifest.state, manifest.passed, report.rows_in) == ("empty", True, 0)
    (warning,) = [c for c in manifest.checks if not c["success"]]
    assert warning["check"] == "file_has_rows" and warning["severity"] == "warning"
    assert "empty delivery" in warning["reason"] and "partial year" in warning["reason"]


def test_a_very_wide_header_is_refused_quickly(workspace):
    wide = b",".join(b"column_%d" % i for i in range(1_000_000)) + b"\n1,2,3\n"
    trafford(workspace, "trafford-supplier-spend-2019-04.csv").write_bytes(wide)
    started = time.monotonic()
    report, manifest, _ = load_one(workspace, "trafford-supplier-spend-2019-04.csv")
    assert time.monotonic() - started < 10
    assert manifest.state == "refused"
    check = failed(manifest)
    assert "row 1 has 1,000,000 columns" in check["reason"] and "at most 2,000 (SVW_MAX_COLUMNS)" in check["reason"]


def test_an_unreadable_rules_file_is_named_with_its_line(workspace, tmp_path, capsys, monkeypatch):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    rules = config / "rules.yml"
    text = rules.read_text().splitlines()
    text.insert(3, "  broken: [unclosed")
    rules.write_text("\n".join(text) + "\n")
    workspace.export(monkeypatch)
    monkeypatch.setenv("SVW_CONFIG_DIR", str(config))
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--quiet"])
    out = capsys.readouterr()
    assert exit_.value.code == 2
    assert str(rules) in out.out and "line" in out.out and "Traceback" not in out.out + out.err


def test_withdraw_refuses_what_it_cannot_do_and_records_what_it_does(workspace):
    registry = load_registry(CONFIG)
    path = trafford(workspace, "trafford-supplier-spend-2019-04.csv")
    path.write_bytes(TRAFFORD_APRIL.read_bytes())
    _, manifest, _ = load_one(workspace, path.name)
    partition = raw_store.partition_dir(workspace.raw, "spend", "trafford", "2019-04")
    args = (workspace.raw, workspace.landing, registry, "trafford", "spend")
    with pytest.raises(WithdrawError, match="still feeds trafford spend 2019-04.*loaded again"):
        withdraw(*args, "2019-04", "wrong month sent")
    with pytest.raises(WithdrawError, match="not a partition key"):
        withdraw(*args, "../../etc", "x", remove_landing_file=True)
    with pytest.raises(WithdrawError, match="no spend delivery of trafford is loaded for 2019-05.*2019-04"):
        withdraw(*args, "2019-05", "x")
    with pytest.raises(WithdrawError, match="reason is required"):
        withdraw(*args, "2019-04", "  ", remove_landing_file=True)
    assert partition.exists() and path.exists() and read_withdrawals(workspace.raw) == []
    done = withdraw(*args, "2019-04", "wrong month sent", withdrawn_by="ops", remove_landing_file=True)
    assert (
        not partition.exists()
        and not path.exists()
        and Path(done.landing_file).read_bytes() == TRAFFORD_APRIL.read_bytes()
    )
    (entry,) = read_withdrawals(workspace.raw)
    assert entry["withdrawn_by"] == "ops" and entry["reason"] == "wrong month sent"
    assert entry["source_file_hash"] == manifest.source_file_hash and entry["rows_loaded"] == manifest.rows_loaded
    assert raw_store.all_manifests(workspace.raw) == []


# --- the whole pipeline ---------------------------------------------------------------------

SMALL_ZONE = {
    "rochdale": ("Rochdale Payments Apr 2019.csv", "Rochdale Payments May 2019.csv"),
    "trafford": ("trafford-supplier-spend-2019-04.csv", "trafford-supplier-spend-2019-05.csv"),
}
HEADER_ONLY = "Rochdale Payments Jun 2019.csv"


@pytest.fixture(scope="module")
def small_zone(tmp_path_factory):
    """Two partners, two months each, and a Rochdale June that is only a header, published once."""
    ws = Workspace(tmp_path_factory.mktemp("landing_faults"))
    for partner, names in SMALL_ZONE.items():
        folder = ws.landing / partner / "spend"
        folder.mkdir(parents=True)
        for name in names:
            shutil.copy(SAMPLE_DIR / "landing" / partner / "spend" / name, folder)
    april = (ws.landing / "rochdale" / "spend" / SMALL_ZONE["rochdale"][0]).read_bytes()
    header = april.splitlines(keepends=True)
    (ws.landing / "rochdale" / "spend" / HEADER_ONLY).write_bytes(b"".join(header[:3]))  # title, blank, header
    assert run_pipeline.run(quiet=True, settings=ws.settings()) == 0
    return ws


def published(ws: Workspace, table: str) -> pd.DataFrame:
    with duckdb.connect(str(ws.settings().published_warehouse_path), read_only=True) as con:
        return con.sql(f"select * from {table}").df()


@pytest.mark.slow
def test_a_header_only_month_does_not_block_the_other_partner(small_zone):
    feeds = published(small_zone, "publication_feeds").set_index("source_file")
    assert feeds.loc[f"rochdale/spend/{HEADER_ONLY}", "state"] == "empty"
    assert feeds.loc[f"rochdale/spend/{HEADER_ONLY}", "passed"]
    assert (feeds.drop(f"rochdale/spend/{HEADER_ONLY}")["state"] == "loaded").all() and len(feeds) == 5
    kpi = published(small_zone, "kpi_local_spend").set_index("reporting_unit")
    assert kpi.loc["trafford", "in_scope_spend_gbp"] > 0 and kpi.loc["rochdale", "in_scope_spend_gbp"] > 0
    assert kpi.loc["rochdale", "months_covered"] == 2  # the empty June is not counted as covered
    checks = published(small_zone, "publication_checks")
    delivered = checks[checks["check"] == "delivery_recorded"]
    assert len(delivered) == 5 and delivered["success"].all()


HOSTILE = {
    "trafford-supplier-spend-2019-06.zip": "corrupt zip",
    "trafford-supplier-spend-2019-07.zip": "zip bomb",
    "trafford-supplier-spend-2019-08.csv": "link to /etc/passwd",
    "trafford-supplier-spend-2019-09.csv": "link to a CSV outside landing",
    "trafford-supplier-spend-2019-10.csv": "FIFO",
    "trafford-supplier-spend-2019-11.csv": "binary",
}


@pytest.mark.slow
def test_hostile_deliveries_are_recorded_and_block_with_nothing_read(small_zone, tmp_path, capsys):
    before = digest_tree(small_zone.published)
    folder = small_zone.landing / "trafford" / "spend"
    good = zipped("june.csv", TRAFFORD_APRIL.read_bytes())
    (folder / "trafford-supplier-spend-2019-06.zip").write_bytes(good[: len(good) // 2])
    (folder / "trafford-supplier-spend-2019-07.zip").write_bytes(zipped("july.csv", b"a,b\n" + b"0" * (64 << 20)))
    (folder / "trafford-supplier-spend-2019-08.csv").symlink_to(PASSWD)
    elsewhere = tmp_path / "september.csv"
    elsewhere.write_bytes(TRAFFORD_APRIL.read_bytes())
    (folder / "trafford-supplier-spend-2019-09.csv").symlink_to(elsewhere)
    os.mkfifo(folder / "trafford-supplier-spend-2019-10.csv")
    (folder / "trafford-supplier-spend-2019-11.csv").write_bytes(b"\x00\x01\x02" + os.urandom(50_000))
    capsys.readouterr()
    assert run_pipeline.run(quiet=True, settings=small_zone.settings()) == 1
    out = capsys.readouterr().out
    assert "NOT PUBLISHED" in out and digest_tree(small_zone.published) == before
    for name in HOSTILE:
        assert name in out, HOSTILE[name]
    assert "not a readable zip archive" in out and "zip bomb" in out and "binary content" in out
    assert out.count("symbolic link") >= 2 and "named pipe (FIFO)" in out
    secret = PASSWD.read_text().splitlines()[0]
    assert secret not in out
    for path in small_zone.raw.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    states = {m.source_file.split("/")[-1]: m.state for m in raw_store.all_manifests(small_zone.raw)}
    assert states["trafford-supplier-spend-2019-06.zip"] == "failed_to_read"
    assert states["trafford-supplier-spend-2019-07.zip"] == states["trafford-supplier-spend-2019-11.csv"] == "refused"
    assert not {"trafford-supplier-spend-2019-08.csv", "trafford-supplier-spend-2019-09.csv"} & set(states)


@pytest.mark.slow
def test_withdrawn_deliveries_stop_blocking_and_are_reported(small_zone, capsys, monkeypatch):
    """After the hostile run: the files are taken out of landing, but their loads stay in the raw
    layer and keep blocking, until withdrawn; the next publication reports each withdrawal."""
    from orchestration.defs.publish import evaluate_gate

    settings = small_zone.settings()
    folder = small_zone.landing / "trafford" / "spend"
    for name in HOSTILE:
        (folder / name).unlink()
    blocking = {c.subject for c in evaluate_gate(settings)[0].failures}
    for name in ("trafford-supplier-spend-2019-06.zip", "trafford-supplier-spend-2019-07.zip"):
        assert f"trafford/spend/{name}" in blocking  # a wrong delivery blocks, file gone or not
    small_zone.export(monkeypatch)  # the command line reads its folders from the SVW_* variables
    for period in ("2019-06", "2019-07", "2019-11"):
        with pytest.raises(SystemExit) as exit_:
            cli.main(
                ["withdraw", "--partner", "trafford", "--feed", "spend", "--period", period]
                + ["--reason", f"hostile test delivery {period}", "--by", "fault-suite"]
            )
        assert exit_.value.code == 0
    assert (
        "withdrawn trafford spend 2019-11: trafford/spend/trafford-supplier-spend-2019-11.csv"
        in capsys.readouterr().out
    )
    gate = evaluate_gate(settings)[0]
    assert {c.check for c in gate.failures} == {"dbt_build_newer_than_withdrawals"}  # rebuild first
    assert run_pipeline.run(quiet=True, settings=settings) == 0
    checks = published(small_zone, "publication_checks")
    withdrawn = checks[checks["check"] == "delivery_withdrawn"].set_index("subject")
    assert set(withdrawn.index) == {f"trafford/spend/{p}" for p in ("2019-06", "2019-07", "2019-11")}
    assert withdrawn["detail"].str.contains("by fault-suite at .*: hostile test delivery", regex=True).all()
    feeds = published(small_zone, "publication_feeds")
    assert len(feeds) == 5 and not feeds["source_file"].str.contains("2019-0[67]|2019-11").any()


def test_the_dagster_withdraw_job_does_the_same(workspace):
    """The UI's withdraw_delivery job: the same refusals (the run fails, nothing changes) and the same record."""
    from orchestration.defs.withdraw import withdraw_delivery_job

    path = trafford(workspace, "trafford-supplier-spend-2019-04.csv")
    path.write_bytes(TRAFFORD_APRIL.read_bytes())
    load_one(workspace, path.name)
    config = {"partner": "trafford", "feed": "spend", "period": "2019-04", "reason": "sent twice"}

    def launch(**extra):
        return withdraw_delivery_job.execute_in_process(
            run_config={"ops": {"withdraw_delivery_op": {"config": {**config, **extra}}}},
            raise_on_error=False,
            resources=workspace.resources(),
        )

    refused = launch()
    assert not refused.success and read_withdrawals(workspace.raw) == []
    failure = next(e for e in refused.all_events if e.event_type_value == "STEP_FAILURE")
    assert "still feeds trafford spend 2019-04" in failure.event_specific_data.error.message
    assert launch(remove_landing_file=True, withdrawn_by="ui-user").success
    (entry,) = read_withdrawals(workspace.raw)
    assert (entry["withdrawn_by"], entry["reason"], entry["period"]) == ("ui-user", "sent twice", "2019-04")
    assert raw_store.read_manifest(workspace.raw, "spend", "trafford", "2019-04") is None and not path.exists()
