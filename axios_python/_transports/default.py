"""`HttpxTransport`: the default transport, one pooled httpx client per axios_python client.

It sends one request per call (`handle_request`); the core's exchange above it applies
cookies, runs auth flows, follows redirects and reports progress.

It also makes a blocked *sync* request cancellable from another thread: the httpcore network
backend is wrapped so that, while a request holding a `CancelToken` reads or writes, a cancel
shuts the socket down; the blocked `recv` returns at once and httpcore discards the connection.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any, Generic, TypeVar

import httpcore
import httpx

from .._cancel import CancellableBody, CancelToken, current_token, sending_with
from .._environment import environment_proxies, missing, ssl_context
from .._exceptions import ConfigError
from .._internals.httpcore import assign_linearly, sync_stream, wrap_network_backend
from .._internals.httpx import mount_patterns, transport_pool
from .._limits import ConnectionLimiter
from .._models import Response
from .._sockets import connect_tcp
from .._streams import Wrapped
from .._sync import run_sync
from .._timings import HttpcoreTrace
from .base import BaseTransport, LoopLocal

__all__ = ["HttpxTransport"]

T = TypeVar("T", httpx.HTTPTransport, httpx.AsyncHTTPTransport)
_NO_CONFIG: dict[str, Any] = {}


class HttpxTransport(BaseTransport):
    """Sends one request at a time through `httpx.Client` (sync) and `httpx.AsyncClient`
    (async), created lazily, with a fair wait for a pool slot (`limiter`).

    Args:
        verify, cert, proxy, trust_env, limits, http2: as for `httpx.Client`.
        max_redirects: the client-wide redirect limit (a per-request `max_redirects` also works).
        cookies: initial cookies; the jar then persists `Set-Cookie` across requests.
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        proxy: str | httpx.URL | httpx.Proxy | None = None,
        trust_env: bool = True,
        limits: httpx.Limits | None = None,
        http2: bool = False,
        max_redirects: int = 20,
        cookies: dict[str, str] | None = None,
    ) -> None:
        _check_extras(http2, proxy)
        self._tls: Any = (verify, cert, trust_env)  # one SSLContext, built with the first client
        self._tls_lock = threading.Lock()
        self._proxy = proxy
        self._options: dict[str, Any] = {
            "trust_env": trust_env,
            "http2": http2,
            # Keep-alive slots equal to the pool size: with fewer, httpcore 1.0.9 can hand a
            # closed connection to a waiting thread under contention (encode/httpcore#1110).
            "limits": limits or httpx.Limits(max_connections=100, max_keepalive_connections=100),
        }
        self.max_redirects = max_redirects
        self.cookies = httpx.Cookies(cookies)
        # In front of httpcore's pool: FIFO, sized to it, the `pool` timeout applied to its wait.
        self.limiter = ConnectionLimiter(self._options["limits"].max_connections)
        self._lock = threading.Lock()
        self._routes: _Routes[httpx.HTTPTransport] | None = None
        # httpx's async connections belong to the event loop that opened them.
        self._async_routes = LoopLocal(self._new_async_routes, lambda routes: routes.aclose())

    # --- httpx transports ----------------------------------------------------------------

    def _sync_routes(self) -> _Routes[httpx.HTTPTransport]:
        routes = self._routes
        if routes is None:
            with self._lock:
                if self._routes is None:
                    routes = _Routes(*self._transports(httpx.HTTPTransport))
                    for each in routes.transports():
                        _tune_sync_pool(each)
                    self._routes = routes
                routes = self._routes
        return routes

    def _new_async_routes(self) -> _Routes[httpx.AsyncHTTPTransport]:
        routes = _Routes(*self._transports(httpx.AsyncHTTPTransport))
        for each in routes.transports():
            assign_linearly(transport_pool(each))
        return routes

    def _transports(self, kind: Callable[..., T]) -> tuple[T, dict[str, T | None]]:
        """The transport for direct connections (or through `proxy`) and, under `trust_env`
        without a `proxy`, one per proxy of the environment (httpx reads the environment only
        when it builds its own transport). All share one `SSLContext`."""
        with self._tls_lock:
            if not isinstance(self._tls, ssl.SSLContext):
                self._tls = ssl_context(*self._tls[:2], trust_env=self._tls[2])
            options = {**self._options, "verify": self._tls}
        mounts: dict[str, T | None] = {}
        if self._proxy is None and options["trust_env"]:
            for pattern, url in environment_proxies().items():
                mounts[pattern] = None if url is None else kind(proxy=url, **options)
        return kind(proxy=self._proxy, **options), mounts

    # --- sending -------------------------------------------------------------------------

    def handle_request(self, request: httpx.Request, *, stream: bool) -> Response:
        token = getattr(request, "config", _NO_CONFIG).get("cancel_token")
        if token is None:
            return run_sync(self._hop(request, stream, False))
        with sending_with(token):  # a cancel shuts this thread's socket down
            response = run_sync(self._hop(request, stream, False))
        if stream and not response.is_closed:
            raw = response.raw
            raw.stream = CancellableBody(raw.stream, token, response.config)
        return response

    async def handle_async_request(self, request: httpx.Request, *, stream: bool) -> Response:
        return await self._hop(request, stream, True)

    async def _hop(self, request: httpx.Request, stream: bool, is_async: bool) -> Response:
        """One request, written once: sync calls drive it with `run_sync` (it never suspends).
        Straight to httpx's transport layer, as `httpx.Client._send_single_request` does."""
        config = getattr(request, "config", _NO_CONFIG)
        # per-phase timings: httpcore reports each phase to the request's `trace` extension
        recorder = HttpcoreTrace(request.extensions.get("trace"))
        limiter = self.limiter
        routes: _Routes[Any]
        if is_async:
            routes = self._async_routes.current() or await self._async_routes.get()
            request.extensions["trace"] = recorder.atrace
            _write_in_chunks(request)
            await limiter.acquire_async(_pool_timeout(request))  # fair, bounded by `pool`
        else:
            routes = self._sync_routes()
            request.extensions["trace"] = recorder.trace
            limiter.acquire(_pool_timeout(request), config.get("cancel_token"))
        try:
            raw = await routes.send(request, is_async)
        except BaseException:
            limiter.release_async() if is_async else limiter.release()
            raise
        limiter.release_when_closed(raw, is_async=is_async)
        response = Response(raw=raw, request=request, config=config)
        response._timings = recorder.timings  # worked out when read
        if not stream:
            await _read(raw, is_async)
        return response

    # --- closing -------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            routes, self._routes = self._routes, None
        if routes is not None:
            for transport in routes.transports():
                transport.close()

    async def aclose(self) -> None:
        self.close()
        await self._async_routes.aclose()


