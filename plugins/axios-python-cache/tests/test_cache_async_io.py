"""Async calls never block the event loop on a shared store, and lose none of its guarantees.

On async calls `RedisStorage` talks through a `redis.asyncio` client of the running loop and
`SQLiteStorage` runs its queries in a worker thread: a ticker task beside the call keeps
ticking while the store is paused (`CLIENT PAUSE`), silent, or locked by another connection.
The same store behaviours as on sync calls (hits, misses, TTL, invalidation, revalidation,
`max_entry_size`, failure as a miss), for both stores and both kinds of call.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import sqlite3
import time
import warnings
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
import redis
from axios_python_cache import CachePlugin, RedisStorage, SQLiteStorage
from axios_python_testserver import LocalServer

import axios_python
from axios_python import Response

if TYPE_CHECKING:
    from conftest import Clock, Make

T = TypeVar("T")
TICK = 0.01
# A gap between two ticks this long means the loop was blocked: generous, for a busy machine;
# each store below makes the call wait 0.6 s or more, and blocked the loop that long before.
BLOCKED = 0.25


async def ticking(call: Awaitable[T]) -> tuple[T, float, float]:
    """Await `call` beside a task that ticks every 10 ms: its result, the longest gap between
    two ticks, and how long the call took."""
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(TICK)  # the ticker runs
    started = time.monotonic()
    try:
        value = await call
    finally:
        took = time.monotonic() - started
        await asyncio.sleep(TICK)  # one tick after the call: a gap it caused is measured
        ticker.cancel()
    return value, max(gaps), took


def new_client(server: LocalServer, plugin: CachePlugin) -> axios_python.AxiosPython:
    api = axios_python.create({"base_url": server.url, "timeout": 5})
    api.plugin(plugin)
    return api


# --- the loop keeps running ------------------------------------------------------------------


def test_a_paused_redis_does_not_block_the_loop(
    server: LocalServer, redis_url: str, name: str
) -> None:
    """CLIENT PAUSE: the async hit waits for Redis (~1 s) while the loop keeps ticking."""
    storage = RedisStorage(redis_url, timeout=5)
    pauser = redis.Redis.from_url(redis_url)

    async def scenario() -> tuple[Response, Response, float, float]:
        async with new_client(server, CachePlugin(storage=storage)) as api:
            first = await api.async_get(f"/counter/{name}")
            pauser.execute_command("CLIENT", "PAUSE", "1000", "ALL")
            second, gap, took = await ticking(api.async_get(f"/counter/{name}"))
        return first, second, gap, took

    try:
        first, second, gap, took = asyncio.run(scenario())
    finally:
        pauser.close()
        storage.close()
    assert (second.from_cache, second.data) == (True, first.data)
    assert took >= 0.6  # the hit did wait for the paused store
    assert gap < BLOCKED


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A Redis URL whose server accepts connections (the kernel does) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


def test_a_silent_redis_is_a_miss_without_blocking_the_loop(
    server: LocalServer, silent_url: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A Redis that never answers: the async call goes to the network after the store's
    timeout, with one warning, and the loop keeps ticking meanwhile."""
    storage = RedisStorage(silent_url, timeout=0.8)

    async def scenario() -> tuple[Response, float, float]:
        async with new_client(server, CachePlugin(storage=storage)) as api:
            return await ticking(api.async_get(f"/counter/{name}"))

    try:
        with caplog.at_level(logging.WARNING, "axios_python_cache"):
            response, gap, took = asyncio.run(scenario())
    finally:
        storage.close()
    assert (response.from_cache, response.data["count"]) == (False, 1)
    assert (storage.failures, storage.available) == (1, False)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    assert took >= 0.6  # it did wait for the store's timeout
    assert gap < BLOCKED


def test_a_locked_sqlite_does_not_block_the_loop(
    server: LocalServer, tmp_path: Path, name: str
) -> None:
    """Another connection holds the write lock: the async call's store waits for it (the busy
    timeout, 0.8 s) in the storage's worker thread, then gives up; the loop keeps ticking."""
    path = tmp_path / "locked.db"
    storage = SQLiteStorage(path, timeout=0.8)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")

    async def scenario() -> tuple[Response, float, float]:
        async with new_client(server, CachePlugin(storage=storage)) as api:
            return await ticking(api.async_get(f"/counter/{name}"))

    try:
        response, gap, took = asyncio.run(scenario())
    finally:
        locker.rollback()
        locker.close()
        storage.close()
    assert (response.from_cache, response.data["count"]) == (False, 1)
    assert storage.failures == 1  # the write waited for the lock, then was skipped
    assert took >= 0.6
    assert gap < BLOCKED


