"""Configuration: validation of create() and per-request options, merge rules, timeouts."""

from __future__ import annotations

import ssl
from typing import Any

import httpx
import pytest

import axios_python
from axios_python import (
    AxiosPython,
    CancelToken,
    ConfigError,
    FixedBackoff,
    MockTransport,
    Response,
)


def recording_client(config: dict[str, Any] | None = None) -> tuple[AxiosPython, MockTransport]:
    """A client whose transport answers 200 and keeps every request it was given."""
    transport = MockTransport(lambda request: Response(200, data={"ok": True}))
    base = {"base_url": "http://example.test/api"}
    return AxiosPython({**base, **(config or {})}, transport=transport), transport


# --- valid configuration -----------------------------------------------------------------


def test_create_accepts_every_request_key() -> None:
    """Every request option, with a value of each accepted type, is a valid create() key."""

    class Auth(httpx.Auth):
        pass

    configs: list[dict[str, Any]] = [
        {
            "base_url": "https://api.example.test/v1",
            "timeout": 2.5,
            "headers": {"X-A": "1"},
            "params": {"page": 1},
            "json": {"a": [1, 2]},
            "follow_redirects": False,
            "max_redirects": 3,
            "validate_status": lambda status: status < 500,
            "max_retries": 2,
            "retry_strategy": FixedBackoff(0.1),
            "retry_deadline": 3.0,
            "on_retry": lambda *args: None,
            "cancel_token": CancelToken(),
            "stream": True,
            "auth": ("user", "pass"),
        },
        {
            "base_url": httpx.URL("http://127.0.0.1:8000"),
            "timeout": None,
            "headers": httpx.Headers({"X-B": "2"}),
            "params": [("a", 1), ("a", 2)],
            "data": {"field": "value"},
            "auth": Auth(),
            "retry_strategy": None,
            "validate_status": None,
        },
        {"timeout": {"connect": 1, "read": 2.0, "write": None}, "params": "a=1&b=2"},
        {"timeout": httpx.Timeout(3.0, connect=1.0), "params": httpx.QueryParams({"q": "x"})},
        {"data": "raw text", "files": {"file": ("a.txt", b"abc", "text/plain")}},
        {"data": b"raw bytes", "content": b"body"},
        {"content": "text body", "files": [("f", b"x")]},
        {"timeout": 0.5, "max_retries": 0, "max_redirects": 0},
    ]
    for config in configs:
        api = axios_python.create(config)
        assert isinstance(api, AxiosPython)
        api.close()


def test_create_accepts_every_client_only_key() -> None:
    """The transport keys (verify, cert, proxy, trust_env, http2, limits) are valid on create()."""
    api = axios_python.create(
        {
            "verify": False,
            "cert": None,
            "proxy": "http://127.0.0.1:3128",
            "trust_env": False,
            "http2": False,
            "limits": httpx.Limits(max_connections=5),
        }
    )
    api.close()
    context = ssl.create_default_context()
    axios_python.create({"verify": context, "proxy": httpx.Proxy("http://127.0.0.1:1")}).close()
    axios_python.create({"verify": "/etc/ssl/certs/ca-certificates.crt"}).close()


def test_create_with_keyword_options_and_none() -> None:
    """create() takes no config, a config dict, keyword options, or both (keywords win)."""
    assert axios_python.create().defaults["timeout"] == 5.0
    assert axios_python.create(None).defaults["base_url"] is None
    api = axios_python.create({"timeout": 1}, timeout=2, base_url="http://example.test")
    assert api.defaults["timeout"] == 2
    assert api.defaults["base_url"] == "http://example.test"


# --- invalid configuration ---------------------------------------------------------------


def test_config_error_is_a_value_error() -> None:
    """ConfigError subclasses both AxiosPythonError and ValueError."""
    assert issubclass(ConfigError, axios_python.AxiosPythonError)
    assert issubclass(ConfigError, ValueError)
    with pytest.raises(ValueError, match="timout"):
        axios_python.create({"timout": 5})


def test_unknown_key_suggests_the_closest() -> None:
    """A misspelt key names itself and suggests the valid one."""
    with pytest.raises(ConfigError) as info:
        axios_python.create({"timout": 5})
    assert info.value.key == "timout"
    assert info.value.code == "ERR_BAD_OPTION"
    assert "did you mean 'timeout'" in str(info.value)


