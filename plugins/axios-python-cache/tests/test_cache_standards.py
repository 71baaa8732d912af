"""Standards mode (respect_cache_control=True): freshness, revalidation, directives.

Through the local server (/cache, /etag) where it has the behaviour, and through a
MockTransport origin for the headers it cannot produce (Expires, Last-Modified, s-maxage).
"""

from __future__ import annotations

import email.utils
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from axios_python_cache import CachePlugin
from axios_python_testserver import LocalServer

import axios_python
from axios_python import MockTransport

if TYPE_CHECKING:
    from conftest import Caller, Clock, Make

pytestmark = pytest.mark.anyio

DATE = 1_700_000_000.0  # the origin's clock (wall time in its Date headers)


def http_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


class Origin:
    """A MockTransport handler: fixed headers, a body counting full responses, and 304s for
    matching If-None-Match / If-Modified-Since."""

    def __init__(self, headers: dict[str, str], not_modified: dict[str, str] | None = None):
        self.headers = headers
        self.not_modified = not_modified
        self.full = 0
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        etag, last_modified = self.headers.get("ETag"), self.headers.get("Last-Modified")
        if_none_match = request.headers.get("if-none-match")
        if_modified_since = request.headers.get("if-modified-since")
        if (etag and if_none_match == etag) or (
            last_modified and if_modified_since == last_modified
        ):
            return httpx.Response(304, headers=self.not_modified or {"ETag": etag or ""})
        self.full += 1
        return httpx.Response(200, headers=self.headers, json={"full": self.full})

    @property
    def conditional(self) -> list[bool]:
        """Per request: whether it was conditional."""
        return [
            "if-none-match" in r.headers or "if-modified-since" in r.headers for r in self.requests
        ]


Mock = Callable[..., tuple["Caller", CachePlugin]]


@pytest.fixture
async def mock(caller: Callable[[axios_python.AxiosPython], Caller]) -> AsyncIterator[Mock]:
    """`mock(origin, **CachePlugin options)` -> (caller, plugin) over a MockTransport."""
    clients: list[axios_python.AxiosPython] = []

    def factory(origin: Origin, **options: Any) -> tuple[Caller, CachePlugin]:
        api = axios_python.AxiosPython(
            {"base_url": "http://origin.test"}, transport=MockTransport(origin)
        )
        plugin = CachePlugin(respect_cache_control=True, **options)
        api.plugin(plugin)
        clients.append(api)
        return caller(api), plugin

    yield factory
    for api in clients:
        await api.aclose()


# --- through the local server --------------------------------------------------------------


async def test_max_age_makes_a_response_fresh(make: Make, server: LocalServer, name: str) -> None:
    """max-age=60: the second GET is a hit, without the network."""
    api, _ = make(respect_cache_control=True)
    url = f"/cache?max_age=60&n={name}"
    before = server.hits["/cache"]
    first, second = await api.get(url), await api.get(url)
    assert second.from_cache
    assert second.data["counter"] == first.data["counter"]
    assert server.hits["/cache"] - before == 1


async def test_a_stale_entry_is_revalidated_with_its_etag(
    make: Make, server: LocalServer, name: str
) -> None:
    """max-age=0: the next GET sends If-None-Match; the 304 answers with the stored body."""
    api, plugin = make(respect_cache_control=True)
    url = f"/cache?max_age=0&n={name}"
    before = server.hits["/cache"]
    first = await api.get(url)
    second = await api.get(url)
    assert server.hits["/cache"] - before == 2
    assert (second.from_cache, second.status_code) == (True, 200)
    assert second.data == first.data
    assert second.request is not None
    assert second.request.headers["If-None-Match"] == first.headers["ETag"]
    assert plugin.stats.revalidated == 1


async def test_freshness_runs_on_the_injected_clock(
    make: Make, server: LocalServer, clock: Clock, name: str
) -> None:
    """max-age=30: fresh at 29 s; at 31 s revalidated (304), then fresh again for 30 s."""
    api, plugin = make(respect_cache_control=True, clock=clock)
    url = f"/cache?max_age=30&n={name}"
    before = server.hits["/cache"]
    first = await api.get(url)
    clock.advance(29)
    assert (await api.get(url)).from_cache
    assert server.hits["/cache"] - before == 1
    clock.advance(2)
    revalidated = await api.get(url)
    assert (revalidated.from_cache, revalidated.data) == (True, first.data)
    assert server.hits["/cache"] - before == 2
    clock.advance(29)
    assert (await api.get(url)).from_cache
    assert server.hits["/cache"] - before == 2
    assert plugin.stats.revalidated == 1


async def test_an_etag_without_freshness_is_revalidated_every_time(
    make: Make, server: LocalServer, name: str
) -> None:
    """An ETag but no freshness: stored, and every use is a conditional request answered 304."""
    api, _ = make(respect_cache_control=True)
    path = f"/etag/{name}"
    first = await api.get(path)
    for _ in range(2):
        again = await api.get(path)
        assert (again.from_cache, again.data) == (True, first.data)
    assert server.hits[path] == 3


async def test_request_no_cache_forces_revalidation(
    make: Make, server: LocalServer, name: str
) -> None:
    """Request Cache-Control: no-cache revalidates a fresh entry instead of using it."""
    api, _ = make(respect_cache_control=True)
    url = f"/cache?max_age=60&n={name}"
    before = server.hits["/cache"]
    first = await api.get(url)
    forced = await api.get(url, headers={"Cache-Control": "no-cache"})
    assert server.hits["/cache"] - before == 2
    assert (forced.from_cache, forced.data) == (True, first.data)


