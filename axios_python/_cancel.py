"""`CancelToken`: one switch that aborts every request (sync or async) it was given to.

Also what makes a request cancellable below the pipeline, for sync and async calls alike:
`run_cancellable` (an awaitable the token cancels from any thread), `sending_with` (the token
of the request this thread is sending, which a sync transport's sockets watch) and
`CancellableBody` (a streamed response body whose reads the token aborts), and `Deadline` (the
token a sync call with a total timeout sends with: cancelled at the deadline, or with the
caller's own token).

Every token timeout (`CancelToken(timeout=...)`, a `Deadline`) is kept by one shared daemon
thread (`_Scheduler`), started on first use: a heap of deadlines it sleeps on, not one
`threading.Timer` thread per token.
"""

from __future__ import annotations

import heapq
import itertools
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from ._exceptions import CancelError

__all__ = [
    "CancelToken",
    "CancellableBody",
    "Deadline",
    "current_token",
    "run_cancellable",
    "sending_with",
]

T = TypeVar("T")

_Callback = Callable[[], None]


class CancelToken:
    """A thread-safe, one-way cancel switch that may be shared by many requests.

    ```python
    token = CancelToken()              # cancelled by hand: token.cancel("user left")
    token = CancelToken(timeout=2.5)   # also cancels itself after 2.5 seconds
    ```

    A request given a token that is already cancelled fails with `CancelError` before any I/O.
    A request in flight when `cancel()` is called is aborted: its socket is shut down (sync) or
    its task cancelled (async), and back-off sleeps between retries wake at once.

    The timeouts of all tokens are kept by one shared daemon thread (not a thread per token);
    a token's subscribers run on it when its timeout fires, so they should be quick.
    """

    __slots__ = ("_callbacks", "_event", "_lock", "_reason", "_timer")

    def __init__(self, *, timeout: float | None = None) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._callbacks: dict[int, _Callback] = {}
        self._timer: _Entry | None = None
        if timeout is not None:
            if not timeout >= 0:  # NaN too
                raise ValueError("CancelToken timeout must be >= 0")
            self._timer = _SCHEDULER.call_at(
                time.monotonic() + timeout, _Timeout(self, f"timed out after {timeout}s")
            )

    @classmethod
    def after(cls, seconds: float) -> CancelToken:
        """A token that cancels itself after `seconds`."""
        return cls(timeout=seconds)

    @property
    def is_cancelled(self) -> bool:
        return self._event.is_set()

    @property
    def reason(self) -> str | None:
        return self._reason

    def cancel(self, reason: str | None = None) -> None:
        """Cancel every request holding this token. Later calls are no-ops."""
        with self._lock:
            if self._event.is_set():
                return
            self._reason = reason or "Request cancelled"
            self._event.set()
            callbacks = list(self._callbacks.values())
            self._callbacks.clear()
            timer, self._timer = self._timer, None
        if timer is not None:
            _SCHEDULER.cancel(timer)
        for callback in callbacks:
            callback()

    def throw_if_cancelled(self) -> None:
        """Raise `CancelError` if the token has been cancelled."""
        if self._event.is_set():
            raise CancelError(self._reason or "Request cancelled")

    def wait(self, seconds: float | None = None) -> bool:
        """Block until cancelled or `seconds` pass. Returns True if cancelled."""
        return self._event.wait(seconds)

    def subscribe(self, callback: _Callback) -> Callable[[], None]:
        """Call `callback` once on cancel (at once if already cancelled). Returns an unsubscriber."""
        with self._lock:
            if not self._event.is_set():
                key = id(callback)
                while key in self._callbacks:
                    key += 1
                self._callbacks[key] = callback
                return lambda: self._unsubscribe(key)
        callback()
        return _noop

    def _unsubscribe(self, key: int) -> None:
        with self._lock:
            self._callbacks.pop(key, None)

    def __repr__(self) -> str:
        state = f"cancelled, reason={self._reason!r}" if self.is_cancelled else "active"
        return f"<CancelToken {state}>"


def _noop() -> None:
    return None


