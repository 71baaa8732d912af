"""`BaseTransport`: the seam where axios_python hands one HTTP request to the network."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any, Generic, TypeVar

import httpx

from .._exchange import exchange
from .._models import Request, Response
from .._sync import run_sync

__all__ = ["BaseTransport", "LoopLocal", "StreamedBody"]

T = TypeVar("T")


class BaseTransport:
    """A transport sends one HTTP request and returns one response: subclass it and implement
    `handle_request` (sync calls) and/or `handle_async_request` (async calls).

    The pipeline calls `send` (sync) or `send_async` (async) once per attempt. Their default
    is the core's exchange (`axios_python._exchange`), which calls the `handle_*` method once
    per hop: it applies and stores cookies (`cookies`, the jar), runs `httpx.Auth` flows,
    follows redirects (`max_redirects`, the client-wide limit) and reports progress. See
    docs/transports.md for what a transport does below it.

    A transport that answers whole attempts itself (a mock, a cache) overrides `send` and
    `send_async` instead. Either way, raise axios_python errors, or httpx errors, which the
    core maps to axios_python errors.

    `sends` names the kinds of call the transport sends itself: a transport that hands one kind
    to another transport (aiohttp's sync calls, urllib3's async ones) declares the other only,
    and a `TransportPair` refuses it as that side.
    """

    sends: frozenset[str] = frozenset({"sync", "async"})
    max_redirects: int = 20

    @property
    def cookies(self) -> httpx.Cookies:
        """The cookie jar: `Set-Cookie` persists here across requests (created on first use;
        a `TransportPair` shares one between its two sides)."""
        jar: httpx.Cookies | None = self.__dict__.get("_jar")
        if jar is None:
            jar = self.__dict__["_jar"] = httpx.Cookies()
        return jar

    @cookies.setter
    def cookies(self, jar: httpx.Cookies) -> None:
        self.__dict__["_jar"] = jar

    def send(self, request: Request) -> Response:
        """One attempt of a sync call: the exchange over `handle_request`."""
        return run_sync(exchange(self, request, False))

    def send_async(self, request: Request) -> Coroutine[Any, Any, Response]:
        """One attempt of an async call: the exchange over `handle_async_request` (a plain
        def handing back its coroutine: one frame less on every resume)."""
        return exchange(self, request, True)

    def handle_request(self, request: httpx.Request, *, stream: bool) -> Response:
        """Send exactly `request` (its headers as they are) and return its response.

        `request.config` (when present) is the request config: timeouts are in
        `request.extensions["timeout"]`, a `cancel_token` may abort the call (a sync transport
        shuts a blocked socket down when it is cancelled: that also ends a call with a total
        timeout at its deadline, as the pipeline sends it with a token cancelled then). With
        `stream`, leave the body unread (the core or the caller reads it from `response.raw`,
        encoded as received); else read it in full. Fill `response.timings` if the transport can.
        """
        raise NotImplementedError(f"{type(self).__name__} does not support sync requests")

    async def handle_async_request(self, request: httpx.Request, *, stream: bool) -> Response:
        """`handle_request` for async calls."""
        raise NotImplementedError(f"{type(self).__name__} does not support async requests")

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
        # the loop and resource of the last `current()` that found one: most calls
        self._last: tuple[weakref.ref[asyncio.AbstractEventLoop], T] | None = None

    def current(self) -> T | None:
        """The running loop's resource if it exists already: no await, for hot paths
        (`self._clients.current() or await self._clients.get()`)."""
        loop = asyncio.get_running_loop()
        last = self._last
        if last is not None and last[0]() is loop:
            return last[1]
        entry = self._entries.get(loop)
        if entry is None:
            return None
        self._last = (weakref.ref(loop), entry[0])
        return entry[0]

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
            self._last = None
        if entry is not None:
            await entry[1].aclose()

    async def _close_at_shutdown(self, resource: T) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            # The entry goes too: the parked generator holds its loop (its finalizer hook),
            # so a loop that ended would never leave the weak dictionary otherwise.
            loop = asyncio.get_running_loop()
            with self._lock:
                entry = self._entries.get(loop)
                if entry is not None and entry[0] is resource:
                    del self._entries[loop]
                self._last = None
            await self._close(resource)


class StreamedBody:
    """A request body a transport's library iterates as it sends it (sync or async).

    Libraries report an error raised while iterating (by the caller's iterator, or an upload
    progress callback) as their own connection error; `error` keeps the original, for the
    transport to raise as is, as the default transport does::

        body = StreamedBody(request.stream)
        try:
            ...  # the library sends `body`
        except LibraryError:
            if body.error is not None:
                raise body.error from None
            raise
    """

    __slots__ = ("error", "stream")

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.error: Exception | None = None

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.stream
        except Exception as exc:
            self.error = exc
            raise

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.stream:
                yield chunk
        except Exception as exc:
            self.error = exc
            raise
