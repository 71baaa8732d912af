"""What observability costs per request: OtelPlugin (no SDK, and SDK + in-memory exporter), and
the transports' recording of `response.timings`, each against the same thing without it.

Run from the repository root (needs plugins/axios-python-otel, and the OpenTelemetry SDK of the
dev dependencies)::

    uv run python bench/otel_overhead.py            # full size (about 2 minutes)
    uv run python bench/otel_overhead.py --quick    # a smoke test
    uv run python bench/otel_overhead.py --only otel --json out.json

The loopback server of bench/_server.py runs in a separate process. Groups, each GET /json
(~100 bytes), sequential, keep-alive:

- ``otel-sync`` / ``otel-async``: an axios_python client without plugin (the baseline); the
  same with ``OtelPlugin()`` and no SDK configured (the API's no-op tracer and meter); the same
  with ``OtelPlugin(tracer_provider=..., meter_provider=...)``: an SDK TracerProvider with a
  SimpleSpanProcessor into an InMemorySpanExporter (cleared every round) and an SDK
  MeterProvider with an InMemoryMetricReader;
- ``timings``: what recording the phases costs the transports themselves: a raw
  ``httpx.Client`` without and with the ``trace`` extension the default transport installs
  (sync), and a raw ``aiohttp.ClientSession`` without and with the aiohttp transport's timing
  classes (async: its connector and request class, the marks set per request).

Each round, every contender (the order rotates) sends N requests; its wall time and this
process's CPU time per request are recorded. Reported: medians over the rounds, the ratio of
medians to the group's baseline, and the paired ratio (median of the per-round ratios, which
cancels out most of the noise of a shared machine). A benchmark, not a test: it exits 0.
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

import httpx

import axios_python

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from overhead import bench_server  # noqa: E402  (the shared server process)

Batch = Callable[[int], Awaitable[None]]  # sends n requests
Samples = dict[str, list[tuple[float, float]]]  # contender -> [(wall µs/req, cpu µs/req)]


# --- contenders ----------------------------------------------------------------------------


def _sdk_plugin() -> tuple[Any, Callable[[], None]]:
    from axios_python_otel import OtelPlugin
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    plugin = OtelPlugin(tracer_provider=tracer_provider, meter_provider=meter_provider)

    def clear() -> None:
        exporter.clear()
        reader.get_metrics_data()

    return plugin, clear


def otel_clients(base_url: str) -> tuple[dict[str, axios_python.AxiosPython], Callable[[], None]]:
    from axios_python_otel import OtelPlugin

    clients = {
        name: axios_python.create({"base_url": base_url}) for name in ("plain", "nosdk", "sdk")
    }
    clients["nosdk"].plugin(OtelPlugin())
    plugin, clear = _sdk_plugin()
    clients["sdk"].plugin(plugin)
    return clients, clear


def otel_batches(
    clients: dict[str, axios_python.AxiosPython], asynchronous: bool
) -> dict[str, Batch]:
    names = {"plain": "no plugin", "nosdk": "OtelPlugin, no SDK", "sdk": "OtelPlugin + SDK"}
    batches: dict[str, Batch] = {}
    for key, api in clients.items():
        if asynchronous:

            async def run(n: int, api: axios_python.AxiosPython = api) -> None:
                for _ in range(n):
                    (await api.async_get("/json")).data  # noqa: B018

        else:

            async def run(n: int, api: axios_python.AxiosPython = api) -> None:
                for _ in range(n):
                    api.get("/json").data  # noqa: B018

        batches[names[key]] = run
    return batches


def timing_batches(base_url: str) -> tuple[dict[str, Batch], Callable[[], Awaitable[None]]]:
    import aiohttp
    from axios_python_aiohttp import _Marks
    from axios_python_aiohttp._internals import MARKS, TimedConnector, TimedRequest

    from axios_python._timings import HttpcoreTrace

    url = base_url + "/json"
    plain_httpx = httpx.Client()
    traced_httpx = httpx.Client()
    sessions: dict[str, aiohttp.ClientSession] = {}

    async def httpx_plain(n: int) -> None:
        for _ in range(n):
            plain_httpx.get(url).json()

    async def httpx_traced(n: int) -> None:
        for _ in range(n):
            recorder = HttpcoreTrace()
            plain = traced_httpx.get(url, extensions={"trace": recorder.trace})
            plain.json()

    async def aiohttp_plain(n: int) -> None:
        session = sessions.get("plain") or sessions.setdefault("plain", aiohttp.ClientSession())
        for _ in range(n):
            async with session.get(url) as resp:
                await resp.read()

    async def aiohttp_timed(n: int) -> None:
        session = sessions.get("timed") or sessions.setdefault(
            "timed",
            aiohttp.ClientSession(connector=TimedConnector(), request_class=TimedRequest),
        )
        for _ in range(n):
            token = MARKS.set(_Marks())
            try:
                async with session.get(url) as resp:
                    await resp.read()
            finally:
                MARKS.reset(token)

    async def close() -> None:
        plain_httpx.close()
        traced_httpx.close()
        for session in sessions.values():
            await session.close()

    return {
        "httpx (sync)": httpx_plain,
        "httpx + trace extension": httpx_traced,
        "aiohttp (async)": aiohttp_plain,
        "aiohttp + timing classes": aiohttp_timed,
    }, close


# --- measuring -----------------------------------------------------------------------------


async def measure(
    batches: dict[str, Batch], rounds: int, n: int, before_round: Callable[[], None] | None = None
) -> Samples:
    names = list(batches)
    samples: Samples = {name: [] for name in names}
    for name in names:  # warm up: connections, caches
        await batches[name](max(n // 5, 20))
    for index in range(rounds):
        if before_round is not None:
            before_round()
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            gc.collect()
            wall, cpu = time.perf_counter_ns(), time.process_time_ns()
            await batches[name](n)
            samples[name].append(
                (
                    (time.perf_counter_ns() - wall) / n / 1e3,
                    (time.process_time_ns() - cpu) / n / 1e3,
                )
            )
    return samples


def report(title: str, samples: Samples, baselines: dict[str, str]) -> dict[str, Any]:
    """Medians, and ratios to each contender's baseline (`baselines[name]`)."""
    print(f"\n{title}: median µs/request over {len(next(iter(samples.values())))} rounds")
    print(f"  {'contender':28} {'wall':>9} {'cpu':>9} {'ratio':>7} {'paired':>7} {'cpu':>7}")
    result: dict[str, Any] = {}
    for name, values in samples.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        entry: dict[str, Any] = {"wall_us": wall, "cpu_us": cpu}
        base = baselines.get(name)
        cells = ["", "", ""]
        if base is not None:
            base_values = samples[base]
            entry["ratio"] = wall / statistics.median(v[0] for v in base_values)
            entry["paired"] = statistics.median(
                v[0] / b[0] for v, b in zip(values, base_values, strict=True)
            )
            entry["cpu_ratio"] = cpu / statistics.median(v[1] for v in base_values)
            cells = [f"{entry['ratio']:.3f}", f"{entry['paired']:.3f}", f"{entry['cpu_ratio']:.3f}"]
        print(f"  {name:28} {wall:9.1f} {cpu:9.1f} {cells[0]:>7} {cells[1]:>7} {cells[2]:>7}")
        result[name] = entry
    return result


