"""Hostile input, through the public API: bad input gives a clear, typed error, before any I/O
where possible, and never a hang, a silent wrong answer or lost data.

Covered elsewhere, so not repeated here: unknown keys and typo suggestions, a subset of wrong
types on create(), CR/LF/NUL in header values and names on create() and per request, a CR/LF
header set by a request interceptor (`test_config.py`); non-callable interceptors and middleware
(`TypeError`, `test_interceptors.py`, `test_middleware.py`); a middleware returning None, a plain
`def` middleware misusing an async call's response (`test_middleware.py`); a plugin whose
`on_response` raises, or whose `on_register` raises (`test_plugins.py`); a request interceptor
returning a non-dict (`test_interceptors.py`).
"""

from __future__ import annotations

import asyncio
import datetime
import inspect
import io
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import (
    AxiosPython,
    CancelToken,
    ConfigError,
    ExponentialBackoff,
    MiddlewareError,
    MockTransport,
    Plugin,
    PluginError,
    Response,
)
from axios_python._validation import MAX_SECONDS
from tests.transports import MODES, NO_AIOHTTP

pytestmark = pytest.mark.anyio


async def call(api: AxiosPython, mode: str, method: str, url: Any, **options: Any) -> Any:
    """One request, through `request()` (sync) or `async_request()` (async)."""
    if mode == "sync":
        return api.request(method, url, **options)
    return await api.async_request(method, url, **options)


def recording_client(
    config: dict[str, Any] | None = None,
) -> tuple[AxiosPython, MockTransport]:
    """A client whose transport answers 200 and records what it was asked to send."""
    transport = MockTransport(lambda request: Response(200))
    api = AxiosPython({"base_url": "http://hostile.test", **(config or {})}, transport=transport)
    return api, transport


def unique_path() -> str:
    """A path no other test requests: the server's hit counter for it tells what arrived."""
    return f"/anything/hostile-{uuid.uuid4().hex}"


@pytest.fixture
async def live(server: LocalServer, transport: str) -> AsyncIterator[AxiosPython]:
    """A client on the local server using the transport under test, closed after the test."""
    api = axios_python.create({"base_url": server.url, "timeout": 3, "transport": transport})
    try:
        yield api
    finally:
        await api.aclose()


@pytest.fixture
def closed_file(tmp_path: Path) -> io.BufferedReader:
    path = tmp_path / "upload.bin"
    path.write_bytes(b"payload")
    handle = path.open("rb")
    handle.close()
    return handle


@pytest.fixture
def text_file(tmp_path: Path) -> Iterator[io.TextIOWrapper]:
    path = tmp_path / "upload.txt"
    path.write_text("payload")
    with path.open("r") as handle:
        yield handle


# --- 1. every documented option: wrong types and invalid values --------------------------

