"""Secrets never leave: error messages redact URLs (`axios_python.redaction`), and credential
headers never follow a redirect to another origin. Every transport, sync and async, through
real local servers."""

from __future__ import annotations

import asyncio
import socket
import traceback
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import HTTPStatusError, NetworkError, RetryError
from axios_python.redaction import REDACTED, Redactor
from tests.faults import FaultServer

pytestmark = pytest.mark.anyio

SECRETS = ("pw-SECRET", "tok-SECRET", "key-SECRET", "sig-SECRET")
QUERY = "token=tok-SECRET&api_key=key-SECRET&signature=sig-SECRET&page=2"


@pytest.fixture(scope="module")
def other() -> Iterator[LocalServer]:
    """A second server: another port, so another origin."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def with_userinfo(url: str) -> str:
    return url.replace("http://", "http://user:pw-SECRET@")


async def call(api: axios_python.AxiosPython, mode: str, url: str, **options: Any) -> Any:
    if mode == "sync":
        return await asyncio.to_thread(api.get, url, **options)
    return await api.async_get(url, **options)


async def failure(api: axios_python.AxiosPython, mode: str, url: str, **options: Any) -> Any:
    with pytest.raises(axios_python.AxiosPythonError) as info:
        await call(api, mode, url, **options)
    return info.value


def assert_clean(error: BaseException) -> None:
    for text in (str(error), repr(error), *map(str, error.args)):
        for secret in SECRETS:
            assert secret not in text, text


# --- error messages ---------------------------------------------------------------------------


async def test_status_error_message_redacts_the_url(
    transport: str, mode: str, server: LocalServer
) -> None:
    """`str()` of HTTPStatusError showed `http://user:pw@host/...?token=...`."""
    url = with_userinfo(server.url) + "/status/500?" + QUERY
    async with axios_python.create({"transport": transport}) as api:
        error = await failure(api, mode, url, validate_status=lambda s: s < 400)
    assert type(error) is HTTPStatusError
    assert_clean(error)
    assert f"user:{REDACTED}@" in str(error)
    assert f"token={REDACTED}" in str(error)
    assert "page=2" in str(error)
    assert "tok-SECRET" in str(error.request.url)  # the original stays on the request
    assert error.request.url.password == "pw-SECRET"


async def test_retry_error_message_redacts_the_url(
    transport: str, mode: str, server: LocalServer
) -> None:
    url = with_userinfo(server.url) + "/status/503?" + QUERY
    async with axios_python.create({"transport": transport}) as api:
        error = await failure(
            api,
            mode,
            url,
            max_retries=1,
            retry_strategy=axios_python.FixedBackoff(0.01, retry_on_status=[503]),
        )
    assert type(error) is RetryError
    assert_clean(error)
    assert_clean(error.__cause__)
    assert "tok-SECRET" in str(error.request.url)


@pytest.mark.parametrize("path", ["/reset", "/reset-mid-body", "/truncated-chunked", "/nothing"])
async def test_wrapped_library_messages_are_redacted(
    transport: str, mode: str, path: str, faults: FaultServer
) -> None:
    """Messages of httpx, h11 and aiohttp errors (aiohttp puts the URL in some) are redacted."""
    url = with_userinfo(faults.url) + path + "?" + QUERY
    async with axios_python.create({"transport": transport, "timeout": 2}) as api:
        error = await failure(api, mode, url, validate_status=lambda s: s < 400)
    assert isinstance(error, (NetworkError, HTTPStatusError))
    assert_clean(error)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Suspicious(axios_python.Plugin):
    """Rejects every response, quoting the URL as many libraries' messages do."""

    def on_response(self, response: axios_python.Response) -> None:
        request = response.request
        assert request is not None
        raise RuntimeError(f"unexpected answer from {request.url} ({request.url.password})")


@pytest.mark.parametrize("path", ["refused", "/status/500", "/reset", "plugin"])
async def test_the_chain_of_wrapped_exceptions_shows_no_secret(
    transport: str, mode: str, path: str, server: LocalServer, faults: FaultServer
) -> None:
    """traceback.format_exception(error), every __cause__/__context__ included, shows no
    password or secret parameter: refused connects and 500s after retries, a dropped
    connection, and a plugin's exception that quotes the URL and its password."""
    urls = {
        "refused": f"http://127.0.0.1:{closed_port()}/get",
        "/status/500": server.url + "/status/500",
        "/reset": faults.url + "/reset",
        "plugin": server.url + "/get",
    }
    url = with_userinfo(urls[path]) + "?" + QUERY
    retry = axios_python.FixedBackoff(0.01, retry_on_status=[500])
    async with axios_python.create({"transport": transport, "timeout": 2}) as api:
        if path == "plugin":
            api.plugin(Suspicious())
        error = await failure(
            api, mode, url, max_retries=2, retry_strategy=retry, validate_status=lambda s: s < 400
        )
    shown = "".join(traceback.format_exception(error))
    for secret in SECRETS:
        assert secret not in shown, shown
    chain: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and len(chain) < 10:
        chain.append(link)
        link = link.__cause__ or link.__context__
    assert len(chain) > 1  # something was wrapped
    assert "tok-SECRET" in str(url)


