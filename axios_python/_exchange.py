"""The exchange: what an HTTP client does around the bytes, once, above every transport.

A transport sends one HTTP request and returns one response (`handle_request` /
`handle_async_request`, see `_transports/base.py`). For one attempt of the pipeline, the
exchange does the rest, the same way for every transport and for sync and async calls:

```
exchange(transport, request, is_async)
 1. cookies     the jar's matching cookies, plus the request's `cookies` option  (apply_cookies)
 2. progress    the upload body counts its chunks                                (track_upload)
 3. auth        an `httpx.Auth` flow (digest, custom), step by step              (_authenticate)
 4.   redirects each step's redirects, hop by hop: 301/302/303 rewriting, the    (_follow)
                body dropped, the redaction policy's headers dropped across origins
 5.     hop     the transport sends one request; Set-Cookie goes into the jar    (_Step.hop)
 6. progress    the final body counts its chunks, read here unless streamed      (track_download)
```

It is written as coroutines: async calls await it; sync calls drive it with `run_sync` (a sync
transport's calls block and never suspend). Pool waits, timeouts, cancellation of blocked
sockets and error mapping are the transport's business, hop by hop.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ._exceptions import map_httpx_errors
from ._internals.stdlib import cookie_jar_is_empty
from ._models import Response
from .redaction import strip_for_redirect

if TYPE_CHECKING:
    from ._models import Request
    from ._transports.base import BaseTransport

__all__ = ["apply_cookies", "exchange", "redirect_request"]

_REDIRECTS = frozenset((301, 302, 303, 307, 308))
_FOREIGN = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, ssl.SSLError)


async def exchange(transport: BaseTransport, request: Request, is_async: bool) -> Response:
    """Send `request` through `transport` with cookies, auth, redirects and progress."""
    config = request.config
    extra = config.get("cookies")
    if extra:  # the request's own cookies with the jar's; else each hop sets the jar's
        apply_cookies(transport.cookies, request, extra)
    # with max_content_length the pipeline reads the body itself, bounded as it decodes
    unread = bool(config.get("stream")) or config.get("max_content_length") is not None
    on_download = config.get("on_download_progress")
    on_upload = config.get("on_upload_progress")
    if on_upload is not None:
        from ._progress import track_upload

        track_upload(request, on_upload)
    step = _Step(transport, is_async, unread or on_download is not None, request)
    auth = config.get("auth")
    if auth is not None:
        auth = _auth_option(auth)
    try:
        if auth is None:  # _follow, one frame less
            response = await step.hop(request)
            if response.status_code in _REDIRECTS:
                response = await _redirected(step, request, response)
        else:
            response = await _authenticate(step, request, auth)
        if on_download is not None:
            await _track_download(step, response, on_download, unread)
    except _FOREIGN:
        with map_httpx_errors(request):  # as axios_python's error (no cost on success)
            raise
    response.request, response.config = request, config
    return response


class _Step:
    """What every hop of one exchange shares: the transport, the mode, whether bodies stay
    unread, the trace extension the caller set (each hop gets its own recorder)."""

    __slots__ = ("is_async", "stream", "trace", "transport")

    def __init__(
        self, transport: BaseTransport, is_async: bool, stream: bool, request: httpx.Request
    ) -> None:
        self.transport = transport
        self.is_async = is_async
        self.stream = stream
        self.trace = request.extensions.get("trace")

    async def hop(self, request: httpx.Request) -> Response:
        """5. One request through the transport; its Set-Cookie into the jar."""
        jar = self.transport.cookies
        apply_cookies(jar, request, None)
        if self.is_async:
            response = await self.transport.handle_async_request(request, stream=self.stream)
        else:
            response = self.transport.handle_request(request, stream=self.stream)
        if response._has_header(b"set-cookie"):
            jar.extract_cookies(response.raw)
        return response

    async def read(self, response: Response) -> None:
        """Read a body in full; on failure, close it (its connection is not reusable)."""
        try:
            if self.is_async:
                await response.aread()
            else:
                response.read()
        except BaseException:
            await self.close(response)
            raise

    async def close(self, response: Response) -> None:
        if self.is_async:
            await response.aclose()
        else:
            response.close()


async def _follow(step: _Step, request: httpx.Request) -> Response:
    """4. Send `request` and follow its redirects, if the request's config says so."""
    response = await step.hop(request)
    if response.status_code not in _REDIRECTS:
        return response
    return await _redirected(step, request, response)


async def _redirected(step: _Step, request: httpx.Request, response: Response) -> Response:
    """Follow the redirect `response` (to `request`) hop by hop, up to the limit."""
    config: dict[str, Any] = getattr(request, "config", None) or {}
    if not config.get("follow_redirects", True):
        return response
    limit = config.get("max_redirects", step.transport.max_redirects)
    history: list[httpx.Response] = []
    while response.status_code in _REDIRECTS and "location" in response.headers:
        if len(history) >= limit:
            await step.close(response)
            # mapped by `exchange` to axios_python's TooManyRedirects, as httpx's own was
            raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=request)
        await step.read(response)
        history.append(response.raw)
        hop = redirect_request(response.raw, config, step.trace)
        response = await step.hop(hop)
    if history:
        response.raw.history = history
    return response


