"""urllib3's connections with the request being sent applied: its write timeout, its
`CancelToken` (a cancel shuts the socket down, and ends a connect at once) and its timing marks.

The transport starts an `Exchange` for each request (`begin`/`end`, on the sending thread);
the connection classes find it in a thread-local, since urllib3 hands them nothing of the
request. Connections are opened here rather than by `urllib3.util.connection.create_connection`:
non-blocking, with a selector waiting for the connect or for a cancel, so a cancelled connect
leaves no thread and no socket behind (an unanswered SYN would otherwise hold the request until
the connect timeout), and with the name lookup timed apart from the connect.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from time import perf_counter
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import Timeout

from axios_python import CancelToken

from ._timings import Marks

__all__ = ["Connection", "Exchange", "TLSConnection", "begin", "end"]

_state = threading.local()  # .exchange: the Exchange of the request this thread is sending


class Exchange:
    """The request this thread is sending, as its connection needs it: the `write` timeout
    (urllib3 sends with the connect timeout), the `token` whose cancel shuts the socket down
    so that a blocked send or receive returns at once, and the timing `marks`."""

    __slots__ = ("aborted", "lock", "marks", "sock", "token", "unsubscribe", "write")

    def __init__(self, token: CancelToken | None, write: float | None) -> None:
        self.token = token
        self.write = write
        self.marks = Marks()
        self.sock: socket.socket | None = None
        self.aborted = False
        self.lock = threading.Lock()
        self.unsubscribe: Callable[[], None] | None = None

    def attach(self, sock: socket.socket) -> None:
        with self.lock:
            self.sock = sock
            if self.aborted:
                _shutdown(sock)

    def abort(self) -> None:
        with self.lock:
            self.aborted = True
            if self.sock is not None:
                _shutdown(self.sock)


def begin(token: CancelToken | None, write: float | None) -> Exchange:
    """Start an exchange on this thread (`end` it when urllib3 has the response)."""
    exchange = _state.exchange = Exchange(token, write)
    if token is not None:
        exchange.unsubscribe = token.subscribe(exchange.abort)
    return exchange


def end(exchange: Exchange) -> None:
    _state.exchange = None
    if exchange.unsubscribe is not None:
        exchange.unsubscribe()


def _current() -> Exchange | None:
    return getattr(_state, "exchange", None)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class Connection(HTTPConnection):
    """urllib3's connection, with the current `Exchange` applied (when there is one)."""

    def _new_conn(self) -> socket.socket:
        exchange = _current()
        if exchange is None:
            return super()._new_conn()
        sock = open_socket(self, exchange)
        exchange.attach(sock)  # a TLS handshake that follows is cancellable too
        return sock

    def request(
        self, method: str, url: str, body: Any = None, headers: Any = None, **options: Any
    ) -> None:
        exchange = _current()
        if exchange is None:
            super().request(method, url, body, headers, **options)
            return
        if self.sock is None:
            self.connect()  # with the connect timeout; the request is then sent with `write`
        assert self.sock is not None
        exchange.attach(self.sock)
        connect_timeout, self.timeout = self.timeout, exchange.write
        marks = exchange.marks
        marks.sending = perf_counter()
        try:
            super().request(method, url, body, headers, **options)
        finally:
            self.timeout = connect_timeout
        marks.sent = perf_counter()

    def getresponse(self) -> Any:
        response = super().getresponse()
        exchange = _current()
        if exchange is not None:
            exchange.marks.headers = perf_counter()
        return response


class TLSConnection(Connection, HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        exchange = _current()
        if exchange is not None:
            exchange.marks.secured = perf_counter()


# --- opening a socket ------------------------------------------------------------------------


def open_socket(conn: HTTPConnection, exchange: Exchange) -> socket.socket:
    """A connected socket for `conn`, as urllib3's `create_connection` opens it (its socket
    options, source address and timeout, and its errors), marking the lookup and the connect.
    A cancel of the exchange's token ends the connect at once (not a name lookup in progress:
    `getaddrinfo` cannot be interrupted)."""
    host, port, marks = conn.host, conn.port, exchange.marks
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
    conn: HTTPConnection, infos: list[Any], timeout: float | None, token: CancelToken | None
) -> socket.socket:
    """Try each address in turn, as `create_connection` does; urllib3's error for the last
    failure (`NewConnectionError`, or `ConnectTimeoutError` once the timeout has run out)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    wake = _Wake(token) if token is not None else None
    error: OSError | None = None
    try:
        for family, kind, proto, _, address in infos:
            sock = socket.socket(family, kind, proto)
            try:
                _connect_one(sock, conn, address, deadline, wake)
            except TimeoutError:  # the builtin (socket.timeout): the connect timeout ran out
                sock.close()
                raise ConnectTimeoutError(
                    conn, f"Connection to {conn.host} timed out. (connect timeout={timeout})"
                ) from None
            except OSError as exc:
                sock.close()
                error = exc
                if wake is not None and wake.cancelled:
                    break
                continue
            except BaseException:
                sock.close()
                raise
            sock.settimeout(timeout)
            return sock
    finally:
        if wake is not None:
            wake.close()
    if error is None:
        error = OSError("getaddrinfo returns an empty list")
    raise NewConnectionError(conn, f"Failed to establish a new connection: {error}") from error


def _connect_one(
    sock: socket.socket,
    conn: HTTPConnection,
    address: Any,
    deadline: float | None,
    wake: _Wake | None,
) -> None:
    for option in conn.socket_options or ():
        sock.setsockopt(*option)
    if conn.source_address:
        sock.bind(conn.source_address)
    sock.setblocking(False)
    code = sock.connect_ex(address)
    if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK):
        raise OSError(code, os.strerror(code))
    if code:
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_WRITE)
            if wake is not None:
                selector.register(wake.reader, selectors.EVENT_READ)
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = {key.fileobj for key, _ in selector.select(remaining)}
        if wake is not None and wake.reader in ready:
            raise OSError(errno.ECANCELED, "cancelled while connecting")
        if sock not in ready:
            raise TimeoutError("timed out")
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            raise OSError(code, os.strerror(code))
    if wake is not None and wake.cancelled:
        raise OSError(errno.ECANCELED, "cancelled while connecting")


class _Wake:
    """A socket pair a cancel writes to, so that a selector waiting on a connect wakes up."""

    __slots__ = ("cancelled", "reader", "unsubscribe", "writer")

    def __init__(self, token: CancelToken) -> None:
        self.reader, self.writer = socket.socketpair()
        self.cancelled = False
        self.unsubscribe = token.subscribe(self._set)

    def _set(self) -> None:
        self.cancelled = True
        with contextlib.suppress(OSError):  # closed: the connect is over already
            self.writer.send(b"x")

    def close(self) -> None:
        self.unsubscribe()
        self.reader.close()
        self.writer.close()