class _Routes(Generic[T]):
    """httpx transports by URL, as `httpx.Client` mounts them: the first pattern (of the
    environment's proxies) that matches, else the direct transport."""

    __slots__ = ("direct", "patterns")
    direct: T
    patterns: list[tuple[Any, T | None]]

    def __init__(self, direct: T, mounts: dict[str, T | None]) -> None:
        self.direct = direct
        self.patterns = mount_patterns(mounts)

    def for_url(self, url: httpx.URL) -> T:
        for pattern, transport in self.patterns:
            if pattern.matches(url):
                return self.direct if transport is None else transport
        return self.direct

    def transports(self) -> list[T]:
        found = [self.direct]
        found.extend(each for _, each in self.patterns if each is not None)
        return found

    async def send(self, request: httpx.Request, is_async: bool) -> httpx.Response:
        """`request` through its transport, the response bound to it (`elapsed`, `request`)."""
        transport: Any = self.for_url(request.url)
        start = time.perf_counter()
        if is_async:
            raw: httpx.Response = await transport.handle_async_request(request)
        else:
            raw = transport.handle_request(request)
        raw.request = request
        raw.stream = _Timed(raw.stream, raw, start)
        return raw

    async def aclose(self) -> None:
        for transport in self.transports():
            await transport.aclose()  # type: ignore[attr-defined]


