"""Resource bounds: `max_content_length` bounds the *decoded* response body (a gzip bomb stops
at the limit, with `ContentTooLargeError`, without inflating the rest), `max_body_length` the
request body (refused before any I/O), and a streamed response dropped without `close()`
gives its connection back when collected, with a `ResourceWarning`."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import ContentTooLargeError
from tests.faults import FaultServer, _gzip_zeros

pytestmark = pytest.mark.anyio
MIB = 1 << 20


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


async def call(api: axios_python.AxiosPython, mode: str, method: str, url: str, **kw: Any) -> Any:
    if mode == "sync":
        return await asyncio.to_thread(api.request, method, url, **kw)
    return await api.async_request(method, url, **kw)


async def test_a_gzip_bomb_stops_at_the_limit(
    transport: str, mode: str, faults: FaultServer
) -> None:
    """64 KiB of gzip inflating to 64 MiB: read with max_content_length=1 MiB, the client
    stops at the limit (the body was inflated in full, in memory, before)."""
    _gzip_zeros(64)  # built before measuring
    config = {"transport": transport, "base_url": faults.url, "max_content_length": MIB}
    async with axios_python.create(config) as api:
        tracemalloc.start()
        try:
            with pytest.raises(ContentTooLargeError) as info:
                await call(api, mode, "GET", "/gzip-bomb?mib=64")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert info.value.limit == MIB
    assert info.value.code == "ERR_CONTENT_TOO_LARGE"
    assert peak < 16 * MIB, f"{peak / MIB:.0f} MiB allocated"


async def test_a_body_within_the_limit_reads_as_usual(
    transport: str, mode: str, server: LocalServer
) -> None:
    config = {"transport": transport, "base_url": server.url}
    async with axios_python.create(config) as api:
        response = await call(api, mode, "GET", "/gzip", max_content_length=MIB)
        assert response.data["gzipped"] is True
        plain = await call(api, mode, "GET", "/bytes/2000", max_content_length=2000)
        assert len(plain.content) == 2000
        with pytest.raises(ContentTooLargeError):
            await call(api, mode, "GET", "/bytes/2001", max_content_length=2000)
        assert (await call(api, mode, "GET", "/get")).status_code == 200  # connection freed


async def test_max_body_length_refuses_before_any_io(
    transport: str, mode: str, faults: FaultServer
) -> None:
    config = {"transport": transport, "base_url": faults.url, "max_body_length": 10}
    async with axios_python.create(config) as api:
        with pytest.raises(ContentTooLargeError) as info:
            await call(api, mode, "POST", "/ok", content=b"x" * 11)
        assert info.value.limit == 10
        ok = await call(api, mode, "POST", "/ok", content=b"x" * 10)
        assert ok.status_code == 200
    assert faults.attempts["/ok"] == 1


async def test_a_dropped_stream_releases_its_connection(
    transport: str, mode: str, server: LocalServer
) -> None:
    """A `stream=True` response dropped without close() kept its pool slot silently."""
    config = {
        "transport": transport,
        "base_url": server.url,
        "timeout": {"pool": 0.5, "connect": 2, "read": 2, "write": 2},
        "limits": httpx.Limits(max_connections=1, max_keepalive_connections=1),
    }
    async with axios_python.create(config) as api:
        if mode == "sync":  # on this thread: the response is collected here
            response = api.get("/bytes/100000", stream=True)
        else:
            response = await api.async_get("/bytes/100000", stream=True)
        del response
        with pytest.warns(ResourceWarning, match="without close"):
            gc.collect()
        await asyncio.sleep(0.05)  # an async stream is closed by a task on its loop
        again = await call(api, mode, "GET", "/get")
        assert again.status_code == 200
