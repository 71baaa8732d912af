"""Every access the core (outside the transports) makes to a private attribute of httpx.

Checked against httpx 0.28.1 and 0.29.0 (CI runs the suite on both); tests/test_internals_httpx.py
fails loudly on a release that renames or removes one of them. Each access is kept because it is
measurably cheaper than the public way, or because there is no public way:

- `request_without_body()`: what `httpx.Request(method, url, headers=...)` builds, without
  httpx's body encoder and header re-normalisation (building a request without a body costs a
  third of httpx's way; `_request_build._bodiless`).
- `request_of()`: the request an `httpx.Response` carries, or None; httpx's public
  `Response.request` raises RuntimeError when there is none.
- `content_decoder()`: httpx's own decoder for the response's `Content-Encoding` (gzip,
  deflate, br, zstd), to decode a body as it arrives and stop at `max_content_length`.
- `set_content()`: what `Response.read()` leaves behind, for a body read (and decoded) another
  way: by `max_content_length`'s bounded read, or from a cache.
- `header_items()`: httpx.Headers' own (raw name, lower-cased name, value) triples, without
  building a list of pairs (the cache's key and Vary matching read every header).
- `add_header()`: `headers[key] = value` for a name the headers do not hold yet (what a hook
  setting a header does): one append, not httpx's scan of every header in Python; a name
  already there goes through httpx's own `__setitem__`.
- `transport_pool()`: the httpcore pool of an `httpx.HTTPTransport` (`_pool`), which the default
  transport wraps to make connects cancellable (httpx takes no network backend).
- `mount_patterns()`: httpx's own `URLPattern` (in `httpx._utils`), to match proxy mounts
  exactly as `httpx.Client(mounts=...)` does, now that the default transport has no Client.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, TypeVar

import httpx

__all__ = [
    "CHECKED_VERSIONS",
    "add_header",
    "content_decoder",
    "header_items",
    "mount_patterns",
    "request_of",
    "request_without_body",
    "set_content",
    "transport_pool",
]

CHECKED_VERSIONS = ("0.28.1", "0.29.0")
R = TypeVar("R", bound=httpx.Request)


def request_without_body(
    cls: type[R],
    method: str,
    url: httpx.URL,
    headers: httpx.Headers,
    extensions: dict[str, Any],
    stream: httpx.ByteStream,
) -> R:
    """An `httpx.Request` (or subclass) with an empty body, attribute for attribute what httpx
    builds for `cls(method, url, headers=headers)` when `headers` already hold Host (and
    Content-Length: 0 where httpx adds it)."""
    request = cls.__new__(cls)
    request.method = method
    request.url = url
    request.headers = headers
    request.extensions = extensions
    request.stream = stream
    request._content = b""
    return request


def request_of(response: httpx.Response) -> httpx.Request | None:
    """The request `response` carries, or None (httpx's `response.request` raises then)."""
    request: httpx.Request | None = response._request
    return request


def content_decoder(response: httpx.Response) -> Any:
    """httpx's decoder for `response`'s Content-Encoding: `.decode(chunk)`, `.flush()`."""
    return response._get_content_decoder()


def set_content(response: httpx.Response, content: bytes) -> None:
    """Make `content` the (decoded) body `response.content` returns, as `read()` leaves it."""
    response._content = content


def header_items(headers: httpx.Headers) -> list[tuple[bytes, bytes, bytes]]:
    """httpx.Headers' (raw name, lower-cased name, value) byte triples, not copied."""
    items: list[tuple[bytes, bytes, bytes]] = headers._list
    return items


_LOWER_NAME = itemgetter(1)


def add_header(headers: httpx.Headers, key: str, value: str) -> None:
    """`headers[key] = value`, as httpx does it: a new name is appended (the lookup runs in C),
    one already there replaces the first and drops the others, in httpx's own code. A name or
    value that is not a str raises AttributeError, as httpx does."""
    encoding = headers._encoding or "utf-8"
    raw_key = key.encode(encoding)
    lower = raw_key.lower()
    items: list[tuple[bytes, bytes, bytes]] = headers._list
    if lower in map(_LOWER_NAME, items):
        httpx.Headers.__setitem__(headers, key, value)
    else:
        items.append((raw_key, lower, value.encode(encoding)))


T = TypeVar("T")


def transport_pool(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport) -> object:
    """The httpcore connection pool an httpx transport sends through (`_pool`): httpx takes
    no network backend, so the default transport reaches the pool to wrap it."""
    return getattr(transport, "_pool", None)


def mount_patterns(mounts: dict[str, T]) -> list[tuple[Any, T]]:
    """httpx's mount keys (`"all://*example.com"`, `"https://"`) as `(pattern, value)`, most
    specific first, as `httpx.Client(mounts=...)` orders and matches them
    (`httpx._utils.URLPattern`: `pattern.matches(url)`)."""
    if not mounts:
        return []
    from httpx._utils import URLPattern

    return sorted(((URLPattern(key), value) for key, value in mounts.items()), key=lambda p: p[0])
