"""`Wrapped`: a response body around another, for both protocols, that does something when closed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

__all__ = ["Wrapped"]


class Wrapped(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Passes `inner`'s chunks through (sync or async); `closed()` runs once `inner` is closed,
    even when closing it fails."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self.closed()

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self.closed()

    def closed(self) -> None:
        """What to do once the body is closed (override)."""
