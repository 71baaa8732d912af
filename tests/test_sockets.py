"""`connect_tcp`: a TCP connect that a `CancelToken` ends at once, leaving nothing behind."""

from __future__ import annotations

import errno
import os
import socket
import threading
import time

import pytest

from axios_python import CancelToken, connect_tcp
from tests.faults import full_backlog


def _addresses(port: int) -> list[tuple[object, ...]]:
    return list(socket.getaddrinfo("127.0.0.1", port, type=socket.SOCK_STREAM))


def test_connects_with_the_timeout_and_options_set() -> None:
    """The socket comes back connected, blocking with the timeout, the options applied."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        options = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        with connect_tcp(_addresses(port), timeout=2.5, socket_options=options) as sock:
            assert sock.getpeername() == ("127.0.0.1", port)
            assert sock.gettimeout() == 2.5
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_a_refused_connect_is_the_oserror() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    with pytest.raises(ConnectionRefusedError):
        connect_tcp(_addresses(port), timeout=2)


def test_the_timeout_is_the_builtin_timeout_error() -> None:
    with full_backlog() as port, pytest.raises(TimeoutError):
        connect_tcp(_addresses(port), timeout=0.05)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds in /proc (Linux)")
def test_a_cancel_ends_the_connect_and_leaves_no_socket() -> None:
    """No timeout, nobody answers: the cancel alone ends it, at once, every fd closed."""
    with full_backlog() as port:
        fds = len(os.listdir("/proc/self/fd"))
        token = CancelToken()
        threading.Timer(0.1, token.cancel).start()
        started = time.monotonic()
        with pytest.raises(OSError, match="cancelled while connecting") as info:
            connect_tcp(_addresses(port), timeout=None, token=token)
        assert info.value.errno == errno.ECANCELED
        assert time.monotonic() - started < 1.0
        assert len(os.listdir("/proc/self/fd")) <= fds


def test_an_already_cancelled_token_opens_nothing() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(OSError, match="cancelled while connecting") as info:
        connect_tcp(_addresses(9), timeout=1, token=token)
    assert info.value.errno == errno.ECANCELED
