"""The aiohttp transport against raw aiohttp and raw httpx, at concurrency 1 and 32.

Run from the repository root (needs plugins/axios-python-aiohttp installed)::

    uv run python bench/aiohttp_bench.py            # full size (about a minute)
    uv run python bench/aiohttp_bench.py --quick    # a smoke test
    uv run python bench/aiohttp_bench.py --json out.json

The loopback server of bench/_server.py runs in a separate process. Contenders, all fetching the
~100-byte `/json` document with the same request headers and decoding its JSON:

- ``aiohttp``: a raw `aiohttp.ClientSession` (the baseline);
- ``httpx``: a raw `httpx.AsyncClient`;
- ``httpx+httpx_aiohttp``: `httpx.AsyncClient` on the httpx-aiohttp transport (only if installed);
- ``axios[aiohttp]``: axios_python with ``transport="aiohttp"`` and a full pipeline: one request
  interceptor, one async middleware, ``max_retries=2`` with `ExponentialBackoff`, and a plugin
  with an ``on_request`` hook;
- ``axios[httpx]``: the same pipeline on the default transport;
- ``aiohttp+Response``: raw aiohttp whose result is wrapped in `axios_python.Response.received`
  and decoded with ``.data``: the floor of any client that hands back an axios_python Response;
- ``axios[aiohttp] bare``: ``transport="aiohttp"`` with no interceptor, middleware, retries or
  plugin (the same headers, set as defaults): what the client costs before any feature is
  added. A reference, not a target.

Each round, every contender (in an order that rotates) sends N requests, either sequentially
(c=1) or from 32 concurrent workers (c=32); its wall time and this process's CPU time per
request are recorded. Reported: the medians over the rounds, and their ratios to raw aiohttp's. Target: axios[aiohttp] <=
1.2x raw aiohttp at c=1 and c=32. This is a benchmark, not a test: it exits 0 unless
``--strict`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx

import axios_python
from axios_python import ExponentialBackoff, Plugin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import BASE_HEADERS, bench_server

HEADERS = {**BASE_HEADERS, "X-Interceptor": "1", "X-Middleware": "1", "X-Plugin": "1"}
TARGET = 1.2
Run = Callable[[int], Awaitable[None]]  # sends n requests at the contender's concurrency


class _HeaderPlugin(Plugin):
    name = "bench-header"

    def on_request(self, config: dict[str, Any]) -> None:
        config["headers"]["X-Plugin"] = "1"


def _interceptor(config: dict[str, Any]) -> dict[str, Any]:
    config["headers"]["X-Interceptor"] = "1"
    return config


async def _middleware(ctx: dict[str, Any], next_fn: Callable[[dict[str, Any]], Any]) -> Any:
    ctx["headers"]["X-Middleware"] = "1"
    return await next_fn(ctx)


def full_pipeline(transport: str, base_url: str) -> axios_python.AxiosPython:
    api = axios_python.create(
        {
            "transport": transport,
            "base_url": base_url,
            "max_retries": 2,
            "retry_strategy": ExponentialBackoff(),
            "plugins": [_HeaderPlugin()],
        }
    )
    api.interceptors.request.use(_interceptor)
    api.use(_middleware)
    return api


def _spread(one: Callable[[], Awaitable[None]], concurrency: int) -> Run:
    """n requests: sequential for concurrency 1, else from `concurrency` workers."""

    async def run(n: int) -> None:
        if concurrency == 1:
            for _ in range(n):
                await one()
            return

        async def worker(count: int) -> None:
            for _ in range(count):
                await one()

        share, extra = divmod(n, concurrency)
        await asyncio.gather(*(worker(share + (i < extra)) for i in range(concurrency)))

    return run


async def contenders(
    base_url: str, concurrency: int
) -> tuple[dict[str, Run], list[Callable[[], Awaitable[Any]]]]:
    url = base_url + "/json"
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    runs: dict[str, Run] = {}
    closers: list[Callable[[], Awaitable[Any]]] = []

    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    closers.append(session.close)

    async def raw_aiohttp() -> None:
        async with session.get(url, headers=HEADERS) as response:
            json.loads(await response.read())

    runs["aiohttp"] = _spread(raw_aiohttp, concurrency)

    placeholder = httpx.Request("GET", url)

    async def aiohttp_response() -> None:
        async with session.get(url, headers=HEADERS) as response:
            content = await response.read()
            wrapped = axios_python.Response.received(
                response.status, list(response.raw_headers), content, request=placeholder
            )
            assert wrapped.data["id"] == 12345

    runs["aiohttp+Response"] = _spread(aiohttp_response, concurrency)

    client = httpx.AsyncClient(limits=limits)
    closers.append(client.aclose)

    async def raw_httpx() -> None:
        (await client.get(url, headers=HEADERS)).json()

    runs["httpx"] = _spread(raw_httpx, concurrency)

    try:
        from httpx_aiohttp import (  # type: ignore[import-not-found, unused-ignore]
            AiohttpTransport as HttpxAiohttp,
        )
    except ImportError:
        pass
    else:
        bridged = httpx.AsyncClient(transport=HttpxAiohttp())
        closers.append(bridged.aclose)

        async def httpx_aiohttp() -> None:
            (await bridged.get(url, headers=HEADERS)).json()

        runs["httpx+httpx_aiohttp"] = _spread(httpx_aiohttp, concurrency)

    for transport in ("aiohttp", "httpx"):
        api = full_pipeline(transport, base_url)
        closers.append(api.aclose)

        async def axios_call(api: axios_python.AxiosPython = api) -> None:
            response = await api.async_get("/json")
            assert response.data["id"] == 12345

        runs[f"axios[{transport}]"] = _spread(axios_call, concurrency)

    extra = {name: HEADERS[name] for name in ("X-Interceptor", "X-Middleware", "X-Plugin")}
    bare = axios_python.create({"transport": "aiohttp", "base_url": base_url, "headers": extra})
    closers.append(bare.aclose)

    async def bare_call() -> None:
        response = await bare.async_get("/json")
        assert response.data["id"] == 12345

    runs["axios[aiohttp] bare"] = _spread(bare_call, concurrency)
    return runs, closers


Samples = dict[str, list[tuple[float, float]]]  # contender -> (wall, CPU) µs per request


async def measure(base_url: str, concurrency: int, rounds: int, n: int, warmup: int) -> Samples:
    runs, closers = await contenders(base_url, concurrency)
    try:
        for run in runs.values():
            await run(warmup)
        names = list(runs)
        samples: Samples = {name: [] for name in names}
        for r in range(rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                gc.collect()
                started, cpu = time.perf_counter_ns(), time.process_time_ns()
                await runs[name](n)
                wall = (time.perf_counter_ns() - started) / n / 1000
                samples[name].append((wall, (time.process_time_ns() - cpu) / n / 1000))
        return samples
    finally:
        for close in closers:
            await close()


def report(concurrency: int, samples: Samples) -> dict[str, Any]:
    """Wall time per request (the target), and this process's CPU time per request: steadier on
    a busy machine, and what the client itself spends (the server runs in another process)."""
    base = statistics.median(wall for wall, _ in samples["aiohttp"])
    base_cpu = statistics.median(cpu for _, cpu in samples["aiohttp"])
    rounds = len(samples["aiohttp"])
    print(f"\nconcurrency {concurrency}: median µs/request over {rounds} rounds (wall, client CPU)")
    result: dict[str, Any] = {}
    for name, values in samples.items():
        median = statistics.median(wall for wall, _ in values)
        cpu = statistics.median(cpu for _, cpu in values)
        ratio, cpu_ratio = median / base, cpu / base_cpu
        result[name] = {
            "median_us": round(median, 1),
            "ratio_vs_aiohttp": round(ratio, 3),
            "cpu_us": round(cpu, 1),
            "cpu_ratio_vs_aiohttp": round(cpu_ratio, 3),
        }
        print(
            f"  {name:<22} {median:9.1f} µs  {ratio:5.2f}x raw aiohttp"
            f"   cpu {cpu:7.1f} µs  {cpu_ratio:5.2f}x"
        )
    ratio = result["axios[aiohttp]"]["ratio_vs_aiohttp"]
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"  target axios[aiohttp] <= {TARGET:.1f}x raw aiohttp: {ratio:.3f}x {verdict}")
    result["pass"] = ratio <= TARGET
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds, small batches")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    rounds, n, warmup = (3, 200, 50) if args.quick else (11, 1000, 200)
    results: dict[str, Any] = {}
    with bench_server(pin=False) as base_url:
        for concurrency in (1, 32):
            samples = asyncio.run(
                measure(base_url, concurrency, rounds, n * (1 if concurrency == 1 else 2), warmup)
            )
            results[f"c{concurrency}"] = report(concurrency, samples)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    missed = [key for key, value in results.items() if not value["pass"]]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
