"""The plugin platform: names and origins, bundles and their configuration, lazy discovery,
the unplug lifecycle, the public hook contract.

Bundles are real distributions: a package and its `.dist-info` (METADATA, entry_points.txt)
written to a directory put on `sys.path`, found by `importlib.metadata` like any installed
wheel (and, for the subprocess tests, through PYTHONPATH).
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axios_python_logger import LoggerPlugin
from axios_python_testserver import LocalServer

import axios_python
from axios_python import ConfigError, Plugin, _known
from axios_python._discovery import PluginLoadWarning, activation_plan, load_transport

ROOT = Path(__file__).resolve().parents[1]

ACME_MODULE = """
import axios_python
from axios_python_logger import LoggerPlugin


class Tracing(axios_python.Plugin):
    name = "tracing"

    def __init__(self, service: str = "unknown", sample: float = 1.0) -> None:
        self.service = service
        self.sample = sample

    def on_request(self, config):
        config["headers"]["X-Service"] = self.service


BUNDLE = {"acme-logger": {"level": "INFO"}, "acme-tracing": {"service": "default"}}
"""

ACME_ENTRY_POINTS = """
[axios_python.plugins]
acme-logger = acme_bundle:LoggerPlugin
acme-tracing = acme_bundle:Tracing

[axios_python.bundles]
acme = acme_bundle:BUNDLE
"""


def write_distribution(
    where: Path, name: str, version: str, module: str, source: str, entry_points: str
) -> None:
    """An installed distribution: `module.py` and `NAME-VERSION.dist-info` under `where`."""
    (where / f"{module}.py").write_text(textwrap.dedent(source))
    info = where / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site directory on sys.path holding the acme bundle distribution."""
    site = tmp_path / "site"
    site.mkdir()
    write_distribution(site, "acme-bundle", "1.2", "acme_bundle", ACME_MODULE, ACME_ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(site))
    for name in (
        "AXIOS_PYTHON_PLUGINS",
        "AXIOS_PYTHON_PLUGINS_CONFIG",
        "AXIOS_PYTHON_DISABLE_PLUGINS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    yield site
    sys.modules.pop("acme_bundle", None)


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Write the AXIOS_PYTHON_PLUGINS_CONFIG file."""

    def write(text: str) -> Path:
        path = tmp_path / "axios-python.toml"
        path.write_text(textwrap.dedent(text))
        monkeypatch.setenv("AXIOS_PYTHON_PLUGINS_CONFIG", str(path))
        return path

    return write


def names(api: axios_python.AxiosPython) -> dict[str, str]:
    """{registered name: class name}."""
    return {
        name: type(api.get_plugin(name)).__name__
        for name in ("acme-logger", "acme-tracing", "logger", "tracing", "hello")
        if api.has_plugin(name)
    }


# --- names and origins ------------------------------------------------------------------


def test_activated_by_entry_point_name_registers_under_it(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle's `acme-logger` (a LoggerPlugin named "logger") registers as acme-logger."""
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "acme-logger")
    with axios_python.create() as api:
        assert names(api) == {"acme-logger": "LoggerPlugin"}
        assert api.plugin_origin("acme-logger") == "AXIOS_PYTHON_PLUGINS"
    with axios_python.create() as api:
        api.plugin("hello")
        assert api.has_plugin("hello")
        assert api.plugin_origin("hello") == "api.plugin()"


