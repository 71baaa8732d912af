"""`Urllib3Transport`: sync calls through a `urllib3.PoolManager`, async calls through httpx."""

from __future__ import annotations

import builtins
import contextlib
import re
import ssl
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, cast

import httpx
import urllib3
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    EmptyPoolError,
    HTTPError,
    LocationParseError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import SKIP_HEADER, Retry, Timeout

from axios_python import (
    AxiosPythonError,
    BaseTransport,
    CancelError,
    CancelToken,
    ConfigError,
    ConnectionLimiter,
    HttpxTransport,
    NetworkError,
    ProxyEnvironment,
    Response,
    StreamedBody,
    TimeoutError,
    proxy_parts,
    ssl_context,
)

from ._connect import begin, end
from ._pool import hold_connection, pool_manager, release_connection
from ._timings import Marks

__all__ = ["Urllib3Transport", "map_urllib3_error"]

_CHUNK = 64 * 1024
_NO_RETRIES = Retry(total=False, redirect=False)  # the pipeline owns retries and redirects
_VERSIONS = {10: "HTTP/1.0", 11: "HTTP/1.1"}
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORBIDDEN_IN_VALUE = re.compile(rb"[\r\n\0]")
# What urllib3 may raise while sending, besides its own errors: a body or header it refuses
# (ValueError, TypeError), an OSError it did not wrap.
_SEND_ERRORS = (HTTPError, ValueError, TypeError, OSError)


