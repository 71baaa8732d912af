"""The plugin system: hooks, per-client managers, entry points, safety."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import Plugin, Response, hookimpl
from axios_python._discovery import PluginLoadWarning, discover, load_plugin

ROOT = Path(__file__).resolve().parents[1]


def counting_transport() -> tuple[axios_python.MockTransport, list[str]]:
    seen: list[str] = []

    def handler(request: axios_python.Request) -> Response:
        seen.append(str(request.url))
        return Response(200, data={"headers": dict(request.headers)})

    return axios_python.MockTransport(handler), seen


class Greeter(Plugin):
    def on_request(self, config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Greeting"] = "hi"
        return config


def test_only_overridden_hooks_are_registered() -> None:
    """A Plugin subclass implements exactly the hooks it overrides."""
    api = axios_python.AxiosPython(transport=counting_transport()[0])
    api.plugin(Greeter())
    assert api._plugin_manager is not None
    assert api._plugin_manager.active == frozenset({"on_request"})


def test_on_request_reaches_the_server_sync(api: axios_python.AxiosPython) -> None:
    """A header set in on_request is sent over a real socket."""
    api.plugin(Greeter())
    assert api.get("/headers").data["headers"]["X-Greeting"] == "hi"


@pytest.mark.anyio
async def test_on_request_reaches_the_server_async(aapi: axios_python.AxiosPython) -> None:
    """The same hook runs on async calls."""
    aapi.plugin(Greeter())
    response = await aapi.async_get("/headers")
    assert response.data["headers"]["X-Greeting"] == "hi"


class Observer(Plugin):
    def on_response(self, response: Response, config: dict[str, Any]) -> None:
        response.headers["X-Seen"] = "1"


def test_hookcall_monitoring_sees_every_hook_call(api: axios_python.AxiosPython) -> None:
    """pluggy's add_hookcall_monitoring sees the pipeline's hook calls; undo stops it."""
    api.plugin(Greeter())
    api.plugin(Observer())
    pm = api._plugin_manager
    assert pm is not None
    seen: list[tuple[str, list[str]]] = []
    undo = pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: seen.append((name, [i.plugin_name for i in impls])),
        lambda outcome, name, impls, kwargs: None,
    )
    response = api.get("/headers")
    assert response.data["headers"]["X-Greeting"] == "hi"
    assert response.headers["X-Seen"] == "1"
    assert ("on_request", ["Greeter"]) in seen
    assert ("on_response", ["Observer"]) in seen
    undo()
    seen.clear()
    assert api.get("/headers").data["headers"]["X-Greeting"] == "hi"
    assert seen == []


@pytest.mark.anyio
async def test_enable_tracing_sees_async_hook_calls(aapi: axios_python.AxiosPython) -> None:
    """pluggy's enable_tracing() (monitoring underneath) traces async calls' hooks too."""
    aapi.plugin(Greeter())
    pm = aapi._plugin_manager
    assert pm is not None
    lines: list[str] = []
    pm.trace.root.setwriter(lines.append)
    undo = pm.enable_tracing()
    try:
        await aapi.async_get("/headers")
    finally:
        undo()
    assert any("on_request" in line for line in lines)


@pytest.mark.parametrize("returned", [{"timeout": 3}, "config", 42])
def test_on_request_returning_anything_but_none_or_config_names_the_plugin(
    returned: Any, mode: str
) -> None:
    """One return convention: mutate in place, return None (or the config); anything else is a
    PluginError naming the plugin and the rule, never a bare KeyError from a replaced config."""
    transport, seen = counting_transport()

    class Replace(Plugin):
        name = "replacer"

        def on_request(self, config: dict[str, Any]) -> Any:
            return returned

    class Fine(Plugin):
        def on_request(self, config: dict[str, Any]) -> Any:
            config["headers"]["X-Fine"] = "1"
            return config

    api = axios_python.AxiosPython({"base_url": "http://example.test"}, transport=transport)
    api.plugin(Fine())
    assert api.get("/ok").status_code == 200  # returning the config itself is fine
    api.plugin(Replace())
    call = (lambda: api.get("/x")) if mode == "sync" else (lambda: asyncio.run(api.async_get("/x")))
    with pytest.raises(
        axios_python.PluginError, match=r"'replacer'.*mutate the config in place"
    ) as info:
        call()
    assert info.value.hook == "on_request"
    assert seen == ["http://example.test/ok"]


def test_async_on_request_return_value_is_checked_too() -> None:
    """An async on_request that returns a mapping is named as well, once awaited."""

    class AsyncReplace(Plugin):
        name = "async-replacer"

        async def on_request(self, config: dict[str, Any]) -> Any:
            return {"url": "/elsewhere"}

    api = axios_python.AxiosPython(
        {"base_url": "http://example.test"}, transport=counting_transport()[0]
    )
    api.plugin(AsyncReplace())
    with pytest.raises(axios_python.PluginError, match="async-replacer"):
        asyncio.run(api.async_get("/x"))


def test_on_transport_answers_without_the_network() -> None:
    """A firstresult on_transport skips the transport, and on_response still sees it."""
    transport, seen = counting_transport()
    responses: list[Response] = []

    class Canned(Plugin):
        def on_transport(self, request: Any, config: dict[str, Any]) -> Response:
            return Response(200, data={"canned": True}, request=request)

        def on_response(self, response: Response) -> None:
            responses.append(response)

    api = axios_python.AxiosPython({"base_url": "http://example.test"}, transport=transport)
    api.plugin(Canned())
    assert api.get("/x").data == {"canned": True}
    assert asyncio.run(api.async_get("/x")).data == {"canned": True}
    assert seen == []
    assert len(responses) == 2


def test_an_awaitable_none_from_on_transport_asks_the_next_plugin() -> None:
    """firstresult counts an awaitable's value: one that gives None lets the next
    implementation answer (a cache's async lookup that misses does not hide other plugins)."""
    transport, seen = counting_transport()
    asked: list[str] = []

    class Canned(Plugin):
        name = "canned"

        def on_transport(self, request: Any) -> Response:
            asked.append("canned")
            return Response(200, data={"canned": True}, request=request)

    class AsyncMiss(Plugin):
        name = "async-miss"

        async def on_transport(self, request: Any) -> None:
            asked.append("miss")

    api = axios_python.AxiosPython({"base_url": "http://example.test"}, transport=transport)
    api.plugin(Canned())
    api.plugin(AsyncMiss())  # registered last: asked first
    assert api.get("/x").data == {"canned": True}
    assert asyncio.run(api.async_get("/x")).data == {"canned": True}
    assert (asked, seen) == (["miss", "canned"] * 2, [])


def test_on_response_may_replace_the_response() -> None:
    """A different Response returned from on_response replaces the original."""

    class Swap(Plugin):
        def on_response(self, response: Response) -> Response:
            return Response(299, data="swapped", request=response.request)

    api = axios_python.AxiosPython(
        {"base_url": "http://example.test"}, transport=counting_transport()[0]
    )
    api.plugin(Swap())
    response = api.get("/x")
    assert (response.status_code, response.data) == (299, "swapped")


def test_on_error_observes_failures(base_url: str) -> None:
    """on_error receives the typed error of a failed attempt; the error still propagates."""
    errors: list[BaseException] = []

    class Watch(Plugin):
        def on_error(self, error: axios_python.AxiosPythonError) -> None:
            errors.append(error)

    with axios_python.create({"base_url": base_url, "validate_status": lambda s: s < 400}) as api:
        api.plugin(Watch())
        with pytest.raises(axios_python.HTTPStatusError):
            api.get("/status/500")
    assert len(errors) == 1
    assert isinstance(errors[0], axios_python.HTTPStatusError)


def test_pluggy_style_plugins_and_ordering() -> None:
    """@hookimpl objects work, most recent first, and tryfirst pins an implementation first."""
    order: list[str] = []

    class First:
        @hookimpl(tryfirst=True)
        def on_request(self, config: dict[str, Any]) -> None:
            order.append("first")

    class Plain:
        def __init__(self, label: str) -> None:
            self.name = label

        @hookimpl
        def on_request(self, config: dict[str, Any]) -> None:
            order.append(self.name)

    api = axios_python.AxiosPython(
        {"base_url": "http://example.test"}, transport=counting_transport()[0]
    )
    api.plugin(First())
    api.plugin(Plain("a"))
    api.plugin(Plain("b"))
    api.get("/x")
    assert order == ["first", "b", "a"]


def test_async_hooks_are_awaited_on_both_paths() -> None:
    """An async hook is awaited on async calls and driven on sync calls when it doesn't suspend."""

    class AsyncGreeter(Plugin):
        async def on_request(self, config: dict[str, Any]) -> None:
            await asyncio.sleep(0)
            config["headers"]["X-Async"] = "yes"

    api = axios_python.AxiosPython(
        {"base_url": "http://example.test"}, transport=counting_transport()[0]
    )
    api.plugin(AsyncGreeter())
    assert api.get("/x").data["headers"]["x-async"] == "yes"
    assert asyncio.run(api.async_get("/x")).data["headers"]["x-async"] == "yes"


def test_async_hook_suspending_on_a_sync_call_names_the_plugin() -> None:
    """A hook that awaits real asyncio I/O on a sync call raises PluginError naming it."""

    class Sleepy(Plugin):
        name = "sleepy"

        async def on_request(self, config: dict[str, Any]) -> None:
            await asyncio.sleep(0.01)

    api = axios_python.AxiosPython(
        {"base_url": "http://example.test"}, transport=counting_transport()[0]
    )
    api.plugin(Sleepy())
    with pytest.raises(axios_python.PluginError, match="sleepy"):
        api.get("/x")
    assert asyncio.run(api.async_get("/x")).status_code == 200


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_raising_plugin_surfaces_as_plugin_error(mode: str) -> None:
    """An exception in a hook becomes PluginError naming plugin and hook, with __cause__."""

    class Broken(Plugin):
        name = "broken"

        def on_response(self, response: Response) -> None:
            raise KeyError("boom")

    api = axios_python.AxiosPython(
        {"base_url": "http://example.test"}, transport=counting_transport()[0]
    )
    api.plugin(Broken())
    call = (lambda: api.get("/x")) if mode == "sync" else (lambda: asyncio.run(api.async_get("/x")))
    with pytest.raises(axios_python.PluginError) as info:
        call()
    assert (info.value.plugin, info.value.hook) == ("broken", "on_response")
    assert isinstance(info.value.__cause__, KeyError)
    assert info.value.code == "ERR_PLUGIN"


def test_plugin_errors_are_not_retried() -> None:
    """A plugin bug is not a network failure: no retries."""
    transport, seen = counting_transport()

    class Broken(Plugin):
        def on_response(self, response: Response) -> None:
            raise ValueError("bug")

    api = axios_python.AxiosPython(
        {
            "base_url": "http://example.test",
            "max_retries": 3,
            "retry_strategy": axios_python.FixedBackoff(0),
        },
        transport=transport,
    )
    api.plugin(Broken())
    with pytest.raises(axios_python.PluginError):
        api.get("/x")
    assert len(seen) == 1


def test_registering_twice_is_an_error() -> None:
    """The same plugin, or another with the same name, cannot be applied twice."""
    api = axios_python.AxiosPython(transport=counting_transport()[0])
    plugin = Greeter()
    api.plugin(plugin)
    with pytest.raises(axios_python.ConfigError, match="already registered"):
        api.plugin(plugin)
    with pytest.raises(axios_python.ConfigError, match="already registered"):
        api.plugin(Greeter())
    api.unplug(plugin)
    api.plugin(Greeter())


def test_plugins_are_isolated_per_client(base_url: str) -> None:
    """A plugin on one client does not touch another client or the module-level helpers."""
    with (
        axios_python.create({"base_url": base_url}) as one,
        axios_python.create({"base_url": base_url}) as two,
    ):
        one.plugin(Greeter())
        assert one.get("/headers").data["headers"].get("X-Greeting") == "hi"
        assert "X-Greeting" not in two.get("/headers").data["headers"]
        assert "X-Greeting" not in axios_python.get(f"{base_url}/headers").data["headers"]
        assert two.plugins == []


def test_on_register_may_add_middleware() -> None:
    """on_register(client) runs once per client and may install middleware."""
    calls: list[str] = []

    class WithMiddleware(Plugin):
        def on_register(self, client: axios_python.AxiosPython) -> None:
            calls.append("registered")

            async def mw(ctx: dict[str, Any], next_fn: Any) -> Any:
                calls.append("middleware")
                return await next_fn(ctx)

            client.use(mw)

    api = axios_python.AxiosPython(
        {"base_url": "http://example.test"}, transport=counting_transport()[0]
    )
    api.plugin(Greeter())  # the manager exists before the second plugin arrives
    api.plugin(WithMiddleware())
    api.get("/x")
    assert calls == ["registered", "middleware"]


def test_on_register_failure_leaves_the_plugin_unregistered() -> None:
    """A plugin whose on_register raises is reported and not registered."""

    class Bad(Plugin):
        name = "bad"

        def on_register(self, client: axios_python.AxiosPython) -> None:
            raise RuntimeError("nope")

    api = axios_python.AxiosPython(transport=counting_transport()[0])
    with pytest.raises(axios_python.PluginError, match="bad") as info:
        api.plugin(Bad())
    assert info.value.hook == "on_register"
    assert api.plugins == []


# --- entry points ------------------------------------------------------------------------


def test_example_distribution_is_discovered() -> None:
    """The plugin guide's example is installed, found by entry point, with its version and hooks."""
    found = {info.name: info for info in discover()}
    hello = found["hello"]
    assert (hello.distribution, hello.version, hello.error) == ("axios-python-hello", "0.1.0", None)
    assert hello.hooks == ("on_request", "on_response")


def test_activation_by_name_with_options(server: LocalServer) -> None:
    """api.plugin("hello", greeting=...) instantiates the installed plugin and it works."""
    with axios_python.create({"base_url": server.url}) as api:
        api.plugin("hello", greeting="bonjour")
        response = api.get("/headers")
    assert response.data["headers"]["X-Greeting"] == "bonjour"
    assert response.greeted is True  # type: ignore[attr-defined]


def test_activation_through_the_plugins_config_key(server: LocalServer) -> None:
    """The plugins key accepts names and (name, options) pairs."""
    with axios_python.create(
        {"base_url": server.url, "plugins": [("hello", {"greeting": "hej"})]}
    ) as api:
        assert api.get("/headers").data["headers"]["X-Greeting"] == "hej"
    with axios_python.create({"base_url": server.url, "plugins": ["hello"]}) as api:
        assert api.get("/headers").data["headers"]["X-Greeting"] == "hello"


def test_unknown_plugin_name_lists_the_installed_ones() -> None:
    """Asking for a plugin that is not installed is a ConfigError naming what is."""
    with pytest.raises(axios_python.ConfigError, match="hello"):
        axios_python.AxiosPython().plugin("nope")


def test_bad_options_name_the_plugin() -> None:
    """Options the plugin rejects give a ConfigError naming it."""
    with pytest.raises(axios_python.ConfigError, match="'hello' rejected its options"):
        load_plugin("hello", colour="blue")


@pytest.fixture
def broken_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A distribution whose entry point cannot be imported, visible to importlib.metadata."""
    info = tmp_path / "axios_python_broken-9.9.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: axios-python-broken\nVersion: 9.9\n"
    )
    (info / "entry_points.txt").write_text(
        "[axios_python.plugins]\nbroken = axios_python_missing_module:Plugin\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return "broken"


def test_broken_entry_point_is_reported_not_fatal(broken_distribution: str) -> None:
    """A broken entry point is listed with its error and its distribution named on activation."""
    found = {info.name: info for info in discover()}
    assert "ModuleNotFoundError" in (found[broken_distribution].error or "")
    assert found["hello"].error is None
    with pytest.raises(axios_python.ConfigError, match="axios-python-broken"):
        load_plugin(broken_distribution)


def test_env_autoload_skips_broken_with_a_warning(
    broken_distribution: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AXIOS_PYTHON_PLUGINS activates named plugins everywhere; broken ones warn and are skipped."""
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", f"hello,{broken_distribution}")
    with pytest.warns(PluginLoadWarning, match="axios-python-broken"):
        api = axios_python.AxiosPython(transport=counting_transport()[0])
    assert [type(p).__name__ for p in api.plugins] == ["HelloPlugin"]


def test_env_autoload_kill_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD=1 wins over AXIOS_PYTHON_PLUGINS."""
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "hello")
    monkeypatch.setenv("AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert axios_python.AxiosPython(transport=counting_transport()[0]).plugins == []


def test_cli_lists_plugins_with_versions_and_hooks() -> None:
    """`axios-python plugins` prints each plugin, its distribution, version and hooks."""
    result = subprocess.run(
        [sys.executable, "-m", "axios_python._cli", "plugins"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("hello"))
    assert "axios-python-hello 0.1.0" in line
    assert "on_request, on_response" in line


def test_import_hint_when_a_plugin_distribution_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """`from axios_python import CachePlugin` without the distribution says what to install."""
    monkeypatch.setitem(sys.modules, "axios_python_cache", None)
    with pytest.raises(ImportError, match=r'pip install "axios-python\[cache\]"'):
        from axios_python import CachePlugin  # noqa: F401


def test_project_plugins_import_through_the_core() -> None:
    """With the extras installed, the README's imports work."""
    from axios_python import AuthPlugin, CachePlugin, LoggerPlugin

    modules = {AuthPlugin.__module__, CachePlugin.__module__, LoggerPlugin.__module__}
    assert {m.partition(".")[0] for m in modules} == {
        "axios_python_auth",
        "axios_python_cache",
        "axios_python_logger",
    }


def test_guide_shows_the_tested_example_verbatim() -> None:
    """docs/plugins.md's ten-line plugin is the installed example package, byte for byte."""
    source = (ROOT / "docs/example-plugin/src/axios_python_hello/__init__.py").read_text()
    guide = (ROOT / "docs/plugins.md").read_text()
    assert source.rstrip() in guide
