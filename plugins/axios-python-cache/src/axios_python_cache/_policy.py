"""What may be stored, and for how long: pure decisions, no I/O, no clock of their own.

`decide(...)` answers "store this response, and for how long?" with a `Decision`; its
transitions, in the order they are checked:

```
status not in `statuses`                        -> not stored ("status")
request or response Cache-Control: no-store     -> not stored ("no-store")
Vary: *                                         -> not stored ("vary-star")
shared cache and response Cache-Control: private -> not stored ("private")
shared cache, request had Authorization, and the
  response has none of public/s-maxage/must-revalidate -> not stored ("authorization")
TTL mode (respect_cache_control=False)          -> stored, lifetime = ttl (None: forever)
standards mode:
  lifetime = s-maxage (shared) | max-age | Expires - Date | 10% of (Date - Last-Modified)
  response no-cache                             -> stored, revalidated on every use
                                                   (needs ETag or Last-Modified)
  lifetime <= 0 and no ETag / Last-Modified     -> not stored ("stale")
  otherwise                                     -> stored with that lifetime
```

Lifetimes are relative (seconds), computed from the response headers alone, so the cache can
measure them with any monotonic clock (an injectable one in tests).
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass

import httpx

__all__ = [
    "DEFAULT_STATUSES",
    "Decision",
    "RequestDirectives",
    "decide",
    "freshness_lifetime",
    "initial_age",
    "parse_cache_control",
    "request_directives",
    "updated_headers",
    "vary_names",
]

# RFC 9110 §15.1 "heuristically cacheable" statuses, minus 206 (partial content is never stored).
DEFAULT_STATUSES = frozenset({200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501})
HEURISTIC_FRACTION = 0.1  # RFC 9111 §4.2.2: 10% of the time since Last-Modified
# RFC 9111 §3.2: a 304 updates the stored header fields, except these.
_NOT_UPDATED = frozenset({"content-length", "content-encoding", "transfer-encoding"})


def parse_cache_control(value: str | None) -> dict[str, str | None]:
    """`"max-age=60, no-cache"` -> `{"max-age": "60", "no-cache": None}` (names lowercased)."""
    directives: dict[str, str | None] = {}
    if not value:
        return directives
    for part in value.split(","):
        name, sep, arg = part.partition("=")
        name = name.strip().lower()
        if name:
            directives[name] = arg.strip().strip('"') if sep else None
    return directives


def _seconds(value: str | None) -> float | None:
    """A delta-seconds argument, or None when missing or malformed."""
    if value is None:
        return None
    try:
        seconds = int(value)
    except ValueError:
        return None
    return float(max(seconds, 0))


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.timestamp()


@dataclass(frozen=True, slots=True)
class RequestDirectives:
    """The request's own caching directives (Cache-Control, and Pragma: no-cache)."""

    no_cache: bool = False  # serve nothing without revalidation (TTL mode: skip the lookup)
    no_store: bool = False  # do not store the response to this request
    max_age: float | None = None  # standards mode: accept only entries at most this old


NO_DIRECTIVES = RequestDirectives()


def request_directives(cache_control: str | None, pragma: str | None) -> RequestDirectives:
    """The directives of a request from its `Cache-Control` and `Pragma` header values."""
    if not cache_control and not pragma:
        return NO_DIRECTIVES
    cc = parse_cache_control(cache_control)
    no_cache = "no-cache" in cc or (
        not cache_control and pragma is not None and "no-cache" in pragma.lower()
    )
    return RequestDirectives(
        no_cache=no_cache, no_store="no-store" in cc, max_age=_seconds(cc.get("max-age"))
    )


def vary_names(headers: httpx.Headers) -> tuple[str, ...] | None:
    """The lowercased request header names of `Vary`; None for `Vary: *` (never matches)."""
    names: list[str] = []
    for value in headers.get_list("vary"):
        for name in value.split(","):
            name = name.strip().lower()
            if name == "*":
                return None
            if name and name not in names:
                names.append(name)
    return tuple(names)


