"""Contract test of the urllib3 private method the transport overrides
(axios_python_urllib3/_internals.py): it fails loudly when a urllib3 release renames it."""

from __future__ import annotations

import socket
from collections.abc import Callable

from axios_python_testserver import LocalServer
from axios_python_urllib3._internals import HookedConnection
from urllib3.connection import HTTPConnection


def test_connections_open_their_socket_in_new_conn() -> None:
    """`HTTPConnection._new_conn` exists, and `connect()` opens the socket through it."""
    assert callable(HTTPConnection._new_conn)
    opened: list[socket.socket] = []

    class Counting(HookedConnection):
        def open_socket(self, connect: Callable[[], socket.socket]) -> socket.socket:
            sock = connect()
            opened.append(sock)
            return sock

    with LocalServer() as server:
        host, port = server.url.removeprefix("http://").split(":")
        conn = Counting(host, int(port))
        try:
            conn.request("GET", "/get")
            assert conn.getresponse().status == 200
        finally:
            conn.close()
    assert len(opened) == 1


def test_https_pools_validate_their_connections_in_validate_conn() -> None:
    """`HTTPSConnectionPool._validate_conn` exists: where urllib3 warns about an unverified
    connection, and what `QuietUnverifiedPool` overrides."""
    from axios_python_urllib3._internals import QuietUnverifiedPool
    from urllib3.connectionpool import HTTPSConnectionPool

    assert callable(HTTPSConnectionPool._validate_conn)
    assert "_validate_conn" in QuietUnverifiedPool.__dict__
