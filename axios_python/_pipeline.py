"""One request's flow, written once for sync and async.

```
api.get(url, **options)
 1. merge          defaults + options -> config                  (_config.merge_config)
 2. cancel check   an already-cancelled token fails before any I/O
 3. request interceptors, in registration order                   (_interceptors.run_chain)
 4. middleware     first registered is outermost                   (build_chain)
 5.   retry loop   one turn per attempt                            (Pipeline.send_with_retries)
 6.     plugins    on_request(config), then on_transport(request) may answer (cache hit)
 7.     transport  sends; httpx errors become axios_python errors (_errors)
 8.     plugins    on_response(response), or on_error(error)
 9.     validate_status rejects a status -> HTTPStatusError (retried if in retry_on_status)
10. response interceptors, in registration order: fulfilled(response) or rejected(error)
```

The flow is a chain of coroutines. Async calls await it. Sync calls drive it with
`run_sync()`, without an event loop: the only I/O is the transport's blocking `send()`, which
completes inside a single `coroutine.send(None)`. Something that truly suspends on asyncio I/O
during a sync call (a middleware awaiting `aiohttp`, say) cannot complete there, so it raises
`MiddlewareError` (or `PluginError`) naming the function.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from types import CodeType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from ._cancel import CancellableBody as _CancellableBody
from ._cancel import run_cancellable as _cancellable
from ._config import ConfigHeaders, Memo, build_request, total_timeout
from ._errors import map_httpx_error, map_httpx_errors
from ._exceptions import (
    AxiosPythonError,
    CancelError,
    ConfigError,
    ContentTooLargeError,
    HTTPStatusError,
    MiddlewareError,
    PluginError,
    RetryError,
    StreamError,
    TimeoutError,
)
from ._interceptors import run_chain
from ._models import Response, _status_message
from ._plugins import has_awaitable
from ._retry import ExponentialBackoff, RetryStrategy
from ._sync import run_sync
from ._transforms import after_error, after_response, before_request, needs_after

if TYPE_CHECKING:
    from ._cancel import CancelToken
    from ._client import AxiosPython
    from ._models import Request
    from ._transports.base import BaseTransport

__all__ = ["ASYNC", "SYNC", "Pipeline", "is_async_call", "run_sync"]

T = TypeVar("T")
Endpoint = Callable[[dict[str, Any]], Coroutine[Any, Any, Response]]
Middleware = Callable[[dict[str, Any], Callable[[dict[str, Any]], Any]], Any]
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError)


# --- how one mode waits ------------------------------------------------------------------


class SyncIO:
    """Sync mode: blocking calls inside coroutines that never suspend."""

    is_async = False

    async def send(
        self, transport: BaseTransport, request: Request, token: CancelToken | None
    ) -> Response:
        return transport.send(request)

    async def sleep(self, seconds: float, token: CancelToken | None) -> None:
        if token is None:
            time.sleep(seconds)
        elif token.wait(seconds):
            raise _cancel_error(token)


class AsyncIO:
    """Async mode: real awaits; a token cancels the awaited task from any thread."""

    is_async = True

    def send(
        self, transport: BaseTransport, request: Request, token: CancelToken | None
    ) -> Coroutine[Any, Any, Response]:
        # A plain def handing back the transport's coroutine: one frame less on every resume.
        if token is None:
            return transport.send_async(request)
        return _send_cancellable(transport, request, token)

    async def sleep(self, seconds: float, token: CancelToken | None) -> None:
        import asyncio  # imported on first use: `import axios_python` stays fast

        if token is None:
            await asyncio.sleep(seconds)
        else:
            await _cancellable(asyncio.sleep(seconds), token)


SYNC = SyncIO()
ASYNC = AsyncIO()
IO = SyncIO | AsyncIO


async def _send_cancellable(
    transport: BaseTransport, request: Request, token: CancelToken
) -> Response:
    """An async send with a token: a streamed body stays cancellable until it is read."""
    response = await _cancellable(transport.send_async(request), token)
    if request.config.get("stream") and not response.is_closed:
        raw = response.raw
        raw.stream = _CancellableBody(raw.stream, token, request.config)
    return response


def _cancel_error(token: CancelToken, config: dict[str, Any] | None = None) -> CancelError:
    return CancelError(token.reason or "Request cancelled", config=config)


_ASYNC_CALL: ContextVar[bool] = ContextVar("axios_python_async_call", default=False)


def is_async_call() -> bool:
    """True inside an `async_` call's pipeline, False inside a sync call's.

    For middleware and plugin hooks that must block (sync) or await (async), e.g. to wait for a
    token refresh another request started. A sync call made from inside a coroutine is a sync
    call: it runs without the event loop, so it must not await asyncio primitives.
    """
    return _ASYNC_CALL.get()


# --- the middleware stack ----------------------------------------------------------------


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
        chain = _layer(mw, chain, io)
    return chain


def _layer(mw: Middleware, inner: Endpoint, io: IO) -> Endpoint:
    name = middleware_name(mw)
    is_async = _is_async(mw)

    def next_for(endpoint: Endpoint) -> Callable[[dict[str, Any]], Any]:
        """What `mw` is given as `next_fn`: an awaitable on async calls, else the Response."""
        if is_async:
            return endpoint
        if io.is_async:
            return lambda ctx: _PendingResponse(endpoint, ctx, name)
        return lambda ctx: run_sync(endpoint(ctx))

    plain_next = next_for(inner)

    def checked(result: Any, ctx: dict[str, Any]) -> Response:
        if not isinstance(result, Response):
            hint = "; did you forget `return await next_fn(ctx)`?" if result is None else ""
            raise MiddlewareError(
                f"middleware {name} returned {type(result).__name__}, not a Response{hint}",
                config=ctx,
            )
        return result

    async def layer(ctx: dict[str, Any]) -> Response:
        if ctx.get("stream"):
            return await streamed(ctx)
        result = mw(ctx, plain_next)
        if inspect.isawaitable(result):
            result = await result
        return result if type(result) is Response else checked(result, ctx)

    async def streamed(ctx: dict[str, Any]) -> Response:
        """`layer` for a streamed response, which holds its connection until closed: one that
        `mw` does not hand on (it raised, or returned another response) is closed here."""
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
            result = checked(result, ctx)
            return result
        finally:
            for response in seen:
                if response is not result and not response.is_closed:
                    await _discard(response, io)

    return layer


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


# --- the pipeline ------------------------------------------------------------------------


class Pipeline:
    """The flow of one client. Built once per set of middleware; holds no per-request state."""

    def __init__(self, client: AxiosPython, middlewares: tuple[Middleware, ...]) -> None:
        self.client = client
        self.middlewares = middlewares
        self._memo = Memo(client._netrc)  # what building this client's requests remembers
        self._sync_chain = build_chain(middlewares, self._endpoint(SYNC), SYNC)
        self._async_chain = build_chain(middlewares, self._endpoint(ASYNC), ASYNC)

    def names(self) -> dict[CodeType, str]:
        """Code objects of middleware and plugin hooks, to name them in errors."""
        known: dict[CodeType, str] = {}
        for mw in self.middlewares:
            code = middleware_code(mw)
            if code is not None:
                known[code] = f"middleware {middleware_name(mw)}"
        pm = self.client._plugin_manager
        if pm is not None:
            for hook_name in pm.active:
                for impl in getattr(pm.hook, hook_name).get_hookimpls():
                    code = getattr(inspect.unwrap(impl.function), "__code__", None)
                    if code is not None:
                        known[code] = f"plugin {impl.plugin_name}"
        return known

    async def dispatch(self, config: dict[str, Any], io: IO) -> Response:
        """Steps 2-10 of the module docstring for a merged config."""
        mode = _ASYNC_CALL.set(io.is_async)
        try:
            token = config.get("cancel_token")
            if token is not None and token.is_cancelled:
                raise _cancel_error(token, config)
            interceptors = self.client.interceptors
            chain = self._async_chain if io.is_async else self._sync_chain
            if not interceptors.response.handlers:
                if interceptors.request.handlers:
                    config = _intercept_request(interceptors.request.handlers, config)
                if (
                    config.get("transform_request")
                    or config.get("transform_response")
                    or config.get("response_model") is not None
                ):
                    return await _transformed(chain, config, io)
                return await chain(config)
            response: Response | None = None
            error: Exception | None = None
            try:
                if interceptors.request.handlers:
                    config = _intercept_request(interceptors.request.handlers, config)
                if _untransformed(config):
                    response = await chain(config)
                else:
                    response = await _transformed(chain, config, io)
            except Exception as exc:  # asyncio.CancelledError is a BaseException and passes
                error = exc
            try:
                # A response interceptor may return anything; most return the Response.
                return cast(Response, run_chain(interceptors.response.handlers, response, error))
            except BaseException:
                if response is not None and not response.is_closed:  # never leak an open stream
                    await _discard(response, io)
                raise
        finally:
            _ASYNC_CALL.reset(mode)

    def _endpoint(self, io: IO) -> Endpoint:
        def endpoint(ctx: dict[str, Any]) -> Coroutine[Any, Any, Response]:
            return self.send_with_retries(ctx, io)

        return endpoint

    async def send_with_retries(self, ctx: dict[str, Any], io: IO) -> Response:
        """Step 5: attempts until success, a non-retryable outcome, exhaustion or the deadline."""
        max_retries = ctx.get("max_retries") or 0
        timeout = ctx.get("timeout")
        total = None if type(timeout) in _SCALARS else total_timeout(timeout)
        if not max_retries and total is None:
            return await self.attempt(ctx, io)
        strategy: RetryStrategy = ctx.get("retry_strategy") or _DEFAULT_STRATEGY
        token: CancelToken | None = ctx.get("cancel_token")
        deadline = ctx.get("retry_deadline")
        started = time.monotonic()
        ends = None if total is None else started + total
        body_start = _body_start(ctx)
        attempt = 1
        while True:
            now = time.monotonic()
            remaining = None if deadline is None else deadline - (now - started)
            if ends is not None:
                remaining = ends - now if remaining is None else min(remaining, ends - now)
            error: AxiosPythonError | None = None
            response: Response | None = None
            try:
                response = await self.attempt(
                    _fresh(ctx) if max_retries else ctx,
                    io,
                    timeout_cap=remaining,
                    attempt=attempt,
                    ends=ends,
                )
            except (CancelError, ConfigError, ContentTooLargeError, PluginError, MiddlewareError):
                raise
            except AxiosPythonError as exc:
                if ends is not None and isinstance(exc, TimeoutError):
                    if exc.phase == "total":
                        raise
                    if time.monotonic() >= ends - _SLACK:  # a phase capped to the time left
                        raise _total_error(total, exc.config or ctx, exc.request) from exc
                if not max_retries:
                    raise
                error, response = exc, exc.response
            else:
                if not max_retries or response.status_code not in strategy.retry_on_status:
                    return response
            delay = strategy.decide(
                attempt, ctx.get("method", "GET"), error=error, response=response
            )
            if delay is None:  # not retryable: the outcome stands as it is
                if error is not None:
                    raise error
                assert response is not None
                return response
            exhausted = attempt > max_retries
            if delay == math.inf:  # the server asked to wait longer than max_retry_after
                assert response is not None
                await _read_or_discard(response, io)
                raise _retry_error(
                    attempt,
                    error,
                    response,
                    ctx,
                    deadline_hit=False,
                    why=_too_long(response, strategy),
                )
            if (
                not exhausted
                and deadline is not None
                and time.monotonic() - started + delay >= deadline
            ):
                exhausted = True
            if ends is not None and not exhausted and time.monotonic() + delay >= ends:
                if response is not None:
                    await _discard(response, io)
                last = error or HTTPStatusError(_status_message(response), response=response)  # type: ignore[arg-type]
                raise _total_error(total, ctx, last.request, retry=attempt) from last
            if exhausted:
                if response is not None and error is None:
                    await _read_or_discard(response, io)  # free the connection; .data still works
                raise _retry_error(
                    attempt, error, response, ctx, deadline_hit=attempt <= max_retries
                )
            if response is not None:
                await _discard(response, io)
            _rewind_body(ctx, body_start, error, response)
            on_retry = ctx.get("on_retry")
            if on_retry is not None:
                on_retry(attempt, error if error is not None else response, delay)
            await io.sleep(delay, token)
            attempt += 1

    async def attempt(
        self,
        config: dict[str, Any],
        io: IO,
        timeout_cap: float | None = None,
        attempt: int = 1,
        ends: float | None = None,
    ) -> Response:
        """Steps 6-9 for one attempt."""
        token: CancelToken | None = config.get("cancel_token")
        if token is not None and token.is_cancelled:
            raise _cancel_error(token, config)
        pm = self.client._plugin_manager
        hooks = pm.active if pm is not None else frozenset()
        if "on_request" in hooks:
            assert pm is not None
            results = pm.call("on_request", config=config, attempt=attempt)
            if has_awaitable(results):
                await pm.resolve(results, "on_request")
        request = build_request(config, self._memo)
        if config.get("max_body_length") is not None:
            _check_body_length(request, config)
        if timeout_cap is not None:
            _cap_timeout(request, timeout_cap)
        response: Response | None = None
        try:
            if "on_transport" in hooks:
                assert pm is not None
                response = pm.call("on_transport", request=request, config=config, attempt=attempt)
                if has_awaitable(response):
                    response = await pm.resolve(response, "on_transport")
                if response is not None and response.request is None:
                    response.request, response.config = request, config
            if response is None:
                try:
                    if ends is None:
                        response = await io.send(self.client.transport, request, token)
                    else:
                        response = await _send_before(ends, io, self.client.transport, request)
                        response.config = config
                except _HTTPX_ERRORS as exc:  # a custom transport built on httpx
                    raise map_httpx_error(exc, request) from exc
                limit = config.get("max_content_length")
                if limit is not None and not config.get("stream") and not response.is_closed:
                    await _bounded_read(response, limit, io)
            if "on_response" in hooks:
                assert pm is not None
                results = pm.call("on_response", response=response, config=config, attempt=attempt)
                if has_awaitable(results):
                    results = await pm.resolve(results, "on_response")
                for result in results:
                    if isinstance(result, Response):
                        response = result
            validate = config.get("validate_status")
            if validate is not None and not validate(response.status_code):
                await _read(response, io)  # an error's body is read, so error.response.data works
                raise HTTPStatusError(
                    _status_message(response), response=response, request=request, config=config
                )
        except AxiosPythonError as exc:
            if response is not None and not response.is_closed:  # on_response raised: close
                await _discard(response, io)
            if token is not None and token.is_cancelled and not isinstance(exc, CancelError):
                raise CancelError(
                    token.reason or "Request cancelled", config=config, request=request
                ) from exc
            if exc.config is None:
                exc.config = config
            if exc.request is None:
                exc.request = request
            redactor = config.get("redact")
            if redactor is not None:  # the client's own policy (the default one ran already)
                exc.redact(redactor)
            if "on_error" in hooks and not isinstance(exc, PluginError):
                assert pm is not None
                results = pm.call("on_error", error=exc, config=config, attempt=attempt)
                if has_awaitable(results):
                    await pm.resolve(results, "on_error")
            raise
        except Exception:  # the caller's own error (validate_status raised): as is, and closed
            if response is not None and not response.is_closed:
                await _discard(response, io)
            raise
        return response


_DEFAULT_STRATEGY = ExponentialBackoff()
_SCALARS = frozenset({float, int, type(None)})
_SLACK = 0.01  # a phase timeout that fired this close to the total deadline was capped by it


def _total_error(
    total: float | None,
    config: dict[str, Any],
    request: Request | None,
    *,
    retry: int | None = None,
) -> TimeoutError:
    why = f" (no time left for retry {retry})" if retry is not None else ""
    return TimeoutError(
        f"total timeout: the call took longer than {total} s{why}",
        phase="total",
        config=config,
        request=request,
    )


async def _send_before(ends: float, io: IO, transport: BaseTransport, request: Request) -> Response:
    """Send `request` so that the whole exchange ends by `ends` (monotonic), buffered body
    included: its chunks go through a check of the deadline (as a download progress callback,
    which every transport honours), and an async call is also cut off at the deadline."""
    config = request.config
    token: CancelToken | None = config.get("cancel_token")
    total = config["timeout"].get("total")
    if not config.get("stream"):
        user = config.get("on_download_progress")

        def check(event: Any) -> None:
            if user is not None:
                user(event)
            if time.monotonic() >= ends:
                raise _total_error(total, config, request)

        request.config = {**config, "on_download_progress": check}
    if not io.is_async:
        return await io.send(transport, request, token)
    import asyncio

    try:
        return await asyncio.wait_for(io.send(transport, request, token), ends - time.monotonic())
    except asyncio.TimeoutError as exc:
        if isinstance(exc, TimeoutError):  # ours, from the check
            raise
        raise _total_error(total, config, request) from None


def _untransformed(config: dict[str, Any]) -> bool:
    return not (
        config.get("transform_request")
        or config.get("transform_response")
        or config.get("response_model") is not None
    )


async def _transformed(chain: Endpoint, config: dict[str, Any], io: IO) -> Response:
    """Steps 4-9 between axios's transforms: `transform_request` before the middleware, then
    `transform_response` and `response_model` on what the chain returns (see _transforms)."""
    if config.get("transform_request"):
        config = before_request(config)
    if not needs_after(config):
        return await chain(config)
    try:
        response = await chain(config)
    except AxiosPythonError as exc:
        after_error(exc, config)
        raise
    try:
        return after_response(response, config)
    except BaseException:
        if not response.is_closed:
            await _discard(response, io)
        raise


_RAW_CHUNK = 1024  # a gzip chunk inflates ~1000x at most: ~1 MiB decoded per step


def _check_body_length(request: Request, config: dict[str, Any]) -> None:
    """`max_body_length`: a request body over the limit is refused before any I/O (a body of
    unknown length, a generator, is sent as is)."""
    limit: int = config["max_body_length"]
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise ContentTooLargeError(
            f"request body of {int(length)} bytes exceeds max_body_length ({limit} bytes)",
            limit=limit,
            code="ERR_BODY_TOO_LARGE",
            config=config,
            request=request,
        )


async def _bounded_read(response: Response, limit: int, io: IO) -> None:
    """Read a response body, decoding it as it arrives, and stop as soon as the decoded size
    passes `limit` (`max_content_length`): the connection is closed, nothing more is read."""
    raw = response.raw
    decoder = raw._get_content_decoder()  # httpx's own decoders (gzip, deflate, br, zstd)
    declared = raw.headers.get("content-length", "")
    if (
        declared.isascii()
        and declared.isdigit()
        and int(declared) > limit
        and "content-encoding" not in raw.headers
    ):  # known too large before a byte is read
        await _discard(response, io)
        raise _too_large(response, limit)
    parts: list[bytes] = []
    size = 0
    try:
        with map_httpx_errors(response.request):
            if io.is_async:
                async for chunk in raw.aiter_raw(_RAW_CHUNK):
                    size += _take(decoder.decode(chunk), parts, size, limit, response)
            else:
                for chunk in raw.iter_raw(_RAW_CHUNK):
                    size += _take(decoder.decode(chunk), parts, size, limit, response)
            _take(decoder.flush(), parts, size, limit, response)
    except BaseException:
        await _discard(response, io)
        raise
    raw._content = b"".join(parts)  # what httpx's read() leaves: the decoded body


def _take(data: bytes, parts: list[bytes], size: int, limit: int, response: Response) -> int:
    if size + len(data) > limit:
        raise _too_large(response, limit)
    if data:
        parts.append(data)
    return len(data)


def _too_large(response: Response, limit: int) -> ContentTooLargeError:
    return ContentTooLargeError(
        f"response body exceeds max_content_length ({limit} bytes decoded); reading stopped",
        limit=limit,
        request=response.request,
        config=response.config,
    )


def _intercept_request(handlers: Any, config: dict[str, Any]) -> dict[str, Any]:
    result = run_chain(handlers, config, None)
    if not isinstance(result, dict):
        raise MiddlewareError(
            f"a request interceptor returned {type(result).__name__}, not the config dict",
            config=config,
        )
    return result


def _fresh(ctx: dict[str, Any]) -> dict[str, Any]:
    """Each attempt starts from the config as it entered the retry loop."""
    config = ctx.copy()
    headers = ctx.get("headers")
    if headers is not None:
        config["headers"] = ConfigHeaders(headers)
    params = ctx.get("params")
    if type(params) is dict:  # hooks may edit it in place, as merge_config allows
        config["params"] = params.copy()
    return config


def _cap_timeout(request: Request, cap: float) -> None:
    cap = max(cap, 0.001)  # a back-off sleep may overrun the deadline: never a negative timeout
    timeouts = request.extensions.get("timeout") or {}
    request.extensions["timeout"] = {
        phase: cap if value is None else min(value, cap)
        for phase, value in {
            "connect": None,
            "read": None,
            "write": None,
            "pool": None,
            **timeouts,
        }.items()
    }


async def _read(response: Response, io: IO) -> None:
    if io.is_async:
        await response.aread()
    else:
        response.read()


def _body_start(ctx: dict[str, Any]) -> int | None:
    """Where a seekable `content` body starts, so that a retry can send it again."""
    body = ctx.get("content")
    if body is not None and not isinstance(body, (bytes, str, bytearray, list, tuple)):
        seekable = getattr(body, "seekable", None)
        if seekable is not None and seekable():
            start: int = body.tell()
            return start
    return None


def _rewind_body(
    ctx: dict[str, Any], start: int | None, error: Exception | None, response: Response | None
) -> None:
    """Before a retry: rewind a seekable body, or refuse to resend a one-shot one.

    A generator or iterator body was consumed by the first attempt; sending it again would
    send an empty or truncated body, so the retry stops with a `StreamError` instead.
    """
    body = ctx.get("content")
    if body is None or isinstance(body, (bytes, str, bytearray, list, tuple)):
        return
    if start is not None:
        body.seek(start)
        return
    message = (
        "cannot retry: the request body is a one-shot stream (a generator or iterator) that "
        "the failed attempt consumed; pass bytes, or a seekable file, to make it retryable"
    )
    raise StreamError(message, config=ctx, response=response) from error


async def _read_or_discard(response: Response, io: IO) -> None:
    try:
        await _read(response, io)
    except AxiosPythonError:
        await _discard(response, io)


async def _discard(response: Response, io: IO) -> None:
    if io.is_async:
        await response.aclose()
    else:
        response.close()


def _too_long(response: Response, strategy: RetryStrategy) -> str:
    asked = response.headers.get("retry-after", "?")
    return (
        f"the server asked to retry after {asked!r}, longer than max_retry_after "
        f"({strategy.max_retry_after:g} s)"
    )


def _retry_error(
    attempts: int,
    error: AxiosPythonError | None,
    response: Response | None,
    config: dict[str, Any],
    *,
    deadline_hit: bool,
    why: str | None = None,
) -> RetryError:
    cause: AxiosPythonError
    if error is not None:
        cause = error
    else:
        assert response is not None
        cause = HTTPStatusError(_status_message(response), response=response, config=config)
    why = why or (
        "the retry deadline left no time for another attempt"
        if deadline_hit
        else "retries exhausted"
    )
    retry_error = RetryError(
        f"gave up after {attempts} attempt{'s' if attempts != 1 else ''} ({why}); last error: {cause}",
        attempts=attempts,
        config=config,
        request=cause.request,
        response=response,
    )
    retry_error.__cause__ = cause
    redactor = config.get("redact")
    if redactor is not None:
        retry_error.redact(redactor)
    return retry_error
