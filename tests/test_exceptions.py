"""The error tree, the axios-style codes, and the context every error carries."""

from __future__ import annotations

import builtins
import socket
from collections.abc import Iterator

import httpx
import pytest
import respx

import axios_python
from axios_python import (
    AxiosPython,
    AxiosPythonError,
    CancelError,
    CancelToken,
    ConfigError,
    HTTPStatusError,
    MiddlewareError,
    MockTransport,
    NetworkError,
    PluginError,
    Response,
    RetryError,
    StreamError,
    TimeoutError,
    TooManyRedirects,
)


@pytest.fixture
def closed_port_url() -> str:
    """The URL of a loopback port that nothing listens on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def refused_api(closed_port_url: str) -> Iterator[AxiosPython]:
    with axios_python.create({"base_url": closed_port_url, "timeout": 2}) as client:
        yield client


# --- the tree ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls",
    [
        HTTPStatusError,
        TimeoutError,
        NetworkError,
        TooManyRedirects,
        RetryError,
        CancelError,
        ConfigError,
        StreamError,
        MiddlewareError,
        PluginError,
    ],
)
def test_every_error_is_an_axios_python_error(cls: type[Exception]) -> None:
    """Every error class derives from AxiosPythonError, itself an Exception."""
    assert issubclass(cls, AxiosPythonError)
    assert issubclass(AxiosPythonError, Exception)


def test_builtin_bases() -> None:
    """TimeoutError is also the builtin TimeoutError, ConfigError also a ValueError; no others."""
    assert issubclass(TimeoutError, builtins.TimeoutError)
    assert issubclass(ConfigError, ValueError)
    assert TimeoutError is not builtins.TimeoutError
    assert not issubclass(NetworkError, OSError)
    assert not issubclass(HTTPStatusError, ValueError)


def test_siblings_are_distinct() -> None:
    """The direct subclasses do not derive from each other."""
    leaves = [
        HTTPStatusError,
        TimeoutError,
        NetworkError,
        TooManyRedirects,
        RetryError,
        CancelError,
        ConfigError,
        StreamError,
        MiddlewareError,
        PluginError,
    ]
    for cls in leaves:
        assert cls.__mro__[1] is AxiosPythonError
        for other in leaves:
            assert cls is other or not issubclass(cls, other)


def test_builtin_except_timeout_error_catches_it() -> None:
    """`except TimeoutError` with the builtin catches axios_python.TimeoutError."""
    caught: BaseException | None = None
    try:
        raise axios_python.TimeoutError("read timeout", phase="read")
    except builtins.TimeoutError as exc:
        caught = exc
    assert isinstance(caught, axios_python.TimeoutError)
    assert caught.phase == "read"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (AxiosPythonError("x"), "ERR_AXIOS_PYTHON"),
        (TimeoutError("x"), "ETIMEDOUT"),
        (NetworkError("x"), "ERR_NETWORK"),
        (TooManyRedirects("x"), "ERR_FR_TOO_MANY_REDIRECTS"),
        (RetryError("x", attempts=3), "ERR_RETRY_EXHAUSTED"),
        (CancelError("x"), "ERR_CANCELED"),
        (ConfigError("x"), "ERR_BAD_OPTION_VALUE"),
        (StreamError("x"), "ERR_STREAM"),
        (MiddlewareError("x"), "ERR_MIDDLEWARE"),
        (PluginError("x", plugin="p", hook="on_request"), "ERR_PLUGIN"),
        (HTTPStatusError("x", response=Response(404)), "ERR_BAD_REQUEST"),
        (HTTPStatusError("x", response=Response(503)), "ERR_BAD_RESPONSE"),
        (NetworkError("x", code="ECONNRESET"), "ECONNRESET"),
    ],
)
def test_default_codes(error: AxiosPythonError, code: str) -> None:
    """Each class has its axios-style default code; an explicit code wins."""
    assert error.code == code


def test_repr_and_str() -> None:
    """str() is the message; repr() shows the class, message and code."""
    error = NetworkError("connection refused", code="ECONNREFUSED")
    assert str(error) == "connection refused"
    assert repr(error) == "NetworkError('connection refused', code='ECONNREFUSED')"
    assert error.message == "connection refused"
    timeout = TimeoutError("read timeout", phase="read")
    assert repr(timeout) == "TimeoutError('read timeout', code='ETIMEDOUT')"
    assert error.config is None
    assert error.request is None
    assert error.response is None


def test_extra_attributes() -> None:
    """RetryError.attempts, PluginError.plugin/.hook, ConfigError.key, TimeoutError.phase."""
    assert RetryError("x", attempts=4).attempts == 4
    plugin_error = PluginError("x", plugin="cache", hook="on_response")
    assert (plugin_error.plugin, plugin_error.hook) == ("cache", "on_response")
    assert ConfigError("x", key="timeout").key == "timeout"
    assert TimeoutError("x").phase == "read"
    assert TimeoutError("x", phase="connect").phase == "connect"


# --- codes from real exchanges -----------------------------------------------------------


def test_connection_refused_sync(refused_api: AxiosPython, closed_port_url: str) -> None:
    """A closed port gives NetworkError ECONNREFUSED with config, request and the httpx cause."""
    with pytest.raises(NetworkError) as info:
        refused_api.get("/get")
    error = info.value
    assert error.code == "ECONNREFUSED"
    assert error.config is not None
    assert error.config["url"] == "/get"
    assert error.request is not None
    assert str(error.request.url) == f"{closed_port_url}/get"
    assert error.response is None
    assert isinstance(error.__cause__, httpx.ConnectError)


@pytest.mark.anyio
async def test_connection_refused_async(closed_port_url: str) -> None:
    """The same on async calls."""
    async with axios_python.create({"base_url": closed_port_url}) as client:
        with pytest.raises(NetworkError) as info:
            await client.async_get("/get")
    assert info.value.code == "ECONNREFUSED"
    assert info.value.config is not None
    assert info.value.config["url"] == "/get"
    assert info.value.request is not None
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_read_timeout_sync(api: AxiosPython) -> None:
    """/delay/2 with timeout=0.2 is TimeoutError ETIMEDOUT in the read phase."""
    with pytest.raises(TimeoutError) as info:
        api.get("/delay/2", timeout=0.2)
    error = info.value
    assert error.code == "ETIMEDOUT"
    assert error.phase == "read"
    assert error.config is not None
    assert error.config["url"] == "/delay/2"
    assert error.request is not None
    assert error.request.url.path == "/delay/2"
    assert isinstance(error.__cause__, httpx.ReadTimeout)


@pytest.mark.anyio
async def test_read_timeout_async(aapi: AxiosPython) -> None:
    """The same on async calls, caught by the builtin TimeoutError."""
    with pytest.raises(builtins.TimeoutError) as info:
        await aapi.async_get("/delay/2", timeout=0.2)
    assert isinstance(info.value, TimeoutError)
    assert info.value.phase == "read"
    assert info.value.code == "ETIMEDOUT"
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


@pytest.mark.parametrize(
    ("side_effect", "phase"),
    [
        (httpx.ConnectTimeout, "connect"),
        (httpx.WriteTimeout, "write"),
        (httpx.PoolTimeout, "pool"),
        (httpx.ReadTimeout, "read"),
    ],
)
def test_timeout_phases(side_effect: type[Exception], phase: str) -> None:
    """Each httpx timeout maps to TimeoutError with the matching phase (respx)."""
    with respx.mock:
        respx.get("http://example.test/x").mock(side_effect=side_effect)
        with (
            axios_python.create({"base_url": "http://example.test"}) as client,
            pytest.raises(TimeoutError) as info,
        ):
            client.get("/x")
    assert info.value.phase == phase
    assert info.value.code == "ETIMEDOUT"
    assert isinstance(info.value.__cause__, side_effect)
    assert info.value.config is not None
    assert info.value.config["url"] == "/x"


@pytest.mark.anyio
async def test_connect_timeout_async() -> None:
    """A connect timeout on an async call has phase 'connect'."""
    with respx.mock:
        respx.get("http://example.test/x").mock(side_effect=httpx.ConnectTimeout)
        async with axios_python.create({"base_url": "http://example.test"}) as client:
            with pytest.raises(TimeoutError) as info:
                await client.async_get("/x")
    assert info.value.phase == "connect"
    assert isinstance(info.value.__cause__, httpx.ConnectTimeout)


@pytest.mark.parametrize(
    ("side_effect", "code"),
    [
        (httpx.ReadError, "ECONNRESET"),
        (httpx.WriteError, "ECONNRESET"),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            "ECONNRESET",
        ),
        (httpx.RemoteProtocolError("illegal status line"), "ERR_BAD_RESPONSE"),
        (httpx.ConnectError("Name or service not known"), "ERR_NETWORK"),
    ],
)
def test_network_error_codes(side_effect: Exception | type[Exception], code: str) -> None:
    """Lower-level httpx failures map to NetworkError with an axios-style code."""
    with respx.mock:
        respx.get("http://example.test/x").mock(side_effect=side_effect)
        with (
            axios_python.create({"base_url": "http://example.test"}) as client,
            pytest.raises(NetworkError) as info,
        ):
            client.get("/x")
    assert info.value.code == code
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert info.value.request is not None


def test_404_raise_for_status(api: AxiosPython) -> None:
    """raise_for_status() on a 404 is HTTPStatusError ERR_BAD_REQUEST with the response."""
    response = api.get("/status/404")
    assert response.ok is False
    with pytest.raises(HTTPStatusError) as info:
        response.raise_for_status()
    error = info.value
    assert error.code == "ERR_BAD_REQUEST"
    assert error.response is response
    assert error.request is response.request
    assert error.config is not None
    assert error.config["url"] == "/status/404"
    assert "404" in str(error)
    assert str(error.request.url) in str(error)


def test_500_raise_for_status(api: AxiosPython) -> None:
    """raise_for_status() on a 500 is ERR_BAD_RESPONSE."""
    with pytest.raises(HTTPStatusError) as info:
        api.get("/status/500").raise_for_status()
    assert info.value.code == "ERR_BAD_RESPONSE"
    assert info.value.response.status_code == 500
    assert info.value.config is not None
    assert info.value.config["url"] == "/status/500"
    assert info.value.request is not None


def test_raise_for_status_returns_response_on_2xx(api: AxiosPython) -> None:
    """raise_for_status() returns the response itself when the status is 2xx."""
    response = api.get("/status/204")
    assert response.raise_for_status() is response


@pytest.mark.anyio
async def test_validate_status_error_async(aapi: AxiosPython) -> None:
    """validate_status rejecting a status raises HTTPStatusError with the read body."""
    with pytest.raises(HTTPStatusError) as info:
        await aapi.async_get("/status/418?body=teapot", validate_status=lambda s: s < 400)
    assert info.value.code == "ERR_BAD_REQUEST"
    assert info.value.response.status_code == 418
    assert info.value.response.text == "teapot"
    assert info.value.config is not None
    assert info.value.config["url"] == "/status/418?body=teapot"


def test_already_cancelled_token() -> None:
    """An already-cancelled token fails with ERR_CANCELED and the reason, before any I/O."""
    transport = MockTransport(lambda request: Response(200))
    client = AxiosPython({"base_url": "http://example.test"}, transport=transport)
    token = CancelToken()
    token.cancel("user left")
    with pytest.raises(CancelError) as info:
        client.get("/x", cancel_token=token)
    assert info.value.code == "ERR_CANCELED"
    assert str(info.value) == "user left"
    assert info.value.config is not None
    assert info.value.config["url"] == "/x"
    assert transport.requests == []


def test_cancel_in_flight_sync(api: AxiosPython) -> None:
    """A token cancelled mid-request gives CancelError carrying config and request."""
    with pytest.raises(CancelError) as info:
        api.get("/delay/2", cancel_token=CancelToken(timeout=0.1))
    assert info.value.code == "ERR_CANCELED"
    assert info.value.config is not None
    assert info.value.config["url"] == "/delay/2"
    assert info.value.request is not None
    assert info.value.request.url.path == "/delay/2"


@pytest.mark.anyio
async def test_cancel_in_flight_async(aapi: AxiosPython) -> None:
    """The same on async calls."""
    with pytest.raises(CancelError) as info:
        await aapi.async_get("/delay/2", cancel_token=CancelToken(timeout=0.1))
    assert info.value.code == "ERR_CANCELED"
    assert info.value.config is not None
    assert info.value.config["url"] == "/delay/2"
    assert info.value.request is not None


def test_too_many_redirects_client_limit(base_url: str) -> None:
    """More redirects than the client's max_redirects is ERR_FR_TOO_MANY_REDIRECTS."""
    with (
        axios_python.create({"base_url": base_url, "max_redirects": 2}) as client,
        pytest.raises(TooManyRedirects) as info,
    ):
        client.get("/redirect/5")
    error = info.value
    assert error.code == "ERR_FR_TOO_MANY_REDIRECTS"
    assert error.config is not None
    assert error.config["url"] == "/redirect/5"
    assert error.request is not None
    assert isinstance(error.__cause__, httpx.TooManyRedirects)


