"""One token refresh at a time, shared by every request that got 401 with the same credentials.

Pure coordination, no I/O: the middleware does the refreshing and the waiting. A request whose
attempt was rejected calls `begin(generation_it_sent)` and gets one of:

```
RETRY   the credentials changed since that attempt was made: retry with the current ones
LEAD    no refresh is running for those credentials: run it, then call finish(flight, ...)
WAIT    a refresh is running: wait for its Flight (threads block, tasks await), then
          REFRESHED -> retry     GAVE_UP -> keep the 401     FAILED -> raise
          ABANDONED (the leader was cancelled) -> begin() again
```

`finish(..., REFRESHED, credentials)` installs the new credentials (a higher generation) before
releasing the waiters, so a retry always sees them. The lock is held for a few assignments only,
never during a refresh, so threads and tasks (of any event loop) share one coordinator.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import threading

from ._credentials import Credentials

__all__ = ["Action", "Flight", "Outcome", "RefreshCoordinator"]


class Action(enum.Enum):
    RETRY = "retry"
    LEAD = "lead"
    WAIT = "wait"


class Outcome(enum.Enum):
    REFRESHED = "refreshed"
    GAVE_UP = "gave up"
    FAILED = "failed"
    ABANDONED = "abandoned"


class Flight:
    """One refresh in progress. Resolved once; waiters are threads or tasks of any loop.

    `loop` is the event loop of an async leader (None for a sync one): a sync call made on that
    same loop must not block waiting for it.
    """

    __slots__ = ("_done", "_lock", "_waiters", "error", "loop", "outcome")

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop
        self.outcome = Outcome.ABANDONED
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] | None = []

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def resolve(self, outcome: Outcome, error: BaseException | None = None) -> None:
        """Record the outcome and wake every waiter (idempotent: the first call wins)."""
        with self._lock:
            waiters = self._waiters
            if waiters is None:
                return
            self._waiters = None
            self.outcome = outcome
            self.error = error
        self._done.set()
        for loop, future in waiters:
            _wake_threadsafe(loop, future)

    def wait(self, timeout: float | None = None) -> Outcome:
        """Block this thread until resolved."""
        self._done.wait(timeout)
        return self.outcome

    async def wait_async(self) -> Outcome:
        """Await resolution without blocking the running loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._waiters is None:
                return self.outcome
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, future))
        await future
        return self.outcome


def _wake_threadsafe(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
    with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits there any more
        loop.call_soon_threadsafe(_wake, future)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class RefreshCoordinator:
    """Holds the current `Credentials` and the refresh in flight, if any."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self._lock = threading.Lock()
        self._flight: Flight | None = None
        self.refreshes = 0  # refreshes started, for stats and tests

    def begin(
        self, sent_generation: int, loop: asyncio.AbstractEventLoop | None = None
    ) -> tuple[Action, Flight | None]:
        """What a request whose `sent_generation` credentials were rejected should do now."""
        with self._lock:
            if self.credentials.generation != sent_generation:
                return Action.RETRY, None
            flight = self._flight
            if flight is not None:
                return Action.WAIT, flight
            self._flight = flight = Flight(loop)
            self.refreshes += 1
            return Action.LEAD, flight

    def finish(
        self,
        flight: Flight,
        outcome: Outcome,
        credentials: Credentials | None = None,
        error: BaseException | None = None,
    ) -> None:
        """End the leader's refresh: install `credentials` (for REFRESHED), then wake waiters."""
        with self._lock:
            if credentials is not None:
                self.credentials = credentials
            if self._flight is flight:
                self._flight = None
        flight.resolve(outcome, error)