# (key, value, fragment of the message). Every request option appears at least once; values
# test_config.py already checks on create() are not repeated.
BAD_REQUEST_OPTIONS: list[tuple[str, Any, str]] = [
    ("base_url", 5, "valid string"),
    ("base_url", b"http://x.test", "valid string"),
    ("base_url", "javascript:alert(1)", "absolute http"),
    ("timeout", True, "valid number"),
    ("timeout", float("inf"), "finite number"),
    ("timeout", float("nan"), "finite number"),
    ("timeout", 1e300, "less than or equal"),
    ("timeout", {"read": float("inf")}, "'read': Input should be a finite number"),
    ("timeout", httpx.Timeout(float("inf")), "more than 0 and at most"),
    ("timeout", httpx.Timeout(5.0, read=-1.0), "more than 0 and at most"),
    ("timeout", [1, 2], "valid number"),
    ("headers", [("X-A", "1")], "valid dictionary"),
    ("headers", "X-A: 1", "valid dictionary"),
    ("headers", {"X-A": None}, "valid string"),
    ("headers", {"X-A": 1}, "valid string"),
    ("headers", {"X-A": b"1"}, "valid string"),
    ("headers", {1: "x"}, "valid string"),
    ("headers", {"X-A": "é"}, "not printable ASCII"),
    ("headers", httpx.Headers([(b"X-A", b"caf\xe9")]), "not printable ASCII"),
    ("headers", {"X-A": "中文"}, "not printable ASCII"),
    ("headers", {"X-A": "a\x01b"}, "not printable ASCII"),
    ("headers", {"X-A": "a\x7fb"}, "not printable ASCII"),
    ("headers", {"X-A": " padded"}, "leading or trailing whitespace"),
    ("headers", {"X-é": "1"}, "invalid header name"),
    ("headers", {"X(A)": "1"}, "invalid header name"),
    ("headers", {"X\tA": "1"}, "invalid header name"),
    ("params", 5, "valid dictionary"),
    ("params", b"a=1", "valid dictionary"),
    ("params", {"a": {"b": 1}}, "type dict"),
    ("params", {"a": [1, {"b": 2}]}, "type dict"),
    ("params", {"a": object()}, "type object"),
    ("params", {"a": b"x"}, "type bytes"),
    ("params", [("a", {"b": 1})], "type dict"),
    ("data", 5, "valid dictionary"),
    ("data", [("a", "1")], "valid dictionary"),
    ("data", bytearray(b"x"), "valid dictionary"),
    ("data", {"a": {"b": 1}}, "form field 'a' has a value of type dict"),
    ("data", {"a": object()}, "type object"),
    ("content", 5, "(async) iterable of bytes"),
    ("content", {"a": 1}, "json= or data="),
    ("content", bytearray(b"x"), "bytes(...)"),
    ("content", memoryview(b"x"), "bytes(...)"),
    ("content", ["ab", "cd"], "bytes chunks only"),
    ("content", [1, 2], "bytes chunks only"),
    ("files", "x", "valid dictionary"),
    ("files", {"f": 5}, "binary file object"),
    ("files", {"f": ("name.txt",)}, "a tuple must be"),
    ("files", {"f": ("a", "b", "c", {}, "e")}, "a tuple must be"),
    ("files", [("f", object())], "binary file object"),
    ("cookies", [("a", "1")], "valid dictionary"),
    ("cookies", {"a": None}, "valid string"),
    ("auth", "user:pass", "valid tuple"),
    ("auth", ("user", 1), "valid string"),
    ("auth", ("user", "pass", "extra"), "at most 2 items"),
    ("auth", lambda request: request, "valid tuple"),
    ("follow_redirects", None, "valid boolean"),
    ("follow_redirects", "true", "valid boolean"),
    ("max_redirects", 2.5, "valid integer"),
    ("max_redirects", True, "valid integer"),
    ("max_redirects", -1, "greater than or equal to 0"),
    ("validate_status", "2xx", "callable"),
    ("validate_status", True, "callable"),
    ("max_retries", True, "valid integer"),
    ("max_retries", None, "valid integer"),
    ("retry_strategy", "exponential", "instance of RetryStrategy"),
    ("retry_strategy", ExponentialBackoff, "instance of RetryStrategy"),
    ("retry_strategy", object(), "instance of RetryStrategy"),
    ("retry_deadline", -1, "greater than or equal to 0"),
    ("retry_deadline", "1", "valid number"),
    ("retry_deadline", float("inf"), "finite number"),
    ("on_retry", 1, "callable"),
    ("cancel_token", True, "instance of CancelToken"),
    ("cancel_token", CancelToken, "instance of CancelToken"),
    ("stream", 1, "valid boolean"),
    ("stream", None, "valid boolean"),
    ("on_upload_progress", "print", "callable"),
    ("on_download_progress", 1, "callable"),
]

BAD_CLIENT_OPTIONS: list[tuple[str, Any, str]] = [
    ("verify", 1, "valid boolean"),
    ("verify", None, "valid boolean"),
    ("verify", "/nonexistent/ca-bundle.pem", "no such file or directory"),
    ("cert", 1, "valid string"),
    ("cert", "/nonexistent/client.pem", "no such file or directory"),
    ("cert", ("/nonexistent/client.pem", "/nonexistent/key.pem"), "no such file or directory"),
    ("proxy", 1, "valid string"),
    ("proxy", "not a url", "whitespace or control characters"),
    ("proxy", "ftp://proxy.test:21", "socks5h://"),
    ("proxy", "http://", "absolute http://"),
    ("proxy", "socks9://proxy.test:1", "absolute http://"),
    ("proxy", "http://proxy.test\r\n:1", "whitespace or control characters"),
    ("trust_env", 1, "valid boolean"),
    ("http2", "yes", "valid boolean"),
    ("limits", {"max_connections": 1}, "instance of Limits"),
    ("transport", 5, "instance of BaseTransport"),
    ("transport", object(), "instance of BaseTransport"),
    ("transport", "no-such-transport", "no installed transport"),
    ("plugins", "cache", "valid list"),
    ("plugins", None, "valid list"),
]


def _by_key(cases: list[tuple[str, Any, str]]) -> dict[str, list[tuple[Any, str]]]:
    grouped: dict[str, list[tuple[Any, str]]] = {}
    for key, value, fragment in cases:
        grouped.setdefault(key, []).append((value, fragment))
    return grouped


REQUEST_CASES = _by_key(BAD_REQUEST_OPTIONS)
ALL_CASES = _by_key(BAD_REQUEST_OPTIONS + BAD_CLIENT_OPTIONS)


async def _raised(attempt: Callable[[], Any]) -> Exception | None:
    """The exception `attempt()` (awaited if need be) raised, or None."""
    try:
        result = attempt()
        if inspect.isawaitable(result):
            await result
    except Exception as error:
        return error
    return None