def test_too_many_redirects_per_request(api: AxiosPython) -> None:
    """A per-request max_redirects is enforced too, and within the limit the chain is followed."""
    with pytest.raises(TooManyRedirects) as info:
        api.get("/redirect/3", max_redirects=2)
    assert info.value.code == "ERR_FR_TOO_MANY_REDIRECTS"
    assert info.value.config is not None
    assert info.value.config["url"] == "/redirect/3"
    assert isinstance(info.value.__cause__, httpx.TooManyRedirects)
    response = api.get("/redirect/2", max_redirects=2)
    assert response.status_code == 200
    assert len(response.history) == 2


@pytest.mark.anyio
async def test_too_many_redirects_async(aapi: AxiosPython) -> None:
    """The same on async calls."""
    with pytest.raises(TooManyRedirects) as info:
        await aapi.async_get("/redirect/3", max_redirects=1)
    assert info.value.code == "ERR_FR_TOO_MANY_REDIRECTS"
    assert info.value.request is not None


def test_retry_error_cause_is_the_last_error(refused_api: AxiosPython) -> None:
    """RetryError's __cause__ is the last attempt's error, and attempts counts every try."""
    with pytest.raises(RetryError) as info:
        refused_api.get(
            "/get",
            max_retries=2,
            retry_strategy=axios_python.FixedBackoff(0.001),
        )
    error = info.value
    assert error.attempts == 3
    assert isinstance(error.__cause__, NetworkError)
    assert error.__cause__.code == "ECONNREFUSED"
    assert error.code == "ERR_RETRY_EXHAUSTED"
    assert error.config is not None
    assert error.config["url"] == "/get"
    assert error.request is not None


def test_a_tls_alert_after_the_handshake_is_a_network_error() -> None:
    """TLS 1.3 sends 'certificate required' with the first read: httpcore's async streams let
    the bare ssl.SSLError through (seen in CI on mutual TLS without a client certificate)."""
    import ssl

    from axios_python._exceptions import map_httpx_errors

    alert = ssl.SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required")
    expected = pytest.raises(axios_python.NetworkError, match="certificate required")
    with expected as info, map_httpx_errors(None):
        raise alert
    assert info.value.__cause__ is alert
    assert info.value.code == "ERR_NETWORK"
