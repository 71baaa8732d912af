"""Middleware: onion order, async and plain def on both paths, contract errors, retries."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from axios_python import (
    AxiosPython,
    FixedBackoff,
    MiddlewareError,
    MockTransport,
    Request,
    Response,
)

Next = Callable[[dict[str, Any]], Any]


def make_client() -> tuple[AxiosPython, MockTransport]:
    """A client whose transport echoes the request's headers."""

    def handler(request: Request) -> Response:
        return Response(200, data={"headers": dict(request.headers)})

    transport = MockTransport(handler)
    return AxiosPython({"base_url": "http://example.test"}, transport=transport), transport


def test_onion_order_sync() -> None:
    """The first registered middleware is outermost: enters first, exits last."""
    api, _ = make_client()
    events: list[str] = []

    def make(name: str) -> Callable[[dict[str, Any], Next], Awaitable[Response]]:
        async def middleware(ctx: dict[str, Any], next_fn: Next) -> Response:
            events.append(f"enter {name}")
            response = await next_fn(ctx)
            events.append(f"exit {name}")
            return response  # type: ignore[no-any-return]

        return middleware

    for name in ("a", "b", "c"):
        api.use(make(name))
    api.get("/x")
    assert events == ["enter a", "enter b", "enter c", "exit c", "exit b", "exit a"]


@pytest.mark.anyio
async def test_onion_order_async_with_mixed_kinds() -> None:
    """On async calls, async def and plain def middleware nest in registration order too."""
    api, _ = make_client()
    events: list[str] = []

    async def outer(ctx: dict[str, Any], next_fn: Next) -> Response:
        events.append("enter outer")
        response = await next_fn(ctx)
        events.append("exit outer")
        return response  # type: ignore[no-any-return]

    def middle(ctx: dict[str, Any], next_fn: Next) -> Any:
        events.append("enter middle")
        return next_fn(ctx)

    async def inner(ctx: dict[str, Any], next_fn: Next) -> Response:
        events.append("enter inner")
        response = await next_fn(ctx)
        events.append("exit inner")
        return response  # type: ignore[no-any-return]

    api.use(outer)
    api.use(middle)
    api.use(inner)
    await api.async_get("/x")
    assert events == ["enter outer", "enter middle", "enter inner", "exit inner", "exit outer"]


async def add_header(ctx: dict[str, Any], next_fn: Next) -> Response:
    ctx["headers"]["X-Middleware"] = "async"
    response: Response = await next_fn(ctx)
    response.data["seen_by"] = "add_header"
    return response


def test_async_middleware_on_sync_call() -> None:
    """An async def middleware works on a sync call."""
    api, transport = make_client()
    api.use(add_header)
    response = api.get("/x")
    assert transport.requests[0].headers["X-Middleware"] == "async"
    assert response.data["seen_by"] == "add_header"


@pytest.mark.anyio
async def test_async_middleware_on_async_call() -> None:
    """The same async def middleware works on an async call."""
    api, transport = make_client()
    api.use(add_header)
    response = await api.async_get("/x")
    assert transport.requests[0].headers["X-Middleware"] == "async"
    assert response.data["seen_by"] == "add_header"


def test_plain_middleware_on_sync_call_gets_a_response() -> None:
    """On a sync call, a plain def middleware's next_fn returns the Response itself."""
    api, _ = make_client()
    statuses: list[int] = []

    def plain(ctx: dict[str, Any], next_fn: Next) -> Response:
        response = next_fn(ctx)
        assert isinstance(response, Response)
        statuses.append(response.status_code)
        return response

    api.use(plain)
    assert api.get("/x").status_code == 200
    assert statuses == [200]


@pytest.mark.anyio
async def test_plain_middleware_returning_next_fn_on_async_call() -> None:
    """On an async call, `return next_fn(ctx)` from a plain def middleware works."""
    api, transport = make_client()

    def passthrough(ctx: dict[str, Any], next_fn: Next) -> Any:
        ctx["headers"]["X-Plain"] = "1"
        return next_fn(ctx)

    api.use(passthrough)
    response = await api.async_get("/x")
    assert response.status_code == 200
    assert transport.requests[0].headers["X-Plain"] == "1"