async def _expect_config_errors(
    key: str, cases: list[tuple[Any, str]], attempt: Callable[[Any], Any]
) -> None:
    """Every bad value of `key` must raise ConfigError(key=key) whose message holds the
    fragment; collect every miss so that one run shows them all."""
    misses = []
    for value, fragment in cases:
        error = await _raised(lambda value=value: attempt(value))
        if not isinstance(error, ConfigError):
            misses.append(f"{value!r}: {type(error).__name__}: {error}")
        elif error.key != key or fragment not in str(error):
            misses.append(f"{value!r}: key={error.key!r}: {error}")
    assert not misses, "\n".join(misses)


@pytest.mark.parametrize("key", list(ALL_CASES))
async def test_create_rejects_a_bad_value_naming_its_key(key: str) -> None:
    """create() raises ConfigError(key=<the option>) whose message says what is wrong."""
    await _expect_config_errors(
        key, ALL_CASES[key], lambda value: axios_python.create({key: value})
    )


@pytest.mark.parametrize("key", list(REQUEST_CASES))
async def test_per_request_option_is_rejected_before_any_io(mode: str, key: str) -> None:
    """The same values given to one request: ConfigError, and the transport is never called."""
    api, transport = recording_client()
    await _expect_config_errors(
        key, REQUEST_CASES[key], lambda value: call(api, mode, "POST", "/x", **{key: value})
    )
    assert transport.requests == []


def test_closed_or_text_mode_files_are_rejected_up_front(
    closed_file: io.BufferedReader, text_file: io.TextIOWrapper
) -> None:
    """A closed file as content or upload, or a text-mode upload, is named before any I/O."""
    api, transport = recording_client()
    cases: list[tuple[str, Any, str]] = [
        ("content", closed_file, "content is a closed file"),
        ("files", {"report": closed_file}, "file 'report' is a closed file"),
        ("files", {"report": ("r.bin", closed_file, "application/pdf")}, "closed file"),
        ("files", {"report": text_file}, "opened in text mode"),
    ]
    for key, value, fragment in cases:
        with pytest.raises(ConfigError) as per_request:
            api.post("/x", **{key: value})
        with pytest.raises(ConfigError) as on_create:
            axios_python.create({key: value})
        for caught in (per_request, on_create):
            assert caught.value.key == key
            assert fragment in str(caught.value)
    assert transport.requests == []


async def test_module_level_helpers_validate_before_any_io(mode: str) -> None:
    """axios_python.get(...) validates its options as a client does (nothing is connected to)."""
    if mode == "sync":
        with pytest.raises(ConfigError) as caught:
            axios_python.get("http://127.0.0.1:9/", timeout="1")  # type: ignore[arg-type]
        assert caught.value.key == "timeout"
    else:
        with pytest.raises(ConfigError) as caught:
            await axios_python.async_get("http://127.0.0.1:9/", params={"a": {"b": 1}})
        assert caught.value.key == "params"


def test_valid_edge_values_are_still_accepted() -> None:
    """What the checks above must not reject: the largest timeout, None params, bytes form
    fields, a bytes chunk list, an open binary file, an httpx.Headers."""
    api, transport = recording_client()
    big = MAX_SECONDS
    api.get("/x", timeout=big, retry_deadline=big, max_retries=0)
    api.get("/x", timeout=httpx.Timeout(big), params={"a": None, "b": [1, True]})
    api.post("/x", content=[b"a", b"b"], headers={"X-Tab": "a\tb"})
    api.post("/x", data={"field": b"raw"}, files={"f": io.BytesIO(b"1")})
    api.get("/x", headers=httpx.Headers([(b"X-Raw", b"v")]))
    assert len(transport.requests) == 5
    assert transport.requests[-1].headers["X-Raw"] == "v"
    assert transport.requests[0].extensions["timeout"]["read"] == big


# --- 2. URLs -----------------------------------------------------------------------------


MALFORMED_URLS: list[tuple[str, str]] = [
    ("http://hostile.test/a\tb", "control characters"),
    ("http://hostile.test/a\rb", "control characters"),
    ("http://hostile.test/?q=a\r\nHost: evil.test", "control characters"),
    ("http://hostile.test/\x7f", "control characters"),
    ("http://hostile.test/\x1b[2J", "control characters"),
    ("http://hos\ttile.test/", "control characters"),
    (" http://hostile.test/", "has no host"),
    ("http://:80/", "has no host"),
    ("http:///path", "has no host"),
    ("https://", "has no host"),
    ("file:///etc/passwd", "has no host"),
    ("ws://hostile.test/socket", "only http:// and https://"),
    ("gopher://hostile.test/", "only http:// and https://"),
    ("javascript:alert(1)", "needs a base_url"),
    ("data:text/plain,hi", "needs a base_url"),
    ("//hostile.test/x", "needs a base_url"),
    ("", "needs a base_url"),
    ("http://[zz]/", "Invalid IPv6 address"),
    ("http://[::1/", "Invalid port"),
    ("http://hostile.test:abc/", "Invalid port"),
    ("http://hostile.test/" + "a" * 70_000, "URL too long"),
]


