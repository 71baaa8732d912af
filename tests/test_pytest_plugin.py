"""The pytest plugin (`axios_python.testing`, entry point pytest11): the `axios_mock` fixture."""

from __future__ import annotations

import re

import httpx
import pytest

import axios_python
from axios_python import BaseTransport, _api
from axios_python._transports.default import HttpxTransport
from axios_python.testing import MockRouter, UnmatchedRequest

pytest_plugins = ["pytester"]

BASE = "http://127.0.0.1:9"  # never contacted: every request below is answered by a router


# --- through pytester: the plugin as users get it --------------------------------------


def test_fixture_mocks_module_helpers_and_clients(pytester: pytest.Pytester) -> None:
    """Loaded by entry point; helpers, create() and import-time clients use the router; restored after."""
    pytester.makepyfile(
        f"""
        import axios_python
        import pytest

        from axios_python._pipeline import AsyncIO, SyncIO

        made_at_import = axios_python.create({{"base_url": "{BASE}"}})
        ORIGINAL = SyncIO.send, AsyncIO.send
        state = {{}}

        def test_loaded_through_the_entry_point(request):
            plugin = request.config.pluginmanager.get_plugin("axios_python")
            assert plugin is not None
            assert plugin.__name__ == "axios_python.testing"

        def fetch_name(user_id):
            return axios_python.get(f"{BASE}/users/{{user_id}}").data["name"]

        def test_helpers(axios_mock):
            state["mock_default"] = axios_python.default_client()
            assert SyncIO.send is not ORIGINAL[0]
            route = axios_mock.get("/users/1", json={{"name": "Ada"}})
            assert fetch_name(1) == "Ada"
            assert route.call_count == 1
            assert route.last_request.url == "{BASE}/users/1"

        def test_create_and_import_time_clients(axios_mock):
            axios_mock.post("{BASE}/items", status=201, json={{"id": 7}})
            response = made_at_import.post("/items", json={{"name": "x"}})
            assert (response.status_code, response.data) == (201, {{"id": 7}})
            with axios_python.create({{"base_url": "{BASE}"}}) as api:
                assert api.post("/items").data == {{"id": 7}}
            axios_mock.assert_all_called()

        def test_client_factory(axios_mock):
            axios_mock.any("/ping", data="pong")
            api = axios_mock.client({{"base_url": "{BASE}", "headers": {{"X-A": "1"}}}})
            assert api.delete("/ping").data == "pong"
            assert axios_mock.calls[0].headers["X-A"] == "1"

        @pytest.mark.anyio
        async def test_async(axios_mock):
            axios_mock.get("/a", json=[1, 2])
            response = await axios_python.async_get("{BASE}/a")
            assert response.data == [1, 2]

        def test_restored_afterwards():
            assert (SyncIO.send, AsyncIO.send) == ORIGINAL
            assert axios_python.default_client() is not state["mock_default"]
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_fixture_answers_every_transport_and_applies_activation(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """axios_mock answers clients on transport="aiohttp" (and any non-mock transport), and
    axios_mock.client() gets the AXIOS_PYTHON_PLUGINS plugins as create() does."""
    pytest.importorskip("axios_python_aiohttp")
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "hello")
    pytester.makepyfile(
        f"""
        import asyncio

        import pytest

        import axios_python

        @pytest.mark.parametrize("mode", ["sync", "async"])
        def test_aiohttp_client(axios_mock, mode):
            route = axios_mock.get("/users/1", json={{"name": "Ada"}})
            api = axios_python.create({{"base_url": "{BASE}", "transport": "aiohttp"}})
            if mode == "sync":
                response = api.get("/users/1")
            else:
                response = asyncio.run(api.async_get("/users/1"))
            assert response.data == {{"name": "Ada"}}
            assert route.last_request.headers["X-Greeting"] == "hello"
            api.close()

        def test_own_mock_transport_is_kept(axios_mock):
            mine = axios_python.MockTransport(lambda request: axios_python.Response(204))
            api = axios_python.create({{"base_url": "{BASE}", "transport": mine}})
            assert api.get("/x").status_code == 204
            assert axios_mock.calls == []

        def test_client_applies_activation(axios_mock):
            axios_mock.get("/h", json={{}})
            api = axios_mock.client({{"base_url": "{BASE}"}})
            assert [type(p).__name__ for p in api.plugins] == ["HelloPlugin"]
            api.get("/h")
            assert axios_mock.calls[0].headers["X-Greeting"] == "hello"
            assert axios_mock.client({{"autoload": False}}).plugins == []
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_plugin_contract_in_a_few_lines_and_it_can_fail(pytester: pytest.Pytester) -> None:
    """A third-party author's contract file: a good plugin passes; one that leaks middleware
    on unplug, or breaks the hook contract, fails the matching tests."""
    pytester.makepyfile(
        """
        import axios_python
        from axios_python.testing import PluginContract

        class Good(axios_python.Plugin):
            def on_request(self, config):
                config["headers"]["X-Good"] = "1"

        class Leaky(axios_python.Plugin):
            def on_request(self, config):
                self.client.use(lambda ctx, next_fn: next_fn(ctx))  # outside on_register

            def on_register(self, client):
                self.client = client

        class Replacing(axios_python.Plugin):
            def on_request(self, config):
                return dict(config)

        class TestGood(PluginContract):
            def make_plugin(self):
                return Good()

        class TestByName(PluginContract):
            entry_point = "hello"
            options = {"greeting": "hej"}

        class TestLeaky(PluginContract):
            def make_plugin(self):
                return Leaky()

        class TestReplacing(PluginContract):
            def make_plugin(self):
                return Replacing()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-q", "-p", "no:randomly")
    outcomes = result.parseoutcomes()
    lines = "\n".join(result.stdout.lines)
    assert "FAILED test_plugin_contract_in_a_few_lines_and_it_can_fail.py::TestGood" not in lines
    assert "FAILED test_plugin_contract_in_a_few_lines_and_it_can_fail.py::TestByName" not in lines
    assert "TestLeaky::test_unplug_and_replug" in lines
    assert "TestReplacing::test_calls" in lines
    assert outcomes["passed"] >= 2 * 6 * 2  # Good and ByName pass everything
    assert outcomes["failed"] > 0


def test_unmatched_and_uncalled_routes_fail_the_test(pytester: pytest.Pytester) -> None:
    """An unmatched request and assert_all_called() fail with messages naming the routes."""
    pytester.makepyfile(
        f"""
        import axios_python

        def test_unmatched(axios_mock):
            axios_mock.get("/known")
            axios_python.get("{BASE}/unknown")

        def test_uncalled(axios_mock):
            axios_mock.get("/a")
            axios_mock.post("/b")
            axios_python.get("{BASE}/a")
            axios_mock.assert_all_called()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*UnmatchedRequest: no route matches GET http://127.0.0.1:9/unknown; routes:",
            "*AssertionError: 1 route(s) never called: <Route POST /b>",
        ]
    )


