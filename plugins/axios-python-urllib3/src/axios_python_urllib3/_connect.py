"""urllib3's connections with the request being sent applied: its write timeout, its
`CancelToken` (a cancel shuts the socket down, and ends a connect at once) and its timing marks.

The transport starts an `Exchange` for each request (`begin`/`end`, on the sending thread);
the connection classes find it in a thread-local, since urllib3 hands them nothing of the
request. Connections are opened here rather than by `urllib3.util.connection.create_connection`:
by the core's `connect_tcp` (non-blocking, a selector waiting for the connect or for a cancel),
so a cancelled connect leaves no thread and no socket behind (an unanswered SYN would otherwise
hold the request until the connect timeout), and with the name lookup timed apart.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from time import perf_counter
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util import Timeout

from axios_python import CancelToken, connect_tcp

from ._internals import HookedConnection
from ._kernel import SUPPORTED, kernel_timed
from ._timings import Marks

__all__ = ["Connection", "Exchange", "TLSConnection", "begin", "end"]

_state = threading.local()  # .exchange: the Exchange of the request this thread is sending


class Exchange(Marks):
    """The request this thread is sending, as its connection needs it: the `write` timeout
    (urllib3 sends with the connect timeout), the `token` whose cancel shuts the socket down
    so that a blocked send or receive returns at once, and the timing marks (`Marks`)."""

    __slots__ = ("aborted", "lock", "sock", "token", "unsubscribe", "write")
    # set by `begin` for a request with a token only
    aborted: bool
    sock: socket.socket | None
    unsubscribe: Callable[[], None]

    def __init__(self, token: CancelToken | None, write: float | None) -> None:
        self.token = token
        self.write = write
        self.lock: threading.Lock | None = None  # with a token: guards `sock` and `aborted`

    def attach(self, sock: socket.socket) -> None:
        """The socket a cancel shuts down (none without a token: nothing to do)."""
        if self.lock is None:
            return
        with self.lock:
            self.sock = sock
            if self.aborted:
                _shutdown(sock)

    def abort(self) -> None:
        assert self.lock is not None  # subscribed to the token
        with self.lock:
            self.aborted = True
            if self.sock is not None:
                _shutdown(self.sock)


def begin(token: CancelToken | None, write: float | None) -> Exchange:
    """Start an exchange on this thread (`end` it when urllib3 has the response)."""
    exchange = _state.exchange = Exchange(token, write)
    if token is not None:
        exchange.lock = threading.Lock()
        exchange.sock = None
        exchange.aborted = False
        exchange.unsubscribe = token.subscribe(exchange.abort)
    return exchange


def end(exchange: Exchange) -> None:
    _state.exchange = None
    if exchange.token is not None:
        exchange.unsubscribe()
        exchange.sock = None  # the response keeps the marks, not the socket


def _current() -> Exchange | None:
    return getattr(_state, "exchange", None)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class Connection(HookedConnection):
    """urllib3's connection, with the current `Exchange` applied (when there is one).

    A plain-HTTP connection's timeouts are kept by the kernel (`_kernel.py`) on Linux."""

    kernel_timeouts = SUPPORTED

    def open_socket(self, connect: Callable[[], socket.socket]) -> socket.socket:
        exchange = _current()
        sock = connect() if exchange is None else open_socket(self, exchange)
        if self.kernel_timeouts:
            sock = kernel_timed(sock)
        if exchange is not None:
            exchange.attach(sock)  # a TLS handshake that follows is cancellable too
        return sock

    def request(
        self, method: str, url: str, body: Any = None, headers: Any = None, **options: Any
    ) -> None:
        exchange: Exchange | None = getattr(_state, "exchange", None)
        if exchange is None:
            super().request(method, url, body, headers, **options)
            return
        if self.sock is None:
            self.connect()  # with the connect timeout; the request is then sent with `write`
        if exchange.lock is not None:
            assert self.sock is not None
            exchange.attach(self.sock)
        connect_timeout = self.timeout
        if exchange.write == connect_timeout:
            exchange.sending = perf_counter()
            super().request(method, url, body, headers, **options)
        else:
            self.timeout = exchange.write
            exchange.sending = perf_counter()
            try:
                super().request(method, url, body, headers, **options)
            finally:
                self.timeout = connect_timeout
        exchange.sent = perf_counter()

    def getresponse(self) -> Any:
        try:
            response = super().getresponse()
        except BaseException as exc:
            _discard_response(self, exc)
            if isinstance(exc, OverflowError):  # http.client, at a Content-Length > sys.maxsize
                raise InvalidHeader(f"invalid Content-Length: {exc}") from exc
            raise
        exchange: Exchange | None = getattr(_state, "exchange", None)
        if exchange is not None:
            exchange.headers = perf_counter()
        return response


def _discard_response(conn: HTTPConnection, exc: BaseException) -> None:
    """A response that failed as urllib3 built it (an odd Content-Length, a body cut short):
    close the connection, and let the half-built response go now. Its file object holds the
    socket open; left to the traceback, a reference cycle, the garbage collector may finalise
    the socket first (a ResourceWarning for an open socket). The finished frames' locals are
    its last references."""
    conn.close()
    traceback.clear_frames(exc.__traceback__)


class TLSConnection(Connection, HTTPSConnection):
    kernel_timeouts = False  # `ssl` keeps a socket of its own (`_kernel.py`)

    def connect(self) -> None:
        super().connect()
        exchange = _current()
        if exchange is not None:
            exchange.secured = perf_counter()


# --- opening a socket ------------------------------------------------------------------------


def open_socket(conn: HTTPConnection, exchange: Exchange) -> socket.socket:
    """A connected socket for `conn`, as urllib3's `create_connection` opens it (its socket
    options, source address and timeout, and its errors), marking the lookup and the connect.
    A cancel of the exchange's token ends the connect at once (not a name lookup in progress:
    `getaddrinfo` cannot be interrupted)."""
    host, port, marks = conn.host, conn.port, exchange
    if host.startswith("["):
        host = host.strip("[]")
    timeout = conn.timeout
    if timeout is Timeout.DEFAULT_TIMEOUT:
        timeout = socket.getdefaulttimeout()
    named = not _is_ip(host)
    if named:
        marks.resolving = perf_counter()
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    if named:
        marks.resolved = perf_counter()
    marks.connecting = perf_counter()
    sock = _connect(conn, infos, timeout, exchange.token)
    marks.connected = perf_counter()
    sys.audit("http.client.connect", conn, conn.host, conn.port)
    return sock


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _connect(
    conn: HTTPConnection, addresses: list[Any], timeout: float | None, token: CancelToken | None
) -> socket.socket:
    """`connect_tcp`, with urllib3's errors (`create_connection`'s, as `_new_conn` maps them)."""
    try:
        return connect_tcp(
            addresses,
            timeout=timeout,
            token=token,
            source_address=conn.source_address,
            socket_options=conn.socket_options or (),
        )
    except TimeoutError:  # the builtin (socket.timeout): the connect timeout ran out
        raise ConnectTimeoutError(
            conn, f"Connection to {conn.host} timed out. (connect timeout={timeout})"
        ) from None
    except OSError as exc:
        raise NewConnectionError(conn, f"Failed to establish a new connection: {exc}") from exc
