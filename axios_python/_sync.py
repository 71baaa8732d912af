"""`run_sync`: drive a coroutine that never suspends on real I/O, without an event loop.

The request flow is written once, as coroutines. Async calls await it; sync calls drive it
with `run_sync`: the only I/O is a transport's blocking call, which completes inside a single
`coroutine.send(None)`. Something that truly suspends on asyncio I/O during a sync call (a
middleware awaiting `aiohttp`, say) cannot complete there, so it raises `MiddlewareError` (or
`PluginError`) naming the function. Used by the pipeline and by the exchange below it, so it
lives apart from both.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from types import CodeType, TracebackType
from typing import Any, TypeVar

from ._calls import needs_event_loop
from ._exceptions import AxiosPythonError, MiddlewareError, PluginError

__all__ = ["run_sync"]

T = TypeVar("T")
Names = Callable[[], dict[CodeType, str]]


def run_sync(coro: Coroutine[Any, Any, T], names: Names | None = None) -> T:
    """Run a coroutine that never suspends on real I/O to completion, without an event loop.

    `names` maps code objects to the middleware or plugin they belong to, to name the culprit
    when something awaited asyncio I/O."""
    try:
        while coro.send(None) is None:  # a bare `yield` (asyncio.sleep(0)) just resumes
            pass
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    except RuntimeError as exc:
        if needs_event_loop(exc):  # asyncio found no running loop: told by structure
            raise _suspended_error(_deepest_named(exc.__traceback__, names)) from exc
        raise
    culprit = _awaiting(coro, names)
    coro.close()
    raise _suspended_error(culprit)


def _suspended_error(culprit: str) -> AxiosPythonError:
    message = (
        f"{culprit} awaited asyncio I/O during a sync call, which runs without an event loop. "
        "Call the async_ method instead, or keep that I/O out of the sync path."
    )
    if culprit.startswith("plugin "):
        return PluginError(message, plugin=culprit.removeprefix("plugin "), hook="?")
    return MiddlewareError(message)


def _awaiting(coro: Any, names: Names | None) -> str:
    """The registered function deepest in the chain of coroutines `coro` is suspended in."""
    known = names() if names else {}
    culprit = "a middleware or plugin"
    while coro is not None and hasattr(coro, "cr_code"):
        culprit = known.get(coro.cr_code, culprit)
        coro = coro.cr_await
    return culprit


def _deepest_named(tb: TracebackType | None, names: Names | None) -> str:
    known = names() if names else {}
    culprit = "a middleware or plugin"
    while tb is not None:
        culprit = known.get(tb.tb_frame.f_code, culprit)
        tb = tb.tb_next
    return culprit
