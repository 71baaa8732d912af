"""SQLite and Redis storages: serialisation, TTL, bounds, store down, and several processes.

The Redis tests run against a real `redis-server` started by the `redis_server` fixture
(plugins/conftest.py); the multi-process tests start real Python processes (cache_worker.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from axios_python_cache import CachedResponse, CachePlugin, RedisStorage, SQLiteStorage
from axios_python_cache._serial import dumps, loads
from axios_python_testserver import LocalServer

import axios_python
from axios_python import ConfigError

WORKER = str(Path(__file__).with_name("cache_worker.py"))


def entry(
    n: int = 0, *, lifetime: float = 60.0, etag: bool = False, vary: bool = False
) -> CachedResponse:
    headers = {"Content-Type": "text/plain", "X-N": str(n)}
    if etag:
        headers["ETag"] = f'"{n}"'
    now = time.time()
    return CachedResponse(
        status_code=200,
        headers=httpx.Headers(headers),
        content=b"body \xff %d" % n,
        request=httpx.Request("GET", f"http://h/{n}?q=\xe9", headers={"Accept": "x/y"}),
        credential="abc" if vary else "",
        vary=((b"accept", b"x/y"), (b"x-missing", None)) if vary else (),
        stored_at=now,
        fresh_until=now + lifetime,
        age_at_store=1.5,
    )


def same(a: CachedResponse, b: CachedResponse) -> bool:
    return (
        a.status_code == b.status_code
        and a.headers.raw == b.headers.raw
        and a.content == b.content
        and (a.request.method, str(a.request.url)) == (b.request.method, str(b.request.url))
        and a.request.headers.raw == b.request.headers.raw
        and (a.credential, a.vary, a.stored_at, a.fresh_until, a.age_at_store)
        == (b.credential, b.vary, b.stored_at, b.fresh_until, b.age_at_store)
        and a.always_revalidate == b.always_revalidate
    )


# --- serialisation ---------------------------------------------------------------------------


def test_serialisation_round_trip() -> None:
    """dumps/loads keep every field: headers' bytes, Vary, credentials, an infinite lifetime."""
    variants = (entry(1, vary=True, etag=True), entry(2, lifetime=math.inf))
    back = loads(dumps(variants))
    assert len(back) == 2
    assert all(same(a, b) for a, b in zip(variants, back, strict=False))
    assert back[1].fresh_until == math.inf


@pytest.mark.parametrize(
    "data",
    [
        pickle.dumps((entry(1),)),
        b"AXPC1",
        b"AXPC1\x00\x00\x00\x05[{}]]",
        dumps((entry(1),))[:-3],
        dumps((entry(1),)) + b"x",
        dumps((entry(1),)).replace(b'"status":200', b'"status":"200"'),
        dumps((entry(1),)).replace(b'"always_revalidate":false', b'"always_revalidate":0'),
    ],
    ids=["pickle", "short", "not-entries", "truncated", "trailing", "bad-type", "bad-bool"],
)
def test_serialisation_refuses_anything_else(data: bytes) -> None:
    """Anything but the format (a pickle above all) is a ValueError, never executed."""
    with pytest.raises(ValueError, match="stored cache entry"):
        loads(data)


# --- the stores, one at a time ------------------------------------------------------------


@pytest.fixture
def sqlite_storage(tmp_path: Path) -> Iterator[SQLiteStorage]:
    storage = SQLiteStorage(tmp_path / "cache.db", max_size=3)
    yield storage
    storage.close()


@pytest.fixture
def redis_storage(redis_url: str) -> Iterator[RedisStorage]:
    storage = RedisStorage(redis_url, max_size=3)
    yield storage
    storage.close()


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest) -> SQLiteStorage | RedisStorage:
    fixture = "sqlite_storage" if request.param == "sqlite" else "redis_storage"
    storage: SQLiteStorage | RedisStorage = request.getfixturevalue(fixture)
    return storage


class Face:
    """A store's sync methods, or its async ones (`aget`, ...: what async calls use), each
    awaited in an `asyncio.run()` of its own (a loop, and a Redis client, per operation)."""

    def __init__(self, store: SQLiteStorage | RedisStorage, mode: str) -> None:
        self.store = store
        self.sync = mode == "sync"

    def get(self, key: str) -> Any:
        return self.store.get(key) if self.sync else asyncio.run(self.store.aget(key))

    def set(self, key: str, value: Any) -> None:
        if self.sync:
            self.store.set(key, value)
        else:
            asyncio.run(self.store.aset(key, value))

    def delete(self, key: str) -> None:
        if self.sync:
            self.store.delete(key)
        else:
            asyncio.run(self.store.adelete(key))

    def clear(self) -> None:
        if self.sync:
            self.store.clear()
        else:
            asyncio.run(self.store.aclear())


