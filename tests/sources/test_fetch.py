"""Fetching from real servers on 127.0.0.1: what lands, what is asked twice, what fails and how."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import fsspec
import pytest

from ingestion.registry import FeedConfig
from ingestion.sources.credentials import CredentialsError, credentials_for, redact
from ingestion.sources.fetch import due_partners, fetch_source, is_due
from ingestion.sources.spec import SourceConfigError, parse_source
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR
from tests.sources.servers import FileServer, SftpServer

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
MONTHS = ("2019-04", "2019-05")
SPEND = {m: (SAMPLE_DIR / "landing" / "stockport" / "spend" / f"stockport_spend_{m}.csv").read_bytes() for m in MONTHS}


def layout(source: dict, pattern: str = r"stockport_spend_(?P<year>\d{4})-(?P<month>\d{2})\.csv") -> FeedConfig:
    return FeedConfig(
        partner="stockport",
        feed="spend",
        file_pattern=pattern,
        columns={},
        source=parse_source(source, "test layout"),
    )


def page(links: list[str]) -> bytes:
    items = "".join(f'<li><a href="{href}">Spend {href}</a></li>' for href in links)
    return f"<html><body><a href='/about'>About</a><ul>{items}</ul></body></html>".encode()


@pytest.fixture
def http():
    with FileServer() as server:
        for month, body in SPEND.items():
            server.files[f"/files/stockport_spend_{month}.csv"] = body
        server.files["/spend/"] = page([f"/files/stockport_spend_{m}.csv" for m in MONTHS])
        yield server


@pytest.fixture
def fast_retries(monkeypatch):
    monkeypatch.setenv("SVW_FETCH_BACKOFF_SECONDS", "0.01")


def fetch(feed_layout, tmp_path, now=NOW):
    return fetch_source(feed_layout, feed_layout.source, tmp_path / "landing", tmp_path / "raw", now)


def log_lines(tmp_path) -> list[dict]:
    path = tmp_path / "raw" / "_sources" / "fetch_log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_newest_link_on_a_page_is_fetched_once_and_then_answered_304(http, tmp_path):
    spec = layout({"url": f"{http.url}/spend/", "link_pattern": r"stockport_spend_\d{4}-\d{2}\.csv$"})
    first = fetch(spec, tmp_path)
    assert [(o.status, o.file) for o in first] == [("fetched", "stockport_spend_2019-05.csv")]
    landed = tmp_path / "landing" / "stockport" / "spend" / "stockport_spend_2019-05.csv"
    assert landed.read_bytes() == SPEND["2019-05"]
    assert not (tmp_path / "landing" / "stockport" / "spend" / "stockport_spend_2019-04.csv").exists()
    (record,) = log_lines(tmp_path)
    assert record["origin"] == f"{http.url}/files/stockport_spend_2019-05.csv" and record["sha256"] == first[0].sha256
    assert record["retrieved_at"] == NOW.isoformat()

    second = fetch(spec, tmp_path, NOW + timedelta(days=1))
    assert [o.status for o in second] == ["not_modified"]
    assert http.statuses("/files/stockport_spend_2019-05.csv") == [200, 304]  # not fetched twice
    assert http.statuses("/spend/") == [200, 304]  # the page too was asked conditionally
    assert len(log_lines(tmp_path)) == 1


def test_files_all_fetches_every_matching_link_and_a_changed_file_again(http, tmp_path):
    spec = layout({"url": f"{http.url}/spend/", "link_pattern": r"stockport_spend_.*\.csv$", "files": "all"})
    assert sorted(o.file for o in fetch(spec, tmp_path) if o.status == "fetched") == [
        "stockport_spend_2019-04.csv",
        "stockport_spend_2019-05.csv",
    ]
    http.files["/files/stockport_spend_2019-05.csv"] = (
        SPEND["2019-05"] + b"People,Housing,Premises,30/05/2019,1,X,S1,1.00\r\n"
    )
    again = {o.file: o.status for o in fetch(spec, tmp_path)}
    assert again == {"stockport_spend_2019-04.csv": "not_modified", "stockport_spend_2019-05.csv": "fetched"}


def test_a_redirect_is_followed_and_the_final_address_recorded(http, tmp_path):
    spec = layout({"url": f"{http.url}/redirect/stockport_spend_2019-04.csv"})
    (outcome,) = fetch(spec, tmp_path)
    assert outcome.status == "fetched"
    (record,) = log_lines(tmp_path)
    assert record["final_url"] == f"{http.url}/files/stockport_spend_2019-04.csv"


def test_a_slow_server_and_a_broken_one_fail_with_what_happened(http, tmp_path, fast_retries):
    http.slow_seconds = 1.5
    slow = layout({"url": f"{http.url}/slow", "timeout_seconds": 0.3, "retries": 1}, pattern="slow")
    (outcome,) = fetch(slow, tmp_path)
    assert outcome.status == "failed" and "no answer within 0.3 s (tried 2 times)" in outcome.detail
    broken = layout({"url": f"{http.url}/broken", "retries": 2}, pattern="broken")
    (outcome,) = fetch(broken, tmp_path)
    assert outcome.status == "failed" and "answered 500" in outcome.detail and "tried 3 times" in outcome.detail
    assert http.statuses("/broken") == [500, 500, 500]
    assert not any((tmp_path / "landing").rglob("*.csv"))


def test_a_fetched_name_the_layout_would_refuse_is_not_landed(http, tmp_path):
    http.files["/files/spend-april.csv"] = SPEND["2019-04"]
    (outcome,) = fetch(layout({"url": f"{http.url}/files/spend-april.csv"}), tmp_path)
    assert outcome.status == "failed" and "save_as" in outcome.detail
    renamed = layout({"url": f"{http.url}/files/spend-april.csv", "save_as": "stockport_spend_2019-04.csv"})
    assert [o.status for o in fetch(renamed, tmp_path)] == ["fetched"]


def test_a_download_over_the_cap_is_stopped(http, tmp_path):
    http.files["/files/stockport_spend_2019-06.csv"] = b"x" * (2 * 2**20)
    (outcome,) = fetch(layout({"url": f"{http.url}/files/stockport_spend_2019-06.csv", "max_megabytes": 1}), tmp_path)
    assert outcome.status == "failed" and "larger than 1 MB" in outcome.detail
    assert not any((tmp_path / "landing").rglob("*2019-06*"))


@pytest.fixture
def sftp(tmp_path, monkeypatch):
    root = tmp_path / "sftp_root" / "outgoing"
    root.mkdir(parents=True)
    for month, body in SPEND.items():
        (root / f"stockport_spend_{month}.csv").write_bytes(body)
    (root / "README.txt").write_text("not a spend file")
    with SftpServer(tmp_path / "sftp_root", tmp_path) as server:
        monkeypatch.setenv("SVW_SECRET_STOCKPORT_SFTP_USERNAME", server.username)
        monkeypatch.setenv("SVW_SECRET_STOCKPORT_SFTP_PASSWORD", server.password)
        monkeypatch.setenv("SVW_SECRET_STOCKPORT_SFTP_KNOWN_HOSTS", str(server.known_hosts))
        yield server


def test_an_sftp_folder_is_fetched_and_an_unchanged_listing_costs_no_download(sftp, tmp_path):
    spec = layout(
        {
            "url": f"{sftp.url}/outgoing",
            "link_pattern": r"stockport_spend_.*\.csv$",
            "files": "all",
            "credentials": "stockport_sftp",
        }
    )
    first = fetch(spec, tmp_path)
    assert sorted((o.status, o.file) for o in first) == [
        ("fetched", "stockport_spend_2019-04.csv"),
        ("fetched", "stockport_spend_2019-05.csv"),
    ]
    assert (tmp_path / "landing" / "stockport" / "spend" / "stockport_spend_2019-04.csv").read_bytes() == SPEND[
        "2019-04"
    ]
    assert {o.status for o in fetch(spec, tmp_path)} == {"unchanged"}
    assert all("not downloaded" in o.detail for o in fetch(spec, tmp_path))


def test_sftp_login_refused_and_unknown_host_key_say_so_and_never_show_the_password(sftp, tmp_path, monkeypatch):
    spec = layout(
        {"url": f"{sftp.url}/outgoing", "link_pattern": "csv$", "credentials": "stockport_sftp", "retries": 0}
    )
    monkeypatch.setenv("SVW_SECRET_STOCKPORT_SFTP_PASSWORD", "wrong-Pa55word")
    (outcome,) = fetch(spec, tmp_path)
    assert outcome.status == "failed" and "login refused" in outcome.detail
    assert "wrong-Pa55word" not in json.dumps(
        json.loads((tmp_path / "raw" / "_sources" / "stockport__spend__default.json").read_text())
    )
    monkeypatch.setenv("SVW_SECRET_STOCKPORT_SFTP_PASSWORD", sftp.password)
    other_hosts = tmp_path / "other_known_hosts"
    other_hosts.write_text("")
    monkeypatch.setenv("SVW_SECRET_STOCKPORT_SFTP_KNOWN_HOSTS", str(other_hosts))
    (outcome,) = fetch(spec, tmp_path)
    assert outcome.status == "failed" and "host key" in outcome.detail


def test_object_storage_through_fsspec(tmp_path):
    fs = fsspec.filesystem("memory")
    for month, body in SPEND.items():
        fs.pipe(f"/partners/stockport/stockport_spend_{month}.csv", body)
    spec = layout({"url": "memory://partners/stockport", "link_pattern": r"stockport_spend_.*\.csv$"})
    assert [(o.status, o.file) for o in fetch(spec, tmp_path)] == [("fetched", "stockport_spend_2019-05.csv")]
    assert [o.status for o in fetch(spec, tmp_path)] == ["unchanged"]
    fs.pipe("/partners/stockport/stockport_spend_2019-05.csv", SPEND["2019-05"] + b"\r\n")
    assert [o.status for o in fetch(spec, tmp_path)] == ["fetched"]


def test_a_source_is_polled_once_per_interval(http, tmp_path):
    spec = layout({"url": f"{http.url}/files/stockport_spend_2019-04.csv", "interval_minutes": 60})
    raw = tmp_path / "raw"
    assert is_due(raw, spec, spec.source, NOW)
    fetch(spec, tmp_path)
    assert not is_due(raw, spec, spec.source, NOW + timedelta(minutes=59))
    assert is_due(raw, spec, spec.source, NOW + timedelta(minutes=60))

    class Partner:
        feeds = {"spend": (spec,)}

    class Registry:
        partners = {"stockport": Partner()}

    assert due_partners(Registry(), raw, NOW + timedelta(minutes=5)) == []
    assert due_partners(Registry(), raw, NOW + timedelta(hours=2)) == ["stockport"]


@pytest.mark.parametrize(
    "source, message",
    [
        ({"url": "https://user:pw@example.org/spend.csv"}, "carries a user name or password"),
        ({"url": "sftp://example.org/outgoing"}, "add link_pattern"),
        ({"url": "gopher://example.org/x"}, "no scheme this project fetches"),
        ({"url": "https://example.org/", "link_pattern": "("}, "not a regular expression"),
        ({"url": "https://example.org/x.csv", "interval": 5}, "unknown key(s) ['interval']"),
        ({"url": "https://example.org/x.csv", "files": "latest"}, "files must be 'newest' or 'all'"),
        ({"url": "https://example.org/x.csv", "save_as": "../x.csv"}, "save_as is a file name"),
    ],
)
def test_a_source_entry_that_cannot_be_used_is_refused_at_load(source, message):
    with pytest.raises(SourceConfigError, match=None) as caught:
        parse_source(source, "config/partners.yml: partner 'stockport', feed 'spend'")
    assert message in str(caught.value) and "partner 'stockport'" in str(caught.value)


def test_credentials_come_from_the_environment_or_a_secrets_file_outside_the_project(tmp_path):
    secrets = tmp_path / "secrets.yml"
    secrets.write_text("portal:\n  username: svw\n  password: from-file\n")
    env = {"SVW_SECRETS_FILE": str(secrets), "SVW_SECRET_PORTAL_PASSWORD": "from-env"}
    assert credentials_for("portal", env) == {"username": "svw", "password": "from-env"}
    with pytest.raises(CredentialsError, match="SVW_SECRET_OTHER_USERNAME"):
        credentials_for("other", env)
    inside = PROJECT_ROOT / "config"
    with pytest.raises(CredentialsError, match="inside the project"):
        credentials_for("portal", {"SVW_SECRETS_FILE": str(inside / "secrets.yml")})
    assert redact("login as svw with from-env failed", {"username": "svw", "password": "from-env"}) == (
        "login as svw with *** failed"
    )
