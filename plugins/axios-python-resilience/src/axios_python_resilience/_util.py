"""Helpers both plugins share: the key of a request, and cancellable, bounded waiting."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from axios_python import CancelError, ConfigError, resolve_url

__all__ = ["KeyFunc", "key_function", "max_wait", "sleep_async", "sleep_sync"]

KeyFunc = Callable[[dict[str, Any]], str]


def origin(config: dict[str, Any]) -> str:
    """`scheme://host:port` of the URL the request goes to."""
    url, base_url = config.get("url") or "", config.get("base_url")
    if isinstance(url, str) and (base_url is None or isinstance(base_url, str)):
        return _origin(url, base_url)  # parsing URLs is most of the cost: remembered
    return _origin_of(resolve_url(url, base_url))


@functools.lru_cache(maxsize=1024)
def _origin(url: str, base_url: str | None) -> str:
    return _origin_of(resolve_url(url, base_url))


def _origin_of(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.host}:{url.port or (443 if url.scheme == 'https' else 80)}"


def key_function(key: str | KeyFunc) -> KeyFunc:
    """`"origin"` (one limit or circuit per scheme, host and port) or a function of the
    request config returning a string."""
    if key == "origin":
        return origin
    if callable(key):
        return key
    raise ConfigError(f"key must be 'origin' or a function of the config, not {key!r}", key="key")


def max_wait(config: dict[str, Any], default: float | None) -> float | None:
    """How long a request may wait for a permit: `default` if given, else its timeout (the
    `pool` phase of an `httpx.Timeout`, which is the time to wait for a free connection)."""
    if default is not None:
        return default
    timeout = config.get("timeout")
    if timeout is None or isinstance(timeout, (int, float)):
        return None if timeout is None else float(timeout)
    if isinstance(timeout, httpx.Timeout):
        return timeout.pool
    if isinstance(timeout, Mapping):
        pool = timeout.get("pool")
        return float(pool) if isinstance(pool, (int, float)) else None
    return None


def _cancelled(token: Any, config: dict[str, Any]) -> CancelError:
    return CancelError(token.reason or "Request cancelled", config=config)


def sleep_sync(seconds: float, token: Any, config: dict[str, Any]) -> None:
    """Block this thread `seconds`; `CancelError` as soon as `token` is cancelled."""
    if token is None:
        time.sleep(seconds)
    elif token.wait(seconds):
        raise _cancelled(token, config)


async def sleep_async(seconds: float, token: Any, config: dict[str, Any]) -> None:
    """Await `seconds`; `CancelError` as soon as `token` is cancelled (from any thread)."""
    if token is None:
        await asyncio.sleep(seconds)
        return
    loop = asyncio.get_running_loop()
    woken: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not woken.done():
            woken.set_result(None)

    unsubscribe = token.subscribe(lambda: loop.call_soon_threadsafe(wake))
    try:
        await asyncio.wait((woken,), timeout=seconds)
    finally:
        unsubscribe()
        if not woken.done():
            woken.cancel()
    if token.is_cancelled:
        raise _cancelled(token, config)