# --- the same behaviours on both kinds of call -------------------------------------------


@pytest.mark.anyio
async def test_hits_misses_ttl_and_invalidation(
    make: Make, store_url: str, name: str, clock: Clock
) -> None:
    """A miss is stored and then hit; it expires after `ttl`; a POST invalidates it."""
    api, plugin = make(storage=store_url, ttl=60, clock=clock)
    try:
        url = f"/counter/{name}"
        assert [(await api.get(url)).data["count"] for _ in range(2)] == [1, 1]
        clock.advance(61)
        assert (await api.get(url)).data["count"] == 2  # expired: to the network again
        assert (await api.get(url)).from_cache
        await api.post(url)  # count 3, and invalidates
        again = await api.get(url)
        assert (again.from_cache, again.data["count"]) == (False, 4)
        stats = plugin.stats
        assert (stats.hits, stats.misses, stats.stores, stats.invalidations) == (2, 3, 3, 1)
    finally:
        plugin.storage.close()  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_revalidation(make: Make, store_url: str, name: str) -> None:
    """Standards mode: a stale entry with an ETag is revalidated (304 -> the stored one)."""
    api, plugin = make(storage=store_url, respect_cache_control=True)
    try:
        first = await api.get(f"/etag/{name}")
        second = await api.get(f"/etag/{name}")
        assert (first.from_cache, second.from_cache) == (False, True)
        assert plugin.stats.revalidated == 1
    finally:
        plugin.storage.close()  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_streams_read_to_their_end_are_stored(make: Make, store_url: str, name: str) -> None:
    """A stream=True body read to its end is stored (by the stream's own kind of iteration)."""
    api, plugin = make(storage=store_url)
    url = f"/stream-bytes/2048?chunk_size=256&n={name}"

    def sync() -> bytes:
        with api.api.get(url, stream=True) as response:
            return b"".join(response.iter_bytes())

    async def asynchronous() -> bytes:
        async with await api.api.async_get(url, stream=True) as response:
            return b"".join([chunk async for chunk in response.aiter_bytes()])

    try:
        body = await api.run(sync, asynchronous)
        assert plugin.stats.stores == 1
        hit = await api.get(url)
        assert (hit.from_cache, hit.content) == (True, body)
    finally:
        plugin.storage.close()  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_max_entry_size(make: Make, tmp_path: Path, redis_url: str, name: str) -> None:
    """A response larger than `max_entry_size` is not stored, on both stores."""
    stores = [
        SQLiteStorage(tmp_path / "small.db", max_entry_size=1500),
        RedisStorage(redis_url, max_entry_size=1500),
    ]
    try:
        for n, storage in enumerate(stores):
            api, _ = make(storage=storage)
            assert not (await api.get(f"/bytes/100?n={name}{n}")).from_cache
            assert (await api.get(f"/bytes/100?n={name}{n}")).from_cache
            assert not (await api.get(f"/bytes/2000?n={name}{n}")).from_cache
            assert not (await api.get(f"/bytes/2000?n={name}{n}")).from_cache
    finally:
        for storage in stores:
            storage.close()


# --- clients closed with their loop --------------------------------------------------------


def test_async_clients_close_with_their_loop(server: LocalServer, redis_url: str) -> None:
    """Each asyncio.run() gets a redis.asyncio client of its own, closed when its loop shuts
    down (or by `aclose()`): no ResourceWarning, nothing left behind."""
    storage = RedisStorage(redis_url)
    plugin = CachePlugin(storage=storage)

    async def scenario(close: bool) -> Any:
        async with new_client(server, plugin) as api:
            await api.async_get("/get?closed=1")
            assert (await api.async_get("/get?closed=1")).from_cache
        client = storage._async.current()
        assert client is not None
        if close:
            await storage.aclose()
            assert storage._async.current() is None
        return client

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clients = [asyncio.run(scenario(close=False)), asyncio.run(scenario(close=True))]
            distinct = clients[0] is not clients[1]
            del clients
            gc.collect()  # an unclosed connection would warn now
    finally:
        storage.close()
    assert distinct
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
