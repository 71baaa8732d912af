"""`RedisStorage`: a cache that processes on many machines share, on redis-py.

Keys (under `prefix`, default `"axios_python_cache:"`):

- `<prefix>e:<key>`: the variants of a key (the JSON + bytes format of `_serial`), with the
  store's TTL (`PX`), so Redis itself drops an entry when nothing in it may be used any more;
- `<prefix>index`: a sorted set of the entry keys by expiry time, for `max_size` (the entries
  that expire first are evicted, atomically, by one Lua script) and `len()`;
- `<prefix>lease:<hash>`: single-flight leases (`SET NX PX`), see `Leases`.

Connections have short timeouts (`socket_timeout`, `socket_connect_timeout`, 0.5 s by default):
a Redis that does not answer costs one request that long, then the store is skipped for
`retry_interval` seconds (see `_shared`). Sync calls use the sync client; async calls use a
`redis.asyncio` client of their event loop (one per loop, an `axios_python.LoopLocal`: closed by
`aclose()` or when the loop shuts down), for entries and leases alike, so that a slow or hung
Redis never blocks the loop. Each operation is written once, over a `_Client` of either kind.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import axios_python

from ._io import result
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


class _Client:
    """A redis-py client (sync or `redis.asyncio`) and the scripts registered on it: calls
    return values (sync) or awaitables (async); `result()` takes either."""

    __slots__ = ("client", "release_script", "set_script")

    def __init__(self, client: Any) -> None:
        self.client = client
        self.set_script = client.register_script(_SET_SCRIPT)
        self.release_script = client.register_script(_RELEASE_SCRIPT)


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
        self._sync = _Client(self.client)
        self._async = axios_python.LoopLocal(self._new_async_client, _close_async_client)
        self._index = prefix + "index"
        self.leases = Leases(self, lease_ttl)

    def __repr__(self) -> str:
        return f"<RedisStorage {self.url!r} prefix={self.prefix!r}>"

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisStorage:
        return cls(url, **options)

    def close(self) -> None:
        """Close the sync client (the async clients close with their event loop, or `aclose`)."""
        self.client.close()

    async def aclose(self) -> None:
        """Close the running event loop's async client, and the sync client."""
        await self._async.aclose()
        self.close()

    def _entry_key(self, key: str) -> str:
        return self.prefix + "e:" + key

    # --- the client of each kind of call -------------------------------------------------

    def _sync_io(self) -> _Client:
        return self._sync

    async def _async_io(self) -> _Client:
        return self._async.current() or await self._async.get()

    def _new_async_client(self) -> _Client:
        return _Client(redis.asyncio.Redis.from_url(self.url, **self._options))

    # --- operations ----------------------------------------------------------------------

    async def _get_bytes(self, io: _Client, key: str) -> bytes | None:
        value = await result(io.client.get(self._entry_key(key)))
        return value if isinstance(value, bytes) else None

    async def _set_bytes(self, io: _Client, key: str, data: bytes, expiry: float | None) -> None:
        now = time.time()
        ttl_ms = 0 if expiry is None else max(int(expiry * 1000), 1)
        expires_at = "+inf" if expiry is None else repr(now + expiry)
        evicted = await result(
            io.set_script(
                keys=[self._entry_key(key), self._index],
                args=[data, ttl_ms, expires_at, repr(now), self.max_size or 0],
            )
        )
        if evicted:
            self.evictions += int(evicted)

    async def _delete(self, io: _Client, key: str) -> None:
        entry_key = self._entry_key(key)
        pipe = io.client.pipeline()
        pipe.delete(entry_key)
        pipe.zrem(self._index, entry_key)
        await result(pipe.execute())

    async def _clear(self, io: _Client) -> None:
        cursor: Any = 0
        while True:  # SCAN by hand: one loop for both clients
            cursor, keys = await result(
                io.client.scan(cursor, match=self.prefix + "e:*", count=1000)
            )
            if keys:
                await result(io.client.delete(*keys))
            if not int(cursor):
                break
        await result(io.client.delete(self._index))

    async def _len(self, io: _Client) -> int:
        return int(await result(io.client.zcount(self._index, repr(time.time()), "+inf")))


async def _close_async_client(io: _Client) -> None:
    await io.client.aclose()


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

    def _key(self, key: str) -> str:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16)
        return self.storage.prefix + "lease:" + digest.hexdigest()

    async def acquire(self, key: str, cancelled: Callable[[], bool]) -> str | None:
        """The lease's token (lead), or None once another holder is done (look again)."""
        storage = self.storage
        if not storage.available:
            return ""
        name, token = self._key(key), secrets.token_hex(8)
        deadline = time.monotonic() + self.ttl
        pause = self.POLL[0]
        try:
            io, sleep = await self._io()
            while True:
                if await result(io.client.set(name, token, nx=True, px=int(self.ttl * 1000))):
                    return token
                if time.monotonic() >= deadline or cancelled():
                    return None
                await sleep(pause)
                pause = min(pause * 2, self.POLL[1])
                if not await result(io.client.exists(name)):
                    return None
        except storage.errors as exc:
            storage._failed(exc)
            return ""

    async def _io(self) -> tuple[_Client, Callable[[float], Awaitable[None]]]:
        """The client and sleep of this call's mode: a sync call blocks its thread; an async
        call awaits its loop's asyncio client (see `RedisStorage`)."""
        if not axios_python.is_async_call():
            return self.storage._sync_io(), _blocking_sleep
        return await self.storage._async_io(), asyncio.sleep

    async def release(self, key: str, token: str) -> None:
        """Give the lease back (if it is still ours)."""
        if not token:
            return
        try:
            io, _ = await self._io()
            await result(io.release_script(keys=[self._key(key)], args=[token]))
        except self.storage.errors as exc:
            self.storage._failed(exc)
            logger.debug("axios_python_cache: could not release a lease: %s", exc)


async def _blocking_sleep(seconds: float) -> None:
    time.sleep(seconds)  # a sync call: its thread waits (there is no event loop to yield to)
