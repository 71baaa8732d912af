"""The pause a response asks for: Retry-After and the IETF RateLimit headers (pure)."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest
from axios_python_resilience import pause_seconds


@pytest.mark.parametrize(
    ("status", "headers", "pause"),
    [
        (429, {"Retry-After": "7"}, 7.0),
        (503, {"Retry-After": "2"}, 2.0),
        (200, {"Retry-After": "7"}, None),  # only 429 and 503
        (429, {"Retry-After": "soon"}, None),
        (429, {}, None),
        (200, {"RateLimit": "limit=10, remaining=0, reset=5"}, 5.0),
        (200, {"RateLimit": "limit=10, remaining=3, reset=5"}, None),
        (200, {"RateLimit": '"default";r=0;t=12'}, 12.0),
        (200, {"RateLimit": '"default";r=1;t=12'}, None),
        (200, {"RateLimit-Remaining": "0", "RateLimit-Reset": "3"}, 3.0),
        (200, {"RateLimit-Remaining": "4", "RateLimit-Reset": "3"}, None),
        (200, {"RateLimit-Remaining": "x", "RateLimit-Reset": "3"}, None),
        (200, {"RateLimit-Remaining": "0"}, None),
    ],
)
def test_pause_seconds(status: int, headers: dict[str, str], pause: float | None) -> None:
    """Each header form gives the pause it states; a quota left, or garbage, gives none."""
    assert pause_seconds(status, httpx.Headers(headers)) == pause


def test_retry_after_http_date() -> None:
    """An HTTP-date Retry-After is the time until then."""
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    pause = pause_seconds(429, httpx.Headers({"Retry-After": when}))
    assert pause is not None
    assert 28 <= pause <= 31
