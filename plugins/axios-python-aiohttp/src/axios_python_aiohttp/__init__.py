"""An aiohttp transport for axios_python: aiohttp's async speed behind the same API.

Select it per client::

    api = axios_python.create({"transport": "aiohttp", "base_url": "https://api.example.com"})
    await api.async_get("/users")

Async calls go through one pooled `aiohttp.ClientSession` per event loop (closed by `aclose()`,
or when `asyncio.run()` shuts its loop down). Sync calls on the same client fall back to an
internal `HttpxTransport` sharing the same cookie jar: aiohttp has no blocking API.

Everything above the transport (interceptors, middleware, retries, plugins, cancellation, and
the exchange: cookies, `httpx.Auth` flows, redirects, progress) is the core's and works
unchanged. The transport sends one request per call: streaming, timeouts, a fair pool wait,
per-phase timings, and the mapping of aiohttp/asyncio errors to axios_python errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import ssl
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import httpx

from axios_python import (
    AxiosPythonError,
    BaseTransport,
    ConfigError,
    ConnectionLimiter,
    HttpxTransport,
    LoopLocal,
    NetworkError,
    ProxyEnvironment,
    Response,
    StreamedBody,
    TimeoutError,
    Timings,
    proxy_parts,
    ssl_context,
)

from ._internals import MARKS, TimedConnector, TimedRequest, never_resend
from ._version import __version__
from ._writes import WatchedBody, watch_body

__all__ = [
    "AiohttpTransport",
    "__version__",
    "map_aiohttp_error",
]

_CHUNK = 64 * 1024


class AiohttpTransport(BaseTransport):
    """Sends async requests with aiohttp; sync requests with the default httpx transport.

    Args:
        verify: True (system CAs), False (no verification), a CA bundle file or directory, or
            an SSLContext; with `cert`, one context built by `axios_python.ssl_context`.
        cert: a client certificate: a path, or (certfile, keyfile[, password]).
        proxy: an http(s) proxy URL, `httpx.URL` or `httpx.Proxy` (its auth and headers are used).
        trust_env: read HTTP(S)_PROXY / ALL_PROXY / NO_PROXY once, and SSL_CERT_FILE /
            SSL_CERT_DIR (netrc credentials are added by the client, for every transport).
        http2: must be False; aiohttp speaks HTTP/1.1 only (ConfigError otherwise).
        limits: `httpx.Limits`; max_connections and keepalive_expiry are mapped.
        max_redirects: the client-wide redirect limit (a per-request `max_redirects` also works).
        cookies: initial cookies; the jar (`cookies`, kept by the core's exchange for sync and
            async calls) then persists `Set-Cookie` across requests.
        timings: record `response.timings` (default True): a few `time.perf_counter()` marks
            per request, taken by the session's own request and connector classes (~1% of a
            request; aiohttp's tracing signals would cost ~13%). False leaves every phase None.
    """

    sends = frozenset({"async"})  # sync calls go to the internal HttpxTransport

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
        timings: bool = True,
    ) -> None:
        if http2:
            raise ConfigError(
                "the aiohttp transport speaks HTTP/1.1 only; use the default transport for http2",
                key="http2",
            )
        # aiohttp's own default context, else the one the core builds for every transport
        # (a CA file or dir, a client cert, SSL_CERT_FILE / SSL_CERT_DIR under trust_env)
        plain = verify is True and cert is None
        if plain and trust_env:
            plain = not (os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"))
        self._ssl: ssl.SSLContext | bool = (
            True
            if plain
            else False
            if verify is False and cert is None
            else ssl_context(verify, cert, trust_env=trust_env)
        )
        self._proxy: str | None = None
        self._proxy_headers: dict[str, str] | None = None
        if proxy is not None:
            self._proxy, headers = proxy_parts(proxy, transport="aiohttp")
            self._proxy_headers = headers or None  # aiohttp.BasicAuth is deprecated: a header
        # aiohttp's own trust_env looks up netrc and proxy variables in a thread on *every*
        # request (~2x the cost of the request); read the proxy variables once, as httpx does.
        self._env_proxies = ProxyEnvironment(_checked_proxy, trust_env=trust_env and proxy is None)
        self._by_url = bool(self._env_proxies)  # the environment names proxies: look each up
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=100)
        self._limit = limits.max_connections or 0
        # A fair queue in front of aiohttp's pool (whose queue is not FIFO), with its own wait:
        # the `pool` timeout, separate from the connect timeout.
        self.limiter = ConnectionLimiter(limits.max_connections)
        self._keepalive = limits.keepalive_expiry if limits.keepalive_expiry is not None else 15.0
        self.max_redirects = max_redirects
        self.cookies = httpx.Cookies(cookies)
        self._timings = bool(timings)
        self._fallback = HttpxTransport(
            verify=verify,
            cert=cert,
            proxy=proxy,
            trust_env=trust_env,
            limits=limits,
            max_redirects=max_redirects,
        )
        # An aiohttp session belongs to the loop that created it: one per loop.
        self._sessions = LoopLocal(self._new_session, self._close_session)
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}
        # Header sets already converted for aiohttp, and URLs as text (per transport: values
        # may be credentials). Clients reuse one httpx.URL object per URL (their Memo), so the
        # text is found by identity: hashing an httpx.URL would format it anyway.
        self._converted: dict[tuple[tuple[bytes, bytes], ...], _Converted] = {}
        self._url_text: dict[int, tuple[httpx.URL, str]] = {}

    # --- sessions ------------------------------------------------------------------------

    def _new_session(self) -> aiohttp.ClientSession:
        timed = self._timings  # response.timings: classes that mark each phase (_internals.py)
        connector = (TimedConnector if timed else aiohttp.TCPConnector)(
            limit=self._limit,
            limit_per_host=0,
            keepalive_timeout=self._keepalive,
            ssl=self._ssl,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            request_class=TimedRequest if timed else aiohttp.ClientRequest,
            cookie_jar=aiohttp.DummyCookieJar(),  # the httpx jar is applied per hop
            auto_decompress=False,  # httpx.Response decodes, keeping Content-Encoding
            trust_env=False,
            timeout=aiohttp.ClientTimeout(total=None),
        )
        never_resend(session)  # only the pipeline's retries may send a request again
        return session

    @staticmethod
    async def _close_session(session: aiohttp.ClientSession) -> None:
        with contextlib.suppress(Exception):
            await session.close()

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        spec = request.extensions.get("timeout") or {}
        key = (spec.get("connect"), spec.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            connect, read = key
            # The pool wait is the limiter's (`pool`); aiohttp's `connect` (its pool wait, DNS
            # and the connect) no longer holds it: with the limiter the pool is never short.
            timeout = aiohttp.ClientTimeout(
                total=None, connect=connect, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) < 256:
                self._timeouts[key] = timeout
        return timeout

    # --- sending -------------------------------------------------------------------------

    def handle_request(self, request: httpx.Request, *, stream: bool) -> Response:
        """Sync calls: aiohttp has no blocking API, so the default httpx transport sends them."""
        return self._fallback.handle_request(request, stream=stream)

    async def handle_async_request(self, request: httpx.Request, *, stream: bool) -> Response:
        session = self._sessions.current() or await self._sessions.get()
        limiter = self.limiter
        timeouts = request.extensions.get("timeout") or {}
        await limiter.acquire_async(timeouts.get("pool"))  # FIFO, bounded by `pool`
        try:
            response = await self._send_one(session, request, stream)
        except BaseException as exc:
            limiter.release_async()
            if isinstance(exc, _LIBRARY_ERRORS) and not isinstance(exc, AxiosPythonError):
                raise map_aiohttp_error(exc, request) from exc
            raise
        if response.is_closed:  # read in full: the connection is back in the pool
            limiter.release_async()
        else:
            limiter.release_when_closed(response.raw, is_async=True)
        return response

    async def _send_one(
        self, session: aiohttp.ClientSession, request: httpx.Request, streamed: bool
    ) -> Response:
        """One HTTP exchange. `streamed`: leave the body unread (the caller reads or streams it)."""
        data, headers, skip = await self._payload(request)
        timeouts = request.extensions.get("timeout") or {}
        body = watch_body(data, timeouts.get("write"))
        marks = _Marks()
        if self._timings:
            # For the classes that mark, and aiohttp's tasks for this request (a DNS lookup, a
            # body written in the background: they copy the context). Not reset (a reset costs
            # as much as the set): the next request of this task sets its own before it sends.
            MARKS.set(marks)
        try:
            resp = await session.request(
                request.method,
                self._url(request.url),
                headers=headers,
                skip_auto_headers=skip or None,
                data=body,
                allow_redirects=False,
                timeout=self._timeout(request),
                proxy=self._env_proxies.for_url(request.url) if self._by_url else self._proxy,
                proxy_headers=self._proxy_headers,
            )
        except aiohttp.ClientError:
            if isinstance(data, StreamedBody) and data.error is not None:
                raise data.error from None  # the body's own error, not aiohttp's wrapper of it
            if isinstance(body, WatchedBody) and body.expired:
                raise _write_timeout(request, timeouts["write"]) from None
            raise
        marks.headers = time.perf_counter()  # the session returns once the headers are in
        try:
            content = None if streamed else await resp.read()
        except BaseException:  # CancelledError included: never pool a half-read connection
            resp.close()
            raise
        response = _response(resp, request, content, marks)
        if self._timings:
            response.timings = marks.timings
        return response

    async def _payload(
        self, request: httpx.Request
    ) -> tuple[Any, list[tuple[str, str]], frozenset[str]]:
        """The body, headers and skipped automatic headers to hand aiohttp.

        Send exactly the headers the httpx.Request has, as the default transport: aiohttp adds
        its own Accept, Accept-Encoding, User-Agent (and a body's Content-Type) unless told to
        skip them. Skipping costs aiohttp a multidict per request, so only the missing ones
        are named (usually none: the defaults include the first three)."""
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):  # bytes, json, form or none: read already
            data = request.content or None
        else:
            data = await _body(request)
        raw_headers = tuple(request.headers.raw)
        converted = self._converted.get(raw_headers)
        if converted is None:
            converted = _str_headers(raw_headers)
            if len(self._converted) >= 256:
                self._converted.clear()
            self._converted[raw_headers] = converted
        headers, skip, typed = converted
        if data is not None:
            if not typed:
                skip = skip | _CONTENT_TYPE
            if not isinstance(data, bytes):  # aiohttp frames it chunked itself
                headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        return data, headers, skip

    def _url(self, url: httpx.URL) -> str:
        """`url` as text, kept per URL object (clients reuse one per URL)."""
        known = self._url_text.get(id(url))
        if known is not None and known[0] is url:  # the entry holds the URL: its id is not reused
            return known[1]
        text = str(url)
        if len(self._url_text) >= 256:
            self._url_text.clear()
        self._url_text[id(url)] = (url, text)
        return text

    # --- closing -------------------------------------------------------------------------

    def close(self) -> None:
        self._fallback.close()

    async def aclose(self) -> None:
        await self._fallback.aclose()
        await self._sessions.aclose()


class _AiohttpStream(httpx.AsyncByteStream):
    """A streamed aiohttp body as httpx sees it; `aclose()` gives the connection back."""

    def __init__(self, resp: aiohttp.ClientResponse, started: float, marks: _Marks) -> None:
        self._resp = resp
        self._started = started
        self._marks = marks
        self.response: httpx.Response | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._resp.content.iter_chunked(_CHUNK):
                yield chunk
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _as_httpx_error(exc) from exc
        except RuntimeError as exc:  # "Connection closed.": the session was closed under it
            raise httpx.ReadError(f"connection closed: {exc}") from exc

    async def aclose(self) -> None:
        resp = self._resp
        if resp.content.at_eof():
            resp.release()
            if self._marks.received is None:
                self._marks.received = time.perf_counter()
        else:  # closed early: the rest of the body is still on the wire
            resp.close()
        response, self.response = self.response, None  # no cycle with it once closed
        if response is not None:
            response.elapsed = timedelta(seconds=time.perf_counter() - self._started)


def _response(
    resp: aiohttp.ClientResponse, request: httpx.Request, content: bytes | None, marks: _Marks
) -> Response:
    """The `Response` for `resp`: read in full (`content`), or streamed (None)."""
    version = resp.version
    http_version = _VERSIONS.get(version)
    if http_version is None:
        assert version is not None
        http_version = f"HTTP/{version.major}.{version.minor}"
    reason = None if resp.reason is None else resp.reason.encode("latin-1")
    if content is None:
        body = _AiohttpStream(resp, marks.started, marks)
        raw = httpx.Response(
            resp.status,
            headers=list(resp.raw_headers),
            request=request,
            extensions={"http_version": http_version.encode(), "reason_phrase": reason or b""},
            stream=body,
        )
        body.response = raw
        return Response(raw=raw, request=request)
    marks.received = time.perf_counter()
    resp.release()
    return Response.received(
        resp.status,
        list(resp.raw_headers),
        content,
        request=request,
        http_version=http_version,
        reason_phrase=reason,
        elapsed=marks.received - marks.started,
    )


# --- per-phase timings -------------------------------------------------------------------


class _Marks:
    """When each phase of one exchange started or ended (`time.perf_counter()`): `started`,
    `headers` and `received` (when the body is read) by the transport, the others by the
    session's request and connector classes (`_internals.TimedRequest`, `TimedConnector`)."""

    __slots__ = (
        "connected",
        "created",
        "dns_end",
        "dns_start",
        "headers",
        "received",
        "sent",
        "started",
    )

    def __init__(self) -> None:
        self.started = time.perf_counter()  # just before the session is asked
        self.headers = 0.0
        self.dns_start: float | None = None
        self.dns_end: float | None = None
        self.created: float | None = None  # a new connection: opening it started
        self.connected: float | None = None  # a new connection: open (TLS included)
        self.sent: float | None = None  # the request written: headers, then the body's end
        self.received: float | None = None

    def timings(self) -> Timings:
        """dns and connect for a new connection only (aiohttp's TLS handshake is part of its
        connection: `tls` stays None and `connect` includes it)."""
        dns = None
        if self.dns_start is not None and self.dns_end is not None:
            dns = self.dns_end - self.dns_start
        connect = None
        if self.created is not None and self.connected is not None:
            connect = max(self.connected - self.created - (dns or 0.0), 0.0)
        ready = self.connected if self.connected is not None else self.started
        sent = self.sent
        headers = self.headers or None
        return Timings(
            dns=dns,
            connect=connect,
            send=None if sent is None else max(sent - ready, 0.0),
            wait=None if sent is None or headers is None else max(headers - sent, 0.0),
            receive=(None if headers is None or self.received is None else self.received - headers),
        )


_LIBRARY_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, ValueError)