def test_unknown_key_without_close_match() -> None:
    """An unknown key with no close match still names the key, without a suggestion."""
    with pytest.raises(ConfigError) as info:
        axios_python.create({"zzzzzz": 1})
    assert info.value.key == "zzzzzz"
    assert info.value.code == "ERR_BAD_OPTION"
    assert "'zzzzzz'" in str(info.value)
    assert "did you mean" not in str(info.value)


def test_unknown_per_request_key_suggests_the_closest() -> None:
    """A misspelt per-request option gets the same treatment."""
    api, transport = recording_client()
    with pytest.raises(ConfigError) as info:
        api.get("/x", headrs={"a": "b"})  # type: ignore[call-arg]
    assert info.value.key == "headrs"
    assert info.value.code == "ERR_BAD_OPTION"
    assert "did you mean 'headers'" in str(info.value)
    assert transport.requests == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timeout", "5"),
        ("timeout", -1),
        ("follow_redirects", "yes"),
        ("follow_redirects", 1),
        ("max_retries", -1),
        ("max_retries", 1.5),
        ("max_redirects", "3"),
        ("headers", {"a": 1}),
        ("headers", ["a", "b"]),
        ("stream", "true"),
        ("cancel_token", "token"),
        ("retry_strategy", 3),
        ("validate_status", 200),
        ("cookies", {"a": 1}),
        ("auth", ("user",)),
    ],
)
def test_wrong_types_are_rejected_strictly(key: str, value: Any) -> None:
    """Strict validation: no coercion of strings, floats or ints into other types."""
    with pytest.raises(ConfigError) as info:
        axios_python.create({key: value})
    assert info.value.key == key
    assert info.value.code == "ERR_BAD_OPTION_VALUE"
    assert repr(key) in str(info.value)


@pytest.mark.parametrize(("key", "value"), [("timeout", "5"), ("max_retries", -1)])
def test_wrong_types_are_rejected_per_request(key: str, value: Any) -> None:
    """Per-request overrides are validated as strictly as create()."""
    api, transport = recording_client()
    with pytest.raises(ConfigError) as info:
        api.get("/x", **{key: value})
    assert info.value.key == key
    assert info.value.code == "ERR_BAD_OPTION_VALUE"
    assert transport.requests == []


@pytest.mark.anyio
async def test_per_request_validation_on_async_calls() -> None:
    """Async calls validate their options too."""
    api, transport = recording_client()
    with pytest.raises(ConfigError) as info:
        await api.async_get("/x", follow_redirects="yes")  # type: ignore[arg-type]
    assert info.value.key == "follow_redirects"
    assert transport.requests == []


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nX-Injected: 1", "a\x00b"])
def test_header_injection_is_rejected(value: str) -> None:
    """A header value with CR, LF or NUL is a ConfigError, on create() and per request."""
    with pytest.raises(ConfigError) as info:
        axios_python.create({"headers": {"X-Name": value}})
    assert info.value.key == "headers"
    assert info.value.code == "ERR_BAD_OPTION_VALUE"
    api, transport = recording_client()
    with pytest.raises(ConfigError) as info:
        api.get("/x", headers={"X-Name": value})
    assert info.value.key == "headers"
    assert transport.requests == []


@pytest.mark.parametrize("name", ["", "X Name", "X:Name", "X\nName"])
def test_invalid_header_names_are_rejected(name: str) -> None:
    """Empty header names, or names with spaces, colons or newlines, are rejected."""
    with pytest.raises(ConfigError) as info:
        axios_python.create({"headers": {name: "v"}})
    assert info.value.key == "headers"


@pytest.mark.parametrize("base_url", ["not a url", "ftp://x", "http://", "/relative/path"])
def test_malformed_base_url(base_url: str) -> None:
    """A base_url that is not an absolute http(s) URL is rejected with ERR_INVALID_URL."""
    with pytest.raises(ConfigError) as info:
        axios_python.create({"base_url": base_url})
    assert info.value.key == "base_url"
    assert info.value.code == "ERR_INVALID_URL"
    assert repr(base_url) in str(info.value)


