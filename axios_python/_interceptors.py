"""Interceptors: synchronous functions around the whole call, as in axios.

Both request and response interceptors run in the order they were registered. (axios runs
*request* interceptors in reverse registration order; we follow the seed README instead.)

A chain holds a current value or a current error. A handler pair `(on_fulfilled, on_rejected)`
sees the value through `on_fulfilled`, or the error through `on_rejected`. Returning a value
recovers (a rejected handler may return a `Response`); raising, or a rejected handler returning
None, passes the error on. A fulfilled handler returning None keeps the (mutated) value.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

__all__ = ["InterceptorManager", "Interceptors"]

T = TypeVar("T")


class Handler(NamedTuple):
    id: int
    fulfilled: Callable[[Any], Any] | None
    rejected: Callable[[Any], Any] | None


class InterceptorManager(Generic[T]):
    """`use()`, `eject()`, `clear()` for one side (request or response)."""

    def __init__(self) -> None:
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self.handlers: tuple[Handler, ...] = ()  # replaced, never mutated: safe to iterate

    def use(
        self,
        on_fulfilled: Callable[[T], T | None] | None = None,
        on_rejected: Callable[[BaseException], Any] | None = None,
    ) -> int:
        """Register a handler pair; returns an id for `eject()`."""
        if on_fulfilled is not None and not callable(on_fulfilled):
            raise TypeError("on_fulfilled must be callable")
        if on_rejected is not None and not callable(on_rejected):
            raise TypeError("on_rejected must be callable")
        with self._lock:
            handler_id = next(self._ids)
            self.handlers = (*self.handlers, Handler(handler_id, on_fulfilled, on_rejected))
        return handler_id

    def eject(self, handler_id: int) -> None:
        """Remove the handler pair registered under `handler_id` (unknown ids are ignored)."""
        with self._lock:
            self.handlers = tuple(h for h in self.handlers if h.id != handler_id)

    def clear(self) -> None:
        with self._lock:
            self.handlers = ()

    def __len__(self) -> int:
        return len(self.handlers)

    def copy(self) -> InterceptorManager[T]:
        clone: InterceptorManager[T] = InterceptorManager()
        clone.handlers = self.handlers
        clone._ids = itertools.count(max((h.id for h in self.handlers), default=-1) + 1)
        return clone


def run_chain(handlers: tuple[Handler, ...], value: Any, error: BaseException | None) -> Any:
    """Thread `value` (or `error`) through the handlers; return the final value or raise."""
    for _, fulfilled, rejected in handlers:
        if error is None:
            if fulfilled is not None:  # `_step` written out: the path every call takes
                try:
                    result = fulfilled(value)
                except Exception as exc:
                    error = exc
                else:
                    if result is not None:
                        value = result
        elif rejected is not None:
            value, error = _step(rejected, error, value, error)
    if error is not None:
        raise error
    return value


def _step(
    handler: Callable[[Any], Any], argument: Any, value: Any, error: BaseException | None
) -> tuple[Any, BaseException | None]:
    """One handler: a result becomes the value (a rejected handler recovers), None keeps the
    current value or error ("not handled"), raising makes that the error."""
    try:
        result = handler(argument)
    except Exception as exc:
        return value, exc
    if result is None:
        return value, error
    return result, None


class Interceptors:
    """`api.interceptors.request` and `api.interceptors.response`."""

    def __init__(self) -> None:
        self.request: InterceptorManager[dict[str, Any]] = InterceptorManager()
        self.response: InterceptorManager[Any] = InterceptorManager()
