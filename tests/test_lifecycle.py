"""Resource lifecycle: cancelling streamed bodies, closing clients under open streams, pools of
one connection, clients reused across event loops and threads. Every transport, sync and async.

A pool of one connection with a short pool timeout proves that a connection was given back:
the next request on the client must get it, not a `TimeoutError(phase="pool")`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import CancelError, CancelToken, FixedBackoff, NetworkError, RetryError
from axios_python._validation import validate_request_options

validate_request_options({})  # build the pydantic schemas now, not inside a timed request

SLOW = {"numbytes": 5, "duration": 2}  # /drip: one byte every 0.4 s, 2 s in all


def make(transport: str, server: LocalServer, **options: Any) -> axios_python.AxiosPython:
    """A client with ONE pooled connection and a 0.3 s pool timeout (a leak fails fast)."""
    config = {
        "transport": transport,
        "base_url": server.url,
        "timeout": {"connect": 1, "read": 1, "write": 1, "pool": 0.3},
        "limits": httpx.Limits(max_connections=1, max_keepalive_connections=1),
        **options,
    }
    return axios_python.create(config)


def later(seconds: float, fn: Any, *args: Any) -> threading.Timer:
    timer = threading.Timer(seconds, fn, args)
    timer.start()
    return timer


# --- a token cancels a streamed body --------------------------------------------------------


def _drain_sync(api: axios_python.AxiosPython, token: CancelToken) -> float:
    """Stream /drip, cancel from another thread after the first chunk; when CancelError came."""
    with api.get("/drip", params=SLOW, stream=True, cancel_token=token) as response:
        chunks = response.iter_bytes()
        assert next(chunks) == b"*"
        timer = later(0.05, token.cancel, "enough")
        try:
            with pytest.raises(CancelError, match="enough") as info:
                for _ in chunks:
                    pass
        finally:
            timer.join()
    assert info.value.code == "ERR_CANCELED"
    return time.monotonic()


async def _drain_async(api: axios_python.AxiosPython, token: CancelToken) -> float:
    response = await api.async_get("/drip", params=SLOW, stream=True, cancel_token=token)
    async with response:
        chunks = response.aiter_bytes()
        assert await chunks.__anext__() == b"*"
        timer = later(0.05, token.cancel, "enough")
        try:
            with pytest.raises(CancelError, match="enough") as info:
                async for _ in chunks:
                    pass
        finally:
            timer.join()
    assert info.value.code == "ERR_CANCELED"
    assert info.value.config is not None
    return time.monotonic()


def test_cancel_while_streaming_the_body_sync(transport: str, server: LocalServer) -> None:
    """token.cancel() from another thread aborts the read of a streamed body at once (the
    docs bound a download with a CancelToken), and the connection is not leaked."""
    with make(transport, server) as api:
        token = CancelToken()
        started = time.monotonic()
        ended = _drain_sync(api, token)
        assert ended - started < 1.2  # not the 2 s of the whole body
        assert api.get("/get").status_code == 200  # the one connection is free


@pytest.mark.anyio
async def test_cancel_while_streaming_the_body_async(transport: str, server: LocalServer) -> None:
    async with make(transport, server) as api:
        token = CancelToken()
        started = time.monotonic()
        ended = await _drain_async(api, token)
        assert ended - started < 1.2
        assert (await api.async_get("/get")).status_code == 200


@pytest.mark.anyio
async def test_token_timeout_bounds_a_streamed_download(
    transport: str, mode: str, server: LocalServer
) -> None:
    """CancelToken(timeout=0.3) ends a slow streamed download after 0.3 s (docs/streaming.md)."""
    api = make(transport, server)

    def sync_read() -> None:
        token = CancelToken(timeout=0.3)
        with api.get("/drip", params=SLOW, stream=True, cancel_token=token) as response:
            b"".join(response.iter_bytes())

    async def async_read() -> None:
        token = CancelToken(timeout=0.3)
        response = await api.async_get("/drip", params=SLOW, stream=True, cancel_token=token)
        async with response:
            b"".join([chunk async for chunk in response.aiter_bytes()])

    try:
        started = time.monotonic()
        with pytest.raises(CancelError, match=r"timed out after 0\.3s"):
            await (asyncio.to_thread(sync_read) if mode == "sync" else async_read())
        assert time.monotonic() - started < 0.9
        if mode == "sync":
            assert (await asyncio.to_thread(api.get, "/get")).status_code == 200
        else:
            assert (await api.async_get("/get")).status_code == 200
    finally:
        await api.aclose()


@pytest.mark.anyio
async def test_token_cancelled_after_the_headers(transport: str, server: LocalServer) -> None:
    """Cancelled between the headers and the first read: the read raises CancelError, and a
    second cancel() is a no-op."""
    async with make(transport, server) as api:
        token = CancelToken()
        response = await api.async_get("/bytes/100", stream=True, cancel_token=token)
        token.cancel("gone")
        token.cancel("twice")
        async with response:
            with pytest.raises(CancelError, match="gone"):
                await response.aread()
        assert (await api.async_get("/get")).status_code == 200


def test_streamed_body_with_a_token_reads_in_full(transport: str, server: LocalServer) -> None:
    """A token that is never cancelled changes nothing: every byte, connection given back."""
    with make(transport, server) as api:
        token = CancelToken()
        with api.get(
            "/stream-bytes/3000", params={"chunk_size": 1000}, stream=True, cancel_token=token
        ) as response:
            assert len(b"".join(response.iter_bytes())) == 3000
        assert api.get("/get").status_code == 200


@pytest.mark.anyio
async def test_streamed_body_with_a_token_reads_in_full_async(
    transport: str, server: LocalServer
) -> None:
    async with make(transport, server) as api:
        token = CancelToken()
        response = await api.async_get(
            "/stream-bytes/3000", params={"chunk_size": 1000}, stream=True, cancel_token=token
        )
        async with response:
            assert len(b"".join([c async for c in response.aiter_bytes()])) == 3000
        for _ in range(3):
            assert (await api.async_get("/get", cancel_token=token)).status_code == 200


# --- streams, timeouts and the pool ---------------------------------------------------------


@pytest.mark.anyio
async def test_read_timeout_mid_body_is_typed_and_frees_the_connection(
    transport: str, server: LocalServer
) -> None:
    async with make(transport, server) as api:
        response = await api.async_get("/drip", params=SLOW, stream=True, timeout=0.2)
        async with response:
            with pytest.raises(axios_python.TimeoutError) as info:
                await response.aread()
        assert info.value.phase == "read"
        assert (await api.async_get("/get")).status_code == 200


@pytest.mark.anyio
async def test_pool_timeout_while_a_stream_holds_the_connection(
    transport: str, server: LocalServer
) -> None:
    async with make(transport, server) as api:
        response = await api.async_get("/drip", params=SLOW, stream=True)
        async with response:
            started = time.monotonic()
            with pytest.raises(axios_python.TimeoutError) as info:
                await api.async_get("/get")
            assert info.value.phase == "pool"
            assert time.monotonic() - started < 0.8


@pytest.mark.anyio
async def test_partial_read_then_close_returns_the_connection(
    transport: str, server: LocalServer
) -> None:
    async with make(transport, server) as api:
        for _ in range(3):
            response = await api.async_get(
                "/stream-bytes/200000", params={"chunk_size": 1000}, stream=True
            )
            try:
                async with response:
                    async for _chunk in response.aiter_bytes():
                        raise KeyError("stop")
            except KeyError:
                pass
            assert response.is_closed
            await response.aclose()  # twice: a no-op
        assert (await api.async_get("/get")).status_code == 200


@pytest.mark.anyio
async def test_streamed_retries_give_each_connection_back(
    transport: str, mode: str, server: LocalServer
) -> None:
    """Streamed 503s rejected by validate_status, retried on a pool of one connection."""
    api = make(
        transport,
        server,
        max_retries=2,
        retry_strategy=FixedBackoff(0.01, retry_on_status=[503]),
        validate_status=lambda status: status < 400,
    )
    try:
        if mode == "sync":
            with pytest.raises(RetryError) as info:
                await asyncio.to_thread(api.get, "/status/503", stream=True)
            assert (await asyncio.to_thread(api.get, "/get")).status_code == 200
        else:
            with pytest.raises(RetryError) as info:
                await api.async_get("/status/503", stream=True)
            assert (await api.async_get("/get")).status_code == 200
        assert info.value.attempts == 3
    finally:
        await api.aclose()


# --- closing the client ---------------------------------------------------------------------


@pytest.mark.anyio
async def test_reading_a_stream_after_aclose_is_a_typed_error(
    transport: str, server: LocalServer
) -> None:
    """The client closed under an open stream: reading it raises NetworkError, not a bare
    RuntimeError from the network library."""
    api = make(transport, server)
    response = await api.async_get("/drip", params=SLOW, stream=True)
    await api.aclose()
    try:
        with pytest.raises(NetworkError):
            await response.aread()
    finally:
        await response.aclose()
    assert (await api.async_get("/get")).status_code == 200  # the client reopens
    await api.aclose()


def test_client_used_from_two_event_loops_in_turn(transport: str, server: LocalServer) -> None:
    api = make(transport, server)

    async def once() -> int:
        return (await api.async_get("/get")).status_code

    try:
        assert asyncio.run(once()) == 200
        assert asyncio.run(once()) == 200
        assert api.get("/get").status_code == 200
    finally:
        api.close()


def test_event_loops_that_ended_are_not_kept_alive(transport: str, server: LocalServer) -> None:
    """A client used from several `asyncio.run()` calls in turn keeps none of their loops (nor
    what hangs off them) once they ended: its per-loop state is let go with each loop."""
    import gc
    import weakref

    api = make(transport, server)
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def once() -> int:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        return (await api.async_get("/get")).status_code

    try:
        for _ in range(3):
            assert asyncio.run(once()) == 200
        gc.collect()
        assert [ref() for ref in loops] == [None, None, None]
    finally:
        api.close()


def test_sync_calls_from_threads_share_one_client(transport: str, server: LocalServer) -> None:
    with axios_python.create({"transport": transport, "base_url": server.url}) as api:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda i: api.get("/get", params={"i": i}), range(32)))
        assert [r.data["args"]["i"] for r in results] == [str(i) for i in range(32)]