def test_malformed_base_url_per_request() -> None:
    """A per-request base_url is checked the same way."""
    api, _ = recording_client()
    with pytest.raises(ConfigError) as info:
        api.get("/x", base_url="ftp://files.example.test")
    assert info.value.key == "base_url"
    assert info.value.code == "ERR_INVALID_URL"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("verify", False),
        ("cert", "client.pem"),
        ("proxy", "http://127.0.0.1:3128"),
        ("trust_env", False),
        ("http2", True),
        ("limits", httpx.Limits()),
        ("plugins", []),
        ("transport", None),
    ],
)
def test_client_only_keys_are_rejected_per_request(key: str, value: Any) -> None:
    """Keys that shape the connection pool can only be set on the client."""
    api, transport = recording_client()
    with pytest.raises(ConfigError) as info:
        api.get("/x", **{key: value})
    assert info.value.key == key
    assert info.value.code == "ERR_BAD_OPTION"
    assert "can only be set on the client" in str(info.value)
    assert transport.requests == []


@pytest.mark.parametrize("config", [["x"], "base_url", 42, ("timeout", 5)])
def test_config_must_be_a_mapping(config: Any) -> None:
    """create() and AxiosPython() reject a config that is not a mapping."""
    with pytest.raises(ConfigError, match="must be a mapping") as info:
        axios_python.create(config)
    assert info.value.key is None
    with pytest.raises(ConfigError, match="must be a mapping"):
        AxiosPython(config)
    with pytest.raises(ConfigError, match="must be a mapping"):
        axios_python.create(config, timeout=1)


def test_relative_url_without_base_url() -> None:
    """A relative URL with no base_url fails before the transport, with ERR_INVALID_URL."""
    transport = MockTransport(lambda request: Response(200))
    api = AxiosPython(transport=transport)
    with pytest.raises(ConfigError) as info:
        api.get("/users")
    assert info.value.code == "ERR_INVALID_URL"
    assert info.value.key == "url"
    assert "'/users'" in str(info.value)
    assert info.value.config is not None
    assert info.value.config["url"] == "/users"
    assert transport.requests == []


@pytest.mark.parametrize("url", ["ftp://example.test/file", "mailto:someone@example.test"])
def test_absolute_url_with_unsupported_scheme(url: str) -> None:
    """Only http:// and https:// request URLs are accepted."""
    transport = MockTransport(lambda request: Response(200))
    api = AxiosPython(transport=transport)
    with pytest.raises(ConfigError) as info:
        api.get(url)
    assert info.value.code == "ERR_INVALID_URL"
    assert transport.requests == []


def test_json_body_that_is_not_serializable() -> None:
    """A json= value that cannot be serialized is a ConfigError, not a TypeError."""
    api, transport = recording_client()
    with pytest.raises(ConfigError) as info:
        api.post("/x", json={"when": object()})
    assert isinstance(info.value.__cause__, TypeError)
    assert info.value.config is not None
    assert info.value.config["url"] == "/x"
    assert transport.requests == []


