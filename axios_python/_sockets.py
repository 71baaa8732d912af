"""`connect_tcp`: a TCP connect that a `CancelToken` ends at once, for sync transports.

A blocking `connect()` cannot be interrupted: an unanswered SYN holds a cancelled request until
the connect timeout, and a helper thread to wait in outlives the cancel (with its socket). Here
the socket connects non-blocking while a selector waits for it or for the cancel (a wake-up
socket pair); on cancel the half-open socket is closed, and no thread and no descriptor outlive
the call. The default transport and the urllib3 transport open their connections with it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import socket
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._cancel import CancelToken

__all__ = ["connect_tcp"]


def connect_tcp(
    addresses: Iterable[Sequence[Any]],
    *,
    timeout: float | None,
    token: CancelToken | None = None,
    source_address: tuple[str, int] | None = None,
    socket_options: Iterable[tuple[Any, ...]] = (),
) -> socket.socket:
    """Connect to the first of `addresses` (as `socket.getaddrinfo` returns them) that accepts.

    Args:
        addresses: `(family, type, proto, canonname, sockaddr)` tuples, tried in order.
        timeout: for all the attempts together (None: no limit); also the returned socket's
            timeout, as `socket.create_connection` leaves it.
        token: a cancel ends the wait at once.
        source_address: bind to it first.
        socket_options: `setsockopt` arguments, applied before connecting.

    Raises:
        TimeoutError: (the builtin, `socket.timeout`) the timeout ran out.
        OSError: the last address's error; `errno.ECANCELED` when the token was cancelled.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    options = list(socket_options)
    wake = _Wake(token) if token is not None else None
    error: OSError | None = None
    try:
        for family, kind, proto, _, address in addresses:
            if wake is not None and wake.cancelled:
                break
            sock = socket.socket(family, kind, proto)
            try:
                _connect_one(sock, address, source_address, options, deadline, wake)
            except OSError as exc:
                sock.close()
                if isinstance(exc, TimeoutError):  # the time is up for every address
                    raise
                error = exc
                continue
            except BaseException:
                sock.close()
                raise
            if wake is not None and wake.cancelled:
                sock.close()
                break
            sock.settimeout(timeout)
            return sock
    finally:
        if wake is not None:
            wake.close()
    if wake is not None and wake.cancelled:
        raise OSError(errno.ECANCELED, "cancelled while connecting")
    raise error if error is not None else OSError("no address to connect to")


def _connect_one(
    sock: socket.socket,
    address: Any,
    source_address: tuple[str, int] | None,
    options: list[tuple[Any, ...]],
    deadline: float | None,
    wake: _Wake | None,
) -> None:
    for option in options:
        sock.setsockopt(*option)
    if source_address is not None:
        sock.bind(source_address)
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


class _Wake:
    """A socket pair that a cancel writes to, so that a selector waiting on a connect wakes."""

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
