"""Private attributes of httpx that axios_python touches.

Checked against httpx 0.27.2 and 0.28.1. Contract test: tests/test_internals_httpx.py.
"""

from __future__ import annotations

import httpx

__all__ = ["transport_pool"]


def transport_pool(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport) -> object:
    """The httpcore connection pool an httpx transport sends through (`_pool`): httpx takes
    no network backend, so the default transport reaches the pool to wrap it."""
    return getattr(transport, "_pool", None)
