"""Fixtures every plugin's tests share: local HTTP servers, and a real `redis-server`.

`server` and `other_server` are the project's httpbin-like `LocalServer` on 127.0.0.1 (two
origins), one each for the session; `name` is a unique name (for `/counter/<name>` and unique
URLs); garbage is collected after each test, so that a leaked socket fails the test that leaked
it.

`redis_url` starts `redis-server` (Debian package `redis-server`) once per session on a free
loopback port, without persistence, and stops it at the end. Where the binary is missing the
tests that use it are skipped with a message naming the package, unless
`AXIOS_PYTHON_REQUIRE_REDIS=1` is set (CI sets it): then they fail.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
from axios_python_testserver import LocalServer

REDIS_PACKAGE_HINT = (
    "redis-server is not installed (Debian/Ubuntu: apt-get install redis-server); "
    "set AXIOS_PYTHON_REQUIRE_REDIS=1 to make this a failure"
)


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    """The httpbin-like server on 127.0.0.1: the clients' own origin."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def other_server() -> Iterator[LocalServer]:
    """A second server on another port: another origin."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def name() -> str:
    """A unique name, for /counter/<name> and unique URLs."""
    return uuid.uuid4().hex[:12]


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect after each test so a leaked socket fails the test that leaked it."""
    yield
    gc.collect()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One `redis-server` process on 127.0.0.1, started and stopped by the tests."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _ping(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def redis_binary() -> str:
    """The redis-server binary, or skip (fail with AXIOS_PYTHON_REQUIRE_REDIS=1)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("AXIOS_PYTHON_REQUIRE_REDIS") == "1":
            pytest.fail(REDIS_PACKAGE_HINT)
        pytest.skip(REDIS_PACKAGE_HINT)
    return binary


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server for the session (see the module docstring)."""
    yield from _running_redis()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """The session's Redis URL, its database flushed after each test."""
    yield redis_server.url
    if redis_server.process is not None:
        with socket.create_connection(("127.0.0.1", redis_server.port), timeout=2) as sock:
            sock.sendall(b"FLUSHALL\r\n")
            sock.recv(16)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own (to stop it mid-test), stopped at the end."""
    yield from _running_redis()


def _running_redis() -> Iterator[RedisServer]:
    server = RedisServer(redis_binary())
    server.start()
    try:
        yield server
    finally:
        server.stop()
