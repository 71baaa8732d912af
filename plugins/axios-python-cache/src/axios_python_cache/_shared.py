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
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ._serial import dumps, loads
from ._storage import Variants

__all__ = ["SharedStorage", "logger"]

logger = logging.getLogger("axios_python_cache")

T = TypeVar("T")


class SharedStorage:
    """Base of the stores that several processes share. Subclasses implement `_get_bytes`,
    `_set_bytes`, `_delete`, `_clear` and `_len`, which may raise anything."""

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

    # --- CacheStorage --------------------------------------------------------------------

    def get(self, key: str) -> Variants | None:
        data = self._guard(self._get_bytes, None, key)
        if data is None:
            return None
        try:
            return loads(data)
        except ValueError:
            logger.warning("axios_python_cache: dropping a malformed entry under %r", key)
            self.delete(key)
            return None

    def set(self, key: str, value: Variants) -> None:
        self._guard(self._put, None, key, value)

    def delete(self, key: str) -> None:
        self._guard(self._delete, None, key)

    def clear(self) -> None:
        self._guard(self._clear, None)

    def __len__(self) -> int:
        return self._guard(self._len, 0)

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

    def _put(self, key: str, value: Variants) -> None:
        expiry = self.expiry(value)
        if expiry is not None and expiry <= 0:
            self._delete(key)  # nothing in it may be used any more
            return
        data = dumps(value)
        if self.max_entry_size is not None and len(data) > self.max_entry_size:
            self._delete(key)  # too big to store: forget the older variants as well
            return
        self._set_bytes(key, data, expiry)

    # --- failure handling ----------------------------------------------------------------

    def _guard(self, operation: Callable[..., T], default: T, *args: Any) -> T:
        if time.monotonic() < self._down_until:
            return default
        try:
            result = operation(*args)
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

    # --- what subclasses implement -------------------------------------------------------

    def _get_bytes(self, key: str) -> bytes | None:
        raise NotImplementedError

    def _set_bytes(self, key: str, data: bytes, expiry: float | None) -> None:
        raise NotImplementedError

    def _delete(self, key: str) -> None:
        raise NotImplementedError

    def _clear(self) -> None:
        raise NotImplementedError

    def _len(self) -> int:
        raise NotImplementedError