@pytest.mark.anyio
async def test_plain_middleware_touching_response_on_async_call() -> None:
    """A plain def that reads .status_code of next_fn's result on an async call fails, naming it."""
    api, transport = make_client()

    def inspects_status(ctx: dict[str, Any], next_fn: Next) -> Any:
        response = next_fn(ctx)
        if response.status_code == 200:
            return response
        return response

    api.use(inspects_status)
    with pytest.raises(MiddlewareError) as info:
        await api.async_get("/x")
    message = str(info.value)
    assert "inspects_status" in message
    assert ".status_code" in message
    assert "async def" in message
    assert transport.requests == []


@pytest.mark.anyio
async def test_plain_middleware_raising_before_awaiting_leaves_no_coroutine() -> None:
    """A plain def that calls next_fn(ctx) on an async call and then raises: its error, no
    request sent, and no "coroutine was never awaited" warning from the unstarted chain."""
    api, transport = make_client()

    def gives_up(ctx: dict[str, Any], next_fn: Next) -> Any:
        next_fn(ctx)
        raise LookupError("gave up")

    api.use(gives_up)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(LookupError, match="gave up"):
            await api.async_get("/x")
        gc.collect()
    assert [str(w.message) for w in caught] == []
    assert transport.requests == []


def test_middleware_returning_none_sync() -> None:
    """A middleware that returns None is a MiddlewareError with a hint."""
    api, _ = make_client()

    async def forgetful(ctx: dict[str, Any], next_fn: Next) -> None:
        await next_fn(ctx)

    api.use(forgetful)
    with pytest.raises(MiddlewareError) as info:
        api.get("/x")
    assert "forgetful" in str(info.value)
    assert "return await next_fn(ctx)" in str(info.value)
    assert info.value.config is not None
    assert info.value.config["url"] == "/x"


@pytest.mark.anyio
async def test_middleware_returning_none_async() -> None:
    """The same on async calls, for a plain def middleware too."""
    api, _ = make_client()

    def plain_forgetful(ctx: dict[str, Any], next_fn: Next) -> None:
        return None

    api.use(plain_forgetful)
    with pytest.raises(MiddlewareError, match="plain_forgetful returned None"):
        await api.async_get("/x")


async def slow_middleware(ctx: dict[str, Any], next_fn: Next) -> Response:
    await asyncio.sleep(0.01)
    return await next_fn(ctx)  # type: ignore[no-any-return]


def test_real_asyncio_io_on_sync_call_without_loop() -> None:
    """Awaiting real asyncio I/O in a sync call (no loop running) names the middleware."""
    api, transport = make_client()
    api.use(slow_middleware)
    with pytest.raises(MiddlewareError) as info:
        api.get("/x")
    assert "slow_middleware" in str(info.value)
    assert "async_" in str(info.value)
    assert transport.requests == []


def sync_get(api: AxiosPython) -> Response:
    """A plain function making a sync call, to be called from inside a running loop."""
    return api.get("/x")


@pytest.mark.anyio
async def test_real_asyncio_io_on_sync_call_inside_running_loop() -> None:
    """A sync call made from inside a running loop also names the middleware, and does not hang."""
    api, transport = make_client()
    api.use(slow_middleware)
    with pytest.raises(MiddlewareError) as info:
        sync_get(api)
    assert "slow_middleware" in str(info.value)
    assert transport.requests == []
    # The loop is still healthy afterwards, and the async path works with the same middleware.
    await asyncio.sleep(0.02)
    assert (await api.async_get("/x")).status_code == 200


