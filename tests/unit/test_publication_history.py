"""One publication = one immutable folder: the last N kept, a publication_history carried into each
new publication, "the figures as published on date D", and a reader that opens `current` while
publications switch never sees a mix of two.

These build small publications from a tiny working warehouse (one table per declared published
table), so they run in seconds; the whole pipeline's publication is checked by
tests/integration/test_published_outputs_for_analysts.py.
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, date, datetime

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration import cli
from publishing import publish as publish_module
from publishing.declared import declared
from publishing.gate import GateCheck, GateReport
from publishing.history import as_published, end_of_day_utc
from publishing.publish import publish, staging_dir, switch_release
from tests.factories import load_record

GATE = GateReport([GateCheck("dbt", "a_check", "a_model", "blocking", True, "passed")])
MANIFESTS = [load_record(source_file_hash="abc", load_id="l1", loaded_at="2026-11-01T00:00:00+00:00")]


@pytest.fixture
def working(tmp_path):
    """A working warehouse holding every declared published table (one row, a money decimal)."""
    path = tmp_path / "work" / "warehouse.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        for table in declared().published:
            con.execute(f'create table "{table}" as select 1 as n, 1234.57::decimal(18, 2) as amount_gbp')
    return path


def _publish(working, published_dir, run_id, keep=3, at=None, monkeypatch=None, export_text=None):
    """Stage and switch one publication, as the build_and_publish job does (outputs in between)."""
    if at is not None:

        class Frozen(datetime):
            @classmethod
            def now(cls, tz=None):
                return at

        monkeypatch.setattr(publish_module, "datetime", Frozen)
    staging = staging_dir(published_dir, run_id)
    publication = publish(working, staging, GATE, MANIFESTS, {"local_spend": "local-spend-v3"})
    exports = staging / "exports"
    exports.mkdir()
    (exports / "kpi.csv").write_text(export_text or f"publication_id\n{publication.publication_id}\n")
    release = switch_release(published_dir, staging, keep)
    return publication.publication_id, release


def _history(published_dir):
    with duckdb.connect(str(published_dir / "current" / "warehouse.duckdb"), read_only=True) as con:
        return con.sql("select * from publication_history order by published_at").to_arrow_table().to_pylist()


def test_each_publication_carries_the_history_and_the_last_n_are_kept(working, tmp_path, monkeypatch):
    published = tmp_path / "published"
    times = [datetime(2026, 10, day, 9, 0, tzinfo=UTC) for day in (1, 8, 15, 22)]
    ids = [
        _publish(working, published, f"run{i}", keep=2, at=at, monkeypatch=monkeypatch)[0] for i, at in enumerate(times)
    ]
    kept = sorted(p.name for p in (published / "releases").iterdir())
    assert kept == sorted(ids[-2:])  # SVW_KEEP_RELEASES=2: the current one and the one before
    history = _history(published)
    assert [r["publication_id"] for r in history] == ids
    assert [r["status"] for r in history] == ["superseded"] * 3 + ["current"]
    for row, later in zip(history, history[1:], strict=False):
        assert row["superseded_at"] == later["published_at"]  # in force until the next one
    assert history[-1]["superseded_at"] is None
    assert json.loads(history[-1]["rule_versions"]) == {"local_spend": "local-spend-v3"}
    assert json.loads(history[-1]["feeds"]) == {"spend": 1} and history[-1]["feed_files"] == 1
    assert history[-1]["release"] == f"releases/{ids[-1]}"


def test_the_figures_as_published_on_a_date(working, tmp_path, monkeypatch, capsys):
    published = tmp_path / "published"
    times = [datetime(2026, 10, 1, 9, 0, tzinfo=UTC), datetime(2026, 11, 30, 23, 30, tzinfo=UTC)]
    first, second = (
        _publish(working, published, f"run{i}", keep=2, at=at, monkeypatch=monkeypatch)[0] for i, at in enumerate(times)
    )
    monkeypatch.undo()
    assert as_published(published, date(2026, 9, 30)) is None
    on_first = as_published(published, date(2026, 11, 30))  # 23:30 UTC on 30 Nov is 30 Nov in the UK
    assert on_first is not None and on_first.publication_id == second
    assert as_published(published, date(2026, 11, 29)).publication_id == first
    assert end_of_day_utc(date(2026, 7, 1)) == datetime(2026, 7, 1, 23, 0, tzinfo=UTC)  # BST

    monkeypatch.setenv("SVW_PUBLISHED_DIR", str(published))
    with pytest.raises(SystemExit) as exit_:
        cli.main(["as-published", "--on", "2026-11-29", "--table", "kpi_local_spend"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0, out
    assert f"publication {first}" in out and str(published / "releases" / first / "warehouse.duckdb") in out
    assert "1234.57" in out  # the table, printed from that publication's own warehouse

    with pytest.raises(SystemExit) as exit_:
        cli.main(["as-published", "--on", "2026-09-30"])
    assert exit_.value.code == 2 and "no publication was in force on 2026-09-30" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        cli.main(["as-published", "--on", "30/11/2026"])
    assert exit_.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().out


def test_as_published_says_when_that_publication_is_no_longer_kept(working, tmp_path, monkeypatch, capsys):
    published = tmp_path / "published"
    times = [datetime(2026, 10, day, 9, 0, tzinfo=UTC) for day in (1, 8, 15)]
    first = [
        _publish(working, published, f"run{i}", keep=2, at=at, monkeypatch=monkeypatch)[0] for i, at in enumerate(times)
    ][0]
    monkeypatch.undo()
    found = as_published(published, date(2026, 10, 3))
    assert found.publication_id == first and not found.kept
    monkeypatch.setenv("SVW_PUBLISHED_DIR", str(published))
    with pytest.raises(SystemExit) as exit_:
        cli.main(["as-published", "--on", "2026-10-03"])
    out = capsys.readouterr().out
    assert exit_.value.code == 1 and "no longer kept" in out and "SVW_KEEP_RELEASES" in out


def _read_release(folder):
    """Everything a reader takes from one publication folder, each naming its publication."""
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        in_db = con.execute("select publication_id from publication").fetchone()[0]
        history_current = con.execute(
            "select publication_id from publication_history where status = 'current'"
        ).fetchone()[0]
    in_parquet = pq.read_table(folder / "parquet" / "publication.parquet").column("publication_id")[0].as_py()
    manifest = json.loads((folder / "MANIFEST.json").read_text())["publication_id"]
    export = (folder / "exports" / "kpi.csv").read_text().splitlines()[1]
    return {in_db, history_current, in_parquet, manifest, export}


def test_a_reader_never_sees_a_mix_of_two_publications(working, tmp_path, monkeypatch):
    """A reader thread opens `current` over and over while publications switch under it: each read
    gets one publication whole (warehouse, Parquet, manifest, exports all name the same one), never an
    empty or half-written file, and it sees the publications change."""
    published = tmp_path / "published"
    moments = [datetime(2026, 10, 1, 9, 0, second, tzinfo=UTC) for second in range(5)]  # ids sort by time
    first, _ = _publish(working, published, "run0", keep=10, at=moments[0], monkeypatch=monkeypatch)
    seen: list[str] = []
    problems: list[str] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            folder = (published / "current").resolve()  # resolve once, then read only inside it
            try:
                ids = _read_release(folder)
            except Exception as exc:  # noqa: BLE001 - any failure to read is what the test looks for
                problems.append(f"{folder.name}: {type(exc).__name__}: {exc}")
                continue
            if len(ids) != 1:
                problems.append(f"{folder.name}: a mix of {sorted(ids)}")
            seen.append(ids.pop())
            # and as a BI tool does it: the warehouse opened through the pointer each time
            with duckdb.connect(str(published / "current" / "warehouse.duckdb"), read_only=True) as con:
                if con.execute("select count(*) from publication").fetchone()[0] != 1:
                    problems.append("a warehouse without exactly one publication row")

    thread = threading.Thread(target=reader)
    thread.start()
    published_ids = [first]
    try:
        for i in range(1, 5):
            time.sleep(0.05)
            published_ids.append(_publish(working, published, f"run{i}", 10, moments[i], monkeypatch)[0])
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not problems, problems[:5]
    assert set(seen) <= set(published_ids)
    assert len(set(seen)) >= 2, "the reader should have seen the publication change"
    order = [published_ids.index(s) for s in seen]
    assert order == sorted(order)  # never back to an older publication once a newer one was current
    assert os.readlink(published / "current") == f"releases/{published_ids[-1]}"