def test_explicit_plugin_wins_over_environment_activation(
    site: Path, monkeypatch: pytest.MonkeyPatch, server: LocalServer
) -> None:
    """Environment activation plus an explicit LoggerPlugin on the same client works: the
    explicit one replaces the activated one (same class), whichever way it is registered."""
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "acme-logger,acme-tracing")
    explicit = LoggerPlugin(level="DEBUG")
    with axios_python.create({"base_url": server.url, "plugins": [explicit]}) as api:
        assert names(api) == {"logger": "LoggerPlugin", "acme-tracing": "Tracing"}
        assert api.get_plugin("logger") is explicit
        assert api.get("/get").status_code == 200
    with axios_python.create({"base_url": server.url}) as api:
        api.plugin(LoggerPlugin(level="DEBUG"))  # later, by object
        assert names(api) == {"logger": "LoggerPlugin", "acme-tracing": "Tracing"}
        api.plugin("acme-tracing", service="billing")  # by the same entry point name
        assert api.get_plugin("acme-tracing").service == "billing"
        assert api.plugin_origin("acme-tracing") == "api.plugin()"
        assert api.get("/headers").data["headers"]["X-Service"] == "billing"


def test_explicit_by_name_replaces_the_activated_plugin_of_that_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """AXIOS_PYTHON_PLUGINS=logger, then api.plugin("logger", level="DEBUG"): no clash."""
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "logger")
    with axios_python.create() as api:
        activated = api.get_plugin("logger")
        mine = api.plugin("logger", level="DEBUG")
        assert api.plugins == [mine]
        assert mine is not activated


def test_a_remaining_clash_names_both_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two explicit plugins of one name: the ConfigError says where each came from."""

    class Stamp(Plugin):
        name = "stamp"

        def on_request(self, config: dict[str, Any]) -> None:
            config["headers"]["X-Stamp"] = "1"

    with axios_python.create({"plugins": [Stamp()]}) as api, pytest.raises(ConfigError) as info:
        api.plugin(Stamp())
    message = str(info.value)
    assert "'stamp' is already registered by create(plugins=[...])" in message
    assert "this one comes from api.plugin()" in message


# --- bundles, configuration, disabling --------------------------------------------------


def test_bundle_activates_its_plugins_with_default_options(
    site: Path, monkeypatch: pytest.MonkeyPatch, server: LocalServer
) -> None:
    """AXIOS_PYTHON_PLUGINS=acme (a bundle) registers the plugins the bundle declares."""
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "acme")
    with axios_python.create({"base_url": server.url}) as api:
        assert names(api) == {"acme-logger": "LoggerPlugin", "acme-tracing": "Tracing"}
        assert api.get("/headers").data["headers"]["X-Service"] == "default"
        assert api.plugin_origin("acme-tracing") == (
            "bundle 'acme' (acme-bundle 1.2) via AXIOS_PYTHON_PLUGINS"
        )


def test_config_file_options_override_bundle_defaults(
    site: Path, config_file: Callable[[str], Path], server: LocalServer
) -> None:
    """[options.NAME] in the AXIOS_PYTHON_PLUGINS_CONFIG file configures a plugin without code."""
    config_file(
        """
        activate = ["acme"]

        [options.acme-tracing]
        service = "billing"
        """
    )
    with axios_python.create({"base_url": server.url}) as api:
        assert api.get("/headers").data["headers"]["X-Service"] == "billing"
        assert api.get_plugin("acme-logger") is not None
        # explicit activation by name gets the configured options too; its own ones win
        api.plugin("acme-tracing", sample=0.5)
        tracing = api.get_plugin("acme-tracing")
        assert (tracing.service, tracing.sample) == ("billing", 0.5)


def test_pyproject_tool_table_is_read(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pyproject.toml as the configuration file: its [tool.axios-python] table."""
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.axios-python]\nactivate = ["acme-tracing"]\n')
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS_CONFIG", str(path))
    with axios_python.create() as api:
        assert names(api) == {"acme-tracing": "Tracing"}


