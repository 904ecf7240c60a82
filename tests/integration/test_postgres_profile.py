"""The production profile (orchestration/dagster_postgres.yaml): Dagster's instance on PostgreSQL,
two partners loading at once in separate processes, then one publication (issue 13).

The test starts a throwaway PostgreSQL server of its own (Debian's postgresql package, which
`make test` installs when missing) on a Unix socket in a temporary folder, so it needs no service
and reaches no network.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, SAMPLE_DIR

pytestmark = pytest.mark.slow

PARTNERS = ("stockport", "trafford")
MONTHS = ("2019-04", "2019-06")


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL's {name} not found: run `make postgres` (Debian's postgresql package)")
    return found[-1]


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the package's postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def postgres_url():
    # not under pytest's tmp folder: that is private to root, and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="svw-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    data, log = root / "data", root / "server.log"
    run = dict(check=True, capture_output=True, text=True)
    subprocess.run(_as_server_user([_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]), **run)
    port = str(20000 + os.getpid() % 20000)
    options = f"-k {root} -p {port} -c listen_addresses=''"
    subprocess.run(
        _as_server_user([_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]), **run
    )
    try:
        subprocess.run(
            _as_server_user(["psql", "-h", str(root), "-p", port, "-U", "postgres", "-c", "create database dagster"]),
            **run,
        )
        yield f"postgresql+psycopg2://postgres@/dagster?host={root}&port={port}"
    finally:
        subprocess.run(_as_server_user([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def profile(postgres_url, tmp_path_factory):
    root = tmp_path_factory.mktemp("pg_profile")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "orchestration" / "dagster_postgres.yaml", home / "dagster.yaml")
    landing = root / "landing"  # the two partners' spend for the three months, nothing else
    for partner in PARTNERS:
        (landing / partner / "spend").mkdir(parents=True)
        for path in sorted((SAMPLE_DIR / "landing" / partner / "spend").iterdir()):
            if any(month in path.name for month in ("2019-04", "2019-05", "2019-06")):
                shutil.copy(path, landing / partner / "spend" / path.name)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SVW_")},
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_URL": postgres_url,
        "SVW_LANDING_DIR": str(landing),
        "SVW_RAW_DIR": str(root / "raw"),
        "SVW_WORK_DIR": str(root / "work"),
        "SVW_PUBLISHED_DIR": str(root / "published"),
        "SVW_POSTCODE_DIRECTORY": str(SAMPLE_DIR / "reference" / "sample_postcodes_nspl.csv"),
        "PYTHONUNBUFFERED": "1",
    }
    # what the profile's comment asks of an operator once: more than one raw_writer slot
    code = (
        "from orchestration.recovery import open_instance; "
        "open_instance().event_log_storage.set_concurrency_slots('raw_writer', 2)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return root, env


def _svw(env, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _runs(env) -> list[dict]:
    code = (
        "import json; from orchestration.recovery import open_instance; i = open_instance(); "
        "print(json.dumps([{'job': r.dagster_run.job_name, 'status': r.dagster_run.status.value, "
        "'partition': r.dagster_run.tags.get('dagster/partition'), 'start': r.start_time, 'end': r.end_time} "
        "for r in i.get_run_records()]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, text=True
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def _materialized_spend_partitions(env) -> set[str]:
    code = (
        "import json, dagster as dg; from orchestration.recovery import open_instance; i = open_instance(); "
        "print(json.dumps(sorted(i.get_materialized_partitions(dg.AssetKey(['raw', 'spend'])))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, text=True
    )
    import json

    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_profile_uses_postgres_and_queues_runs(profile):
    _, env = profile
    code = (
        "from orchestration.recovery import open_instance; i = open_instance(); "
        "print(type(i.run_storage).__name__, type(i.run_coordinator).__name__, "
        "i.event_log_storage.get_concurrency_info('raw_writer').slot_count)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, text=True
    )
    assert out.stdout.split() == ["PostgresRunStorage", "QueuedRunCoordinator", "2"]


def test_two_partners_load_at_once_then_one_publication(profile):
    root, env = profile
    started = time.monotonic()
    loads = [
        _svw(env, "backfill", "--feed", "spend", "--partner", p, "--from", MONTHS[0], "--to", MONTHS[1])
        for p in PARTNERS
    ]
    outputs = [p.communicate(timeout=1200)[0] for p in loads]
    for process, output in zip(loads, outputs):
        assert process.returncode == 0, output[-3000:]
    # each backfill is one load run of its partner's three months; the two ran at the same time
    runs = [r for r in _runs(env) if r["job"] == "load_batch"]
    assert len(runs) == 2 and all(r["status"] == "SUCCESS" for r in runs), runs
    first, second = ((r["start"], r["end"]) for r in runs)
    assert first[0] < second[1] and second[0] < first[1], f"the two partners' loads did not overlap: {first} {second}"
    assert _materialized_spend_partitions(env) == {f"{p}|2019-0{m}" for p in PARTNERS for m in (4, 5, 6)}

    publish = _svw(env, "run")
    output = publish.communicate(timeout=2400)[0]
    assert publish.returncode == 0, output[-3000:]
    with duckdb.connect(str(root / "published" / "current" / "warehouse.duckdb"), read_only=True) as con:
        loaded = {row[0] for row in con.execute("select distinct partner_code from publication_feeds").fetchall()}
    assert set(PARTNERS) <= loaded
    print(f"two partners loaded at once and published in {time.monotonic() - started:.0f}s")


def test_postgres_url_is_not_in_the_repository_profile():
    text = Path(PROJECT_ROOT / "orchestration" / "dagster_postgres.yaml").read_text()
    assert "env: DAGSTER_PG_URL" in text and "password" not in text.split("postgres_url")[1].split("run_coordinator")[0]