class Urllib3Transport(BaseTransport):
    """Sends sync requests with urllib3; async requests with the default httpx transport.

    Args:
        verify: True (system CAs), False (no verification), a CA bundle path, or an SSLContext.
        cert: a client certificate: a path, or (certfile, keyfile[, password]).
        proxy: an http(s) proxy URL, `httpx.URL` or `httpx.Proxy` (its auth and headers are
            used); socks proxies are refused (ConfigError).
        trust_env: use the proxy environment variables (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
            NO_PROXY), read once.
        http2: must be False; urllib3 speaks HTTP/1.1 only (ConfigError otherwise).
        limits: `httpx.Limits`. `max_connections` bounds the exchanges in flight, all
            origins together as on httpx: a fair `ConnectionLimiter` in front of urllib3's
            per-origin pools, whose wait is the `pool` timeout (and which a `CancelToken`
            ends). `max_connections=None` lets each pool open more connections on
            demand, keeping `max_keepalive_connections` (default 10) of them. urllib3 has no
            idle expiry: `keepalive_expiry` is not used (a connection the server closed is
            detected when it is taken from the pool, and replaced).
        max_redirects: the client-wide redirect limit (a per-request `max_redirects` also works).
        cookies: initial cookies; the jar then persists `Set-Cookie` across requests.
    """

    sends = frozenset({"sync"})  # async calls go to the internal HttpxTransport

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        proxy: str | httpx.URL | httpx.Proxy | None = None,
        trust_env: bool = True,
        http2: bool = False,
        limits: httpx.Limits | None = None,
        max_redirects: int = 20,
        cookies: dict[str, str] | None = None,
    ) -> None:
        if http2:
            raise ConfigError(
                "the urllib3 transport speaks HTTP/1.1 only; use the default transport for http2",
                key="http2",
            )
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=100)
        block = limits.max_connections is not None
        size = limits.max_connections or limits.max_keepalive_connections or 10
        self._pool_options: dict[str, Any] = {
            "num_pools": 32,
            "maxsize": size,
            "block": block,
            **_tls_options(ssl_context(verify, cert, trust_env=trust_env)),
        }
        self._manager = pool_manager(urllib3.PoolManager(**self._pool_options))
        self._proxy = None if proxy is None else self._proxy_manager(proxy)
        self._env_proxies = ProxyEnvironment(self._proxy_manager, trust_env=trust_env and not proxy)
        # In front of the pools: FIFO, sized to them, the `pool` timeout applied to its wait.
        self.limiter = ConnectionLimiter(limits.max_connections)
        self.max_redirects = max_redirects
        self.cookies = httpx.Cookies(cookies)
        self._fallback = HttpxTransport(
            verify=verify,
            cert=cert,
            proxy=proxy,
            trust_env=trust_env,
            limits=limits,
            max_redirects=max_redirects,
        )
        self._timeouts: dict[tuple[Any, Any], Timeout] = {}
        # Per URL object (clients reuse one httpx.URL per URL): its pool and request target.
        self._routes: dict[int, tuple[httpx.URL, HTTPConnectionPool, str]] = {}
        self._pools: dict[tuple[int, str, str, int], HTTPConnectionPool] = {}
        # Header sets already converted for urllib3 (per transport: values may be credentials).
        self._converted: dict[tuple[tuple[bytes, bytes], ...], dict[Any, Any]] = {}

    def _env_proxy_manager(self, scheme: str, url: str) -> urllib3.ProxyManager:
        try:
            return self._proxy_manager(url)
        except ConfigError as exc:  # name the variable: the caller never passed this proxy
            raise ConfigError(
                f"{scheme.upper()}_PROXY={url}: {exc} (unset it, or set trust_env=False)",
                key="trust_env",
            ) from None

    def _proxy_manager(self, proxy: str | httpx.URL | httpx.Proxy) -> urllib3.ProxyManager:
        url, headers = proxy_parts(proxy, transport="urllib3")
        manager = urllib3.ProxyManager(url, proxy_headers=headers or None, **self._pool_options)
        return cast(urllib3.ProxyManager, pool_manager(manager))

    # --- sending -------------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request, *, stream: bool) -> Response:
        """Async calls: urllib3 has no async API, so the default httpx transport sends them."""
        return await self._fallback.handle_async_request(request, stream=stream)

    def handle_request(self, request: httpx.Request, *, stream: bool) -> Response:
        """One request, after a fair wait for a connection (`limiter`): a `CancelToken` aborts
        the wait; the slot is held until the body is read, or the stream closed."""
        limiter = self.limiter
        config: dict[str, Any] = getattr(request, "config", None) or {}
        limiter.acquire(_pool_timeout(request), config.get("cancel_token"))
        try:
            response = self._send(request, stream)
        except BaseException:
            limiter.release()
            raise
        if response.is_closed:  # read in full
            limiter.release()
        else:  # a stream: released when closed, or when collected unclosed (ResourceWarning)
            limiter.release_when_closed(response.raw, is_async=False)
        return response

    def _send(self, request: httpx.Request, stream: bool) -> Response:
        try:
            return self._send_one(request, stream)
        except AxiosPythonError:
            raise
        except _SEND_ERRORS as exc:
            raise map_urllib3_error(exc, request) from exc

    def _send_one(self, request: httpx.Request, streamed: bool) -> Response:
        """One HTTP exchange. `streamed`: leave the body unread (the caller reads or streams it)."""
        started = time.perf_counter()
        config: dict[str, Any] = getattr(request, "config", None) or {}
        token: CancelToken | None = config.get("cancel_token")
        timeouts = request.extensions.get("timeout") or {}
        connect, write = timeouts.get("connect"), timeouts.get("write")
        pool, target = self._route(request.url)
        stream = request.stream
        body = request.content or None if isinstance(stream, httpx.ByteStream) else _body(stream)
        raw_headers = tuple(request.headers.raw)
        headers = self._converted.get(raw_headers)
        if headers is None:
            headers = self._convert(raw_headers)
        exchange = begin(token, write)  # what the connection classes apply (_connect.py)
        try:
            resp = pool.urlopen(
                request.method,
                target,
                body=body,
                headers=headers,
                retries=_NO_RETRIES,
                redirect=False,
                assert_same_host=False,
                timeout=self._timeout(connect, timeouts.get("read")),
                pool_timeout=timeouts.get("pool"),
                preload_content=not streamed,
                decode_content=False,  # httpx.Response decodes, keeping Content-Encoding
            )
        except (HTTPError, OSError):
            if isinstance(body, StreamedBody) and body.error is not None:
                raise body.error from None  # the body's own error, not urllib3's wrapper of it
            raise
        finally:
            end(exchange)
        headers_out = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in resp.headers.iteritems()
        ]
        version = _VERSIONS.get(resp.version, "HTTP/1.1")
        reason = resp.reason.encode("latin-1") if resp.reason else None
        response: Response
        if streamed:
            body_stream = _Urllib3Stream(resp, token, config, started, exchange)
            raw = httpx.Response(
                resp.status,
                headers=headers_out,
                request=request,
                extensions={"http_version": version.encode(), "reason_phrase": reason or b""},
                stream=body_stream,
            )
            body_stream.response = raw
            response = Response(raw=raw, request=request)
        else:
            exchange.received = time.perf_counter()  # urlopen read the body
            response = Response.received(
                resp.status,
                headers_out,
                resp.data,
                request=request,
                http_version=version,
                reason_phrase=reason,
                elapsed=time.perf_counter() - started,
            )
        response.timings = exchange.timings  # worked out when read
        return response

    def _route(self, url: httpx.URL) -> tuple[HTTPConnectionPool, str]:
        """The pool for `url`'s origin (or its proxy's) and the request target to send.

        Both are kept per URL object, and pools per origin: asking the PoolManager each time
        costs more than the rest of the transport's own work (it builds a 30-field pool key).
        A kept pool the manager has closed since (evicted, or `close()`) is asked for again.
        """
        known = self._routes.get(id(url))
        # the entry holds the URL, so its id is not reused while it is there
        if known is None or known[0] is not url or known[1].pool is None:
            known = self._new_route(url)
        return known[1], known[2]

    def _new_route(self, url: httpx.URL) -> tuple[httpx.URL, HTTPConnectionPool, str]:
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise ConfigError(
                f"invalid URL {str(url)!r}: the urllib3 transport sends http:// and https:// only",
                key="url",
                code="ERR_INVALID_URL",
            )
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if scheme == "https" else 80)
        target = url.raw_path.decode("ascii")
        manager = self._proxy if self._proxy is not None else self._manager
        if self._env_proxies:
            manager = self._env_proxies.for_url(url) or manager
        if manager is not self._manager and scheme == "http":
            target = str(url)  # a plain http proxy takes the absolute form
        origin = (id(manager), scheme, host, port)
        pool = self._pools.get(origin)
        if pool is None or pool.pool is None:
            pool = self._pools[origin] = manager.connection_from_host(host, port, scheme)
        route = (url, pool, target)
        if len(self._routes) >= 256:
            self._routes.clear()
        if len(self._pools) >= 256:
            self._pools.clear()
        self._routes[id(url)] = route
        return route

    def _convert(self, raw: tuple[tuple[bytes, bytes], ...]) -> dict[Any, Any]:
        """A request's headers as urllib3 sends them: exactly these, in this order (urllib3
        would add Accept-Encoding and User-Agent when absent: SKIP_HEADER tells it not to).
        Repeated names are joined with ", " (a header urllib3 gets once).

        http.client lets a NUL through (and checks CR/LF only partly): a name that is not an
        HTTP token or a value with CR, LF or NUL is a `ConfigError`, as h11 refuses them on the
        default transport. Set at run time by a hook, they were never validated up front.
        """
        headers: dict[Any, Any] = {}
        names: dict[bytes, bytes] = {}
        for name, value in raw:
            if not _TOKEN.fullmatch(name):
                raise ConfigError(f"invalid header name {name!r}", key="headers")
            if _FORBIDDEN_IN_VALUE.search(value):
                raise ConfigError(
                    f"header {name.decode('ascii')!r} has a value with CR, LF or NUL ({value!r})",
                    key="headers",
                )
            lower = name.lower()
            first = names.setdefault(lower, name)
            headers[first] = value if first is name else headers[first] + b", " + value
        if b"accept-encoding" not in names:
            headers["Accept-Encoding"] = SKIP_HEADER
        if b"user-agent" not in names:
            headers["User-Agent"] = SKIP_HEADER
        if len(self._converted) >= 256:
            self._converted.clear()
        self._converted[raw] = headers
        return headers

    def _timeout(self, connect: float | None, read: float | None) -> Timeout:
        key = (connect, read)
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = Timeout(connect=connect, read=read)
            if len(self._timeouts) < 256:
                self._timeouts[key] = timeout
        return timeout

    # --- closing -------------------------------------------------------------------------

    def close(self) -> None:
        self._manager.clear()
        if self._proxy is not None:
            self._proxy.clear()
        for manager in self._env_proxies.proxies.values():
            manager.clear()
        self._fallback.close()

    async def aclose(self) -> None:
        self.close()
        await self._fallback.aclose()