def test_real_asyncio_io_names_the_inner_middleware() -> None:
    """With several middlewares, the one that suspended is named, not the outermost."""
    api, _ = make_client()

    async def innocent(ctx: dict[str, Any], next_fn: Next) -> Response:
        return await next_fn(ctx)  # type: ignore[no-any-return]

    api.use(innocent)
    api.use(slow_middleware)
    with pytest.raises(MiddlewareError) as info:
        api.get("/x")
    assert "slow_middleware" in str(info.value)
    assert "innocent" not in str(info.value)


def test_sleep_zero_is_fine_on_sync_calls() -> None:
    """`await asyncio.sleep(0)` only yields, so it works on sync calls."""
    api, transport = make_client()

    async def yielding(ctx: dict[str, Any], next_fn: Next) -> Response:
        await asyncio.sleep(0)
        response: Response = await next_fn(ctx)
        await asyncio.sleep(0)
        return response

    api.use(yielding)
    assert api.get("/x").status_code == 200
    assert len(transport.requests) == 1


def test_middleware_headers_reach_the_server(api: AxiosPython) -> None:
    """A header set by a middleware is sent over a real socket."""

    async def trace(ctx: dict[str, Any], next_fn: Next) -> Response:
        ctx["headers"]["X-Trace-Id"] = "trace-123"
        return await next_fn(ctx)  # type: ignore[no-any-return]

    api.use(trace)
    assert api.get("/headers").data["headers"]["X-Trace-Id"] == "trace-123"


@pytest.mark.anyio
async def test_middleware_headers_reach_the_server_async(aapi: AxiosPython) -> None:
    """The same on async calls."""

    def trace(ctx: dict[str, Any], next_fn: Next) -> Any:
        ctx["headers"]["X-Trace-Id"] = "trace-456"
        return next_fn(ctx)

    aapi.use(trace)
    response = await aapi.async_get("/headers")
    assert response.data["headers"]["X-Trace-Id"] == "trace-456"


def test_middleware_may_modify_url_and_params() -> None:
    """Changes to ctx (url, params) shape the request that is sent."""
    api, transport = make_client()

    async def rewrite(ctx: dict[str, Any], next_fn: Next) -> Response:
        ctx["url"] = "/rewritten"
        ctx["params"] = {"v": "2"}
        return await next_fn(ctx)  # type: ignore[no-any-return]

    api.use(rewrite)
    api.get("/original")
    assert transport.requests[0].url.path == "/rewritten"
    assert dict(transport.requests[0].url.params) == {"v": "2"}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_middleware_may_replace_the_response(mode: str) -> None:
    """A middleware may answer without calling next_fn (a cache hit): the transport is skipped."""
    api, transport = make_client()
    canned = Response(200, data={"cached": True})

    async def cache(ctx: dict[str, Any], next_fn: Next) -> Response:
        return canned

    api.use(cache)
    response = api.get("/x") if mode == "sync" else asyncio.run(api.async_get("/x"))
    assert response is canned
    assert transport.requests == []


def test_middleware_may_replace_the_response_after_next() -> None:
    """A middleware may substitute its own response for the one next_fn returned."""
    api, transport = make_client()

    async def substitute(ctx: dict[str, Any], next_fn: Next) -> Response:
        original: Response = await next_fn(ctx)
        return Response(203, data={"wrapped": original.status_code})

    api.use(substitute)
    response = api.get("/x")
    assert response.status_code == 203
    assert response.data == {"wrapped": 200}
    assert len(transport.requests) == 1


def flaky_client() -> tuple[AxiosPython, MockTransport]:
    """503 twice, then 200."""
    statuses = iter([503, 503, 200])
    transport = MockTransport(lambda request: Response(next(statuses)))
    api = AxiosPython(
        {
            "base_url": "http://example.test",
            "max_retries": 2,
            "retry_strategy": FixedBackoff(0.001, retry_on_status=[503]),
        },
        transport=transport,
    )
    return api, transport


