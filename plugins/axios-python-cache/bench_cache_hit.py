"""Cache-hit latency, end to end through `api.get()` / `await api.async_get()`.

    .venv/bin/python plugins/axios-python-cache/bench_cache_hit.py [N]

A client with a `MockTransport` and a `CachePlugin`; one warm-up request fills the cache, then
N hits are timed (best of 5 rounds, to reduce noise), for `api.get("/items")` and for
`api.get("/items", params={"page": 1})`. For scale it also prints the core's own floor (a client
whose only middleware returns a ready-made Response: what any middleware-level answer costs at
least), the same client without the plugin (every request goes to the mock transport), and a
hit answered in `on_transport` (`early_hits=False`, as when another plugin implements
`on_request`).
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from axios_python_cache import CachePlugin

import axios_python
from axios_python import MockTransport, Response

BODY = b'{"id":12345,"name":"axios_python bench","tags":["a","b","c"],"active":true}'
URL = "/items"
READY = Response(200, headers={"Content-Type": "application/json"}, content=BODY)


async def _ready(ctx: dict[str, Any], next_fn: Any) -> Response:
    return READY


def _client(plugin: CachePlugin | None) -> axios_python.AxiosPython:
    transport = MockTransport(
        lambda request: Response(200, headers={"Content-Type": "application/json"}, content=BODY)
    )
    api = axios_python.AxiosPython({"base_url": "http://bench.local/v1"}, transport=transport)
    if plugin is not None:
        api.plugin(plugin)
    return api


def bench_sync(api: axios_python.AxiosPython, n: int, **options: Any) -> float:
    api.get(URL, **options)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            api.get(URL, **options)
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e6


async def bench_async(api: axios_python.AxiosPython, n: int, **options: Any) -> float:
    await api.async_get(URL, **options)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            await api.async_get(URL, **options)
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e6


def _row(label: str, api: axios_python.AxiosPython, n: int, **options: Any) -> None:
    sync = bench_sync(api, n, **options)
    asynchronous = asyncio.run(bench_async(api, n, **options))
    print(f"{label:44s} sync {sync:7.2f} us   async {asynchronous:7.2f} us")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    plugin = CachePlugin(ttl=60, max_size=256)
    cached = _client(plugin)
    floor = _client(None)
    floor.use(_ready)
    params = {"params": {"page": 1}}
    _row("cache hit  api.get(url)", cached, n)
    _row("  core floor (middleware answers at once)", floor, n)
    _row("cache hit  api.get(url, params=...)", cached, n, **params)
    _row("  core floor (middleware answers at once)", floor, n, **params)
    assert cached.get(URL).from_cache
    _row(
        "cache hit via on_transport (early_hits=False)",
        _client(CachePlugin(early_hits=False)),
        n // 4,
    )
    _row("no cache: MockTransport round trip", _client(None), n // 4)
    print(plugin.stats)


if __name__ == "__main__":
    main()