def test_header_with_newline_from_interceptor_sync(api: AxiosPython) -> None:
    """A newline injected by a request interceptor is a ConfigError at send time (real socket)."""

    def inject(config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Evil"] = "a\r\nX-Injected: 1"
        return config

    api.interceptors.request.use(inject)
    with pytest.raises(ConfigError) as info:
        api.get("/headers")
    assert info.value.config is not None
    assert info.value.config["url"] == "/headers"
    api.interceptors.request.clear()
    assert api.get("/headers").status_code == 200  # the client still works


@pytest.mark.anyio
async def test_header_with_newline_from_interceptor_async(aapi: AxiosPython) -> None:
    """The same on async calls."""

    def inject(config: dict[str, Any]) -> None:
        config["headers"]["X-Evil"] = "a\nb"

    aapi.interceptors.request.use(inject)
    with pytest.raises(ConfigError):
        await aapi.async_get("/headers")
    aapi.interceptors.request.clear()
    assert (await aapi.async_get("/headers")).status_code == 200


def test_transport_keys_with_custom_transport_are_rejected() -> None:
    """verify/proxy/... configure the default transport; with a custom one they are an error."""
    with pytest.raises(ConfigError, match="verify"):
        AxiosPython({"verify": False}, transport=MockTransport(lambda r: Response(200)))


# --- merge rules -------------------------------------------------------------------------


def test_headers_merge_case_insensitively() -> None:
    """Per-request headers override defaults whatever their case; other defaults remain."""
    api, transport = recording_client({"headers": {"X-Token": "default", "X-Keep": "yes"}})
    api.get("/x", headers={"x-token": "override", "X-New": "1"})
    sent = transport.requests[-1].headers
    assert sent.get_list("x-token") == ["override"]
    assert sent["X-Keep"] == "yes"
    assert sent["X-New"] == "1"
    api.get("/x")
    assert transport.requests[-1].headers["X-Token"] == "default"  # defaults untouched


def test_default_headers_are_sent() -> None:
    """The built-in Accept and User-Agent defaults are sent, and can be overridden."""
    api, transport = recording_client({"headers": {"user-agent": "mine/1.0"}})
    api.get("/x")
    sent = transport.requests[-1].headers
    assert sent["User-Agent"] == "mine/1.0"
    assert sent["Accept"] == "application/json, text/plain, */*"


def test_params_merge_per_key() -> None:
    """Per-request params override defaults key by key; the other default keys remain."""
    api, transport = recording_client({"params": {"a": "1", "b": "2"}})
    api.get("/x", params={"b": "3", "c": "4"})
    assert dict(transport.requests[-1].url.params) == {"a": "1", "b": "3", "c": "4"}
    api.get("/x")
    assert dict(transport.requests[-1].url.params) == {"a": "1", "b": "2"}


def test_cookies_merge_per_key(api: AxiosPython, base_url: str) -> None:
    """Client cookies and per-request cookies are merged key by key (real server)."""
    with axios_python.create({"base_url": base_url, "cookies": {"a": "1", "b": "2"}}) as client:
        assert client.get("/cookies", cookies={"b": "3"}).data == {"cookies": {"a": "1", "b": "3"}}
        assert client.get("/cookies").data == {"cookies": {"a": "1", "b": "2"}}


def test_other_keys_are_replaced() -> None:
    """A per-request timeout dict replaces the default timeout: nothing of it is merged."""
    api, transport = recording_client({"timeout": 3, "max_retries": 2})
    api.get("/x", timeout={"connect": 1})
    request = transport.requests[-1]
    assert request.extensions["timeout"] == {"connect": 1, "read": 5.0, "write": 5.0, "pool": 5.0}
    assert request.config["max_retries"] == 2
    api.get("/x", max_retries=0, follow_redirects=False)
    assert transport.requests[-1].config["max_retries"] == 0
    assert transport.requests[-1].config["follow_redirects"] is False


def test_per_request_base_url_overrides_default() -> None:
    """A per-request base_url replaces the client's; the base path is kept when joining."""
    api, transport = recording_client()
    api.get("/users")
    assert str(transport.requests[-1].url) == "http://example.test/api/users"
    api.get("users", base_url="https://other.test/v2/")
    assert str(transport.requests[-1].url) == "https://other.test/v2/users"
    api.get("http://absolute.test/z")
    assert str(transport.requests[-1].url) == "http://absolute.test/z"


def test_per_request_options_do_not_leak_into_defaults() -> None:
    """Options given to one request do not change the client's defaults."""
    api, transport = recording_client({"params": {"a": "1"}})
    api.get("/x", params={"b": "2"}, headers={"X-Once": "1"}, timeout=9)
    api.get("/x")
    request = transport.requests[-1]
    assert dict(request.url.params) == {"a": "1"}
    assert "X-Once" not in request.headers
    assert request.extensions["timeout"]["read"] == 5.0


# --- timeouts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (2, {"connect": 2, "read": 2, "write": 2, "pool": 2}),
        (0.5, {"connect": 0.5, "read": 0.5, "write": 0.5, "pool": 0.5}),
        (None, {"connect": None, "read": None, "write": None, "pool": None}),
        ({"connect": 1, "read": 7}, {"connect": 1, "read": 7, "write": 5.0, "pool": 5.0}),
        ({"write": None}, {"connect": 5.0, "read": 5.0, "write": None, "pool": 5.0}),
        (
            httpx.Timeout(4.0, connect=1.5),
            {"connect": 1.5, "read": 4.0, "write": 4.0, "pool": 4.0},
        ),
    ],
)
def test_timeout_forms_reach_the_request(timeout: Any, expected: dict[str, Any]) -> None:
    """Every accepted timeout form becomes the request's timeout extension, per request or default."""
    api, transport = recording_client()
    api.get("/x", timeout=timeout)
    assert transport.requests[-1].extensions["timeout"] == expected
    api2, transport2 = recording_client({"timeout": timeout})
    api2.get("/x")
    assert transport2.requests[-1].extensions["timeout"] == expected


def test_default_timeout_is_five_seconds() -> None:
    """Without a timeout anywhere, every phase gets 5 seconds."""
    transport = MockTransport(lambda request: Response(200))
    AxiosPython(transport=transport).get("http://example.test/")
    assert transport.requests[0].extensions["timeout"] == {
        "connect": 5.0,
        "read": 5.0,
        "write": 5.0,
        "pool": 5.0,
    }