@pytest.mark.parametrize("how", ["env", "file"])
def test_disable_list(
    how: str,
    site: Path,
    config_file: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A disabled name is never activated from the environment, even inside a bundle."""
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "acme")
    if how == "env":
        monkeypatch.setenv("AXIOS_PYTHON_DISABLE_PLUGINS", "acme-tracing, other")
    else:
        config_file('disable = ["acme-tracing"]')
    with axios_python.create() as api:
        assert names(api) == {"acme-logger": "LoggerPlugin"}
        api.plugin("acme-tracing")  # explicit registration is not affected
        assert api.has_plugin("acme-tracing")


def test_per_client_opt_out(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """create({"autoload": False}) gets no activated plugins; other clients still do."""
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "acme")
    with axios_python.create({"autoload": False}) as api:
        assert api.plugins == []
    with axios_python.create({"autoload": False, "plugins": ["hello"]}) as api:
        assert names(api) == {"hello": "HelloPlugin"}
    with axios_python.create() as api:
        assert len(api.plugins) == 2
    with pytest.raises(ConfigError, match="autoload"):
        axios_python.create({"autoload": "no"})


@pytest.mark.parametrize(
    ("text", "expected", "key"),
    [
        (
            '[options.acme-tracing]\ncolour = "red"\n',
            r"\[options.acme-tracing\]: plugin 'acme-tracing' rejected its options: unknown option 'colour' \(accepted: service, sample\)",
            "colour",
        ),
        (
            "[options.acme-logger]\nmax_body_length = -1\n",
            r"\[options.acme-logger\]: plugin 'acme-logger' rejected its options.*max_body_length",
            "plugins",
        ),
        (
            "[options.nope]\nx = 1\n",
            r"\[options.nope\]: no installed plugin named 'nope'",
            "options.nope",
        ),
        ('activate = "acme"\n', r"'activate' must be a list of plugin names", "activate"),
        (
            "plugins = []\n",
            r"unknown key 'plugins' \(known: activate, disable, options\)",
            "plugins",
        ),
        (
            "[options]\nacme-tracing = 3\n",
            r"\[options.acme-tracing\] must be a table",
            "options.acme-tracing",
        ),
        ("activate = [\n", r"invalid TOML", "AXIOS_PYTHON_PLUGINS_CONFIG"),
    ],
)
def test_bad_configuration_names_file_plugin_and_key(
    text: str,
    expected: str,
    key: str,
    site: Path,
    config_file: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bad configuration fails create() with a ConfigError naming the file and what is wrong."""
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "acme")
    path = config_file(text)
    with pytest.raises(ConfigError, match=expected) as info:
        axios_python.create()
    assert str(path) in str(info.value)
    assert info.value.key == key


def test_missing_config_file_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS_CONFIG", "/nonexistent/axios.toml")
    with pytest.raises(ConfigError, match=r"AXIOS_PYTHON_PLUGINS_CONFIG=/nonexistent/axios.toml"):
        axios_python.create()


def test_unknown_and_broken_activation_warns_and_skips(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name nothing provides is a warning (with the install hint for ours), not a failure."""
    # one of ours that is not installed here (every shipped one is, in this workspace)
    monkeypatch.setitem(_known.DISTRIBUTIONS, "sampling", ("axios-python-sampling", "sampling"))
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "acme-tracing,sampling,nothing-here")
    with pytest.warns(PluginLoadWarning) as warned:
        api = axios_python.create()
    messages = [str(w.message) for w in warned]
    assert any('pip install "axios-python[sampling]"' in m for m in messages)
    assert any("'nothing-here'" in m for m in messages)
    assert names(api) == {"acme-tracing": "Tracing"}
    api.close()


def test_the_plan_is_remembered_until_the_environment_changes(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "acme-tracing")
    assert activation_plan() is activation_plan()
    monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "acme")
    assert [a.name for a in activation_plan().activations] == ["acme-logger", "acme-tracing"]


# --- what to install --------------------------------------------------------------------


def test_unknown_plugin_of_ours_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name of ours that is not installed (every shipped one is, here: a row is added)."""
    monkeypatch.setitem(_known.DISTRIBUTIONS, "sampling", ("axios-python-sampling", "sampling"))
    with pytest.raises(ConfigError, match=r'pip install "axios-python\[sampling\]"'):
        axios_python.AxiosPython().plugin("sampling")


def test_every_distribution_of_ours_has_an_install_hint() -> None:
    """cache, auth, logger, aiohttp (installed here) would be named too when missing."""
    from axios_python._known import install_hint

    assert 'pip install "axios-python[cache]" (or pip install axios-python-cache)' in (
        install_hint("cache")
    )
    for name in ("auth", "logger", "aiohttp", "urllib3"):
        assert f"axios-python-{name}" in install_hint(name)
    assert install_hint("someone-elses") == ""


def test_unknown_transport_of_ours_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_known.DISTRIBUTIONS, "curl", ("axios-python-curl", "curl"))
    with pytest.raises(ConfigError, match=r'pip install "axios-python\[curl\]"'):
        axios_python.create({"transport": "curl"})
    with pytest.raises(ConfigError, match=r"installed: aiohttp, httpx\b"):
        load_transport("nope")


