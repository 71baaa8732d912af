"""CachePlugin through a real client and the local server, on the sync and the async path."""

from __future__ import annotations

import pickle
import sqlite3
import threading
from typing import TYPE_CHECKING, Any

import axios_python_cache
import pytest
from axios_python_cache import CachePlugin, InMemoryStorage, Variants
from axios_python_testserver import LocalServer

import axios_python
from axios_python import HTTPStatusError, Plugin

if TYPE_CHECKING:
    from conftest import Clock, Make

pytestmark = pytest.mark.anyio


# --- basics --------------------------------------------------------------------------------


async def test_repeated_get_is_answered_from_the_cache(
    make: Make, server: LocalServer, name: str
) -> None:
    """The second GET of a URL is a hit: same body, from_cache, no network call."""
    api, plugin = make()
    first = await api.get(f"/counter/{name}")
    second = await api.get(f"/counter/{name}")
    assert first.data == {"name": name, "count": 1}
    assert second.data == {"name": name, "count": 1}
    assert (first.from_cache, second.from_cache) == (False, True)
    assert server.hits[f"/counter/{name}"] == 1
    assert second.status_code == 200
    assert str(second.url) == f"{server.url}/counter/{name}"
    stats = plugin.stats
    assert (stats.hits, stats.misses, stats.stores) == (1, 1, 1)


async def test_query_strings_are_part_of_the_key(make: Make) -> None:
    """/anything/items?page=1 and ?page=2 never share an entry (the peer implementation's bug)."""
    api, _ = make()
    page1 = await api.get("/anything/items?page=1")
    page2 = await api.get("/anything/items?page=2")
    assert page1.data["args"] == {"page": "1"}
    assert page2.data["args"] == {"page": "2"}
    assert not page2.from_cache
    again = await api.get("/anything/items", params={"page": 1})
    assert again.from_cache
    assert again.data["args"] == {"page": "1"}
    other = await api.get("/anything/items", params={"page": 3})
    assert (other.from_cache, other.data["args"]) == (False, {"page": "3"})


async def test_query_parameter_order_is_normalised(make: Make, name: str) -> None:
    """?a=1&b=2, ?b=2&a=1 and params={"b": 2, "a": 1} are the same entry."""
    api, _ = make()
    first = await api.get(f"/anything/{name}?a=1&b=2")
    swapped = await api.get(f"/anything/{name}?b=2&a=1")
    mixed = await api.get(f"/anything/{name}?b=2", params={"a": "1"})
    assert not first.from_cache
    assert swapped.from_cache
    assert mixed.from_cache
    assert mixed.data["args"] == {"a": "1", "b": "2"}


async def test_paths_are_part_of_the_key(make: Make) -> None:
    """Different paths under one base URL are different entries."""
    api, _ = make()
    a = await api.get("/anything/a")
    b = await api.get("/anything/b")
    assert (a.data["path"], b.data["path"]) == ("/anything/a", "/anything/b")
    assert not b.from_cache


async def test_head_is_cached_apart_from_get(make: Make, server: LocalServer, name: str) -> None:
    """HEAD is cached, under its own key: a GET does not answer a HEAD, nor the reverse."""
    api, _ = make()
    path = f"/counter/{name}"
    assert not (await api.get(path)).from_cache
    head = await api.head(path)
    assert not head.from_cache
    assert head.content == b""
    head_again = await api.head(path)
    assert head_again.from_cache
    assert head_again.content == b""
    assert server.hits[path] == 2


async def test_other_methods_are_not_cached(make: Make, server: LocalServer, name: str) -> None:
    """OPTIONS (neither cached nor invalidating) always goes to the network."""
    api, _ = make()
    path = f"/counter/{name}"
    await api.request("OPTIONS", path)
    second = await api.request("OPTIONS", path)
    assert not second.from_cache
    assert server.hits[path] == 2


async def test_get_with_a_body_bypasses_the_cache(
    make: Make, server: LocalServer, name: str
) -> None:
    """A GET that carries a body is not cached (its key would not cover the body)."""
    api, plugin = make()
    path = f"/counter/{name}"
    await api.get(path, json={"q": 1})
    second = await api.get(path, json={"q": 2})
    assert not second.from_cache
    assert server.hits[path] == 2
    assert plugin.stats.bypassed == 2


