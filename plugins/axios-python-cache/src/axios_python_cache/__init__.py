"""The cache plugin for axios_python: an in-memory TTL + LRU cache for GET and HEAD.

```python
from axios_python import CachePlugin

api.plugin(CachePlugin(ttl=120, max_size=256))
```

The hook implementations live here; the engine is in `_cache.py` (its docstring shows where
each part sits in the pipeline), the pure decisions in `_policy.py` and `_keys.py`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import httpx

from axios_python import ConfigError, Plugin

from ._cache import _EXTENSION, Cache, CacheStats, Credential
from ._policy import DEFAULT_STATUSES
from ._storage import CachedResponse, CacheStorage, InMemoryStorage, Variants, storage_from_url

if TYPE_CHECKING:
    from axios_python import AxiosPython, Response

    from ._redis import RedisStorage
    from ._sqlite import SQLiteStorage

from ._version import __version__

__all__ = [
    "DEFAULT_STATUSES",
    "CachePlugin",
    "CacheStats",
    "CacheStorage",
    "CachedResponse",
    "InMemoryStorage",
    "RedisStorage",
    "SQLiteStorage",
    "Variants",
    "__version__",
    "storage_from_url",
]


class CachePlugin(Plugin):
    """Answers repeated GET and HEAD requests from memory, without the network.

    Args:
        ttl: seconds a stored response stays fresh (None: until evicted or invalidated). Not
            used with `respect_cache_control=True`, where the response says how long.
        max_size: how many URLs (per method) the built-in `InMemoryStorage` keeps before
            evicting the least recently used one (None: unbounded). Ignored with `storage=`.
        respect_cache_control: standards mode (RFC 9111): freshness from `max-age`,
            `s-maxage` (shared), `Expires` or 10% of the `Last-Modified` age; stale entries
            revalidated with `If-None-Match` / `If-Modified-Since` (a 304 refreshes them);
            `no-cache` (request or response) forces revalidation; request `max-age` honoured.
        shared: behave as a shared cache: never store `Cache-Control: private` responses, nor
            responses to requests with `Authorization` unless `public`, `s-maxage` or
            `must-revalidate` allow it; `s-maxage` wins in standards mode.
        statuses: the status codes that may be stored (default: RFC 9110's heuristically
            cacheable ones, 200 203 204 300 301 308 404 405 410 414 501).
        credentials: requests carrying `Authorization`, cookies (header, `cookies=` or the
            client's cookie jar) or URL userinfo are cached per credentials ("isolate", the
            default: the key includes a hash of them) or not at all ("bypass").
        storage: where entries live: a `CacheStorage`, or a URL: `"memory://"` (the default,
            an `InMemoryStorage(max_size)`), `"sqlite:///path/to/cache.db"` (`SQLiteStorage`,
            shared by the processes of one host) or `"redis://host:port/db"` (`RedisStorage`,
            shared by many hosts; `pip install "axios-python-cache[redis]"`). `max_size`
            bounds URL storages too.
        early_hits: answer hits from the plugin's middleware, before the request is built
            (fast). None (default): only when no other plugin on the client implements
            `on_request` (those hooks may add credentials later); False: always look up in
            `on_transport`, where every plugin's hooks see the hit.
        clock: the clock freshness is measured with, in seconds (inject one in tests).
            Default: `time.monotonic`, or `time.time` for a storage with `shared = True`
            (SQLite, Redis), whose entries other processes read.
    """

    name = "cache"

    def __init__(
        self,
        *,
        ttl: float | None = 60.0,
        max_size: int | None = 256,
        respect_cache_control: bool = False,
        shared: bool = False,
        statuses: Iterable[int] = DEFAULT_STATUSES,
        credentials: Credential = "isolate",
        storage: CacheStorage | str | None = None,
        early_hits: bool | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if ttl is not None and (not isinstance(ttl, (int, float)) or ttl < 0):
            raise ConfigError(f"ttl must be a number of seconds >= 0 or None, not {ttl!r}")
        if max_size is not None and (not isinstance(max_size, int) or max_size < 1):
            raise ConfigError(f"max_size must be a positive integer or None, not {max_size!r}")
        if credentials not in ("isolate", "bypass"):
            raise ConfigError(f"credentials must be 'isolate' or 'bypass', not {credentials!r}")
        if isinstance(storage, str):
            storage = _storage_from_url(storage, max_size)
        elif storage is not None and not isinstance(storage, CacheStorage):
            raise ConfigError(
                "storage must be a URL (memory://, sqlite:///..., redis://...) or implement "
                "get/set/delete/clear (CacheStorage)"
            )
        if clock is None:
            clock = time.time if getattr(storage, "shared", False) else time.monotonic
        self._cache = Cache(
            storage=storage if storage is not None else InMemoryStorage(max_size),
            ttl=ttl,
            standards=respect_cache_control,
            shared=shared,
            statuses=frozenset(statuses),
            credentials=credentials,
            early_hits=early_hits,
            clock=clock,
        )

    # --- hooks ---------------------------------------------------------------------------

    def on_register(self, client: AxiosPython) -> None:
        """Add the cache middleware: early hits, single-flight, invalidation on writes."""
        client.use(self._cache.middleware(client))  # owned: unplug() removes it

    # Both hooks run on every attempt of every request; the checks that let other methods
    # pass are made here, before calling into the engine.

    def on_transport(
        self, request: Any, config: dict[str, Any]
    ) -> Response | Awaitable[Response | None] | None:
        """Answer a GET/HEAD from a fresh entry, or make it conditional on a stale one (an
        awaitable on async calls with a storage that has async methods)."""
        method = request.method
        if method != "GET" and method != "HEAD":
            return None
        return self._cache.on_transport(request, config)

    def on_response(self, response: Response) -> Response | Awaitable[Response | None] | None:
        """Store a storable response; replace a 304 to a revalidation with the stored one."""
        request = response.request
        if request is None or _EXTENSION not in request.extensions:
            return None  # not an attempt that on_transport looked up
        return self._cache.on_response(response)

    # --- management ----------------------------------------------------------------------

    @property
    def stats(self) -> CacheStats:
        """A snapshot of the counters (hits, misses, evictions, ...) and the current size."""
        return self._cache.stats()

    def reset_stats(self) -> None:
        self._cache.reset_stats()

    @property
    def storage(self) -> CacheStorage:
        return self._cache.storage

    def clear(self) -> None:
        """Forget every entry."""
        self._cache.clear()

    def invalidate(self, url: str | httpx.URL) -> None:
        """Forget every entry (GET and HEAD, all credentials and variants) of an absolute URL."""
        self._cache.invalidate({self._cache.urls.from_url(httpx.URL(url))[0]})

    def __repr__(self) -> str:
        cache = self._cache
        mode = "respect_cache_control" if cache.standards else f"ttl={cache.ttl}"
        return f"<CachePlugin {mode} storage={cache.storage!r}>"


def _storage_from_url(url: str, max_size: int | None) -> CacheStorage:
    try:
        return storage_from_url(url, max_size=max_size)
    except Exception as exc:  # a bad URL, a missing client library, an unusable file
        raise ConfigError(f"storage={url!r}: {exc}") from exc


def __getattr__(name: str) -> Any:
    """The shared storages load on first use (RedisStorage needs redis-py)."""
    if name == "SQLiteStorage":
        from ._sqlite import SQLiteStorage

        return SQLiteStorage
    if name == "RedisStorage":
        from ._redis import RedisStorage

        return RedisStorage
    raise AttributeError(f"module 'axios_python_cache' has no attribute {name!r}")
