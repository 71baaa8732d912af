"""What LoggerPlugin costs when its level is disabled, against a client with no plugin.

Run from the repository root::

    .venv/bin/python plugins/axios-python-logger/bench_disabled.py [--quick]

Every client sends through a `MockTransport` (no sockets), so the numbers are the Python-side
cost per request. Contenders, measured interleaved (the order rotates each round), sync and async:

- `none`         no plugin: the baseline;
- `noop`         a plugin with the same hooks and middleware that do nothing: the floor that
                 the core's hook dispatch costs any plugin with these hooks;
- `disabled`     LoggerPlugin(level=INFO) on a logger at ERROR: every hook returns at once;
- `errors-only`  LoggerPlugin(level=INFO) on a logger at WARNING: request/response records are
                 off, but attempts are still numbered and timed for error records;
- `enabled`      LoggerPlugin(level=INFO, log_headers=True) on a logger at INFO with a
                 NullHandler: records are built and dispatched, nothing is written.

Each contender sends blocks of 100 requests, the contenders taking turns block by block, so
that noise from other processes falls on all of them alike. The ratio is median(contender) /
median(none) over the blocks; the best block of each is shown too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import statistics
import time
from collections.abc import Callable
from typing import Any

from axios_python_logger import LoggerPlugin

import axios_python
from axios_python import AxiosPython, MockTransport, Plugin, Response


def handler(request: axios_python.Request) -> Response:
    return Response(200, headers={"Content-Type": "application/json"}, content=b'{"ok": true}')


class NoopPlugin(Plugin):
    """The same hooks as LoggerPlugin, doing nothing."""

    name = "noop"

    def on_register(self, client: Any) -> None:
        async def passthrough(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Any:
            return await next_fn(ctx)

        client.use(passthrough)

    def on_transport(self, request: Any, config: dict[str, Any]) -> None:
        return None

    def on_response(self, response: Any) -> None:
        return None

    def on_error(self, error: Any) -> None:
        return None


def quiet_logger(name: str, level: int) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.setLevel(level)
    logger.propagate = False
    logger.handlers[:] = [logging.NullHandler()]
    return logger


def clients() -> dict[str, AxiosPython]:
    def client(plugin: Any = None) -> AxiosPython:
        api = AxiosPython({"base_url": "http://bench.test"}, transport=MockTransport(handler))
        if plugin is not None:
            api.plugin(plugin)
        return api

    return {
        "none": client(),
        "noop": client(NoopPlugin()),
        "disabled": client(LoggerPlugin(logger=quiet_logger("bench.disabled", logging.ERROR))),
        "errors-only": client(
            LoggerPlugin(logger=quiet_logger("bench.errors_only", logging.WARNING))
        ),
        "enabled": client(
            LoggerPlugin(log_headers=True, logger=quiet_logger("bench.enabled", logging.INFO))
        ),
    }


def run_sync(api: AxiosPython, n: int) -> float:
    get = api.get
    start = time.perf_counter_ns()
    for _ in range(n):
        get("/items")
    return (time.perf_counter_ns() - start) / n / 1000


async def run_async(api: AxiosPython, n: int) -> float:
    get = api.async_get
    start = time.perf_counter_ns()
    for _ in range(n):
        await get("/items")
    return (time.perf_counter_ns() - start) / n / 1000


def measure(mode: str, rounds: int, n: int) -> dict[str, list[float]]:
    """`rounds` blocks of `n` requests per contender, interleaved, so load noise hits all alike."""
    apis = clients()
    names = list(apis)
    results: dict[str, list[float]] = {name: [] for name in names}
    loop = asyncio.new_event_loop()
    try:
        for name in names:  # warm-up
            if mode == "sync":
                run_sync(apis[name], 5 * n)
            else:
                loop.run_until_complete(run_async(apis[name], 5 * n))
        gc.collect()
        gc.disable()
        for r in range(rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                if mode == "sync":
                    results[name].append(run_sync(apis[name], n))
                else:
                    results[name].append(loop.run_until_complete(run_async(apis[name], n)))
            if r % 10 == 9:
                gc.enable()
                gc.collect()
                gc.disable()
    finally:
        gc.enable()
        loop.close()
    return results


def report(mode: str, results: dict[str, list[float]]) -> None:
    base = statistics.median(results["none"])
    base_best = min(results["none"])
    print(f"\n{mode}: µs per request, median (and best) of {len(results['none'])} blocks")
    for name, values in results.items():
        median, best = statistics.median(values), min(values)
        print(
            f"  {name:<12} {median:8.2f} µs  x{median / base:.3f}  (+{median - base:5.2f} µs)"
            f"   best {best:7.2f} µs  x{best / base_best:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and requests")
    options = parser.parse_args()
    rounds, n = (21, 100) if options.quick else (151, 100)
    for mode in ("sync", "async"):
        report(mode, measure(mode, rounds, n))


if __name__ == "__main__":
    main()
