"""Every transport against the raw library it wraps, in one run, interleaved rounds.

    uv run --all-packages python bench/transports.py            # full size (a few minutes)
    uv run --all-packages python bench/transports.py --quick    # a smoke run
    uv run --all-packages python bench/transports.py --only sync-c1,async-c32 --rounds 7

Cases: sync c1 and c32 (threads sharing one client), async c1 and c32 (tasks sharing one
client), a POST (small JSON body, c1, sync and async), and 1 MiB bodies (GET, c1, sync and
async: throughput). Contenders: raw urllib3 (`PoolManager.request`), raw httpx, requests and
httpx2 (dev dependencies; left out if missing), raw aiohttp, and axios_python on each
transport: plain, with 3 request interceptors + 3 middlewares ("+3i3m"), and the full pipeline
("+full": +3i3m, `max_retries=2` and a plugin with `on_request` and `on_response` hooks; no
retry happens, the retry loop runs). Every contender sends the same request headers: the
"+3i3m" and "+full" ones send the 4 headers their interceptors and middleware add, so their
ratio is taken against the raw library sending those 4 too ("raw ... +4h"), as in
bench/overhead.py (sending 4 more headers costs raw urllib3 ~11% more instructions per request:
not pipeline overhead).

Per contender: the median over the rounds of the time per request (µs), and for each axios_python
contender the ratio to the raw library its transport wraps (urllib3, httpx, aiohttp), computed
per round and then the median (the two ran seconds apart, so drifts of the machine cancel out).
For the 1 MiB cases the ratio is throughput: raw time / ours (>= 0.9 is the target).
The server (bench/_server.py) runs in its own process. A benchmark, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import urllib3

import axios_python

sys.path.insert(0, str(Path(__file__).parent))
from overhead import (  # a script beside this one
    BASE_HEADERS,
    EXTRA_HEADERS,
    _interceptor,
    _passthrough_1,
    _passthrough_2,
    _set_header,
    bench_server,
)

try:
    import requests
except ImportError:  # optional: a dev dependency
    requests = None  # type: ignore[assignment]
try:
    import httpx2
except ImportError:  # optional: a dev dependency (Python 3.11+)
    httpx2 = None

POST_BODY = {"name": "axios_python bench", "tags": ["a", "b", "c"], "n": 12345}
CASES = [
    "sync-c1",
    "sync-c32",
    "sync-post",
    "sync-big",
    "async-c1",
    "async-c32",
    "async-post",
    "async-big",
]
# contender -> the raw contender its ratio is taken against
BASELINE = {
    "raw urllib3 5s-timeout": "raw urllib3",
    "axios urllib3": "raw urllib3",
    "axios urllib3 +3i3m": "raw urllib3 +4h",
    "axios urllib3 +full": "raw urllib3 +4h",
    "requests": "raw urllib3",
    "httpx2": "raw httpx",
    "axios httpx": "raw httpx",
    "axios httpx +3i3m": "raw httpx +4h",
    "axios aiohttp": "raw aiohttp",
    "axios aiohttp +3i3m": "raw aiohttp +4h",
    "axios aiohttp +full": "raw aiohttp +4h",
}
TARGETS = {  # (case, contender) -> the ratio the issue asks for (time; throughput for big)
    ("sync-c1", "axios urllib3"): 1.05,
    ("sync-c32", "axios urllib3"): 1.05,
    ("sync-c1", "axios urllib3 +3i3m"): 1.15,
    ("sync-c32", "axios urllib3 +3i3m"): 1.15,
    ("sync-big", "axios urllib3"): 0.9,
    ("async-c1", "axios aiohttp +full"): 1.2,
    ("async-c32", "axios aiohttp +full"): 1.2,
}
VARIANTS = {"": (False, False), " +3i3m": (True, False), " +full": (True, True)}

Call = Callable[[], Any]
ACall = Callable[[], Awaitable[Any]]


def headers(extended: bool) -> dict[str, str]:
    return {**BASE_HEADERS, **EXTRA_HEADERS} if extended else dict(BASE_HEADERS)


class _ObservingPlugin(axios_python.Plugin):
    """The "+full" contenders' plugin: it looks at every attempt and response, as a metrics
    plugin would, and adds nothing to the request."""

    def __init__(self) -> None:
        self.attempts = 0
        self.statuses: dict[int, int] = {}

    def on_request(self, config: dict[str, Any], attempt: int) -> None:
        self.attempts += 1

    def on_response(self, response: axios_python.Response) -> None:
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1


def make_axios(
    base: str, transport: str, extended: bool, full: bool = False
) -> axios_python.AxiosPython:
    config: dict[str, Any] = {"base_url": base, "transport": transport}
    if full:
        config["max_retries"] = 2
    api = axios_python.create(config)
    if full:
        api.plugin(_ObservingPlugin())
    if extended:
        for i in (1, 2, 3):
            api.interceptors.request.use(_interceptor(f"X-Interceptor-{i}"))
        api.use(_passthrough_1)
        api.use(_set_header)
        api.use(_passthrough_2)
    return api


# --- sync contenders: one call = one request, body read ------------------------------------


def sync_calls(base: str, case: str) -> dict[str, Call]:
    path = "/big" if case == "sync-big" else "/json"
    url = base + path
    post = case == "sync-post"
    calls: dict[str, Call] = {}
    pool = urllib3.PoolManager(maxsize=64, block=True)
    h = headers(False)
    if post:
        import json

        body = json.dumps(POST_BODY).encode()
        ph = {**h, "Content-Type": "application/json"}
        calls["raw urllib3"] = lambda: pool.request("POST", url, body=body, headers=ph).data
    else:
        calls["raw urllib3"] = lambda: pool.request("GET", url, headers=h).data
        if case != "sync-big":
            h4 = headers(True)
            calls["raw urllib3 +4h"] = lambda: pool.request("GET", url, headers=h4).data
    # the same, with timeouts as axios_python's default (5 s): a socket with a timeout polls
    # before each send and receive (two more system calls per request than a blocking one)
    timed = urllib3.PoolManager(maxsize=64, block=True, timeout=urllib3.Timeout(5, 5))
    if not post:
        calls["raw urllib3 5s-timeout"] = lambda: timed.request("GET", url, headers=h).data
    client = httpx.Client(headers=h, limits=httpx.Limits(max_connections=64))
    del client.headers["Connection"]
    calls["raw httpx"] = (
        (lambda: client.post(url, json=POST_BODY).content)
        if post
        else (lambda: client.get(url).content)
    )
    if not post and case != "sync-big":
        extra = dict(EXTRA_HEADERS)
        calls["raw httpx +4h"] = lambda: client.get(url, headers=extra).content
    if httpx2 is not None:
        client2 = httpx2.Client(headers=h, limits=httpx2.Limits(max_connections=64))
        del client2.headers["Connection"]
        calls["httpx2"] = (
            (lambda: client2.post(url, json=POST_BODY).content)
            if post
            else (lambda: client2.get(url).content)
        )
    if requests is not None:
        session = requests.Session()
        session.headers.clear()
        session.headers.update(h)
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=64)
        session.mount("http://", adapter)
        calls["requests"] = (
            (lambda: session.post(url, json=POST_BODY).content)
            if post
            else (lambda: session.get(url).content)
        )
    for transport in ("urllib3", "httpx"):
        for variant, (extended, full) in VARIANTS.items():
            if (extended and case in ("sync-big", "sync-post")) or (full and transport == "httpx"):
                continue
            api = make_axios(base, transport, extended, full)
            name = f"axios {transport}{variant}"
            calls[name] = (
                (lambda api=api: api.post(path, json=POST_BODY).content)
                if post
                else (lambda api=api: api.get(path).content)
            )
    return calls


def time_sync(call: Call, n: int, concurrency: int, executor: ThreadPoolExecutor | None) -> float:
    """Seconds per request: n requests, by `concurrency` threads sharing the client."""
    if concurrency == 1:
        started = time.perf_counter()
        for _ in range(n):
            call()
        return (time.perf_counter() - started) / n
    assert executor is not None
    each = n // concurrency
    gate = threading.Barrier(concurrency + 1)

    def worker() -> None:
        gate.wait()
        for _ in range(each):
            call()

    futures = [executor.submit(worker) for _ in range(concurrency)]
    gate.wait()
    started = time.perf_counter()
    for future in futures:
        future.result()
    return (time.perf_counter() - started) / (each * concurrency)


# --- async contenders ----------------------------------------------------------------------


async def async_calls(base: str, case: str) -> tuple[dict[str, ACall], list[Any]]:
    path = "/big" if case == "async-big" else "/json"
    url = base + path
    post = case == "async-post"
    h = headers(False)
    calls: dict[str, ACall] = {}
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100), headers=h, skip_auto_headers=["Content-Type"]
    )

    async def raw_aiohttp() -> bytes:
        if post:
            async with session.post(url, json=POST_BODY) as resp:
                return await resp.read()
        async with session.get(url) as resp:
            return await resp.read()

    calls["raw aiohttp"] = raw_aiohttp
    extra = dict(EXTRA_HEADERS)

    async def raw_aiohttp_4h() -> bytes:
        async with session.get(url, headers=extra) as resp:
            return await resp.read()

    if not post and case != "async-big":
        calls["raw aiohttp +4h"] = raw_aiohttp_4h
    client = httpx.AsyncClient(headers=h, limits=httpx.Limits(max_connections=100))
    del client.headers["Connection"]

    async def raw_httpx() -> bytes:
        response = await (client.post(url, json=POST_BODY) if post else client.get(url))
        return response.content

    calls["raw httpx"] = raw_httpx

    async def raw_httpx_4h() -> bytes:
        return (await client.get(url, headers=extra)).content

    if not post and case != "async-big":
        calls["raw httpx +4h"] = raw_httpx_4h
    closers: list[Any] = [session, client]
    if httpx2 is not None:
        client2 = httpx2.AsyncClient(headers=h, limits=httpx2.Limits(max_connections=100))
        del client2.headers["Connection"]

        async def raw_httpx2() -> bytes:
            response = await (client2.post(url, json=POST_BODY) if post else client2.get(url))
            return response.content

        calls["httpx2"] = raw_httpx2
        closers.append(client2)
    for transport in ("aiohttp", "httpx"):
        for variant, (extended, full) in VARIANTS.items():
            if (extended and case in ("async-big", "async-post")) or (
                full and transport == "httpx"
            ):
                continue
            api = make_axios(base, transport, extended, full)
            closers.append(api)
            name = f"axios {transport}{variant}"

            async def ours(api: axios_python.AxiosPython = api) -> bytes:
                if post:
                    return (await api.async_post(path, json=POST_BODY)).content
                return (await api.async_get(path)).content

            calls[name] = ours
    return calls, closers


async def time_async(call: ACall, n: int, concurrency: int) -> float:
    each = n // concurrency

    async def worker() -> None:
        for _ in range(each):
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.perf_counter() - started) / (each * concurrency)


# --- rounds --------------------------------------------------------------------------------


def sizes(case: str, quick: bool) -> tuple[int, int]:
    """(requests per contender per round, concurrency)"""
    concurrency = 32 if case.endswith("c32") else 1
    n = {"sync": 2000, "async": 1000}[case.split("-")[0]]
    if case.endswith("big"):
        n = 400  # ~0.2 s a sample: 40 (8 ms) swung the ratio by 20% from run to run
    if concurrency == 32:
        n = 3200
    return (max(n // 10, concurrency) if quick else n), concurrency


def run_case(base: str, case: str, rounds: int, quick: bool) -> dict[str, list[float]]:
    n, concurrency = sizes(case, quick)
    samples: dict[str, list[float]] = {}
    if case.startswith("sync"):
        calls = sync_calls(base, case)
        executor = ThreadPoolExecutor(concurrency) if concurrency > 1 else None
        for call in calls.values():  # warm up: connections open, caches full
            time_sync(call, max(concurrency, 50), concurrency, executor)
        for r in range(rounds):
            names = list(calls)
            names = names[r % len(names) :] + names[: r % len(names)]
            for name in names:
                gc.collect()
                samples.setdefault(name, []).append(
                    time_sync(calls[name], n, concurrency, executor)
                )
        if executor is not None:
            executor.shutdown()
        return samples

    async def main() -> None:
        acalls, closers = await async_calls(base, case)
        for call in acalls.values():
            await time_async(call, max(concurrency, 50), concurrency)
        for r in range(rounds):
            names = list(acalls)
            names = names[r % len(names) :] + names[: r % len(names)]
            for name in names:
                gc.collect()
                samples.setdefault(name, []).append(await time_async(acalls[name], n, concurrency))
        for closer in closers:
            await closer.aclose() if hasattr(closer, "aclose") else await closer.close()

    asyncio.run(main())
    return samples


def report(case: str, samples: dict[str, list[float]]) -> list[dict[str, Any]]:
    big = case.endswith("big")
    rows = []
    print(f"\n== {case}  (median of {len(next(iter(samples.values())))} rounds)")
    print(f"{'contender':<22} {'µs/req':>9} {'MiB/s':>8} {'ratio':>7} {'vs':<16} {'target':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        base = BASELINE.get(name)
        ratio = None
        if base in samples:
            per_round = [
                (b / o) if big else (o / b) for o, b in zip(values, samples[base], strict=True)
            ]
            ratio = statistics.median(per_round)
        target = TARGETS.get((case, name))
        verdict = ""
        if target is not None and ratio is not None:
            ok = ratio >= target if big else ratio <= target
            verdict = f"{'<=' if not big else '>='}{target} {'PASS' if ok else 'MISS'}"
        mib = f"{1 / median:8.0f}" if big else ""
        print(
            f"{name:<22} {median * 1e6:9.1f} {mib:>8} "
            f"{'' if ratio is None else f'{ratio:7.3f}':>7} {base or '':<16} {verdict}"
        )
        rows.append({"case": case, "contender": name, "us": median * 1e6, "ratio": ratio})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--pin", action="store_true", help="client on CPU 1, server on CPU 0")
    args = parser.parse_args(argv)
    cases = [c for c in args.only.split(",") if c]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {sorted(unknown)}; choose from {CASES}")
    with bench_server(args.pin) as base:
        if args.pin:
            import os

            os.sched_setaffinity(0, {0})
        for case in cases:
            report(case, run_case(base, case, 1 if args.quick else args.rounds, args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
