"""Single-flight: concurrent identical misses make one network call.

The first miss for a key becomes the *leader* and goes to the network; the misses that arrive
while it is in flight *wait* until it is done, then look the cache up again (a hit, unless the
response was not storable or varies on a header they send differently: then they go to the
network themselves). Sync callers block their own thread on a `threading.Event`; async callers
await a future of their own event loop, woken thread-safely. So threads and tasks, on any
number of loops, wait for one another.

A caller never waits where waiting could deadlock: a sync call in the leader's own thread (for
instance a sync call made on the event loop thread while an async leader runs on that loop), or
an async call inside the leader's own task. It goes to the network instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import Callable
from typing import Any

import axios_python
from axios_python import CancelError

__all__ = ["Flight", "SingleFlight", "in_async_call"]

_CO_COROUTINE = inspect.CO_COROUTINE


def in_async_call() -> bool:
    """True inside an `async_` call's pipeline; False inside a sync call's (no event loop)."""
    return axios_python.is_async_call()


class Flight:
    """One in-flight miss: who leads it, and the wake-up callbacks of those waiting."""

    __slots__ = ("callbacks", "done", "task", "thread")

    def __init__(self) -> None:
        self.callbacks: list[Callable[[], None]] = []
        self.done = False
        self.thread = threading.get_ident()
        try:
            self.task: asyncio.Task[Any] | None = asyncio.current_task()
        except RuntimeError:
            self.task = None


class SingleFlight:
    """The flights in progress, by key. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[str, Flight] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def join(self, key: str) -> tuple[Flight, bool]:
        """The flight for `key`, and whether the caller leads it (it started it)."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is not None:
                return flight, False
            flight = self._flights[key] = Flight()
            return flight, True

    def release(self, key: str, flight: Flight) -> None:
        """The leader is done (whatever the outcome): wake every waiter."""
        with self._lock:
            flight.done = True
            if self._flights.get(key) is flight:
                del self._flights[key]
            callbacks, flight.callbacks = flight.callbacks, []
        for callback in callbacks:
            callback()

    def _subscribe(self, flight: Flight, callback: Callable[[], None]) -> bool:
        with self._lock:
            if flight.done:
                return False
            flight.callbacks.append(callback)
            return True

    def wait_sync(self, flight: Flight, token: Any, config: dict[str, Any]) -> bool:
        """Block until the leader is done. False when waiting could deadlock (not waited)."""
        if flight.thread == threading.get_ident():
            return False
        event = threading.Event()
        if not self._subscribe(flight, event.set):
            return True
        unsubscribe = token.subscribe(event.set) if token is not None else None
        try:
            event.wait()
        finally:
            if unsubscribe is not None:
                unsubscribe()
        _check_cancelled(token, config)
        return True

    async def wait_async(self, flight: Flight, token: Any, config: dict[str, Any]) -> bool:
        """Await the leader. False when waiting could deadlock (not waited)."""
        if flight.task is not None and flight.task is asyncio.current_task():
            return False
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def resolve() -> None:
            if not future.done():
                future.set_result(None)

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(resolve)

        if not self._subscribe(flight, wake):
            return True
        unsubscribe = token.subscribe(wake) if token is not None else None
        try:
            await future
        finally:
            if unsubscribe is not None:
                unsubscribe()
        _check_cancelled(token, config)
        return True


def _check_cancelled(token: Any, config: dict[str, Any]) -> None:
    if token is not None and token.is_cancelled:
        raise CancelError(token.reason or "Request cancelled", config=config)


async def lead_across_processes(
    leases: Any,
    key: str,
    ctx: dict[str, Any],
    next_fn: Callable[..., Any],
    hit: Callable[[], Any],
) -> Any:
    """Single-flight across processes, for the leader of this process's flight.

    `leases` (a shared storage's, see `RedisStorage.leases`) is asked for the lease of `key`:
    with it, this process goes to the network and gives it back; without it (another process
    led, and is done or its lease expired), the cache is looked up again (`hit()`), and only a
    miss goes to the network.
    """
    token = ctx.get("cancel_token")

    def cancelled() -> bool:
        return token is not None and token.is_cancelled

    if in_async_call():
        lease = await leases.acquire_async(key, cancelled)
    else:
        lease = leases.acquire_sync(key, cancelled)
    if lease is None:
        _check_cancelled(token, ctx)
        response = hit()
        if response is not None:
            return response
        return await next_fn(ctx)
    try:
        return await next_fn(ctx)
    finally:
        leases.release(key, lease)
