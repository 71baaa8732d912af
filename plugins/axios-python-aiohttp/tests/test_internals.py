"""Contract test of the aiohttp private attribute the transport touches
(axios_python_aiohttp/_internals.py): it fails loudly when an aiohttp release renames it."""

from __future__ import annotations

import asyncio
import inspect

import aiohttp
from axios_python_aiohttp._internals import never_resend


def test_a_session_resends_unless_told_not_to() -> None:
    """`ClientSession._retry_connection` exists, is on by default, is what `_request` reads
    to resend, and `never_resend` turns it off."""
    assert "_retry_connection" in aiohttp.ClientSession.ATTRS
    assert "self._retry_connection" in inspect.getsource(aiohttp.ClientSession._request)

    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            assert session._retry_connection is True
            never_resend(session)
            assert session._retry_connection is False

    asyncio.run(main())
