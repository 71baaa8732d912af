"""Safe serialisation of stored variants for shared stores: JSON metadata plus raw body bytes.

Nothing read back from a shared store is unpickled: a store that another process (or another
machine, or an attacker with access to the store) writes can only ever give back data. The
format is versioned:

```
b"AXPC1" | u32 length of the JSON header | JSON header | body bytes of each variant, in order
```

The JSON header is a list with one object per variant: status, headers and the bare request's
method, URL and headers (latin-1 strings, lossless for HTTP header bytes), the credentials
fingerprint, Vary values, the freshness times, and the length of its body. `loads` checks every
type and raises `ValueError` on anything else (the stores then treat the key as a miss).
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import httpx

from ._storage import CachedResponse, Variants

__all__ = ["dumps", "loads"]

MAGIC = b"AXPC1"
_LENGTH = struct.Struct(">I")


def dumps(variants: Variants) -> bytes:
    """The bytes of `variants`, for `loads`."""
    header = [_entry_header(entry) for entry in variants]
    meta = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    return b"".join((MAGIC, _LENGTH.pack(len(meta)), meta, *(e.content for e in variants)))


def loads(data: bytes) -> Variants:
    """The variants `dumps` wrote. `ValueError` on anything malformed."""
    if not isinstance(data, bytes) or not data.startswith(MAGIC):
        raise ValueError("not a stored cache entry")
    start = len(MAGIC)
    try:
        (size,) = _LENGTH.unpack_from(data, start)
        start += _LENGTH.size
        header = json.loads(data[start : start + size])
    except (struct.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"malformed stored cache entry: {exc}") from exc
    offset = start + size
    if not isinstance(header, list):
        raise ValueError("malformed stored cache entry: header is not a list")
    entries = []
    for item in header:
        entry, offset = _entry(item, data, offset)
        entries.append(entry)
    if offset != len(data):
        raise ValueError("malformed stored cache entry: trailing bytes")
    return tuple(entries)


def _headers(headers: httpx.Headers) -> list[list[str]]:
    return [[name.decode("latin-1"), value.decode("latin-1")] for name, value in headers.raw]


def _time(value: float) -> float | None:
    return None if math.isinf(value) else value


def _entry_header(entry: CachedResponse) -> dict[str, Any]:
    request = entry.request
    return {
        "status": entry.status_code,
        "headers": _headers(entry.headers),
        "method": request.method,
        "url": str(request.url),
        "request_headers": _headers(request.headers),
        "credential": entry.credential,
        "vary": [
            [name.decode("latin-1"), None if value is None else value.decode("latin-1")]
            for name, value in entry.vary
        ],
        "stored_at": entry.stored_at,
        "fresh_until": _time(entry.fresh_until),
        "age_at_store": entry.age_at_store,
        "always_revalidate": entry.always_revalidate,
        "length": len(entry.content),
    }


def _check(value: Any, kind: type | tuple[type, ...], name: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ValueError(f"malformed stored cache entry: bad {name}")
    return value


def _header_pairs(value: Any, name: str) -> list[tuple[bytes, bytes]]:
    pairs = []
    for pair in _check(value, list, name):
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            raise ValueError(f"malformed stored cache entry: bad {name}")
        pairs.append((pair[0].encode("latin-1"), pair[1].encode("latin-1")))
    return pairs


def _vary(value: Any) -> tuple[tuple[bytes, bytes | None], ...]:
    vary = []
    for pair in _check(value, list, "vary"):
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and (pair[1] is None or isinstance(pair[1], str))
        ):
            raise ValueError("malformed stored cache entry: bad vary")
        vary.append(
            (pair[0].encode("latin-1"), None if pair[1] is None else pair[1].encode("latin-1"))
        )
    return tuple(vary)


def _entry(item: Any, data: bytes, offset: int) -> tuple[CachedResponse, int]:
    item = _check(item, dict, "entry")
    number = (int, float)
    length = _check(item.get("length"), int, "length")
    if length < 0 or offset + length > len(data):
        raise ValueError("malformed stored cache entry: body out of bounds")
    fresh_until = item.get("fresh_until")
    try:
        request = httpx.Request(
            _check(item.get("method"), str, "method"),
            _check(item.get("url"), str, "url"),
            headers=_header_pairs(item.get("request_headers"), "request headers"),
        )
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ValueError(f"malformed stored cache entry: bad request ({exc})") from exc
    entry = CachedResponse(
        status_code=_check(item.get("status"), int, "status"),
        headers=httpx.Headers(_header_pairs(item.get("headers"), "headers")),
        content=data[offset : offset + length],
        request=request,
        credential=_check(item.get("credential"), str, "credential"),
        vary=_vary(item.get("vary")),
        stored_at=float(_check(item.get("stored_at"), number, "stored_at")),
        fresh_until=math.inf
        if fresh_until is None
        else float(_check(fresh_until, number, "fresh_until")),
        age_at_store=float(_check(item.get("age_at_store"), number, "age_at_store")),
        always_revalidate=_check(item.get("always_revalidate"), bool, "always_revalidate"),
    )
    return entry, offset + length