_VERSIONS: dict[Any, str] = {None: "HTTP/1.1", aiohttp.HttpVersion11: "HTTP/1.1"}


_AUTO_HEADERS = frozenset({"accept", "accept-encoding", "user-agent"})
_CONTENT_TYPE = frozenset({"content-type"})


_Converted = tuple[list[tuple[str, str]], frozenset[str], bool]


def _str_headers(raw: tuple[tuple[bytes, bytes], ...]) -> _Converted:
    """A request's headers as aiohttp takes them (it copies the list into its own multidict),
    the headers aiohttp would add that they lack, and whether they have a Content-Type.

    aiohttp writes names and values as UTF-8 and checks neither names nor bytes: a name that
    is not an HTTP token (`X:Evil` would go out as a split header) or a value that is not
    UTF-8 (it would be re-encoded) is a `ConfigError`, as h11 refuses them on the default
    transport. Set at run time by a hook, they were never validated up front.
    """
    headers: list[tuple[str, str]] = []
    for name, value in raw:
        if not _TOKEN.fullmatch(name):
            raise ConfigError(f"invalid header name {name!r}", key="headers")
        try:
            headers.append((name.decode("ascii"), value.decode("utf-8")))
        except UnicodeDecodeError:
            raise ConfigError(
                f"header {name.decode('ascii')!r} has a value that is not UTF-8 ({value!r}); "
                "the aiohttp transport sends header values as UTF-8",
                key="headers",
            ) from None
    names = {name.lower() for name, _ in headers}
    return headers, _AUTO_HEADERS - names, "content-type" in names


