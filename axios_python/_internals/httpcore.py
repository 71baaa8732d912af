"""Private attributes of httpcore that axios_python touches.

Checked against httpcore 1.0.5 to 1.0.9. Contract test: tests/test_internals_httpcore.py.

The default transport makes a blocked *sync* socket cancellable by wrapping the network
backend of httpcore's connection pool. httpx builds that pool itself (it takes no backend),
so the backend is swapped after the fact: `ConnectionPool._network_backend`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpcore

__all__ = ["sync_stream", "wrap_network_backend"]


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
