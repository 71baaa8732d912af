"""The shared state of the plugins: a `limits` storage chosen by URL, and its failure policy.

`memory://` keeps the state in this process; `redis://host:port/db` (and every other scheme
`limits.storage.storage_from_string` knows: `memcached://`, `mongodb://`, `valkey://`...) shares
it with every process using the same store. Both plugins use only the storage's counters
(`incr` with an expiry, `get`, `get_expiry`, `clear`) and the rate limiter's strategies, so any
`limits` storage works. Redis connections get short timeouts (0.5 s by default).

**When the store fails** (Redis down, a timeout), the plugins *fail open*: the request goes
out as if there were no limit and no open circuit. The first failure logs one warning on the
`axios_python_resilience` logger; the store is then skipped for `retry_interval` seconds (no
connection attempt per request), then tried again; recovery logs at INFO.

The sync storage serves both sync and async calls: each operation is one short round trip
(microseconds in memory, ~0.1 ms to a local Redis). Waiting is never a blocking sleep on an
async call: it awaits `asyncio.sleep`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from limits.storage import Storage, storage_from_string

from axios_python import ConfigError

__all__ = ["SharedState", "logger"]

logger = logging.getLogger("axios_python_resilience")
T = TypeVar("T")
_REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+cluster", "redis+sentinel", "valkey")


def open_storage(storage: str | Storage, timeout: float) -> Storage:
    """The `limits` storage `storage` names (a URL), or `storage` itself."""
    if isinstance(storage, Storage):
        return storage
    if not isinstance(storage, str):
        raise ConfigError(
            f"storage must be a URL (memory://, redis://host:port/db) or a limits Storage, "
            f"not {type(storage).__name__}",
            key="storage",
        )
    options: dict[str, Any] = {}
    scheme = storage.partition("://")[0].lower()
    if scheme.startswith(_REDIS_SCHEMES):
        options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    try:
        opened = storage_from_string(storage, **options)
    except Exception as exc:  # limits' ConfigurationError, a missing client library
        raise ConfigError(f"storage={storage!r}: {exc}", key="storage") from exc
    if not isinstance(opened, Storage):  # an async+... URL: the plugins use sync storages
        raise ConfigError(
            f"storage={storage!r}: use the sync URL (without async+); async calls use it too",
            key="storage",
        )
    _close_when_dropped(opened)
    return opened


def _close_when_dropped(storage: Storage) -> None:
    """A storage opened from a URL is ours: its connections are closed when it is dropped.

    Left to the garbage collector, a Redis client's sockets may be finalised before the client
    that would close them (they share a reference cycle), each with a ResourceWarning; a weakref
    callback runs before any finaliser, while the client is still whole.
    """
    client = getattr(storage, "storage", None)
    pool = getattr(client, "connection_pool", None)
    disconnect = getattr(pool, "disconnect", None)
    if callable(disconnect):
        weakref.finalize(storage, disconnect)


class SharedState:
    """Counters with an expiry in a `limits` storage, each operation guarded (fail open)."""

    def __init__(self, storage: Storage, prefix: str, retry_interval: float) -> None:
        self.storage = storage
        self.prefix = prefix
        self.retry_interval = retry_interval
        self.failures = 0
        self._down_until = 0.0
        self._warned = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<{type(self.storage).__name__}>"

    def guard(self, operation: Callable[..., T], default: T, *args: Any) -> T:
        """`operation(*args)`, or `default` when the store fails or is known to be down."""
        if time.monotonic() < self._down_until:
            return default
        try:
            result = operation(*args)
        except Exception as exc:  # whatever the storage's client raises
            self._failed(exc)
            return default
        if self._warned:
            with self._lock:
                was, self._warned = self._warned, False
            if was:
                logger.info("axios_python_resilience: %r is back", self)
        return result

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            self.failures += 1
            self._down_until = time.monotonic() + self.retry_interval
            warn, self._warned = not self._warned, True
        if warn:
            logger.warning(
                "axios_python_resilience: the %r store failed (%s: %s); requests go out "
                "without rate limits or circuit breaking (fail open), the store is tried "
                "again every %g s",
                self,
                type(exc).__name__,
                exc,
                self.retry_interval,
            )

    # --- counters ------------------------------------------------------------------------

    def get(self, name: str) -> int:
        return self.guard(self.storage.get, 0, self.prefix + name)

    def incr(self, name: str, expiry: float) -> int:
        """Add one; the counter expires `expiry` seconds after it was created (whole seconds,
        at least one, as every limits storage supports)."""
        seconds = max(math.ceil(expiry), 1)
        return self.guard(self.storage.incr, 0, self.prefix + name, seconds)

    def remaining(self, name: str) -> float:
        """Seconds until the counter expires (0 when it does not exist or the store failed)."""
        expiry = self.guard(self.storage.get_expiry, 0.0, self.prefix + name)
        return max(expiry - time.time(), 0.0)

    def clear(self, name: str) -> None:
        self.guard(self.storage.clear, None, self.prefix + name)

    def set_for(self, name: str, seconds: float) -> None:
        """A counter of 1 that lasts `seconds` (replacing the one there was)."""
        self.clear(name)
        self.incr(name, seconds)
