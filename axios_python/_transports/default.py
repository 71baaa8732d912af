"""`HttpxTransport`: the default transport, one pooled httpx client per axios_python client.

It also makes a blocked *sync* request cancellable from another thread: the httpcore network
backend is wrapped so that, while a request holding a `CancelToken` reads or writes, a cancel
shuts the socket down; the blocked `recv` returns at once and httpcore discards the connection.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpcore
import httpx
from httpcore._backends.sync import SyncStream  # the stream httpcore's own sync backend returns

from .._cancel import CancelToken
from .._environment import environment_proxies, missing, ssl_context
from .._exceptions import CancelError, ConfigError, map_httpx_errors
from .._limits import ConnectionLimiter
from .._models import Request, Response
from .._pipeline import run_sync
from .._sockets import connect_tcp
from .._timings import HttpcoreTrace
from ..redaction import strip_for_redirect
from .base import BaseTransport, LoopLocal

__all__ = ["HttpxTransport"]

T = TypeVar("T", httpx.HTTPTransport, httpx.AsyncHTTPTransport)
_current = threading.local()  # .token: the CancelToken of the request this thread is sending


class HttpxTransport(BaseTransport):
    """Sends through `httpx.Client` (sync) and `httpx.AsyncClient` (async), created lazily.

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
        self._client: httpx.Client | None = None
        # httpx's async connections belong to the event loop that opened them.
        self._async_clients = LoopLocal(self._new_async_client, lambda client: client.aclose())

    # --- clients -------------------------------------------------------------------------

    def _sync_client(self) -> httpx.Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    transport, mounts = self._transports(httpx.HTTPTransport)
                    for each in (transport, *mounts.values()):
                        if each is not None:
                            _make_cancellable(each)
                    client = httpx.Client(
                        transport=transport, mounts=mounts, max_redirects=self.max_redirects
                    )
                    client.cookies.jar = self.cookies.jar  # one jar for sync and async
                    self._client = client
                client = self._client
        return client

    def _new_async_client(self) -> httpx.AsyncClient:
        transport, mounts = self._transports(httpx.AsyncHTTPTransport)
        client = httpx.AsyncClient(
            transport=transport, mounts=mounts, max_redirects=self.max_redirects
        )
        client.cookies.jar = self.cookies.jar
        return client

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

    def send(self, request: Request) -> Response:
        token = _current.token = request.config.get("cancel_token")
        try:
            response = run_sync(self._exchange(_SyncSender(self._sync_client()), request))
        finally:
            _current.token = None
        if token is not None and request.config.get("stream") and not response.is_closed:
            raw = response.raw
            raw.stream = _CancellableBody(raw.stream, token, request.config)
        return response

    async def send_async(self, request: Request) -> Response:
        return await self._exchange(
            _AsyncSender(self._async_clients.current() or await self._async_clients.get()), request
        )

    async def _exchange(self, sender: _Sender, request: Request) -> Response:
        """One exchange, written once: sync calls drive it with `run_sync` (it never suspends)."""
        config = request.config
        self.apply_cookies(sender.client.cookies, request)
        follow = config.get("follow_redirects", True)
        max_redirects = config.get("max_redirects", self.max_redirects)
        # with max_content_length the pipeline reads the body itself, bounded as it decodes
        unread = config.get("stream", False) or config.get("max_content_length") is not None
        stream = unread
        on_download = config.get("on_download_progress")
        if on_download is not None or config.get("on_upload_progress") is not None:
            # with a download callback, the body is read below chunk by chunk
            stream = self.track_progress(request) or stream
        auth = config.get("auth")
        # per-phase timings: httpcore reports each phase to the request's `trace` extension
        recorder = HttpcoreTrace(request.extensions.get("trace"))
        request.extensions["trace"] = sender.trace(recorder)
        limiter = self.limiter
        await sender.acquire(limiter, request)  # fair and bounded wait for a pool slot
        try:
            with map_httpx_errors(request):
                if follow:  # hop by hop: each hop to another origin loses the secret headers
                    raw = await _follow_redirects(sender, request, auth, max_redirects, stream)
                else:
                    raw = await sender.send(
                        request, stream=stream, follow_redirects=follow, auth=auth
                    )
                if on_download is not None:
                    self.track_download(raw, request)
                    if not unread:
                        try:
                            await sender.read(raw)
                        except BaseException:
                            await sender.close(raw)
                            raise
        except BaseException:
            sender.release(limiter)
            raise
        limiter.release_when_closed(raw, is_async=sender.is_async)
        response = Response(raw=raw, request=request, config=config)
        response._timings = recorder.timings  # worked out when read
        return response

    # --- closing -------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        self.close()
        await self._async_clients.aclose()


