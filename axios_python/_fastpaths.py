"""Fast paths on httpx objects for plugins' hot paths (a cache hit costs a few microseconds).

Each function does what httpx's (or the stdlib's) public API does, without a copy, an iteration
or a second decode; plugins call these public functions instead of touching private attributes.
The private accesses they need live in `_internals/` (one module per dependency, each with its
contract test); `tests/test_fastpaths.py` compares each function with its public equivalent.
What each saves, per call (bench: a timeit of both ways, against a ~7 µs memory cache hit):
`header_items` 0.6 µs (vs building a list from `headers.raw`), `stored_response` 7.5 µs (vs
`Response.read()` over an identity-decoded copy), `cookies_empty` 0.4 µs (vs iterating the jar).
"""

from __future__ import annotations

from typing import Any

import httpx

from ._internals import httpx as _httpx
from ._internals.stdlib import cookie_jar_is_empty
from ._models import Response

__all__ = ["HeaderItems", "cookies_empty", "header_items", "stored_response"]

HeaderItems = list[tuple[bytes, bytes, bytes]]
"""`(raw name, lowercased name, value)` for every header field, in order."""


def header_items(headers: httpx.Headers) -> HeaderItems:
    """The `(raw name, lowercased name, value)` triples of `headers`, not copied: read only.

    The same fields, in the same order, as `[(k, k.lower(), v) for k, v in headers.raw]`.
    """
    return _httpx.header_items(headers)


def stored_response(
    status_code: int,
    headers: httpx.Headers,
    content: bytes,
    *,
    request: httpx.Request | None = None,
    config: dict[str, Any] | None = None,
) -> Response:
    """A `Response` for a body already decoded and in memory (a cache hit).

    `headers` are copied and kept as they are (a `Content-Encoding` too: `content` is not
    decoded again); the response is read and closed, `content` shared, not copied.
    """
    raw = httpx.Response(
        status_code, headers=headers, stream=httpx.ByteStream(content), request=request
    )
    _httpx.set_content(raw, content)
    raw.is_stream_consumed = True
    raw.is_closed = True
    return Response(raw=raw, request=request, config=config)


def cookies_empty(cookies: httpx.Cookies) -> bool:
    """Whether `cookies` holds no cookie, without iterating the jar (`not len(cookies)`).

    Conservative: a jar whose cookies were all cleared one by one may still answer False.
    """
    return cookie_jar_is_empty(cookies.jar)