async def test_malformed_url_is_a_config_error_before_any_io(mode: str) -> None:
    """Control characters, missing hosts, other schemes, broken literals, absurd lengths:
    ConfigError(key='url', code='ERR_INVALID_URL') saying why, and nothing is sent."""
    transport = MockTransport(lambda request: Response(200))
    api = AxiosPython(transport=transport)
    misses = []
    for url, fragment in MALFORMED_URLS:
        error = await _raised(lambda url=url: call(api, mode, "GET", url))
        if not isinstance(error, ConfigError):
            misses.append(f"{url[:60]!r}: {type(error).__name__}: {error}")
        elif (error.key, error.code) != ("url", "ERR_INVALID_URL") or fragment not in str(error):
            misses.append(f"{url[:60]!r}: {error.key!r} {error.code}: {str(error)[:200]}")
    assert not misses, "\n".join(misses)
    assert transport.requests == []


@pytest.mark.parametrize("url", [5, None, b"http://hostile.test/", ["http://hostile.test/"]])
async def test_non_str_url_is_a_config_error(mode: str, url: Any) -> None:
    """An int, None, bytes or list URL is a ConfigError for the `url` key naming the type."""
    api, transport = recording_client()
    with pytest.raises(ConfigError) as caught:
        await call(api, mode, "GET", url)
    assert (caught.value.key, caught.value.code) == ("url", "ERR_INVALID_URL")
    assert f"not {type(url).__name__}" in str(caught.value)
    assert transport.requests == []


async def test_httpx_url_objects_work(mode: str, api: AxiosPython, server: LocalServer) -> None:
    """An httpx.URL is as good as a str, absolute or relative."""
    path = unique_path()
    absolute = await call(api, mode, "GET", httpx.URL(server.url + path, params={"q": "1"}))
    relative = await call(api, mode, "GET", httpx.URL(path))
    assert absolute.data["path"] == relative.data["path"] == path
    assert absolute.data["args"] == {"q": "1"}


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        # axios's rule: only `scheme://` and `//` make a URL absolute; the rest is a path
        ("javascript:alert(1)", "http://hostile.test/v1/javascript:alert(1)"),
        ("mailto:someone@hostile.test", "http://hostile.test/v1/mailto:someone@hostile.test"),
        ("users:batch?x=1", "http://hostile.test/v1/users:batch?x=1"),
        ("//other.test/x", "http://other.test/x"),  # the base URL's scheme
    ],
)
def test_url_with_a_colon_is_joined_whole_or_absolute(url: str, sent: str) -> None:
    """Nothing of the URL is dropped: a `name:` prefix stays part of the path."""
    api, transport = recording_client({"base_url": "http://hostile.test/v1"})
    api.get(url)
    assert str(transport.requests[-1].url) == sent


@pytest.mark.parametrize("url", ["http:/x", "https:x", "HTTP:/x"])
def test_http_url_without_its_slashes_is_a_config_error(url: str) -> None:
    """`http:/x` is a typo for an absolute URL, not a path to join onto base_url."""
    api, transport = recording_client({"base_url": "http://hostile.test/v1"})
    with pytest.raises(ConfigError, match="no host") as caught:
        api.get(url)
    assert caught.value.key == "url"
    assert transport.requests == []


def test_protocol_relative_url_without_base_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="needs a base_url") as caught:
        axios_python.create().get("//other.test/x")
    assert caught.value.key == "url"


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/", "http://127.0.0.1:-1/"])
async def test_port_out_of_range_is_a_config_error(mode: str, url: str) -> None:
    async with axios_python.create({"timeout": 1}) as api:
        with pytest.raises(ConfigError) as caught:
            await call(api, mode, "GET", url)
    assert caught.value.key == "url"


@pytest.mark.parametrize("host", ["a..test", "a" * 64 + ".test"])
async def test_invalid_host_labels_are_a_config_error(mode: str, host: str) -> None:
    async with axios_python.create({"timeout": 1}) as api:
        with pytest.raises(ConfigError) as caught:
            await call(api, mode, "GET", f"http://{host}/")
    assert caught.value.key == "url"


@pytest.fixture(scope="module")
def ipv6_server() -> Iterator[LocalServer]:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError as exc:  # pragma: no cover - no IPv6 loopback here
        pytest.skip(f"cannot bind ::1: {exc}")
    with LocalServer("::1") as srv:
        yield srv


async def test_ipv6_literal_urls_work(mode: str, transport: str, ipv6_server: LocalServer) -> None:
    """http://[::1]:port/ reaches a server on the IPv6 loopback, as base_url or full URL."""
    assert ipv6_server.url.startswith("http://[::1]:")
    async with axios_python.create(
        {"base_url": ipv6_server.url, "timeout": 3, "transport": transport}
    ) as api:
        relative = await call(api, mode, "GET", "/get", params={"v": "6"})
        absolute = await call(api, mode, "GET", ipv6_server.url + "/headers")
    assert relative.status_code == absolute.status_code == 200
    assert relative.data["args"] == {"v": "6"}
    assert relative.data["headers"]["Host"] == ipv6_server.url.removeprefix("http://")


