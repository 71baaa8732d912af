"""Tokens never show: not in repr(), not in error messages, not in logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import axios_python
from axios_python import AuthPlugin, ConfigError, HTTPStatusError

SECRET = "tok-7f3a9c-SECRET"
FRESH = "fresh-token"  # the token server's valid token


def test_repr_hides_a_static_token() -> None:
    """repr() and the attributes' reprs do not contain the token."""
    plugin = AuthPlugin(scheme="Bearer", token=SECRET, allowed_hosts=["api.example.com"])
    assert repr(plugin) == (
        "<AuthPlugin scheme='Bearer' token=<hidden> hosts=<HostPolicy origins=[] "
        "allowed_hosts=['api.example.com']>>"
    )
    assert SECRET not in str(plugin)
    assert SECRET not in repr(vars(plugin))
    assert SECRET not in repr(vars(plugin._coordinator))


def test_repr_hides_basic_credentials() -> None:
    """Neither the password nor its base64 form shows."""
    plugin = AuthPlugin.basic("alice", "hunter2")
    text = repr(plugin) + repr(vars(plugin)) + repr(vars(plugin._coordinator))
    assert "hunter2" not in text
    assert "aHVudGVyMg" not in text  # base64 fragment of the password
    assert "token=<hidden>" in repr(plugin)


def test_repr_of_a_provider_plugin_after_a_refresh(token_server: Any) -> None:
    """After a refresh the new token is held, and still hidden."""
    with axios_python.create({"base_url": token_server.url}) as api:
        plugin = api.plugin(AuthPlugin(token_provider=lambda: SECRET, refresh=lambda: FRESH))
        assert api.get("/x").status_code == 200
    text = repr(plugin) + repr(vars(plugin)) + repr(vars(plugin._coordinator))
    assert FRESH not in text
    assert SECRET not in text
    assert repr(plugin).startswith("<AuthPlugin scheme='Bearer' token_provider=<hidden>, refresh")


@pytest.mark.parametrize(
    "token", [f"{SECRET}\r\nX-Injected: 1", f" {SECRET}\x00", f"{SECRET}\u00e9"]
)
def test_config_error_for_a_bad_token_does_not_echo_it(token: str) -> None:
    """A token that would break the header is refused without quoting it."""
    with pytest.raises(ConfigError, match="token must be a non-empty str") as info:
        AuthPlugin(token=token)
    assert info.value.key == "token"
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)


def test_http_status_error_does_not_contain_the_token(token_server: Any) -> None:
    """A rejected request's HTTPStatusError str() and repr() do not contain the token."""
    config = {"base_url": token_server.url, "validate_status": lambda s: s < 400}
    with axios_python.create(config) as api:
        api.plugin(AuthPlugin(token=SECRET))
        with pytest.raises(HTTPStatusError) as info:
            api.get("/x")
    assert info.value.response.status_code == 401
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)


@pytest.mark.anyio
async def test_refresh_flow_logs_without_tokens(
    token_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG the refresh is logged (logger axios_python.auth), without any token."""
    caplog.set_level(logging.DEBUG, logger="axios_python")
    async with axios_python.create({"base_url": token_server.url}) as api:
        api.plugin(AuthPlugin(token=SECRET, refresh=lambda: FRESH))
        assert (await api.async_get("/x")).status_code == 200
    messages = [r.getMessage() for r in caplog.records if r.name == "axios_python.auth"]
    assert messages == [
        "401 with credentials generation 0: refreshing the token",
        "token refreshed: credentials generation 1",
    ]
    everything = " ".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    assert SECRET not in everything
    assert FRESH not in everything


def test_sync_refresh_flow_logs_without_tokens(
    token_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The same on a sync call, with a failing refresh whose error mentions its input."""

    def refresh() -> str:
        raise ValueError(f"refresh rejected for {SECRET}")

    caplog.set_level(logging.DEBUG, logger="axios_python")
    with axios_python.create({"base_url": token_server.url}) as api:
        api.plugin(AuthPlugin(token=SECRET, refresh=refresh))
        with pytest.raises(axios_python.PluginError) as info:
            api.get("/x")
    assert SECRET not in str(info.value)
    assert all(SECRET not in r.getMessage() for r in caplog.records)
