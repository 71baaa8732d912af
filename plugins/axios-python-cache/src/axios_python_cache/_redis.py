"""`RedisStorage`: a cache that processes on many machines share, on redis-py.

Keys (under `prefix`, default `"axios_python_cache:"`):

- `<prefix>e:<key>`: the variants of a key (the JSON + bytes format of `_serial`), with the
  store's TTL (`PX`), so Redis itself drops an entry when nothing in it may be used any more;
- `<prefix>index`: a sorted set of the entry keys by expiry time, for `max_size` (the entries
  that expire first are evicted, atomically, by one Lua script) and `len()`;
- `<prefix>lease:<hash>`: single-flight leases (`SET NX PX`), see `Leases`.

Connections have short timeouts (`socket_timeout`, `socket_connect_timeout`, 0.5 s by default):
a Redis that does not answer costs one request that long, then the store is skipped for
`retry_interval` seconds (see `_shared`). The asyncio client (`redis.asyncio`) serves the
single-flight waits of async calls, which must not block the event loop for a lease's lifetime;
entry reads and writes use the sync client on both paths (one loopback round trip, ~0.1 ms).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import axios_python

from ._shared import SharedStorage, logger

__all__ = ["Leases", "RedisStorage"]

try:  # an optional dependency: pip install "axios-python-cache[redis]"
    import redis
    import redis.asyncio
except ModuleNotFoundError:  # pragma: no cover - exercised without the extra installed
    redis = None  # type: ignore[assignment]

_SET_SCRIPT = """
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
local max = tonumber(ARGV[5])
if max <= 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
local excess = redis.call('ZCARD', KEYS[2]) - max
if excess <= 0 then return 0 end
local old = redis.call('ZPOPMIN', KEYS[2], excess)
for i = 1, #old, 2 do redis.call('DEL', old[i]) end
return excess
"""

_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _require_redis() -> None:
    if redis is None:
        raise ImportError(
            'RedisStorage needs redis-py: pip install "axios-python-cache[redis]"', name="redis"
        )


class RedisStorage(SharedStorage):
    """A `CacheStorage` in Redis, shared by every process that uses the same server and prefix.

    Args:
        url: `redis://[:password@]host[:port][/db]` (or `rediss://`, `unix://`).
        prefix: the prefix of every key this storage writes.
        max_size: keys kept at most (None: unbounded); beyond it, the entries that expire
            first are evicted (counted in `evictions`).
        max_entry_size: bytes a key's value may take (None: unbounded).
        stale_ttl: seconds a stale entry with a validator stays, for standards mode.
        timeout: socket and connect timeout in seconds.
        retry_interval: seconds the store is skipped after a failure.
        lease_ttl: seconds a single-flight lease lasts if its holder dies without releasing
            it (and the longest a process waits for another one's response).
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "axios_python_cache:",
        max_size: int | None = 100_000,
        max_entry_size: int | None = 16 * 1024 * 1024,
        stale_ttl: float = 3600.0,
        timeout: float = 0.5,
        retry_interval: float = 5.0,
        lease_ttl: float = 30.0,
    ) -> None:
        _require_redis()
        super().__init__(
            max_size=max_size,
            max_entry_size=max_entry_size,
            stale_ttl=stale_ttl,
            retry_interval=retry_interval,
        )
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        self._options: dict[str, Any] = {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        }
        self.client = redis.Redis.from_url(url, **self._options)
        self._index = prefix + "index"
        self._set_script = self.client.register_script(_SET_SCRIPT)
        self.leases = Leases(self, lease_ttl)

    def __repr__(self) -> str:
        return f"<RedisStorage {self.url!r} prefix={self.prefix!r}>"

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisStorage:
        return cls(url, **options)

    def close(self) -> None:
        self.client.close()
        self.leases.close()

    def _entry_key(self, key: str) -> str:
        return self.prefix + "e:" + key

    # --- operations ----------------------------------------------------------------------

    def _get_bytes(self, key: str) -> bytes | None:
        value = self.client.get(self._entry_key(key))
        return value if isinstance(value, bytes) else None

    def _set_bytes(self, key: str, data: bytes, expiry: float | None) -> None:
        now = time.time()
        ttl_ms = 0 if expiry is None else max(int(expiry * 1000), 1)
        expires_at = "+inf" if expiry is None else repr(now + expiry)
        evicted = self._set_script(
            keys=[self._entry_key(key), self._index],
            args=[data, ttl_ms, expires_at, repr(now), self.max_size or 0],
        )
        if evicted:
            self.evictions += int(evicted)

    def _delete(self, key: str) -> None:
        entry_key = self._entry_key(key)
        pipe = self.client.pipeline()
        pipe.delete(entry_key)
        pipe.zrem(self._index, entry_key)
        pipe.execute()

    def _clear(self) -> None:
        keys = list(self.client.scan_iter(match=self.prefix + "e:*", count=1000))
        for start in range(0, len(keys), 500):
            self.client.delete(*keys[start : start + 500])
        self.client.delete(self._index)

    def _len(self) -> int:
        return int(self.client.zcount(self._index, repr(time.time()), "+inf"))


