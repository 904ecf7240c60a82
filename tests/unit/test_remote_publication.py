"""publishing/remote.py on a local fsspec folder (file://): the pointer moves only once every file of
a release is there, a failed upload leaves it naming the previous release, readers get whole
releases checked against their manifest, and old releases are pruned, never the current one."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import pytest

from publishing.publish import MANIFEST, current_release, switch_release
from publishing.remote import (
    RemotePublishError,
    download_current,
    mirror_release,
    read_pointer,
    remote_releases,
)


def make_release(published: Path, publication_id: str, text: str) -> Path:
    """A release switched in locally, as the pipeline leaves one: files in folders, a manifest."""
    staging = published / "releases" / f".staging-{publication_id}"
    (staging / "parquet").mkdir(parents=True)
    (staging / "warehouse.duckdb").write_bytes(text.encode() * 100)
    (staging / "parquet" / "kpi.parquet").write_text(f"figures of {text}", encoding="utf-8")
    (staging / "statements").mkdir()
    (staging / "statements" / "index.json").write_text(json.dumps({"drawn": text}), encoding="utf-8")
    (staging / "PUBLICATION_ID").write_text(publication_id + "\n", encoding="utf-8")
    return switch_release(published, staging, keep=5)


def test_a_release_is_copied_whole_and_the_pointer_names_it(tmp_path):
    url = (tmp_path / "remote").as_uri()
    release = make_release(tmp_path / "published", "20261203T070000Z-aaaaaa", "first")
    remote = mirror_release(release, url, keep=3)
    assert remote.endswith("/releases/20261203T070000Z-aaaaaa")
    pointer = read_pointer(url)
    assert pointer is not None and pointer["publication_id"] == release.name
    assert pointer["files"] == len([p for p in release.rglob("*") if p.is_file()])
    copy = download_current(url, tmp_path / "reader")
    for path in release.rglob("*"):
        if path.is_file():
            assert (copy / path.relative_to(release)).read_bytes() == path.read_bytes()


def test_a_failed_upload_leaves_the_pointer_on_the_previous_release(tmp_path, monkeypatch):
    url = (tmp_path / "remote").as_uri()
    published = tmp_path / "published"
    first = make_release(published, "20261203T070000Z-aaaaaa", "first")
    mirror_release(first, url, keep=3)
    second = make_release(published, "20261203T080000Z-bbbbbb", "second")
    assert current_release(published) == second  # locally, the second is current

    filesystem = type(fsspec.filesystem("file"))
    real_put = filesystem.put_file
    uploads = []

    def fail_on_the_third(self, lpath, rpath, **kwargs):
        uploads.append(rpath)
        if len(uploads) == 3:
            raise OSError("connection reset by peer")
        return real_put(self, lpath, rpath, **kwargs)

    monkeypatch.setattr(filesystem, "put_file", fail_on_the_third)
    with pytest.raises(RemotePublishError) as raised:
        mirror_release(second, url, keep=3)
    message = str(raised.value)
    assert "20261203T080000Z-bbbbbb" in message and url in message and "previous publication" in message
    assert read_pointer(url)["publication_id"] == first.name
    assert not any(Path(u).name == MANIFEST for u in uploads)  # the manifest goes last: never reached
    # a reader still gets the whole first release
    copy = download_current(url, tmp_path / "reader")
    assert (copy / "parquet" / "kpi.parquet").read_text(encoding="utf-8") == "figures of first"

    monkeypatch.setattr(filesystem, "put_file", real_put)
    mirror_release(second, url, keep=3)  # the next attempt uploads it again and moves the pointer
    assert read_pointer(url)["publication_id"] == second.name


def test_releases_beyond_keep_are_pruned_and_the_current_one_never(tmp_path):
    url = (tmp_path / "remote").as_uri()
    published = tmp_path / "published"
    ids = [f"20261203T0{hour}0000Z-{hour:06d}" for hour in range(1, 6)]
    for publication_id in ids:
        mirror_release(make_release(published, publication_id, publication_id), url, keep=2)
    assert remote_releases(url) == ids[-2:]
    assert read_pointer(url)["publication_id"] == ids[-1]


def test_a_reader_refuses_a_file_that_differs_from_the_manifest(tmp_path):
    url = (tmp_path / "remote").as_uri()
    release = make_release(tmp_path / "published", "20261203T070000Z-aaaaaa", "first")
    mirror_release(release, url, keep=3)
    tampered = tmp_path / "remote" / "releases" / release.name / "parquet" / "kpi.parquet"
    tampered.write_text("figures of someone else", encoding="utf-8")
    with pytest.raises(RemotePublishError, match="SHA-256"):
        download_current(url, tmp_path / "reader")


def test_nothing_published_and_an_unknown_scheme_say_what_to_do(tmp_path):
    with pytest.raises(RemotePublishError, match="nothing has been published"):
        download_current((tmp_path / "empty").as_uri(), tmp_path / "reader")
    release = make_release(tmp_path / "published", "20261203T070000Z-aaaaaa", "first")
    with pytest.raises(RemotePublishError, match="fsspec cannot open it"):
        mirror_release(release, "nosuchscheme://bucket/published", keep=3)