@pytest.fixture
def face(store: SQLiteStorage | RedisStorage, mode: str) -> Face:
    return Face(store, mode)


def test_store_get_set_delete_clear(store: SQLiteStorage | RedisStorage, face: Face) -> None:
    """The four CacheStorage methods, through the JSON + bytes format."""
    face.set("GET http://h/1", (entry(1), entry(2)))
    back = face.get("GET http://h/1")
    assert back is not None
    assert [e.content for e in back] == [b"body \xff 1", b"body \xff 2"]
    assert len(store) == 1
    face.delete("GET http://h/1")
    face.delete("GET http://h/absent")
    assert face.get("GET http://h/1") is None
    face.set("a", (entry(1),))
    face.clear()
    assert (face.get("a"), len(store)) == (None, 0)


def test_store_enforces_ttl(store: SQLiteStorage | RedisStorage, face: Face) -> None:
    """An entry leaves the store when nothing in it is fresh any more (no validator)."""
    face.set("short", (entry(1, lifetime=0.15),))
    face.set("stale-with-etag", (entry(2, lifetime=0.15, etag=True),))
    face.set("forever", (entry(3, lifetime=math.inf),))
    assert face.get("short") is not None
    time.sleep(0.3)
    assert face.get("short") is None
    assert face.get("stale-with-etag") is not None  # kept stale_ttl more, to revalidate
    assert face.get("forever") is not None
    face.set("expired", (entry(4, lifetime=-1),))
    assert face.get("expired") is None


def test_store_bounds(store: SQLiteStorage | RedisStorage, face: Face) -> None:
    """Beyond max_size the entries that expire first go; too big an entry is not stored."""
    for n, lifetime in enumerate([50.0, 10.0, 40.0, 30.0]):
        face.set(f"k{n}", (entry(n, lifetime=lifetime),))
    assert face.get("k1") is None  # expired first
    assert [face.get(f"k{n}") is not None for n in (0, 2, 3)] == [True, True, True]
    assert (len(store), store.evictions) == (3, 1)
    store.max_entry_size = 100
    face.set("k0", (entry(9),))
    assert face.get("k0") is None  # too big: not stored, and the old value is gone


