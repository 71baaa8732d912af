"""Per-request state for attempt numbers and timings, without touching the request config.

The retry loop hands every attempt a fresh copy of the config, so the config cannot carry a
counter from one attempt to the next (and the logger does not write to it anyway). Instead a
middleware, which runs once per request outside the retry loop, puts an `Exchange` in a
`ContextVar` for the duration of the request; the per-attempt hooks find it there.

A `ContextVar` is per thread and per asyncio task, so concurrent requests (threads, tasks,
`asyncio.gather`) each see their own `Exchange`, and a request made while another one is in
flight (in an interceptor, say) gets its own and restores the outer one when it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

__all__ = ["Exchange", "new_exchange_var", "tracking_middleware"]


class Exchange:
    """One request: how many attempts have started, and when the current one started."""

    __slots__ = ("attempt", "started")

    def __init__(self) -> None:
        self.attempt = 0
        self.started: float | None = None


def new_exchange_var() -> ContextVar[Exchange | None]:
    return ContextVar("axios_python_logger_exchange", default=None)


def tracking_middleware(
    var: ContextVar[Exchange | None], logger: logging.Logger, level: int
) -> Callable[[dict[str, Any], Callable[[dict[str, Any]], Any]], Any]:
    """A middleware that gives each request its own `Exchange` while `level` is enabled."""

    async def axios_python_logger_attempts(
        ctx: dict[str, Any], next_fn: Callable[[dict[str, Any]], Any]
    ) -> Any:
        if not logger.isEnabledFor(level):
            return await next_fn(ctx)
        token = var.set(Exchange())
        try:
            return await next_fn(ctx)
        finally:
            try:
                var.reset(token)
            except ValueError:  # finished in another context than it started in
                var.set(None)

    return axios_python_logger_attempts
