"""`RateLimitPlugin`: a rate limit per origin (or per key) that holds for every process
sharing its store.

```
attempt -> on_request: key = origin(config)
             paused key (a 429 / RateLimit said so)? -> wait until the pause ends
             limiter.hit(rate, key)?                 -> go
             else                                    -> wait until the window frees a slot
                                                        (or RateLimitError: on_limit="raise",
                                                        or the wait would pass the timeout)
        -> on_response: 429/503 + Retry-After, RateLimit remaining=0 -> pause the key for all
```

Runs per attempt (`on_request`), so retries are limited too. Waiting blocks the calling
thread on sync calls and awaits `asyncio.sleep` on async calls; the request's `CancelToken`
cuts it short (`CancelError`).
"""

from __future__ import annotations

import time
from collections.abc import Coroutine
from typing import Any, Literal

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import (
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)

from axios_python import ConfigError, Plugin, Response, is_async_call

from ._errors import RateLimitError
from ._headers import pause_seconds
from ._store import SharedState, open_storage
from ._util import KeyFunc, key_function, max_wait, sleep_async, sleep_sync

__all__ = ["RateLimitPlugin"]

_STRATEGIES: dict[str, type[RateLimiter]] = {
    "moving-window": MovingWindowRateLimiter,
    "fixed-window": FixedWindowRateLimiter,
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
}
_MIN_WAIT = 0.005  # never spin: a window's slot frees at the earliest this much later


