"""The urllib3 transport: option and error mapping, and what the shared contract suite
(tests/test_transport_contract.py, which runs it on every sync case) does not reach: the pool
timeout, a cancel while connecting, proxies, async calls handed to httpx."""

from __future__ import annotations

import asyncio
import builtins
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import urllib3
from axios_python_testserver import LocalServer
from axios_python_urllib3 import Urllib3Transport, map_urllib3_error
from urllib3.exceptions import (
    ConnectTimeoutError,
    EmptyPoolError,
    InsecureRequestWarning,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

import axios_python
from axios_python import CancelError, CancelToken, ConfigError, NetworkError, TimeoutError


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def make(server: LocalServer, **options: Any) -> axios_python.AxiosPython:
    return axios_python.create({"transport": "urllib3", "base_url": server.url, **options})


def test_selected_by_name_and_sends_sync_calls() -> None:
    api = axios_python.create({"transport": "urllib3"})
    assert isinstance(api.transport, Urllib3Transport)
    assert api.transport.sends == frozenset({"sync"})
    api.close()


def test_async_calls_go_to_httpx_with_one_cookie_jar(server: LocalServer) -> None:
    async def both() -> None:
        async with make(server) as api:
            assert api.get("/cookies/set", params={"k": "v"}).status_code == 200
            assert (await api.async_get("/cookies")).data == {"cookies": {"k": "v"}}

    asyncio.run(both())


def test_pool_timeout_while_a_stream_holds_the_only_connection(server: LocalServer) -> None:
    """max_connections=1: a second request waits for the pool, then TimeoutError(pool)."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with make(server, limits=limits, timeout={"connect": 1, "read": 1, "pool": 0.2}) as api:
        with api.get("/stream-bytes/1000", stream=True):
            started = time.monotonic()
            with pytest.raises(TimeoutError) as info:
                api.get("/get")
            assert info.value.phase == "pool"
            assert time.monotonic() - started < 0.8
        assert api.get("/get").status_code == 200  # given back on close


def test_cancel_while_connecting_ends_at_once() -> None:
    """A connect nobody answers: a cancel from another thread ends it, not the connect timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        with axios_python.create({"transport": "urllib3", "timeout": 5}) as api:
            token = CancelToken()
            threading.Timer(0.2, token.cancel, args=("stop",)).start()
            started = time.monotonic()
            with pytest.raises(CancelError, match="stop"):
                api.get(f"http://127.0.0.1:{port}/", cancel_token=token)
            assert time.monotonic() - started < 1.0
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_plain_http_proxy_gets_the_absolute_url() -> None:
    """Through an http proxy, a plain http request goes to the proxy in absolute form, with
    the proxy's credentials as Proxy-Authorization."""
    seen: list[bytes] = []
    proxy = socket.socket()
    proxy.bind(("127.0.0.1", 0))
    proxy.listen(1)

    def answer() -> None:
        conn, _ = proxy.accept()
        with conn:
            seen.append(conn.recv(65536))
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    thread = threading.Thread(target=answer)
    thread.start()
    port = proxy.getsockname()[1]
    try:
        with axios_python.create(
            {"transport": "urllib3", "proxy": f"http://user:pw@127.0.0.1:{port}"}
        ) as api:
            assert api.get("http://service.test/path?q=1").content == b"ok"
    finally:
        thread.join(5)
        proxy.close()
    head = seen[0].decode("latin-1")
    assert head.startswith("GET http://service.test/path?q=1 HTTP/1.1\r\n")
    assert "proxy-authorization: basic dxnlcjpwdw==" in head.lower()


def test_env_proxy_and_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:3128")
    monkeypatch.setenv("NO_PROXY", "internal.test")
    transport = Urllib3Transport()
    assert transport._env_proxies.for_url(httpx.URL("http://api.test/")) is not None
    assert transport._env_proxies.for_url(httpx.URL("http://internal.test/")) is None
    assert not Urllib3Transport(trust_env=False)._env_proxies


@pytest.mark.parametrize(
    ("options", "key", "words"),
    [
        ({"http2": True}, "http2", "HTTP/1.1"),
        ({"proxy": "socks5://127.0.0.1:1080"}, "proxy", "socks5://"),
    ],
)
def test_refused_options(options: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as info:
        Urllib3Transport(**options)
    assert info.value.key == key


def test_async_iterator_body_on_a_sync_call_is_refused(server: LocalServer) -> None:
    async def body() -> Any:
        yield b"x"

    with make(server) as api, pytest.raises(ConfigError, match="async call") as info:
        api.post("/post", content=body())
    assert info.value.key == "content"


def test_verify_options() -> None:
    """verify/cert become the PoolManager's SSL context (hostname checks follow it)."""
    off = Urllib3Transport(verify=False)._manager.connection_pool_kw
    assert off["ssl_context"].verify_mode == ssl.CERT_NONE
    assert off["cert_reqs"] == "CERT_NONE"
    assert off["assert_hostname"] is False
    context = ssl.create_default_context()
    assert Urllib3Transport(verify=context)._manager.connection_pool_kw["ssl_context"] is context


def _conn() -> Any:
    return urllib3.connection.HTTPConnection("127.0.0.1", 1)


@pytest.mark.parametrize(
    ("error", "kind", "code", "phase"),
    [
        (EmptyPoolError(None, "full"), TimeoutError, "ETIMEDOUT", "pool"),  # type: ignore[arg-type]
        (ConnectTimeoutError("slow"), TimeoutError, "ETIMEDOUT", "connect"),
        (ReadTimeoutError(None, "/", "slow"), TimeoutError, "ETIMEDOUT", "read"),  # type: ignore[arg-type]
        (
            ProtocolError("aborted", builtins.TimeoutError("timed out")),
            TimeoutError,
            "ETIMEDOUT",
            "write",
        ),
        (ProtocolError("aborted", ConnectionResetError()), NetworkError, "ECONNRESET", None),
        (
            NewConnectionError(_conn(), "[Errno 111] Connection refused"),
            NetworkError,
            "ECONNREFUSED",
            None,
        ),
        (ValueError("Invalid header"), ConfigError, "ERR_BAD_OPTION_VALUE", None),
    ],
)
def test_error_mapping(
    error: Exception, kind: type[Exception], code: str, phase: str | None
) -> None:
    mapped = map_urllib3_error(error, None)
    assert type(mapped) is kind
    assert getattr(mapped, "code", None) == code
    if phase is not None:
        assert getattr(mapped, "phase", None) == phase


def test_timings_time_the_name_lookup_of_a_host_name(server: LocalServer) -> None:
    """`dns` is measured for a host name (None for an IP address), apart from `connect`."""
    url = httpx.URL(server.url).copy_with(host="localhost").join("/get")
    with axios_python.create({"transport": "urllib3", "timeout": 5}) as api:
        timings = api.get(str(url)).timings
    assert timings.dns is not None
    assert timings.connect is not None
    assert timings.tls is None


class _Unverified:
    is_closed = False
    is_verified = False
    proxy_is_verified = None
    host = "127.0.0.1"


@pytest.mark.parametrize(("cert_reqs", "warns"), [("CERT_NONE", False), ("CERT_REQUIRED", True)])
def test_only_pools_that_do_not_verify_skip_the_insecure_warning(
    cert_reqs: str, warns: bool
) -> None:
    """verify=False means no InsecureRequestWarning; any other pool still warns as urllib3 does."""
    from axios_python_urllib3._pool import _HTTPSPool

    pool = _HTTPSPool("127.0.0.1", 443, cert_reqs=cert_reqs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pool._validate_conn(_Unverified())
    assert [w.category for w in caught] == ([InsecureRequestWarning] if warns else [])
