"""Run by the multi-process tests as `python cache_worker.py STORAGE BASE_URL PATH MODE [N [go]]`:
a fresh process with its own CachePlugin on STORAGE GETs BASE_URL + PATH N times (default 1)
on the sync or the async path, and prints one JSON line per response: its data and from_cache.
With `go`, it prints `ready` once set up and waits for a line on stdin before sending, so that
several processes send at the same moment.
"""

from __future__ import annotations

import asyncio
import json
import sys

from axios_python_cache import CachePlugin

import axios_python


def main() -> None:
    storage, base_url, path, mode = sys.argv[1:5]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    plugin = CachePlugin(storage=storage, ttl=60)
    if sys.argv[6:] == ["go"]:
        print("ready", flush=True)
        sys.stdin.readline()
    if mode == "async":

        async def run() -> None:
            async with axios_python.create({"base_url": base_url, "timeout": 10}) as api:
                api.plugin(plugin)
                for _ in range(n):
                    response = await api.async_get(path)
                    print(json.dumps({"data": response.data, "from_cache": response.from_cache}))

        asyncio.run(run())
    else:
        with axios_python.create({"base_url": base_url, "timeout": 10}) as api:
            api.plugin(plugin)
            for _ in range(n):
                response = api.get(path)
                print(json.dumps({"data": response.data, "from_cache": response.from_cache}))
    close = getattr(plugin.storage, "close", None)
    if close is not None:
        close()


if __name__ == "__main__":
    main()
