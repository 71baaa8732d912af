"""The transport's urllib3 pools: its connection classes (`_connect.py`), and no
`InsecureRequestWarning` when the caller turned verification off on purpose (`verify=False`).

urllib3 warns on every request over an unverified https connection, from
`HTTPSConnectionPool._validate_conn` (urllib3 2.x, checked against 2.8). Filtering the warning
out is process-wide (and `warnings.catch_warnings` is not thread-safe); our pools skip it
instead, and only those whose `cert_reqs` is `CERT_NONE`: the pools of a transport created with
`verify=False` (or a context that does not verify). Every other pool of the process still warns.
"""

from __future__ import annotations

from typing import Any

import urllib3
from urllib3.connectionpool import HTTPConnectionPool

from ._connect import Connection, TLSConnection
from ._internals import QuietUnverifiedPool

__all__ = ["hold_connection", "pool_manager", "release_connection"]


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = Connection


class _HTTPSPool(QuietUnverifiedPool):
    ConnectionCls = TLSConnection


def pool_manager(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    """`manager` (a `PoolManager` or `ProxyManager`), making the transport's pools."""
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return manager


# The connections of streamed responses not closed yet. urllib3 hands a connection over to the
# response that streams from it (its pool keeps a placeholder): dropped unclosed, the response,
# its connection and its socket would be collected together, in any order, and a socket
# finalised first warns "unclosed socket". Held here, the connection outlives the collected
# response, whose stream then closes it or gives it back to its pool.
_streaming: set[Any] = set()


def hold_connection(resp: urllib3.BaseHTTPResponse) -> Any:
    """Hold `resp`'s connection until `release_connection` (returns it, or None)."""
    conn = resp.connection
    if conn is not None:
        _streaming.add(conn)
    return conn


def release_connection(conn: Any) -> None:
    _streaming.discard(conn)
