"""Contract tests of the httpx and httpcore private attributes the default transport touches
(axios_python/_internals/httpx.py, httpcore.py): they fail loudly when a release renames them."""

from __future__ import annotations

import socket
from typing import Any

import httpcore
import httpx
from axios_python_testserver import LocalServer

from axios_python._internals.httpcore import sync_stream, wrap_network_backend
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
