"""`Marks`: when each phase of one urllib3 exchange started or ended, for `response.timings`.

urllib3 has no trace hooks: the transport's own connection classes (`_connect.py`) set these
marks (`time.perf_counter()`, an attribute store each) as they resolve, connect, wrap TLS,
send and receive the headers; the transport marks the end of the body. The phases are worked
out only when someone reads `response.timings`.
"""

from __future__ import annotations

from axios_python import Timings

__all__ = ["Marks"]


class Marks:
    """The marks of one exchange; None for what did not happen (no connect on a reused
    connection, no TLS over http, no name to resolve for an IP address, a body not read yet)."""

    __slots__ = (
        "connected",
        "connecting",
        "headers",
        "received",
        "resolved",
        "resolving",
        "secured",
        "sending",
        "sent",
    )

    def __init__(self) -> None:
        self.resolving: float | None = None
        self.resolved: float | None = None
        self.connecting: float | None = None
        self.connected: float | None = None  # the TCP connection is open
        self.secured: float | None = None  # the TLS handshake is done (https)
        self.sending: float | None = None
        self.sent: float | None = None  # the request's headers and body are written
        self.headers: float | None = None  # the response's headers are read
        self.received: float | None = None  # the response's body is read to its end

    def timings(self) -> Timings:
        """The phases. Through an https proxy, `tls` includes the tunnel's CONNECT exchange
        (urllib3 opens the tunnel and wraps the socket in one step)."""
        return Timings(
            dns=_span(self.resolving, self.resolved),
            connect=_span(self.connecting, self.connected),
            tls=_span(self.connected, self.secured),
            send=_span(self.sending, self.sent),
            wait=_span(self.sent, self.headers),
            receive=_span(self.headers, self.received),
        )


def _span(start: float | None, end: float | None) -> float | None:
    if start is None or end is None:
        return None
    return max(end - start, 0.0)
