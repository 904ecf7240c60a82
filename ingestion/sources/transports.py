"""How each kind of source lists its files and downloads one: HTTP(S) pages and files, SFTP folders,
and any folder fsspec reaches. Each download streams to a file with a size cap, and each transport
retries what may pass (timeouts, refused connections, HTTP 5xx and 429) with a growing pause."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import TypeVar
from urllib.parse import unquote, urljoin, urlsplit

import requests

from ingestion.sources.spec import SourceSpec

USER_AGENT = "gm-social-value-warehouse (+https://github.com/; fetches published spend files politely)"
T = TypeVar("T")


class FetchError(RuntimeError):
    """A source that could not be read; the message says what happened and what to check."""


class Transient(FetchError):
    """A failure worth another try (timeout, refused connection, server error)."""


@dataclass(frozen=True)
class RemoteFile:
    url: str
    name: str
    fingerprint: str | None = None  # a listing's change marker (size and time, ETag); None when unknown


@dataclass(frozen=True)
class Downloaded:
    not_modified: bool
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None


def backoff_seconds(attempt: int) -> float:
    """0.5 s, 1 s, 2 s ... capped at 30 s; SVW_FETCH_BACKOFF_SECONDS scales it (tests set it small)."""
    base = float(os.environ.get("SVW_FETCH_BACKOFF_SECONDS", "0.5"))
    return min(30.0, base * (2**attempt))


def with_retries(spec: SourceSpec, action: Callable[[], T]) -> T:
    for attempt in range(spec.retries + 1):
        try:
            return action()
        except Transient as error:
            if attempt == spec.retries:
                raise FetchError(f"{error} (tried {spec.retries + 1} times)") from None
            time.sleep(backoff_seconds(attempt))
    raise AssertionError("unreachable")


def natural_key(name: str) -> list:
    """'spend-2026-10' after 'spend-2026-9': digits compare as numbers, so 'newest' is the latest period."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _stream_to(chunks, destination: Path, max_bytes: int, where: str) -> None:
    written = 0
    with open(destination, "wb") as handle:
        for chunk in chunks:
            written += len(chunk)
            if written > max_bytes:
                handle.close()
                destination.unlink(missing_ok=True)
                raise FetchError(
                    f"{where} is larger than {max_bytes // 2**20} MB; stopped (raise the source's max_megabytes "
                    "if the file is meant to be this big)"
                )
            handle.write(chunk)


# --- HTTP(S) ---------------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


class HttpTransport:
    def __init__(self, spec: SourceSpec, secrets: dict):
        self.spec = spec
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if secrets.get("token"):
            self.session.headers["Authorization"] = f"Bearer {secrets['token']}"
        elif secrets.get("username"):
            self.session.auth = (str(secrets["username"]), str(secrets.get("password", "")))

    def _get(self, url: str, headers: dict, stream: bool = False) -> requests.Response:
        def attempt():
            try:
                response = self.session.get(
                    url, headers=headers, timeout=self.spec.timeout_seconds, stream=stream, allow_redirects=True
                )
            except requests.Timeout:
                raise Transient(f"{url}: no answer within {self.spec.timeout_seconds:g} s") from None
            except requests.ConnectionError as error:
                raise Transient(f"{url}: cannot connect ({type(error).__name__})") from None
            if response.status_code >= 500 or response.status_code == 429:
                response.close()
                raise Transient(f"{url}: the server answered {response.status_code} {response.reason}")
            if response.status_code >= 400:
                response.close()
                hint = " (check the credentials set)" if response.status_code in (401, 403) else ""
                raise FetchError(f"{url}: the server answered {response.status_code} {response.reason}{hint}")
            return response

        return with_retries(self.spec, attempt)

    @staticmethod
    def conditional(entry: dict) -> dict:
        """Ask only for a changed file: the server answers 304 when it has not changed."""
        headers = {}
        if entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        return headers

    def list(self, state: dict) -> list[RemoteFile]:
        if self.spec.kind == "http_file":
            return [RemoteFile(self.spec.url, _name_of(self.spec.url))]
        page = state.setdefault("page", {})
        response = self._get(self.spec.url, self.conditional(page))
        if response.status_code == 304 and "links" in page:
            links = page["links"]
        else:
            parser = _Links()
            parser.feed(response.text)
            base = response.url
            links = [[urljoin(base, href), text] for href, text in parser.links]
            page.update(
                etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"), links=links
            )
        pattern = self.spec.pattern
        assert pattern is not None  # an http_page always has one (spec.py)
        matching = {url: RemoteFile(url, _name_of(url)) for url, text in links if pattern.search(unquote(url))}
        if not matching:
            raise FetchError(
                f"{self.spec.url}: no link on the page matches link_pattern {self.spec.link_pattern!r} "
                f"({len(links)} links seen); has the page changed its layout?"
            )
        return list(matching.values())

    def download(self, remote: RemoteFile, destination: Path, entry: dict, max_bytes: int) -> Downloaded:
        response = self._get(remote.url, self.conditional(entry), stream=True)
        if response.status_code == 304:
            response.close()
            return Downloaded(not_modified=True, etag=entry.get("etag"), last_modified=entry.get("last_modified"))
        with response:
            _stream_to(response.iter_content(1 << 16), destination, max_bytes, remote.url)
        return Downloaded(
            not_modified=False,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            final_url=response.url,
        )


def _name_of(url: str) -> str:
    return PurePosixPath(unquote(urlsplit(url).path)).name


# --- SFTP ------------------------------------------------------------------------------------------


