"""What the shared stores (`SQLiteStorage`, `RedisStorage`) have in common.

- **Never an exception from the cache.** Every operation runs through `_guard`: an error of
  the store (down, locked, full, corrupt entry) makes a read a miss and a write a no-op. The
  first failure logs one warning on the `axios_python_cache` logger; while the store is down,
  operations skip it for `retry_interval` seconds (no connection attempt, so no waiting on a
  timeout per request), then try again. Recovery logs at INFO, and a later failure warns again.
- **TTL enforced by the store.** `expiry(variants)` is how long a key may live in the store:
  the longest remaining freshness of its variants (measured with their own `stored_at`, so it
  needs no shared clock), plus `stale_ttl` for variants that have a validator (`ETag` or
  `Last-Modified`), which standards mode can still revalidate. None: no expiry (`ttl=None`).
- **Size bounds.** `max_size` keys per store (the stores evict the entries that expire
  first), and `max_entry_size` bytes per key (larger values are not stored).
- **The event loop never waits on the store.** Each operation is written once, as a
  coroutine over an "io" object the subclass gives: `_sync_io()` for the sync methods (`get`,
  `set`, ...: calls that block the thread, driven without a loop), `_async_io()` for the async
  ones (`aget`, `aset`, ...), which the cache uses on async calls (Redis: the `redis.asyncio`
  client of the running loop; SQLite: a worker thread).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ._io import drive
from ._serial import dumps, loads
from ._storage import Variants

__all__ = ["SharedStorage", "logger"]

logger = logging.getLogger("axios_python_cache")

T = TypeVar("T")


class SharedStorage:
    """Base of the stores that several processes share. Subclasses implement `_sync_io`,
    `_async_io` and the coroutines `_get_bytes`, `_set_bytes`, `_delete`, `_clear` and `_len`
    over the io object these return, which may raise anything."""

    #: Entries in a shared store are read by other processes: freshness must be measured with
    #: a clock they share, so `CachePlugin` defaults its clock to `time.time` for such stores.
    shared = True
    #: The exceptions that mean "the store failed": any, since the cache must never raise
    #: because of its store (the first one is logged, with its type).
    errors: tuple[type[BaseException], ...] = (Exception,)

    def __init__(
        self,
        *,
        max_size: int | None,
        max_entry_size: int | None,
        stale_ttl: float,
        retry_interval: float,
    ) -> None:
        if max_size is not None and (not isinstance(max_size, int) or max_size < 1):
            raise ValueError(f"max_size must be a positive integer or None, not {max_size!r}")
        if max_entry_size is not None and (
            not isinstance(max_entry_size, int) or max_entry_size < 1
        ):
            raise ValueError(
                f"max_entry_size must be a positive integer or None, not {max_entry_size!r}"
            )
        if stale_ttl < 0:
            raise ValueError(f"stale_ttl must be >= 0, not {stale_ttl!r}")
        self.max_size = max_size
        self.max_entry_size = max_entry_size
        self.stale_ttl = stale_ttl
        self.retry_interval = retry_interval
        self.evictions = 0
        self.failures = 0  # operations that failed (the store was down or refused)
        self._down_until = 0.0  # time.monotonic() before which the store is skipped
        self._warned = False
        self._state_lock = threading.Lock()

    # --- CacheStorage (sync: blocks the calling thread) ---------------------------------

    def get(self, key: str) -> Variants | None:
        return drive(self._get(self._sync_io(), key))

    def set(self, key: str, value: Variants) -> None:
        drive(self._guard(None, self._put, self._sync_io(), key, value))

    def delete(self, key: str) -> None:
        drive(self._guard(None, self._delete, self._sync_io(), key))

    def clear(self) -> None:
        drive(self._guard(None, self._clear, self._sync_io()))

    def __len__(self) -> int:
        return drive(self._guard(0, self._len, self._sync_io()))

    # --- the same, for async calls: the event loop never waits on the store ------------

    async def aget(self, key: str) -> Variants | None:
        return await self._get(await self._async_io(), key)

    async def aset(self, key: str, value: Variants) -> None:
        await self._guard(None, self._put, await self._async_io(), key, value)

    async def adelete(self, key: str) -> None:
        await self._guard(None, self._delete, await self._async_io(), key)

    async def aclear(self) -> None:
        await self._guard(None, self._clear, await self._async_io())

    @property
    def available(self) -> bool:
        """False while the store is considered down (operations skip it)."""
        return time.monotonic() >= self._down_until

    def expiry(self, variants: Variants) -> float | None:
        """Seconds `variants` may stay in the store (None: no limit)."""
        longest = 0.0
        for entry in variants:
            remaining = entry.fresh_until - entry.stored_at
            if math.isinf(remaining):
                return None
            if entry.etag or entry.last_modified:
                remaining = max(remaining, 0.0) + self.stale_ttl
            longest = max(longest, remaining)
        return longest

    async def _get(self, io: Any, key: str) -> Variants | None:
        data = await self._guard(None, self._get_bytes, io, key)
        if data is None:
            return None
        try:
            return loads(data)
        except ValueError:
            logger.warning("axios_python_cache: dropping a malformed entry under %r", key)
            await self._guard(None, self._delete, io, key)
            return None

    async def _put(self, io: Any, key: str, value: Variants) -> None:
        expiry = self.expiry(value)
        if expiry is not None and expiry <= 0:
            await self._delete(io, key)  # nothing in it may be used any more
            return
        data = dumps(value)
        if self.max_entry_size is not None and len(data) > self.max_entry_size:
            await self._delete(io, key)  # too big to store: forget the older variants as well
            return
        await self._set_bytes(io, key, data, expiry)

    # --- failure handling ----------------------------------------------------------------

    async def _guard(self, default: T, operation: Callable[..., Awaitable[T]], *args: Any) -> T:
        if time.monotonic() < self._down_until:
            return default
        try:
            result = await operation(*args)
        except self.errors as exc:
            self._failed(exc)
            return default
        if self._warned:
            self._recovered()
        return result

    def _failed(self, exc: BaseException) -> None:
        with self._state_lock:
            self.failures += 1
            self._down_until = time.monotonic() + self.retry_interval
            warn, self._warned = not self._warned, True
        if warn:
            logger.warning(
                "axios_python_cache: %r failed (%s: %s); requests go to the network, "
                "the store is tried again every %g s",
                self,
                type(exc).__name__,
                exc,
                self.retry_interval,
            )

    def _recovered(self) -> None:
        with self._state_lock:
            was, self._warned = self._warned, False
        if was:
            logger.info("axios_python_cache: %r is back", self)

    # --- what subclasses implement ------------------------------------------------------

    def _sync_io(self) -> Any:
        """The io object of sync calls: its operations block the thread and never suspend."""
        raise NotImplementedError

    async def _async_io(self) -> Any:
        """The io object of async calls (of the running event loop)."""
        raise NotImplementedError

    async def _get_bytes(self, io: Any, key: str) -> bytes | None:
        raise NotImplementedError

    async def _set_bytes(self, io: Any, key: str, data: bytes, expiry: float | None) -> None:
        raise NotImplementedError

    async def _delete(self, io: Any, key: str) -> None:
        raise NotImplementedError

    async def _clear(self, io: Any) -> None:
        raise NotImplementedError

    async def _len(self, io: Any) -> int:
        raise NotImplementedError
