"""Private attributes of urllib3 that this transport touches.

Checked against urllib3 2.0 to 2.8.0. Contract test: tests/test_internals.py.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from urllib3.connection import HTTPConnection

__all__ = ["HookedConnection"]


class HookedConnection(HTTPConnection):
    """urllib3's connection, opening its socket through `open_socket(connect)`.

    urllib3 opens the TCP connection in `HTTPConnection._new_conn()` (called by `connect()`,
    before a TLS handshake): the one place where a connect can be made cancellable.
    """

    def _new_conn(self) -> socket.socket:
        return self.open_socket(super()._new_conn)

    def open_socket(self, connect: Callable[[], socket.socket]) -> socket.socket:
        """Open the socket: `connect()` (override to wrap it)."""
        return connect()
