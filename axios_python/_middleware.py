"""Middleware: the list a client `use()`s, and the chain of coroutines built from it.

`build_chain()` wraps the endpoint (the retry loop) in the middleware in reverse, so that the
first one registered is outermost. A client's `Pipeline` builds its chains once per change of
the list (`MiddlewareStack.entries` is replaced, never mutated), not once per request.

`async def` middleware is what the README shows and what costs nothing extra: `next_fn` is the
inner chain itself. A plain `def` middleware stays supported (sync code that only reads or sets
headers need not be a coroutine), and its cost is local to `_plain_layer`: `next_fn(ctx)` runs
the rest of the chain to completion on a sync call, and returns an awaitable (`_PendingResponse`)
on an async call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from types import CodeType
from typing import TYPE_CHECKING, Any

from ._exceptions import MiddlewareError
from ._models import Response, discard

if TYPE_CHECKING:
    from ._pipeline import IO

__all__ = ["Endpoint", "Middleware", "MiddlewareStack", "build_chain"]

Endpoint = Callable[[dict[str, Any]], Coroutine[Any, Any, Response]]
Middleware = Callable[[dict[str, Any], Callable[[dict[str, Any]], Any]], Any]


class MiddlewareStack:
    """The middleware of one client, outermost first. `entries` is replaced on each change."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: tuple[Middleware, ...] = ()

    def add(self, middleware: Middleware, *, outermost: bool = False) -> None:
        if outermost:
            self.entries = (middleware, *self.entries)
        else:
            self.entries = (*self.entries, middleware)

    def remove(self, middleware: Middleware) -> None:
        self.entries = tuple(m for m in self.entries if m is not middleware)

    def names(self) -> dict[CodeType, str]:
        """The code objects of the middleware, to name one in an error."""
        known: dict[CodeType, str] = {}
        for mw in self.entries:
            code = middleware_code(mw)
            if code is not None:
                known[code] = f"middleware {middleware_name(mw)}"
        return known


def middleware_name(mw: Any) -> str:
    return getattr(mw, "__qualname__", None) or type(mw).__qualname__


def middleware_code(mw: Any) -> CodeType | None:
    func = inspect.unwrap(mw)
    code = getattr(func, "__code__", None)
    if code is None:
        code = getattr(type(func).__dict__.get("__call__"), "__code__", None)
    return code


def _is_async(mw: Any) -> bool:
    return inspect.iscoroutinefunction(mw) or inspect.iscoroutinefunction(
        type(mw).__dict__.get("__call__")
    )


def build_chain(middlewares: tuple[Middleware, ...], endpoint: Endpoint, io: IO) -> Endpoint:
    """Wrap `endpoint` in the middlewares, in reverse, so that the first one is outermost."""
    chain = endpoint
    for mw in reversed(middlewares):
        chain = _async_layer(mw, chain, io) if _is_async(mw) else _plain_layer(mw, chain, io)
    return chain


def _async_layer(mw: Middleware, inner: Endpoint, io: IO) -> Endpoint:
    """An `async def` middleware: `next_fn` is the inner chain, awaited by the middleware."""
    name = middleware_name(mw)

    async def layer(ctx: dict[str, Any]) -> Response:
        if ctx.get("stream"):
            return await _streamed(mw, ctx, inner, name, io, _as_is)
        result = await mw(ctx, inner)
        return result if type(result) is Response else _checked(result, ctx, name)

    return layer


def _plain_layer(mw: Middleware, inner: Endpoint, io: IO) -> Endpoint:
    """A plain `def` middleware: `next_fn(ctx)` gives the Response on a sync call, and an
    awaitable on an async call (the middleware returns it, or awaits it if it is async)."""
    name = middleware_name(mw)

    def next_for(endpoint: Endpoint) -> Callable[[dict[str, Any]], Any]:
        if io.is_async:
            return lambda ctx: _PendingResponse(endpoint, ctx, name)
        from ._pipeline import run_sync  # the pipeline imports this module

        return lambda ctx: run_sync(endpoint(ctx))

    plain_next = next_for(inner)

    async def layer(ctx: dict[str, Any]) -> Response:
        if ctx.get("stream"):
            return await _streamed(mw, ctx, inner, name, io, next_for)
        result = mw(ctx, plain_next)
        if inspect.isawaitable(result):
            result = await result
        return _checked(result, ctx, name)

    return layer


def _as_is(endpoint: Endpoint) -> Endpoint:
    return endpoint


async def _streamed(
    mw: Middleware,
    ctx: dict[str, Any],
    inner: Endpoint,
    name: str,
    io: IO,
    next_for: Callable[[Endpoint], Callable[[dict[str, Any]], Any]],
) -> Response:
    """A layer for a streamed response, which holds its connection until closed: one that `mw`
    does not hand on (it raised, or returned another response) is closed here."""
    seen: list[Response] = []

    async def tracked(inner_ctx: dict[str, Any]) -> Response:
        response = await inner(inner_ctx)
        seen.append(response)
        return response

    result: Response | None = None
    try:
        result = mw(ctx, next_for(tracked))
        if inspect.isawaitable(result):
            result = await result
        result = _checked(result, ctx, name)
        return result
    finally:
        for response in seen:
            if response is not result and not response.is_closed:
                await discard(response, io.is_async)


def _checked(result: Any, ctx: dict[str, Any], name: str) -> Response:
    if not isinstance(result, Response):
        hint = "; did you forget `return await next_fn(ctx)`?" if result is None else ""
        raise MiddlewareError(
            f"middleware {name} returned {type(result).__name__}, not a Response{hint}",
            config=ctx,
        )
    return result


class _PendingResponse:
    """What `next_fn(ctx)` gives a plain `def` middleware on an async call: an awaitable.

    The rest of the chain starts when it is awaited, not before: a middleware that raises, or
    returns, without awaiting it leaves no coroutine behind ("never awaited" warnings).
    """

    __slots__ = ("_ctx", "_endpoint", "_name")

    def __init__(self, endpoint: Endpoint, ctx: dict[str, Any], name: str) -> None:
        self._endpoint = endpoint
        self._ctx = ctx
        self._name = name

    def __await__(self) -> Any:
        return self._endpoint(self._ctx).__await__()

    def __getattr__(self, attr: str) -> Any:
        raise MiddlewareError(
            f"middleware {self._name} is a plain def and used the response of an async call "
            f"(.{attr}); on async calls next_fn(ctx) returns an awaitable. Make it `async def` "
            "to work on both sync and async calls."
        )
