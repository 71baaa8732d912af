"""Single-flight and thread/task safety, through the local server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread
import pytest
from axios_python_cache import CachePlugin
from axios_python_testserver import LocalServer

import axios_python
from axios_python import CancelError, CancelToken

N = 10
DELAY = 0.2


def slow_network(delay: float = DELAY) -> Callable[..., Any]:
    """A middleware added after the plugin (so inside it): only misses reach it; it stalls them
    so that concurrent identical requests surely overlap. Async calls sleep on their loop; sync
    calls, in worker threads, sleep their thread."""

    async def slow(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            time.sleep(delay)
        else:
            await asyncio.sleep(delay)
        return await next_fn(ctx)

    return slow


@pytest.fixture
def client(server: LocalServer) -> Iterator[tuple[axios_python.AxiosPython, CachePlugin]]:
    api = axios_python.create({"base_url": server.url, "timeout": 5})
    plugin = CachePlugin()
    api.plugin(plugin)
    api.use(slow_network())
    yield api, plugin
    api.close()


def test_ten_threads_make_one_network_call(
    client: tuple[axios_python.AxiosPython, CachePlugin], server: LocalServer, name: str
) -> None:
    """10 threads missing the same URL at once: one request reaches the server."""
    api, plugin = client
    barrier = threading.Barrier(N)

    def call(_: int) -> axios_python.Response:
        barrier.wait()
        return api.get(f"/counter/{name}")

    with ThreadPoolExecutor(N) as pool:
        results = list(pool.map(call, range(N)))
    assert server.hits[f"/counter/{name}"] == 1
    assert all(r.data == {"name": name, "count": 1} for r in results)
    assert sum(r.from_cache for r in results) == N - 1
    stats = plugin.stats
    assert (stats.misses, stats.hits, stats.collapsed) == (1, N - 1, N - 1)
    assert len({id(r) for r in results}) == N


@pytest.mark.anyio
async def test_ten_tasks_make_one_network_call(
    client: tuple[axios_python.AxiosPython, CachePlugin], server: LocalServer, name: str
) -> None:
    """10 asyncio tasks missing the same URL at once: one request reaches the server."""
    api, plugin = client
    results = await asyncio.gather(*(api.async_get(f"/counter/{name}") for _ in range(N)))
    await api.aclose()
    assert server.hits[f"/counter/{name}"] == 1
    assert all(r.data == {"name": name, "count": 1} for r in results)
    assert sum(r.from_cache for r in results) == N - 1
    assert plugin.stats.collapsed == N - 1


@pytest.mark.anyio
async def test_threads_and_tasks_share_one_flight(
    client: tuple[axios_python.AxiosPython, CachePlugin], server: LocalServer, name: str
) -> None:
    """5 sync calls in threads and 5 async tasks at once: still one network call."""
    api, _ = client
    path = f"/counter/{name}"

    async def in_thread() -> axios_python.Response:
        return await anyio.to_thread.run_sync(lambda: api.get(path))

    calls = [in_thread() for _ in range(5)] + [api.async_get(path) for _ in range(5)]
    results = await asyncio.gather(*calls)
    await api.aclose()
    assert server.hits[path] == 1
    assert all(r.data == {"name": name, "count": 1} for r in results)


@pytest.mark.anyio
async def test_unstorable_responses_release_the_waiters(
    client: tuple[axios_python.AxiosPython, CachePlugin], server: LocalServer, name: str
) -> None:
    """When the leader's response cannot be stored (no-store), each waiter fetches its own."""
    api, plugin = client
    url = f"/response-headers?Cache-Control=no-store&n={name}"
    before = server.hits["/response-headers"]
    results = await asyncio.gather(*(api.async_get(url) for _ in range(4)))
    await api.aclose()
    assert [r.status_code for r in results] == [200] * 4
    assert not any(r.from_cache for r in results)
    assert server.hits["/response-headers"] - before == 4
    assert plugin.stats.stores == 0


