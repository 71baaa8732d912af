"""`CancelToken`: one switch that aborts every request (sync or async) it was given to."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ._exceptions import CancelError

__all__ = ["CancelToken"]

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
