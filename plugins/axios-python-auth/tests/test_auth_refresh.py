"""Refresh on 401: one refresh, one retry, shared by concurrent requests; sync and async."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import axios_python
from axios_python import AuthPlugin, HTTPStatusError, MockTransport, PluginError, Response


def _client(token_server: Any, **config: Any) -> axios_python.AxiosPython:
    return axios_python.create({"base_url": token_server.url, "timeout": 5, **config})


def _counting(value: Any) -> tuple[Callable[[], Any], list[int]]:
    calls: list[int] = []

    def refresh() -> Any:
        calls.append(1)
        return value

    return refresh, calls


# --- one refresh, one retry ----------------------------------------------------------------


def test_401_refreshes_once_and_retries(token_server: Any) -> None:
    """A 401 runs the refresh, the request is retried with the new token and succeeds."""
    refresh, calls = _counting("fresh-token")
    with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        response = api.get("/data")
        assert response.status_code == 200
        assert response.json() == {"token": "Bearer fresh-token"}
        assert api.get("/data").status_code == 200  # the new token is used from now on
    assert len(calls) == 1
    assert (token_server.rejected, token_server.ok) == (1, 2)
    assert token_server.seen == ["Bearer stale", "Bearer fresh-token", "Bearer fresh-token"]


@pytest.mark.anyio
async def test_401_refreshes_once_and_retries_async(token_server: Any) -> None:
    """An async refresh that really awaits, on async calls."""
    calls: list[int] = []

    async def refresh() -> str:
        calls.append(1)
        await asyncio.sleep(0.01)
        return "fresh-token"

    async with _client(token_server) as api:
        plugin = api.plugin(AuthPlugin(token="stale", refresh=refresh))
        response = await api.async_get("/data")
        assert response.json() == {"token": "Bearer fresh-token"}
        assert plugin.refreshes == 1
    assert len(calls) == 1
    assert (token_server.rejected, token_server.ok) == (1, 1)


def test_401_as_http_status_error_is_refreshed(token_server: Any) -> None:
    """With validate_status rejecting 401, the HTTPStatusError triggers the refresh too."""
    refresh, calls = _counting("fresh-token")
    with _client(token_server, validate_status=lambda status: status < 400) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        assert api.get("/data").json() == {"token": "Bearer fresh-token"}
    assert len(calls) == 1


@pytest.mark.anyio
async def test_401_as_http_status_error_is_refreshed_async(token_server: Any) -> None:
    """The HTTPStatusError path on async calls; a second failure is raised as is."""
    refresh, calls = _counting("still-wrong")
    async with _client(token_server, validate_status=lambda status: status < 400) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        with pytest.raises(HTTPStatusError) as info:
            await api.async_get("/data")
    assert info.value.response.status_code == 401
    assert len(calls) == 1
    assert token_server.seen == ["Bearer stale", "Bearer still-wrong"]


def test_only_one_retry(token_server: Any) -> None:
    """If the refreshed token is rejected too, that 401 is returned: no loop."""
    refresh, calls = _counting("still-wrong")
    with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        assert api.get("/data").status_code == 401
    assert len(calls) == 1
    assert token_server.rejected == 2


@pytest.mark.anyio
async def test_refresh_returning_none_with_static_token_keeps_the_401(token_server: Any) -> None:
    """With a static token, None from refresh means "give up": no retry."""
    refresh, calls = _counting(None)
    async with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        response = await api.async_get("/data")
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized"}  # returned unclosed, readable
    assert len(calls) == 1
    assert token_server.rejected == 1


def test_refresh_returning_none_consults_the_provider_again(token_server: Any) -> None:
    """With a provider, None from refresh retries with what the provider now returns."""
    store = {"token": "stale"}

    def refresh() -> None:
        store["token"] = "fresh-token"

    with _client(token_server) as api:
        api.plugin(AuthPlugin(token_provider=lambda: store["token"], refresh=refresh))
        assert api.get("/data").json() == {"token": "Bearer fresh-token"}
    assert token_server.seen == ["Bearer stale", "Bearer fresh-token"]


@pytest.mark.anyio
async def test_refreshed_token_overrides_a_provider_that_still_has_the_rejected_one(
    token_server: Any,
) -> None:
    """A token from refresh is used while the provider returns the rejected token only."""
    store = {"token": "stale"}

    async def refresh() -> str:
        return "fresh-token"

    async with _client(token_server) as api:
        api.plugin(AuthPlugin(token_provider=lambda: store["token"], refresh=refresh))
        assert (await api.async_get("/data")).json() == {"token": "Bearer fresh-token"}
        assert (await api.async_get("/data")).json() == {"token": "Bearer fresh-token"}
        store["token"] = "rotated"  # the provider moved on: it decides again
        token_server.valid = "rotated"
        assert (await api.async_get("/data")).json() == {"token": "Bearer rotated"}
    assert token_server.seen == [
        "Bearer stale",
        "Bearer fresh-token",
        "Bearer fresh-token",
        "Bearer rotated",
    ]


def test_401_for_foreign_credentials_does_not_refresh(token_server: Any) -> None:
    """A request whose Authorization was not ours gets its 401 untouched."""
    refresh, calls = _counting("fresh-token")
    with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        response = api.get("/data", headers={"Authorization": "Bearer mine"})
        assert response.status_code == 401
    assert calls == []


@pytest.mark.anyio
async def test_401_without_credentials_does_not_refresh(token_server: Any) -> None:
    """A request to another origin (no token sent) gets its 401 untouched."""
    refresh, calls = _counting("fresh-token")
    async with axios_python.create({"base_url": "http://127.0.0.1:9", "timeout": 5}) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        response = await api.async_get(token_server.url + "/data")
        assert response.status_code == 401
    assert calls == []
    assert token_server.seen == [None]


def test_streamed_401_is_closed_before_the_retry(token_server: Any) -> None:
    """With stream=True the rejected response is closed; the retried one is the caller's."""
    seen: list[Response] = []

    class Spy(axios_python.Plugin):
        def on_response(self, response: Response) -> None:
            seen.append(response)

    refresh, _ = _counting("fresh-token")
    with _client(token_server) as api:
        api.plugin(Spy())
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        with api.get("/data", stream=True) as response:
            assert response.status_code == 200
            assert seen[0].status_code == 401
            assert seen[0].is_closed
            assert b"fresh-token" in response.read()