# --- Vary ----------------------------------------------------------------------------------


async def test_vary_keys_on_the_named_request_headers(make: Make, server: LocalServer) -> None:
    """With Vary: Accept, each Accept value gets its own variant; both are kept."""
    api, _ = make()
    url = "/response-headers?Vary=Accept&n=vary1"
    before = server.hits["/response-headers"]
    json_1 = await api.get(url, headers={"Accept": "application/json"})
    json_2 = await api.get(url, headers={"Accept": "application/json"})
    text_1 = await api.get(url, headers={"Accept": "text/plain"})
    text_2 = await api.get(url, headers={"Accept": "text/plain"})
    json_3 = await api.get(url, headers={"Accept": "application/json"})
    assert [r.from_cache for r in (json_1, json_2, text_1, text_2, json_3)] == [
        False,
        True,
        False,
        True,
        True,
    ]
    assert server.hits["/response-headers"] - before == 2


async def test_vary_star_is_never_stored(make: Make, server: LocalServer) -> None:
    """Vary: * means no later request can match: never stored."""
    api, _ = make()
    url = "/response-headers?Vary=*&n=star"
    before = server.hits["/response-headers"]
    await api.get(url)
    assert not (await api.get(url)).from_cache
    assert server.hits["/response-headers"] - before == 2


# --- credentials ---------------------------------------------------------------------------


async def test_bearer_tokens_never_share_an_entry(make: Make, server: LocalServer) -> None:
    """Bob never gets Alice's cached response; each token has its own entry."""
    api, _ = make()
    before = server.hits["/bearer"]
    alice = await api.get("/bearer", headers={"Authorization": "Bearer alice"})
    bob = await api.get("/bearer", headers={"Authorization": "Bearer bob"})
    alice_again = await api.get("/bearer", headers={"Authorization": "Bearer alice"})
    assert alice.data["token"] == "alice"
    assert (bob.from_cache, bob.data["token"]) == (False, "bob")
    assert (alice_again.from_cache, alice_again.data["token"]) == (True, "alice")
    anonymous = await api.get("/bearer")
    assert (anonymous.status_code, anonymous.from_cache) == (401, False)
    assert server.hits["/bearer"] - before == 3


async def test_basic_auth_credentials_never_share_an_entry(make: Make) -> None:
    """auth=(user, password) is part of the key: a wrong password is not answered from cache."""
    api, _ = make()
    good = await api.get("/basic-auth/u/p", auth=("u", "p"))
    wrong = await api.get("/basic-auth/u/p", auth=("u", "nope"))
    good_again = await api.get("/basic-auth/u/p", auth=("u", "p"))
    assert good.data == {"authenticated": True, "user": "u"}
    assert (wrong.status_code, wrong.from_cache) == (401, False)
    assert (good_again.from_cache, good_again.status_code) == (True, 200)


async def test_cookies_never_share_an_entry(make: Make) -> None:
    """cookies= and Cookie headers are part of the key."""
    api, _ = make()
    one = await api.get("/cookies", cookies={"session": "one"})
    two = await api.get("/cookies", cookies={"session": "two"})
    header = await api.get("/cookies", headers={"Cookie": "session=three"})
    one_again = await api.get("/cookies", cookies={"session": "one"})
    assert one.data == {"cookies": {"session": "one"}}
    assert (two.from_cache, two.data) == (False, {"cookies": {"session": "two"}})
    assert (header.from_cache, header.data) == (False, {"cookies": {"session": "three"}})
    assert (one_again.from_cache, one_again.data) == (True, {"cookies": {"session": "one"}})


async def test_cookie_jar_changes_change_the_key(make: Make) -> None:
    """A cookie set by the server (the client's jar) isolates later entries: no stale session."""
    api, _ = make()
    await api.get("/cookies/set?session=first")
    first = await api.get("/cookies")
    assert first.data == {"cookies": {"session": "first"}}
    assert (await api.get("/cookies")).from_cache
    await api.get("/cookies/set?session=second")
    second = await api.get("/cookies")
    assert (second.from_cache, second.data) == (False, {"cookies": {"session": "second"}})


