"""Plain-HTTP sockets whose timeouts the kernel keeps (`_kernel.py`): the options set, each
wait that runs out raised as `TimeoutError` (not a short read or a closed connection), and the
transport's plain connections using them while its TLS connections do not.

The phases end to end, on every transport: tests/test_timeouts.py."""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import time
from collections.abc import Iterator

import pytest
from axios_python_testserver import LocalServer
from axios_python_urllib3._connect import Connection, TLSConnection
from axios_python_urllib3._kernel import SUPPORTED, KernelTimedSocket, kernel_timed

import axios_python

pytestmark = pytest.mark.skipif(not SUPPORTED, reason="kernel socket timeouts: Linux only")


@pytest.fixture
def pair() -> Iterator[tuple[KernelTimedSocket, socket.socket]]:
    """A connected TCP pair on 127.0.0.1: ours (kernel-timed, 5 s), and a peer that says nothing."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname(), timeout=5)
        peer, _ = listener.accept()
    ours = kernel_timed(client)
    try:
        yield ours, peer
    finally:
        ours.close()
        peer.close()


def option(sock: socket.socket, name: int) -> float:
    seconds, micro = struct.unpack("ll", sock.getsockopt(socket.SOL_SOCKET, name, 16))
    return float(seconds + micro / 1_000_000)


def test_the_timeout_moves_into_the_kernel(pair: tuple[KernelTimedSocket, socket.socket]) -> None:
    ours, _ = pair
    assert ours.gettimeout() == 5
    assert os.get_blocking(ours.fileno())  # no poll() before each send and receive
    assert option(ours, socket.SO_RCVTIMEO) == option(ours, socket.SO_SNDTIMEO) == 5
    ours.settimeout(0.25)
    tick = 0.011  # the kernel keeps whole clock ticks (1-10 ms), rounded up
    assert option(ours, socket.SO_RCVTIMEO) == pytest.approx(0.25, abs=tick)
    assert option(ours, socket.SO_SNDTIMEO) == pytest.approx(0.25, abs=tick)
    ours.settimeout(None)
    assert ours.gettimeout() is None
    assert option(ours, socket.SO_RCVTIMEO) == 0  # the kernel's "no limit"


def test_a_time_under_a_microsecond_is_not_no_limit(
    pair: tuple[KernelTimedSocket, socket.socket],
) -> None:
    ours, _ = pair
    ours.settimeout(1e-9)  # a zero timeval would mean no limit to the kernel
    assert option(ours, socket.SO_RCVTIMEO) > 0
    ours.settimeout(1e30)  # no OverflowError: capped
    assert option(ours, socket.SO_RCVTIMEO) >= 1e9


@pytest.mark.parametrize("value", [-1.0, float("nan")])
def test_a_bad_timeout_is_refused(
    pair: tuple[KernelTimedSocket, socket.socket], value: float
) -> None:
    ours, _ = pair
    with pytest.raises(ValueError, match="out of range"):
        ours.settimeout(value)
    assert ours.gettimeout() == 5


def test_a_receive_that_waits_too_long_is_a_timeout(
    pair: tuple[KernelTimedSocket, socket.socket],
) -> None:
    ours, peer = pair
    ours.settimeout(0.1)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        ours.recv(10)
    with pytest.raises(TimeoutError):
        ours.recv_into(bytearray(10))
    with pytest.raises(TimeoutError):  # http.client reads through a buffered file
        ours.makefile("rb").readline()
    assert 0.25 <= time.monotonic() - started < 2.0
    peer.sendall(b"late\n")
    assert ours.recv(10) == b"late\n"  # the socket still works


def test_a_send_that_waits_too_long_is_a_timeout(
    pair: tuple[KernelTimedSocket, socket.socket],
) -> None:
    ours, _ = pair
    ours.settimeout(0.1)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        ours.sendall(b"x" * (64 * 1024 * 1024))  # the peer never reads
    with pytest.raises(TimeoutError):  # the buffers are full: a send that cannot send a byte
        ours.send(b"x" * 65536)
    assert time.monotonic() - started < 5.0


def test_a_shutdown_from_another_thread_still_ends_a_blocked_receive(
    pair: tuple[KernelTimedSocket, socket.socket],
) -> None:
    """A `CancelToken` shuts the socket down: the blocking receive returns at once."""
    import threading

    ours, _ = pair
    threading.Timer(0.05, lambda: ours.shutdown(socket.SHUT_RDWR)).start()
    started = time.monotonic()
    assert ours.recv(10) == b""
    assert time.monotonic() - started < 1.0


def test_plain_connections_use_kernel_timeouts_and_tls_ones_do_not() -> None:
    """The ssl module retries a blocking socket's EAGAIN: a TLS connection with kernel
    timeouts would never time out."""
    assert Connection.kernel_timeouts
    assert not TLSConnection.kernel_timeouts


def test_the_transport_sends_on_kernel_timed_sockets() -> None:
    opened: list[socket.socket] = []
    real = Connection.open_socket

    def spy(self: Connection, connect: object) -> socket.socket:
        sock = real(self, connect)  # type: ignore[arg-type]
        opened.append(sock)
        return sock

    with LocalServer() as server, contextlib.ExitStack() as stack:
        stack.enter_context(pytest.MonkeyPatch.context()).setattr(Connection, "open_socket", spy)
        api = axios_python.create(
            {"transport": "urllib3", "base_url": server.url, "timeout": {"read": 7, "write": 3}}
        )
        with api:
            assert api.get("/json").status == 200
            assert api.get("/json").status == 200
    assert len(opened) == 1
    assert isinstance(opened[0], KernelTimedSocket)
    assert opened[0].gettimeout() == 7  # the read timeout, set last (after the send's 3)
