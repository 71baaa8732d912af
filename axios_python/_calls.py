"""What a sync call cannot do, told by structure rather than by an error's message.

A sync call runs its pipeline without an event loop (see `is_async_call`). An `async def`
callable that awaits asyncio I/O there fails inside asyncio, which finds no running loop:
`needs_event_loop(exc)` recognises that failure, so that a plugin can turn it into an error that
says what to do (use the `async_` methods, or give a sync callable).
"""

from __future__ import annotations

import asyncio

__all__ = ["needs_event_loop"]


def needs_event_loop(exc: BaseException) -> bool:
    """Whether `exc` is asyncio failing for want of a running event loop in this thread.

    True for a `RuntimeError` raised inside the asyncio package (the innermost frame of its
    traceback is asyncio's) while no event loop runs in the current thread: what
    `await asyncio.sleep(1)` raises when a sync call drives the coroutine.
    """
    if not isinstance(exc, RuntimeError) or _running_loop():
        return False
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = str(tb.tb_frame.f_globals.get("__name__", ""))
    return module == "asyncio" or module.startswith("asyncio.")


def _running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