async def test_responses_without_freshness_or_validators_are_not_stored(
    make: Make, name: str
) -> None:
    """Standards mode stores nothing the response does not allow: /counter has no headers."""
    api, plugin = make(respect_cache_control=True)
    await api.get(f"/counter/{name}")
    second = await api.get(f"/counter/{name}")
    assert (second.from_cache, second.data["count"]) == (False, 2)
    assert plugin.stats.stores == 0


async def test_no_store_is_honoured(make: Make, server: LocalServer) -> None:
    """Cache-Control: no-store is never stored in standards mode."""
    api, _ = make(respect_cache_control=True)
    url = "/response-headers?Cache-Control=no-store,max-age=60&n=std"
    await api.get(url)
    assert not (await api.get(url)).from_cache


# --- through a mock origin -----------------------------------------------------------------


async def test_response_no_cache_forces_revalidation(mock: Mock) -> None:
    """Response Cache-Control: no-cache (with an ETag): every use is revalidated."""
    origin = Origin({"Cache-Control": "no-cache, max-age=600", "ETag": '"v1"'})
    api, _ = mock(origin)
    for _ in range(3):
        response = await api.get("/doc")
        assert response.data == {"full": 1}
    assert origin.conditional == [False, True, True]


async def test_expires_minus_date_gives_the_lifetime(mock: Mock, clock: Clock) -> None:
    """Expires 100 s after Date: fresh for 100 s; then, without validators, refetched."""
    origin = Origin({"Date": http_date(DATE), "Expires": http_date(DATE + 100)})
    api, _ = mock(origin, clock=clock)
    await api.get("/doc")
    clock.advance(99)
    assert (await api.get("/doc")).from_cache
    clock.advance(2)
    refetched = await api.get("/doc")
    assert (refetched.from_cache, refetched.data) == (False, {"full": 2})


async def test_an_invalid_expires_means_already_stale(mock: Mock) -> None:
    """An unparseable Expires is in the past (RFC 9111 §5.3): not stored without validators."""
    origin = Origin({"Expires": "0"})
    api, plugin = mock(origin)
    await api.get("/doc")
    assert not (await api.get("/doc")).from_cache
    assert plugin.stats.stores == 0


@pytest.mark.parametrize(("shared", "fresh_at_50"), [(False, False), (True, True)])
async def test_s_maxage_applies_to_shared_caches_only(
    mock: Mock, clock: Clock, shared: bool, fresh_at_50: bool
) -> None:
    """max-age=10, s-maxage=100: a private cache goes stale at 10 s, a shared one at 100 s."""
    origin = Origin({"Cache-Control": "max-age=10, s-maxage=100"})
    api, _ = mock(origin, clock=clock, shared=shared)
    await api.get("/doc")
    clock.advance(50)
    assert (await api.get("/doc")).from_cache is fresh_at_50


async def test_last_modified_gives_heuristic_freshness_and_if_modified_since(
    mock: Mock, clock: Clock
) -> None:
    """Last-Modified 10 days before Date: fresh for 1 day (10%), then If-Modified-Since -> 304."""
    day = 86400.0
    last_modified = http_date(DATE - 10 * day)
    origin = Origin({"Date": http_date(DATE), "Last-Modified": last_modified})
    api, _ = mock(origin, clock=clock)
    await api.get("/doc")
    clock.advance(0.9 * day)
    assert (await api.get("/doc")).from_cache
    clock.advance(0.2 * day)
    revalidated = await api.get("/doc")
    assert (revalidated.from_cache, revalidated.data) == (True, {"full": 1})
    assert origin.requests[-1].headers["If-Modified-Since"] == last_modified
    assert len(origin.requests) == 2


async def test_a_304_refreshes_the_stored_headers(mock: Mock, clock: Clock) -> None:
    """The 304's Cache-Control replaces the stored one: max-age=0 becomes max-age=100."""
    origin = Origin(
        {"Cache-Control": "max-age=0", "ETag": '"v1"'},
        not_modified={"Cache-Control": "max-age=100", "ETag": '"v1"'},
    )
    api, _ = mock(origin, clock=clock)
    await api.get("/doc")
    refreshed = await api.get("/doc")
    assert refreshed.from_cache
    assert refreshed.headers["Cache-Control"] == "max-age=100"
    clock.advance(50)
    assert (await api.get("/doc")).from_cache
    assert len(origin.requests) == 2


async def test_request_max_age_limits_the_accepted_age(mock: Mock, clock: Clock) -> None:
    """Request Cache-Control: max-age=10 rejects a 50 s old entry (revalidates it)."""
    origin = Origin({"Cache-Control": "max-age=100", "ETag": '"v1"'})
    api, _ = mock(origin, clock=clock)
    await api.get("/doc")
    clock.advance(50)
    assert (await api.get("/doc")).from_cache
    strict = await api.get("/doc", headers={"Cache-Control": "max-age=10"})
    assert strict.from_cache
    assert origin.conditional == [False, True]


async def test_hits_carry_an_age_header(mock: Mock, clock: Clock) -> None:
    """A hit says how old it is: Age = the origin's Age + the time spent in the cache."""
    origin = Origin({"Cache-Control": "max-age=100", "Age": "5"})
    api, _ = mock(origin, clock=clock)
    await api.get("/doc")
    clock.advance(7)
    hit = await api.get("/doc")
    assert hit.headers["Age"] == "12"
    clock.advance(90)  # 5 + 97 > 100: stale, and no validators
    assert not (await api.get("/doc")).from_cache
