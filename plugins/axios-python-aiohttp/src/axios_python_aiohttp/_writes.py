"""The `write` timeout, which aiohttp does not have: a body the server stops reading would
otherwise hold the request for ever (aiohttp starts its read timeout once the body is sent).

`WatchedBody` is the body as an aiohttp payload (public API: `aiohttp.payload.Payload`): it
writes the body to aiohttp's stream writer itself, which waits for its buffer to drain every
64 KiB. When no write completes within the timeout, the peer stopped reading: the connection is
aborted (closed without flushing: a graceful close would wait on the unsent data for ever),
aiohttp fails the request, and the transport raises that as `TimeoutError(phase="write")`.

A body of up to 64 KiB in bytes goes out as it is: asyncio's buffer takes it without waiting,
and the response's read timeout follows. Larger bytes are always sent as a `WatchedBody`, with
no timer when there is no write timeout: handed over as they are, aiohttp warns
(`ResourceWarning`) on bytes over 1 MiB, and writes them in one call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from typing import Any

from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import Payload

__all__ = ["WatchedBody", "watch_body"]

_CHUNK = 64 * 1024
_SMALL = 64 * 1024  # bytes up to this size never wait for the peer


class WatchedBody(Payload):
    """A request body (bytes, or an async iterable of bytes) whose writes are timed."""

    def __init__(self, body: bytes | AsyncIterable[bytes], timeout: float | None) -> None:
        super().__init__(body)
        self._body = body
        self._length = len(body) if isinstance(body, bytes) else None
        self._timeout = timeout
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._writer: AbstractStreamWriter | None = None
        self.expired = False  # the timeout ran out: the connection was aborted for it

    @property
    def size(self) -> int | None:
        return self._length

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a request body being sent is not decoded")

    async def write(self, writer: AbstractStreamWriter) -> None:
        self._writer = writer
        try:
            body = self._body
            if isinstance(body, bytes):
                view = memoryview(body)
                for start in range(0, len(view), _CHUNK):
                    self._progress()
                    await writer.write(view[start : start + _CHUNK])
            else:
                async for chunk in body:
                    self._progress()
                    await writer.write(chunk)
            self._progress()
            await writer.drain()  # the end of the body is watched too
        finally:
            self._stop()

    def _progress(self) -> None:
        if self._timeout is None:
            return
        loop = asyncio.get_running_loop()
        self._deadline = loop.time() + self._timeout
        if self._timer is None:
            self._timer = loop.call_at(self._deadline, self._check)

    def _check(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self._deadline:  # a write completed since: wait for the new deadline
            self._timer = loop.call_at(self._deadline, self._check)
            return
        self._timer = None
        transport = getattr(self._writer, "transport", None)
        if transport is not None:
            self.expired = True
            transport.abort()

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def watch_body(data: Any, timeout: float | None) -> Any:
    """`data` as aiohttp is to send it: a `WatchedBody` when it may wait for the peer and a
    `write` timeout is set, or when it is bytes over 64 KiB; else unchanged."""
    if data is None or (isinstance(data, bytes) and len(data) <= _SMALL):
        return data
    if timeout is None and not isinstance(data, bytes):
        return data  # a stream without a timeout: aiohttp's own payload for it
    return WatchedBody(data, timeout)
