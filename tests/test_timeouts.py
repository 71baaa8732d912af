"""Timeouts mean one thing on every transport and mode: `0` is refused (`ConfigError` naming
the key, whether given as an option or set by a hook), None is "no timeout", and each phase
that runs out is an `axios_python.TimeoutError` with that `phase`."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import axios_python
from axios_python import CancelToken, ConfigError
from axios_python._validation import validate_request_options
from tests.faults import FaultServer, full_backlog

pytestmark = pytest.mark.anyio
validate_request_options({})  # build the pydantic schemas now, not inside a timed request


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


async def call(
    api: axios_python.AxiosPython, mode: str, url: str, method: str = "GET", **kw: Any
) -> Any:
    if mode == "sync":
        return await asyncio.to_thread(api.request, method, url, **kw)
    return await api.async_request(method, url, **kw)


ZEROS = [
    (0, "timeout"),
    (0.0, "timeout"),
    ({"read": 0}, "timeout"),
    ({"connect": 0, "read": 5}, "timeout"),
    ({"pool": 0.0}, "timeout"),
    (httpx.Timeout(5, write=0), "timeout"),
]


@pytest.mark.parametrize(("timeout", "key"), ZEROS)
async def test_zero_is_refused_as_an_option(
    transport: str, mode: str, timeout: Any, key: str, faults: FaultServer
) -> None:
    """`timeout=0` meant no timeout (aiohttp async), an immediate NetworkError (httpx sync),
    a TimeoutError (httpx async); `{"read": 0}` a retried reset."""
    with pytest.raises(ConfigError) as info:
        axios_python.create({"transport": transport, "timeout": timeout})
    assert info.value.key == key
    async with axios_python.create({"transport": transport, "base_url": faults.url}) as api:
        with pytest.raises(ConfigError) as info:
            await call(api, mode, "/ok", timeout=timeout)
    assert info.value.key == key
    assert faults.total_attempts == 0


@pytest.mark.parametrize(("timeout", "key"), [(0, "timeout"), ({"read": 0}, "timeout.read")])
async def test_zero_set_by_a_hook_is_refused_before_any_io(
    transport: str, mode: str, timeout: Any, key: str, faults: FaultServer
) -> None:
    async with axios_python.create({"transport": transport, "base_url": faults.url}) as api:
        api.interceptors.request.use(lambda config: {**config, "timeout": timeout})
        with pytest.raises(ConfigError) as info:
            await call(api, mode, "/ok")
    assert info.value.key == key
    assert faults.accepted == 0


async def test_connect_timeout_phase(transport: str, mode: str) -> None:
    config = {"transport": transport, "timeout": {"connect": 0.15, "read": 5}}
    async with axios_python.create(config) as api:
        with full_backlog() as port, pytest.raises(axios_python.TimeoutError) as info:
            await call(api, mode, f"http://127.0.0.1:{port}/")
    assert info.value.phase == "connect"


async def test_read_timeout_phase(transport: str, mode: str, faults: FaultServer) -> None:
    config = {"transport": transport, "base_url": faults.url, "timeout": {"read": 0.15}}
    async with axios_python.create(config) as api:
        started = time.monotonic()
        with pytest.raises(axios_python.TimeoutError) as info:
            await call(api, mode, "/stall")
    assert info.value.phase == "read"
    assert time.monotonic() - started < 1.0


async def test_pool_timeout_phase(transport: str, mode: str, faults: FaultServer) -> None:
    """One pooled connection held by a stalled request: the next waits `pool` seconds and
    fails with phase pool (aiohttp folded the pool wait into its connect timeout)."""
    config = {
        "transport": transport,
        "base_url": faults.url,
        "timeout": {"pool": 0.2, "connect": 3, "read": 5},
        "limits": httpx.Limits(max_connections=1),
    }
    token = CancelToken()
    async with axios_python.create(config) as api:
        busy = asyncio.ensure_future(call(api, mode, "/stall", cancel_token=token))
        try:
            deadline = time.monotonic() + 2
            while faults.attempts["/stall"] < 1:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.005)
            started = time.monotonic()
            with pytest.raises(axios_python.TimeoutError) as info:
                await call(api, mode, "/ok")
            elapsed = time.monotonic() - started
        finally:
            token.cancel()
            with pytest.raises(axios_python.CancelError):
                await busy
    assert info.value.phase == "pool"
    assert 0.19 <= elapsed < 1.0
    assert faults.attempts["/ok"] == 0


async def test_write_timeout_phase(transport: str, mode: str, faults: FaultServer) -> None:
    """A server that never reads the body: the upload blocks once the socket buffers are full,
    and the `write` timeout ends it (each transport's sockets, the urllib3 transport's kernel
    timeouts on plain HTTP included)."""
    config = {"transport": transport, "base_url": faults.url, "timeout": {"write": 0.2, "read": 5}}
    body = b"x" * (64 * 1024 * 1024)  # far more than loopback buffers hold
    async with axios_python.create(config) as api:
        started = time.monotonic()
        with pytest.raises(axios_python.TimeoutError) as info:
            await call(api, mode, "/stall-upload", method="POST", data=body)
    assert info.value.phase == "write"
    assert time.monotonic() - started < 3.0


async def test_a_reused_connection_takes_each_requests_read_timeout(
    transport: str, mode: str, faults: FaultServer
) -> None:
    """The timeouts of one request do not stay on its connection: a short read timeout after a
    long one applies, and a long one after a short one does not time out early."""
    async with axios_python.create({"transport": transport, "base_url": faults.url}) as api:
        await call(api, mode, "/ok", timeout={"read": 30})
        started = time.monotonic()
        with pytest.raises(axios_python.TimeoutError) as info:
            await call(api, mode, "/stall", timeout={"read": 0.15})
        assert info.value.phase == "read"
        assert time.monotonic() - started < 1.0
        await call(api, mode, "/ok", timeout={"read": 0.15})  # reused: quick
        response = await call(api, mode, "/drip?interval=0.1&size=4", timeout={"read": 0.5})
    assert response.status == 200
    assert faults.accepted <= 3  # the stalled connection was dropped, the others reused


@contextlib.contextmanager
def slow_reader(step: int, pause: float) -> Iterator[str]:
    """A server on 127.0.0.1 that reads an upload `step` bytes every `pause` seconds, then
    answers 200: a slow peer that keeps making progress."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += conn.recv(65536)
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                left = length - len(head.split(b"\r\n\r\n", 1)[1])
                while left > 0 and not stop.wait(pause):
                    left -= len(conn.recv(min(step, left)))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(5)


async def test_a_slow_upload_that_makes_progress_is_not_a_write_timeout(
    transport: str, mode: str
) -> None:
    """`write` bounds each wait for the peer, not the whole upload: 8 MiB read 1 MiB every
    0.1 s takes longer than the timeout, and goes through."""
    body = b"x" * (8 * 1024 * 1024)
    with slow_reader(step=1024 * 1024, pause=0.1) as url:
        config = {"transport": transport, "timeout": {"write": 0.45, "read": 5}}
        async with axios_python.create(config) as api:
            started = time.monotonic()
            response = await call(api, mode, url, method="POST", data=body)
            elapsed = time.monotonic() - started
    assert response.status == 200
    assert elapsed > 0.45  # longer than the timeout in all