_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


async def _body(request: httpx.Request) -> Any:
    """A request body that is not plain bytes, as aiohttp takes it."""
    stream = request.stream
    if getattr(request, "config", {}).get("on_upload_progress") is not None:
        # wrapped by track_progress(): iterated as it is sent, with the request's own
        # Content-Length (aiohttp then sends it as is) or Transfer-Encoding (dropped below)
        return StreamedBody(stream)
    if hasattr(stream, "get_content_length") or isinstance(stream, httpx.SyncByteStream):
        return await request.aread()  # multipart (files): sized, read once
    return StreamedBody(stream)  # an async iterator of bytes: sent chunked


def map_aiohttp_error(exc: BaseException, request: Any) -> Exception:
    """The axios_python error for an aiohttp (or asyncio timeout) error, as for httpx's."""
    context: dict[str, Any] = {"request": request, "config": getattr(request, "config", None)}
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return TimeoutError(f"connect timeout: {message}", phase="connect", **context)
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return TimeoutError(f"read timeout: {message}", phase="read", **context)
    if isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
        return ConfigError(f"invalid URL: {message}", key="url", code="ERR_INVALID_URL", **context)
    if isinstance(exc, aiohttp.ClientConnectorError):
        refused = isinstance(exc.os_error, ConnectionRefusedError)
        return NetworkError(message, code="ECONNREFUSED" if refused else "ERR_NETWORK", **context)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)):
        return NetworkError(message, code="ECONNRESET", **context)
    if isinstance(exc, aiohttp.ClientOSError):
        return NetworkError(message, code="ECONNRESET", **context)
    if isinstance(exc, aiohttp.ClientResponseError):
        return NetworkError(message, code="ERR_BAD_RESPONSE", **context)
    if isinstance(exc, ValueError):
        return ConfigError(f"invalid request: {message}", **context)
    return NetworkError(message, **context)


def _write_timeout(request: httpx.Request, seconds: float) -> TimeoutError:
    return TimeoutError(
        f"write timeout: the server took no more of the body for {seconds} s",
        phase="write",
        request=request,
        config=getattr(request, "config", None),
    )


def _as_httpx_error(exc: BaseException) -> httpx.HTTPError:
    """Errors while streaming a body surface through httpx.Response, so speak httpx there."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(f"peer closed connection: {message}")
    return httpx.ReadError(message)


def _checked_proxy(url: str) -> str:
    """A proxy variable's URL as aiohttp takes it, once its scheme is one aiohttp speaks (a
    SOCKS URL must not be taken for an HTTP proxy: `ProxyEnvironment` names the variable)."""
    proxy_parts(url, transport="aiohttp")
    return url
