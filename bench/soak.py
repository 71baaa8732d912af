"""Soak: many requests on one client, memory sampled as they go; it must stay flat.

    uv run --all-packages python bench/soak.py                      # 100,000 requests per run
    uv run --all-packages python bench/soak.py --requests 20000 --transport aiohttp --mode async

For each transport and mode asked for, one client sends N GETs (a ~100-byte JSON body) to the
bench server (bench/_server.py, its own process). The resident set size (RSS) and the count of
live Python objects are sampled after each tenth of the run. Reported: RSS and objects at the
first and the last sample and the growth between them (the first tenth is the warm-up: pools,
caches and interned strings fill there), errors, requests/s. A leak shows as growth that scales
with N; flat memory is growth of a few hundred KiB at most, whatever N is.
A benchmark, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from overhead import bench_server  # a script beside this one

import axios_python

SAMPLES = 10


def rss_kib() -> int:
    """The current resident set size (Linux /proc), else the peak one."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def sample() -> tuple[int, int]:
    gc.collect()
    return rss_kib(), len(gc.get_objects())


def soak_sync(base: str, transport: str, n: int) -> tuple[list[tuple[int, int]], int]:
    samples, errors = [], 0
    with axios_python.create({"base_url": base, "transport": transport}) as api:
        for _ in range(SAMPLES):
            for _ in range(n // SAMPLES):
                try:
                    api.get("/json")
                except axios_python.AxiosPythonError:  # noqa: PERF203 (counted, not fatal)
                    errors += 1
            samples.append(sample())
    return samples, errors


async def soak_async(base: str, transport: str, n: int) -> tuple[list[tuple[int, int]], int]:
    samples, errors = [], 0
    async with axios_python.create({"base_url": base, "transport": transport}) as api:

        async def worker(count: int) -> None:
            nonlocal errors
            for _ in range(count):
                try:
                    await api.async_get("/json")
                except axios_python.AxiosPythonError:  # noqa: PERF203 (counted, not fatal)
                    errors += 1

        for _ in range(SAMPLES):
            await asyncio.gather(*(worker(n // SAMPLES // 8) for _ in range(8)))
            samples.append(sample())
    return samples, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--transport", action="append", help="httpx, aiohttp, urllib3, fast")
    parser.add_argument("--mode", action="append", choices=["sync", "async"])
    options = parser.parse_args()
    runs = [
        (transport, mode)
        for transport in options.transport or ["httpx", "aiohttp", "urllib3"]
        for mode in options.mode or ["sync", "async"]
        if not (transport == "aiohttp" and mode == "sync")  # aiohttp's sync calls are httpx's
        and not (transport == "urllib3" and mode == "async")  # urllib3's async calls likewise
    ]
    with bench_server(pin=False) as base:
        for transport, mode in runs:
            started = time.perf_counter()
            if mode == "sync":
                samples, errors = soak_sync(base, transport, options.requests)
            else:
                samples, errors = asyncio.run(soak_async(base, transport, options.requests))
            wall = time.perf_counter() - started
            (rss0, objects0), (rss1, objects1) = samples[0], samples[-1]
            print(
                f"{transport:>8} {mode:<5} {options.requests:>7} requests, {errors} errors, "
                f"{options.requests / wall:>6.0f} req/s; RSS {rss0 / 1024:.1f} -> "
                f"{rss1 / 1024:.1f} MiB ({rss1 - rss0:+d} KiB), objects {objects0} -> "
                f"{objects1} ({objects1 - objects0:+d})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
