"""The cache engine behind `CachePlugin`: lookups, stores, invalidation, single-flight.

Where it sits in the pipeline (see the pipeline guide, docs/pipeline.md):

```
4. middleware   cache_middleware (added by on_register)
                  GET/HEAD: fresh entry -> a copy, without building the request ("early hit")
                            miss -> single-flight, then next_fn
                  POST/PUT/PATCH/DELETE: next_fn, then invalidate the URL (unless the
                            cache is idle(): nothing stored, nothing looked up yet)
5.   retry loop
6.     on_transport   GET/HEAD: key from the final request; fresh entry -> a copy;
                      stale entry with validators (standards mode) -> conditional request
7.     transport
8.     on_response    304 to our conditional request -> the refreshed entry, as a copy;
                      storable response -> stored (a stream: once read to its end)
```

Early hits skip building the request (most of a request's cost), so a hit costs a few
microseconds. They are only taken when no other plugin implements `on_request`: those hooks run
later, per attempt, and may add credentials (AuthPlugin does) that the key must include. Then
every lookup happens in `on_transport`, on the final request.

Storage access is written once, as coroutines over a `StoreIO` (see `_io`): the storage's sync
methods (driven in one step: the in-memory storage, and sync calls), or on async calls the async
methods of a storage that has them (SQLite, Redis), so that the event loop never waits on the
store; `on_transport` and `on_response` then return awaitables, which the pipeline awaits.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine, Sized
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import httpx

from axios_python import (
    CancelError,
    Response,
    SingleFlight,
    WouldDeadlock,
    cookies_empty,
    is_async_call,
    stored_response,
)

from ._io import Blocking, StoreIO, async_face, drive
from ._keys import (
    SCANNED_HEADERS,
    Credentials,
    HeaderList,
    UrlKey,
    UrlKeys,
    basic_authorization,
    header_list,
    header_value,
    scan_headers,
    secret_headers,
    vary_matches,
)
from ._leases import lead_across_processes
from ._policy import (
    NO_DIRECTIVES,
    Decision,
    RequestDirectives,
    decide,
    request_directives,
    updated_headers,
)
from ._storage import CachedResponse, CacheStorage, InMemoryStorage

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from axios_python import AxiosPython

__all__ = ["CACHEABLE_METHODS", "INVALIDATING_METHODS", "Cache", "CacheStats"]

CACHEABLE_METHODS = ("GET", "HEAD")
INVALIDATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_VARIANTS = 8  # per key: credentials x Vary values; the oldest beyond this are dropped
_EXTENSION = "axios_python_cache"  # request.extensions key of an attempt's cache state
_UNSTORED_REQUEST_HEADERS = frozenset(
    {b"authorization", b"proxy-authorization", b"cookie", b"if-none-match", b"if-modified-since"}
)
_MAX_INVALIDATED = 1024
_NOT_SIMPLE: Any = object()
_UNLOCKED = contextlib.nullcontext()
# The cookie jar of the client whose request is in progress (set by its middleware).
_JAR: ContextVar[httpx.Cookies | None] = ContextVar("axios_python_cache_jar", default=None)

Credential = Literal["isolate", "bypass"]


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Counters since the plugin was created (or `reset_stats()`), and the current size.

    `hits`: answered from the cache (including `revalidated` ones); `misses`: GET/HEAD attempts
    that went to the network; `collapsed`: hits served to callers that waited for an identical
    in-flight miss (single-flight); `stores`: responses stored; `revalidated`: 304s that
    refreshed an entry; `invalidations`: URLs invalidated by POST/PUT/PATCH/DELETE (not
    counted while the cache is idle: nothing stored, no GET/HEAD looked up yet);
    `evictions`: keys the storage dropped for room; `bypassed`: GET/HEAD requests the cache could
    not apply to (a body, an `httpx.Auth` object, credentials with `credentials="bypass"`);
    `size`: keys held by the storage (when it can tell).
    """

    hits: int = 0
    misses: int = 0
    collapsed: int = 0
    stores: int = 0
    revalidated: int = 0
    invalidations: int = 0
    evictions: int = 0
    bypassed: int = 0
    size: int = 0

    @property
    def hit_ratio(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class _Lookup:
    """One request's key material."""

    __slots__ = ("authorization", "cred", "directives", "headers", "key", "url")

    def __init__(
        self,
        key: str,
        url: str,
        cred: str,
        headers: HeaderList,
        directives: RequestDirectives,
        authorization: bool,
    ) -> None:
        self.key = key  # storage key: "<METHOD> <normalised URL>"
        self.url = url
        self.cred = cred
        self.headers = headers
        self.directives = directives
        self.authorization = authorization


class _Attempt:
    """What `on_transport` leaves for `on_response` on the request (`request.extensions`)."""

    __slots__ = ("epoch", "lookup", "stale")

    def __init__(self, lookup: _Lookup, epoch: int) -> None:
        self.lookup = lookup
        self.epoch = epoch
        self.stale: CachedResponse | None = None


def _has_body(config: dict[str, Any]) -> bool:
    return (
        config.get("data") is not None
        or config.get("json") is not None
        or config.get("content") is not None
        or config.get("files") is not None
    )


def _plain_headers(ctx: dict[str, Any], jar: httpx.Cookies | None) -> HeaderList | None:
    """The headers of a request without body, credentials or caching directives, else None."""
    if _has_body(ctx) or ctx.get("auth") is not None or ctx.get("cookies"):
        return None
    headers = ctx.get("headers")
    if not isinstance(headers, httpx.Headers):
        return None
    items = header_list(headers)
    for item in items:
        if item[1] in SCANNED_HEADERS:  # credentials or directives
            return None
    if jar is not None and not cookies_empty(jar):
        return None
    return items


def _plain_variant(variants: Any, headers: HeaderList) -> CachedResponse | None:
    """The variant stored without credentials whose Vary values `headers` match."""
    for entry in variants or ():
        if not entry.credential and (not entry.vary or vary_matches(entry.vary, headers)):
            return entry  # type: ignore[no-any-return]
    return None


class Cache:
    """The state and decisions of one `CachePlugin`. Thread-safe and task-safe."""

    def __init__(
        self,
        *,
        storage: CacheStorage,
        ttl: float | None,
        standards: bool,
        shared: bool,
        statuses: frozenset[int],
        credentials: Credential,
        early_hits: bool | None,
        clock: Callable[[], float],
    ) -> None:
        self.storage = storage
        self.ttl = ttl
        self.standards = standards
        self.shared = shared
        self.statuses = statuses
        self.bypass_credentials = credentials == "bypass"
        self.early_hits = early_hits
        self.clock = clock
        self.urls = UrlKeys()
        self.credentials = Credentials()
        self.flights: SingleFlight[None] = SingleFlight()
        self.leases = getattr(storage, "leases", None)  # single-flight across processes
        # How the storage is reached (see `_io`): its sync methods, or on async calls its async
        # ones if it has them (the in-memory storage does no I/O: always its sync methods).
        self.blocking = Blocking(storage)
        self.awaiting = None if type(storage) is InMemoryStorage else async_face(storage)
        # Read-modify-write of a key, where nothing suspends (sync storage access); the async
        # path, which must not hold a thread lock across an await, relies on the epochs only.
        self._write_lock = threading.RLock()
        self._epoch_lock = threading.Lock()  # invalidation epochs (never held across I/O)
        self._stats_lock = threading.Lock()
        self._counts = dict.fromkeys(
            ("hits", "misses", "collapsed", "stores", "revalidated", "invalidations", "bypassed"),
            0,
        )
        self._epoch = 0
        self._invalidated: dict[str, int] = {}  # normalised URL -> epoch of its invalidation
        self._forgotten_epoch = 0  # highest epoch dropped from _invalidated
        # For `idle()`: the built-in storage's dict, whose emptiness is cheap to see (None for
        # other storages: they may hold entries stored elsewhere, so the cache is never idle),
        # and whether a GET/HEAD attempt ever began (only such attempts store entries).
        self.entries: Sized | None = storage._data if type(storage) is InMemoryStorage else None
        self.looked_up = False

    # --- stats ---------------------------------------------------------------------------

    def count(self, name: str, n: int = 1) -> None:
        with self._stats_lock:
            self._counts[name] += n

    def stats(self) -> CacheStats:
        with self._stats_lock:
            counts = dict(self._counts)
        size = len(self.storage) if isinstance(self.storage, Sized) else 0
        evictions = getattr(self.storage, "evictions", 0)
        return CacheStats(**counts, evictions=evictions, size=size)

    def reset_stats(self) -> None:
        with self._stats_lock:
            for name in self._counts:
                self._counts[name] = 0

    def io(self) -> StoreIO:
        """How this call reaches the storage: its async methods on an async call (when it has
        them), else its sync ones."""
        awaiting = self.awaiting
        if awaiting is not None and is_async_call():
            return awaiting
        return self.blocking

    def _serial(self, io: StoreIO) -> contextlib.AbstractContextManager[Any]:
        """The write lock where `io` never suspends; nothing where it does."""
        return self._write_lock if io.serial else _UNLOCKED

    # --- the middleware (step 4) ---------------------------------------------------------

    def middleware(self, client: AxiosPython) -> Callable[..., Any]:
        """The middleware `on_register` adds to `client`: early hits, single-flight, invalidation.

        The plugin owns it: `client.unplug(plugin)` removes it with the plugin's hooks.
        """
        cache = self
        jar = getattr(client.transport, "cookies", None)
        if not isinstance(jar, httpx.Cookies):
            jar = None

        async def cache_middleware(ctx: dict[str, Any], next_fn: Callable[..., Any]) -> Any:
            method = ctx.get("method")
            if method == "GET" or method == "HEAD":
                return await cache.read(ctx, next_fn, client, jar)
            if method in INVALIDATING_METHODS:
                return await cache.write(ctx, next_fn, client)
            return await next_fn(ctx)

        return cache_middleware

    async def read(
        self,
        ctx: dict[str, Any],
        next_fn: Callable[..., Any],
        client: AxiosPython,
        jar: httpx.Cookies | None,
    ) -> Any:
        """GET/HEAD: an early hit, else single-flight to the network (`on_transport` looks up)."""
        early = self.early_hits
        if early is None:
            early = not client.implements("on_request")
        awaiting = self.awaiting
        if awaiting is not None and is_async_call():
            hit, lookup = await self.awaited_lookup(awaiting, ctx, jar, early)
        else:
            hit, lookup = (
                self.early_lookup(ctx, jar) if early else (None, self.lookup_config(ctx, jar))
            )
        if hit is not None:
            return hit
        token = _JAR.set(jar)  # for on_transport: the jar's cookies are credentials
        try:
            if lookup is None or ctx.get("stream") or lookup.directives.no_cache:
                return await next_fn(ctx)
            return await self.single_flight(lookup, ctx, next_fn, early)
        finally:
            _JAR.reset(token)

    def early_lookup(
        self, ctx: dict[str, Any], jar: httpx.Cookies | None
    ) -> tuple[Response | None, _Lookup | None]:
        """An early hit (the common case first, inlined), and the key material for a miss."""
        quick = self.quick_hit(ctx, jar)
        if quick is not _NOT_SIMPLE and quick is not None:
            return quick, None
        lookup = self.lookup_config(ctx, jar)
        if quick is _NOT_SIMPLE and lookup is not None and not lookup.directives.no_cache:
            entry = _match(self.storage.get(lookup.key), lookup)
            return self.early_answer(entry, lookup, ctx), lookup
        return None, lookup

    async def awaited_lookup(
        self, io: StoreIO, ctx: dict[str, Any], jar: httpx.Cookies | None, early: bool
    ) -> tuple[Response | None, _Lookup | None]:
        """`early_lookup` through a storage access that suspends (an async call's)."""
        lookup = self.lookup_config(ctx, jar)
        if not early or lookup is None or lookup.directives.no_cache:
            return None, lookup
        return await self.early_hit(io, lookup, ctx), lookup

    async def write(self, ctx: dict[str, Any], next_fn: Callable[..., Any], client: Any) -> Any:
        """POST/PUT/PATCH/DELETE: send, then invalidate what the write made stale."""
        if not self.idle():
            return await self.invalidating(ctx, next_fn, self.final_urls(client))
        # Idle: this write has nothing to invalidate, so it skips all URL work, unless a
        # GET/HEAD attempt begins before it ends (which may store what it changed, or be in
        # flight still). The config's URL is kept for that case.
        where = (ctx.get("base_url"), ctx.get("url"), ctx.get("params"))
        response = None
        try:
            response = await next_fn(ctx)
            return response
        finally:
            if not self.idle():
                url = self.urls.from_config(*where)
                await self.invalidate_written(url, response, self.final_urls(client))

    def quick_hit(self, ctx: dict[str, Any], jar: httpx.Cookies | None) -> Any:
        """The early hit of the common case: a request without credentials, body or caching
        directives. A copy of the fresh entry, None on a miss, or `_NOT_SIMPLE` when the
        request is not that simple (then `lookup_config` and `early_hit` take over)."""
        headers = _plain_headers(ctx, jar)
        if headers is None:
            return _NOT_SIMPLE
        url = self.urls.from_config(ctx.get("base_url"), ctx.get("url"), ctx.get("params"))
        if url is None or url[1]:
            return _NOT_SIMPLE
        entry = _plain_variant(self.storage.get(ctx["method"] + " " + url[0]), headers)
        if entry is None or not self.answers(entry, ctx):
            return None
        self.count("hits")
        return self.response(entry, entry.request, ctx)

    def answers(self, entry: CachedResponse, ctx: dict[str, Any]) -> bool:
        """Whether `entry` may answer a request without directives: fresh, and accepted."""
        if self.clock() >= entry.fresh_until or entry.always_revalidate:
            return False
        validate = ctx.get("validate_status")
        return validate is None or bool(validate(entry.status_code))

    def lookup_config(self, ctx: dict[str, Any], jar: httpx.Cookies | None) -> _Lookup | None:
        """The key material of a GET/HEAD from its config; None when the cache cannot apply."""
        if _has_body(ctx):
            self.count("bypassed")
            return None
        url = self.urls.from_config(ctx.get("base_url"), ctx.get("url"), ctx.get("params"))
        if url is None:
            return None  # an invalid URL: the pipeline raises its ConfigError
        headers = header_list(ctx.get("headers") or ())
        authorization, cookie, cache_control, pragma = scan_headers(headers)
        auth = ctx.get("auth")
        if auth is not None:
            if not isinstance(auth, tuple):  # an httpx.Auth flow: who it is cannot be known
                self.count("bypassed")
                return None
            if authorization is None:
                authorization = basic_authorization(auth)
        return self._lookup(
            ctx["method"], url, headers, authorization, cookie, cache_control, pragma, ctx, jar
        )

    def _lookup(
        self,
        method: str,
        url: tuple[str, bytes],
        headers: HeaderList,
        authorization: bytes | None,
        cookie: bytes | None,
        cache_control: bytes | None,
        pragma: bytes | None,
        config: dict[str, Any],
        jar: httpx.Cookies | None,
        count: bool = True,
    ) -> _Lookup | None:
        cookies = config.get("cookies")
        userinfo = url[1]
        secrets = secret_headers(headers, config)  # X-Api-Key & co: every one is key material
        if (
            authorization is None
            and cookie is None
            and not cookies
            and not userinfo
            and not secrets
            and (jar is None or cookies_empty(jar))
        ):
            cred = ""
        else:
            cred = self.credentials.fingerprint(
                authorization, cookie, cookies, jar, userinfo, secrets
            )
            if cred and self.bypass_credentials:
                if count:
                    self.count("bypassed")
                return None
        directives = NO_DIRECTIVES
        if cache_control is not None or pragma is not None:
            directives = request_directives(
                None if cache_control is None else cache_control.decode("latin-1"),
                None if pragma is None else pragma.decode("latin-1"),
            )
        return _Lookup(
            method + " " + url[0], url[0], cred, headers, directives, authorization is not None
        )

    async def early_hit(self, io: StoreIO, lookup: _Lookup, ctx: dict[str, Any]) -> Response | None:
        """A copy of the fresh entry for `lookup`, if there is one that `validate_status` accepts."""
        return self.early_answer(await self.find(io, lookup), lookup, ctx)

    def early_answer(
        self, entry: CachedResponse | None, lookup: _Lookup, ctx: dict[str, Any]
    ) -> Response | None:
        """`early_hit` once the entry is found."""
        if entry is None or not self.is_fresh(entry, lookup.directives, self.clock()):
            return None
        validate = ctx.get("validate_status")
        if validate is not None and not validate(entry.status_code):
            return None  # let the pipeline reject it (on_transport answers it)
        self.count("hits")
        return self.response(entry, entry.request, ctx)

    async def single_flight(
        self, lookup: _Lookup, ctx: dict[str, Any], next_fn: Callable[..., Any], early: bool
    ) -> Any:
        """Lead the miss of `lookup`, or wait for the identical one in flight and look again.

        Followers share none of the leader's outcome (a response is its caller's own, and may
        vary on headers they send differently): once it is done they look the cache up again,
        and go to the network on a miss, as they do when waiting could deadlock.
        """
        key = lookup.key + "\n" + lookup.cred
        led: list[tuple[bool, Any]] = []  # the leader's own (ok, response or error)

        async def lead() -> None:
            try:
                led.append((True, await self.lead(key, lookup, ctx, next_fn, early)))
            except Exception as exc:  # the leader's own error: followers look again instead
                led.append((False, exc))

        try:
            await self.flights.run(key, lead, cancel_token=ctx.get("cancel_token"))
        except WouldDeadlock:
            return await next_fn(ctx)
        except CancelError as exc:  # this follower's own token: its error names its config
            exc.config = exc.config or ctx
            raise
        if led:
            ok, outcome = led[0]
            if not ok:
                raise outcome
            return outcome
        response = await self.early_hit(self.io(), lookup, ctx) if early else None
        if response is not None:
            self.count("collapsed")
            return response
        return await next_fn(ctx)  # on_transport looks up again, on the final request

    async def lead(
        self,
        key: str,
        lookup: _Lookup,
        ctx: dict[str, Any],
        next_fn: Callable[..., Any],
        early: bool,
    ) -> Any:
        """The leader's miss: to the network, across processes too when the storage can."""
        if self.leases is None:
            return await next_fn(ctx)

        async def hit() -> Response | None:
            return await self.early_hit(self.io(), lookup, ctx) if early else None

        return await lead_across_processes(self.leases, key, ctx, next_fn, hit)

    def idle(self) -> bool:
        """Whether a write now has nothing to invalidate, even later: nothing is stored, and no
        GET/HEAD attempt has begun (none is in flight that could store a response the write
        made stale). Only ever true with the built-in storage."""
        entries = self.entries
        return entries is not None and not entries and not self.looked_up

    def final_urls(self, client: AxiosPython) -> bool:
        """Whether a write must also invalidate the URL it was sent to, as well as the config's:
        when other plugins' `on_request` hooks may have changed it (as for early hits)."""
        early = self.early_hits
        return not early if early is not None else client.implements("on_request")

    async def invalidating(
        self, ctx: dict[str, Any], next_fn: Callable[..., Any], final_url: bool
    ) -> Any:
        """POST/PUT/PATCH/DELETE: send, then invalidate the URL (whatever the outcome).

        `final_url`: also invalidate the URL of the request as sent (when other plugins'
        `on_request` hooks may have changed it).
        """
        url = self.urls.from_config(ctx.get("base_url"), ctx.get("url"), ctx.get("params"))
        response = None
        try:
            response = await next_fn(ctx)
            return response
        finally:
            await self.invalidate_written(url, response, final_url)

    async def invalidate_written(self, url: UrlKey | None, response: Any, final_url: bool) -> None:
        """After a write to the config URL `url`: invalidate it and the URLs `response` names."""
        urls = {url[0]} if url is not None else set()
        if response is not None:
            self._add_affected_urls(urls, response, final_url or url is None)
        if urls:
            await self.invalidate_urls(self.io(), urls)

    def _add_affected_urls(self, urls: set[str], response: Any, final_url: bool) -> None:
        """The sent URL and same-origin Location / Content-Location (RFC 9111 §4.4)."""
        request = getattr(response, "request", None)
        if not isinstance(request, httpx.Request):
            return
        if final_url:
            urls.add(self.urls.from_url(request.url)[0])
        # `headers`, not `raw.headers`: a response may build its httpx.Response lazily.
        headers = getattr(response, "headers", None)
        if not isinstance(headers, httpx.Headers):
            return
        for _, name, value in header_list(headers):
            if name == b"location" or name == b"content-location":
                try:
                    target = request.url.join(value.decode("latin-1"))
                except (httpx.InvalidURL, ValueError):
                    continue
                if (target.scheme, target.netloc) == (request.url.scheme, request.url.netloc):
                    urls.add(self.urls.from_url(target)[0])

    # --- on_transport (step 6) -----------------------------------------------------------

    def on_transport(
        self, request: httpx.Request, config: dict[str, Any]
    ) -> Response | Awaitable[Response | None] | None:
        """Look the final request up: a fresh entry answers; a stale one is revalidated."""
        method = request.method
        if method != "GET" and method != "HEAD":
            return None
        lookup = self.lookup_request(request, config)
        if lookup is None:
            return None
        self.looked_up = True  # before the epoch is read: writes are no longer idle()
        attempt = _Attempt(lookup, self._epoch)
        request.extensions[_EXTENSION] = attempt
        if lookup.directives.no_cache and not self.standards:
            self.count("misses")
            return None
        io = self.io()
        if not io.serial:
            return self.answer(io, attempt, request, config)  # the pipeline awaits it
        # The storage's sync methods: `answer`'s steps without a coroutine (a hit's hot path).
        entry = _match(self.storage.get(lookup.key), lookup)
        response = self.judge(attempt, entry, request, config)
        if response is None and entry is not None and not self.standards:
            drive(self._drop(io, lookup.key, entry))  # expired
        return response

    async def answer(
        self, io: StoreIO, attempt: _Attempt, request: httpx.Request, config: dict[str, Any]
    ) -> Response | None:
        """`on_transport`'s lookup through `io`: find, `judge`, and drop an expired entry."""
        lookup = attempt.lookup
        entry = await self.find(io, lookup)
        response = self.judge(attempt, entry, request, config)
        if response is None and entry is not None and not self.standards:
            await self._drop(io, lookup.key, entry)  # expired
        return response

    def judge(
        self,
        attempt: _Attempt,
        entry: CachedResponse | None,
        request: httpx.Request,
        config: dict[str, Any],
    ) -> Response | None:
        """A fresh entry answers; a stale one is revalidated in standards mode (else the
        caller drops it): a miss."""
        if entry is not None:
            if self.is_fresh(entry, attempt.lookup.directives, self.clock()):
                self.count("hits")
                return self.response(entry, request, config)
            if self.standards:
                _make_conditional(attempt, entry, request, config)
        self.count("misses")
        return None

    def lookup_request(self, request: httpx.Request, config: dict[str, Any]) -> _Lookup | None:
        """The key material of a built GET/HEAD request (credentials as it will send them)."""
        if _has_body(config):
            return None
        auth = config.get("auth")
        if auth is not None and not isinstance(auth, tuple):
            return None
        headers = header_list(request.headers)
        authorization, cookie, cache_control, pragma = scan_headers(headers)
        url = self.urls.from_url(request.url)
        return self._lookup(
            request.method,
            url,
            headers,
            authorization,
            cookie,
            cache_control,
            pragma,
            config,
            _JAR.get(),
            count=False,  # the middleware counted it already
        )

    # --- on_response (step 8) ------------------------------------------------------------

    def on_response(self, response: Response) -> Response | Awaitable[Response | None] | None:
        """Store what may be stored; turn a 304 to our revalidation into the refreshed entry."""
        if response.from_cache:
            return None
        request = response.request
        if request is None:
            return None
        attempt = request.extensions.pop(_EXTENSION, None)
        if not isinstance(attempt, _Attempt):
            return None
        io = self.io()
        settle = self.settle(io, attempt, response)
        return drive(settle) if io.serial else settle  # async calls: the pipeline awaits it

    async def settle(self, io: StoreIO, attempt: _Attempt, response: Response) -> Response | None:
        """`on_response` for a looked-up attempt: store, refresh, or drop what is stale."""
        if attempt.stale is not None and response.status_code == 304:
            return await self.revalidated(io, attempt, attempt.stale, response)
        lookup = attempt.lookup
        decision = decide(
            response.status_code,
            response.headers,
            statuses=self.statuses,
            request=lookup.directives,
            authorization=lookup.authorization,
            shared=self.shared,
            standards=self.standards,
            ttl=self.ttl,
        )
        if not decision.store:
            if attempt.stale is not None:
                await self._drop(io, lookup.key, attempt.stale)
            return None
        raw = response.raw
        if not raw.is_stream_consumed:  # stream=True: store once the caller has read it all
            self._tee(attempt, response, decision)
            return None
        try:
            content = raw.content
        except httpx.ResponseNotRead:  # consumed without keeping the body
            return None
        await self.store(
            io, attempt, raw.status_code, raw.headers, content, decision, response.request
        )
        return None

    async def revalidated(
        self, io: StoreIO, attempt: _Attempt, entry: CachedResponse, not_modified: Response
    ) -> Response:
        """A 304 confirmed `entry`: refresh it and answer with it (RFC 9111 §4.3.4)."""
        headers = updated_headers(entry.headers, not_modified.headers)
        decision = decide(
            entry.status_code,
            headers,
            statuses=self.statuses,
            request=attempt.lookup.directives,
            authorization=attempt.lookup.authorization,
            shared=self.shared,
            standards=self.standards,
            ttl=self.ttl,
        )
        now = self.clock()
        refreshed = replace(
            entry,
            headers=headers,
            stored_at=now,
            fresh_until=now + decision.lifetime - decision.age,
            age_at_store=decision.age,
            always_revalidate=decision.always_revalidate,
        )
        if decision.store:
            await self._put(io, attempt, refreshed)
        else:
            await self._drop(io, attempt.lookup.key, entry)
        self.count("revalidated")
        self.count("hits")
        return self.response(refreshed, not_modified.request, not_modified.config)

    def _tee(self, attempt: _Attempt, response: Response, decision: Decision) -> None:
        raw = response.raw
        status, headers, request = raw.status_code, raw.headers, response.request

        async def complete(asynchronous: bool, body: bytes) -> None:
            # Read to its end outside any call: the iteration's kind picks the storage access.
            io = self.awaiting if asynchronous and self.awaiting is not None else self.blocking
            decoded = httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))
            await self.store(io, attempt, status, headers, decoded.read(), decision, request)

        stream = raw.stream
        if isinstance(stream, (httpx.SyncByteStream, httpx.AsyncByteStream)):
            raw.stream = _Tee(stream, complete)

    # --- entries -------------------------------------------------------------------------

    async def find(self, io: StoreIO, lookup: _Lookup) -> CachedResponse | None:
        """The entry stored for `lookup`'s credentials and Vary values (fresh or not)."""
        return _match(await io.get(lookup.key), lookup)

    def is_fresh(self, entry: CachedResponse, directives: RequestDirectives, now: float) -> bool:
        if now >= entry.fresh_until or entry.always_revalidate or directives.no_cache:
            return False
        return not (
            self.standards
            and directives.max_age is not None
            and entry.age(now) > directives.max_age
        )

    def response(
        self, entry: CachedResponse, request: httpx.Request | None, config: dict[str, Any]
    ) -> Response:
        """A new `Response` for `entry`: its own headers, the shared immutable body bytes."""
        response = stored_response(
            entry.status_code, entry.headers, entry.content, request=request, config=config
        )
        if self.standards:
            response.raw.headers["Age"] = str(int(entry.age(self.clock())))
        response.from_cache = True
        return response

    async def store(
        self,
        io: StoreIO,
        attempt: _Attempt,
        status_code: int,
        headers: httpx.Headers,
        content: bytes,
        decision: Decision,
        request: httpx.Request | None,
    ) -> None:
        lookup = attempt.lookup
        now = self.clock()
        entry = CachedResponse(
            status_code=status_code,
            headers=httpx.Headers(headers),
            content=content,
            request=_bare_request(request, lookup),
            credential=lookup.cred,
            vary=tuple(
                (name.encode("latin-1"), header_value(lookup.headers, name.encode("latin-1")))
                for name in decision.vary
            ),
            stored_at=now,
            fresh_until=now + decision.lifetime - decision.age,
            age_at_store=decision.age,
            always_revalidate=decision.always_revalidate,
        )
        await self._put(io, attempt, entry)

    async def _put(self, io: StoreIO, attempt: _Attempt, entry: CachedResponse) -> None:
        """Store `entry` among the key's variants, unless a write invalidated its URL since the
        attempt began. Checked again after the store's write: an invalidation that raced with
        it (possible where the storage access suspends, or from another thread's async call)
        deletes the key again, so the invalidation wins."""
        lookup, epoch = attempt.lookup, attempt.epoch
        with self._serial(io):
            if self._invalidated_since(lookup.url, epoch):
                return  # a POST/PUT/PATCH/DELETE to this URL raced with this GET
            old = await io.get(lookup.key) or ()
            kept = tuple(v for v in old if not _same_variant(v, entry))
            if self._invalidated_since(lookup.url, epoch):
                return
            await io.set(lookup.key, (entry, *kept[: MAX_VARIANTS - 1]))
            if self._invalidated_since(lookup.url, epoch):
                await io.delete(lookup.key)
                return
        self.count("stores")

    async def _drop(self, io: StoreIO, key: str, entry: CachedResponse) -> None:
        with self._serial(io):
            old = await io.get(key)
            if not old or entry not in old:
                return
            kept = tuple(v for v in old if v is not entry)
            if kept:
                await io.set(key, kept)
            else:
                await io.delete(key)

    # --- invalidation --------------------------------------------------------------------

    def invalidate(self, urls: set[str] | list[str]) -> None:
        """Forget every entry (all methods, credentials, variants) of these normalised URLs."""
        drive(self.invalidate_urls(self.blocking, urls))

    async def invalidate_urls(self, io: StoreIO, urls: set[str] | list[str]) -> None:
        """`invalidate` through `io`: the epochs move first (no I/O), then the keys go."""
        with self._serial(io):
            with self._epoch_lock:
                self._epoch += 1
                for url in urls:
                    self._invalidated.pop(url, None)
                    self._invalidated[url] = self._epoch
                while len(self._invalidated) > _MAX_INVALIDATED:
                    oldest = next(iter(self._invalidated))
                    self._forgotten_epoch = max(
                        self._forgotten_epoch, self._invalidated.pop(oldest)
                    )
            for url in urls:
                for method in CACHEABLE_METHODS:
                    await io.delete(method + " " + url)
        self.count("invalidations", len(urls))

    def _invalidated_since(self, url: str, epoch: int) -> bool:
        return self._invalidated.get(url, 0) > epoch or self._forgotten_epoch > epoch

    def clear(self) -> None:
        with self._write_lock:
            with self._epoch_lock:
                self._epoch += 1
                self._forgotten_epoch = self._epoch  # in-flight misses must not store
                self._invalidated.clear()
            self.storage.clear()


