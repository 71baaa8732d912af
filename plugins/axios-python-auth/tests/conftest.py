"""Fixtures: a token server (the local servers are in plugins/conftest.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 20 simultaneous connects must not overflow the backlog


class TokenServer:
    """200 `{"token": ...}` when `Authorization: Bearer <valid>`, else 401; counts both.

    With `hold(n)`, the first `n` rejected requests wait for each other before they get their
    401, so that `n` concurrent requests are all rejected before any refresh completes.
    """

    def __init__(self) -> None:
        self.valid = "fresh-token"
        self.ok = 0
        self.rejected = 0
        self.seen: list[str | None] = []
        self._lock = threading.Lock()
        self._barrier: threading.Barrier | None = None
        self._held = 0
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def hold(self, n: int) -> None:
        self._barrier = threading.Barrier(n, timeout=5)
        self._held = n

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                auth = self.headers.get("Authorization")
                with owner._lock:
                    owner.seen.append(auth)
                    granted = auth == f"Bearer {owner.valid}"
                    if granted:
                        owner.ok += 1
                    else:
                        owner.rejected += 1
                    barrier = None
                    if not granted and owner._held:
                        owner._held -= 1
                        barrier = owner._barrier
                if barrier is not None:
                    barrier.wait()
                body: dict[str, Any] = {"token": auth} if granted else {"error": "unauthorized"}
                self._send(200 if granted else 401, body)

            do_POST = do_GET

            def _send(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> TokenServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    """A fresh token server per test (its counters start at zero)."""
    srv = TokenServer().start()
    yield srv
    srv.close()
