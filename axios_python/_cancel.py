"""`CancelToken`: one switch that aborts every request (sync or async) it was given to.

Also what makes a request cancellable below the pipeline, for sync and async calls alike:
`run_cancellable` (an awaitable the token cancels from any thread), `sending_with` (the token
of the request this thread is sending, which a sync transport's sockets watch) and
`CancellableBody` (a streamed response body whose reads the token aborts).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from ._exceptions import CancelError

__all__ = ["CancelToken", "CancellableBody", "current_token", "run_cancellable", "sending_with"]

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
    """

    __slots__ = ("_callbacks", "_event", "_lock", "_reason", "_timer")

    def __init__(self, *, timeout: float | None = None) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._callbacks: dict[int, _Callback] = {}
        self._timer: threading.Timer | None = None
        if timeout is not None:
            if timeout < 0:
                raise ValueError("CancelToken timeout must be >= 0")
            self._timer = threading.Timer(
                timeout, self.cancel, kwargs={"reason": f"timed out after {timeout}s"}
            )
            self._timer.daemon = True
            self._timer.start()

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
            timer.cancel()
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
