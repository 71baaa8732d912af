"""Private attributes of aiohttp that this transport touches.

Checked against aiohttp 3.10 to 3.14.5. Contract test: tests/test_internals.py.
"""

from __future__ import annotations

import aiohttp

__all__ = ["never_resend"]


def never_resend(session: aiohttp.ClientSession) -> None:
    """Stop `session` from sending an idempotent request again, silently, when a reused
    connection fails before the response: only the pipeline's retries (`max_retries`) may
    resend. There is no public switch: this is the attribute aiohttp's own test client turns
    off (`aiohttp.test_utils.TestClient`)."""
    session._retry_connection = False