class Deadline(CancelToken):
    """The token a sync call with a total timeout sends with (`_pipeline._send_before`):
    it cancels itself at `ends` (monotonic), and it is cancelled whenever `parent`, the
    caller's own token, is (then with the caller's reason).

    The link to `parent` holds no subscription of its own: `is_cancelled` and `reason` look at
    both tokens, and a callback subscribed here is subscribed to both (and called once). So a
    streamed body that keeps this token after the call returned stays cancellable by the
    caller's token, and nothing is left subscribed to it once the body's reads are done.
    """

    __slots__ = ("_parent",)

    def __init__(self, parent: CancelToken | None, ends: float) -> None:
        super().__init__()
        self._parent = parent
        self._timer = _SCHEDULER.call_at(ends, _Timeout(self, "total timeout"))

    @property
    def expired(self) -> bool:
        """Whether the deadline passed (cancelled by itself, not through `parent`)."""
        return self._event.is_set()

    def disarm(self) -> None:
        """The call is over (or its response arrived): the deadline no longer applies."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            _SCHEDULER.cancel(timer)

    @property
    def is_cancelled(self) -> bool:
        parent = self._parent
        return self._event.is_set() or (parent is not None and parent.is_cancelled)

    @property
    def reason(self) -> str | None:
        parent = self._parent
        if parent is not None and parent.is_cancelled:
            return parent.reason
        return self._reason

    def throw_if_cancelled(self) -> None:
        if self.is_cancelled:
            raise CancelError(self.reason or "Request cancelled")

    def wait(self, seconds: float | None = None) -> bool:
        if self._parent is None:
            return super().wait(seconds)
        woken = threading.Event()
        unsubscribe = self.subscribe(woken.set)
        try:
            return woken.wait(seconds)
        finally:
            unsubscribe()

    def subscribe(self, callback: _Callback) -> Callable[[], None]:
        parent = self._parent
        if parent is None:
            return super().subscribe(callback)
        once = _Once(callback)
        own = super().subscribe(once)
        theirs = parent.subscribe(once)

        def unsubscribe() -> None:
            own()
            theirs()

        return unsubscribe


class _Once:
    """A callback that runs at most once, whichever of two tokens calls it first."""

    __slots__ = ("_callback", "_gate")

    def __init__(self, callback: _Callback) -> None:
        self._callback = callback
        self._gate = threading.Lock()

    def __call__(self) -> None:
        if self._gate.acquire(blocking=False):
            self._callback()


# --- token timeouts: one scheduler thread ------------------------------------------------


class _Timeout:
    """What the scheduler calls at a token's deadline: `token.cancel(reason)`."""

    __slots__ = ("reason", "token")

    def __init__(self, token: CancelToken, reason: str) -> None:
        self.token = token
        self.reason = reason

    def __call__(self) -> None:
        self.token.cancel(self.reason)


# [when (monotonic), sequence number, callback (None once run or cancelled)]
_Entry = list[Any]
_MAX_WAIT = 3600.0  # a far deadline is waited for in steps (Condition.wait has a maximum)