# --- the fixture in this run ---------------------------------------------------------


def test_fixture_restores_the_default_client() -> None:
    """Outside axios_mock the module-level default client is untouched and sends for real."""
    assert HttpxTransport.send is BaseTransport.send  # the core's exchange, not patched
    assert HttpxTransport.handle_request.__module__ == "axios_python._transports.default"
    assert _api._default is None or isinstance(_api._default.transport, HttpxTransport)


def test_fixture_in_this_session(axios_mock: MockRouter) -> None:
    """The fixture works in this project's own tests too."""
    axios_mock.get(f"{BASE}/x", json={"ok": True})
    assert axios_python.get(f"{BASE}/x").data == {"ok": True}


# --- MockRouter, unit --------------------------------------------------------------------


@pytest.fixture
def router() -> MockRouter:
    return MockRouter()


@pytest.fixture
def api(router: MockRouter) -> axios_python.AxiosPython:
    return router.client({"base_url": BASE})


@pytest.mark.parametrize(
    ("pattern", "url", "matched"),
    [
        ("/users/1", f"{BASE}/users/1", True),
        ("/users/1", "http://other.invalid/users/1", True),
        ("/users/1", f"{BASE}/users/12", False),
        (f"{BASE}/users/1", f"{BASE}/users/1", True),
        (f"{BASE}/users/1", "http://127.0.0.1:10/users/1", False),
        (f"{BASE}/users/1", "https://127.0.0.1:9/users/1", False),
        ("/users/*", f"{BASE}/users/1/posts", True),
        ("/users/*/posts", f"{BASE}/users/1/comments", False),
        ("/search?q=a", f"{BASE}/search?q=a&page=2", True),
        ("/search?q=a", f"{BASE}/search?q=b", False),
        ("/search?q=a", f"{BASE}/search", False),
        (re.compile(r"/v\d+/items$"), f"{BASE}/v2/items", True),
        (re.compile(r"/v\d+/items$"), f"{BASE}/vx/items", False),
    ],
)
def test_url_patterns(pattern: str | re.Pattern[str], url: str, matched: bool) -> None:
    """Paths, full URLs, query subsets, * globs and regexes match as documented."""
    route = MockRouter().get(pattern)
    assert route.matches(httpx.Request("GET", url)) is matched