def test_each_plugin_refreshes_only_its_own_token(server: Any) -> None:
    """With two plugins on one client, a 401 to one token refreshes that plugin only."""
    own, own_calls = _counting("own-fresh")
    other, other_calls = _counting("other-fresh")
    with axios_python.create({"base_url": server.url, "timeout": 5}) as api:
        api.plugin(AuthPlugin(token="own", refresh=own))
        api.plugin(AuthPlugin(token="other", refresh=other, allowed_hosts=["other.invalid"]))
        assert api.get("/status/401").status_code == 401  # carried "own": refreshed once
    assert (len(own_calls), len(other_calls)) == (1, 0)


# --- refresh failures ----------------------------------------------------------------------


def test_refresh_raising_is_a_plugin_error(token_server: Any) -> None:
    """A failing refresh surfaces as PluginError(hook="refresh") with __cause__."""

    def refresh() -> str:
        raise ConnectionError("auth server down: refresh_token=abc")

    with _client(token_server) as api:
        plugin = api.plugin(AuthPlugin(token="stale", refresh=refresh))
        with pytest.raises(PluginError, match="refresh failed with ConnectionError") as info:
            api.get("/data")
    assert info.value.hook == "refresh"
    assert info.value.plugin == plugin.name
    assert isinstance(info.value.__cause__, ConnectionError)
    assert "abc" not in str(info.value)


@pytest.mark.anyio
async def test_refresh_returning_a_bad_token_is_a_plugin_error_async(token_server: Any) -> None:
    """A refresh that returns a non-token fails clearly, without retrying."""

    async def refresh() -> Any:
        return 12345

    async with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        with pytest.raises(PluginError, match="returned a int, not a str"):
            await api.async_get("/data")
    assert token_server.rejected == 1


def test_async_refresh_that_suspends_on_a_sync_call_is_a_clear_error(token_server: Any) -> None:
    """An async refresh doing real I/O cannot run on a sync call: PluginError says so."""

    async def refresh() -> str:
        await asyncio.sleep(0.01)
        return "fresh-token"

    with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        with pytest.raises(PluginError, match="refresh callable awaited asyncio I/O"):
            api.get("/data")