def test_malformed_value_is_a_miss(
    redis_storage: RedisStorage, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A value someone else wrote under our key (a pickle) is dropped as a miss, not loaded."""
    redis_storage.client.set(redis_storage.prefix + "e:GET http://h/x", pickle.dumps([1]))
    with caplog.at_level(logging.WARNING, "axios_python_cache"):
        assert Face(redis_storage, mode).get("GET http://h/x") is None
    assert "malformed" in caplog.text
    assert not redis_storage.client.exists(redis_storage.prefix + "e:GET http://h/x")


def test_sqlite_uses_wal(sqlite_storage: SQLiteStorage) -> None:
    """The database runs in WAL mode, so processes read while one writes."""
    mode = sqlite_storage._connection().execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://x", "unknown cache storage URL"),
        ("memory://x", "memory://"),
        ("sqlite://cache.db", "sqlite:///path"),
        ("sqlite:////nonexistent-dir/sub/cache.db", "unable to open"),
    ],
)
def test_bad_storage_urls(url: str, message: str) -> None:
    """A bad storage URL is a ConfigError at construction, naming the URL."""
    with pytest.raises(ConfigError, match=message):
        CachePlugin(storage=url)


def test_url_storages_and_clock(tmp_path: Path, redis_url: str) -> None:
    """URLs build the stores; shared stores measure freshness with the wall clock."""
    memory = CachePlugin(storage="memory://", max_size=5)
    assert type(memory.storage).__name__ == "InMemoryStorage"
    assert memory._cache.clock is time.monotonic
    sqlite = CachePlugin(storage=f"sqlite:///{tmp_path}/c.db", max_size=7)
    assert isinstance(sqlite.storage, SQLiteStorage)
    assert sqlite.storage.max_size == 7
    assert sqlite._cache.clock is time.time
    redis = CachePlugin(storage=redis_url)
    assert isinstance(redis.storage, RedisStorage)
    sqlite.storage.close()
    redis.storage.close()


# --- two plugins (as two processes would) on one store -----------------------------------


def test_invalidation_reaches_other_clients(server: LocalServer, store_url: str, name: str) -> None:
    """A POST through one client's cache drops the entry another client (process) stored."""
    one, two = CachePlugin(storage=store_url), CachePlugin(storage=store_url)
    with (
        axios_python.create({"base_url": server.url, "timeout": 5}) as api1,
        axios_python.create({"base_url": server.url, "timeout": 5}) as api2,
    ):
        api1.plugin(one)
        api2.plugin(two)
        assert api1.get(f"/counter/{name}").data["count"] == 1
        assert api2.get(f"/counter/{name}").from_cache
        api2.post(f"/counter/{name}")  # count 2, and invalidates
        third = api1.get(f"/counter/{name}")
        assert (third.from_cache, third.data["count"]) == (False, 3)
    for plugin in (one, two):
        plugin.storage.close()  # type: ignore[attr-defined]


# --- real processes --------------------------------------------------------------------------


def run_worker(storage: str, base_url: str, path: str, mode: str, n: int = 1) -> list[Any]:
    done = subprocess.run(
        [sys.executable, WORKER, storage, base_url, path, mode, str(n)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_second_process_served_from_first_ones_cache(
    server: LocalServer, store_url: str, mode: str, name: str
) -> None:
    """Two processes sharing sqlite:/// or redis://: the server sees the GET once."""
    first = run_worker(store_url, server.url, f"/counter/{name}", mode)
    second = run_worker(store_url, server.url, f"/counter/{name}", mode)
    assert first == [{"data": {"name": name, "count": 1}, "from_cache": False}]
    assert second == [{"data": {"name": name, "count": 1}, "from_cache": True}]
    assert httpx.get(f"{server.url}/counter/{name}").json()["count"] == 2  # hit once before


class SlowCounter(ThreadingHTTPServer):
    """A server whose every response takes 0.5 s and tells how many requests it got."""

    daemon_threads = True

    def __init__(self) -> None:
        self.hits = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _SlowHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _SlowHandler(BaseHTTPRequestHandler):
    server: SlowCounter

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.hits += 1
            hits = self.server.hits
        time.sleep(0.5)
        body = json.dumps({"hits": hits}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_single_flight_across_processes(redis_url: str, mode: str) -> None:
    """Three processes asking for the same uncached URL at once: one upstream request."""
    slow = SlowCounter()
    try:
        command = [sys.executable, WORKER, redis_url, slow.url, "/same", mode, "1", "go"]
        processes = [
            subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for process in processes:  # all set up: now they ask at the same moment
            assert process.stdout is not None
            assert process.stdout.readline() == "ready\n"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [p.communicate(timeout=30) for p in processes]
    finally:
        slow.stop()
    results = [json.loads(out) for out, _ in outputs]
    assert all(p.returncode == 0 for p in processes), [err for _, err in outputs]
    assert slow.hits == 1
    assert [r["data"] for r in results] == [{"hits": 1}] * 3
    assert sorted(r["from_cache"] for r in results) == [False, True, True]


# --- Redis going away ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_redis_stopped_mid_run(
    server: LocalServer, mode: str, name: str, caplog: pytest.LogCaptureFixture, own_redis: Any
) -> None:
    """Redis stops: requests go to the network, one warning, nothing waits past its timeout."""
    own = own_redis
    plugin = CachePlugin(storage=own.url)
    try:

        async def scenario(api: axios_python.AxiosPython) -> list[tuple[int, bool]]:
            async def get() -> tuple[int, bool]:
                if mode == "async":
                    response = await api.async_get(f"/counter/{name}")
                else:
                    response = api.get(f"/counter/{name}")
                return response.data["count"], response.from_cache

            seen = [await get(), await get()]
            own.stop()
            started = time.monotonic()
            seen += [await get() for _ in range(3)]
            assert time.monotonic() - started < 2  # well below the 5 s request timeout
            return seen

        with (
            caplog.at_level(logging.WARNING, "axios_python_cache"),
            axios_python.create({"base_url": server.url, "timeout": 5}) as api,
        ):
            api.plugin(plugin)
            seen = asyncio.run(scenario(api))
    finally:
        own.stop()
        plugin.storage.close()  # type: ignore[attr-defined]
    assert seen == [(1, False), (1, True), (2, False), (3, False), (4, False)]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "network" in warnings[0].getMessage()
