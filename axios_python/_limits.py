"""`ConnectionLimiter`: a fair (first come, first served) limit on the exchanges a transport
has in flight, in front of its connection pool.

Why: httpcore assigns pooled connections to waiting requests in time quadratic in the number
of waiters, and aiohttp's queue is not FIFO; with 1,000 concurrent calls on a pool of 100 the
default transport stalled (0 of 20,000 requests in 150 s) and aiohttp's p99 grew to seconds.
With the limiter, the pool never sees more requests than it has connections, waiters are served
in arrival order, and the wait is the `pool` timeout (`TimeoutError(phase="pool")`), cancellable
by a `CancelToken` on sync calls too.

A slot is held for the whole exchange: until the body is read, or, for a streamed response,
until it is closed. A streamed response dropped without `close()` gives its slot and its
connection back when it is garbage-collected, with a `ResourceWarning`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
import warnings
import weakref
from typing import TYPE_CHECKING, Any

import httpx

from ._exceptions import CancelError, TimeoutError
from ._streams import Wrapped

if TYPE_CHECKING:
    from ._cancel import CancelToken

__all__ = ["ConnectionLimiter"]


class ConnectionLimiter:
    """At most `limit` exchanges at once (None: no limit), granted in arrival order.

    Sync calls wait in `acquire()`, async calls in `acquire_async()` (one queue per event
    loop: async connections belong to their loop). Transports call `release_when_closed(raw)`
    (or `release()`/`release_async()` after a failure) once the exchange has its response.
    """

    def __init__(self, limit: int | None) -> None:
        if limit is not None and limit < 1:
            raise ValueError("limit must be >= 1 or None")
        self.limit = limit
        self._lock = threading.Lock()
        self._free = limit or 0
        self._waiters: collections.deque[_Waiter] = collections.deque()
        # Slots per event loop, held weakly: a loop that ended takes its slots with it.
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _AsyncSlots] = (
            weakref.WeakKeyDictionary()
        )
        self._last: tuple[weakref.ref[asyncio.AbstractEventLoop], _AsyncSlots] | None = None

    # --- sync ----------------------------------------------------------------------------

    def acquire(self, timeout: float | None, token: CancelToken | None = None) -> None:
        """Wait for a slot: `TimeoutError(phase="pool")` after `timeout` seconds, `CancelError`
        as soon as `token` is cancelled."""
        if self.limit is None:
            return
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return
            waiter = _Waiter()
            self._waiters.append(waiter)
        unsubscribe = token.subscribe(waiter.event.set) if token is not None else None
        try:
            waiter.event.wait(timeout)
        finally:
            if unsubscribe is not None:
                unsubscribe()
        with self._lock:
            granted = waiter.granted
            if not granted:
                self._waiters.remove(waiter)
        if token is not None and token.is_cancelled:
            if granted:
                self.release()
            raise CancelError(token.reason or "Request cancelled")
        if not granted:
            raise _pool_timeout(timeout)

    def release(self) -> None:
        """Give a sync slot back: to the longest waiter, if any."""
        if self.limit is None:
            return
        with self._lock:
            if self._waiters:
                waiter = self._waiters.popleft()
                waiter.granted = True
                waiter.event.set()
            else:
                self._free += 1

    # --- async ---------------------------------------------------------------------------

    def _slots(self) -> _AsyncSlots:
        loop = asyncio.get_running_loop()
        last = self._last
        if last is not None and last[0]() is loop:  # the loop of the previous call: most calls
            return last[1]
        slots = self._loops.get(loop)
        if slots is None:
            with self._lock:
                slots = self._loops.setdefault(loop, _AsyncSlots(self.limit or 1))
        self._last = (weakref.ref(loop), slots)
        return slots

    async def acquire_async(self, timeout: float | None) -> None:
        """Wait for a slot of the running loop: `TimeoutError(phase="pool")` after `timeout`."""
        if self.limit is not None:
            await self._slots().acquire(timeout)

    def release_async(self) -> None:
        """Give an async slot of the running loop back."""
        if self.limit is not None:
            self._slots().release()

    # --- holding a slot for a response's lifetime ------------------------------------------

    def release_when_closed(self, raw: httpx.Response, *, is_async: bool) -> None:
        """Release the slot now if `raw` is read in full, else when its stream is closed (or
        collected unclosed, with a `ResourceWarning`)."""
        if self.limit is None:
            return
        if raw.is_closed or raw.is_stream_consumed:
            self._release(is_async, None)
            return
        raw.stream = _Held(raw.stream, self, asyncio.get_running_loop() if is_async else None)

    def _release(self, is_async: bool, loop: asyncio.AbstractEventLoop | None) -> None:
        if not is_async:
            self.release()
            return
        if loop is None:
            self.release_async()
            return
        slots = self._loops.get(loop)
        if slots is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            slots.release()
        else:
            loop.call_soon_threadsafe(slots.release)

    def __repr__(self) -> str:
        return f"ConnectionLimiter(limit={self.limit})"


class _AsyncSlots:
    """The slots of one event loop: a FIFO of futures (a slot is handed to the next waiter,
    never barged). One timer at a time, for the earliest deadline, expires waiters: a timer
    per waiter cost a quarter of the throughput with 1,000 of them queued."""

    __slots__ = ("free", "timer", "timer_at", "waiters")

    def __init__(self, limit: int) -> None:
        self.free = limit
        self.waiters: collections.deque[tuple[asyncio.Future[None], float | None, float]] = (
            collections.deque()
        )
        self.timer: asyncio.TimerHandle | None = None
        self.timer_at = 0.0

    async def acquire(self, timeout: float | None) -> None:
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return
        loop = asyncio.get_running_loop()  # not kept: the limiter holds its loops weakly
        waiter: asyncio.Future[None] = loop.create_future()
        if timeout is None:
            self.waiters.append((waiter, None, 0.0))
        else:
            deadline = loop.time() + timeout
            self.waiters.append((waiter, deadline, timeout))
            if self.timer is None or deadline < self.timer_at:
                self._schedule(deadline)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # granted, then cancelled before it could be used: pass it on
            raise

    def _schedule(self, when: float) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_at(when, self._expire)
        self.timer_at = when

    def _expire(self) -> None:
        self.timer = None
        now = asyncio.get_running_loop().time()
        earliest: float | None = None
        for waiter, deadline, timeout in self.waiters:
            if deadline is None or waiter.done():
                continue
            if deadline <= now:
                waiter.set_exception(_pool_timeout(timeout))
            elif earliest is None or deadline < earliest:
                earliest = deadline
        if earliest is not None:
            self._schedule(earliest)

    def release(self) -> None:
        waiters = self.waiters
        while waiters:
            waiter = waiters.popleft()[0]
            if not waiter.done():  # skip the timed-out and cancelled ones
                waiter.set_result(None)
                return
        self.free += 1


class _Waiter:
    __slots__ = ("event", "granted")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.granted = False


def _pool_timeout(timeout: float | None) -> TimeoutError:
    return TimeoutError(
        f"pool timeout: no connection free after {timeout}s (timeout={{'pool': ...}}, limits)",
        phase="pool",
    )


_DROPPED = (
    "a streamed response was garbage-collected without close(): its connection is released "
    "now; close it (with `with`/`async with`) to release it at once"
)


class _Held(Wrapped):
    """A response stream holding a limiter slot until closed: a sync one (`loop` None), or an
    async one whose slot belongs to `loop`. Collected unclosed, it warns and releases."""

    def __init__(
        self, inner: Any, limiter: ConnectionLimiter, loop: asyncio.AbstractEventLoop | None
    ) -> None:
        super().__init__(inner)
        self._limiter: ConnectionLimiter | None = limiter
        self._loop = loop

    def closed(self) -> None:
        self._release()

    def _release(self) -> None:
        limiter, self._limiter = self._limiter, None
        if limiter is not None:
            limiter._release(self._loop is not None, self._loop)

    def __del__(self) -> None:
        if self._limiter is None:
            return
        warnings.warn(_DROPPED, ResourceWarning, stacklevel=1)
        loop = self._loop
        if loop is None:
            self.close()
        elif loop.is_closed():
            self._limiter = None
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(lambda: loop.create_task(self._aclose_later()))

    async def _aclose_later(self) -> None:
        await self.aclose()