def _auth_option(auth: Any) -> httpx.Auth | None:
    """The `auth` option as a flow to run: an `httpx.Auth`; else None (a (user, password)
    tuple is in the request's `Authorization` header already)."""
    return auth if isinstance(auth, httpx.Auth) else None


async def _authenticate(step: _Step, request: httpx.Request, auth: httpx.Auth) -> Response:
    """3. Drive an `httpx.Auth` flow as httpx's client does: each request it yields is sent
    (redirects followed), and its response handed back, until the flow stops."""
    flow = _Flow(auth, request, step.is_async)
    try:
        current = await flow.start()
        while True:
            response = await _follow(step, current)
            if auth.requires_response_body:
                await step.read(response)
            following = await flow.send(response.raw)
            if following is None:
                return response
            await step.read(response)
            await step.close(response)
            current = following
    finally:
        await flow.close()


class _Flow:
    """`auth.sync_auth_flow` or `auth.async_auth_flow` (which read the bodies an auth asks
    for, and which an auth may override), behind three coroutines."""

    __slots__ = ("_flow", "_is_async")

    def __init__(self, auth: httpx.Auth, request: httpx.Request, is_async: bool) -> None:
        self._is_async = is_async
        self._flow: Any = (
            auth.async_auth_flow(request) if is_async else auth.sync_auth_flow(request)
        )

    async def start(self) -> httpx.Request:
        if self._is_async:
            request: httpx.Request = await self._flow.__anext__()
            return request
        return next(self._flow)  # type: ignore[no-any-return]

    async def send(self, raw: httpx.Response) -> httpx.Request | None:
        """The flow's next request for `raw`, or None when it is done."""
        try:
            if self._is_async:
                request: httpx.Request = await self._flow.asend(raw)
                return request
            return self._flow.send(raw)  # type: ignore[no-any-return]
        except (StopIteration, StopAsyncIteration):
            return None

    async def close(self) -> None:
        if self._is_async:
            await self._flow.aclose()
        else:
            self._flow.close()


async def _track_download(
    step: _Step, response: Response, callback: Callable[..., Any], unread: bool
) -> None:
    """6. The final body reports to `on_download_progress`; read here unless streamed."""
    from ._progress import track_download

    track_download(response.raw, callback)
    if not unread:
        await step.read(response)


# --- building requests -------------------------------------------------------------------


def apply_cookies(
    jar: httpx.Cookies, request: httpx.Request, extra: dict[str, str] | None = None
) -> None:
    """Add the `Cookie` header: the jar's matching cookies plus `extra` (the request's
    `cookies` option, for the first request only: a redirect hop gets the jar's). Does nothing
    when the request already carries a `Cookie` header."""
    if not extra and cookie_jar_is_empty(jar.jar):
        return
    if "cookie" in request.headers:
        return
    if extra:
        jar = httpx.Cookies(jar)
        jar.update(extra)
    jar.set_cookie_header(request)


def redirect_request(
    raw: httpx.Response, config: dict[str, Any], trace: Any = None
) -> httpx.Request:
    """The next hop for the redirect response `raw`, by httpx's rules: 303 (but HEAD), and
    301/302 after POST, become GET without a body; the fragment is kept; `Host` follows the
    URL; `Cookie` is set again (by the jar); every header of the redaction policy is dropped across origins (httpx drops
    Authorization only), unless `keep_sensitive_headers_on_redirect`. `trace` is the trace
    extension the caller set (each hop's transport installs its own recorder over it)."""
    request = raw.request
    method = request.method
    if (raw.status_code == 303 and method != "HEAD") or (
        raw.status_code in (301, 302) and method == "POST"
    ):
        method = "GET"
    url = request.url.join(raw.headers["location"])
    if url.fragment == "" and request.url.fragment:
        url = url.copy_with(fragment=request.url.fragment)
    headers = httpx.Headers(request.headers)
    if url.netloc != request.url.netloc:
        headers["host"] = url.netloc.decode("ascii")
    headers.pop("cookie", None)
    body: dict[str, Any] = {}
    if method != request.method and method == "GET":
        headers.pop("content-length", None)
        headers.pop("transfer-encoding", None)
    elif isinstance(request.stream, httpx.ByteStream):
        if request.content:
            body["content"] = request.content
    else:
        body["stream"] = request.stream
    extensions = {**request.extensions}
    extensions.pop("trace", None)
    if trace is not None:
        extensions["trace"] = trace
    hop = httpx.Request(method, url, headers=headers, extensions=extensions, **body)
    hop.config = config  # type: ignore[attr-defined]
    strip_for_redirect(hop, request.url)
    return hop
