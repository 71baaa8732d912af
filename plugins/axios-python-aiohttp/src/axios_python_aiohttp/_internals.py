"""Private attributes and undocumented methods of aiohttp that this transport touches.

Checked against aiohttp 3.10 to 3.14.5. Contract test: tests/test_internals.py.
"""

from __future__ import annotations

import socket
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from aiohttp.abc import AbstractResolver

if TYPE_CHECKING:
    from aiohttp.abc import ResolveResult
    from aiohttp.client_proto import ResponseHandler

__all__ = ["MARKS", "Marks", "TimedConnector", "TimedRequest", "TimedResolver", "never_resend"]


def never_resend(session: aiohttp.ClientSession) -> None:
    """Stop `session` from sending an idempotent request again, silently, when a reused
    connection fails before the response: only the pipeline's retries (`max_retries`) may
    resend. There is no public switch: this is the attribute aiohttp's own test client turns
    off (`aiohttp.test_utils.TestClient`)."""
    session._retry_connection = False


# --- per-phase timings, without aiohttp's tracing ------------------------------------------
#
# Any `aiohttp.TraceConfig` makes aiohttp build Trace and params objects and await every
# signal of every request, not only the ones listened to (~70k instructions a request, 13%
# of one). These hooks mark the same moments, each once, where aiohttp does the work.


class Marks(Protocol):
    """The moments the hooks below mark (`time.perf_counter()`), on the request's marks."""

    sent: float | None
    dns_start: float | None
    dns_end: float | None
    created: float | None
    connected: float | None


# The marks of the exchange the running task sends (set by the transport before
# `session.request`). aiohttp's own tasks for a request (its DNS lookup, a body written in the
# background) are created inside it, with a copy of the context: they see the same marks.
MARKS: ContextVar[Marks | None] = ContextVar("axios_python_aiohttp_marks", default=None)


class TimedRequest(aiohttp.ClientRequest):
    """A `ClientRequest` (the session's `request_class`) marking when the request is sent.

    `send()` writes the request line and headers (and ends a request without a body); a body
    is written by `write_bytes()`, in a task of its own that may outlive `send()`: the last
    mark is the one kept, when the body's last byte was written."""

    async def send(self, conn: Any) -> aiohttp.ClientResponse:
        response = await super().send(conn)
        marks = MARKS.get()
        if marks is not None:
            marks.sent = time.perf_counter()
        return response

    async def write_bytes(self, *args: Any, **kwargs: Any) -> None:
        await super().write_bytes(*args, **kwargs)
        marks = MARKS.get()
        if marks is not None:
            marks.sent = time.perf_counter()


class TimedResolver(AbstractResolver):
    """aiohttp's default resolver, marking the lookups it makes (public API: a connector's
    `resolver`). aiohttp asks it on a DNS cache miss only, never for an IP address."""

    def __init__(self) -> None:
        self._resolver = aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        marks = MARKS.get()
        if marks is not None:
            marks.dns_start = time.perf_counter()
        addresses = await self._resolver.resolve(host, port, family)
        if marks is not None:
            marks.dns_end = time.perf_counter()
        return addresses

    async def close(self) -> None:
        await self._resolver.close()


class TimedConnector(aiohttp.TCPConnector):
    """A `TCPConnector` marking the start and end of each new connection it opens (DNS, TCP,
    TLS and a proxy's CONNECT included), with a `TimedResolver` of its own; a pooled
    connection it hands out is not marked."""

    def __init__(self, **options: Any) -> None:
        self._timed_resolver = TimedResolver()
        super().__init__(resolver=self._timed_resolver, **options)

    async def close(self, *args: Any, **kwargs: Any) -> None:
        await super().close(*args, **kwargs)
        await self._timed_resolver.close()  # given to aiohttp, which closes only its own

    async def _create_connection(self, *args: Any, **kwargs: Any) -> ResponseHandler:
        marks = MARKS.get()
        if marks is not None:
            marks.created = time.perf_counter()
        protocol = await super()._create_connection(*args, **kwargs)
        if marks is not None:
            marks.connected = time.perf_counter()
        return protocol
