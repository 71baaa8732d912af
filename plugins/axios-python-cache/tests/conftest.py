"""Fixtures: a fake clock, and clients of the local server (plugins/conftest.py) driven sync or async.

Tests that take `make` run twice, `[sync]` and `[async]`: the `Caller` it returns sends through
`api.request()` in a worker thread (a genuine sync call: no event loop in that thread) or through
`await api.async_request()`.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from axios_python_cache import CachePlugin
from axios_python_testserver import LocalServer

import axios_python
from axios_python import Response


class Clock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Caller:
    """Sends requests through `api` on the sync or the async path."""

    def __init__(self, api: axios_python.AxiosPython, mode: str) -> None:
        self.api = api
        self.mode = mode

    async def request(self, method: str, url: str, **options: Any) -> Response:
        if self.mode == "async":
            return await self.api.async_request(method, url, **options)
        call = functools.partial(self.api.request, method, url, **options)
        return await anyio.to_thread.run_sync(call)

    async def get(self, url: str, **options: Any) -> Response:
        return await self.request("GET", url, **options)

    async def head(self, url: str, **options: Any) -> Response:
        return await self.request("HEAD", url, **options)

    async def post(self, url: str, **options: Any) -> Response:
        return await self.request("POST", url, **options)

    async def run(self, sync: Callable[[], Any], asynchronous: Callable[[], Awaitable[Any]]) -> Any:
        """Run `sync()` in a worker thread, or await `asynchronous()`, by mode."""
        if self.mode == "async":
            return await asynchronous()
        return await anyio.to_thread.run_sync(sync)


Make = Callable[..., tuple[Caller, CachePlugin]]


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def caller(mode: str) -> Callable[[axios_python.AxiosPython], Caller]:
    """Wrap a client in a `Caller` of this test's mode."""
    return lambda api: Caller(api, mode)


@pytest.fixture
async def make(server: LocalServer, mode: str) -> AsyncIterator[Make]:
    """`make(**CachePlugin options)` -> (caller, plugin) on a fresh client of the local server."""
    clients: list[axios_python.AxiosPython] = []

    def factory(
        *, config: dict[str, Any] | None = None, **options: Any
    ) -> tuple[Caller, CachePlugin]:
        api = axios_python.create({"base_url": server.url, "timeout": 5, **(config or {})})
        plugin = CachePlugin(**options)
        api.plugin(plugin)
        clients.append(api)
        return Caller(api, mode), plugin

    yield factory
    for api in clients:
        await api.aclose()


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A shared store's URL: SQLite in a temporary file, or the test Redis server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/shared.db"
    url: str = request.getfixturevalue("redis_url")
    return url