# --- bodies --------------------------------------------------------------------------------


def _body(stream: Any) -> StreamedBody:
    """A request body that is not plain bytes (files, an iterator, a progress-tracked body),
    iterated as it is sent with the request's own Content-Length or Transfer-Encoding."""
    if not hasattr(stream, "__iter__"):
        raise ConfigError(
            "an async iterator body can only be sent by an async call (await api.async_post); "
            "the urllib3 transport sends sync calls",
            key="content",
        )
    return StreamedBody(stream)


class _Urllib3Stream(httpx.SyncByteStream):
    """A streamed urllib3 body as httpx sees it; `close()` gives the connection back (or drops
    it, if the body was not read to the end). A `CancelToken` aborts a blocked read."""

    def __init__(
        self,
        resp: urllib3.BaseHTTPResponse,
        token: CancelToken | None,
        config: dict[str, Any],
        started: float,
        marks: Marks,
    ) -> None:
        self._resp = resp
        self._marks = marks
        self._token = token
        self._config = config
        self._started = started
        self._closed = False
        self._done = False  # read to the end: the connection can go back to the pool
        self.response: httpx.Response | None = None
        self._conn = hold_connection(resp)

    def __iter__(self) -> Iterator[bytes]:
        resp, token = self._resp, self._token
        chunks = resp.stream(_CHUNK, decode_content=False)
        while True:
            unsubscribe = None
            if token is not None:
                if token.is_cancelled:
                    raise CancelError(token.reason or "Request cancelled", config=self._config)
                unsubscribe = token.subscribe(self._abort)
            try:
                chunk = next(chunks)
            except StopIteration:
                self._done = True
                self._marks.received = time.perf_counter()
                return
            except (HTTPError, OSError) as exc:
                if token is not None and token.is_cancelled:
                    raise CancelError(
                        token.reason or "Request cancelled", config=self._config
                    ) from exc
                raise _as_httpx_error(exc) from exc
            finally:
                if unsubscribe is not None:
                    unsubscribe()
            yield chunk

    def _abort(self) -> None:
        with contextlib.suppress(Exception):  # released or closed meanwhile
            self._resp.shutdown()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        resp = self._resp
        if not self._done:
            resp.close()  # the rest of the body is still on the wire: drop the connection
        resp.release_conn()
        release_connection(self._conn)
        response, self.response = self.response, None  # no cycle with it once closed
        if response is not None:
            response.elapsed = timedelta(seconds=time.perf_counter() - self._started)

    def __del__(self) -> None:  # dropped unclosed (the limiter's wrapper warns, if any)
        if not self._closed:
            with contextlib.suppress(Exception):
                self.close()


