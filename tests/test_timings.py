"""`response.timings`: per-phase durations as each transport saw them, sync and async."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import MockTransport, Response, Timings

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(transport: str, server: LocalServer) -> AsyncIterator[axios_python.AxiosPython]:
    api = axios_python.create({"transport": transport, "base_url": server.url, "timeout": 5})
    try:
        yield api
    finally:
        await api.aclose()


async def get(api: axios_python.AxiosPython, mode: str, url: str, **options: Any) -> Response:
    if mode == "sync":
        return api.get(url, **options)
    return await api.async_get(url, **options)


def measured(value: float | None) -> bool:
    return value is not None and 0.0 <= value < 5.0


async def test_fresh_then_reused_connection(
    client: axios_python.AxiosPython, mode: str, server: LocalServer
) -> None:
    before = server.connections
    first = await get(client, mode, "/get")
    second = await get(client, mode, "/get")
    assert server.connections == before + 1  # the second request reused the connection

    assert measured(first.timings.connect)
    assert measured(first.timings.send)
    assert measured(first.timings.wait)
    assert measured(first.timings.receive)
    assert first.timings.tls is None  # plain http
    assert first.timings.dns is None  # an IP address: nothing to resolve

    assert second.timings.connect is None
    assert measured(second.timings.wait)
    assert measured(second.timings.receive)


async def test_wait_is_the_servers_time_to_first_byte(
    client: axios_python.AxiosPython, mode: str
) -> None:
    response = await get(client, mode, "/delay/0.2")
    timings = response.timings
    assert timings.wait is not None
    assert timings.wait >= 0.15
    assert timings.receive is not None
    assert timings.receive < 0.15
    assert timings.total is not None
    assert timings.total >= timings.wait


async def test_a_streamed_body_is_received_when_read(
    client: axios_python.AxiosPython, mode: str
) -> None:
    response = await get(client, mode, "/stream-bytes/2000", stream=True)
    try:
        assert measured(response.timings.wait)
        assert response.timings.receive is None  # not read yet
        if mode == "sync":
            response.read()
        else:
            await response.aread()
        assert measured(response.timings.receive)
    finally:
        if mode == "sync":
            response.close()
        else:
            await response.aclose()


async def test_send_lasts_until_the_last_chunk_of_the_body_is_written(
    client: axios_python.AxiosPython, mode: str
) -> None:
    """An iterator body goes out after the headers (on aiohttp, written by a task of its own
    that outlives the request's start): `send` ends with its last chunk."""
    pause = 0.05

    def parts() -> Iterator[bytes]:
        for _ in range(3):
            time.sleep(pause)
            yield b"x" * 100

    async def aparts() -> AsyncIterator[bytes]:
        for _ in range(3):
            await asyncio.sleep(pause)
            yield b"x" * 100

    if mode == "sync":
        response = client.post("/post", content=parts())
    else:
        response = await client.async_post("/post", content=aparts())
    assert response.data["data"] == "x" * 300
    send = response.timings.send
    assert send is not None
    assert send >= 2 * pause  # at least the last two pauses: the first may precede the headers
    assert measured(response.timings.wait)
    assert measured(response.timings.receive)


async def test_redirects_report_the_last_exchange(
    client: axios_python.AxiosPython, mode: str
) -> None:
    await get(client, mode, "/get")  # open the connection: the hops then reuse it
    response = await get(client, mode, "/redirect/2")
    assert len(response.history) == 2
    assert response.timings.connect is None
    assert measured(response.timings.wait)
    assert measured(response.timings.receive)


def test_a_response_from_no_network_has_no_timings() -> None:
    with axios_python.create(
        {"base_url": "http://mock.test"}, transport=MockTransport(lambda request: Response(200))
    ) as api:
        timings = api.get("/x").timings
    assert timings == Timings()
    assert timings.total is None
    assert Response(204).timings == Timings()


def test_a_transport_sets_timings_as_a_value_or_a_function() -> None:
    response = Response(200)
    response.timings = Timings(connect=0.25, wait=0.5)
    assert response.timings.connect == 0.25
    assert response.timings.total == 0.75
    calls: list[int] = []

    def later() -> Timings:
        calls.append(1)
        return Timings(receive=0.125)

    response.timings = later
    assert response.timings.receive == 0.125
    assert len(calls) == 1  # worked out when read, each time
    with pytest.raises(TypeError, match="Timings or a function"):
        response.timings = 0.5  # type: ignore[assignment]


def test_timings_are_frozen() -> None:
    timings = Timings(connect=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        timings.connect = 0.2  # type: ignore[misc]


def test_a_trace_extension_of_the_caller_is_still_called(server: LocalServer) -> None:
    seen: list[str] = []

    def trace(name: str, info: dict[str, Any]) -> None:
        seen.append(name)

    with axios_python.create({"base_url": server.url, "timeout": 5}) as api:

        class Tracing(axios_python.Plugin):
            def on_transport(self, request: Any) -> None:
                request.extensions["trace"] = trace

        api.plugin(Tracing())
        response = api.get("/get")
    assert "http11.receive_response_headers.complete" in seen
    assert measured(response.timings.wait)