def _match(variants: Any, lookup: _Lookup) -> CachedResponse | None:
    """The variant stored for `lookup`'s credentials and Vary values (fresh or not)."""
    if not variants:
        return None
    cred = lookup.cred
    for entry in variants:
        if entry.credential == cred and (
            not entry.vary or vary_matches(entry.vary, lookup.headers)
        ):
            return entry  # type: ignore[no-any-return]
    return None


def _make_conditional(
    attempt: _Attempt, entry: CachedResponse, request: httpx.Request, config: dict[str, Any]
) -> None:
    """Standards mode: revalidate the stale `entry` (if it has validators and the request is
    not conditional already nor a stream)."""
    if (
        (entry.etag or entry.last_modified)
        and not config.get("stream")
        and "if-none-match" not in request.headers
        and "if-modified-since" not in request.headers
    ):
        if entry.etag:
            request.headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            request.headers["If-Modified-Since"] = entry.last_modified
        attempt.stale = entry


def _same_variant(old: CachedResponse, new: CachedResponse) -> bool:
    """Whether `new` replaces `old`: same credentials, and same Vary values (or no Vary)."""
    if old.credential != new.credential:
        return False
    return not old.vary or not new.vary or old.vary == new.vary


def _bare_request(request: httpx.Request | None, lookup: _Lookup) -> httpx.Request:
    """A copy of `request` without credentials or conditionals, to give hits a `.url`."""
    if request is None:
        method, _, target = lookup.key.partition(" ")
        return httpx.Request(method, target)
    url = request.url
    if url.userinfo:
        url = url.copy_with(userinfo=b"")
    headers = [
        (name, value)
        for name, value in request.headers.raw
        if name.lower() not in _UNSTORED_REQUEST_HEADERS
    ]
    return httpx.Request(request.method, url, headers=headers)


class _Tee(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Passes a response stream through (sync or async, as `inner` is), and hands the whole
    body over once it is all read. One class for both protocols, as `httpx.ByteStream`."""

    def __init__(
        self, inner: Any, complete: Callable[[bool, bytes], Coroutine[Any, Any, None]]
    ) -> None:
        self._inner = inner
        self._complete = complete
        self._chunks: list[bytes] = []

    def _seen(self, chunk: bytes) -> bytes:
        self._chunks.append(chunk)
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        yield from map(self._seen, self._inner)
        with contextlib.suppress(Exception):  # a cache failure must never break the stream
            drive(self._complete(False, b"".join(self._chunks)))

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield self._seen(chunk)
        with contextlib.suppress(Exception):
            await self._complete(True, b"".join(self._chunks))

    def close(self) -> None:
        self._inner.close()

    async def aclose(self) -> None:
        await self._inner.aclose()