# --- errors --------------------------------------------------------------------------------


def map_urllib3_error(exc: BaseException, request: Any) -> Exception:
    """The axios_python error for a urllib3 error (or an OSError or ValueError it let through),
    as for httpx's: the first row of `_ERRORS` whose class matches."""
    context: dict[str, Any] = {"request": request, "config": getattr(request, "config", None)}
    message = str(exc) or type(exc).__name__
    for kinds, build in _ERRORS:
        if isinstance(exc, kinds):
            return build(exc, message, context)
    return NetworkError(message, code="ECONNRESET", **context)


def _pool_timeout(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout") or {}
    pool: float | None = timeouts.get("pool")
    return pool


_Context = dict[str, Any]


def _new_connection_error(exc: BaseException, message: str, context: _Context) -> Exception:
    refused = isinstance(exc.__cause__, ConnectionRefusedError) or "refused" in message
    return NetworkError(message, code="ECONNREFUSED" if refused else "ERR_NETWORK", **context)


def _protocol_error(exc: BaseException, message: str, context: _Context) -> Exception:
    cause = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(cause, builtins.TimeoutError):  # urllib3 wraps a send timeout so
        return TimeoutError(f"write timeout: {message}", phase="write", **context)
    return NetworkError(message, code="ECONNRESET", **context)


def _timeout(phase: str) -> Callable[[BaseException, str, _Context], Exception]:
    def build(exc: BaseException, message: str, context: _Context) -> Exception:
        return TimeoutError(f"{phase} timeout: {message}", phase=phase, **context)

    return build


def _network(code: str, prefix: str = "") -> Callable[[BaseException, str, _Context], Exception]:
    def build(exc: BaseException, message: str, context: _Context) -> Exception:
        return NetworkError(f"{prefix}{message}", code=code, **context)

    return build


def _config(prefix: str, **extra: str) -> Callable[[BaseException, str, _Context], Exception]:
    def build(exc: BaseException, message: str, context: _Context) -> Exception:
        return ConfigError(f"{prefix}{message}", **extra, **context)

    return build


# In order: a NewConnectionError is a ConnectTimeoutError too, an HTTPError anything of urllib3's.
_ERRORS: tuple[tuple[Any, Callable[[BaseException, str, _Context], Exception]], ...] = (
    (EmptyPoolError, _timeout("pool")),
    (NameResolutionError, _network("ERR_NETWORK")),
    (NewConnectionError, _new_connection_error),
    (ConnectTimeoutError, _timeout("connect")),
    (ReadTimeoutError, _timeout("read")),
    (ProxyError, _network("ERR_NETWORK", "proxy error: ")),
    (SSLError, _network("ERR_NETWORK", "TLS error: ")),
    (ProtocolError, _protocol_error),
    (LocationParseError, _config("invalid URL: ", key="url", code="ERR_INVALID_URL")),
    ((ValueError, TypeError), _config("invalid request: ", code="ERR_BAD_OPTION_VALUE")),
    (HTTPError, _network("ERR_BAD_RESPONSE")),
)


def _as_httpx_error(exc: BaseException) -> httpx.HTTPError:
    """Errors while streaming a body surface through httpx.Response, so speak httpx there."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, (ReadTimeoutError, builtins.TimeoutError)):
        return httpx.ReadTimeout(message)
    if isinstance(exc, ProtocolError):
        return httpx.RemoteProtocolError(f"peer closed connection: {message}")
    return httpx.ReadError(message)


# --- options -------------------------------------------------------------------------------


def _tls_options(context: ssl.SSLContext) -> dict[str, Any]:
    """PoolManager options for the client's `SSLContext` (`axios_python.ssl_context`)."""
    options: dict[str, Any] = {"ssl_context": context}
    if not context.check_hostname:
        options["assert_hostname"] = False  # urllib3 would check it on its own
    if context.verify_mode == ssl.CERT_NONE:
        options["cert_reqs"] = "CERT_NONE"
    return options