def test_async_refresh_without_io_works_on_a_sync_call(token_server: Any) -> None:
    """An async refresh that does not suspend completes on the sync path."""

    async def refresh() -> str:
        return "fresh-token"

    with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        assert api.get("/data").status_code == 200


# --- concurrency ---------------------------------------------------------------------------


def test_20_threads_share_one_refresh(token_server: Any) -> None:
    """20 concurrent sync requests all get 401: exactly one refresh, 20 successful retries."""
    token_server.hold(20)
    calls: list[int] = []
    lock = threading.Lock()

    def refresh() -> str:
        with lock:
            calls.append(1)
        threading.Event().wait(0.05)  # a slow auth server: the others must wait, not refresh
        return "fresh-token"

    with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(lambda _: api.get("/data").status_code, range(20)))
    assert statuses == [200] * 20
    assert len(calls) == 1
    assert (token_server.rejected, token_server.ok) == (20, 20)


@pytest.mark.anyio
async def test_20_tasks_share_one_refresh(token_server: Any) -> None:
    """20 concurrent async requests all get 401: exactly one (async) refresh."""
    token_server.hold(20)
    calls: list[int] = []

    async def refresh() -> str:
        calls.append(1)
        await asyncio.sleep(0.05)
        return "fresh-token"

    async with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        responses = await asyncio.gather(*(api.async_get("/data") for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert len(calls) == 1
    assert (token_server.rejected, token_server.ok) == (20, 20)


def test_a_failed_shared_refresh_fails_every_waiter_once(token_server: Any) -> None:
    """20 threads share one failing refresh: all raise PluginError, the refresh ran once."""
    token_server.hold(20)
    calls: list[int] = []

    def refresh() -> str:
        calls.append(1)
        threading.Event().wait(0.05)
        raise ConnectionError("auth server down")

    def fetch(_: int) -> str:
        try:
            api.get("/data")
        except PluginError as exc:
            return f"{exc.hook}: {type(exc.__cause__).__name__}"
        return "no error"

    with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        with ThreadPoolExecutor(max_workers=20) as pool:
            hooks = list(pool.map(fetch, range(20)))
    assert hooks == ["refresh: ConnectionError"] * 20
    assert len(calls) == 1
    assert token_server.ok == 0


@pytest.mark.anyio
async def test_sync_thread_waits_for_an_async_refresh(token_server: Any) -> None:
    """A sync call in a thread shares the refresh an async task is running."""
    release = asyncio.Event()
    started = asyncio.Event()
    calls: list[int] = []

    async def refresh() -> str:
        calls.append(1)
        started.set()
        await release.wait()
        return "fresh-token"

    async with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        task = asyncio.ensure_future(api.async_get("/data"))
        await started.wait()  # the task leads the refresh
        thread_result: list[int] = []
        thread = threading.Thread(target=lambda: thread_result.append(api.get("/data").status))
        thread.start()
        while token_server.rejected < 2:  # the thread got its 401 with the stale token
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.02)  # let the thread reach the wait
        release.set()
        assert (await task).status_code == 200
        await asyncio.to_thread(thread.join)
        api.close()
    assert thread_result == [200]
    assert len(calls) == 1


# --- sync calls made inside a running event loop -------------------------------------------


@pytest.mark.anyio
async def test_sync_call_inside_a_running_loop_refreshes(token_server: Any) -> None:
    """A sync call from async code uses the sync path (blocking refresh), not the loop."""
    refresh, calls = _counting("fresh-token")
    with _client(token_server) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        assert api.get("/data").json() == {"token": "Bearer fresh-token"}
    assert len(calls) == 1


@pytest.mark.anyio
async def test_sync_call_cannot_wait_for_a_refresh_running_on_its_own_loop() -> None:
    """Waiting would block the loop that runs the refresh forever: PluginError instead."""
    release = asyncio.Event()
    started = asyncio.Event()

    def handler(request: Any) -> Response:
        ok = request.headers.get("authorization") == "Bearer fresh-token"
        return Response(200 if ok else 401)

    async def refresh() -> str:
        started.set()
        await release.wait()
        return "fresh-token"

    api = axios_python.AxiosPython(
        {"base_url": "https://api.test"}, transport=MockTransport(handler)
    )
    api.plugin(AuthPlugin(token="stale", refresh=refresh))
    leader = asyncio.ensure_future(api.async_get("/a"))
    await started.wait()
    with pytest.raises(PluginError, match="inside the event loop that is refreshing"):
        api.get("/b")
    release.set()
    assert (await leader).status_code == 200
    assert api.get("/c").status_code == 200  # afterwards the new token just works


@pytest.mark.anyio
async def test_cancelled_leader_hands_the_refresh_to_a_waiter() -> None:
    """If the task running the refresh is cancelled, a waiting request refreshes instead."""
    calls: list[int] = []
    first_started = asyncio.Event()

    def handler(request: Any) -> Response:
        ok = request.headers.get("authorization") == "Bearer fresh-token"
        return Response(200 if ok else 401)

    async def refresh() -> str:
        calls.append(1)
        if len(calls) == 1:
            first_started.set()
            await asyncio.sleep(10)
        return "fresh-token"

    api = axios_python.AxiosPython(
        {"base_url": "https://api.test"}, transport=MockTransport(handler)
    )
    api.plugin(AuthPlugin(token="stale", refresh=refresh))
    leader = asyncio.ensure_future(api.async_get("/a"))
    await first_started.wait()
    waiter = asyncio.ensure_future(api.async_get("/b"))
    await asyncio.sleep(0.01)
    leader.cancel()
    assert (await waiter).status_code == 200
    with pytest.raises(asyncio.CancelledError):
        await leader
    assert len(calls) == 2


def test_unplugged_plugin_leaves_401_alone() -> None:
    """After unplug(), the middleware that stays behind is inert."""
    refresh, calls = _counting("fresh-token")
    api = axios_python.AxiosPython(
        {"base_url": "https://api.test"}, transport=MockTransport(lambda request: Response(401))
    )
    plugin = api.plugin(AuthPlugin(token="stale", refresh=refresh))
    api.unplug(plugin)
    assert api.get("/a").status_code == 401
    assert calls == []


@pytest.mark.anyio
async def test_sync_leader_with_a_suspending_refresh_inside_a_loop_is_abandoned() -> None:
    """A sync call inside async code cannot run a suspending refresh: it fails, and the
    refresh is left for the next request instead of blocking everyone."""
    calls: list[int] = []

    def handler(request: Any) -> Response:
        ok = request.headers.get("authorization") == "Bearer fresh-token"
        return Response(200 if ok else 401)

    async def refresh() -> str:
        calls.append(1)
        await asyncio.sleep(0.001)
        return "fresh-token"

    api = axios_python.AxiosPython(
        {"base_url": "https://api.test"}, transport=MockTransport(handler)
    )
    api.plugin(AuthPlugin(token="stale", refresh=refresh))
    with pytest.raises(axios_python.AxiosPythonError, match="during a sync call"):
        api.get("/a")
    assert (await api.async_get("/b")).status_code == 200
    assert len(calls) == 2


# --- redirects -----------------------------------------------------------------------------


def test_401_after_a_cross_origin_redirect_does_not_refresh(server: Any, other_server: Any) -> None:
    """The other origin never saw our token, so its 401 is not a reason to refresh."""
    refresh, calls = _counting("fresh-token")
    with axios_python.create({"base_url": server.url, "timeout": 5}) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        response = api.get("/redirect-to", params={"url": other_server.url + "/status/401"})
        assert response.status_code == 401
    assert calls == []


@pytest.mark.anyio
async def test_401_after_a_same_origin_redirect_refreshes(server: Any) -> None:
    """A same-origin redirect keeps the token, so its 401 is ours: refresh and retry once."""
    refresh, calls = _counting("fresh-token")
    async with axios_python.create({"base_url": server.url, "timeout": 5}) as api:
        api.plugin(AuthPlugin(token="stale", refresh=refresh))
        response = await api.async_get("/redirect-to", params={"url": "/status/401"})
        assert response.status_code == 401  # /status/401 rejects every token
    assert len(calls) == 1