class SftpTransport:
    """asyncssh's client, run to completion for each call: the host key is checked against the
    credentials' known_hosts file (or the user's ~/.ssh/known_hosts), never skipped."""

    def __init__(self, spec: SourceSpec, secrets: dict):
        self.spec = spec
        parts = urlsplit(spec.url)
        self.host, self.port = parts.hostname or "", parts.port or 22
        self.folder = unquote(parts.path) or "."
        self.secrets = secrets

    def _connect_options(self) -> dict:
        options: dict = {"port": self.port, "connect_timeout": self.spec.timeout_seconds}
        if self.secrets.get("username"):
            options["username"] = str(self.secrets["username"])
        if self.secrets.get("password"):
            options["password"] = str(self.secrets["password"])
        if self.secrets.get("key_file"):
            options["client_keys"] = [str(self.secrets["key_file"])]
        if self.secrets.get("known_hosts"):
            options["known_hosts"] = str(self.secrets["known_hosts"])
        return options

    def _run(self, work):
        import asyncssh

        async def session():
            async with asyncssh.connect(self.host, **self._connect_options()) as connection:
                async with connection.start_sftp_client() as sftp:
                    return await work(sftp)

        def attempt():
            try:
                return asyncio.run(asyncio.wait_for(session(), timeout=self.spec.timeout_seconds * 4))
            except (TimeoutError, ConnectionError, OSError) as error:
                raise Transient(f"sftp://{self.host}:{self.port}: {type(error).__name__}: {error}") from None
            except asyncssh.PermissionDenied:
                raise FetchError(f"sftp://{self.host}:{self.port}: login refused (check the credentials set)") from None
            except asyncssh.HostKeyNotVerifiable:
                raise FetchError(
                    f"sftp://{self.host}:{self.port}: the server's host key is not in known_hosts; add it "
                    "(ssh-keyscan) to the file the credentials' KNOWN_HOSTS names"
                ) from None
            except asyncssh.Error as error:
                raise FetchError(f"sftp://{self.host}:{self.port}: {error}") from None

        return with_retries(self.spec, attempt)

    def list(self, state: dict) -> list[RemoteFile]:
        pattern = self.spec.pattern
        assert pattern is not None

        async def work(sftp):
            return await sftp.readdir(self.folder)

        entries = self._run(work)
        found = []
        for entry in entries:
            name = entry.filename
            if name.startswith(".") or not pattern.search(name) or entry.attrs.type != 1:  # 1: a regular file
                continue
            url = f"sftp://{self.host}:{self.port}{PurePosixPath(self.folder) / name}"
            found.append(RemoteFile(url, name, f"{entry.attrs.size}:{entry.attrs.mtime}"))
        return found

    def download(self, remote: RemoteFile, destination: Path, entry: dict, max_bytes: int) -> Downloaded:
        remote_path = str(PurePosixPath(self.folder) / remote.name)

        async def work(sftp):
            size = (await sftp.stat(remote_path)).size or 0
            if size > max_bytes:
                raise FetchError(f"{remote.url} is larger than {max_bytes // 2**20} MB; raise max_megabytes")
            await sftp.get(remote_path, str(destination))

        self._run(work)
        return Downloaded(not_modified=False, final_url=remote.url)


# --- any fsspec filesystem -------------------------------------------------------------------------


class StorageTransport:
    def __init__(self, spec: SourceSpec, secrets: dict):
        import fsspec

        self.spec = spec
        options = {k: v for k, v in secrets.items() if k not in ("username", "password", "token")}
        self.fs, self.folder = fsspec.core.url_to_fs(spec.url, **options)
        self.scheme = urlsplit(spec.url).scheme
        self._paths: dict[str, str] = {}  # listed url -> the filesystem's own path, for download

    def _call(self, action):
        def attempt():
            try:
                return action()
            except FileNotFoundError:
                raise FetchError(f"{self.spec.url}: no such folder") from None
            except PermissionError:
                raise FetchError(f"{self.spec.url}: access refused (check the credentials set)") from None
            except (TimeoutError, ConnectionError) as error:
                raise Transient(f"{self.spec.url}: {type(error).__name__}: {error}") from None

        return with_retries(self.spec, attempt)

    def list(self, state: dict) -> list[RemoteFile]:
        pattern = self.spec.pattern
        assert pattern is not None
        entries = self._call(lambda: self.fs.ls(self.folder, detail=True))
        found = []
        for entry in entries:
            name = PurePosixPath(entry["name"]).name
            if entry.get("type") != "file" or name.startswith(".") or not pattern.search(name):
                continue
            marker = entry.get("ETag") or entry.get("etag") or entry.get("mtime") or entry.get("LastModified")
            if hasattr(marker, "isoformat"):
                marker = marker.isoformat()
            fingerprint = f"{entry.get('size')}:{marker}" if marker is not None else None
            url = f"{self.scheme}://{entry['name'].lstrip('/')}"
            self._paths[url] = entry["name"]
            found.append(RemoteFile(url, name, fingerprint))
        return found

    def download(self, remote: RemoteFile, destination: Path, entry: dict, max_bytes: int) -> Downloaded:
        path = self._paths[remote.url]

        def copy():
            with self.fs.open(path, "rb") as source:
                _stream_to(iter(lambda: source.read(1 << 16), b""), destination, max_bytes, remote.url)

        self._call(copy)
        return Downloaded(not_modified=False, final_url=remote.url)


def transport_for(spec: SourceSpec, secrets: dict):
    if spec.kind in ("http_file", "http_page"):
        return HttpTransport(spec, secrets)
    if spec.kind == "sftp":
        return SftpTransport(spec, secrets)
    return StorageTransport(spec, secrets)
