"""The bundled samples published with SVW_PUBLISHED_URL pointing at an S3 server that runs here
(moto's, on loopback, reached through s3fs as any S3-compatible store is: AWS_ENDPOINT_URL): the
remote pointer names the run's publication and a reader on another machine downloads exactly the
files of the local one; a store that refuses the upload says which file and what to check."""

from __future__ import annotations

import shutil
import socket
import uuid

import pytest

from orchestration import run_pipeline
from publishing.publish import current_release, file_manifest
from publishing.remote import RemotePublishError, download_current, mirror_release, read_pointer, remote_releases
from tests.conftest import SAMPLE_DIR, Workspace


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_server(monkeypatch):
    """An S3 endpoint on loopback with a new bucket (moto keeps its buckets for the process, so each
    test has its own); the AWS variables point s3fs at it. Yields the bucket."""
    import boto3
    import s3fs
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }.items():
        monkeypatch.setenv(key, value)
    bucket = f"gm-social-value-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    s3fs.S3FileSystem.clear_instance_cache()
    yield bucket
    s3fs.S3FileSystem.clear_instance_cache()
    server.stop()


def test_a_publication_reaches_the_object_store_whole(s3_server, tmp_path):
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(SAMPLE_DIR / "landing", ws.landing)
    url = f"s3://{s3_server}/published"
    code = run_pipeline.run(quiet=True, settings=ws.settings(published_url=url))
    assert code == 0
    local = current_release(ws.published_root)
    assert local is not None
    assert read_pointer(url)["publication_id"] == local.name
    assert remote_releases(url) == [local.name]
    copy = download_current(url, tmp_path / "reader")
    assert file_manifest(copy) == file_manifest(local)
    assert (copy / "warehouse.duckdb").stat().st_size > 0 and any((copy / "statements").glob("*.html"))


def test_a_store_that_refuses_says_which_file_and_what_to_check(s3_server, tmp_path):
    from tests.unit.test_remote_publication import make_release

    release = make_release(tmp_path / "published", "20261203T070000Z-aaaaaa", "first")
    url = "s3://no-such-bucket-here/published"
    with pytest.raises(RemotePublishError) as raised:
        mirror_release(release, url, keep=3)
    assert url in str(raised.value) and "AWS_ENDPOINT_URL" in str(raised.value)
    assert read_pointer(f"s3://{s3_server}/published") is None
