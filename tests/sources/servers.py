"""Real servers on 127.0.0.1, started by the tests themselves: no test reaches the internet."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class FileServer:
    """Pages and files with ETag and Last-Modified (answering 304 to a conditional request), a
    redirect, a slow answer and a 500; every request is recorded as (path, status)."""

    def __init__(self):
        self.files: dict[str, bytes] = {}  # path -> body; a page is a file whose body is HTML
        self.requests: list[tuple[str, int]] = []
        self.slow_seconds = 3.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                if path.startswith("/redirect/"):
                    return self._answer(302, headers={"Location": "/files/" + path.removeprefix("/redirect/")})
                if path == "/slow":
                    time.sleep(outer.slow_seconds)
                    return self._answer(200, b"late")
                if path.startswith("/broken"):
                    return self._answer(500, b"internal error")
                body = outer.files.get(path)
                if body is None:
                    return self._answer(404, b"not found")
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self._answer(304, headers={"ETag": etag})
                kind = "text/html" if path.endswith("/") else "text/csv"
                return self._answer(
                    200,
                    body,
                    {"ETag": etag, "Last-Modified": formatdate(usegmt=True), "Content-Type": kind},
                )

            def _answer(self, status: int, body: bytes = b"", headers: dict | None = None):
                outer.requests.append((self.path, status))
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body and status != 304:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def statuses(self, path: str) -> list[int]:
        return [status for p, status in self.requests if p == path]


class SftpServer:
    """asyncssh's SFTP server over a folder, password login, its own event loop in a thread. The
    client is given a known_hosts file with this server's key, as a real deployment would be."""

    def __init__(self, root: Path, scratch: Path, username: str = "svw", password: str = "s3cret-Pa55"):
        self.root, self.username, self.password = root, username, password
        self.known_hosts = scratch / "known_hosts"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0

    async def _start(self):
        import asyncssh

        key = asyncssh.generate_private_key("ssh-ed25519")
        outer = self

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username):
                return True

            def password_auth_supported(self):
                return True

            def validate_password(self, username, password):
                return username == outer.username and password == outer.password

        self.server = await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[key],
            server_factory=Server,
            sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=str(self.root).encode()),
        )
        self.port = self.server.sockets[0].getsockname()[1]
        public = key.export_public_key().decode().strip()
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {public}\n", encoding="utf-8")

    def __enter__(self):
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=30)
        return self

    def __exit__(self, *exc):
        async def stop():
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"sftp://127.0.0.1:{self.port}"
