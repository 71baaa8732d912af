"""Building the `Request` of one attempt from its config: URL and params, auth headers,
body, timeouts, and the per-client `Memo` that makes building a request without a body cheap.
Pure code, no I/O; what cannot be sent is a `ConfigError` naming the key at fault.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import httpx

from ._config import DEFAULT_TIMEOUT, ConfigHeaders
from ._exceptions import ConfigError, ContentTooLargeError
from ._headers import check_header_fields, is_token
from ._internals.httpx import request_without_body
from ._models import Request
from ._urls import check_url_type, merge_url, short_url

__all__ = ["PLAIN", "PRIMITIVE", "Memo", "build_request", "not_primitive"]

_EMPTY_BODY = httpx.ByteStream(b"")


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


def build_request(
    config: dict[str, Any], memo: Memo | None = None, timeout_cap: float | None = None
) -> Request:
    """Build the `Request` for one attempt from the (possibly mutated) config: a body over
    `max_body_length` is refused, and every phase timeout is capped to `timeout_cap` (what
    the retry deadline or the total timeout leaves)."""
    try:
        target, netloc = _target(config, memo)
        headers = _auth_headers(config, memo, target)
        method = _method(config.get("method", "GET"))
        extensions = {"timeout": _timeout_extension(config.get("timeout", DEFAULT_TIMEOUT))}
        body = _body(config)
        if body:
            request = _with_body(method, target, headers, extensions, config, body)
        else:
            request = _bodiless(method, target, netloc, headers, extensions, config, memo)
    except ConfigError as exc:
        exc.config = config
        raise
    except httpx.InvalidURL as exc:
        raise ConfigError(
            f"invalid URL {short_url(config.get('url'))!r}: {exc}",
            key="url",
            code="ERR_INVALID_URL",
            config=config,
        ) from exc
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise ConfigError(f"cannot build the request: {exc}", config=config) from exc
    if config.get("max_body_length") is not None:
        _check_body_length(request, config)
    if timeout_cap is not None:
        _cap_timeout(request, timeout_cap)
    return request


def _target(config: dict[str, Any], memo: Memo | None) -> tuple[httpx.URL, bytes]:
    """The URL (`url` joined onto `base_url`, `params` merged in) and its Host value."""
    url = config["url"]
    if type(url) is not str:
        check_url_type(url)  # before the memo: a list is not even hashable
    where = (config.get("base_url"), url)
    known = memo.urls.get(where) if memo is not None else None
    if known is None:
        merged = merge_url(*where)  # errors are raised, never remembered
        known = (merged, merged.netloc if merged.host else b"")
        if memo is not None:
            _remember(memo.urls, where, known)
    target, netloc = known
    params = config.get("params")
    if params:  # merged into the URL's own query, as axios and requests do
        if type(params) is dict:
            _check_param_values(params)
        target = target.copy_merge_params(params)
    return target, netloc


def _check_param_values(params: dict[str, Any]) -> None:
    """Hooks may have set anything: one cheap look per value, a full check on a surprise."""
    for value in params.values():
        if type(value) not in PLAIN:
            problem = not_primitive("param", params.items(), PRIMITIVE)
            if problem:
                raise ConfigError(problem, key="params")
            return


def _auth_headers(config: dict[str, Any], memo: Memo | None, target: httpx.URL) -> Any:
    """The headers, with `auth=(user, password)` as Basic auth, or the netrc file's
    credentials for the host (unless the request sets `Authorization` itself)."""
    headers = config["headers"]
    auth = config.get("auth")
    if isinstance(auth, tuple):
        headers = httpx.Headers(headers)
        headers.setdefault("Authorization", _basic_auth(*auth))
    elif auth is None and memo is not None and memo.netrc:
        headers = _netrc_auth(memo.netrc, target, headers)
    return headers


def _body(config: dict[str, Any]) -> dict[str, Any]:
    """httpx's body arguments from `data`, `content`, `files` and `json`."""
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
    return body


def _with_body(
    method: str,
    url: httpx.URL,
    headers: Any,
    extensions: dict[str, Any],
    config: dict[str, Any],
    body: dict[str, Any],
) -> Request:
    check_header_fields(
        (headers if isinstance(headers, httpx.Headers) else httpx.Headers(headers)).raw
    )
    content = body.get("content")
    if content is not None and not isinstance(content, (bytes, str)):
        body["content"] = _checked_chunks(content)
    try:
        return Request(method, url, headers=headers, extensions=extensions, config=config, **body)
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        key = "files" if "files" in body else next(iter(body))
        raise ConfigError(f"invalid {key} body: {exc}", key=key) from exc


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
    request = request_without_body(
        Request, method, url, httpx.Headers(ready), extensions, _EMPTY_BODY
    )
    request.config = config
    return request


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


def _method(method: str) -> str:
    """The upper-cased method; anything but an HTTP token is a ConfigError, before any I/O."""
    upper = method.upper()
    if upper in _COMMON_METHODS:
        return upper
    if not isinstance(method, str) or not is_token(method):
        raise ConfigError(f"invalid HTTP method {method!r}", key="method")
    return upper


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


@lru_cache(maxsize=32)
def _scalar_timeout(timeout: float | None) -> dict[str, float | None]:
    return httpx.Timeout(timeout).as_dict()


def _basic_auth(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def _netrc_auth(netrc: dict[str, str], url: httpx.URL, headers: Any) -> Any:
    """Headers with the netrc file's `Authorization` for `url`'s host (or its `default`
    entry), unless the request carries one already."""
    value = netrc.get(url.host) or netrc.get("default")
    if value is None or "authorization" in headers:
        return headers
    headers = httpx.Headers(headers)
    headers["Authorization"] = value
    return headers


def _check_body_length(request: Request, config: dict[str, Any]) -> None:
    """`max_body_length`: a request body over the limit is refused before any I/O (a body of
    unknown length, a generator, is sent as is)."""
    limit: int = config["max_body_length"]
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise ContentTooLargeError(
            f"request body of {int(length)} bytes exceeds max_body_length ({limit} bytes)",
            limit=limit,
            code="ERR_BODY_TOO_LARGE",
            config=config,
            request=request,
        )


def _cap_timeout(request: Request, cap: float) -> None:
    cap = max(cap, 0.001)  # a back-off sleep may overrun the deadline: never a negative timeout
    timeouts = request.extensions.get("timeout") or {}
    request.extensions["timeout"] = {
        phase: cap if value is None else min(value, cap)
        for phase, value in {
            "connect": None,
            "read": None,
            "write": None,
            "pool": None,
            **timeouts,
        }.items()
    }