async def test_credentials_bypass_mode_does_not_cache_them(make: Make, server: LocalServer) -> None:
    """credentials="bypass": requests with credentials are never cached; anonymous ones are."""
    api, plugin = make(credentials="bypass")
    before = server.hits["/bearer"]
    for _ in range(2):
        response = await api.get("/bearer", headers={"Authorization": "Bearer alice"})
        assert not response.from_cache
    assert server.hits["/bearer"] - before == 2
    assert plugin.stats.bypassed == 2
    await api.get("/anything/anonymous-bypass")
    assert (await api.get("/anything/anonymous-bypass")).from_cache


async def test_credentials_bypass_mode_covers_the_cookie_jar(make: Make) -> None:
    """credentials="bypass": a cookie in the client's jar makes requests uncached too."""
    api, _ = make(credentials="bypass")
    await api.get("/cookies/set?session=jar")
    first = await api.get("/cookies")
    second = await api.get("/cookies")
    assert first.data == second.data == {"cookies": {"session": "jar"}}
    assert not second.from_cache


class TokenPlugin(Plugin):
    """Adds the current token in on_request, as an auth plugin does (per attempt)."""

    name = "token"

    def __init__(self) -> None:
        self.token = "alice"

    def on_request(self, config: dict[str, Any]) -> None:
        config["headers"]["Authorization"] = f"Bearer {self.token}"


async def test_credentials_added_by_another_plugin_are_isolated(make: Make) -> None:
    """A token set later by another plugin's on_request is in the key (hits move to on_transport)."""
    api, _ = make()
    tokens = TokenPlugin()
    api.api.plugin(tokens)
    alice = await api.get("/bearer")
    tokens.token = "bob"
    bob = await api.get("/bearer")
    tokens.token = "alice"
    alice_again = await api.get("/bearer")
    assert alice.data["token"] == "alice"
    assert (bob.from_cache, bob.data["token"]) == (False, "bob")
    assert (alice_again.from_cache, alice_again.data["token"]) == (True, "alice")


class ApiKeyPlugin(Plugin):
    """Adds a query parameter in on_request: the URL sent differs from the URL asked for."""

    name = "api-key"

    def on_request(self, config: dict[str, Any]) -> None:
        config["params"] = {**(config.get("params") or {}), "key": "k1"}


async def test_writes_invalidate_the_url_as_sent(make: Make, name: str) -> None:
    """When another plugin rewrites URLs in on_request, a write invalidates the URL it sent."""
    api, _ = make()
    api.api.plugin(ApiKeyPlugin())
    path = f"/counter/{name}"
    first = await api.get(path)
    assert first.request is not None
    assert first.request.url.params["key"] == "k1"
    assert (await api.get(path)).from_cache
    await api.post(path)
    after = await api.get(path)
    assert (after.from_cache, after.data["count"]) == (False, 3)


async def test_hits_in_on_transport_are_seen_by_other_plugins(make: Make, name: str) -> None:
    """early_hits=False: every hit goes through on_transport, so on_response hooks see it."""
    api, _ = make(early_hits=False)
    seen: list[bool] = []

    class Observer(Plugin):
        def on_response(self, response: axios_python.Response) -> None:
            seen.append(response.from_cache)

    api.api.plugin(Observer())
    await api.get(f"/counter/{name}")
    hit = await api.get(f"/counter/{name}")
    assert hit.from_cache
    assert hit.data == {"name": name, "count": 1}
    assert seen == [False, True]


# --- what is never stored ------------------------------------------------------------------


async def test_no_store_responses_are_never_stored(make: Make, server: LocalServer) -> None:
    """Cache-Control: no-store is honoured in TTL mode too."""
    api, plugin = make()
    url = "/response-headers?Cache-Control=no-store&n=ns"
    before = server.hits["/response-headers"]
    await api.get(url)
    assert not (await api.get(url)).from_cache
    assert server.hits["/response-headers"] - before == 2
    assert plugin.stats.stores == 0


async def test_no_store_requests_are_not_stored(make: Make, name: str) -> None:
    """A request with Cache-Control: no-store is answered but its response is not kept."""
    api, _ = make()
    await api.get(f"/counter/{name}", headers={"Cache-Control": "no-store"})
    second = await api.get(f"/counter/{name}")
    assert (second.from_cache, second.data["count"]) == (False, 2)


