"""The distribution: exports, entry point, options validation, registration."""

from __future__ import annotations

from typing import Any

import axios_python_auth
import pytest

import axios_python
from axios_python import AuthPlugin, ConfigError, MockTransport, Response
from axios_python._discovery import discover


def test_exports() -> None:
    """`__all__` is exactly the plugin, and `axios_python.AuthPlugin` is the same class."""
    assert axios_python_auth.__all__ == ["AuthPlugin", "__version__"]
    public = {name for name in vars(axios_python_auth) if not name.startswith("_")}
    assert "AuthPlugin" in public
    assert axios_python.AuthPlugin is axios_python_auth.AuthPlugin


def test_entry_point_is_discovered_and_activates_by_name() -> None:
    """`api.plugin("auth", token=...)` loads the plugin through its entry point."""
    info = next(p for p in discover() if p.name == "auth")
    assert info.distribution == "axios-python-auth"
    assert info.error is None
    assert set(info.hooks) == {"on_register", "on_request"}
    seen: list[str | None] = []

    def handler(request: Any) -> Response:
        seen.append(request.headers.get("authorization"))
        return Response(200)

    api = axios_python.AxiosPython(
        {"base_url": "https://api.test"}, transport=MockTransport(handler)
    )
    plugin = api.plugin("auth", token="by-name")
    assert isinstance(plugin, AuthPlugin)
    api.get("/x")
    assert seen == ["Bearer by-name"]


def test_plugins_config_key() -> None:
    """`create({"plugins": [("auth", {...})]})` activates it too."""
    transport = MockTransport(lambda request: Response(200))
    api = axios_python.AxiosPython(
        {"base_url": "https://api.test", "plugins": [("auth", {"token": "cfg"})]},
        transport=transport,
    )
    api.get("/x")
    assert transport.requests[0].headers["authorization"] == "Bearer cfg"


@pytest.mark.anyio
async def test_registering_twice_is_refused() -> None:
    """The same plugin on one client twice is a ConfigError (no double application)."""
    api = axios_python.AxiosPython(
        {"base_url": "https://api.test"}, transport=MockTransport(lambda r: Response(200))
    )
    transport = api.transport
    plugin = api.plugin(AuthPlugin(token="t"))
    with pytest.raises(ConfigError, match="already registered"):
        api.plugin(plugin)
    await api.async_get("/x")
    assert isinstance(transport, MockTransport)
    assert transport.requests[0].headers.get_list("authorization") == ["Bearer t"]


def test_instances_have_distinct_names() -> None:
    """Each instance after the first gets its own name (and config mark)."""
    first, second = AuthPlugin(token="a"), AuthPlugin(token="b")
    assert first.name != second.name
    assert second.name.startswith("auth-")
    assert AuthPlugin.name == "auth"


def test_one_instance_on_two_clients_trusts_both_origins() -> None:
    """Registered on two clients, the plugin serves each client's own origin."""
    transport = MockTransport(lambda request: Response(200))
    plugin = AuthPlugin(token="shared")
    first = axios_python.AxiosPython({"base_url": "https://one.test"}, transport=transport)
    second = axios_python.AxiosPython({"base_url": "https://two.test"}, transport=transport)
    first.plugin(plugin)
    second.plugin(plugin)
    first.get("/a")
    second.get("/b")
    first.get("https://three.test/c")
    sent = [r.headers.get("authorization") for r in transport.requests]
    assert sent == ["Bearer shared", "Bearer shared", None]


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({}, "token"),
        ({"token": "a", "token_provider": lambda: "b"}, "token"),
        ({"token": ""}, "token"),
        ({"token": 42}, "token"),
        ({"token": "a", "scheme": "Bear er"}, "scheme"),
        ({"token": "a", "scheme": None}, "scheme"),
        ({"token_provider": "not callable"}, "token_provider"),
        ({"token": "a", "refresh": "not callable"}, "refresh"),
        ({"token": "a", "allowed_hosts": "api.example.com"}, "allowed_hosts"),
        ({"token": "a", "allowed_hosts": ["https://h/path"]}, "allowed_hosts"),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any], key: str) -> None:
    """Each bad option is a ConfigError naming its key."""
    with pytest.raises(ConfigError) as info:
        AuthPlugin(**options)
    assert info.value.key == key


def test_options_are_keyword_only() -> None:
    """`AuthPlugin("Bearer", "t")` is refused: options are named."""
    with pytest.raises(TypeError):
        AuthPlugin("Bearer", "t")  # type: ignore[misc]


def test_no_refresh_means_no_middleware() -> None:
    """Without refresh, the plugin adds nothing to the middleware stack (no cost on 401s)."""
    transport = MockTransport(lambda request: Response(200))
    plain = axios_python.AxiosPython({"base_url": "https://api.test"}, transport=transport)
    plain.plugin(AuthPlugin(token="t"))
    assert plain._middlewares == ()
    refreshing = axios_python.AxiosPython({"base_url": "https://api.test"}, transport=transport)
    refreshing.plugin(AuthPlugin(token="t", refresh=lambda: "u"))
    assert [type(m).__name__ for m in refreshing._middlewares] == ["RefreshMiddleware"]
