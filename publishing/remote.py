"""A copy of every publication on object storage, or on any filesystem fsspec reaches, for readers on
other machines: SVW_PUBLISHED_URL, for example s3://gm-social-value/published.

An object store has no rename and no symlink, so the local switch (publishing/publish.py) cannot be
copied as it is. Instead a pointer object is written last:

    <url>/releases/<publication_id>/...     every file of the release, MANIFEST.json last
    <url>/current.json                      {"publication_id", "published_at", "files", "manifest"}

Each file is uploaded, then its size read back and compared with the local one; only when every file
of the release is there is current.json replaced. A reader reads current.json and then the files of
the release it names (`download_current` does, checking each file's SHA-256 against the manifest),
so it sees the previous publication or the new one, never a mix. An upload that fails leaves
current.json naming the previous release and raises RemotePublishError naming the URL and the file;
the local publication is already current, and the next run uploads its own release again. Releases
beyond the number kept are removed after the pointer has moved, never the one it names.

S3 credentials and endpoint come from the usual places (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_ENDPOINT_URL for a non-AWS store such as MinIO or Ceph); s3:// needs the `s3fs` package
(`pip install -e '.[s3]'`). Other schemes need their fsspec implementation (gcsfs, adlfs).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import fsspec
from fsspec.core import url_to_fs

from publishing.publish import MANIFEST, file_manifest

POINTER = "current.json"


class RemotePublishError(RuntimeError):
    """The remote copy could not be written or read; the message says which URL and file, and what to check."""


def _filesystem(url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    try:
        fs, root = url_to_fs(url)
    except (ImportError, ValueError) as error:
        raise RemotePublishError(
            f"SVW_PUBLISHED_URL={url!r}: fsspec cannot open it ({error}); for s3:// install s3fs "
            "(pip install -e '.[s3]'), for other schemes their fsspec package"
        ) from None
    return fs, root.rstrip("/")


def _files_in_upload_order(release: Path) -> list[Path]:
    """Every file of the release, MANIFEST.json last: a release whose manifest is there is whole."""
    manifest = release / MANIFEST
    return sorted((p for p in release.rglob("*") if p.is_file()), key=lambda p: (p == manifest, p))


def read_pointer(url: str) -> dict | None:
    """What <url>/current.json says, or None before the first remote publication."""
    fs, root = _filesystem(url)
    path = f"{root}/{POINTER}"
    try:
        with fs.open(path, "rb") as handle:
            return json.loads(handle.read().decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise RemotePublishError(f"{url}/{POINTER}: could not be read ({error})") from None


def mirror_release(release: Path, url: str, keep: int) -> str:
    """Upload a switched-in local release (publishing.publish.switch_release) to `url` and move the
    remote pointer to it; returns the remote folder. `keep`: releases kept there, as locally."""
    manifest = release / MANIFEST
    if not manifest.exists():
        raise RemotePublishError(f"{release} has no {MANIFEST}: only a release switched in locally is uploaded")
    fs, root = _filesystem(url)
    publication_id = release.name
    target = f"{root}/releases/{publication_id}"
    files = _files_in_upload_order(release)
    for path in files:
        relative = path.relative_to(release).as_posix()
        remote = f"{target}/{relative}"
        try:
            fs.makedirs(remote.rsplit("/", 1)[0], exist_ok=True)
            fs.put_file(str(path), remote)
            size = fs.size(remote)
        except Exception as error:  # any backend's failure: the pointer must not move
            raise RemotePublishError(
                f"uploading {relative} of publication {publication_id} to {url} failed ({type(error).__name__}: "
                f"{error}); {url}/{POINTER} still names the previous publication. Check the credentials and "
                "endpoint (AWS_ENDPOINT_URL for a non-AWS store) and run again"
            ) from None
        if size != path.stat().st_size:
            raise RemotePublishError(
                f"{remote}: {size} bytes arrived of {path.stat().st_size}; {url}/{POINTER} was not moved"
            )
    pointer = {
        "publication_id": publication_id,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": len(files),
        "manifest": f"releases/{publication_id}/{MANIFEST}",
    }
    try:
        with fs.open(f"{root}/{POINTER}", "wb") as handle:  # one object written whole: the switch
            handle.write((json.dumps(pointer, indent=1) + "\n").encode("utf-8"))
    except Exception as error:
        raise RemotePublishError(f"{url}/{POINTER} could not be written ({type(error).__name__}: {error})") from None
    prune_remote(url, keep)
    return target


def remote_releases(url: str) -> list[str]:
    fs, root = _filesystem(url)
    try:
        entries = fs.ls(f"{root}/releases", detail=False)
    except FileNotFoundError:
        return []
    return sorted(str(entry).rstrip("/").rsplit("/", 1)[-1] for entry in entries)


def prune_remote(url: str, keep: int) -> list[str]:
    """Keep the release current.json names and the keep-1 newest before it; remove older ones."""
    pointer = read_pointer(url)
    if pointer is None:
        return []
    current = pointer["publication_id"]
    older = [name for name in remote_releases(url) if name < current]
    removed = older[: max(0, len(older) - (keep - 1))]
    fs, root = _filesystem(url)
    for name in removed:
        fs.rm(f"{root}/releases/{name}", recursive=True)
    return removed


def download_current(url: str, dest: Path) -> Path:
    """The publication current.json names, downloaded into dest/<publication_id>/ and checked file by
    file against its manifest: what a reader on another machine opens."""
    pointer = read_pointer(url)
    if pointer is None:
        raise RemotePublishError(f"{url}/{POINTER} does not exist: nothing has been published there yet")
    fs, root = _filesystem(url)
    publication_id = pointer["publication_id"]
    source = f"{root}/releases/{publication_id}"
    with fs.open(f"{source}/{MANIFEST}", "rb") as handle:
        expected = json.loads(handle.read().decode("utf-8"))["files"]
    out = dest / publication_id
    for relative in expected:
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        fs.get_file(f"{source}/{relative}", str(out / relative))
    differ = sorted(path for path, digest in file_manifest(out).items() if expected.get(path) != digest)
    if differ:
        raise RemotePublishError(f"{source}: {', '.join(differ)}: SHA-256 differs from the release's manifest")
    fs.get_file(f"{source}/{MANIFEST}", str(out / MANIFEST))
    return out