class Leases:
    """Single-flight across processes: one lease per uncached URL (and credentials).

    `acquire` takes the lease (`SET NX PX lease_ttl`) and returns its token: the caller then
    goes to the network and `release`s it (only if still its own). When another process holds
    it, `acquire` waits until it is released or expires (polling every few milliseconds, up to
    `lease_ttl`) and returns None: the caller looks the cache up again. A dead holder's lease
    expires after `lease_ttl`. With Redis down, `acquire` returns a token at once (no lease).
    Sync calls wait in their thread; async calls await the asyncio client and `asyncio.sleep`
    (one coroutine serves both, see `_io`).
    """

    POLL = (0.002, 0.05)  # the first and the longest pause between two checks

    def __init__(self, storage: RedisStorage, ttl: float) -> None:
        self.storage = storage
        self.ttl = ttl
        self._release = storage.client.register_script(_RELEASE_SCRIPT)

    def _key(self, key: str) -> str:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16)
        return self.storage.prefix + "lease:" + digest.hexdigest()

    def close(self) -> None:
        """Nothing to close: async waits open a client of their own and close it."""

    async def acquire(self, key: str, cancelled: Callable[[], bool]) -> str | None:
        """The lease's token (lead), or None once another holder is done (look again)."""
        storage = self.storage
        if not storage.available:
            return ""
        name, token = self._key(key), secrets.token_hex(8)
        deadline = time.monotonic() + self.ttl
        pause = self.POLL[0]
        client, sleep, close = self._io()
        try:
            while True:
                if await _result(client.set(name, token, nx=True, px=int(self.ttl * 1000))):
                    return token
                if time.monotonic() >= deadline or cancelled():
                    return None
                await sleep(pause)
                pause = min(pause * 2, self.POLL[1])
                if not await _result(client.exists(name)):
                    return None
        except storage.errors as exc:
            storage._failed(exc)
            return ""
        finally:
            await close()

    def _io(self) -> tuple[Any, Callable[[float], Awaitable[None]], Callable[[], Awaitable[Any]]]:
        """The client, sleep and close of this call's mode: a sync call blocks its thread; an
        async call awaits a client of its own (this is a miss: the network comes next anyway),
        closed on the way out, as one kept per event loop would leak when the loop closes."""
        if not axios_python.is_async_call():
            return self.storage.client, _blocking_sleep, _nothing
        client = redis.asyncio.Redis.from_url(self.storage.url, **self.storage._options)
        return client, asyncio.sleep, client.aclose

    def release(self, key: str, token: str) -> None:
        """Give the lease back (if it is still ours)."""
        if not token:
            return
        try:
            self._release(keys=[self._key(key)], args=[token])
        except self.storage.errors as exc:
            self.storage._failed(exc)
            logger.debug("axios_python_cache: could not release a lease: %s", exc)


async def _result(value: Any) -> Any:
    """The value of a sync client's call, or the awaited value of an async client's."""
    return await value if inspect.isawaitable(value) else value


async def _blocking_sleep(seconds: float) -> None:
    time.sleep(seconds)  # a sync call: its thread waits (there is no event loop to yield to)


async def _nothing() -> None:
    return None