def freshness_lifetime(
    headers: httpx.Headers,
    cc: dict[str, str | None],
    *,
    status_code: int,
    shared: bool,
    now: float | None = None,
) -> float:
    """RFC 9111 §4.2.1 freshness lifetime in seconds (0 when the response is stale at once).

    `now` is the wall-clock time (default `time.time()`), only used for `Expires` without `Date`.
    """
    if shared:
        s_maxage = _seconds(cc.get("s-maxage"))
        if s_maxage is not None:
            return s_maxage
    max_age = _seconds(cc.get("max-age"))
    if max_age is not None:
        return max_age
    date = _http_date(headers.get("date"))
    if "expires" in headers:
        expires = _http_date(headers.get("expires"))
        if expires is None:  # an invalid Expires means "already expired"
            return 0.0
        reference = date if date is not None else (time.time() if now is None else now)
        return max(expires - reference, 0.0)
    if status_code in DEFAULT_STATUSES or "public" in cc:
        last_modified = _http_date(headers.get("last-modified"))
        if last_modified is not None:
            reference = date if date is not None else (time.time() if now is None else now)
            return max((reference - last_modified) * HEURISTIC_FRACTION, 0.0)
    return 0.0


def initial_age(headers: httpx.Headers) -> float:
    """The age the response already had when it arrived (its `Age` header, RFC 9111 §4.2.3)."""
    return _seconds(headers.get("age")) or 0.0


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether to store a response, for how long, and what its entry must remember."""

    store: bool
    reason: str = ""
    lifetime: float = 0.0  # seconds of freshness from when it was received (inf: forever)
    age: float = 0.0  # age at reception
    always_revalidate: bool = False  # response no-cache: revalidate before every use
    vary: tuple[str, ...] = ()


def _refuse(reason: str) -> Decision:
    return Decision(store=False, reason=reason)


def decide(
    status_code: int,
    headers: httpx.Headers,
    *,
    statuses: frozenset[int],
    request: RequestDirectives = NO_DIRECTIVES,
    authorization: bool = False,
    shared: bool = False,
    standards: bool = False,
    ttl: float | None = None,
) -> Decision:
    """Decide whether (and how long) to store a response; see the module docstring."""
    if status_code not in statuses:
        return _refuse("status")
    cc = parse_cache_control(headers.get("cache-control"))
    vary = vary_names(headers)
    refused = _refusal(cc, vary, request, authorization=authorization, shared=shared)
    if refused is not None or vary is None:
        return _refuse(refused or "vary-star")
    if not standards:
        lifetime = float("inf") if ttl is None else float(ttl)
        return Decision(store=True, lifetime=lifetime, vary=vary)
    return _standards_decision(status_code, headers, cc, vary, shared=shared)


def _refusal(
    cc: dict[str, str | None],
    vary: tuple[str, ...] | None,
    request: RequestDirectives,
    *,
    authorization: bool,
    shared: bool,
) -> str | None:
    """Why a response with an accepted status may not be stored at all, or None."""
    if request.no_store or "no-store" in cc:
        return "no-store"
    if vary is None:
        return "vary-star"
    if shared and "private" in cc:
        return "private"
    if shared and authorization and not ({"public", "s-maxage", "must-revalidate"} & cc.keys()):
        return "authorization"
    return None


def _standards_decision(
    status_code: int,
    headers: httpx.Headers,
    cc: dict[str, str | None],
    vary: tuple[str, ...],
    *,
    shared: bool,
) -> Decision:
    """RFC 9111 freshness: a lifetime, an age, or revalidation when there are validators."""
    validators = "etag" in headers or "last-modified" in headers
    lifetime = freshness_lifetime(headers, cc, status_code=status_code, shared=shared)
    if "no-cache" in cc:
        if not validators:
            return _refuse("no-cache")
        return Decision(store=True, lifetime=0.0, always_revalidate=True, vary=vary)
    age = initial_age(headers)
    if lifetime - age <= 0 and not validators:
        return _refuse("stale")
    return Decision(store=True, lifetime=lifetime, age=age, vary=vary)


def updated_headers(stored: httpx.Headers, fresh: httpx.Headers) -> httpx.Headers:
    """The stored header fields updated with those of a 304 (RFC 9111 §3.2)."""
    new = [(k, v) for k, v in fresh.raw if k.lower().decode("latin-1") not in _NOT_UPDATED]
    replaced = {k.lower() for k, _ in new}
    kept = [(k, v) for k, v in stored.raw if k.lower() not in replaced]
    return httpx.Headers(kept + new)