async def test_params_have_well_defined_encodings(mode: str, api: AxiosPython) -> None:
    """None is an empty value (as in httpx; requests and axios drop the key instead), lists
    repeat the key, booleans are JSON-style, and params merge into the URL's own query."""
    response = await call(
        api,
        mode,
        "GET",
        "/get?kept=1",
        params={"none": None, "many": [1, "two"], "yes": True, "no": False, "f": 1.5},
    )
    query = response.data["url"].partition("?")[2]
    assert query == "kept=1&none=&many=1&many=two&yes=true&no=false&f=1.5"


def test_nested_params_set_at_run_time_are_refused(api: AxiosPython) -> None:
    def nest(config: dict[str, Any]) -> dict[str, Any]:
        config["params"] = {"a": {"b": 1}}
        return config

    api.interceptors.request.use(nest)
    with pytest.raises(ConfigError) as caught:
        api.get("/get")
    assert caught.value.key == "params"


# --- 3. headers set at run time ------------------------------------------------------------


class Switch:
    """The hooks these tests install act only while `on`: turned off, the same client (same
    interceptors, middleware and plugins) must serve the next request normally. Header
    setters set `value`."""

    def __init__(self, value: Any = None) -> None:
        self.on = True
        self.value = value


def _set_by_interceptor(api: AxiosPython, switch: Switch, name: str) -> None:
    def set_header(config: dict[str, Any]) -> dict[str, Any]:
        if switch.on:
            config["headers"][name] = switch.value
        return config

    api.interceptors.request.use(set_header)


def _set_by_middleware(api: AxiosPython, switch: Switch, name: str) -> None:
    async def set_header(ctx: dict[str, Any], next_fn: Any) -> Any:
        if switch.on:
            ctx["headers"][name] = switch.value
        return await next_fn(ctx)

    api.use(set_header)


def _set_by_plugin(api: AxiosPython, switch: Switch, name: str) -> None:
    class SetHeader(Plugin):
        def on_request(self, config: dict[str, Any]) -> None:
            if switch.on:
                config["headers"][name] = switch.value

    api.plugin(SetHeader())


def _replaced_by_interceptor(api: AxiosPython, switch: Switch, name: str) -> None:
    def replace(config: dict[str, Any]) -> dict[str, Any]:
        if switch.on:  # a plain dict, which nothing validated
            config["headers"] = {"Accept": "*/*", name: switch.value}
        return config

    api.interceptors.request.use(replace)


SETTERS: dict[str, Callable[[AxiosPython, Switch, str], None]] = {
    "interceptor": _set_by_interceptor,
    "middleware": _set_by_middleware,
    "plugin": _set_by_plugin,
    "replaced-dict": _replaced_by_interceptor,
}


@pytest.mark.parametrize("setter", list(SETTERS))
async def test_header_value_injection_at_run_time_never_reaches_the_server(
    mode: str, live: AxiosPython, server: LocalServer, setter: str
) -> None:
    """A CR, LF or NUL in a header value set by a hook is a ConfigError; the server receives
    nothing (no split header, no request at all); the next request on the client works."""
    path = unique_path()
    switch = Switch()
    SETTERS[setter](live, switch, "X-Evil")
    for sent, value in enumerate(["a\r\nX-Injected: 1", "a\nX-Injected: 1", "a\rb", "a\x00b"]):
        switch.on, switch.value = True, value
        with pytest.raises(ConfigError) as caught:
            await call(live, mode, "GET", path)
        assert "header" in str(caught.value).lower(), value
        assert server.hits[path] == sent, value  # only the disarmed requests arrived
        switch.on = False
        after = await call(live, mode, "GET", path)
        assert "X-Evil" not in after.data["headers"]
    assert server.hits[path] == 4


async def test_bytes_header_injection_in_a_replaced_header_dict(
    mode: str, live: AxiosPython, server: LocalServer
) -> None:
    """Bytes values are not decoded past the check: b'a\\r\\nX-Injected: 1' is refused too."""
    path = unique_path()
    _replaced_by_interceptor(live, Switch(b"a\r\nX-Injected: 1"), "X-Evil")
    with pytest.raises(ConfigError, match="header"):
        await call(live, mode, "GET", path)
    assert server.hits[path] == 0


def _name_cases() -> list[Any]:
    cases = []
    for name in ["X:Evil", "X Evil", "", "é", "X-A\r\nX-Injected"]:
        cases.append(pytest.param("httpx", name, id=f"httpx-{name!r}"))
        marks = [NO_AIOHTTP]
        cases.append(pytest.param("aiohttp", name, id=f"aiohttp-{name!r}", marks=marks))
    return cases