async def run_groups(base_url: str, groups: set[str], rounds: int, n: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    if "otel" in groups:
        clients, clear = otel_clients(base_url)
        baselines = {"OtelPlugin, no SDK": "no plugin", "OtelPlugin + SDK": "no plugin"}
        try:
            for asynchronous in (False, True):
                title = "otel-async" if asynchronous else "otel-sync"
                samples = await measure(otel_batches(clients, asynchronous), rounds, n, clear)
                results[title] = report(title, samples, baselines)
        finally:
            for api in clients.values():
                await api.aclose()
    if "timings" in groups:
        batches, close = timing_batches(base_url)
        try:
            samples = await measure(batches, rounds, n)
        finally:
            await close()
        results["timings"] = report(
            "timings",
            samples,
            {
                "httpx + trace extension": "httpx (sync)",
                "aiohttp + timing classes": "aiohttp (async)",
            },
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds of 100 requests")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("-n", type=int, default=500, help="requests per contender and round")
    parser.add_argument("--only", default="otel,timings", help="groups: otel, timings")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    rounds, n = (3, 100) if args.quick else (args.rounds, args.n)
    groups = {g.strip() for g in args.only.split(",") if g.strip()}
    with bench_server(pin=False) as base_url:
        results = asyncio.run(run_groups(base_url, groups, rounds, n))
    print(
        "\nratio: median / median of the baseline; paired: median of the per-round ratios; "
        "cpu: this process's CPU time ratio"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