def test_cli_unknown_plugin_says_what_to_install(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from axios_python import _cli

    monkeypatch.setitem(_known.DISTRIBUTIONS, "sampling", ("axios-python-sampling", "sampling"))
    code = _cli.main(["request", "GET", f"{server.url}/get", "--plugin", "sampling", "--no-color"])
    assert code == 5
    assert 'pip install "axios-python[sampling]"' in capsys.readouterr().err


# --- lazy discovery ---------------------------------------------------------------------

LAZY_PROBE = """
import sys
import axios_python
api = axios_python.create()
api.plugin("hello")
ours = ("axios_python_cache", "axios_python_auth", "axios_python_logger", "axios_python_aiohttp")
print(sorted(m for m in sys.modules if m.startswith(ours)))
from axios_python._discovery import discover
infos = discover()
print(sorted(m for m in sys.modules if m.startswith(ours)))
print(sorted(i.name for i in infos))
"""


def test_asking_for_one_plugin_imports_no_other_plugin() -> None:
    """api.plugin("hello") imports hello only; listing reads metadata and imports nothing."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AXIOS_PYTHON_")}
    result = subprocess.run(
        [sys.executable, "-c", LAZY_PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    after_plugin, after_listing, listed = result.stdout.splitlines()
    assert after_plugin == "[]"
    assert after_listing == "[]"
    assert "'cache'" in listed
    assert "'hello'" in listed


# --- lifecycle --------------------------------------------------------------------------


class Owning(Plugin):
    """Adds a middleware and both kinds of interceptor in on_register; counts what runs."""

    name = "owning"

    def __init__(self) -> None:
        self.ran: list[str] = []
        self.unregistered = 0

    def on_register(self, client: axios_python.AxiosPython) -> None:
        ran = self.ran

        async def middleware(ctx: dict[str, Any], next_fn: Any) -> Any:
            ran.append("middleware")
            return await next_fn(ctx)

        client.use(middleware)
        client.interceptors.request.use(lambda config: ran.append("request") or config)
        client.interceptors.response.use(lambda response: ran.append("response") or response)

    def on_response(self, response: axios_python.Response) -> None:
        self.ran.append("hook")

    def on_unregister(self, client: axios_python.AxiosPython) -> None:
        self.unregistered += 1


def send(api: axios_python.AxiosPython, mode: str, path: str) -> axios_python.Response:
    if mode == "sync":
        return api.get(path)

    async def call() -> axios_python.Response:
        return await api.async_get(path)

    return asyncio.run(call())


def test_unplug_leaves_nothing_behind(server: LocalServer, transport: str, mode: str) -> None:
    """After unplug(), none of the plugin's middleware, interceptors or hooks run; plugging it
    in again brings them back once."""
    plugin = Owning()
    with axios_python.create({"base_url": server.url, "transport": transport}) as api:
        mine = api.use(lambda ctx, next_fn: next_fn(ctx))  # the user's own, kept
        api.plugin(plugin)
        send(api, mode, "/get")
        assert sorted(plugin.ran) == ["hook", "middleware", "request", "response"]
        api.unplug(plugin)
        assert plugin.unregistered == 1
        assert api.middlewares == (mine,)
        assert (len(api.interceptors.request), len(api.interceptors.response)) == (0, 0)
        assert not api.implements("on_response")
        assert not api.has_plugin(plugin)
        plugin.ran.clear()
        send(api, mode, "/get")
        assert plugin.ran == []
        api.plugin(plugin)
        send(api, mode, "/get")
        assert sorted(plugin.ran) == ["hook", "middleware", "request", "response"]
        api.unplug("owning")  # by name
        assert api.middlewares == (mine,)


def test_on_unregister_failure_still_unplugs() -> None:
    class Sticky(Owning):
        def on_unregister(self, client: axios_python.AxiosPython) -> None:
            raise RuntimeError("cannot let go")

    api = axios_python.AxiosPython(transport=axios_python.MockTransport(lambda r: 200))
    plugin = api.plugin(Sticky())
    with pytest.raises(axios_python.PluginError, match="on_unregister") as info:
        api.unplug(plugin)
    assert info.value.hook == "on_unregister"
    assert api.plugins == []
    assert api.middlewares == ()
    api.unplug(plugin)  # a plugin that is not registered is ignored


def test_failed_registration_keeps_nothing_it_added() -> None:
    class HalfWay(Plugin):
        def on_register(self, client: axios_python.AxiosPython) -> None:
            client.use(lambda ctx, next_fn: next_fn(ctx))
            raise RuntimeError("then fails")

    api = axios_python.AxiosPython(transport=axios_python.MockTransport(lambda r: 200))
    with pytest.raises(axios_python.PluginError):
        api.plugin(HalfWay())
    assert api.middlewares == ()
    assert api.plugins == []


def test_cache_plugin_unplugs_cleanly(server: LocalServer) -> None:
    """The shipped cache plugin's middleware goes with it, and comes back when replugged."""
    from axios_python import CachePlugin

    cache = CachePlugin(ttl=60)
    with axios_python.create({"base_url": server.url}) as api:
        api.plugin(cache)
        assert len(api.middlewares) == 1
        api.get("/cache")
        assert api.get("/cache").status_code == 200
        assert cache.stats.hits == 1
        api.unplug(cache)
        assert api.middlewares == ()
        api.get("/cache")
        assert cache.stats.hits == 1
        api.plugin(cache)
        assert len(api.middlewares) == 1
        api.get("/cache")
        assert cache.stats.hits == 2


# --- public names only --------------------------------------------------------------------


def client_private_names() -> set[str]:
    """Private attributes and methods of a client, e.g. _plugin_manager, _middlewares."""
    api = axios_python.AxiosPython(transport=axios_python.MockTransport(lambda r: 200))
    names = {n for n in vars(api) if n.startswith("_")}
    names |= {
        n for n in vars(axios_python.AxiosPython) if n.startswith("_") and not n.endswith("__")
    }
    return names


def private_uses(path: Path, private: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "axios_python" and any(p.startswith("_") for p in parts[1:]):
                found.append(f"{where}: from {node.module} import ...")
            if node.module == "axios_python":
                found += [f"{where}: {a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "axios_python" and any(p.startswith("_") for p in parts[1:]):
                    found.append(f"{where}: import {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr in private:
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.append(f"{where}: .{node.attr}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "axios_python" and node.attr.startswith("_"):
                found.append(f"{where}: axios_python.{node.attr}")
        elif (  # getattr(client, "_middlewares", ()) and the like
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in private
        ):
            found.append(f"{where}: {node.func.id}(..., {node.args[1].value!r})")
    return found


def test_no_shipped_plugin_uses_a_private_core_name() -> None:
    """plugins/*/src and the example plugin use only the core's public names."""
    private = client_private_names()
    assert {"_plugin_manager", "_middlewares"} <= private
    sources = sorted(ROOT.glob("plugins/*/src/**/*.py")) + sorted(
        ROOT.glob("docs/example-plugin/src/**/*.py")
    )
    assert len(sources) > 10
    found = [use for path in sources for use in private_uses(path, private)]
    assert found == []


def test_the_private_name_check_can_fail(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "_private_probe.py"
    bad.write_text(
        "from axios_python._pipeline import run_sync\n"
        "import axios_python._discovery\n"
        "def f(client):\n"
        "    return client._plugin_manager, getattr(client, '_middlewares', ())\n"
    )
    try:
        found = private_uses(bad, client_private_names())
    finally:
        bad.unlink()
    assert len(found) == 4


# --- the public hook contract -------------------------------------------------------------


def test_hookspecs_are_public_with_their_types() -> None:
    from axios_python import hookspecs

    assert {
        "on_register",
        "on_unregister",
        "on_request",
        "on_transport",
        "on_response",
        "on_error",
    } <= set(hookspecs.__all__)
    assert hookspecs.Config is axios_python.Config
    assert hookspecs.NextFn is axios_python.NextFn
    assert hookspecs.hookimpl is axios_python.hookimpl


def test_asking_a_client_about_plugins_and_hooks() -> None:
    api = axios_python.AxiosPython(transport=axios_python.MockTransport(lambda r: 200))
    assert not api.implements("on_request")
    assert not api.has_plugin("owning")
    plugin = api.plugin(Owning())
    assert api.implements("on_response")
    assert not api.implements("on_request")
    assert api.has_plugin("owning")
    assert api.has_plugin(plugin)
    assert api.get_plugin("owning") is plugin
    assert api.get_plugin("nope") is None


# --- the CLI ------------------------------------------------------------------------------


def run_cli(site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AXIOS_PYTHON_")}
    clean["PYTHONPATH"] = os.pathsep.join([str(site), clean.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "axios_python._cli", "plugins"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**clean, **env},
    )


def test_cli_shows_what_activation_registers(
    site: Path, config_file: Callable[[str], Path]
) -> None:
    """`axios-python plugins` lists each activated plugin with its options and origin."""
    path = config_file('activate = ["acme"]\n[options.acme-tracing]\nservice = "billing"\n')
    result = run_cli(
        site,
        AXIOS_PYTHON_PLUGINS="hello",
        AXIOS_PYTHON_PLUGINS_CONFIG=str(path),
        AXIOS_PYTHON_DISABLE_PLUGINS="acme-logger",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  hello  options: {}  from AXIOS_PYTHON_PLUGINS" in lines
    assert (
        '  acme-tracing  options: {"service": "billing"}  from bundle \'acme\' (acme-bundle 1.2) '
        f"via {path} (activate), options from {path} [options.acme-tracing]"
    ) in lines
    assert "Disabled: acme-logger" in lines
    assert any(  # columns are as wide as the longest installed name
        re.match(r"acme-tracing +acme-bundle 1\.2  hooks: on_request", line) for line in lines
    )


def test_cli_reports_bad_configuration(site: Path, config_file: Callable[[str], Path]) -> None:
    path = config_file("[options.acme-tracing]\ncolour = 1\n")
    result = run_cli(site, AXIOS_PYTHON_PLUGINS_CONFIG=str(path))
    assert result.returncode == 5
    assert f"{path} [options.acme-tracing]: plugin 'acme-tracing' rejected its options: " in (
        result.stderr
    )
    assert "unknown option 'colour'" in result.stderr
    path.write_text("bogus = 1\n")
    result = run_cli(site, AXIOS_PYTHON_PLUGINS_CONFIG=str(path))
    assert result.returncode == 5
    assert f"{path}: unknown key 'bogus'" in result.stderr
