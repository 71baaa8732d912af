"""Defaults, merge rules and request building: pure code, no I/O.

Merge rules (per-request options over client defaults):

- `headers`: merged case-insensitively, per-request values win.
- `params`, `cookies`: merged key by key when both are mappings, per-request values win.
- everything else: the per-request value replaces the default.

The merged config is a plain dict that interceptors, middleware and plugins may mutate.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import httpx

from ._environment import accept_encoding
from ._exceptions import ConfigError
from ._models import Request
from ._version import __version__

__all__ = [
    "DEFAULTS",
    "ConfigHeaders",
    "build_request",
    "merge_config",
    "resolve_url",
    "split_client_options",
]

DEFAULT_TIMEOUT = 5.0
DEFAULT_HEADERS = {
    "Accept": "application/json, text/plain, */*",
    "Accept-Encoding": accept_encoding(),
    "User-Agent": f"axios-python/{__version__}",
}
DEFAULTS: dict[str, Any] = {
    "base_url": None,
    "timeout": DEFAULT_TIMEOUT,
    "follow_redirects": True,
    "max_redirects": 20,
    "max_retries": 0,
    "retry_strategy": None,
    "validate_status": None,
    "stream": False,
}
# Keys that configure the transport (the connection pool), not a request.
TRANSPORT_KEYS = frozenset({"verify", "cert", "proxy", "trust_env", "http2", "limits"})
_MERGED_MAPPINGS = frozenset({"params", "cookies"})


def split_client_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split validated `create()` options into (request defaults, transport options)."""
    defaults = dict(DEFAULTS)
    transport: dict[str, Any] = {}
    headers = httpx.Headers(DEFAULT_HEADERS)
    for key, value in options.items():
        if key in TRANSPORT_KEYS:
            transport[key] = value
        elif key == "headers":
            headers.update(value)
        elif key not in ("transport", "plugins", "autoload"):
            defaults[key] = value
    if "max_redirects" in options:
        transport["max_redirects"] = options["max_redirects"]
    if options.get("cookies"):
        transport["cookies"] = dict(options["cookies"])
        del defaults["cookies"]  # they live in the transport's jar from now on
    defaults["headers"] = headers
    return defaults, transport