class _SyncSender:
    """`httpx.Client` behind coroutines that never suspend (driven by `run_sync`)."""

    __slots__ = ("client",)
    is_async = False

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    @staticmethod
    def trace(recorder: HttpcoreTrace) -> Callable[[str, dict[str, Any]], Any]:
        return recorder.trace

    async def acquire(self, limiter: ConnectionLimiter, request: Request) -> None:
        limiter.acquire(_pool_timeout(request), request.config.get("cancel_token"))

    def release(self, limiter: ConnectionLimiter) -> None:
        limiter.release()

    async def send(self, request: httpx.Request, **options: Any) -> httpx.Response:
        return self.client.send(request, **options)

    async def read(self, raw: httpx.Response) -> None:
        raw.read()

    async def close(self, raw: httpx.Response) -> None:
        raw.close()


class _AsyncSender:
    """`httpx.AsyncClient` behind the same three coroutines."""

    __slots__ = ("client",)
    is_async = True

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @staticmethod
    def trace(recorder: HttpcoreTrace) -> Callable[[str, dict[str, Any]], Any]:
        return recorder.atrace

    async def acquire(self, limiter: ConnectionLimiter, request: Request) -> None:
        await limiter.acquire_async(_pool_timeout(request))

    def release(self, limiter: ConnectionLimiter) -> None:
        limiter.release_async()

    async def send(self, request: httpx.Request, **options: Any) -> httpx.Response:
        return await self.client.send(request, **options)

    async def read(self, raw: httpx.Response) -> None:
        await raw.aread()

    async def close(self, raw: httpx.Response) -> None:
        await raw.aclose()


_Sender = _SyncSender | _AsyncSender


def _pool_timeout(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout") or {}
    pool: float | None = timeouts.get("pool")
    return pool


async def _follow_redirects(
    sender: _Sender, request: Request, auth: Any, limit: int, stream: bool
) -> httpx.Response:
    """Follow redirects by hand: the request's own `max_redirects`, and every header of the
    redaction policy dropped on a hop to another origin (httpx drops Authorization only)."""
    history: list[httpx.Response] = []
    raw = await sender.send(request, stream=stream, follow_redirects=False, auth=auth)
    while raw.next_request is not None:
        if len(history) >= limit:
            await sender.close(raw)
            raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=request)
        await sender.read(raw)
        history.append(raw)
        hop = raw.next_request
        hop.config = request.config  # type: ignore[attr-defined]
        strip_for_redirect(hop, raw.request.url)
        raw = await sender.send(hop, stream=stream, follow_redirects=False)
    raw.history = history
    return raw


# --- cancellable sockets (sync) ----------------------------------------------------------


class _CancellableBody(httpx.SyncByteStream):
    """A streamed response body (sync) whose reads `token.cancel()` aborts, as during the
    request: each read runs with the token current, so a cancel shuts the socket down, and the
    read raises `CancelError`; `close()` then discards the connection."""

    def __init__(self, inner: Any, token: CancelToken, config: dict[str, Any]) -> None:
        self._inner = inner
        self._token = token
        self._config = config

    def __iter__(self) -> Iterator[bytes]:
        token = self._token
        chunks = iter(self._inner)
        while True:
            if token.is_cancelled:
                raise CancelError(token.reason or "Request cancelled", config=self._config)
            previous, _current.token = getattr(_current, "token", None), token
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            except Exception as exc:
                if token.is_cancelled:
                    raise CancelError(
                        token.reason or "Request cancelled", config=self._config
                    ) from exc
                raise
            finally:
                _current.token = previous
            yield chunk

    def close(self) -> None:
        self._inner.close()


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


def _make_cancellable(transport: httpx.HTTPTransport) -> None:
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _CancellableBackend(backend)  # type: ignore[union-attr]


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
        token: CancelToken | None = getattr(_current, "token", None)
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
    return SyncStream(sock)


def _checked(stream: _CancellableStream) -> _CancellableStream:
    token: CancelToken | None = getattr(_current, "token", None)
    if token is not None and token.is_cancelled:
        stream.close()
        raise httpcore.ConnectError("cancelled while connecting")
    return stream


class _CancellableStream(httpcore.NetworkStream):
    __slots__ = ("_inner",)

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        token: CancelToken | None = getattr(_current, "token", None)
        if token is None:
            return self._inner.read(max_bytes, timeout)
        unsubscribe = token.subscribe(self._abort)
        try:
            return self._inner.read(max_bytes, timeout)
        finally:
            unsubscribe()

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        token: CancelToken | None = getattr(_current, "token", None)
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