async def test_no_cache_requests_skip_the_lookup_and_refresh(make: Make, name: str) -> None:
    """Request Cache-Control: no-cache goes to the network; its response replaces the entry."""
    api, _ = make()
    await api.get(f"/counter/{name}")
    fresh = await api.get(f"/counter/{name}", headers={"Cache-Control": "no-cache"})
    after = await api.get(f"/counter/{name}")
    assert (fresh.from_cache, fresh.data["count"]) == (False, 2)
    assert (after.from_cache, after.data["count"]) == (True, 2)


async def test_private_responses_are_stored_only_by_a_private_cache(
    make: Make, server: LocalServer
) -> None:
    """Cache-Control: private is stored by default (a client cache), never with shared=True."""
    url = "/response-headers?Cache-Control=private&n=private"
    private_api, _ = make()
    shared_api, _ = make(shared=True)
    await private_api.get(url)
    assert (await private_api.get(url)).from_cache
    await shared_api.get(url)
    assert not (await shared_api.get(url)).from_cache


async def test_shared_cache_does_not_store_authorized_responses(make: Make) -> None:
    """shared=True: a response to a request with Authorization is not stored without public."""
    api, _ = make(shared=True)
    headers = {"Authorization": "Bearer alice"}
    await api.get("/bearer", headers=headers)
    assert not (await api.get("/bearer", headers=headers)).from_cache


async def test_error_statuses_are_not_stored(make: Make, server: LocalServer) -> None:
    """500 is not cacheable; 404 is (RFC 9110 heuristically cacheable), unless `statuses` says."""
    api, _ = make()
    before = server.hits["/status/500"]
    await api.get("/status/500")
    assert not (await api.get("/status/500")).from_cache
    assert server.hits["/status/500"] - before == 2
    await api.get("/status/404")
    assert (await api.get("/status/404")).from_cache
    only_ok, _ = make(statuses={200})
    await only_ok.get("/status/410")
    assert not (await only_ok.get("/status/410")).from_cache


async def test_a_cached_rejected_status_is_still_rejected(
    make: Make, server: LocalServer, name: str
) -> None:
    """validate_status applies to hits: a cached 404 raises HTTPStatusError again."""
    api, _ = make(config={"validate_status": lambda status: status < 400})
    path = f"/status/404?n={name}"
    with pytest.raises(HTTPStatusError):
        await api.get(path)
    with pytest.raises(HTTPStatusError) as caught:
        await api.get(path)
    assert caught.value.response.from_cache
    assert caught.value.response.status_code == 404


# --- streams -------------------------------------------------------------------------------


async def test_partly_read_streams_are_not_stored(make: Make, server: LocalServer) -> None:
    """A stream=True body read only in part (then closed) is not stored."""
    api, plugin = make()
    url = "/stream-bytes/4096?chunk_size=256&n=partial"

    def sync() -> None:
        with api.api.get(url, stream=True) as response:
            next(response.iter_raw(256))

    async def asynchronous() -> None:
        async with await api.api.async_get(url, stream=True) as response:
            async for _ in response.aiter_raw(256):
                break

    await api.run(sync, asynchronous)
    assert plugin.stats.stores == 0
    assert not (await api.get(url)).from_cache


async def test_fully_read_streams_are_stored(make: Make, server: LocalServer) -> None:
    """A stream=True body read to its end is stored, and served (also as a stream) later."""
    api, plugin = make()
    url = "/stream-bytes/4096?chunk_size=256&n=full"

    def sync() -> bytes:
        with api.api.get(url, stream=True) as response:
            return b"".join(response.iter_bytes())

    async def asynchronous() -> bytes:
        async with await api.api.async_get(url, stream=True) as response:
            return b"".join([chunk async for chunk in response.aiter_bytes()])

    body = await api.run(sync, asynchronous)
    assert len(body) == 4096
    assert plugin.stats.stores == 1
    hit = await api.get(url)
    assert (hit.from_cache, hit.content) == (True, body)
    streamed_hit = await api.run(sync, asynchronous)
    assert streamed_hit == body
    assert server.hits["/stream-bytes/4096"] >= 1