def test_middleware_wraps_the_whole_call_including_retries() -> None:
    """A middleware is entered once while the retry loop inside it calls the transport 3 times."""
    api, transport = flaky_client()
    entered: list[str] = []
    results: list[int] = []

    async def timing(ctx: dict[str, Any], next_fn: Next) -> Response:
        entered.append(ctx["url"])
        response: Response = await next_fn(ctx)
        results.append(response.status_code)
        return response

    api.use(timing)
    assert api.get("/x").status_code == 200
    assert entered == ["/x"]
    assert results == [200]
    assert len(transport.requests) == 3


@pytest.mark.anyio
async def test_middleware_wraps_the_whole_call_including_retries_async() -> None:
    """The same on async calls."""
    api, transport = flaky_client()
    entered: list[str] = []

    async def timing(ctx: dict[str, Any], next_fn: Next) -> Response:
        entered.append(ctx["url"])
        return await next_fn(ctx)  # type: ignore[no-any-return]

    api.use(timing)
    assert (await api.async_get("/x")).status_code == 200
    assert entered == ["/x"]
    assert len(transport.requests) == 3


class Boom(Exception):
    pass


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_middleware_exception_propagates_unchanged(mode: str) -> None:
    """An exception raised by a middleware reaches the caller as is, not wrapped."""
    api, transport = make_client()
    boom = Boom("circuit open")

    async def breaker(ctx: dict[str, Any], next_fn: Next) -> Response:
        raise boom

    api.use(breaker)
    with pytest.raises(Boom) as info:
        api.get("/x") if mode == "sync" else asyncio.run(api.async_get("/x"))
    assert info.value is boom
    assert transport.requests == []


def test_middleware_exception_after_next_propagates_unchanged() -> None:
    """An exception raised after next_fn returned also propagates as is (plain def)."""
    api, transport = make_client()

    def after(ctx: dict[str, Any], next_fn: Next) -> Response:
        next_fn(ctx)
        raise Boom("after")

    api.use(after)
    with pytest.raises(Boom, match="after"):
        api.get("/x")
    assert len(transport.requests) == 1


def test_eject_middleware() -> None:
    """eject_middleware() removes that middleware only."""
    api, _ = make_client()
    events: list[str] = []

    async def first(ctx: dict[str, Any], next_fn: Next) -> Response:
        events.append("first")
        return await next_fn(ctx)  # type: ignore[no-any-return]

    async def second(ctx: dict[str, Any], next_fn: Next) -> Response:
        events.append("second")
        return await next_fn(ctx)  # type: ignore[no-any-return]

    assert api.use(first) is first
    api.use(second)
    api.eject_middleware(first)
    api.get("/x")
    assert events == ["second"]
    api.eject_middleware(second)
    api.eject_middleware(second)  # ejecting twice is harmless
    api.get("/x")
    assert events == ["second"]


def test_use_rejects_non_callables() -> None:
    """api.use() refuses something that is not callable."""
    api, _ = make_client()
    with pytest.raises(TypeError, match="callable"):
        api.use("not a middleware")  # type: ignore[arg-type]


def test_callable_object_middleware() -> None:
    """An object with an async __call__ works as middleware on sync calls."""
    api, transport = make_client()

    class Tagger:
        async def __call__(self, ctx: dict[str, Any], next_fn: Next) -> Response:
            ctx["headers"]["X-Tag"] = "object"
            return await next_fn(ctx)  # type: ignore[no-any-return]

    api.use(Tagger())
    api.get("/x")
    assert transport.requests[0].headers["X-Tag"] == "object"


def test_middleware_sees_interceptor_changes() -> None:
    """Request interceptors run before middleware, so middleware sees their changes."""
    api, _ = make_client()
    seen: list[str] = []
    api.interceptors.request.use(lambda c: c["headers"].update({"X-From": "interceptor"}))

    async def look(ctx: dict[str, Any], next_fn: Next) -> Response:
        seen.append(ctx["headers"]["X-From"])
        return await next_fn(ctx)  # type: ignore[no-any-return]

    api.use(look)
    api.get("/x")
    assert seen == ["interceptor"]
