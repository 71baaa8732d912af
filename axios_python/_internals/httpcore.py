"""Private attributes of httpcore that axios_python touches.

Checked against httpcore 1.0.5 to 1.0.9. Contract test: tests/test_internals_httpcore.py.

The default transport makes a blocked *sync* socket cancellable by wrapping the network
backend of httpcore's connection pool. httpx builds that pool itself (it takes no backend),
so the backend is swapped after the fact: `ConnectionPool._network_backend`.

`assign_linearly` replaces a pool's `_assign_requests_to_connections` (run under the pool's
lock on every request added or finished), which in httpcore 1.0.x costs time quadratic in the
pool size and a `poll()` of every idle socket on every call: with 100 connections in use it was
most of the client's CPU, and a load of 1,000 concurrent calls ran at 0.7x the throughput of
32 (bench/load.py). The replacement reads `_connections`, `_requests` (and each one's
`connection`), `_max_connections`, `_max_keepalive_connections` and `_http2`, and calls the
connections' public interface. httpcore 1.0.4 to 1.0.9 have the same method; older 1.0.x
releases assigned connections otherwise and are left as they are.
"""

from __future__ import annotations

import functools
import socket
import time
from collections.abc import Callable
from typing import Any

import httpcore

__all__ = ["assign_linearly", "sync_stream", "wrap_network_backend"]

_Pool = httpcore.ConnectionPool | httpcore.AsyncConnectionPool


def wrap_network_backend(
    pool: object, wrap: Callable[[httpcore.NetworkBackend], httpcore.NetworkBackend]
) -> bool:
    """Replace the sync network backend of `pool` (an `httpcore.ConnectionPool`, or an
    `httpcore.HTTPProxy`) by `wrap(backend)`. False when `pool` has none (a SOCKS proxy
    pool, say), left as it is."""
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(backend, httpcore.NetworkBackend):
        return False
    pool._network_backend = wrap(backend)  # type: ignore[attr-defined]
    return True


def sync_stream(sock: socket.socket) -> httpcore.NetworkStream:
    """The stream httpcore's own sync backend makes of a connected socket (for a connect
    done by hand, to be cancellable): `httpcore._backends.sync.SyncStream`."""
    from httpcore._backends.sync import SyncStream

    return SyncStream(sock)


# --- assigning requests to connections ---------------------------------------------------

SWEEP_EVERY = 1.0
"""Seconds between two checks of every pooled connection for expiry (its keep-alive over, or
closed by the server: a `poll()` of its socket). In between, only a connection about to be
reused is checked, so none is handed out expired."""


def assign_linearly(pool: object) -> bool:
    """Make `pool` (an httpcore pool, sync or async, proxies included) assign its queued
    requests in time linear in its size. False when `pool` is not an httpcore pool."""
    if not isinstance(pool, _Pool) or not hasattr(pool, "_assign_requests_to_connections"):
        return False  # not httpcore's, or httpcore < 1.0.4 (it assigned requests otherwise)
    sweeps = _Sweeps()
    pool._assign_requests_to_connections = functools.partial(_assign, pool, sweeps)  # type: ignore[method-assign]
    return True


class _Sweeps:
    """When every connection was last checked for expiry."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last = -SWEEP_EVERY

    def due(self) -> bool:
        now = time.monotonic()
        if now - self.last < SWEEP_EVERY:
            return False
        self.last = now
        return True


def _assign(pool: Any, sweeps: _Sweeps) -> list[Any]:
    """What httpcore's `_assign_requests_to_connections` does (it returns the connections to
    close): drop closed connections, close expired ones and idle ones beyond the keep-alive
    limit, then give each queued request a reusable connection, a new one, or a new one in
    place of an idle one.

    One difference: without HTTP/2, a connection is given only to a request when no other
    request of the pool holds it. httpcore gives an idle connection to every request queued
    until the one it was given to starts, and all but one then fail with
    `ConnectionNotAvailable` and queue again: 3.4 of those retries per request at 32
    concurrent calls on a pool of 100."""
    closing: list[Any] = []
    checked = sweeps.due()
    connections: list[Any] = pool._connections
    connections[:] = _kept(connections, checked, pool._max_keepalive_connections, closing)
    queued = []
    taken: set[Any] | None = None if pool._http2 else set()
    for pool_request in pool._requests:
        if pool_request.connection is None:
            queued.append(pool_request)
        elif taken is not None:
            taken.add(pool_request.connection)
    run = _Pass(checked, taken, closing)
    for pool_request in queued:
        _place(pool, pool_request, run)
    return closing


class _Pass:
    """One assignment pass: whether every connection was just checked for expiry, the
    connections a request of the pool holds or was given in this pass (None with HTTP/2: a
    connection may take several), and the connections to close."""

    __slots__ = ("checked", "closing", "taken")

    def __init__(self, checked: bool, taken: set[Any] | None, closing: list[Any]) -> None:
        self.checked = checked
        self.taken = taken
        self.closing = closing

    def free(self, connection: Any) -> bool:
        """Held by no request of the pool (or it may take several requests)."""
        return self.taken is None or connection not in self.taken

    def usable(self, connection: Any, origin: Any) -> bool:
        return (
            connection.can_handle_request(origin)
            and connection.is_available()
            and self.free(connection)
        )


def _kept(connections: list[Any], checked: bool, keepalive: int, closing: list[Any]) -> list[Any]:
    """The connections to keep; those to close are appended to `closing`."""
    kept = []
    for connection in connections:
        if connection.is_closed():
            continue
        if checked and connection.has_expired():
            closing.append(connection)
            continue
        kept.append(connection)
    surplus = len(kept) - keepalive
    if surplus > 0:
        idle = [connection for connection in kept if connection.is_idle()][:surplus]
        closing.extend(idle)
        kept = [connection for connection in kept if connection not in idle]
    return kept


def _place(pool: Any, pool_request: Any, run: _Pass) -> None:
    connections: list[Any] = pool._connections
    origin = pool_request.request.url.origin
    connection = _reusable(connections, origin, run)
    if connection is None:
        if len(connections) >= pool._max_connections:
            idle = next((each for each in connections if each.is_idle() and run.free(each)), None)
            if idle is None:
                return  # stays queued
            connections.remove(idle)
            run.closing.append(idle)
        connection = pool.create_connection(origin)
        connections.append(connection)
    if run.taken is not None:
        run.taken.add(connection)
    pool_request.assign_to_connection(connection)


def _reusable(connections: list[Any], origin: Any, run: _Pass) -> Any:
    """The first connection available for `origin`, unless expired: an expired one is taken
    out (to be closed) and the next one is looked at. In a pass that checked every connection,
    none is."""
    while True:
        connection = next((each for each in connections if run.usable(each, origin)), None)
        if connection is None or run.checked or not connection.has_expired():
            return connection
        connections.remove(connection)
        run.closing.append(connection)