@pytest.mark.parametrize("setter", ["interceptor", "plugin"])
@pytest.mark.parametrize(("transport_name", "name"), _name_cases())
async def test_bad_header_name_at_run_time_is_a_config_error(
    server: LocalServer, setter: str, transport_name: str, name: str
) -> None:
    """A header name that is not an HTTP token, set by a hook, never reaches the server, on
    sync and async calls."""
    path = unique_path()
    async with axios_python.create(
        {"base_url": server.url, "timeout": 3, "transport": transport_name}
    ) as api:
        SETTERS[setter](api, Switch("v"), name)
        for mode in MODES:
            with pytest.raises(ConfigError, match="header"):
                await call(api, mode, "GET", path)
    assert server.hits[path] == 0


@pytest.mark.parametrize(
    "transport_name",
    [
        "httpx",
        pytest.param(
            "aiohttp",
            marks=[
                NO_AIOHTTP,
            ],
        ),
    ],
)
async def test_non_ascii_header_set_at_run_time_is_sent_as_utf8_bytes(
    server: LocalServer, transport_name: str
) -> None:
    """Up front a non-ASCII value is refused; a hook that sets one anyway gets its UTF-8 bytes
    on the wire, the same on every transport and call path (the server decodes latin-1)."""
    async with axios_python.create(
        {"base_url": server.url, "timeout": 3, "transport": transport_name}
    ) as api:
        _set_by_interceptor(api, Switch("café 中"), "X-Name")
        received = [
            (await call(api, mode, "GET", "/headers")).data["headers"]["X-Name"] for mode in MODES
        ]
    assert received == ["café 中".encode().decode("latin-1")] * 2


@pytest.mark.parametrize("value", [5, None, b"bytes"], ids=repr)
def test_non_str_header_value_set_by_a_hook_is_a_typed_error(value: Any) -> None:
    api, transport = recording_client()
    _set_by_interceptor(api, Switch(value), "X-Count")
    with pytest.raises((ConfigError, TypeError), match="X-Count"):
        api.get("/x")
    assert transport.requests == []


async def test_allowed_headers_arrive_exactly(mode: str, live: AxiosPython) -> None:
    """What is allowed arrives byte for byte: a tab inside a value, an empty value, a name
    with every token punctuation character, a value set by a plugin."""
    name = "X-!#$%&'*+.^_`|~"
    _set_by_plugin(live, Switch("p\tq"), "X-From-Plugin")
    response = await call(live, mode, "GET", "/headers", headers={name: "v", "X-Empty": ""})
    headers = response.data["headers"]
    assert headers[name] == "v"
    assert headers["X-Empty"] == ""
    assert headers["X-From-Plugin"] == "p\tq"


# --- 4. hooks that raise, and the connections they must not leak ---------------------------


class Boom(Exception):
    """The error a hook raises."""


def _install(api: AxiosPython, hook: str, switch: Switch) -> dict[str, Any]:
    """Install a hook that raises while `switch` is on; return the options the call needs."""

    def boom(*args: Any, **kwargs: Any) -> None:
        if switch.on:
            raise Boom("boom")

    if hook == "request-interceptor":
        api.interceptors.request.use(boom)
    elif hook == "response-interceptor":
        api.interceptors.response.use(boom)
    elif hook == "async-middleware-before":

        async def before(ctx: dict[str, Any], next_fn: Any) -> Any:
            boom()
            return await next_fn(ctx)

        api.use(before)
    elif hook == "async-middleware-after":

        async def after(ctx: dict[str, Any], next_fn: Any) -> Any:
            response = await next_fn(ctx)
            boom()
            return response

        api.use(after)
    elif hook == "sync-middleware-after":

        def plain_after(ctx: dict[str, Any], next_fn: Any) -> Any:
            response = next_fn(ctx)
            boom()
            return response

        api.use(plain_after)
    elif hook == "validate-status":

        def validate(status: int) -> bool:
            boom()
            return True

        return {"validate_status": validate}
    else:  # a plugin hook
        api.plugin(type(f"Raises_{hook}", (Plugin,), {"name": f"raises-{hook}", hook: boom})())
        if hook == "on_error":
            return {"validate_status": lambda status: status < 500 or not switch.on}
    return {}


HOOKS = [
    "request-interceptor",
    "response-interceptor",
    "async-middleware-before",
    "async-middleware-after",
    "sync-middleware-after",
    "validate-status",
    "on_request",
    "on_transport",
    "on_response",
    "on_error",
]


def _check_error(error: BaseException, hook: str) -> None:
    if hook.startswith("on_"):  # plugin hooks are wrapped, naming plugin and hook
        assert isinstance(error, PluginError), repr(error)
        assert (error.plugin, error.hook) == (f"raises-{hook}", hook)
        assert isinstance(error.__cause__, Boom)
        assert f"raises-{hook}" in str(error)
        assert hook in str(error)
    else:  # interceptors, middleware and validate_status are the caller's code: as is
        assert isinstance(error, Boom), repr(error)