class _Timed(Wrapped):
    """A response body that sets `response.elapsed` when closed, as httpx's client does.

    It holds its response until then, and no longer: the response holds it (`raw.stream`),
    and a cycle would leave every response to the garbage collector (~50 objects a request).
    """

    def __init__(self, inner: Any, raw: httpx.Response, start: float) -> None:
        super().__init__(inner)
        self._raw: httpx.Response | None = raw
        self._start = start

    def closed(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            raw.elapsed = timedelta(seconds=time.perf_counter() - self._start)


_CHUNK = 64 * 1024


class _Chunks(httpx.AsyncByteStream):
    """A bytes body handed to httpcore 64 KiB at a time (as often as it is sent)."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    async def __aiter__(self) -> AsyncIterator[bytes]:
        view = memoryview(self._content)
        for start in range(0, len(view), _CHUNK):
            yield bytes(view[start : start + _CHUNK])


def _write_in_chunks(request: httpx.Request) -> None:
    """httpcore's async write timeout bounds each write, and a bytes body is one write: a large
    one would have to be sent in full within `write` seconds. In chunks, the timeout bounds
    each wait for the server to take more, as on sync calls (where httpcore sends a write in
    several sends, each with the timeout)."""
    stream = request.stream
    if isinstance(stream, httpx.ByteStream) and len(request.content) > _CHUNK:
        request.stream = _Chunks(request.content)


async def _read(raw: httpx.Response, is_async: bool) -> None:
    """Read a body in full; on failure, close it (its connection is not reusable)."""
    try:
        if is_async:
            await raw.aread()
        else:
            raw.read()
    except BaseException:
        if is_async:
            await raw.aclose()
        else:
            raw.close()
        raise


def _pool_timeout(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout") or {}
    pool: float | None = timeouts.get("pool")
    return pool


# --- cancellable sockets (sync) ----------------------------------------------------------


def _check_extras(http2: bool, proxy: str | httpx.URL | httpx.Proxy | None) -> None:
    """Refuse, at create(), what httpx would fail on later without its optional package."""
    if http2 and missing("h2"):
        raise ConfigError(
            "http2 needs the h2 package: pip install 'axios-python[http2]'", key="http2"
        )
    url = proxy.url if isinstance(proxy, httpx.Proxy) else proxy
    if url is not None and str(url).lower().startswith("socks") and missing("socksio"):
        raise ConfigError(
            "a SOCKS proxy needs the socksio package: pip install 'axios-python[socks]'",
            key="proxy",
        )


def _tune_sync_pool(transport: httpx.HTTPTransport) -> None:
    pool = transport_pool(transport)
    wrap_network_backend(pool, _CancellableBackend)
    assign_linearly(pool)


class _CancellableBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        token: CancelToken | None = current_token()
        if token is None:
            stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        else:
            stream = _connect_cancellable(host, port, timeout, local_address, socket_options, token)
        return _checked(_CancellableStream(stream))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return _checked(
            _CancellableStream(self._inner.connect_unix_socket(path, timeout, socket_options))
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _connect_cancellable(
    host: str,
    port: int,
    timeout: float | None,
    local_address: str | None,
    socket_options: Any,
    token: CancelToken,
) -> httpcore.NetworkStream:
    """A TCP connect that `token.cancel()` ends at once, without a helper thread
    (`connect_tcp`). What httpcore's sync backend does otherwise (TCP_NODELAY, the socket
    options, its errors).
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    options = [*(socket_options or ()), (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    source = None if local_address is None else (local_address, 0)
    try:
        sock = connect_tcp(
            addresses, timeout=timeout, token=token, source_address=source, socket_options=options
        )
    except TimeoutError as exc:  # the builtin: the connect timeout ran out
        raise httpcore.ConnectTimeout(str(exc)) from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    sock.setblocking(True)  # httpcore sets each read's and write's timeout
    return sync_stream(sock)


def _checked(stream: _CancellableStream) -> _CancellableStream:
    token: CancelToken | None = current_token()
    if token is not None and token.is_cancelled:
        stream.close()
        raise httpcore.ConnectError("cancelled while connecting")
    return stream


class _CancellableStream(httpcore.NetworkStream):
    __slots__ = ("_inner",)

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        token: CancelToken | None = current_token()
        if token is None:
            return self._inner.read(max_bytes, timeout)
        unsubscribe = token.subscribe(self._abort)
        try:
            return self._inner.read(max_bytes, timeout)
        finally:
            unsubscribe()

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        token: CancelToken | None = current_token()
        if token is None:
            self._inner.write(buffer, timeout)
            return
        unsubscribe = token.subscribe(self._abort)
        try:
            self._inner.write(buffer, timeout)
        finally:
            unsubscribe()

    def _abort(self) -> None:
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _CancellableStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