def test_a_request_owns_its_timeout_extension() -> None:
    """A hook or transport that changes one request's timeout dict changes no other request's."""
    api, transport = recording_client({"timeout": 3})
    api.get("/x")
    transport.requests[-1].extensions["timeout"]["read"] = 0.001
    api.get("/x")
    assert transport.requests[-1].extensions["timeout"]["read"] == 3


@pytest.mark.anyio
async def test_timeout_reaches_the_request_async() -> None:
    """The timeout extension is the same on async calls."""
    api, transport = recording_client({"timeout": {"read": 3}})
    await api.async_get("/x")
    assert transport.requests[-1].extensions["timeout"] == {
        "connect": 5.0,
        "read": 3,
        "write": 5.0,
        "pool": 5.0,
    }


@pytest.mark.parametrize("timeout", [{"connect": "1"}, {"connect": -1}, {"totl": 1}])
def test_invalid_timeout_dicts(timeout: dict[str, Any]) -> None:
    """A timeout dict with a wrong type, a negative value or an unknown phase is rejected."""
    with pytest.raises(ConfigError) as info:
        axios_python.create({"timeout": timeout})
    assert info.value.key == "timeout"


def test_unknown_nested_key_is_named_with_the_valid_ones() -> None:
    """A wrong key inside `timeout` names that key, not the option ("did you mean 'timeout'")."""
    with pytest.raises(ConfigError) as info:
        axios_python.create({"timeout": {"totl": 1}})
    assert str(info.value) == (
        "unknown key 'totl' in config key 'timeout' "
        "(valid keys: connect, pool, read, total, write); did you mean 'total'?"
    )
    with pytest.raises(ConfigError, match="unknown key 'x' in request option 'timeout'"):
        axios_python.create().get("http://127.0.0.1:1/", timeout={"x": 1})


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://", "has no host"),
        ("http://exa mple.com/", "not a valid host name"),
        ("http://127.0.0.1:1/a\nb", "control characters"),
        ("http://127.0.0.1:1/a\x00", "control characters"),
    ],
)
def test_malformed_urls_fail_before_any_io(url: str, reason: str) -> None:
    """A URL no server could be asked for is a ConfigError, raised before DNS or connect."""
    transport = axios_python.MockTransport(lambda request: axios_python.Response(200))
    api = axios_python.AxiosPython(transport=transport)
    with pytest.raises(axios_python.ConfigError, match=reason) as info:
        api.get(url)
    assert info.value.code == "ERR_INVALID_URL"
    assert transport.requests == []


def test_spaces_in_paths_are_percent_encoded(api: axios_python.AxiosPython) -> None:
    """As in requests and httpx, a space in the path or a param is encoded, not rejected."""
    response = api.get("/anything/a b", params={"q": "x y"})
    assert response.data["path"] == "/anything/a%20b"
    assert response.data["args"] == {"q": "x y"}


@pytest.mark.parametrize("method", ["G ET", "GET\r\n", "", "GÉT"])
def test_invalid_methods_fail_before_any_io(method: str) -> None:
    """A method that is not an HTTP token is a ConfigError naming the method key."""
    transport = axios_python.MockTransport(lambda request: axios_python.Response(200))
    api = axios_python.AxiosPython({"base_url": "http://x.test"}, transport=transport)
    with pytest.raises(axios_python.ConfigError) as info:
        api.request(method, "/x")
    assert info.value.key == "method"
    assert transport.requests == []


def test_extension_methods_are_allowed() -> None:
    """Any valid token works as a method (PURGE, PROPFIND...)."""
    transport = axios_python.MockTransport(lambda request: axios_python.Response(200))
    api = axios_python.AxiosPython({"base_url": "http://x.test"}, transport=transport)
    assert api.request("purge", "/x").status_code == 200
    assert transport.requests[0].method == "PURGE"