# --- invalidation --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_writes_invalidate_the_url(
    make: Make, server: LocalServer, name: str, method: str
) -> None:
    """POST/PUT/PATCH/DELETE bypass the cache and drop the URL's GET and HEAD entries."""
    api, plugin = make()
    path, other = f"/counter/{name}", f"/counter/{name}-other"
    await api.get(path)
    await api.head(path)
    await api.get(other)
    write = await api.request(method, path)
    assert not write.from_cache
    get_after, head_after = await api.get(path), await api.head(path)
    assert (get_after.from_cache, get_after.data["count"]) == (False, 4)
    assert not head_after.from_cache
    assert (await api.get(other)).from_cache
    assert plugin.stats.invalidations == 1


async def test_writes_invalidate_every_credential_variant(make: Make) -> None:
    """Invalidation drops the URL's entries for every user, not only the writer's."""
    api, _ = make()
    url = "/anything/shared-doc"
    await api.get(url, headers={"Authorization": "Bearer alice"})
    await api.get(url, headers={"Authorization": "Bearer bob"})
    await api.post(url, headers={"Authorization": "Bearer alice"})
    bob = await api.get(url, headers={"Authorization": "Bearer bob"})
    assert not bob.from_cache


async def test_write_invalidates_the_same_origin_location(make: Make, name: str) -> None:
    """A write's same-origin Location header is invalidated too (RFC 9111 §4.4)."""
    api, _ = make()
    target = f"/counter/{name}"
    await api.get(target)
    await api.post(f"/response-headers?Location={target}&n={name}")
    after = await api.get(target)
    assert (after.from_cache, after.data["count"]) == (False, 2)


# Writes to an idle cache (nothing stored, no GET/HEAD looked up yet) skip the URL work; these
# check that they still invalidate whatever a GET stores meanwhile.


async def test_a_write_to_an_idle_cache_invalidates_nothing(
    make: Make, server: LocalServer, name: str
) -> None:
    """POST first: nothing to invalidate; the GETs after it are cached, and a write then
    invalidates them as usual."""
    api, plugin = make()
    path = f"/counter/{name}"
    assert plugin._cache.idle()
    await api.post(path)
    assert plugin.stats.invalidations == 0
    first, second = await api.get(path), await api.get(path)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert first.data["count"] == second.data["count"] == 2
    assert not plugin._cache.idle()
    await api.post(path)
    after = await api.get(path)
    assert (after.from_cache, after.data["count"]) == (False, 4)
    assert plugin.stats.invalidations == 1
    assert server.hits[path] == 4


async def test_a_get_stored_during_a_write_to_an_idle_cache_is_invalidated(
    make: Make, name: str
) -> None:
    """A GET that runs (and stores) while a write to an idle cache is in flight: the write
    still invalidates that URL when it ends."""
    api, plugin = make()
    path = f"/counter/{name}"
    during: list[axios_python.Response] = []

    async def get_during_the_write(ctx: dict[str, Any], next_fn: Any) -> Any:
        if ctx["method"] == "POST":  # inside the cache middleware: the write has begun
            if axios_python.is_async_call():
                during.append(await api.api.async_get(path))
            else:
                during.append(api.api.get(path))
        return await next_fn(ctx)

    api.api.use(get_during_the_write)
    assert plugin._cache.idle()
    await api.post(path)
    assert [(r.from_cache, r.data["count"]) for r in during] == [(False, 1)]
    assert plugin.stats.stores == 1
    assert plugin.stats.invalidations == 1
    after = await api.get(path)
    assert (after.from_cache, after.data["count"]) == (False, 3)


async def test_a_write_through_an_idle_cache_invalidates_a_shared_storage(
    server: LocalServer, caller: Any, name: str
) -> None:
    """Two clients share one InMemoryStorage: a write through the one that never looked
    anything up still invalidates what the other one stored."""
    storage = InMemoryStorage()
    reader, writer = CachePlugin(storage=storage), CachePlugin(storage=storage)
    apis = []
    for plugin in (reader, writer):
        api = axios_python.create({"base_url": server.url, "timeout": 5})
        api.plugin(plugin)
        apis.append(caller(api))
    path = f"/counter/{name}"
    try:
        await apis[0].get(path)
        assert (await apis[0].get(path)).from_cache
        assert writer._cache.looked_up is False
        await apis[1].post(path)
        after = await apis[0].get(path)
        assert (after.from_cache, after.data["count"]) == (False, 3)
    finally:
        for api in apis:
            await api.api.aclose()