class RateLimitPlugin(Plugin):
    """Keeps requests to each origin (or key) under `rate`, across every process sharing
    `storage`.

    Args:
        rate: a `limits` rate string: `"20/second"`, `"100 per minute"`, `"5/second;100/hour"`
            (every limit must allow the request).
        key: `"origin"` (scheme, host and port of the request's URL) or a function of the
            request config returning the key to limit.
        storage: where counters live: `"memory://"` (this process), `"redis://host:port/db"`
            (every process using that Redis; `pip install "axios-python-resilience[redis]"`),
            any other `limits` storage URL, or a `limits.storage.Storage`.
        on_limit: `"wait"` until a slot frees (cancellable, bounded by `max_wait`), or
            `"raise"` `RateLimitError` at once.
        strategy: the `limits` strategy: `"moving-window"` (exact: never more than `rate` in
            any window), `"sliding-window-counter"` (cheaper, approximate) or `"fixed-window"`.
        max_wait: the longest a request waits for a slot, in seconds (None: the request's
            timeout, its `pool` phase for an `httpx.Timeout`; no timeout: no bound). Past it:
            `RateLimitError`.
        max_pause: the longest pause a `Retry-After` or `RateLimit` header may impose.
        prefix: the prefix of the keys in the store.
        timeout: socket timeout for the store (Redis).
        retry_interval: after a store failure, seconds it is skipped (requests go unlimited).
    """

    name = "rate-limit"

    def __init__(
        self,
        rate: str = "20/second",
        *,
        key: str | KeyFunc = "origin",
        storage: str | Storage = "memory://",
        on_limit: Literal["wait", "raise"] = "wait",
        strategy: str = "moving-window",
        max_wait: float | None = None,
        max_pause: float = 300.0,
        prefix: str = "axios_python:rl:",
        timeout: float = 0.5,
        retry_interval: float = 5.0,
    ) -> None:
        try:
            self.limits: list[RateLimitItem] = _parse_rate(rate)
        except ValueError as exc:
            raise ConfigError(f"invalid rate {rate!r}: {exc}", key="rate") from exc
        if on_limit not in ("wait", "raise"):
            raise ConfigError(f"on_limit must be 'wait' or 'raise', not {on_limit!r}")
        if strategy not in _STRATEGIES:
            raise ConfigError(f"strategy must be one of {sorted(_STRATEGIES)}, not {strategy!r}")
        if max_wait is not None and max_wait < 0:
            raise ConfigError(f"max_wait must be >= 0 or None, not {max_wait!r}")
        self.rate = rate
        self.key = key_function(key)
        self.on_limit = on_limit
        self.max_wait = max_wait
        self.max_pause = max_pause
        self.state = SharedState(open_storage(storage, timeout), prefix, retry_interval)
        self.limiter = _STRATEGIES[strategy](self.state.storage)
        self.waited = 0  # requests that had to wait (in this process)

    def __repr__(self) -> str:
        return f"<RateLimitPlugin {self.rate!r} storage={self.state!r} on_limit={self.on_limit}>"

    # --- hooks ---------------------------------------------------------------------------

    def on_request(self, config: dict[str, Any]) -> Coroutine[Any, Any, None] | None:
        """Take a slot for this attempt, waiting (or raising) while there is none."""
        key = self.key(config)
        if is_async_call():
            return self._acquire_async(key, config)
        self._acquire_sync(key, config)
        return None

    def on_response(self, response: Response, config: dict[str, Any]) -> None:
        """Pause the key for everyone on `429`/`503` + `Retry-After`, or `RateLimit` at 0."""
        if response.from_cache:
            return
        pause = pause_seconds(response.status_code, response.headers)
        if pause is not None and pause > 0:
            self.pause(self.key(config), min(pause, self.max_pause))

    # --- the limit -----------------------------------------------------------------------

    def pause(self, key: str, seconds: float) -> None:
        """Stop requests for `key`, in every process sharing the store, for `seconds`."""
        self.state.set_for("pause:" + key, seconds)

    def try_acquire(self, key: str) -> float:
        """Take a slot for `key`: 0.0 when taken, else the seconds until one may free up."""
        state = self.state
        paused = state.remaining("pause:" + key)
        if paused > 0:
            return paused
        if len(self.limits) > 1:  # take a slot of each only when each has one
            for item in self.limits:
                if not state.guard(self.limiter.test, True, item, key):
                    return self._wait_for(item, key)
        for item in self.limits:
            if not state.guard(self.limiter.hit, True, item, key):
                return self._wait_for(item, key)  # taken by another caller meanwhile
        return 0.0

    def _wait_for(self, item: RateLimitItem, key: str) -> float:
        stats = self.state.guard(self.limiter.get_window_stats, None, item, key)
        if stats is None:
            return 0.0  # the store failed: fail open
        return max(stats.reset_time - time.time(), _MIN_WAIT)

    def _next_wait(self, key: str, config: dict[str, Any], waited: float) -> float:
        """0.0 to go, else how long to wait now; RateLimitError when the plugin must not."""
        wait = self.try_acquire(key)
        if wait <= 0:
            return 0.0
        if self.on_limit == "raise":
            raise RateLimitError(
                f"rate limit {self.rate!r} reached for {key}; retry in {wait:.3g} s",
                key=key,
                retry_after=wait,
                config=config,
            )
        bound = max_wait(config, self.max_wait)
        if bound is not None and waited + wait > bound:
            raise RateLimitError(
                f"rate limit {self.rate!r} for {key}: a slot frees in {wait:.3g} s, past the "
                f"{bound:g} s this request may wait",
                key=key,
                retry_after=wait,
                config=config,
            )
        if waited == 0:
            self.waited += 1
        return wait

    def _acquire_sync(self, key: str, config: dict[str, Any]) -> None:
        waited = 0.0
        while (wait := self._next_wait(key, config, waited)) > 0:
            sleep_sync(wait, config.get("cancel_token"), config)
            waited += wait

    async def _acquire_async(self, key: str, config: dict[str, Any]) -> None:
        waited = 0.0
        while (wait := self._next_wait(key, config, waited)) > 0:
            await sleep_async(wait, config.get("cancel_token"), config)
            waited += wait


def _parse_rate(rate: str) -> list[RateLimitItem]:
    if not isinstance(rate, str):
        raise ValueError("a rate is a string such as '20/second'")
    items = [parse(part) for part in rate.split(";") if part.strip()]
    if not items:
        raise ValueError("no limit in it")
    return items
