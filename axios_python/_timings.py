"""`Timings`: how long each phase of one HTTP exchange took, as a transport saw it.

A transport records *marks* (a phase's start or end) while it sends, cheaply: a name and
`time.perf_counter()`, appended to a list. The phases are only worked out when someone reads
`response.timings`, so a request whose timings nobody reads pays for the marks alone.

`HttpcoreTrace` is the recorder of the default transport: httpcore calls it through the
request's `trace` extension (https://www.encode.io/httpcore/extensions/#trace).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from time import perf_counter
from typing import Any

__all__ = ["NO_TIMINGS", "HttpcoreTrace", "Timings"]


@dataclasses.dataclass(frozen=True, slots=True)
class Timings:
    """Per-phase durations of one exchange, in seconds; None for a phase that did not happen
    (`connect` on a reused connection, `tls` over plain http) or that the transport cannot see.

    Attributes:
        dns: resolving the host name. The default (httpx) transport cannot see it apart from
            connecting: there it is always None, and `connect` includes it.
        connect: opening the TCP connection (None when a pooled connection was reused).
        tls: the TLS handshake (None over http, on a reused connection, or when the transport
            cannot see it apart from `connect`).
        send: writing the request: headers and body.
        wait: from the end of the request to the response headers: the server's time to
            first byte (plus the network's round trip).
        receive: reading the response body; None while a streamed body is not fully read.

    With redirects, the timings are those of the last exchange (the response you got).
    A response that did not come from the network (a cache hit, `MockTransport`) has all None.
    """

    dns: float | None = None
    connect: float | None = None
    tls: float | None = None
    send: float | None = None
    wait: float | None = None
    receive: float | None = None

    @property
    def total(self) -> float | None:
        """The sum of the phases that were measured, or None if none was."""
        phases = [
            p
            for p in (self.dns, self.connect, self.tls, self.send, self.wait, self.receive)
            if p is not None
        ]
        return sum(phases) if phases else None


NO_TIMINGS = Timings()

TimingsSource = Callable[[], Timings]


def _span(marks: dict[str, float], start: str, end: str) -> float | None:
    began = marks.get(start)
    ended = marks.get(end)
    if began is None or ended is None:
        return None
    return max(ended - began, 0.0)


class HttpcoreTrace:
    """Records httpcore's trace events for one request (and its redirect hops).

    Install `trace` (sync) or `atrace` (async) as the request's `trace` extension; httpcore
    calls it with names like `"http11.send_request_headers.started"` or
    `"connection.connect_tcp.complete"`. An extension the caller set already is still called.
    """

    __slots__ = ("_inner", "marks")

    def __init__(self, inner: Any = None) -> None:
        self.marks: list[tuple[str, float]] = []
        self._inner = inner

    def trace(self, name: str, info: dict[str, Any]) -> None:
        self.marks.append((name, perf_counter()))
        if self._inner is not None:
            self._inner(name, info)

    async def atrace(self, name: str, info: dict[str, Any]) -> None:
        self.marks.append((name, perf_counter()))
        if self._inner is not None:
            await self._inner(name, info)

    def timings(self) -> Timings:
        """The phases of the last exchange recorded (redirect hops come one after another)."""
        marks = self.marks
        start = 0
        for index in range(len(marks) - 1):  # the last mark may end the last exchange itself
            # a hop's connection events come after the previous hop's response was closed
            if marks[index][0].endswith("response_closed.complete"):
                start = index + 1
        last: dict[str, float] = {}
        for name, at in marks[start:]:
            last[name.partition(".")[2]] = at  # "http11.x.started" -> "x.started"
        connect = _span(last, "connect_tcp.started", "connect_tcp.complete")
        if connect is None:
            connect = _span(last, "connect_unix_socket.started", "connect_unix_socket.complete")
        return Timings(
            connect=connect,
            tls=_span(last, "start_tls.started", "start_tls.complete"),
            send=_span(last, "send_request_headers.started", "send_request_body.complete"),
            wait=_span(last, "send_request_body.complete", "receive_response_headers.complete"),
            receive=_span(
                last, "receive_response_headers.complete", "receive_response_body.complete"
            ),
        )