def test_method_matching(router: MockRouter, api: axios_python.AxiosPython) -> None:
    """A method route ignores other methods; any() matches them all."""
    router.any("/r", data="any")
    router.get("/r", data="get")
    assert api.get("/r").data == "get"
    assert api.put("/r").data == "any"


def test_latest_route_wins(router: MockRouter, api: axios_python.AxiosPython) -> None:
    """A route added later overrides an earlier one that also matches."""
    broad = router.get("/items/*", status=404)
    specific = router.get("/items/1", json={"id": 1})
    assert api.get("/items/1").data == {"id": 1}
    assert api.get("/items/2").status_code == 404
    assert (broad.call_count, specific.call_count) == (1, 1)


def test_handler_results(router: MockRouter, api: axios_python.AxiosPython) -> None:
    """A handler may return a Response, an httpx.Response, a status, text or JSON data."""
    router.get("/resp", handler=lambda request: axios_python.Response(202, data=b"x"))
    router.get("/httpx", handler=lambda request: httpx.Response(203, text="h"))
    router.get("/status", handler=lambda request: 418)
    router.get("/text", handler=lambda request: "plain")
    router.get("/json", handler=lambda request: {"path": request.url.path})
    assert (api.get("/resp").status_code, api.get("/resp").content) == (202, b"x")
    assert (api.get("/httpx").status_code, api.get("/httpx").text) == (203, "h")
    assert api.get("/status").status_code == 418
    assert api.get("/text").data == "plain"
    assert api.get("/json").data == {"path": "/json"}


def test_sequence_of_responses(router: MockRouter, api: axios_python.AxiosPython) -> None:
    """A list of responses answers in order, then repeats the last."""
    router.get(
        "/seq",
        response=[axios_python.Response(503), axios_python.Response(200, data={"n": 2})],
    )
    assert [api.get("/seq").status_code for _ in range(3)] == [503, 200, 200]
    assert api.get("/seq").data == {"n": 2}


def test_raises_becomes_an_axios_error(router: MockRouter, api: axios_python.AxiosPython) -> None:
    """raises= simulates transport failures, mapped to axios_python errors."""
    router.get("/down", raises=httpx.ConnectError("refused"))
    router.get("/slow", raises=httpx.ReadTimeout("slow"))
    with pytest.raises(axios_python.NetworkError):
        api.get("/down")
    with pytest.raises(axios_python.TimeoutError):
        api.get("/slow")


def test_retries_against_the_router(router: MockRouter) -> None:
    """The client's pipeline (retries here) runs on top of the router."""
    route = router.get(
        "/flaky", response=[axios_python.Response(503), axios_python.Response(200, data="ok")]
    )
    api = router.client(
        {
            "base_url": BASE,
            "max_retries": 2,
            "retry_strategy": axios_python.FixedBackoff(0, retry_on_status=[503]),
        }
    )
    assert api.get("/flaky").data == "ok"
    assert route.call_count == 2


@pytest.mark.anyio
async def test_async_handler(router: MockRouter, api: axios_python.AxiosPython) -> None:
    """An async handler answers async calls; its result is converted like a sync one."""

    async def handler(request: axios_python.Request) -> dict[str, str]:
        return {"method": request.method}

    router.post("/a", handler=handler)
    response = await api.async_post("/a")
    assert response.data == {"method": "POST"}


def test_unmatched_request(router: MockRouter, api: axios_python.AxiosPython) -> None:
    """An unmatched request raises UnmatchedRequest listing the routes."""
    router.get("/known")
    with pytest.raises(
        UnmatchedRequest, match=r"no route matches GET .*/nope; routes:\n  <Route GET /known>"
    ):
        api.get("/nope")


def test_assert_all_called_and_reset(router: MockRouter, api: axios_python.AxiosPython) -> None:
    """assert_all_called() names uncalled routes; reset() clears the recorded calls."""
    first = router.get("/1")
    router.get("/2")
    api.get("/1")
    with pytest.raises(AssertionError, match=r"1 route\(s\) never called: <Route GET /2>"):
        router.assert_all_called()
    assert first.called
    router.reset()
    assert (first.call_count, router.calls) == (0, [])


def test_route_rejects_two_answers() -> None:
    """A route takes one kind of answer."""
    with pytest.raises(TypeError, match="only one of"):
        MockRouter().get("/x", json={}, handler=lambda request: 200)