class _Scheduler:
    """Runs callbacks at monotonic times on one daemon thread, started on first use.

    A heap of entries and a condition the thread waits on, until the earliest entry is due
    (forever when there is none: an idle scheduler costs nothing). A cancelled entry is only
    marked (`cancel` is O(1)); the heap is rebuilt without them when they are most of it.
    Callbacks run one after the other on the thread: they must be quick (a token's cancel
    shuts sockets down and wakes waiters). One that raises is reported by
    `threading.excepthook`, as in a `threading.Timer`, and the thread goes on.
    """

    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._heap: list[_Entry] = []
        self._dead = 0  # cancelled entries still in the heap
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def call_at(self, when: float, callback: Callable[[], None]) -> _Entry:
        entry: _Entry = [when, next(self._order), callback]
        with self._condition:
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="axios_python-timeouts", daemon=True
                )
                self._thread.start()
            elif self._heap[0] is entry:  # earlier than the one the thread waits for
                self._condition.notify()
        return entry

    def cancel(self, entry: _Entry) -> None:
        with self._condition:
            if entry[2] is None:  # run already, or cancelled
                return
            entry[2] = None
            self._dead += 1
            heap = self._heap
            if self._dead > 64 and self._dead * 2 > len(heap):
                heap[:] = [each for each in heap if each[2] is not None]
                heapq.heapify(heap)
                self._dead = 0

    def _run(self) -> None:
        while True:
            callback = self._next()
            try:
                callback()
            except Exception:
                threading.excepthook(
                    threading.ExceptHookArgs((*sys.exc_info(), threading.current_thread()))
                )
            del callback

    def _next(self) -> Callable[[], None]:
        """Wait for the earliest entry to be due, and take it out."""
        heap = self._heap
        with self._condition:
            while True:
                while heap and heap[0][2] is None:
                    heapq.heappop(heap)
                    self._dead -= 1
                if not heap:
                    self._condition.wait()
                    continue
                delay = heap[0][0] - time.monotonic()
                if delay <= 0:
                    entry = heapq.heappop(heap)
                    callback: Callable[[], None] = entry[2]
                    entry[2] = None
                    return callback
                self._condition.wait(min(delay, _MAX_WAIT))

    def reset(self) -> None:
        """In a forked child: the thread is gone, and with it the timeouts (as a
        `threading.Timer`'s would be); the lock may have been held at the fork."""
        for entry in self._heap:
            entry[2] = None
        self._start()


_SCHEDULER = _Scheduler()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_SCHEDULER.reset)


# --- below the pipeline ------------------------------------------------------------------

_current = threading.local()  # .token: the CancelToken of the request this thread is sending


def current_token() -> CancelToken | None:
    """The token of the request this thread is sending (sync calls), if it has one."""
    token: CancelToken | None = getattr(_current, "token", None)
    return token


@contextmanager
def sending_with(token: CancelToken | None) -> Iterator[None]:
    """Make `token` this thread's current token for the block (a sync transport's sockets
    shut down when it is cancelled)."""
    previous, _current.token = getattr(_current, "token", None), token
    try:
        yield
    finally:
        _current.token = previous


async def run_cancellable(coro: Coroutine[Any, Any, T], token: CancelToken) -> T:
    """Run `coro` as a child task that `token.cancel()` (from any thread) cancels."""
    import asyncio  # imported on first use: `import axios_python` stays fast

    loop = asyncio.get_running_loop()
    task = loop.create_task(coro)

    def cancel() -> None:
        loop.call_soon_threadsafe(task.cancel)

    unsubscribe = token.subscribe(cancel)
    try:
        await asyncio.wait((task,))
    except asyncio.CancelledError:  # our own task was cancelled: take the child down with it
        task.cancel()
        await asyncio.wait((task,))
        raise
    finally:
        unsubscribe()
    if task.cancelled():
        raise CancelError(token.reason or "Request cancelled")
    return task.result()


class CancellableBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A streamed response body whose every read `token.cancel()` aborts with `CancelError`
    (as `CancelToken(timeout=...)` promises to bound a download); closing it then discards
    the connection. Sync reads run with the token current (`sending_with`), so a cancel shuts
    the socket down; async reads run as a task the cancel cancels."""

    def __init__(self, inner: Any, token: CancelToken, config: dict[str, Any]) -> None:
        self._inner = inner
        self._token = token
        self._config = config

    def _error(self) -> CancelError:
        return CancelError(self._token.reason or "Request cancelled", config=self._config)

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._inner)
        while True:
            if self._token.is_cancelled:
                raise self._error()
            try:
                with sending_with(self._token):
                    chunk = next(chunks)
            except StopIteration:
                return
            except Exception as exc:
                if self._token.is_cancelled:
                    raise self._error() from exc
                raise
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._inner.__aiter__()
        while True:
            if self._token.is_cancelled:
                raise self._error()
            try:
                chunk = await run_cancellable(_next_chunk(chunks), self._token)
            except CancelError as exc:
                exc.config = self._config
                raise
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        self._inner.close()

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _next_chunk(chunks: Any) -> bytes | None:
    """The next chunk, or None at the end (a task may not raise StopAsyncIteration)."""
    try:
        chunk: bytes = await chunks.__anext__()
    except StopAsyncIteration:
        return None
    return chunk
