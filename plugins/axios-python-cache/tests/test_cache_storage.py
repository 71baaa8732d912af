"""`InMemoryStorage` and the `CacheStorage` interface, without a client."""

from __future__ import annotations

import pickle
import threading

import httpx
import pytest
from axios_python_cache import CachedResponse, CacheStorage, InMemoryStorage


def entry(n: int = 0) -> CachedResponse:
    return CachedResponse(
        status_code=200,
        headers=httpx.Headers({"ETag": f'"{n}"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}),
        content=b"body %d" % n,
        request=httpx.Request("GET", f"http://h/{n}"),
        stored_at=10.0,
        age_at_store=5.0,
    )


def test_lru_eviction_and_counting() -> None:
    """Beyond max_size, the least recently used key goes; get() refreshes recency."""
    storage = InMemoryStorage(max_size=2)
    storage.set("a", (entry(1),))
    storage.set("b", (entry(2),))
    assert storage.get("a") is not None  # a becomes the most recent
    storage.set("c", (entry(3),))
    assert storage.keys() == ["a", "c"]
    assert storage.get("b") is None
    assert (storage.evictions, len(storage)) == (1, 2)


def test_delete_clear_and_unbounded() -> None:
    """delete() forgets one key (absent keys are fine); clear() all; None is unbounded."""
    storage = InMemoryStorage(max_size=None)
    for n in range(1000):
        storage.set(str(n), (entry(n),))
    storage.delete("5")
    storage.delete("missing")
    assert (len(storage), storage.evictions) == (999, 0)
    storage.clear()
    assert len(storage) == 0


def test_invalid_max_size() -> None:
    """max_size must be positive."""
    with pytest.raises(ValueError, match="max_size"):
        InMemoryStorage(max_size=0)


def test_storage_protocol() -> None:
    """InMemoryStorage is a CacheStorage; an object without the methods is not."""
    assert isinstance(InMemoryStorage(), CacheStorage)
    assert not isinstance(object(), CacheStorage)


def test_entries_pickle_and_report_validators() -> None:
    """CachedResponse round-trips through pickle (for persistent stores) and exposes validators."""
    original = entry(7)
    copy = pickle.loads(pickle.dumps((original,)))[0]
    assert copy.content == b"body 7"
    assert copy.headers == original.headers
    assert str(copy.request.url) == "http://h/7"
    assert (copy.etag, copy.last_modified) == ('"7"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert copy.age(now=12.0) == 7.0


def test_concurrent_writers_keep_the_bound() -> None:
    """Threads setting and getting at once never exceed max_size nor lose the count."""
    storage = InMemoryStorage(max_size=50)

    def work(offset: int) -> None:
        for n in range(500):
            key = str(offset * 1000 + n)
            storage.set(key, (entry(n),))
            storage.get(key)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(storage) == 50
    assert storage.evictions == 4 * 500 - 50
