"""Storage access written once for both kinds of call.

The code that reads and writes the storage is written as coroutines over a `StoreIO`, chosen
by the caller's mode:

- `Blocking`: the storage's own sync methods (`CacheStorage`). Its coroutines never suspend:
  sync hooks `drive()` them to completion in one step, and async middleware awaits them at no
  more cost. The in-memory storage is always used this way (it does no I/O), and every storage
  on sync calls.
- `Awaiting`: a storage's async methods (`aget`, `aset`, `adelete`), on async calls, for the
  storages that have them (`RedisStorage`: `redis.asyncio`; `SQLiteStorage`: a worker thread),
  so that a slow or hung store never blocks the event loop.

`serial`: whether the cache may hold its thread lock around a read-modify-write (only where
nothing suspends: a thread lock held across an await would block the loop).
"""

from __future__ import annotations

import inspect
from collections.abc import Coroutine
from typing import Any, TypeVar

from ._storage import CacheStorage, Variants

__all__ = ["Awaiting", "Blocking", "StoreIO", "async_face", "drive", "result"]

T = TypeVar("T")


def drive(coro: Coroutine[Any, Any, T]) -> T:
    """The value of a coroutine that never suspends (its I/O blocks the thread)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("axios_python_cache: a blocking storage operation suspended")


async def result(value: Any) -> Any:
    """The value of a sync client's call, or the awaited value of an async client's."""
    return await value if inspect.isawaitable(value) else value


class StoreIO:
    """The storage operations the cache needs, as coroutines."""

    serial = False

    async def get(self, key: str) -> Variants | None:
        raise NotImplementedError

    async def set(self, key: str, value: Variants) -> None:
        raise NotImplementedError

    async def delete(self, key: str) -> None:
        raise NotImplementedError


class Blocking(StoreIO):
    """A `CacheStorage`'s sync methods: coroutines that never suspend."""

    __slots__ = ("storage",)
    serial = True

    def __init__(self, storage: CacheStorage) -> None:
        self.storage = storage

    async def get(self, key: str) -> Variants | None:
        return self.storage.get(key)

    async def set(self, key: str, value: Variants) -> None:
        self.storage.set(key, value)

    async def delete(self, key: str) -> None:
        self.storage.delete(key)


class Awaiting(StoreIO):
    """A storage's async methods `aget`, `aset`, `adelete` (used on async calls)."""

    __slots__ = ("storage",)

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    async def get(self, key: str) -> Variants | None:
        value: Variants | None = await self.storage.aget(key)
        return value

    async def set(self, key: str, value: Variants) -> None:
        await self.storage.aset(key, value)

    async def delete(self, key: str) -> None:
        await self.storage.adelete(key)


def async_face(storage: CacheStorage) -> Awaiting | None:
    """`Awaiting(storage)` if the storage has async methods (`aget`, `aset`, `adelete`)."""
    if all(callable(getattr(storage, name, None)) for name in ("aget", "aset", "adelete")):
        return Awaiting(storage)
    return None
