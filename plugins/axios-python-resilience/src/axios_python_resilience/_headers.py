"""How long a response asks us to pause: `Retry-After`, and the IETF `RateLimit` headers.

Pure functions of the response headers, tested without a client:

- `Retry-After: <seconds>` or `Retry-After: <HTTP-date>` (RFC 9110 §10.2.3), honoured on
  `429 Too Many Requests` and `503 Service Unavailable`;
- `RateLimit: limit=10, remaining=0, reset=7` (draft-ietf-httpapi-ratelimit-headers-06) and
  `RateLimit: "default";r=0;t=7` (drafts 07 and later): no quota left for `reset`/`t` seconds;
- `RateLimit-Remaining: 0` with `RateLimit-Reset: 7` (drafts 00-05).

Only a quota of 0 pauses (a positive one says requests may still go). Values are capped by the
caller (`max_pause`): a hostile server cannot stop the fleet for a year.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping

__all__ = ["pause_seconds"]

_PAUSE_STATUSES = frozenset({429, 503})
_PARAM = re.compile(r"(?:^|[;,\s])(remaining|reset|r|t)\s*=\s*\"?(\d+(?:\.\d+)?)", re.IGNORECASE)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` value asks for (None when absent or invalid)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def ratelimit(headers: Mapping[str, str]) -> float | None:
    """Seconds until the quota resets, when the `RateLimit` headers say none is left."""
    combined = headers.get("ratelimit")
    if combined is not None:
        found = {name.lower(): float(value) for name, value in _PARAM.findall(combined)}
        remaining = found.get("remaining", found.get("r"))
        reset = found.get("reset", found.get("t"))
        if remaining == 0 and reset is not None:
            return reset
        return None
    remaining_header = headers.get("ratelimit-remaining")
    reset_header = headers.get("ratelimit-reset")
    if remaining_header is None or reset_header is None:
        return None
    try:
        if float(remaining_header.strip()) != 0:
            return None
        return max(float(reset_header.strip()), 0.0)
    except ValueError:
        return None


def pause_seconds(status: int, headers: Mapping[str, str]) -> float | None:
    """How long everyone sharing the key should stop sending, per this response (or None)."""
    if status in _PAUSE_STATUSES:
        after = retry_after(headers.get("retry-after"))
        if after is not None:
            return after
    return ratelimit(headers)