def test_only_the_built_in_storage_can_be_idle() -> None:
    """Another storage may hold entries this process did not store: never idle."""
    assert CachePlugin()._cache.idle()
    assert not CachePlugin(storage=PickleStorage())._cache.idle()
    assert not CachePlugin(storage=type("Sub", (InMemoryStorage,), {})())._cache.idle()


async def test_invalidate_and_clear_by_hand(make: Make, server: LocalServer, name: str) -> None:
    """plugin.invalidate(url) forgets one URL; plugin.clear() everything."""
    api, plugin = make()
    await api.get(f"/counter/{name}")
    await api.get(f"/counter/{name}-2")
    plugin.invalidate(f"{server.url}/counter/{name}")
    assert not (await api.get(f"/counter/{name}")).from_cache
    assert (await api.get(f"/counter/{name}-2")).from_cache
    plugin.clear()
    assert plugin.stats.size == 0
    assert not (await api.get(f"/counter/{name}-2")).from_cache


# --- size and time -------------------------------------------------------------------------


async def test_max_size_evicts_the_least_recently_used(make: Make, name: str) -> None:
    """max_size=2: a third URL evicts the least recently used one, counted in stats."""
    api, plugin = make(max_size=2)
    a, b, c = (f"/anything/{name}-{x}" for x in "abc")
    await api.get(a)
    await api.get(b)
    assert (await api.get(a)).from_cache  # a is now the most recently used
    await api.get(c)  # evicts b
    assert (await api.get(a)).from_cache
    assert not (await api.get(b)).from_cache  # evicts c
    stats = plugin.stats
    assert (stats.evictions, stats.size) == (2, 2)


async def test_entries_expire_after_ttl(make: Make, clock: Clock, name: str) -> None:
    """ttl=10: a hit at 9.9 s, a miss at 10 s (an injected clock, no sleeping)."""
    api, _ = make(ttl=10, clock=clock)
    path = f"/counter/{name}"
    await api.get(path)
    clock.advance(9.9)
    assert (await api.get(path)).from_cache
    clock.advance(0.1)
    expired = await api.get(path)
    assert (expired.from_cache, expired.data["count"]) == (False, 2)
    assert (await api.get(path)).from_cache


async def test_ttl_none_never_expires(make: Make, clock: Clock, name: str) -> None:
    """ttl=None: entries stay until evicted or invalidated."""
    api, _ = make(ttl=None, clock=clock)
    await api.get(f"/counter/{name}")
    clock.advance(10**9)
    assert (await api.get(f"/counter/{name}")).from_cache


# --- independence of hits ------------------------------------------------------------------


async def test_each_hit_is_an_independent_response(make: Make, name: str) -> None:
    """Mutating a hit's data or headers changes nothing for the next caller."""
    api, _ = make()
    path = f"/counter/{name}"
    await api.get(path)
    first_hit = await api.get(path)
    first_hit.data["count"] = 999
    first_hit.headers["X-Mutated"] = "yes"
    second_hit = await api.get(path)
    assert second_hit is not first_hit
    assert second_hit.from_cache
    assert second_hit.data == {"name": name, "count": 1}
    assert "x-mutated" not in second_hit.headers
    assert second_hit.json() == {"name": name, "count": 1}


async def test_an_interceptor_mutating_data_does_not_leak(make: Make, name: str) -> None:
    """A response interceptor that mutates response.data in place sees a fresh object each time."""
    api, _ = make()

    def tag(response: axios_python.Response) -> axios_python.Response:
        response.data.setdefault("seen", []).append(1)
        return response

    api.api.interceptors.response.use(tag)
    results = [await api.get(f"/counter/{name}") for _ in range(3)]
    assert [r.from_cache for r in results] == [False, True, True]
    assert all(r.data == {"name": name, "count": 1, "seen": [1]} for r in results)


# --- registration and storage --------------------------------------------------------------


async def test_unplugged_cache_stops_answering(make: Make, name: str) -> None:
    """After api.unplug(plugin), requests go to the network again."""
    api, plugin = make()
    await api.get(f"/counter/{name}")
    api.api.unplug(plugin)
    after = await api.get(f"/counter/{name}")
    assert (after.from_cache, after.data["count"]) == (False, 2)


