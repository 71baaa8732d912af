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
    """The marks of one exchange, each set to `time.perf_counter()` when its moment comes.

    A mark never set (no connect on a reused connection, no TLS over http, no name to resolve
    for an IP address, a body not read yet) is simply absent, and its phase None: creating
    the marks costs nothing per request.
    """

    __slots__ = (
        "connected",  # the TCP connection is open
        "connecting",
        "headers",  # the response's headers are read
        "received",  # the response's body is read to its end
        "resolved",
        "resolving",
        "secured",  # the TLS handshake is done (https)
        "sending",
        "sent",  # the request's headers and body are written
    )
    connected: float
    connecting: float
    headers: float
    received: float
    resolved: float
    resolving: float
    secured: float
    sending: float
    sent: float

    def timings(self) -> Timings:
        """The phases. Through an https proxy, `tls` includes the tunnel's CONNECT exchange
        (urllib3 opens the tunnel and wraps the socket in one step)."""
        at = {name: getattr(self, name, None) for name in Marks.__slots__}
        return Timings(
            dns=_span(at["resolving"], at["resolved"]),
            connect=_span(at["connecting"], at["connected"]),
            tls=_span(at["connected"], at["secured"]),
            send=_span(at["sending"], at["sent"]),
            wait=_span(at["sent"], at["headers"]),
            receive=_span(at["headers"], at["received"]),
        )


def _span(start: float | None, end: float | None) -> float | None:
    if start is None or end is None:
        return None
    return max(end - start, 0.0)
