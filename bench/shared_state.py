"""What shared state costs per request: cache hits on SQLite and Redis, and the rate limiter.

Run from the repository root::

    uv run python bench/shared_state.py            # full size (about a minute)
    uv run python bench/shared_state.py --quick    # a smoke test

Every contender is a client over a `MockTransport` (no network: what is measured is the
plugin and its store), warmed up first. Rounds are interleaved (the order rotates each round)
and the median µs per request over the rounds is printed, sync (`api.get`) and async
(`await api.async_get`):

- cache hit: `CachePlugin(storage=...)` with `memory://`, `sqlite:///<tmp>/bench.db` and
  `redis://` (a `redis-server` this script starts on a free loopback port, if installed);
- rate limiter under its limit: no plugin, `RateLimitPlugin("10000/second")` on `memory://`
  and on `redis://`, with the moving-window (exact) and sliding-window-counter strategies.

A benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from axios_python_cache import CachePlugin
from axios_python_resilience import RateLimitPlugin

import axios_python
from axios_python import MockTransport, Response

Contender = tuple[str, axios_python.AxiosPython]


@contextmanager
def redis_server() -> Iterator[str | None]:
    """A throwaway redis-server on a free loopback port (None when not installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait()


def client(plugin: Any | None) -> axios_python.AxiosPython:
    transport = MockTransport(lambda request: Response(200, data={"ok": True}))
    api = axios_python.AxiosPython({"base_url": "http://bench.test"}, transport=transport)
    if plugin is not None:
        api.plugin(plugin)
    return api


def per_request_sync(api: axios_python.AxiosPython, n: int) -> float:
    get = api.get
    started = time.perf_counter()
    for _ in range(n):
        get("/item")
    return (time.perf_counter() - started) / n * 1e6


def per_request_async(api: axios_python.AxiosPython, n: int) -> float:
    async def run() -> float:
        get = api.async_get
        await get("/item")
        started = time.perf_counter()
        for _ in range(n):
            await get("/item")
        return (time.perf_counter() - started) / n * 1e6

    return asyncio.run(run())


def measure(contenders: list[Contender], n: int, rounds: int) -> None:
    for mode, run in (("sync", per_request_sync), ("async", per_request_async)):
        for _, api in contenders:  # warm up (the first GET of a cache is its miss)
            run(api, max(n // 10, 10))
        samples: dict[str, list[float]] = {name: [] for name, _ in contenders}
        for r in range(rounds):
            order = contenders[r % len(contenders) :] + contenders[: r % len(contenders)]
            for name, api in order:
                samples[name].append(run(api, n))
        for name, values in samples.items():
            print(f"  {mode:5}  {name:42} {statistics.median(values):8.1f} µs/request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, rounds = (500, 3) if args.quick else (5000, 7)
    with redis_server() as redis_url, tempfile.TemporaryDirectory() as tmp:
        if redis_url is None:
            print("redis-server not installed (apt-get install redis-server): Redis skipped")
        stores = [("memory://", "memory://"), ("sqlite", f"sqlite:///{tmp}/bench.db")]
        if redis_url:
            stores.append(("redis", redis_url))
        closers: list[Callable[[], None]] = []
        print(f"cache hit ({n} requests x {rounds} rounds, median)")
        contenders: list[Contender] = []
        for name, url in stores:
            plugin = CachePlugin(storage=url, ttl=3600)
            closers.append(getattr(plugin.storage, "close", lambda: None))
            contenders.append((f"CachePlugin(storage={name!r}) hit", client(plugin)))
        measure(contenders, n, rounds)
        limited: list[Contender] = [("no plugin (MockTransport round trip)", client(None))]
        for name, url in [("memory://", "memory://")] + (
            [("redis://", redis_url)] if redis_url else []
        ):
            for strategy in ("moving-window", "sliding-window-counter"):
                plugin = RateLimitPlugin("10000/second", storage=url, strategy=strategy)
                limited.append((f"RateLimitPlugin({name}, {strategy})", client(plugin)))
        print(f"rate limiter under its limit, 10000/second ({n // 5} requests x {rounds} rounds)")
        measure(limited, n // 5, rounds)
        for api in [api for _, api in contenders + limited]:
            api.close()
        for close in closers:
            close()


if __name__ == "__main__":
    main()
