"""Where entries live: the `CacheStorage` interface and the `InMemoryStorage` that ships.

A storage maps a string key, `"<METHOD> <normalised URL>"`, to the variants stored for it: a
tuple of immutable `CachedResponse`s (one per credentials fingerprint and Vary values, newest
first). The cache replaces a key's whole tuple on every write and deletes the key to invalidate
a URL, so a storage needs no more than get/set/delete/clear. Values pickle, for stores that
persist them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import httpx

__all__ = ["CacheStorage", "CachedResponse", "InMemoryStorage", "Variants"]


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """One stored response. Immutable: a refresh stores a new one; each hit copies it."""

    status_code: int
    headers: httpx.Headers  # as received (a hit copies them)
    content: bytes  # the decoded body, read completely
    request: httpx.Request  # the request it answered, without credentials (gives `response.url`)
    credential: str = ""  # fingerprint of the credentials it was fetched with ("" for none)
    vary: tuple[tuple[bytes, bytes | None], ...] = ()  # (request header, value) per Vary name
    stored_at: float = 0.0  # clock time when received
    fresh_until: float = float("inf")  # clock time when it turns stale
    age_at_store: float = 0.0  # its `Age` when received
    always_revalidate: bool = False  # response `Cache-Control: no-cache`

    def age(self, now: float) -> float:
        """Its current age in seconds (RFC 9111 §4.2.3, without clock-skew correction)."""
        return self.age_at_store + max(now - self.stored_at, 0.0)

    @property
    def etag(self) -> str | None:
        value: str | None = self.headers.get("etag")
        return value

    @property
    def last_modified(self) -> str | None:
        value: str | None = self.headers.get("last-modified")
        return value


Variants = tuple[CachedResponse, ...]


@runtime_checkable
class CacheStorage(Protocol):
    """What the cache needs from a store. Implementations must be thread-safe.

    The cache serialises its own writes; reads (`get`) happen concurrently with them. A
    storage that does I/O may also have coroutines `aget`, `aset` and `adelete`: async calls
    then await them rather than block the event loop (see `_io`).
    """

    def get(self, key: str) -> Variants | None:
        """The variants stored under `key`, or None."""
        ...

    def set(self, key: str, value: Variants) -> None:
        """Store (replace) the variants of `key`."""
        ...

    def delete(self, key: str) -> None:
        """Forget `key` (no error if absent)."""
        ...

    def clear(self) -> None:
        """Forget everything."""
        ...


class InMemoryStorage:
    """A thread-safe LRU dictionary holding at most `max_size` keys (None: unbounded).

    `get` marks a key as recently used; `set` evicts the least recently used key when full and
    counts it in `evictions`.
    """

    def __init__(self, max_size: int | None = 256) -> None:
        if max_size is not None and max_size < 1:
            raise ValueError("max_size must be a positive integer or None")
        self.max_size = max_size
        self.evictions = 0
        self._data: OrderedDict[str, Variants] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Variants | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def set(self, key: str, value: Variants) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            if self.max_size is not None:
                while len(self._data) > self.max_size:
                    self._data.popitem(last=False)
                    self.evictions += 1

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def keys(self) -> list[str]:
        """The stored keys, least recently used first."""
        with self._lock:
            return list(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"<InMemoryStorage {len(self._data)}/{self.max_size} keys>"


def storage_from_url(url: str, *, max_size: int | None = 256, **options: object) -> CacheStorage:
    """The storage a URL names: `memory://` (an `InMemoryStorage(max_size)`),
    `sqlite:///path/to/cache.db` (`SQLiteStorage`, relative path; `sqlite:////abs/path.db`
    for an absolute one) or `redis://host:port/db` (`RedisStorage`; also `rediss://`,
    `unix://`). `options` go to the storage's constructor. `ValueError` for anything else."""
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme == "memory":
        if url.lower() not in ("memory://", "memory:///"):
            raise ValueError(f"the in-memory cache storage URL is 'memory://', not {url!r}")
        return InMemoryStorage(max_size)
    if scheme == "sqlite":
        from ._sqlite import SQLiteStorage

        return SQLiteStorage.from_url(url, max_size=max_size, **options)
    if scheme in ("redis", "rediss", "unix"):
        from ._redis import RedisStorage

        return RedisStorage.from_url(url, **{"max_size": max_size, **options})
    raise ValueError(
        f"unknown cache storage URL {url!r}: use memory://, sqlite:///path/to/file.db "
        "or redis://host:port/db"
    )
