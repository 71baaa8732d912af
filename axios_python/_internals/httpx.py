"""Private attributes of httpx that axios_python touches.

Checked against httpx 0.27.2 and 0.28.1. Contract tests: tests/test_internals_httpcore.py (with httpcore's, which these reach).
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx

__all__ = ["mount_patterns", "transport_pool"]

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