# --- building the request ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Host": "virtual.test"},
        {"Content-Length": "0"},
        {"Transfer-Encoding": "chunked"},
        {"X-Two": "a", "x-two": "b", "Accept": "text/csv"},
    ],
)
def test_bodiless_requests_are_built_as_httpx_builds_them(
    method: str, headers: dict[str, Any]
) -> None:
    """The fast path for requests without a body: the same headers, in the same order, as
    `httpx.Request` (Host first; Content-Length: 0 for POST/PUT/PATCH), and an empty body."""
    api, transport = recording_client()
    api.request(method, "/things", headers=headers, params={"q": "1"})
    api.request(method, "/things", headers=headers, params={"q": "1"})  # the cached path
    first, second = transport.requests
    expected = httpx.Headers(api.defaults["headers"])
    expected.update(headers)
    reference = httpx.Request(method, first.url, headers=expected)
    for request in (first, second):
        assert request.headers.raw == reference.headers.raw
        assert request.content == b""
        # the same attributes as httpx's own (the fast path sets them itself)
        assert set(vars(request)) - {"config"} == set(vars(reference))
        assert (request.method, request.url, request.extensions.keys()) == (
            reference.method,
            reference.url,
            {"timeout"},
        )
        assert list(request.stream) == list(reference.stream) == [b""]
        assert request.read() == b""
        assert request.stream is not None
    first.headers["X-Later"] = "1"  # a request's headers are its own
    assert "x-later" not in second.headers
    api.request(method, "/things", headers=headers, params={"q": "1"})
    assert "x-later" not in transport.requests[-1].headers


# --- resolve_url -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "base_url", "params", "expected"),
    [
        ("/users", "http://api.test/v2", None, "http://api.test/v2/users"),
        ("users", "http://api.test/v2/", None, "http://api.test/v2/users"),
        ("/users?a=1", "http://api.test", {"b": "2"}, "http://api.test/users?a=1&b=2"),
        ("http://other.test/x", "http://api.test/v2", None, "http://other.test/x"),
        (
            httpx.URL("https://api.test/a b"),
            None,
            {"q": ["1", "2"]},
            "https://api.test/a%20b?q=1&q=2",
        ),
    ],
)
def test_resolve_url_is_the_url_requests_go_to(
    url: Any, base_url: Any, params: Any, expected: str
) -> None:
    assert str(axios_python.resolve_url(url, base_url, params)) == expected
    api, transport = recording_client({"base_url": base_url})
    api.get(url, params=params)
    assert str(transport.requests[-1].url) == expected


@pytest.mark.parametrize(
    ("url", "base_url"),
    [
        ("/relative", None),
        ("ftp://files.test/x", None),
        ("http://", None),
        ("/x\n", "http://a.test"),
    ],
)
def test_resolve_url_refuses_what_the_client_refuses(url: str, base_url: str | None) -> None:
    with pytest.raises(ConfigError) as caught:
        axios_python.resolve_url(url, base_url)
    assert caught.value.code == "ERR_INVALID_URL"


def test_no_credential_outlives_its_client() -> None:
    """What a client remembers to build requests faster (joined URLs, prepared header sets) is
    its own, not process-wide: a credential sent in a header or a URL is not kept alive once
    the client is gone."""
    import gc
    import uuid

    token = uuid.uuid4().hex
    secret = f"Bearer {token}".encode()
    api = AxiosPython(
        {"base_url": "http://example.test", "headers": {"Authorization": secret.decode()}},
        transport=MockTransport(lambda request: Response(204)),
    )
    api.get(f"/a?api_key={token}")
    api.post("/b")

    def holds(item: Any, depth: int = 0) -> bool:  # atoms-only tuples are not gc-tracked
        if type(item) is bytes:
            return secret in item or token.encode() in item
        if type(item) is str:
            return token in item
        return isinstance(item, tuple) and depth < 4 and any(holds(i, depth + 1) for i in item)

    def holders() -> int:
        gc.collect()
        found = 0
        for obj in gc.get_objects():
            if isinstance(obj, dict):
                found += any(holds(k) or holds(v) for k, v in dict.items(obj))
            elif isinstance(obj, list):
                found += any(holds(i) for i in list.__iter__(obj))
            elif isinstance(obj, httpx.URL):
                found += holds(obj.raw_path)
        return found

    assert holders() > 0  # the client holds its defaults, and the test its `token`
    del api
    assert holders() == 0


@pytest.mark.parametrize(
    "url", ["/" + "a" * 70_000, "ftp://x/" + "a" * 70_000, "http://a..b/" + "a" * 70_000]
)
def test_url_errors_do_not_repeat_a_huge_url(url: str) -> None:
    """The message shows the start of the URL, not all 70 KB of it."""
    with pytest.raises(ConfigError) as caught:
        AxiosPython({"base_url": "http://example.test"}).get(url)
    assert caught.value.key == "url"
    assert len(str(caught.value)) < 400
