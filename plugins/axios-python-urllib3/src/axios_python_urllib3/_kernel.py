"""Plain-HTTP sockets whose timeouts the kernel keeps (Linux): no `poll()` per send and receive.

A Python socket with a timeout is non-blocking underneath: before each `send` or `recv` it
polls the descriptor, which is one more system call, and one more release of the GIL, per
operation. Every axios_python request has timeouts (5 s by default), so raw urllib3 without
them is the faster of the two: measured 1.2x at 32 threads, and ~14% less throughput on a
1 MiB body (bench/transports.py, "raw urllib3 5s-timeout").

Linux keeps a socket's timeouts itself (`SO_RCVTIMEO`, `SO_SNDTIMEO`, socket(7)): a blocking
`recv`/`send` that waits longer fails with `EAGAIN`, which Python raises as `BlockingIOError`.
The socket here stays blocking, turns its timeout into those two options, and raises that error
as the `TimeoutError` (`socket.timeout`) urllib3 and http.client expect from a timed-out
socket. The timeout applies to each system call, as it does to each wait of a Python socket; a
`sendall` of a large body gets it per partial send rather than for the whole call, as httpx's
write timeout is per write.

Not for TLS: `ssl` moves the descriptor into a socket object of its own (the overrides here
are gone), and its C code retries a blocking socket's `EAGAIN` rather than raising it; a TLS
connection keeps Python's timeouts. Nor for other systems than Linux (Windows takes
milliseconds and leaves a timed-out socket unusable).
"""

from __future__ import annotations

import math
import socket
import struct
import sys
from typing import Any

__all__ = ["SUPPORTED", "kernel_timed"]

SUPPORTED = sys.platform == "linux"

_recv_into = socket.socket.recv_into
_recv = socket.socket.recv
_sendall = socket.socket.sendall
_send = socket.socket.send


class KernelTimedSocket(socket.socket):
    """A connected, blocking socket whose `settimeout` sets `SO_RCVTIMEO` and `SO_SNDTIMEO`."""

    __slots__ = ("_kernel_timeout",)
    _kernel_timeout: float | None

    def settimeout(self, value: float | None) -> None:
        if value == self._kernel_timeout:
            return  # urllib3 sets it before each send and each response: usually unchanged
        if value is not None and not value >= 0:  # NaN too
            raise ValueError(f"Timeout value out of range: {value!r}")
        timeval = _timeval(value)
        self.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
        self.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
        self._kernel_timeout = value

    def gettimeout(self) -> float | None:
        return self._kernel_timeout

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        try:
            return _recv_into(self, buffer, nbytes, flags)
        except BlockingIOError:
            raise TimeoutError("timed out") from None

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        try:
            return _recv(self, bufsize, flags)
        except BlockingIOError:
            raise TimeoutError("timed out") from None

    def sendall(self, data: Any, flags: int = 0) -> None:
        try:
            _sendall(self, data, flags)
        except BlockingIOError:
            raise TimeoutError("timed out") from None

    def send(self, data: Any, flags: int = 0) -> int:
        try:
            return _send(self, data, flags)
        except BlockingIOError:
            raise TimeoutError("timed out") from None


def kernel_timed(sock: socket.socket) -> KernelTimedSocket:
    """`sock` (connected) as a `KernelTimedSocket`, with the timeout it had."""
    timeout = sock.gettimeout()
    timed = KernelTimedSocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
    socket.socket.settimeout(timed, None)  # blocking: the kernel keeps the time
    timed._kernel_timeout = None  # no option set yet: the kernel's default, no limit
    timed.settimeout(timeout)
    return timed


_LONGEST = 10.0**9  # seconds (~31 years): beyond it, no limit in practice; a timeval holds it


def _timeval(seconds: float | None) -> bytes:
    """`struct timeval` for `seconds` (None: no limit). The kernel reads 0 as no limit too, so
    a positive time under a microsecond is rounded up; it rounds up to its clock tick itself."""
    if seconds is None:
        return struct.pack("ll", 0, 0)
    micro = max(math.ceil(min(seconds, _LONGEST) * 1_000_000), 1)
    return struct.pack("ll", *divmod(micro, 1_000_000))
