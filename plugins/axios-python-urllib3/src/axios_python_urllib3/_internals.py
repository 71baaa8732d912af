"""Private attributes of urllib3 that this transport touches.

Checked against urllib3 2.0 to 2.8.0. Contract test: tests/test_internals.py.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from typing import Any

from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.util.ssl_ import resolve_cert_reqs

__all__ = ["HookedConnection", "QuietUnverifiedPool"]


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


class QuietUnverifiedPool(HTTPSConnectionPool):
    """An https pool that does not warn (`InsecureRequestWarning`) when it does not verify.

    urllib3 warns from `HTTPSConnectionPool._validate_conn()` on every request over an
    unverified connection; a transport created with `verify=False` asked for exactly that.
    """

    def _validate_conn(self, conn: Any) -> None:
        if resolve_cert_reqs(self.cert_reqs) != ssl.CERT_NONE:
            super()._validate_conn(conn)
            return
        # what urllib3 does here, less the warning that `verify=False` asked not to have
        if conn.is_closed:
            conn.connect()