async def test_plugging_again_adds_no_second_middleware(make: Make, name: str) -> None:
    """unplug() then plugin() again: caching resumes, with one middleware, not two."""
    api, plugin = make()
    api.api.unplug(plugin)
    api.api.plugin(plugin)
    assert len(api.api._middlewares) == 1
    await api.get(f"/counter/{name}")
    assert (await api.get(f"/counter/{name}")).from_cache


class PickleStorage:
    """A CacheStorage that keeps pickled bytes, as a persistent store would."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> Variants | None:
        with self.lock:
            blob = self.data.get(key)
        return None if blob is None else pickle.loads(blob)

    def set(self, key: str, value: Variants) -> None:
        with self.lock:
            self.data[key] = pickle.dumps(value)

    def delete(self, key: str) -> None:
        with self.lock:
            self.data.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


async def test_a_custom_storage_is_used(make: Make, name: str) -> None:
    """A user CacheStorage (here: pickled bytes) stores, answers and invalidates."""
    storage = PickleStorage()
    api, plugin = make(storage=storage)
    await api.get(f"/counter/{name}")
    assert list(storage.data) == [f"GET {api.api.defaults['base_url']}/counter/{name}"]
    hit = await api.get(f"/counter/{name}")
    assert (hit.from_cache, hit.data["count"]) == (True, 1)
    assert plugin.storage is storage
    await api.post(f"/counter/{name}")
    assert storage.data == {}


class SQLiteStorage:
    """The README's persistent CacheStorage example, as written there."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB)")
        self._lock = threading.Lock()

    def get(self, key: str) -> Variants | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM cache WHERE key = ?", (key,)).fetchone()
        return None if row is None else pickle.loads(row[0])

    def set(self, key: str, value: Variants) -> None:
        with self._lock, self._db:
            self._db.execute("REPLACE INTO cache VALUES (?, ?)", (key, pickle.dumps(value)))

    def delete(self, key: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM cache WHERE key = ?", (key,))

    def clear(self) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM cache")


async def test_the_readme_sqlite_storage_persists_across_clients(
    make: Make, tmp_path: Any, name: str
) -> None:
    """The README's SQLiteStorage: a second client (and plugin) with the same file gets hits."""
    path = str(tmp_path / "cache.db")
    first_storage, second_storage = SQLiteStorage(path), SQLiteStorage(path)
    try:
        first, _ = make(storage=first_storage, ttl=300, clock=lambda: 0.0)
        await first.get(f"/counter/{name}")
        second, _ = make(storage=second_storage, ttl=300, clock=lambda: 0.0)
        hit = await second.get(f"/counter/{name}")
        assert (hit.from_cache, hit.data["count"]) == (True, 1)
    finally:
        first_storage._db.close()
        second_storage._db.close()


def test_exported_from_axios_python_and_by_entry_point(server: LocalServer) -> None:
    """`from axios_python import CachePlugin` and api.plugin("cache", ...) give this plugin."""
    assert axios_python.CachePlugin is CachePlugin
    with axios_python.create({"base_url": server.url}) as api:
        plugin = api.plugin("cache", ttl=5, max_size=3)
        assert isinstance(plugin, CachePlugin)
        assert isinstance(plugin.storage, InMemoryStorage)
        assert plugin.storage.max_size == 3
        api.get("/anything/ep")
        assert api.get("/anything/ep").from_cache


def test_exported_names() -> None:
    """__all__ lists exactly the public names."""
    assert sorted(axios_python_cache.__all__) == sorted(
        [
            "DEFAULT_STATUSES",
            "CachePlugin",
            "CacheStats",
            "CacheStorage",
            "CachedResponse",
            "InMemoryStorage",
            "RedisStorage",
            "SQLiteStorage",
            "Variants",
            "__version__",
            "storage_from_url",
        ]
    )
    for name in axios_python_cache.__all__:
        assert getattr(axios_python_cache, name) is not None


@pytest.mark.parametrize(
    "options",
    [{"ttl": -1}, {"max_size": 0}, {"credentials": "share"}, {"storage": object()}],
)
def test_bad_options_raise_config_error(options: dict[str, Any]) -> None:
    """Invalid options fail at construction with ConfigError."""
    with pytest.raises(axios_python.ConfigError):
        CachePlugin(**options)
