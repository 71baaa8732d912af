"""`SingleFlight`: concurrent calls with the same key share one run of the work.

The first caller for a key *leads*: it runs the work. Callers that arrive while it runs
*follow*: they wait, then get the leader's outcome too (its return value, or the exception it
raised). Followers in threads block; followers in an event loop (any loop, in any thread)
await a future of their own loop, woken thread-safely. When the leader is done the key is free:
the next call leads a new run.

```
run(key) -> no run in flight for key    -> lead: run the work, share its outcome
         -> a run in flight              -> wait (block or await), then
                returned / raised        -> the same value / the same exception
                abandoned                -> run(key) again (one follower leads a new run)
         -> waiting would deadlock       -> WouldDeadlock, at once
         -> the follower's token fires   -> CancelError (the leader runs on)
```

A leader *abandons* its run when it stops with a `BaseException` that is not an `Exception`
(`asyncio.CancelledError`, `KeyboardInterrupt`, `GeneratorExit`): that is about the leader,
not the work, so its followers are not failed with it; one of them leads a new run.

Waiting would deadlock for a blocking wait on the thread the leader runs on (for instance a sync
call made on the event loop thread while an async leader runs on that loop, or a re-entrant
call), and for an awaiting wait in the leader's own task. `WouldDeadlock` lets the caller
choose: run the work itself, or fail with an error that says what to do.

Built on `concurrent.futures.Future` (thread-safe, resolved once); an awaiting follower's loop is
woken through `loop.call_soon_threadsafe`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from typing import Any, Generic, TypeVar

from ._cancel import CancelToken
from ._exceptions import CancelError
from ._pipeline import is_async_call

__all__ = ["SingleFlight", "WouldDeadlock"]

T = TypeVar("T")

_ABANDONED: Any = object()  # the outcome of a run whose leader was cancelled


class WouldDeadlock(RuntimeError):
    """Raised by `SingleFlight.run` instead of waiting where waiting could never end.

    A blocking wait on the thread the leader runs on, or an awaiting wait in the leader's own
    task. The caller decides what to do: run the work itself, or raise a clearer error.
    """


class _Flight:
    """One run in progress: where its leader runs (to refuse deadlocks), and its outcome, made
    when the first follower joins (a run nobody waits for costs no future)."""

    __slots__ = ("outcome", "task", "thread")

    def __init__(self) -> None:
        self.outcome: concurrent.futures.Future[Any] | None = None
        self.thread = threading.get_ident()
        self.task = _current_task()


class SingleFlight(Generic[T]):
    """Concurrent `run`s with the same key share one run of the work. Thread-safe.

    ```python
    import axios_python

    flights: axios_python.SingleFlight[str] = axios_python.SingleFlight()

    async def fetch_token() -> str:
        return "fresh-token"  # say, one call to an auth server

    async def main() -> str:
        return await flights.run("token", fetch_token, blocking=False)
    ```

    Used by the cache (one network call per burst of identical misses) and by the auth
    plugin (one token refresh per burst of 401s); any middleware or hook may use one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, _Flight] = {}

    def __len__(self) -> int:
        """How many keys have a run in flight."""
        return len(self._flights)

    def __contains__(self, key: object) -> bool:
        """Whether `key` has a run in flight."""
        return key in self._flights

    async def run(
        self,
        key: Hashable,
        work: Callable[[], Awaitable[T]],
        *,
        cancel_token: CancelToken | None = None,
        blocking: bool | None = None,
    ) -> T:
        """Run `work()` for `key`, or wait for the run in flight and share its outcome.

        Args:
            key: what identifies the work; runs of equal keys are shared.
            work: called by the leader only; its result (or exception) is every caller's.
            cancel_token: a follower whose token is cancelled stops waiting with
                `CancelError` (the leader is not affected).
            blocking: how a follower waits: True blocks its thread, False awaits on its event
                loop. None (the default) follows the axios_python call in progress: blocking
                in a sync call's pipeline (which runs without an event loop), awaiting in an
                `async_` call's (see `is_async_call`). Outside a call, pass it.

        Raises:
            WouldDeadlock: a follower that could only wait forever (see the module docstring).
            CancelError: the follower's `cancel_token` was cancelled while it waited.
        """
        if blocking is None:
            blocking = not is_async_call()
        while True:
            flight, outcome = self._join(key)
            if outcome is None:
                return await self._lead(key, flight, work)
            if blocking:
                _block(flight, outcome, cancel_token)
            else:
                await _await(flight, outcome, cancel_token)
            result: T = outcome.result()  # raises the leader's exception, if any
            if result is not _ABANDONED:
                return result

    def run_sync(
        self, key: Hashable, work: Callable[[], T], *, cancel_token: CancelToken | None = None
    ) -> T:
        """`run` for plain sync code: `work` is a sync callable, followers block their thread."""

        async def call() -> T:
            return work()

        return _complete(self.run(key, call, cancel_token=cancel_token, blocking=True))

    def _join(self, key: Hashable) -> tuple[_Flight, concurrent.futures.Future[Any] | None]:
        """The run in flight for `key`, and the outcome to wait for (None: the caller leads)."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = _Flight()
                return flight, None
            if flight.outcome is None:
                flight.outcome = concurrent.futures.Future()
            return flight, flight.outcome

    def _end(self, key: Hashable, flight: _Flight, result: Any) -> None:
        """Free `key`, then wake the followers (so that a new run can start at once)."""
        with self._lock:
            if self._flights.get(key) is flight:
                del self._flights[key]
            outcome = flight.outcome
        if outcome is None:
            return
        if isinstance(result, _Raised):
            outcome.set_exception(result.error)
        else:
            outcome.set_result(result)

    async def _lead(self, key: Hashable, flight: _Flight, work: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await work()
        except Exception as exc:
            self._end(key, flight, _Raised(exc))
            raise
        except BaseException:
            self._end(key, flight, _ABANDONED)
            raise
        self._end(key, flight, result)
        return result


class _Raised:
    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def _block(
    flight: _Flight, outcome: concurrent.futures.Future[Any], token: CancelToken | None
) -> None:
    """Block this thread until the run is done (or `token` is cancelled)."""
    if flight.thread == threading.get_ident():
        raise WouldDeadlock(
            "SingleFlight: a blocking wait on the thread that runs the leader would never end"
        )
    if token is None:
        concurrent.futures.wait((outcome,))
        return
    woken = threading.Event()
    outcome.add_done_callback(lambda _: woken.set())
    unsubscribe = token.subscribe(woken.set)
    try:
        woken.wait()
    finally:
        unsubscribe()
    _check(token)


async def _await(
    flight: _Flight, outcome: concurrent.futures.Future[Any], token: CancelToken | None
) -> None:
    """Await, on the running loop, until the run is done (or `token` is cancelled)."""
    if flight.task is not None and flight.task is asyncio.current_task():
        raise WouldDeadlock("SingleFlight: the leader's own task cannot wait for itself")
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def wake(*_: Any) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there any more
            loop.call_soon_threadsafe(_resolve, waiter)

    outcome.add_done_callback(wake)
    unsubscribe = token.subscribe(wake) if token is not None else None
    try:
        await waiter
    finally:
        if unsubscribe is not None:
            unsubscribe()
    _check(token)


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _check(token: CancelToken | None) -> None:
    if token is not None and token.is_cancelled:
        raise CancelError(token.reason or "Request cancelled")


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running event loop in this thread
        return None


def _complete(coro: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never suspends (a blocking `run` of sync work)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("SingleFlight.run_sync: the work suspended")  # pragma: no cover