def merge_config(
    defaults: dict[str, Any], method: str, url: Any, options: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The config of one request: defaults, then `options` (already validated)."""
    config = defaults.copy()
    config["method"] = method
    config["url"] = url
    if type(config.get("params")) is dict:  # interceptors may mutate it: never the defaults'
        config["params"] = config["params"].copy()
    headers = ConfigHeaders(defaults["headers"])
    if options:
        for key, value in options.items():
            if key == "headers":
                headers.update(value)
            elif key in _MERGED_MAPPINGS and _is_mapping(value) and _is_mapping(config.get(key)):
                config[key] = {**config[key], **value}
            else:
                config[key] = value
    config["headers"] = headers
    return config


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)  # a dict skips the ABC check


class ConfigHeaders(httpx.Headers):
    """`config["headers"]`: an `httpx.Headers` that names the header when a hook assigns a
    value of the wrong type (httpx would fail with "'int' object has no attribute 'encode'")."""

    def __setitem__(self, key: str, value: str) -> None:
        try:
            super().__setitem__(key, value)
        except AttributeError:  # a name or value that is not a str (try costs nothing else)
            what = value if isinstance(key, str) else key
            raise ConfigError(
                f"header {key!r}: names and values are str, not {type(what).__name__} "
                f"({what!r:.80})",
                key="headers",
            ) from None


class Memo:
    """What one client remembers to build its requests faster: joined URLs, and header sets
    with the headers httpx adds. Per client, never process-wide: URLs and header values may
    carry credentials, which must not outlive the client that was given them."""

    __slots__ = ("headers", "netrc", "urls")
    SIZE = 256  # entries per table; a full table starts over

    def __init__(self, netrc: dict[str, str] | None = None) -> None:
        self.urls: dict[tuple[Any, Any], tuple[httpx.URL, bytes]] = {}  # -> (URL, Host value)
        self.headers: dict[tuple[Any, ...], httpx.Headers] = {}
        self.netrc = netrc or {}  # Authorization values by host, from a netrc file


def build_request(config: dict[str, Any], memo: Memo | None = None) -> Request:
    """Build the `Request` for one attempt from the (possibly mutated) config."""
    try:
        url = config["url"]
        if type(url) is not str:
            _check_url_type(url)  # before the memo: a list is not even hashable
        where = (config.get("base_url"), url)
        known = memo.urls.get(where) if memo is not None else None
        if known is None:
            merged = _merge_url(*where)  # errors are raised, never remembered
            known = (merged, merged.netloc if merged.host else b"")
            if memo is not None:
                _remember(memo.urls, where, known)
        target, netloc = known
        params = config.get("params")
        if params:  # merged into the URL's own query, as axios and requests do
            if type(params) is dict:  # hooks may have set anything: one cheap look per value
                for value in params.values():
                    if type(value) not in PLAIN:
                        problem = not_primitive("param", params.items(), PRIMITIVE)
                        if problem:
                            raise ConfigError(problem, key="params")
                        break
            target = target.copy_merge_params(params)
        headers = config["headers"]
        auth = config.get("auth")
        if isinstance(auth, tuple):
            headers = httpx.Headers(headers)
            headers.setdefault("Authorization", _basic_auth(*auth))
        elif auth is None and memo is not None and memo.netrc:
            headers = _netrc_auth(memo.netrc, target, headers)
        method = _method(config.get("method", "GET"))
        extensions = {"timeout": _timeout_extension(config.get("timeout", DEFAULT_TIMEOUT))}
        body: dict[str, Any] = {}
        data = config.get("data")
        if isinstance(data, (str, bytes)):
            body["content"] = data
        elif data is not None:
            body["data"] = data
        for key in ("content", "files", "json"):
            value = config.get(key)
            if value is not None:
                body[key] = value
        if not body:
            return _bodiless(method, target, netloc, headers, extensions, config, memo)
        check_header_fields(
            (headers if isinstance(headers, httpx.Headers) else httpx.Headers(headers)).raw
        )
        content = body.get("content")
        if content is not None and not isinstance(content, (bytes, str)):
            body["content"] = _checked_chunks(content)
        try:
            return Request(
                method, target, headers=headers, extensions=extensions, config=config, **body
            )
        except (TypeError, ValueError, UnicodeEncodeError) as exc:
            key = "files" if "files" in body else next(iter(body))
            raise ConfigError(f"invalid {key} body: {exc}", key=key) from exc
    except ConfigError as exc:
        exc.config = config
        raise
    except httpx.InvalidURL as exc:
        raise ConfigError(
            f"invalid URL {_short(config.get('url'))!r}: {exc}",
            key="url",
            code="ERR_INVALID_URL",
            config=config,
        ) from exc
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise ConfigError(f"cannot build the request: {exc}", config=config) from exc


PRIMITIVE = (str, int, float, type(None))  # what httpx turns into text (bool is an int)
PLAIN = frozenset({str, int, float, bool, type(None)})  # their exact types, for fast checks


def not_primitive(
    what: str, items: Iterable[tuple[Any, Any]], allowed: tuple[type, ...]
) -> str | None:
    """What is wrong with values httpx would send as their repr() (dicts, objects; lists of
    values are fine), or None. `what` names an item in the message ("param")."""
    for name, val in items:
        values = val if isinstance(val, (list, tuple)) else (val,)
        for item in values:
            if not isinstance(item, allowed):
                kinds = "str, int, float, bool, None" + (", bytes" if bytes in allowed else "")
                return (
                    f"{what} {name!r} has a value of type {type(item).__name__} ({item!r}); "
                    f"use {kinds}, or a list of them"
                )
    return None


def _checked_chunks(content: Any) -> Any:
    """An iterator body, checked chunk by chunk as it is sent (h11 would fail on a str chunk
    with a bare TypeError). Files and other readable objects are read by httpx: left as is."""
    if hasattr(content, "read") or isinstance(content, (bytearray, memoryview)):
        return content
    if hasattr(content, "__iter__"):  # httpx's order: a sync iterable first
        return _sync_chunks(content)
    if hasattr(content, "__aiter__"):
        return _async_chunks(content)
    return content


def _chunk_error(chunk: object) -> ConfigError:
    return ConfigError(
        f"the content iterator yielded a {type(chunk).__name__}, not bytes: {chunk!r:.80}",
        key="content",
    )


def _sync_chunks(chunks: Iterable[Any]) -> Iterator[bytes]:
    for chunk in chunks:
        if not isinstance(chunk, bytes):
            raise _chunk_error(chunk)
        yield chunk


async def _async_chunks(chunks: AsyncIterable[Any]) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        if not isinstance(chunk, bytes):
            raise _chunk_error(chunk)
        yield chunk


def _bodiless(
    method: str,
    url: httpx.URL,
    netloc: bytes,
    headers: Any,
    extensions: dict[str, Any],
    config: dict[str, Any],
    memo: Memo | None,
) -> Request:
    """`Request(method, url, headers=...)` without a body, as httpx builds it, in a third of
    the time.

    httpx runs its body encoder and re-normalises every header to add `Host` (and, for
    POST/PUT/PATCH, `Content-Length: 0`); for a request without a body those are known, and
    the client's `memo` remembers the result for a header set and origin.
    """
    if type(headers) is not ConfigHeaders and not isinstance(headers, httpx.Headers):
        headers = httpx.Headers(headers)
    key = (tuple(headers.raw), netloc, method in _ZERO_LENGTH_METHODS)
    ready = memo.headers.get(key) if memo is not None else None
    if ready is None:
        ready = _with_auto_headers(*key)
        if memo is not None:
            _remember(memo.headers, key, ready)
    # Copies `ready`: the remembered object itself is never handed out.
    return Request._bodiless(method, url, ready, extensions, config)


def _remember(table: dict[Any, Any], key: Any, value: Any) -> None:
    if len(table) >= Memo.SIZE:
        table.clear()
    table[key] = value


_ZERO_LENGTH_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _with_auto_headers(
    raw: tuple[tuple[bytes, bytes], ...], netloc: bytes, needs_length: bool
) -> httpx.Headers:
    check_header_fields(raw)  # once per header set: the client's memo remembers the result
    headers = httpx.Headers(raw)
    auto: list[tuple[bytes, bytes]] = []
    if netloc and "host" not in headers:
        auto.append((b"Host", netloc))
    if needs_length and not ("content-length" in headers or "transfer-encoding" in headers):
        auto.append((b"Content-Length", b"0"))
    return httpx.Headers(auto + list(raw)) if auto else headers


_COMMON_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"})
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def _method(method: str) -> str:
    """The upper-cased method; anything but an HTTP token is a ConfigError, before any I/O."""
    upper = method.upper()
    if upper in _COMMON_METHODS:
        return upper
    if not isinstance(method, str) or not method or not set(method) <= _TOKEN_CHARS:
        raise ConfigError(f"invalid HTTP method {method!r}", key="method")
    return upper


def resolve_url(
    url: str | httpx.URL, base_url: str | httpx.URL | None = None, params: Any = None
) -> httpx.URL:
    """The absolute URL a request for `url` goes to, as the client builds it.

    A relative `url` is joined onto `base_url` keeping the base path (`"/users"` on
    `"https://api.test/v2"` is `https://api.test/v2/users`), and `params` are merged into the
    URL's own query, as axios and requests do. As in axios, only `scheme://...` and `//...` are
    absolute (`"users:batch"` is a path). Raises `ConfigError` (`code="ERR_INVALID_URL"`) for a
    URL the client would refuse: no host, control characters, an absolute URL other than
    http(s), a bad port or host name, a relative URL without `base_url`. For plugins that need a
    request's URL before it is built.
    """
    merged = _merge_url(base_url, url)
    if params:
        merged = merged.copy_merge_params(params)
    return merged


def _merge_url(base_url: str | httpx.URL | None, url: str | httpx.URL) -> httpx.URL:
    """Join a relative `url` onto `base_url` as httpx does: the base path is kept.

    A URL is absolute, as in axios, when it starts with `scheme://` or `//` (the latter takes
    the scheme of `base_url`); anything else, `"users:batch"` included, is a path joined onto
    the base. Parsing and joining URLs was most of what building a request cost: clients
    remember the result in their `Memo` (httpx.URL is immutable, so sharing it is safe).
    """
    _check_url_type(url)
    text = str(url)
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in text):
        raise _url_error(text, "it contains control characters")
    head = text.partition("?")[0].partition("#")[0]
    if head.startswith("//"):  # protocol-relative: absolute, in the base URL's scheme
        if not base_url:
            raise _url_error(text, "a URL without a scheme needs a base_url")
        text = _base(str(base_url)).scheme + ":" + text
    elif isinstance(url, str) and "://" not in head and ":" in head.partition("/")[0]:
        if head.partition(":")[0].lower() in ("http", "https"):
            raise _url_error(text, "it has no host (did you mean http://...?)")
        text = "/" + text  # "users:batch" is a path, not a URL with the scheme "users"
    merged = httpx.URL(text)  # spaces in a path or query are percent-encoded, as in requests
    if "://" in head and not merged.host:
        raise _url_error(text, "it has no host")
    _check_host(merged, text)
    if merged.is_relative_url:
        if not base_url:
            raise ConfigError(
                f"relative URL {_short(url)!r} needs a base_url (or pass an absolute http(s) URL)",
                key="url",
                code="ERR_INVALID_URL",
            )
        base = _base(str(base_url))
        return base.copy_with(raw_path=base.raw_path + merged.raw_path.lstrip(b"/"))
    if merged.scheme not in ("http", "https") or not merged.host:
        raise ConfigError(
            f"unsupported URL {_short(url)!r}: only http:// and https:// URLs work",
            key="url",
            code="ERR_INVALID_URL",
        )
    return merged


def _check_url_type(url: object) -> None:
    if not isinstance(url, (str, httpx.URL)):
        raise ConfigError(
            f"invalid URL {url!r:.200}: a URL is a str or an httpx.URL, not {type(url).__name__}",
            key="url",
            code="ERR_INVALID_URL",
        )


def _url_error(text: str, why: str) -> ConfigError:
    return ConfigError(f"invalid URL {_short(text)!r}: {why}", key="url", code="ERR_INVALID_URL")


def _short(url: object) -> str:
    """A URL as error messages show it: a 70 KB URL is not repeated in full."""
    text = str(url)
    return text if len(text) <= 200 else text[:200] + "..."


def _check_host(url: httpx.URL, text: str) -> None:
    """Refuse, before any I/O, a host or port no connection could use."""
    if "%" in url.host:  # httpx percent-encodes what no host name may contain (spaces...)
        raise _url_error(text, "its host is not a valid host name")
    port = url.port
    if port is not None and not 0 < port < 65536:
        raise _url_error(text, f"its port {port} is not between 1 and 65535")
    host = url.raw_host
    if host and b":" not in host:  # a name or IPv4 address (IPv6 literals are checked by httpx)
        labels = host.removesuffix(b".").split(b".")
        if len(host) > 253 or any(not 0 < len(label) < 64 for label in labels):
            raise _url_error(text, "its host is not a valid host name")


def _base(base_url: str) -> httpx.URL:
    base = httpx.URL(base_url)
    if not base.raw_path.endswith(b"/"):
        base = base.copy_with(raw_path=base.raw_path + b"/")
    return base


def _timeout_extension(timeout: Any) -> dict[str, float | None]:
    if timeout is None or isinstance(timeout, (int, float)):
        if timeout is not None and not timeout > 0:
            raise _zero_timeout("timeout", timeout)
        return _scalar_timeout(timeout).copy()  # each request owns its dict: hooks may edit it
    if isinstance(timeout, httpx.Timeout):
        phases = timeout.as_dict()
    elif isinstance(timeout, Mapping):
        phases = {key: value for key, value in timeout.items() if key != "total"}  # the pipeline's
        phases = httpx.Timeout(DEFAULT_TIMEOUT, **phases).as_dict()
    else:
        raise ConfigError(f"invalid timeout {timeout!r}", key="timeout")
    for phase, seconds in phases.items():
        if seconds is not None and not seconds > 0:
            raise _zero_timeout(f"timeout.{phase}", seconds)
    return phases


def _zero_timeout(key: str, seconds: Any) -> ConfigError:
    return ConfigError(
        f"invalid {key} {seconds!r}: a timeout is a number of seconds > 0, or None for none",
        key=key,
    )


_TOKEN_BYTES = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE_BYTES = re.compile(rb"[^\r\n\x00]*")


def check_header_fields(raw: Iterable[tuple[bytes, bytes]]) -> None:
    """Refuse, before any I/O, a header name that is not an HTTP token or a value with a
    newline or NUL (header injection), whoever set it: a hook runs after validation."""
    for name, value in raw:
        if not _TOKEN_BYTES.fullmatch(name):
            raise ConfigError(f"invalid header name {name!r}", key="headers")
        if not _FIELD_VALUE_BYTES.fullmatch(value):
            raise ConfigError(
                f"header {name.decode('ascii')!r} contains a newline or NUL (header injection)",
                key="headers",
            )


@lru_cache(maxsize=32)
def _scalar_timeout(timeout: float | None) -> dict[str, float | None]:
    return httpx.Timeout(timeout).as_dict()


def _basic_auth(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def total_timeout(timeout: Any) -> float | None:
    """The `total` of a `timeout={"total": s, ...}` option: the whole call's deadline, or None."""
    if type(timeout) is dict or (isinstance(timeout, Mapping) and not isinstance(timeout, str)):
        total: float | None = timeout.get("total")
        return total
    return None


def _netrc_auth(netrc: dict[str, str], url: httpx.URL, headers: Any) -> Any:
    """Headers with the netrc file's `Authorization` for `url`'s host (or its `default`
    entry), unless the request carries one already."""
    value = netrc.get(url.host) or netrc.get("default")
    if value is None or "authorization" in headers:
        return headers
    headers = httpx.Headers(headers)
    headers["Authorization"] = value
    return headers
