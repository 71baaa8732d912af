"""Load that holds: N requests from C concurrent async calls on ONE client with default settings.

Run from the repository root::

    uv run python bench/load.py                  # 10,000 requests at c=32 and c=1000, both transports
    uv run python bench/load.py --quick          # 2,000 requests
    uv run python bench/load.py --requests 20000 --rounds 3 --json out.json

The loopback server of bench/_server.py runs in a separate process. Each round runs, for every
transport (the default httpx one, and aiohttp when axios-python-aiohttp is installed) and every
concurrency (32, then 1000, in an order that alternates between rounds), N `await
api.async_get("/json")` calls spread over C concurrent tasks started at once, on a fresh client
created with default settings (pool of 100, pool timeout 5 s). Reported per transport and
concurrency: errors, throughput (requests/s, median over rounds), and the p50/p99 latency of
one call (from its start, queueing included), and the ratio of c=1000's throughput to c=32's.
Target: every request completes, and c=1000 reaches at least 0.8x the throughput of c=32
(issue 13: httpcore's pool stalled at c=1000; aiohttp's unfair queue had a p99 of seconds).

A benchmark, not a test: it exits 0 unless ``--strict`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import bench_server

import axios_python

CONCURRENCIES = (32, 1000)


async def run_once(
    transport: str, base_url: str, requests: int, concurrency: int
) -> dict[str, Any]:
    """One round: `requests` calls from `concurrency` tasks; latencies, errors, wall time."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    per_task, extra = divmod(requests, concurrency)

    async with axios_python.create({"transport": transport, "base_url": base_url}) as api:
        await api.async_get("/json")  # warm up: the session/pool exists

        async def worker(count: int) -> None:
            for _ in range(count):
                started = time.perf_counter()
                try:
                    await api.async_get("/json")
                except axios_python.AxiosPythonError as exc:
                    name = f"{type(exc).__name__}({getattr(exc, 'phase', exc.code)})"
                    errors[name] = errors.get(name, 0) + 1
                    continue
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(
            *(worker(per_task + (1 if i < extra else 0)) for i in range(concurrency))
        )
        wall = time.perf_counter() - started
    latencies.sort()
    return {
        "wall": wall,
        "throughput": requests / wall,
        "p50": _quantile(latencies, 0.50),
        "p99": _quantile(latencies, 0.99),
        "ok": len(latencies),
        "errors": errors,
    }


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 requests, 1 round")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 2_000, 1
    transports = ["httpx"]
    if importlib.util.find_spec("axios_python_aiohttp") is not None:
        transports.append("aiohttp")

    results: dict[str, dict[int, list[dict[str, Any]]]] = {
        t: {c: [] for c in CONCURRENCIES} for t in transports
    }
    with bench_server(pin=False) as base_url:
        for round_index in range(args.rounds):
            order = CONCURRENCIES if round_index % 2 == 0 else CONCURRENCIES[::-1]
            for transport in transports:
                for concurrency in order:
                    outcome = asyncio.run(run_once(transport, base_url, args.requests, concurrency))
                    results[transport][concurrency].append(outcome)

    print(f"{args.requests} requests per run, {args.rounds} round(s), default settings")
    print(f"{'transport':<10}{'c':>6}{'ok':>8}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    summary: dict[str, Any] = {}
    missed = False
    for transport in transports:
        rows: dict[int, dict[str, Any]] = {}
        for concurrency in CONCURRENCIES:
            runs = results[transport][concurrency]
            row = {
                "throughput": statistics.median(r["throughput"] for r in runs),
                "p50_ms": 1000 * statistics.median(r["p50"] for r in runs),
                "p99_ms": 1000 * statistics.median(r["p99"] for r in runs),
                "ok": sum(r["ok"] for r in runs),
                "errors": sum(sum(r["errors"].values()) for r in runs),
                "error_kinds": sorted({k for r in runs for k in r["errors"]}),
            }
            rows[concurrency] = row
            print(
                f"{transport:<10}{concurrency:>6}{row['ok']:>8}{row['errors']:>8}"
                f"{row['throughput']:>10.0f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
                + (f"  {', '.join(row['error_kinds'])}" if row["errors"] else "")
            )
        ratio = rows[1000]["throughput"] / rows[32]["throughput"]
        passed = ratio >= 0.8 and all(r["errors"] == 0 for r in rows.values())
        missed = missed or not passed
        print(
            f"{transport:<10} c=1000 / c=32 throughput: {ratio:.2f}x "
            f"(target >= 0.80, no errors): {'ok' if passed else 'MISSED'}"
        )
        summary[transport] = {"by_concurrency": rows, "ratio": ratio, "passed": passed}
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
