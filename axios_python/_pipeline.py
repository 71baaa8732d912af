"""One request's flow, written once for sync and async.

```
api.get(url, **options)
 1. merge          defaults + options -> config                  (_config.merge_config)
 2. cancel check   an already-cancelled token fails before any I/O
 3. request interceptors, in registration order                   (_interceptors.run_chain)
 4. middleware     first registered is outermost                   (_middleware.build_chain)
 5.   retry loop   one turn per attempt                            (Pipeline.send_with_retries)
 6.     plugins    on_request(config); the request is built       (_request_build)
                   on_transport(request) may answer (cache hit)
 7.     transport  sends; httpx errors become axios_python errors (_exceptions)
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

import math
import time
from collections.abc import Coroutine
from contextvars import ContextVar
from types import CodeType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from ._cancel import CancellableBody as _CancellableBody
from ._cancel import Deadline
from ._cancel import run_cancellable as _cancellable
from ._config import ConfigHeaders, total_timeout
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
    map_httpx_error,
    map_httpx_errors,
)
from ._interceptors import Handler, Interceptors, run_chain
from ._internals.httpx import content_decoder, set_content
from ._middleware import Endpoint, Middleware, MiddlewareStack, build_chain
from ._models import Response, _status_message, discard
from ._plugins import has_awaitable
from ._request_build import Memo, build_request
from ._retry import ExponentialBackoff, RetryStrategy
from ._sync import run_sync
from ._transforms import after_error, after_response, before_request, needs_after
from .redaction import redactor_for

if TYPE_CHECKING:
    from ._cancel import CancelToken
    from ._manager import PluginManager
    from ._models import Request
    from ._transports.base import BaseTransport

__all__ = ["ASYNC", "SYNC", "Pipeline", "is_async_call", "run_sync"]

T = TypeVar("T")
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


# --- the pipeline ------------------------------------------------------------------------


class _NoPlugins:
    """The plugin manager of a client without plugins: no hook is active."""

    active: frozenset[str] = frozenset()

    def hook_codes(self) -> dict[CodeType, str]:
        return {}


_NO_PLUGINS = _NoPlugins()
_FINAL = (CancelError, ConfigError, ContentTooLargeError, PluginError, MiddlewareError)


class Pipeline:
    """The flow of one client's requests, given what it needs: the transport, the
    interceptors, the middleware stack and (once the client has one) the plugin manager.

    Built once per client. It holds no per-request state; its middleware chains are rebuilt
    only when the stack's entries change.
    """

    def __init__(
        self,
        *,
        transport: BaseTransport,
        interceptors: Interceptors,
        middlewares: MiddlewareStack,
        netrc: dict[str, str] | None = None,
    ) -> None:
        self.transport = transport
        self.interceptors = interceptors
        self.middlewares = middlewares
        # the client sets its manager when it registers its first plugin
        self.plugins: PluginManager | _NoPlugins = _NO_PLUGINS
        self._memo = Memo(netrc)  # what building this client's requests remembers
        self._chains = self._build_chains()

    def names(self) -> dict[CodeType, str]:
        """Code objects of middleware and plugin hooks, to name them in errors."""
        known = self.middlewares.names()
        known.update(self.plugins.hook_codes())
        return known

    def _build_chains(self) -> tuple[tuple[Middleware, ...], Endpoint, Endpoint]:
        """Step 4: the middleware stack's entries and the sync and async chains built on them
        (rebuilt only when the entries change)."""
        entries = self.middlewares.entries
        self._chains = (
            entries,
            build_chain(entries, self._endpoint(SYNC), SYNC),
            build_chain(entries, self._endpoint(ASYNC), ASYNC),
        )
        return self._chains

    def _endpoint(self, io: IO) -> Endpoint:
        def endpoint(ctx: dict[str, Any]) -> Coroutine[Any, Any, Response]:
            """Step 5: the retry loop, entered when the call may retry or has a total timeout."""
            timeout = ctx.get("timeout")
            if ctx.get("max_retries") or (
                type(timeout) not in _SCALARS and total_timeout(timeout) is not None
            ):
                return self.send_with_retries(ctx, io)
            return self.attempt(ctx, io)

        return endpoint

    # --- steps 2-10: one call ------------------------------------------------------------

    async def dispatch(self, config: dict[str, Any], io: IO) -> Response:
        """Steps 2-10 of the module docstring for a merged config."""
        mode = _ASYNC_CALL.set(io.is_async)
        try:
            token: CancelToken | None = config.get("cancel_token")
            if token is not None and token.is_cancelled:
                raise _cancel_error(token, config)
            handlers = self.interceptors.response.handlers
            if handlers:
                return await self._intercepted(config, io, handlers)
            return await self._through_chain(config, io)
        except AxiosPythonError as exc:  # no secret in the chain of exceptions it wraps
            exc.redact(redactor_for(exc.config or config))
            raise
        finally:
            _ASYNC_CALL.reset(mode)

    def _through_chain(self, config: dict[str, Any], io: IO) -> Coroutine[Any, Any, Response]:
        """Steps 3-9: request interceptors, `transform_request`, the middleware chain (a plain
        def handing back the chain's coroutine: one frame less on every resume)."""
        if self.interceptors.request.handlers:
            config = _intercept_request(self.interceptors.request.handlers, config)
        chains = self._chains
        if chains[0] is not self.middlewares.entries:
            chains = self._build_chains()
        chain = chains[2] if io.is_async else chains[1]
        if (
            config.get("transform_request")
            or config.get("transform_response")
            or config.get("response_model") is not None
        ):
            return _transformed(chain, config, io)
        return chain(config)

    async def _intercepted(
        self, config: dict[str, Any], io: IO, handlers: tuple[Handler, ...]
    ) -> Response:
        """Step 10: the response interceptors see the response, or the error."""
        response: Response | None = None
        error: Exception | None = None
        try:
            response = await self._through_chain(config, io)
        except Exception as exc:  # asyncio.CancelledError is a BaseException and passes
            error = exc
        try:
            # A response interceptor may return anything; most return the Response.
            return cast(Response, run_chain(handlers, response, error))
        except BaseException:
            if response is not None and not response.is_closed:  # never leak an open stream
                await discard(response, io.is_async)
            raise

    # --- step 5: the retry loop ----------------------------------------------------------

    async def send_with_retries(self, ctx: dict[str, Any], io: IO) -> Response:
        """Step 5: attempts until success, a non-retryable outcome, exhaustion or the deadline."""
        max_retries = ctx.get("max_retries") or 0
        timeout = ctx.get("timeout")
        total = None if type(timeout) in _SCALARS else total_timeout(timeout)
        retries = _Retries(ctx, max_retries, total)
        attempt = 1
        while True:
            error: AxiosPythonError | None = None
            response: Response | None
            try:
                response = await self.attempt(
                    _fresh(ctx) if max_retries else ctx,
                    io,
                    timeout_cap=retries.time_left(),
                    attempt=attempt,
                    ends=retries.ends,
                )
            except _FINAL:
                raise
            except AxiosPythonError as exc:
                retries.check_total(exc)
                if not max_retries:
                    raise
                error, response = exc, exc.response
            else:
                if not retries.on_status(response):
                    return response
            delay = await retries.delay(attempt, error, response, io)
            if delay is None:  # not retryable: the outcome stands as it is
                if error is not None:
                    raise error
                assert response is not None
                return response
            await retries.before_next(attempt, error, response, delay, io)
            attempt += 1

    # --- steps 6-9: one attempt ----------------------------------------------------------

    async def attempt(
        self,
        config: dict[str, Any],
        io: IO,
        timeout_cap: float | None = None,
        attempt: int = 1,
        ends: float | None = None,
    ) -> Response:
        """Steps 6-9 for one attempt: on_request, build, send (or a plugin answers),
        on_response, validate_status; on an error, on_error."""
        token: CancelToken | None = config.get("cancel_token")
        if token is not None and token.is_cancelled:
            raise _cancel_error(token, config)
        pm = self.plugins
        hooks = pm.active
        if "on_request" in hooks:
            await _hook(pm, "on_request", config=config, attempt=attempt)
        request = build_request(config, self._memo, timeout_cap)
        response: Response | None = None
        try:
            if "on_transport" in hooks:
                response = await _answer_from_plugins(pm, request, config, attempt)
            if response is None:
                response = await self._send(request, config, io, token, ends)
            if "on_response" in hooks:
                response = await _on_response(pm, response, config, attempt)
            validate = config.get("validate_status")
            if validate is not None and not validate(response.status_code):
                await _reject(response, request, config, io)
        except AxiosPythonError as exc:
            await _failed(exc, response, request, config, io, token)
            if "on_error" in hooks:
                await _on_error(pm, exc, config, attempt)
            raise
        except Exception:  # the caller's own error (validate_status raised): as is, and closed
            await _close_unhanded(response, io)
            raise
        return response

    def _send(
        self,
        request: Request,
        config: dict[str, Any],
        io: IO,
        token: CancelToken | None,
        ends: float | None,
    ) -> Coroutine[Any, Any, Response]:
        """Step 7: the transport sends (by the total timeout's deadline, if there is one). A
        plain def handing back a coroutine: no frame more than a call without `total`."""
        if ends is None:
            return _send_one(self.transport, request, config, io, token)
        return _send_before(ends, io, self.transport, request, config)


async def _send_one(
    transport: BaseTransport,
    request: Request,
    config: dict[str, Any],
    io: IO,
    token: CancelToken | None,
) -> Response:
    """Step 7: the transport sends; httpx errors become axios_python errors; with
    `max_content_length`, the body is read here, bounded."""
    try:
        response = await io.send(transport, request, token)
    except _HTTPX_ERRORS as exc:  # a custom transport built on httpx
        raise map_httpx_error(exc, request) from exc
    limit = config.get("max_content_length")
    if limit is not None and not config.get("stream") and not response.is_closed:
        response.config = config
        await _bounded_read(response, limit, io)
    return response


async def _hook(pm: Any, hook_name: str, **kwargs: Any) -> Any:
    """Call a hook (the plugin manager wraps failures); await its results if any is awaitable."""
    results = pm.call(hook_name, **kwargs)
    if has_awaitable(results):
        results = await pm.resolve(results, hook_name)
    return results


async def _answer_from_plugins(
    pm: Any, request: Request, config: dict[str, Any], attempt: int
) -> Response | None:
    """`on_transport` (firstresult): a plugin may answer without the network (a cache hit)."""
    response: Response | None = await _hook(
        pm, "on_transport", request=request, config=config, attempt=attempt
    )
    if response is not None and response.request is None:
        response.request, response.config = request, config
    return response


async def _on_error(pm: Any, exc: AxiosPythonError, config: dict[str, Any], attempt: int) -> None:
    """`on_error` observes an attempt's error (not a plugin's own failure)."""
    if not isinstance(exc, PluginError):
        await _hook(pm, "on_error", error=exc, config=config, attempt=attempt)


async def _on_response(
    pm: Any, response: Response, config: dict[str, Any], attempt: int
) -> Response:
    """Step 8: `on_response`; a plugin that returns a Response replaces the response."""
    results = await _hook(pm, "on_response", response=response, config=config, attempt=attempt)
    for result in results:
        if isinstance(result, Response):
            response = result
    return response


async def _reject(response: Response, request: Request, config: dict[str, Any], io: IO) -> None:
    """Step 9: `validate_status` rejected the status: `HTTPStatusError`."""
    await _read(response, io)  # an error's body is read, so error.response.data works
    raise HTTPStatusError(
        _status_message(response), response=response, request=request, config=config
    )


async def _close_unhanded(response: Response | None, io: IO) -> None:
    if response is not None and not response.is_closed:
        await discard(response, io.is_async)


async def _failed(
    exc: AxiosPythonError,
    response: Response | None,
    request: Request,
    config: dict[str, Any],
    io: IO,
    token: CancelToken | None,
) -> None:
    """An attempt failed: close its response, give the error its context and the client's
    redaction policy; a cancelled token turns any error into `CancelError`."""
    await _close_unhanded(response, io)  # on_response or validate_status raised
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


class _Retries:
    """One call's retry state: the strategy, the deadlines, and what each outcome leads to."""

    __slots__ = (
        "body_start",
        "ctx",
        "deadline",
        "ends",
        "max_retries",
        "started",
        "strategy",
        "token",
        "total",
    )

    def __init__(self, ctx: dict[str, Any], max_retries: int, total: float | None) -> None:
        self.ctx = ctx
        self.max_retries = max_retries
        self.total = total
        self.strategy: RetryStrategy = ctx.get("retry_strategy") or _DEFAULT_STRATEGY
        self.token: CancelToken | None = ctx.get("cancel_token")
        self.deadline: float | None = ctx.get("retry_deadline")
        self.started = time.monotonic()
        self.ends = None if total is None else self.started + total
        self.body_start = _body_start(ctx)

    def time_left(self) -> float | None:
        """What the retry deadline and the total timeout leave for the next attempt."""
        now = time.monotonic()
        remaining = None if self.deadline is None else self.deadline - (now - self.started)
        if self.ends is not None:
            remaining = self.ends - now if remaining is None else min(remaining, self.ends - now)
        return remaining

    def check_total(self, exc: AxiosPythonError) -> None:
        """A timeout under a total deadline: the total one, or a phase capped to the time left
        (then reported as the total timeout)."""
        if self.ends is None or not isinstance(exc, TimeoutError):
            return
        if exc.phase == "total":
            raise exc
        if time.monotonic() >= self.ends - _SLACK:
            raise _total_error(self.total, exc.config or self.ctx, exc.request) from exc

    def on_status(self, response: Response) -> bool:
        """Whether a response's status asks for a retry."""
        return bool(self.max_retries) and response.status_code in self.strategy.retry_on_status

    async def delay(
        self, attempt: int, error: AxiosPythonError | None, response: Response | None, io: IO
    ) -> float | None:
        """Seconds to wait before the next attempt, None when the outcome stands; raises when
        retries are exhausted or a deadline leaves no time (the last outcome as the cause)."""
        ctx = self.ctx
        delay = self.strategy.decide(
            attempt, ctx.get("method", "GET"), error=error, response=response
        )
        if delay is None:
            return None
        if delay == math.inf:  # the server asked to wait longer than max_retry_after
            assert response is not None
            await _read_or_discard(response, io)
            why = _too_long(response, self.strategy)
            raise _retry_error(attempt, error, response, ctx, deadline_hit=False, why=why)
        exhausted = attempt > self.max_retries or self._past_deadline(delay)
        if not exhausted and self.ends is not None and time.monotonic() + delay >= self.ends:
            await self._out_of_time(attempt, error, response, io)
        if exhausted:
            if response is not None and error is None:
                await _read_or_discard(response, io)  # free the connection; .data still works
            deadline_hit = attempt <= self.max_retries
            raise _retry_error(attempt, error, response, ctx, deadline_hit=deadline_hit)
        return delay

    def _past_deadline(self, delay: float) -> bool:
        return (
            self.deadline is not None and time.monotonic() - self.started + delay >= self.deadline
        )

    async def _out_of_time(
        self, attempt: int, error: AxiosPythonError | None, response: Response | None, io: IO
    ) -> None:
        if response is not None:
            await discard(response, io.is_async)
        last = error or HTTPStatusError(_status_message(response), response=response)  # type: ignore[arg-type]
        raise _total_error(self.total, self.ctx, last.request, retry=attempt) from last

    async def before_next(
        self,
        attempt: int,
        error: AxiosPythonError | None,
        response: Response | None,
        delay: float,
        io: IO,
    ) -> None:
        """Free the failed attempt's response, rewind the body, tell `on_retry`, wait."""
        if response is not None:
            await discard(response, io.is_async)
        _rewind_body(self.ctx, self.body_start, error, response)
        on_retry = self.ctx.get("on_retry")
        if on_retry is not None:
            on_retry(attempt, error if error is not None else response, delay)
        await io.sleep(delay, self.token)


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


async def _send_before(
    ends: float, io: IO, transport: BaseTransport, request: Request, config: dict[str, Any]
) -> Response:
    """Send `request` so that the whole exchange ends by `ends` (monotonic), a buffered body
    included. An async call is cut off at the deadline (`asyncio.wait_for`); a sync call sends
    with a `Deadline` token, which cancels it at the deadline (a blocked read's socket is shut
    down, as for any cancel). A transport that does not honour cancellation still stops at the
    next chunk of a buffered body: each goes through a check of the deadline (as a download
    progress callback, which every transport honours)."""
    total = config["timeout"].get("total")
    request.config = sent = config.copy()
    if not config.get("stream"):
        user = config.get("on_download_progress")

        def check(event: Any) -> None:
            if user is not None:
                user(event)
            if time.monotonic() >= ends:
                raise _total_error(total, config, request)

        sent["on_download_progress"] = check
    token: CancelToken | None = config.get("cancel_token")
    if not io.is_async:
        response = await _send_by_deadline(Deadline(token, ends), io, transport, request, config)
    else:
        sending = _send_one(transport, request, config, io, token)
        response = await _cut_off_at(ends, sending, config, request)
    response.config = config
    return response


async def _send_by_deadline(
    deadline: Deadline, io: IO, transport: BaseTransport, request: Request, config: dict[str, Any]
) -> Response:
    """A sync send with `deadline` as the request's token (the caller's one restored after)."""
    sent = request.config
    sent["cancel_token"] = deadline
    total = config["timeout"].get("total")
    try:
        response = await _send_one(transport, request, config, io, deadline)
    except Exception:
        if deadline.expired:
            raise _total_error(total, config, request) from None
        raise
    finally:
        deadline.disarm()
        if "cancel_token" in config:  # errors and streamed bodies show the caller's token
            sent["cancel_token"] = config["cancel_token"]
        else:
            del sent["cancel_token"]
    if deadline.expired and not response.is_closed:  # a stream, whose deadline passed as it came
        await discard(response, io.is_async)
        raise _total_error(total, config, request)
    return response


async def _cut_off_at(
    ends: float, send: Coroutine[Any, Any, Response], config: dict[str, Any], request: Request
) -> Response:
    """An async send, cancelled at `ends` if it is not done by then."""
    import asyncio  # imported on first use: `import axios_python` stays fast

    try:
        return await asyncio.wait_for(send, ends - time.monotonic())
    except asyncio.TimeoutError as exc:
        if isinstance(exc, TimeoutError):  # ours, from the check
            raise
        raise _total_error(config["timeout"].get("total"), config, request) from None


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
            await discard(response, io.is_async)
        raise


_RAW_CHUNK = 1024  # a gzip chunk inflates ~1000x at most: ~1 MiB decoded per step


async def _bounded_read(response: Response, limit: int, io: IO) -> None:
    """Read a response body, decoding it as it arrives, and stop as soon as the decoded size
    passes `limit` (`max_content_length`): the connection is closed, nothing more is read."""
    raw = response.raw
    decoder = content_decoder(raw)  # httpx's own decoders (gzip, deflate, br, zstd)
    declared = raw.headers.get("content-length", "")
    if (
        declared.isascii()
        and declared.isdigit()
        and int(declared) > limit
        and "content-encoding" not in raw.headers
    ):  # known too large before a byte is read
        await discard(response, io.is_async)
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
        await discard(response, io.is_async)
        raise
    set_content(raw, b"".join(parts))  # what httpx's read() leaves: the decoded body


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
        await discard(response, io.is_async)


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
