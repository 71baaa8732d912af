"""Contract tests of the httpx and httpcore private attributes the default transport touches
(axios_python/_internals/httpx.py, httpcore.py): they fail loudly when a release renames them."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpcore
import httpx
import pytest
from axios_python_testserver import LocalServer

from axios_python._internals.httpcore import assign_linearly, sync_stream, wrap_network_backend
from axios_python._internals.httpx import mount_patterns, transport_pool


def test_an_httpx_transport_sends_through_an_httpcore_pool() -> None:
    """httpx.HTTPTransport and AsyncHTTPTransport keep their httpcore pool in `_pool`."""
    assert isinstance(transport_pool(httpx.HTTPTransport()), httpcore.ConnectionPool)
    assert isinstance(transport_pool(httpx.AsyncHTTPTransport()), httpcore.AsyncConnectionPool)
    proxied = httpx.HTTPTransport(proxy="http://127.0.0.1:3128")
    assert isinstance(transport_pool(proxied), httpcore.HTTPProxy)


def test_the_pool_connects_through_the_wrapped_backend(server: LocalServer) -> None:
    """`ConnectionPool._network_backend` is the backend the pool connects with: a wrapped one
    sees the connect."""
    seen: list[str] = []

    class Counting(httpcore.NetworkBackend):
        def __init__(self, inner: httpcore.NetworkBackend) -> None:
            self.inner = inner

        def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
            seen.append(host)
            return self.inner.connect_tcp(host, port, *args, **kwargs)

    transport = httpx.HTTPTransport()
    assert wrap_network_backend(transport_pool(transport), Counting)
    with httpx.Client(transport=transport) as client:
        assert client.get(server.url + "/get").status_code == 200
    assert seen == ["127.0.0.1"]


def test_a_pool_without_a_backend_is_left_alone() -> None:
    """An object without `_network_backend` is not touched: False."""
    assert wrap_network_backend(object(), lambda backend: backend) is False


def test_httpcore_makes_a_stream_of_a_connected_socket() -> None:
    """httpcore's own sync stream class wraps a socket (`httpcore._backends.sync.SyncStream`)."""
    left, right = socket.socketpair()
    try:
        stream = sync_stream(left)
        assert isinstance(stream, httpcore.NetworkStream)
        right.sendall(b"x")
        assert stream.read(1) == b"x"
        stream.close()
    finally:
        right.close()


def test_mount_patterns_match_as_httpx_mounts() -> None:
    """httpx's `URLPattern`: the most specific mount first; `matches(url)`."""
    patterns = mount_patterns({"all://": "any", "all://*example.com": "example", "https://": "tls"})
    assert next(value for _, value in patterns) == "example"
    first = next(
        value for pattern, value in patterns if pattern.matches(httpx.URL("http://a.example.com/"))
    )
    assert first == "example"
    first = next(
        value for pattern, value in patterns if pattern.matches(httpx.URL("https://b.test/"))
    )
    assert first == "tls"
    assert mount_patterns({}) == []


# --- assign_linearly ---------------------------------------------------------------------


def test_an_httpcore_pool_holds_what_the_assignment_reads(server: LocalServer) -> None:
    """The private attributes `assign_linearly` reads, on both pools and a pool request, and
    the method it replaces."""
    for pool in (httpcore.ConnectionPool(max_connections=3), httpcore.AsyncConnectionPool()):
        assert callable(pool._assign_requests_to_connections)
        assert pool._connections == []
        assert pool._requests == []
        assert isinstance(pool._max_connections, int)
        assert isinstance(pool._max_keepalive_connections, int)
        assert pool._http2 is False
    assert httpcore.ConnectionPool(http2=True)._http2 is True
    seen: list[Any] = []
    pool = httpcore.ConnectionPool()
    original = pool._assign_requests_to_connections

    def spy() -> Any:
        seen.extend((each.connection, each.is_queued()) for each in pool._requests)
        return original()

    pool._assign_requests_to_connections = spy  # type: ignore[method-assign]
    with pool:
        assert pool.request("GET", server.url + "/get").status == 200
    assert seen[0] == (None, True)  # a request the pool has not placed yet
    assert assign_linearly(pool)
    assert assign_linearly(httpcore.AsyncConnectionPool())
    assert assign_linearly(object()) is False


class _Counting(httpcore.NetworkBackend):
    """Counts the connections a pool opens."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self.inner = inner
        self.opened = 0

    def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        self.opened += 1
        return self.inner.connect_tcp(*args, **kwargs)


def _linear_pool(**options: Any) -> tuple[httpcore.ConnectionPool, _Counting]:
    pool = httpcore.ConnectionPool(**options)
    counting = _Counting(pool._network_backend)
    pool._network_backend = counting
    assert assign_linearly(pool)
    return pool, counting


def test_a_linear_pool_reuses_its_connections_under_contention(server: LocalServer) -> None:
    """8 threads, 80 requests, a pool of 2: every request succeeds on at most 2 connections,
    and no request is given a connection another one holds."""
    pool, counting = _linear_pool(max_connections=2)
    retried: list[object] = []
    clear = httpcore._sync.connection_pool.PoolRequest.clear_connection

    def spy(request: Any) -> None:
        retried.append(request)
        clear(request)

    with pool, pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpcore._sync.connection_pool.PoolRequest, "clear_connection", spy)
        with ThreadPoolExecutor(8) as threads:
            statuses = list(
                threads.map(lambda _: pool.request("GET", server.url + "/get").status, range(80))
            )
        assert statuses == [200] * 80
        assert counting.opened <= 2
        assert retried == []  # httpcore's own assignment: dozens of ConnectionNotAvailable
        assert len(pool.connections) <= 2


def test_a_linear_pool_closes_idle_connections_beyond_its_keepalive(server: LocalServer) -> None:
    pool, _ = _linear_pool(max_connections=4, max_keepalive_connections=1)
    with pool, ThreadPoolExecutor(4) as threads:
        list(threads.map(lambda _: pool.request("GET", server.url + "/delay/0.05"), range(4)))
        pool.request("GET", server.url + "/get")
        assert len(pool.connections) <= 1


@pytest.fixture
def closing_server() -> Iterator[tuple[str, list[int]]]:
    """A server that answers one keep-alive response per connection, then closes it (as a
    server whose keep-alive timeout ran out would). Yields its URL and the connections seen."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/", accepted
    finally:
        listener.close()
        thread.join(5)


def test_a_linear_pool_never_reuses_a_connection_the_server_closed(
    closing_server: tuple[str, list[int]],
) -> None:
    """Between two sweeps (SWEEP_EVERY), the connection about to be reused is still checked:
    a second request right after the server closed the first connection opens a new one."""
    url, accepted = closing_server
    pool, counting = _linear_pool()
    with pool:
        for _ in range(3):
            assert pool.request("GET", url).content == b"ok"
            for _ in range(100):  # until the server's close reaches the client's socket
                if pool.connections[0].has_expired():
                    break
                threading.Event().wait(0.01)
    assert counting.opened == 3
    assert len(accepted) == 3


def test_a_linear_async_pool_serves_concurrent_requests(server: LocalServer) -> None:
    async def main() -> list[int]:
        pool = httpcore.AsyncConnectionPool(max_connections=3)
        assert assign_linearly(pool)
        async with pool:
            responses = await asyncio.gather(
                *(pool.request("GET", server.url + "/get") for _ in range(30))
            )
            assert len(pool.connections) <= 3
        return [response.status for response in responses]

    assert asyncio.run(main()) == [200] * 30
