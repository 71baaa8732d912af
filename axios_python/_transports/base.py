"""`BaseTransport`: the seam where axios_python hands a request to the network."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Generic, TypeVar

import httpx

from .._models import Request, Response

__all__ = ["BaseTransport", "LoopLocal"]

T = TypeVar("T")


class BaseTransport:
    """Subclass and implement `send` (sync calls) and `send_async` (async calls).

    `request` is an `httpx.Request` whose `.config` holds the final request config (`stream`,
    `follow_redirects`, `cancel_token`, ...). Return a `Response`. Raise axios_python errors, or
    httpx errors, which the pipeline maps to axios_python errors. The pipeline owns retries,
    cancellation checks between phases, interceptors, middleware and plugins: a transport only
    sends.

    `sends` names the kinds of call the transport sends itself: a transport that hands one kind
    to another transport (aiohttp's sync calls, urllib3's async ones) declares the other only,
    and a `TransportPair` refuses it as that side.
    """

    sends: frozenset[str] = frozenset({"sync", "async"})

    def send(self, request: Request) -> Response:
        raise NotImplementedError(f"{type(self).__name__} does not support sync requests")

    async def send_async(self, request: Request) -> Response:
        raise NotImplementedError(f"{type(self).__name__} does not support async requests")

    @staticmethod
    def apply_cookies(jar: httpx.Cookies, request: httpx.Request) -> None:
        """Add the `Cookie` header: the jar's matching cookies plus the request's `cookies`
        option (for an `axios_python.Request`; a plain `httpx.Request`, say a redirect hop, gets
        the jar's). Does nothing when the request already carries a `Cookie` header.
        """
        extra = getattr(request, "config", {}).get("cookies")
        if extra:
            jar = httpx.Cookies(jar)
            jar.update(extra)
        elif not getattr(jar.jar, "_cookies", True):  # a stdlib jar's len() walks it: 3 calls
            return
        if "cookie" not in request.headers:
            jar.set_cookie_header(request)

    @staticmethod
    def track_progress(request: httpx.Request) -> bool:
        """Install the request's `on_upload_progress` callback, if it has one: its body
        (`request.stream`) is wrapped so that each chunk reports as it is iterated. Send that
        body by iterating `request.stream` (it is no longer an `httpx.ByteStream`), with the
        request's own `Content-Length` or `Transfer-Encoding` header.

        Returns True when the request has an `on_download_progress` callback: receive the
        response body as a stream, and hand the unread `httpx.Response` to `track_download`.

        Call it only when `request.config` sets either callback (`config.get()` twice), so
        requests without callbacks cost nothing more.
        """
        config = getattr(request, "config", {})
        on_upload = config.get("on_upload_progress")
        if on_upload is not None:
            from .._progress import track_upload

            track_upload(request, on_upload)
        return config.get("on_download_progress") is not None

    @staticmethod
    def track_download(raw: httpx.Response, request: httpx.Request) -> None:
        """Make `raw`'s unread body (sync or async stream) report to the `on_download_progress`
        of `request` (the request as the transport received it, not a redirect hop). The
        transport then reads the body in full before returning, unless the request asked for
        `stream=True`, and closes the response if that read fails.
        """
        on_download = getattr(request, "config", {}).get("on_download_progress")
        if on_download is not None:
            from .._progress import track_download

            track_download(raw, on_download)

    def close(self) -> None:
        """Release connections held for sync requests."""

    async def aclose(self) -> None:
        """Release connections held for async requests (and sync ones)."""
        self.close()


class LoopLocal(Generic[T]):
    """One async resource (an `httpx.AsyncClient`, an `aiohttp.ClientSession`) per event loop.

    Async connections belong to the event loop that opened them, so a transport used from
    several `asyncio.run()` calls needs one client per loop. Each is closed on its own loop:
    by `aclose()`, or when `asyncio.run()` shuts the loop down (it finalizes live async
    generators before closing the loop, and one is parked there for this), so no socket leaks.

        self._clients = LoopLocal(lambda: httpx.AsyncClient(), lambda c: c.aclose())
        client = await self._clients.get()
    """

    def __init__(self, create: Callable[[], T], close: Callable[[T], Awaitable[None]]) -> None:
        self._create = create
        self._close = close
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[T, AsyncGenerator[None, None]]
        ] = weakref.WeakKeyDictionary()

    def current(self) -> T | None:
        """The running loop's resource if it exists already: no await, for hot paths
        (`self._clients.current() or await self._clients.get()`)."""
        entry = self._entries.get(asyncio.get_running_loop())
        return None if entry is None else entry[0]

    async def get(self) -> T:
        """The running loop's resource, created on first use."""
        loop = asyncio.get_running_loop()
        entry = self._entries.get(loop)
        if entry is not None:
            return entry[0]
        with self._lock:
            entry = self._entries.get(loop)
            closer = None
            if entry is None:
                resource = self._create()
                closer = self._close_at_shutdown(resource)
                entry = self._entries[loop] = (resource, closer)
        if closer is not None:
            await closer.__anext__()  # parked until aclose() or the loop's shutdown
        return entry[0]

    async def aclose(self) -> None:
        """Close the running loop's resource, if it has one."""
        with self._lock:
            entry = self._entries.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry[1].aclose()

    async def _close_at_shutdown(self, resource: T) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            await self._close(resource)