def test_a_sync_waiter_can_be_cancelled(server: LocalServer, name: str) -> None:
    """A sync caller waiting for the leader honours its CancelToken (the leader is held)."""
    gate = threading.Event()

    async def held(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Any:
        gate.wait(5)
        return await next_fn(ctx)

    path = f"/counter/{name}"
    with axios_python.create({"base_url": server.url, "timeout": 5}) as api:
        api.plugin(CachePlugin())
        api.use(held)
        with ThreadPoolExecutor(1) as pool:
            leader = pool.submit(api.get, path)
            time.sleep(0.05)  # the leader is now held inside the cache
            started = time.monotonic()
            with pytest.raises(CancelError) as cancelled:
                api.get(path, cancel_token=CancelToken.after(0.05))
            assert time.monotonic() - started < 1.0  # not the 5 s the leader may take
            assert cancelled.value.config is not None
            assert cancelled.value.config["url"] == path
            assert not gate.is_set()
            gate.set()
            assert leader.result().data["count"] == 1


@pytest.mark.anyio
async def test_an_async_waiter_can_be_cancelled(server: LocalServer, name: str) -> None:
    """An async caller waiting for the leader honours its CancelToken (the leader is held)."""
    gate = asyncio.Event()

    async def held(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Any:
        await asyncio.wait_for(gate.wait(), 5)
        return await next_fn(ctx)

    path = f"/counter/{name}"
    async with axios_python.create({"base_url": server.url, "timeout": 5}) as api:
        api.plugin(CachePlugin())
        api.use(held)
        leader = asyncio.ensure_future(api.async_get(path))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(CancelError):
            await api.async_get(path, cancel_token=CancelToken.after(0.05))
        assert time.monotonic() - started < 1.0
        assert not gate.is_set()
        gate.set()
        assert (await leader).data["count"] == 1


@pytest.mark.anyio
async def test_a_sync_call_on_the_loop_thread_does_not_deadlock(
    server: LocalServer, name: str
) -> None:
    """A sync call made on the event loop thread while an async leader is in flight there does
    not wait for it (it could never finish): it goes to the network."""
    first = True

    async def slow_once(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Any:
        nonlocal first
        if first:
            first = False
            await asyncio.sleep(DELAY)
        return await next_fn(ctx)

    api = axios_python.create({"base_url": server.url, "timeout": 5})
    api.plugin(CachePlugin())
    api.use(slow_once)
    path = f"/counter/{name}"
    try:
        leader = asyncio.ensure_future(api.async_get(path))
        await asyncio.sleep(DELAY / 4)
        started = time.monotonic()
        blocking = api.get(path)  # on the loop thread, on purpose
        assert time.monotonic() - started < DELAY
        assert (blocking.data["count"], blocking.from_cache) == (1, False)
        late = await leader  # it resumes, and on_transport finds the entry just stored
        assert (late.data["count"], late.from_cache) == (1, True)
        assert server.hits[path] == 1
    finally:
        api.close()
        await api.aclose()


# --- a write to an idle cache, and a GET that begins while it is in flight -----------------


class HoldGets(axios_python.Plugin):
    """Holds each GET attempt in on_transport until `release` is set. Registered before the
    cache, it is called after the cache's on_transport: the GET has been looked up (and its
    invalidation epoch taken) when it is held."""

    name = "hold-gets"

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    def on_transport(self, request: axios_python.Request) -> Any:
        if request.method != "GET":
            return None
        self.reached.set()
        if axios_python.is_async_call():
            return self._held()
        assert self.release.wait(5)
        return None

    async def _held(self) -> None:
        while not self.release.is_set():
            await asyncio.sleep(0.001)


def _held_get_client(server: LocalServer) -> tuple[axios_python.AxiosPython, HoldGets, CachePlugin]:
    api = axios_python.create({"base_url": server.url, "timeout": 5})
    hold, plugin = HoldGets(), CachePlugin()
    api.plugin(hold)
    api.plugin(plugin)
    return api, hold, plugin


def test_a_get_begun_during_a_write_to_an_idle_cache_does_not_store(
    server: LocalServer, name: str
) -> None:
    """A POST starts while the cache is idle; a GET to its URL is looked up before the POST
    ends and answered after it: that answer may predate the write, so it is not stored."""
    api, hold, plugin = _held_get_client(server)
    path = f"/counter/{name}"
    got: list[axios_python.Response] = []
    getter = threading.Thread(target=lambda: got.append(api.get(path)))

    async def start_a_get(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Any:
        if ctx["method"] == "POST":
            getter.start()
            assert hold.reached.wait(5)
        return await next_fn(ctx)

    api.use(start_a_get)
    try:
        assert plugin._cache.idle()
        api.post(path)
        hold.release.set()
        getter.join(5)
        assert [r.from_cache for r in got] == [False]
        assert plugin.stats.stores == 0
        assert plugin.stats.invalidations == 1
        assert not api.get(path).from_cache
    finally:
        hold.release.set()
        api.close()


@pytest.mark.anyio
async def test_a_get_begun_during_a_write_to_an_idle_cache_does_not_store_async(
    server: LocalServer, name: str
) -> None:
    """The same with asyncio tasks."""
    api, hold, plugin = _held_get_client(server)
    path = f"/counter/{name}"
    tasks: list[asyncio.Task[axios_python.Response]] = []

    async def start_a_get(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Any:
        if ctx["method"] == "POST":
            tasks.append(asyncio.ensure_future(api.async_get(path)))
            while not hold.reached.is_set():
                await asyncio.sleep(0.001)
        return await next_fn(ctx)

    api.use(start_a_get)
    try:
        assert plugin._cache.idle()
        await api.async_post(path)
        hold.release.set()
        (got,) = await asyncio.gather(*tasks)
        assert not got.from_cache
        assert plugin.stats.stores == 0
        assert plugin.stats.invalidations == 1
        assert not (await api.async_get(path)).from_cache
    finally:
        hold.release.set()
        await api.aclose()
