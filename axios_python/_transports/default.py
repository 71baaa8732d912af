"""`HttpxTransport`: the default transport, one pooled httpx client per axios_python client.

It sends one request per call (`handle_request`); the core's exchange above it applies
cookies, runs auth flows, follows redirects and reports progress.

It also makes a blocked *sync* request cancellable from another thread: the httpcore network
backend is wrapped so that, while a request holding a `CancelToken` reads or writes, a cancel
shuts the socket down; the blocked `recv` returns at once and httpcore discards the connection.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable
from http.cookiejar import CookieJar
from typing import Any, TypeVar

import httpcore
import httpx

from .._cancel import CancellableBody, CancelToken, current_token, sending_with
from .._environment import environment_proxies, missing, ssl_context
from .._exceptions import ConfigError
from .._internals.httpcore import sync_stream, wrap_network_backend
from .._internals.httpx import transport_pool
from .._limits import ConnectionLimiter
from .._models import Response
from .._sync import run_sync
from .._timings import HttpcoreTrace
from .base import BaseTransport, LoopLocal

__all__ = ["HttpxTransport"]

T = TypeVar("T", httpx.HTTPTransport, httpx.AsyncHTTPTransport)
_NO_CONFIG: dict[str, Any] = {}


class _IgnoredCookies(CookieJar):
    """The jar of the httpx clients underneath: it stores nothing (the exchange above the
    transport applies and stores cookies, in `HttpxTransport.cookies`)."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


_NO_JAR = _IgnoredCookies()


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
                    client = httpx.Client(transport=transport, mounts=mounts)
                    client.cookies.jar = _NO_JAR  # the exchange keeps cookies, in self.cookies
                    self._client = client
                client = self._client
        return client

    def _new_async_client(self) -> httpx.AsyncClient:
        transport, mounts = self._transports(httpx.AsyncHTTPTransport)
        client = httpx.AsyncClient(transport=transport, mounts=mounts)
        client.cookies.jar = _NO_JAR
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

    def handle_request(self, request: httpx.Request, *, stream: bool) -> Response:
        token = getattr(request, "config", _NO_CONFIG).get("cancel_token")
        sender = _SyncSender(self._sync_client())
        if token is None:
            return run_sync(self._hop(sender, request, stream))
        with sending_with(token):  # a cancel shuts this thread's socket down
            response = run_sync(self._hop(sender, request, stream))
        if stream and not response.is_closed:
            raw = response.raw
            raw.stream = CancellableBody(raw.stream, token, response.config)
        return response

    async def handle_async_request(self, request: httpx.Request, *, stream: bool) -> Response:
        client = self._async_clients.current() or await self._async_clients.get()
        return await self._hop(_AsyncSender(client), request, stream)

    async def _hop(self, sender: _Sender, request: httpx.Request, stream: bool) -> Response:
        """One request, written once: sync calls drive it with `run_sync` (it never suspends)."""
        config = getattr(request, "config", _NO_CONFIG)
        # per-phase timings: httpcore reports each phase to the request's `trace` extension
        recorder = HttpcoreTrace(request.extensions.get("trace"))
        request.extensions["trace"] = sender.trace(recorder)
        limiter = self.limiter
        await sender.acquire(limiter, request, config)  # fair and bounded wait for a pool slot
        try:
            raw = await sender.send(request, stream=stream, follow_redirects=False)
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

    async def acquire(
        self, limiter: ConnectionLimiter, request: httpx.Request, config: dict[str, Any]
    ) -> None:
        limiter.acquire(_pool_timeout(request), config.get("cancel_token"))

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

    async def acquire(
        self, limiter: ConnectionLimiter, request: httpx.Request, config: dict[str, Any]
    ) -> None:
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


def _make_cancellable(transport: httpx.HTTPTransport) -> None:
    wrap_network_backend(transport_pool(transport), _CancellableBackend)


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
    """A TCP connect that `token.cancel()` ends at once, without a helper thread: the socket
    connects non-blocking while a selector waits for it or for the cancel (a wake-up pair).
    On cancel, the half-open socket is closed: no thread and no descriptor outlive the call.
    What httpcore's sync backend does otherwise (TCP_NODELAY, the socket options, its errors).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    deadline = None if timeout is None else time.monotonic() + timeout
    wake_r, wake_w = socket.socketpair()
    unsubscribe = token.subscribe(lambda: _wake(wake_w))
    error: Exception | None = None
    try:
        for family, kind, proto, _, address in infos:
            if token.is_cancelled:
                break
            sock = socket.socket(family, kind, proto)
            try:
                _connect_one(sock, address, local_address, socket_options, deadline, wake_r)
            except BaseException as exc:
                sock.close()
                if isinstance(exc, httpcore.ConnectTimeout) or not isinstance(exc, Exception):
                    raise
                error = exc
                continue
            if token.is_cancelled:
                sock.close()
                break
            return sync_stream(sock)
    finally:
        unsubscribe()
        wake_r.close()
        wake_w.close()
    if token.is_cancelled:
        raise httpcore.ConnectError("cancelled while connecting")
    raise httpcore.ConnectError(str(error)) from error


def _wake(wake_w: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed: the connect is over already
        wake_w.send(b"x")


def _connect_one(
    sock: socket.socket,
    address: Any,
    local_address: str | None,
    socket_options: Any,
    deadline: float | None,
    wake_r: socket.socket,
) -> None:
    for option in socket_options or ():
        sock.setsockopt(*option)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if local_address is not None:
        sock.bind((local_address, 0))
    sock.setblocking(False)
    code = sock.connect_ex(address)
    if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK):
        raise OSError(code, os.strerror(code))
    if code:
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_WRITE)
            selector.register(wake_r, selectors.EVENT_READ)
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = {key.fileobj for key, _ in selector.select(remaining)}
        if wake_r in ready:
            raise OSError(errno.ECANCELED, "cancelled while connecting")
        if sock not in ready:
            raise httpcore.ConnectTimeout("timed out")
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            raise OSError(code, os.strerror(code))
    sock.setblocking(True)


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