async def test_a_client_policy_extends_the_default(
    transport: str, mode: str, server: LocalServer
) -> None:
    redactor = Redactor().extend(params=["tenant"])
    async with axios_python.create({"transport": transport, "redact": redactor}) as api:
        error = await failure(
            api,
            mode,
            server.url + "/status/404?tenant=acme-SECRET&token=tok-SECRET&page=1",
            validate_status=lambda s: s < 400,
        )
    assert "acme-SECRET" not in str(error)
    assert "tok-SECRET" not in str(error)
    assert "page=1" in str(error)


def test_redactor_text_finds_every_url() -> None:
    redactor = Redactor()
    text = (
        "400, message='Bad', url=URL('http://u:p%40ss@h:1/x?access_token=a%20b&x=1') "
        "then https://h/y?password=z."
    )
    cleaned = redactor.text(text)
    for secret in ("p%40ss", "a%20b", "password=z"):
        assert secret not in cleaned
    assert "x=1" in cleaned


def test_redact_option_is_client_only() -> None:
    with axios_python.create() as api, pytest.raises(axios_python.ConfigError) as info:
        api.get("http://127.0.0.1:1/", redact=Redactor())  # type: ignore[call-arg]
    assert info.value.key == "redact"


# --- credentials are scoped to their origin -----------------------------------------------------

CREDENTIALS = {
    "X-Api-Key": "key-SECRET",
    "X-Auth-Token": "tok-SECRET",
    "Authorization": "Bearer tok-SECRET",
    "X-Request-Id": "r-1",
}


def redirect_to(server: LocalServer, target: str) -> str:
    return f"{server.url}/redirect-to?url={quote(target, safe='')}"


async def test_cross_origin_redirect_drops_every_sensitive_header(
    transport: str, mode: str, server: LocalServer, other: LocalServer
) -> None:
    """X-Api-Key (and X-Auth-Token) reached another origin on redirect; Authorization did not."""
    async with axios_python.create({"transport": transport, "headers": CREDENTIALS}) as api:
        response = await call(api, mode, redirect_to(server, other.url + "/headers"))
    received = {k.lower(): v for k, v in response.data["headers"].items()}
    assert "x-api-key" not in received
    assert "x-auth-token" not in received
    assert "authorization" not in received
    assert received["x-request-id"] == "r-1"  # not a credential: kept


async def test_same_origin_redirect_keeps_the_credentials(
    transport: str, mode: str, server: LocalServer
) -> None:
    async with axios_python.create({"transport": transport, "headers": CREDENTIALS}) as api:
        response = await call(api, mode, redirect_to(server, server.url + "/headers"))
    received = {k.lower(): v for k, v in response.data["headers"].items()}
    assert received["x-api-key"] == "key-SECRET"
    assert received["authorization"] == "Bearer tok-SECRET"


async def test_keeping_credentials_across_origins_is_opt_in(
    transport: str, mode: str, server: LocalServer, other: LocalServer
) -> None:
    async with axios_python.create({"transport": transport, "headers": CREDENTIALS}) as api:
        response = await call(
            api,
            mode,
            redirect_to(server, other.url + "/headers"),
            keep_sensitive_headers_on_redirect=True,
        )
    received = {k.lower(): v for k, v in response.data["headers"].items()}
    assert received["x-api-key"] == "key-SECRET"


async def test_a_client_policy_header_is_dropped_too(
    transport: str, mode: str, server: LocalServer, other: LocalServer
) -> None:
    config = {
        "transport": transport,
        "headers": {"X-Tenant": "acme"},
        "redact": Redactor().extend(headers=["x-tenant"]),
    }
    async with axios_python.create(config) as api:
        response = await call(api, mode, redirect_to(server, other.url + "/headers"))
    assert "x-tenant" not in {k.lower() for k in response.data["headers"]}


# --- headers set by hooks are checked before any connection opens -------------------------------

HOOK_HEADERS = [
    ("X-Evil", "a\r\nInjected: 1", "newline"),
    ("X-Evil", "a\nb", "newline"),
    ("X-Nul", "a\x00b", "NUL"),
    ("Bad Name", "v", "invalid header name"),
]


@pytest.mark.parametrize(("name", "value", "fragment"), HOOK_HEADERS)
@pytest.mark.parametrize("body", [False, True])
async def test_a_hook_set_header_is_refused_before_connecting(
    transport: str, mode: str, name: str, value: str, fragment: str, body: bool, faults: FaultServer
) -> None:
    """A CRLF header set by a hook was refused only after a TCP connection opened."""

    class Evil(axios_python.Plugin):
        def on_request(self, config: dict[str, Any]) -> None:
            config["headers"][name] = value

    config = {"transport": transport, "base_url": faults.url, "plugins": [Evil()]}
    async with axios_python.create(config) as api:
        with pytest.raises(axios_python.ConfigError, match=fragment) as info:
            await call(api, mode, "/ok", **({"json": {"a": 1}} if body else {}))
    assert info.value.key == "headers"
    assert faults.accepted == 0


@pytest.mark.parametrize("value", [b"bytes", 42, None])
async def test_a_non_str_header_value_from_a_hook_is_a_config_error(
    transport: str, mode: str, value: Any, faults: FaultServer
) -> None:
    def hook(config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Raw"] = value
        return config

    async with axios_python.create({"transport": transport, "base_url": faults.url}) as api:
        api.interceptors.request.use(hook)
        with pytest.raises(axios_python.ConfigError, match="X-Raw") as info:
            await call(api, mode, "/ok")
    assert info.value.key == "headers"
    assert faults.accepted == 0