@pytest.mark.parametrize("hook", HOOKS)
async def test_a_raising_hook_gives_its_typed_error_and_the_client_keeps_working(
    mode: str, transport: str, server: LocalServer, hook: str
) -> None:
    """Each kind of hook raising, sync and async, on both transports: the documented error
    type, and the same client then serves requests (sync and async) as before."""
    if hook == "sync-middleware-after" and mode == "async":
        pytest.skip("a plain def middleware's next_fn on an async call is an awaitable")
    switch = Switch()
    async with axios_python.create(
        {"base_url": server.url, "timeout": 3, "transport": transport}
    ) as api:
        options = _install(api, hook, switch)
        path = "/status/500" if hook == "on_error" else "/get"
        with pytest.raises(Exception) as caught:  # noqa: PT011 - checked just below
            await call(api, mode, "GET", path, **options)
        _check_error(caught.value, hook)
        switch.on = False
        for again in MODES:
            assert (await call(api, again, "GET", path, **options)).status_code in (200, 500)


@pytest.mark.parametrize("hook", HOOKS)
async def test_a_raising_hook_never_leaks_a_streamed_connection(
    mode: str, server: LocalServer, hook: str
) -> None:
    """With stream=True and a pool of one connection, a request after the failed one must get
    the connection back (a leaked one would make it wait for the pool timeout)."""
    if hook == "sync-middleware-after" and mode == "async":
        pytest.skip("a plain def middleware's next_fn on an async call is an awaitable")
    switch = Switch()
    async with axios_python.create(
        {
            "base_url": server.url,
            "timeout": {"connect": 3, "read": 3, "write": 3, "pool": 0.3},
            "limits": httpx.Limits(max_connections=1, max_keepalive_connections=1),
        }
    ) as api:
        options = _install(api, hook, switch)
        path = "/status/500" if hook == "on_error" else "/stream/3"
        with pytest.raises(Exception) as caught:  # noqa: PT011 - checked just below
            await call(api, mode, "GET", path, stream=True, **options)
        _check_error(caught.value, hook)
        switch.on = False
        assert (await call(api, mode, "GET", "/get")).status_code == 200


async def test_a_streamed_response_a_middleware_replaces_is_closed(
    mode: str, server: LocalServer
) -> None:
    """A middleware that answers with a response of its own after next_fn: the streamed one
    it dropped gives its connection back (a pool of one would time out otherwise)."""

    async def replace(ctx: dict[str, Any], next_fn: Any) -> Response:
        await next_fn(ctx)
        return Response(203, data="mine")

    async with axios_python.create(
        {
            "base_url": server.url,
            "timeout": {"connect": 3, "read": 3, "write": 3, "pool": 0.3},
            "limits": httpx.Limits(max_connections=1, max_keepalive_connections=1),
        }
    ) as api:
        api.use(replace)
        for _ in range(2):
            assert (await call(api, mode, "GET", "/stream/3", stream=True)).status_code == 203


@pytest.mark.parametrize("result", ["oops", {"status": 200}, httpx.Response(200)], ids=repr)
async def test_middleware_returning_a_non_response_is_a_middleware_error(
    mode: str, result: Any
) -> None:
    api, _ = recording_client()

    async def wrong(ctx: dict[str, Any], next_fn: Any) -> Any:
        await next_fn(ctx)
        return result

    api.use(wrong)
    with pytest.raises(MiddlewareError, match="wrong"):
        await call(api, mode, "GET", "/x")


async def test_response_interceptor_returning_none_keeps_the_response(mode: str) -> None:
    """As documented, a fulfilled handler returning None keeps the (possibly mutated) response."""
    api, _ = recording_client()
    seen: list[Response] = []
    api.interceptors.response.use(lambda response: seen.append(response))
    response = await call(api, mode, "GET", "/x")
    assert isinstance(response, Response)
    assert response is seen[0]
    assert response.status_code == 200


@pytest.mark.parametrize(
    "not_a_plugin",
    [5, None, "", object(), lambda config: config, Plugin, type("Custom", (Plugin,), {})],
    ids=["int", "None", "empty-name", "object", "lambda", "Plugin-class", "subclass"],
)
def test_something_that_is_not_a_plugin_is_refused(not_a_plugin: Any) -> None:
    """An object with no hook at all (or a Plugin class instead of an instance) is a
    ConfigError(key='plugins'), through plugin() and the plugins config key; nothing is kept."""
    api, _ = recording_client()
    if isinstance(not_a_plugin, str):  # a name: looked up among installed plugins
        with pytest.raises(ConfigError, match="no installed plugin named ''"):
            api.plugin(not_a_plugin)
        return
    with pytest.raises(ConfigError) as caught:
        api.plugin(not_a_plugin)
    assert caught.value.key == "plugins"
    if isinstance(not_a_plugin, type):
        assert f"did you mean api.plugin({not_a_plugin.__name__}())" in str(caught.value)
    else:
        assert "is not a plugin" in str(caught.value)
    assert api.plugins == []
    with pytest.raises(ConfigError, match="plugin"):
        axios_python.create({"plugins": [not_a_plugin]})
    assert api.get("/x").status_code == 200


