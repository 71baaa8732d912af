"""Instructions per request inside one function (inclusive), counted by callgrind: where the
instructions of an async-c1 call go, layer by layer.

    uv run --all-packages python bench/layers.py                      # the aiohttp table
    uv run --all-packages python bench/layers.py --n 150 --layers exchange,_response

Callgrind sees C functions only (the interpreter's frames are all `_PyEval_EvalFrameDefault`),
so each layer is measured in its own pair of runs (N and 4N requests, subtracted as in
bench/instructions.py): the child runs under `--collect-atstart=no`, and a wrapper around the
layer's function switches collection on at its entry and off at its exit
(CALLGRIND_TOGGLE_COLLECT, from a ten-line C library built here with gcc). At concurrency 1 the
event loop runs nothing else while the layer awaits, so the count is the layer's own work and
everything it waits on (aiohttp's parser, the selector). A wrapper costs an await and two
ctypes calls: the "(wrapper)" row, to subtract from each layer that is a coroutine.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import functools
import inspect
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from instructions import callgrind_total
from overhead import bench_server  # a script beside this one
from transports import async_calls, time_async

WARM_UP = 100
TOGGLE_C = """
#include <valgrind/callgrind.h>
void toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
"""

# (contender, row label, "module:Owner.attribute" or "module:function" or "" for the call itself)
LAYERS = [
    ("raw aiohttp", "raw aiohttp: one call (session.get + read)", ""),
    ("raw aiohttp", "raw aiohttp: ClientSession._request", "aiohttp.client:ClientSession._request"),
    ("raw aiohttp", "raw aiohttp: ClientResponse.read", "aiohttp.client_reqrep:ClientResponse.read"),
    ("axios aiohttp", "axios: one call (api.async_get)", ""),
    ("axios aiohttp", "client: _merged (config merge)", "axios_python._client:AxiosPython._merged"),
    ("axios aiohttp", "pipeline: dispatch (all below)", "axios_python._pipeline:Pipeline.dispatch"),
    ("axios aiohttp", "pipeline: attempt", "axios_python._pipeline:Pipeline.attempt"),
    ("axios aiohttp", "build_request", "axios_python._pipeline:build_request"),
    ("axios aiohttp", "exchange (cookies, auth, redirects)", "axios_python._transports.base:exchange"),
    ("axios aiohttp", "exchange: hop", "axios_python._exchange:_Step.hop"),
    ("axios aiohttp", "limiter: acquire_async",
     "axios_python._limits:ConnectionLimiter.acquire_async"),
    ("axios aiohttp", "transport: handle_async_request",
     "axios_python_aiohttp:AiohttpTransport.handle_async_request"),
    ("axios aiohttp", "transport: _send_one", "axios_python_aiohttp:AiohttpTransport._send_one"),
    ("axios aiohttp", "transport: _payload (headers, body)",
     "axios_python_aiohttp:AiohttpTransport._payload"),
    ("axios aiohttp", "aiohttp: ClientSession._request", "aiohttp.client:ClientSession._request"),
    ("axios aiohttp", "aiohttp: ClientResponse.read", "aiohttp.client_reqrep:ClientResponse.read"),
    ("axios aiohttp", "transport: _response (Response.received)", "axios_python_aiohttp:_response"),
    ("axios aiohttp", "Response.content", "axios_python._models:Response.content"),
    ("raw aiohttp +4h", "raw aiohttp +4h: one call", ""),
    ("axios aiohttp +full", "full: one call (api.async_get)", ""),
    ("axios aiohttp +full", "full: _merged (config merge)", "axios_python._client:AxiosPython._merged"),
    ("axios aiohttp +full", "full: dispatch (all below)", "axios_python._pipeline:Pipeline.dispatch"),
    ("axios aiohttp +full", "full: 3 request interceptors",
     "axios_python._pipeline:_intercept_request"),
    ("axios aiohttp +full", "full: middleware chain (outermost, all below)",
     "transports:_passthrough_1"),
    ("axios aiohttp +full", "full: retry loop (all below)",
     "axios_python._pipeline:Pipeline.send_with_retries"),
    ("axios aiohttp +full", "full: attempt", "axios_python._pipeline:Pipeline.attempt"),
    ("axios aiohttp +full", "full: plugin hooks (on_request, on_response)",
     "axios_python._pipeline:_hook"),
    ("axios aiohttp +full", "full: build_request", "axios_python._pipeline:build_request"),
    ("axios aiohttp +full", "full: exchange", "axios_python._transports.base:exchange"),
    ("axios aiohttp +full", "full: transport: handle_async_request",
     "axios_python_aiohttp:AiohttpTransport.handle_async_request"),
    ("axios aiohttp +full", "full: aiohttp: ClientSession._request",
     "aiohttp.client:ClientSession._request"),
    ("axios aiohttp +full", "full: aiohttp: ClientResponse.read",
     "aiohttp.client_reqrep:ClientResponse.read"),
    ("axios aiohttp +full", "full: transport: _response (Response.received)",
     "axios_python_aiohttp:_response"),
    ("axios aiohttp +full", "full: Response.content", "axios_python._models:Response.content"),
]  # fmt: skip


def _toggle() -> Any:
    folder = tempfile.mkdtemp()
    source, library = os.path.join(folder, "t.c"), os.path.join(folder, "t.so")
    Path(source).write_text(TOGGLE_C)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", library, source], check=True)
    return ctypes.CDLL(library).toggle


def _wrapped(function: Any, toggle: Any) -> Any:
    depth = [0]

    def enter() -> None:
        depth[0] += 1
        if depth[0] == 1:
            toggle()

    def leave() -> None:
        depth[0] -= 1
        if depth[0] == 0:
            toggle()

    if isinstance(function, property):
        getter = _wrapped(function.fget, toggle)
        return property(getter, function.fset, function.fdel)
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def measured(*args: Any, **kwargs: Any) -> Any:
            enter()
            try:
                return await function(*args, **kwargs)
            finally:
                leave()

        return measured

    @functools.wraps(function)
    def measured_sync(*args: Any, **kwargs: Any) -> Any:
        enter()
        try:
            return function(*args, **kwargs)
        finally:
            leave()

    return measured_sync


def _patch(target: str, toggle: Any) -> None:
    module_name, _, path = target.partition(":")
    owner: Any = __import__(module_name, fromlist=["_"])
    *parents, attribute = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original = owner.__dict__[attribute] if isinstance(owner, type) else getattr(owner, attribute)
    setattr(owner, attribute, _wrapped(original, toggle))


def child(base: str, contender: str, target: str, n: int) -> None:
    toggle = _toggle()
    if target == "(wrapper)":

        async def nothing() -> None:
            pass

        wrapped = _wrapped(nothing, toggle)
    elif target:
        _patch(target, toggle)

    async def main() -> None:
        acalls, closers = await async_calls(base, "async-c1")
        call = acalls[contender]
        if target == "":
            call = _wrapped(call, toggle)
        elif target == "(wrapper)":
            original = call

            async def call() -> Any:
                await wrapped()
                return await original()

        await time_async(call, WARM_UP, 1)
        await time_async(call, n, 1)
        for closer in closers:
            await closer.aclose() if hasattr(closer, "aclose") else await closer.close()

    asyncio.run(main())


def count(base: str, contender: str, target: str, n: int) -> int:
    total = callgrind_total([base, contender, target, str(n)], ("--collect-atstart=no",), __file__)
    return total or 0


def per_request(base: str, contender: str, target: str, n: int) -> float:
    with ThreadPoolExecutor(2) as pool:
        small, large = pool.map(lambda size: count(base, contender, target, size), (n, 4 * n))
    return (large - small) / (3 * n)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--child":
        child(args[1], args[2], args[3], int(args[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=150, help="N (the runs send N and 4N)")
    parser.add_argument("--layers", help="comma-separated substrings of the row labels")
    options = parser.parse_args(args)
    rows = [("axios aiohttp", "(wrapper)", "(wrapper)"), *LAYERS]
    if options.layers:
        wanted = options.layers.split(",")
        rows = [row for row in rows if any(w in row[1] or w in row[2] for w in wanted)]
    with bench_server(pin=False) as base:
        print(f"== async-c1: instructions per request inside each function (N={options.n})")
        for contender, label, target in rows:
            value = per_request(base, contender, target, options.n)
            print(f"{label:<48} {value:>10,.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
