"""Unit tests of the aiohttp transport's option mapping and error mapping (no network but one).

The behaviour over real sockets is the shared contract suite, tests/test_transport_contract.py.
"""

from __future__ import annotations

import asyncio
import ssl

import aiohttp
import httpx
import pytest
from axios_python_aiohttp import AiohttpTransport, map_aiohttp_error
from axios_python_testserver import LocalServer

import axios_python
from axios_python import ConfigError, NetworkError, TimeoutError


def test_selected_by_name() -> None:
    """transport='aiohttp' finds this transport through its entry point."""
    api = axios_python.create({"transport": "aiohttp"})
    assert isinstance(api.transport, AiohttpTransport)
    api.close()


def test_http2_is_refused() -> None:
    """http2=True raises ConfigError naming the key."""
    with pytest.raises(ConfigError) as info:
        AiohttpTransport(http2=True)
    assert info.value.key == "http2"


def test_socks_proxy_is_refused() -> None:
    """A socks proxy raises ConfigError naming the key."""
    with pytest.raises(ConfigError) as info:
        AiohttpTransport(proxy="socks5://127.0.0.1:1080")
    assert info.value.key == "proxy"


def test_proxy_credentials_become_proxy_auth() -> None:
    """Credentials in the proxy URL are sent as proxy auth, not in the URL."""
    transport = AiohttpTransport(proxy="http://user:pw@127.0.0.1:3128")
    assert transport._proxy == "http://127.0.0.1:3128"
    assert transport._proxy_headers == {"Proxy-Authorization": "Basic dXNlcjpwdw=="}


def test_verify_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """verify maps to aiohttp's ssl: True, False, or the given context; SSL_CERT_FILE (under
    trust_env) or a CA path gives the context the core builds."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    assert AiohttpTransport()._ssl is True
    monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")
    assert isinstance(AiohttpTransport()._ssl, ssl.SSLContext)
    assert AiohttpTransport(trust_env=False)._ssl is True
    assert AiohttpTransport(verify=False)._ssl is False
    context = ssl.create_default_context()
    assert AiohttpTransport(verify=context)._ssl is context


def test_initial_cookies_are_sent_by_sync_calls_too() -> None:
    """Sync calls, which the httpx fallback sends, use the transport's jar: the core's
    exchange applies it above both."""
    transport = AiohttpTransport(cookies={"a": "1"})
    assert transport.cookies["a"] == "1"
    with LocalServer() as server, axios_python.create({"transport": transport}) as api:
        assert api.get(server.url + "/cookies").data == {"cookies": {"a": "1"}}


def test_timeout_mapping() -> None:
    """httpx timeouts map to aiohttp's per-phase timeouts, cached. The pool phase is the
    transport's limiter wait, not part of aiohttp's connect timeout."""
    transport = AiohttpTransport()
    request = httpx.Request("GET", "http://127.0.0.1/")
    request.extensions["timeout"] = {"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0}
    timeout = transport._timeout(request)
    assert (timeout.total, timeout.connect, timeout.sock_connect, timeout.sock_read) == (
        None,
        1.0,
        1.0,
        2.0,
    )
    assert transport._timeout(request) is timeout


@pytest.mark.parametrize(
    ("error", "kind", "code"),
    [
        (aiohttp.ConnectionTimeoutError("slow"), TimeoutError, "ETIMEDOUT"),
        (aiohttp.SocketTimeoutError("slow"), TimeoutError, "ETIMEDOUT"),
        (asyncio.TimeoutError(), TimeoutError, "ETIMEDOUT"),
        (aiohttp.ServerDisconnectedError(), NetworkError, "ECONNRESET"),
        (aiohttp.ClientPayloadError("cut"), NetworkError, "ECONNRESET"),
        (aiohttp.InvalidURL("x"), ConfigError, "ERR_INVALID_URL"),
        (aiohttp.ClientError("other"), NetworkError, "ERR_NETWORK"),
    ],
)
def test_error_mapping(error: Exception, kind: type[Exception], code: str) -> None:
    """aiohttp and asyncio errors map to the same axios_python errors as httpx's."""
    mapped = map_aiohttp_error(error, None)
    assert type(mapped) is kind
    assert getattr(mapped, "code", None) == code


def test_timeout_phases() -> None:
    """Connect timeouts have phase 'connect', socket read timeouts 'read'."""
    connect = map_aiohttp_error(aiohttp.ConnectionTimeoutError("x"), None)
    read = map_aiohttp_error(aiohttp.SocketTimeoutError("x"), None)
    assert isinstance(connect, TimeoutError)
    assert isinstance(read, TimeoutError)
    assert (connect.phase, read.phase) == ("connect", "read")


def test_timings_see_the_dns_lookup_and_the_connection() -> None:
    """aiohttp reports its DNS lookup apart from connecting (httpcore cannot); a reused
    connection has neither. All of it without aiohttp's tracing signals, which cost aiohttp
    work on every request (the session's own classes mark each phase)."""

    async def main(url: str) -> tuple[list[axios_python.Timings], aiohttp.ClientSession]:
        transport = AiohttpTransport()
        async with axios_python.create({"base_url": url}, transport=transport) as api:
            timings = [(await api.async_get("/get")).timings for _ in range(2)]
            session = transport._sessions.current()
            assert session is not None
            return timings, session

    with LocalServer() as server:
        url = server.url.replace("127.0.0.1", "localhost")
        (first, second), session = asyncio.run(main(url))
        assert server.connections == 1
    assert session.trace_configs == []
    assert first.dns is not None
    assert first.dns >= 0.0
    assert first.connect is not None
    assert first.connect >= 0.0
    assert first.tls is None  # part of aiohttp's connection: not seen apart
    assert first.send is not None
    assert first.wait is not None
    assert first.receive is not None
    assert second.dns is None
    assert second.connect is None
    assert second.send is not None
    assert second.wait is not None
    assert second.receive is not None


def test_timings_can_be_turned_off() -> None:
    """timings=False: every phase None, and the session plain aiohttp (nothing marks)."""

    async def main(url: str) -> tuple[axios_python.Timings, aiohttp.ClientSession, type]:
        transport = AiohttpTransport(timings=False)
        async with axios_python.create({"base_url": url}, transport=transport) as api:
            timings = (await api.async_get("/get")).timings
            session = transport._sessions.current()
            assert session is not None
            return timings, session, type(session.connector)

    with LocalServer() as server:
        timings, session, connector = asyncio.run(main(server.url))
    assert timings == axios_python.Timings()
    assert connector is aiohttp.TCPConnector
    assert session.trace_configs == []