def test_pluggy_style_objects_and_empty_plugin_subclasses_are_still_plugins() -> None:
    """The refusal above spares a @hookimpl object and a Plugin instance with no override."""

    class Marked:
        @axios_python.hookimpl
        def on_request(self, config: dict[str, Any]) -> None:
            config["headers"]["X-Marked"] = "1"

    api, transport = recording_client()
    api.plugin(Marked())
    api.plugin(type("Empty", (Plugin,), {})())
    api.get("/x")
    assert transport.requests[0].headers["X-Marked"] == "1"
    assert len(api.plugins) == 2


def test_on_register_failure_through_the_plugins_key() -> None:
    """create({"plugins": [...]}) with a plugin whose on_register raises: PluginError."""

    class Refuses(Plugin):
        def on_register(self, client: AxiosPython) -> None:
            raise Boom("not here")

    with pytest.raises(PluginError) as caught:
        axios_python.create({"plugins": [Refuses()]})
    assert (caught.value.plugin, caught.value.hook) == ("Refuses", "on_register")
    assert isinstance(caught.value.__cause__, Boom)


# --- 5. bodies -----------------------------------------------------------------------------

UNSERIALISABLE = [
    {"tags": {1, 2}},
    {"when": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)},
    object(),
    {"ratio": float("nan")},
    {"ratio": float("inf")},
]


@pytest.mark.parametrize(
    "body", UNSERIALISABLE, ids=lambda body: type(body).__name__ if type(body) is object else repr(body)
)
async def test_json_that_cannot_be_serialised_is_a_config_error_before_any_io(
    mode: str, body: Any
) -> None:
    """Sets, datetimes, objects and NaN/inf are not JSON: ConfigError, nothing sent."""
    api, transport = recording_client()
    with pytest.raises(ConfigError) as caught:
        await call(api, mode, "POST", "/x", json=body)
    assert isinstance(caught.value.__cause__, (TypeError, ValueError))
    assert "JSON" in str(caught.value)
    assert transport.requests == []


def test_json_error_names_the_json_key() -> None:
    api, _ = recording_client()
    with pytest.raises(ConfigError) as caught:
        api.post("/x", json={"tags": {1, 2}})
    assert caught.value.key == "json"
    assert "json" in str(caught.value)


class StreamBroke(Exception):
    """Raised by a request body's own iterator."""


async def test_body_iterator_raising_mid_stream(
    mode: str, transport: str, server: LocalServer
) -> None:
    """A generator body that raises after its first chunk: the caller gets that very error
    (the body's own error reaches the caller as is, as documented), the server never handles
    a truncated request as a complete one, and the client keeps working."""
    if mode == "sync" and transport == "aiohttp":
        pytest.skip("sync calls on the aiohttp transport are the default transport's")
    path = unique_path()
    raised = StreamBroke("disk went away")

    def body() -> Iterator[bytes]:
        yield b"first chunk"
        raise raised

    async def abody() -> AsyncIterator[bytes]:
        yield b"first chunk"
        raise raised

    async with axios_python.create(
        {"base_url": server.url, "timeout": 3, "transport": transport}
    ) as api:
        content: Any = body() if mode == "sync" else abody()
        with pytest.raises(StreamBroke) as caught:
            await call(api, mode, "POST", path, content=content)
        assert caught.value is raised
        await asyncio.sleep(0.05)  # the server thread gives up on the cut request
        assert server.hits[path] == 0
        for again in MODES:
            response = await call(api, again, "POST", path, content=b"whole")
            assert response.data["data"] == "whole"
    assert server.hits[path] == 2


@pytest.mark.parametrize("bad_chunk", ["text", 5], ids=repr)
def test_iterator_body_yielding_a_non_bytes_chunk_is_a_config_error(
    api: AxiosPython, bad_chunk: Any
) -> None:
    def body() -> Iterator[Any]:
        yield b"ok"
        yield bad_chunk

    with pytest.raises(ConfigError) as caught:
        api.post("/post", content=body())
    assert caught.value.key == "content"


def test_rejected_request_sends_nothing_even_with_retries(
    api: AxiosPython, server: LocalServer
) -> None:
    """A request refused while being built is never retried and never reaches the server."""
    path = unique_path()
    with pytest.raises(ConfigError):
        api.post(path, json={"tags": {1}}, max_retries=3)
    assert server.hits[path] == 0


def test_a_hook_can_not_smuggle_a_bad_body_past_validation(api: AxiosPython) -> None:
    """A request interceptor that swaps in an unserialisable body still gets a ConfigError."""

    def swap(config: dict[str, Any]) -> dict[str, Any]:
        config["json"] = {"when": datetime.date(2024, 1, 1)}
        return config

    api.interceptors.request.use(swap)
    with pytest.raises(ConfigError, match="not JSON serializable"):
        api.post("/post", json={"ok": True})
