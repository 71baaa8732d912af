"""Run by the multi-process tests: `python resilience_worker.py SPEC_JSON`.

SPEC: {"plugin": "rate-limit" | "circuit-breaker", "options": {...}, "base_url": ...,
"path": ..., "n": requests, "mode": "sync" | "async", "go": wait for a stdin line first,
"delay": seconds to sleep after that}.
Prints one JSON line per request: {"t": time.time() when it ended, "status": ..., "data": ...}
or {"t": ..., "error": class name}.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from axios_python_resilience import CircuitBreakerPlugin, RateLimitPlugin

import axios_python


def outcome(call: Any) -> dict[str, Any]:
    try:
        response = call()
    except axios_python.AxiosPythonError as exc:
        return {"t": time.time(), "error": type(exc).__name__}
    return {"t": time.time(), "status": response.status_code, "data": response.data}


def main() -> None:
    spec = json.loads(sys.argv[1])
    factory = RateLimitPlugin if spec["plugin"] == "rate-limit" else CircuitBreakerPlugin
    plugin = factory(**spec["options"])
    config = {"base_url": spec["base_url"], "timeout": 30, "validate_status": None}
    if spec.get("go"):
        print("ready", flush=True)
        sys.stdin.readline()
    time.sleep(spec.get("delay", 0))
    if spec["mode"] == "async":

        async def run() -> None:
            async with axios_python.create(config) as api:
                api.plugin(plugin)
                for _ in range(spec["n"]):
                    try:
                        response = await api.async_get(spec["path"])
                        result = {
                            "t": time.time(),
                            "status": response.status_code,
                            "data": response.data,
                        }
                    except axios_python.AxiosPythonError as exc:
                        result = {"t": time.time(), "error": type(exc).__name__}
                    print(json.dumps(result), flush=True)

        asyncio.run(run())
    else:
        with axios_python.create(config) as api:
            api.plugin(plugin)
            for _ in range(spec["n"]):
                print(json.dumps(outcome(lambda: api.get(spec["path"]))), flush=True)


if __name__ == "__main__":
    main()
