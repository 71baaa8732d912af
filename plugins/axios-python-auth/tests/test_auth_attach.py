"""Attaching credentials through a real client and the local server, sync and async."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import AuthPlugin, FixedBackoff, PluginError

SECRET = "super-secret-key"


@pytest.fixture
def api(server: LocalServer) -> Iterator[axios_python.AxiosPython]:
    with axios_python.create({"base_url": server.url, "timeout": 5}) as client:
        yield client


@pytest.fixture
async def aapi(server: LocalServer) -> AsyncIterator[axios_python.AxiosPython]:
    async with axios_python.create({"base_url": server.url, "timeout": 5}) as client:
        yield client


def _sent(response: axios_python.Response) -> str | None:
    """The Authorization header the server received (echoed by /headers or /anything)."""
    headers: dict[str, str] = response.json()["headers"]
    return next((v for k, v in headers.items() if k.lower() == "authorization"), None)


def _host(response: axios_python.Response) -> str:
    """The Host header the (final) server received."""
    headers: dict[str, str] = response.json()["headers"]
    return next(v for k, v in headers.items() if k.lower() == "host")


# --- static token and provider -------------------------------------------------------------


def test_readme_static_token(api: axios_python.AxiosPython) -> None:
    """The README's `AuthPlugin(scheme="Bearer", token=...)` passes /bearer."""
    api.plugin(AuthPlugin(scheme="Bearer", token=SECRET))
    response = api.get("/bearer")
    assert response.status_code == 200
    assert response.json() == {"authenticated": True, "token": SECRET}


@pytest.mark.anyio
async def test_readme_static_token_async(aapi: axios_python.AxiosPython) -> None:
    """The static token on an async call."""
    aapi.plugin(AuthPlugin(scheme="Bearer", token=SECRET))
    response = await aapi.async_get("/bearer")
    assert response.json() == {"authenticated": True, "token": SECRET}


def test_without_plugin_bearer_is_401(api: axios_python.AxiosPython) -> None:
    """The control: /bearer rejects a request without credentials."""
    assert api.get("/bearer").status_code == 401


def test_readme_token_provider_is_called_per_request(api: axios_python.AxiosPython) -> None:
    """A provider is consulted for every request, so a rotated token is used at once."""
    tokens = iter(["t1", "t2", "t3"])
    api.plugin(AuthPlugin(scheme="Bearer", token_provider=lambda: next(tokens)))
    assert [api.get("/bearer").json()["token"] for _ in range(3)] == ["t1", "t2", "t3"]


@pytest.mark.anyio
async def test_async_token_provider_is_awaited(aapi: axios_python.AxiosPython) -> None:
    """An async provider that really suspends works on async calls."""
    calls = 0

    async def provider() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.001)
        return f"async-{calls}"

    aapi.plugin(AuthPlugin(token_provider=provider))
    assert (await aapi.async_get("/bearer")).json()["token"] == "async-1"
    assert (await aapi.async_get("/bearer")).json()["token"] == "async-2"


@pytest.mark.anyio
async def test_sync_provider_on_async_call(aapi: axios_python.AxiosPython) -> None:
    """A plain provider works on async calls too."""
    aapi.plugin(AuthPlugin(token_provider=lambda: "plain"))
    assert (await aapi.async_get("/bearer")).json()["token"] == "plain"


def test_async_provider_that_does_not_suspend_works_on_sync_call(
    api: axios_python.AxiosPython,
) -> None:
    """A coroutine provider without real I/O completes on the sync path."""

    async def provider() -> str:
        await asyncio.sleep(0)
        return "no-io"

    api.plugin(AuthPlugin(token_provider=provider))
    assert api.get("/bearer").json()["token"] == "no-io"


def test_async_provider_that_suspends_on_sync_call_is_a_clear_error(
    api: axios_python.AxiosPython,
) -> None:
    """Real asyncio I/O in a provider on a sync call raises PluginError saying what to do."""

    async def provider() -> str:
        await asyncio.sleep(0.01)
        return "never"

    api.plugin(AuthPlugin(token_provider=provider))
    with pytest.raises(PluginError, match="token_provider awaited asyncio I/O during a sync call"):
        api.get("/bearer")


@pytest.mark.anyio
async def test_async_provider_that_suspends_on_sync_call_inside_a_loop(
    api: axios_python.AxiosPython,
) -> None:
    """From async code, a sync call with a suspending provider fails with the core's error."""

    async def provider() -> str:
        await asyncio.sleep(0.01)
        return "never"

    api.plugin(AuthPlugin(token_provider=provider))
    with pytest.raises(axios_python.AxiosPythonError, match="during a sync call"):
        api.get("/bearer")


def test_provider_is_consulted_on_every_attempt(api: axios_python.AxiosPython) -> None:
    """on_request runs per attempt: a retried request asks the provider again."""
    calls: list[str] = []

    def provider() -> str:
        calls.append(f"attempt-{len(calls) + 1}")
        return calls[-1]

    api.plugin(AuthPlugin(token_provider=provider))
    response = api.get(
        "/flaky/auth-attempts-sync",
        params={"fail": 1, "status": 503},
        max_retries=2,
        retry_strategy=FixedBackoff(delay=0, retry_on_status=[503]),
    )
    assert response.status_code == 200
    assert calls == ["attempt-1", "attempt-2"]


@pytest.mark.anyio
async def test_provider_is_consulted_on_every_attempt_async(
    aapi: axios_python.AxiosPython,
) -> None:
    """on_request runs per attempt on async calls too, and sends each attempt's token."""
    seen: list[str] = []

    async def provider() -> str:
        seen.append(f"attempt-{len(seen) + 1}")
        return seen[-1]

    aapi.plugin(AuthPlugin(token_provider=provider))
    response = await aapi.async_get(
        "/flaky/auth-attempts-async",
        params={"fail": 2, "status": 503},
        max_retries=2,
        retry_strategy=FixedBackoff(delay=0, retry_on_status=[503]),
    )
    assert response.status_code == 200
    assert seen == ["attempt-1", "attempt-2", "attempt-3"]


def test_provider_returning_none_sends_no_credentials(api: axios_python.AxiosPython) -> None:
    """None from the provider: the request goes out without Authorization."""
    api.plugin(AuthPlugin(token_provider=lambda: None))
    assert _sent(api.get("/headers")) is None


@pytest.mark.parametrize("bad", [42, "", "line\nbreak"])
def test_provider_returning_a_bad_token_is_a_plugin_error(
    api: axios_python.AxiosPython, bad: object
) -> None:
    """A non-str, empty or header-breaking token fails before anything is sent."""
    plugin = api.plugin(AuthPlugin(token_provider=lambda: bad))
    with pytest.raises(PluginError, match="token_provider returned") as info:
        api.get("/headers")
    assert info.value.plugin == plugin.name
    assert "line" not in str(info.value)


@pytest.mark.anyio
async def test_provider_raising_is_a_plugin_error_async(aapi: axios_python.AxiosPython) -> None:
    """A provider that raises surfaces as PluginError with the original as __cause__."""

    async def provider() -> str:
        raise LookupError("vault is sealed")

    aapi.plugin(AuthPlugin(token_provider=provider))
    with pytest.raises(PluginError, match="token_provider raised LookupError") as info:
        await aapi.async_get("/headers")
    assert isinstance(info.value.__cause__, LookupError)


def test_provider_raising_is_a_plugin_error_sync(api: axios_python.AxiosPython) -> None:
    """The same on a sync call with a plain provider."""

    def provider() -> str:
        raise LookupError("vault is sealed")

    api.plugin(AuthPlugin(token_provider=provider))
    with pytest.raises(PluginError, match="token_provider raised LookupError") as info:
        api.get("/headers")
    assert isinstance(info.value.__cause__, LookupError)


def test_bare_scheme_sends_the_token_alone(api: axios_python.AxiosPython) -> None:
    """scheme="" sends `Authorization: <token>`."""
    api.plugin(AuthPlugin(scheme="", token="raw-key"))
    assert _sent(api.get("/headers")) == "raw-key"


def test_readme_sample_as_written_on_one_client(api: axios_python.AxiosPython) -> None:
    """Both README lines on one client: both register, the one registered first wins."""
    api.plugin(AuthPlugin(scheme="Bearer", token="super-secret-key"))
    api.plugin(AuthPlugin(scheme="Bearer", token_provider=lambda: "from-vault"))
    assert api.get("/bearer").json() == {"authenticated": True, "token": "super-secret-key"}


@pytest.mark.anyio
async def test_two_plugins_for_two_services(
    aapi: axios_python.AxiosPython, other_server: LocalServer
) -> None:
    """One plugin per service: each token goes to its own origin only."""
    aapi.plugin(AuthPlugin(token="own-token"))
    aapi.plugin(AuthPlugin(token="other-token", allowed_hosts=[other_server.url]))
    assert _sent(await aapi.async_get("/headers")) == "Bearer own-token"
    assert _sent(await aapi.async_get(other_server.url + "/headers")) == "Bearer other-token"


# --- basic auth ----------------------------------------------------------------------------


def test_basic_helper(api: axios_python.AxiosPython) -> None:
    """`AuthPlugin.basic(user, password)` passes /basic-auth/user/password."""
    api.plugin(AuthPlugin.basic("alice", "s3cret:colon"))
    response = api.get("/basic-auth/alice/s3cret:colon")
    assert response.json() == {"authenticated": True, "user": "alice"}
    assert api.get("/basic-auth/alice/wrong").status_code == 401


@pytest.mark.anyio
async def test_basic_helper_async(aapi: axios_python.AxiosPython) -> None:
    """The Basic helper on an async call; a non-ASCII password is UTF-8 encoded."""
    aapi.plugin(AuthPlugin.basic("bob", "p\u00e4ss"))
    response = await aapi.async_get("/headers")
    assert _sent(response) == "Basic Ym9iOnDDpHNz"  # base64 of UTF-8 "bob:p\u00e4ss"
    response = await aapi.async_get("/basic-auth/bob/wrong")
    assert response.status_code == 401


def test_basic_helper_refuses_a_colon_in_the_username() -> None:
    """RFC 7617: a user-id cannot contain ':'."""
    with pytest.raises(axios_python.ConfigError, match="cannot contain ':'"):
        AuthPlugin.basic("a:b", "p")


# --- explicit credentials win --------------------------------------------------------------


def test_explicit_authorization_header_wins(api: axios_python.AxiosPython) -> None:
    """A per-request Authorization header is kept as it is."""
    api.plugin(AuthPlugin(token=SECRET))
    response = api.get("/headers", headers={"Authorization": "Bearer mine"})
    assert _sent(response) == "Bearer mine"


@pytest.mark.anyio
async def test_explicit_auth_option_wins_async(aapi: axios_python.AxiosPython) -> None:
    """The `auth=(user, password)` option is kept as it is."""
    aapi.plugin(AuthPlugin(token=SECRET))
    response = await aapi.async_get("/basic-auth/u/p", auth=("u", "p"))
    assert response.json() == {"authenticated": True, "user": "u"}


def test_runs_after_other_on_request_hooks(api: axios_python.AxiosPython) -> None:
    """A plugin registered earlier that rewrites the URL to another host cannot leak the token."""
    other = "http://127.0.0.2.invalid"

    class Rewriter(axios_python.Plugin):
        def on_request(self, config: dict[str, Any]) -> None:
            config["url"] = other + "/x"
            config["seen_by_rewriter"] = "authorization" in config["headers"]

    class Stop(axios_python.Plugin):
        def on_transport(self, request: Any, config: dict[str, Any]) -> axios_python.Response:
            return axios_python.Response(200, data={"auth": request.headers.get("authorization")})

    api.plugin(Rewriter())
    api.plugin(Stop())
    api.plugin(AuthPlugin(token=SECRET))
    response = api.get("/headers")
    assert response.json() == {"auth": None}


def test_a_pass_to_another_host_takes_back_only_its_own_credentials() -> None:
    """on_request on a config it attached credentials to earlier, now for another host, removes
    them; someone else's Authorization header for that host stays (and plain headers become
    httpx.Headers, as on every pass)."""
    from axios_python_auth._credentials import MARK

    plugin = AuthPlugin(token=SECRET, allowed_hosts=["api.example.com"])
    config: dict[str, Any] = {"url": "https://api.example.com/x", "headers": {}}
    plugin.on_request(config)
    assert config["headers"]["authorization"] == f"Bearer {SECRET}"
    assert config[MARK][0] == plugin.name
    config["url"] = "https://elsewhere.example.com/x"
    plugin.on_request(config)
    assert "authorization" not in config["headers"]
    assert MARK not in config
    users: dict[str, Any] = {
        "url": "https://elsewhere.example.com/x",
        "headers": {"Authorization": "Bearer the-users-own"},
    }
    plugin.on_request(users)
    assert isinstance(users["headers"], httpx.Headers)
    assert users["headers"]["authorization"] == "Bearer the-users-own"
    assert MARK not in users


# --- origins -------------------------------------------------------------------------------


def test_absolute_url_to_another_host_gets_no_token(
    api: axios_python.AxiosPython, other_server: LocalServer
) -> None:
    """An absolute URL to another origin goes out without Authorization."""
    api.plugin(AuthPlugin(token=SECRET))
    assert _sent(api.get(other_server.url + "/headers")) is None
    assert _sent(api.get("/headers")) == f"Bearer {SECRET}"


@pytest.mark.anyio
async def test_absolute_url_to_another_host_gets_no_token_async(
    aapi: axios_python.AxiosPython, other_server: LocalServer
) -> None:
    """The same on async calls."""
    aapi.plugin(AuthPlugin(token=SECRET))
    assert _sent(await aapi.async_get(other_server.url + "/headers")) is None
    assert _sent(await aapi.async_get("/headers")) == f"Bearer {SECRET}"


def test_absolute_url_to_own_origin_gets_the_token(
    api: axios_python.AxiosPython, server: LocalServer
) -> None:
    """An absolute URL on the base_url origin is the client's own origin."""
    api.plugin(AuthPlugin(token=SECRET))
    assert _sent(api.get(server.url + "/headers")) == f"Bearer {SECRET}"


def test_per_request_base_url_to_another_host_gets_no_token(
    api: axios_python.AxiosPython, other_server: LocalServer
) -> None:
    """Overriding base_url per request does not carry credentials to that host."""
    api.plugin(AuthPlugin(token=SECRET))
    assert _sent(api.get("/headers", base_url=other_server.url)) is None


def test_allowed_hosts_extends_the_origins(
    api: axios_python.AxiosPython, other_server: LocalServer
) -> None:
    """Listing the other origin sends the token there too."""
    api.plugin(AuthPlugin(token=SECRET, allowed_hosts=[other_server.url]))
    assert _sent(api.get(other_server.url + "/headers")) == f"Bearer {SECRET}"


@pytest.mark.anyio
async def test_allowed_host_and_port_form_async(
    aapi: axios_python.AxiosPython, other_server: LocalServer
) -> None:
    """`host:port` entries work, and only for that port."""
    port = other_server.url.rsplit(":", 1)[1]
    aapi.plugin(AuthPlugin(token=SECRET, allowed_hosts=[f"127.0.0.1:{port}"]))
    assert _sent(await aapi.async_get(other_server.url + "/headers")) == f"Bearer {SECRET}"


def test_no_base_url_and_no_hosts_warns_and_attaches_nothing(server: LocalServer) -> None:
    """Without base_url or allowed_hosts, the plugin warns at registration and sends nothing."""
    with axios_python.create({"timeout": 5}) as client:
        with pytest.warns(UserWarning, match="attaches credentials to no request"):
            client.plugin(AuthPlugin(token=SECRET))
        assert _sent(client.get(server.url + "/headers")) is None


@pytest.mark.anyio
async def test_no_base_url_with_allowed_hosts(server: LocalServer) -> None:
    """Without base_url, listed hosts get the token, without a warning."""
    async with axios_python.create({"timeout": 5}) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            client.plugin(AuthPlugin(token=SECRET, allowed_hosts=["127.0.0.1"]))
        assert _sent(await client.async_get(server.url + "/headers")) == f"Bearer {SECRET}"


def test_allow_any_host(api: axios_python.AxiosPython, other_server: LocalServer) -> None:
    """allow_any_host=True sends the token everywhere."""
    api.plugin(AuthPlugin(token=SECRET, allow_any_host=True))
    assert _sent(api.get(other_server.url + "/headers")) == f"Bearer {SECRET}"


# --- redirects -----------------------------------------------------------------------------


def test_cross_origin_redirect_drops_the_token(
    api: axios_python.AxiosPython, other_server: LocalServer
) -> None:
    """A redirect from the trusted origin to another one does not carry Authorization."""
    api.plugin(AuthPlugin(token=SECRET))
    response = api.get("/redirect-to", params={"url": other_server.url + "/headers"})
    assert response.status_code == 200
    assert _host(response) == other_server.url.removeprefix("http://")
    assert _sent(response) is None


@pytest.mark.anyio
async def test_cross_origin_redirect_drops_the_token_async(
    aapi: axios_python.AxiosPython, other_server: LocalServer
) -> None:
    """The same on async calls."""
    aapi.plugin(AuthPlugin(token=SECRET))
    response = await aapi.async_get("/redirect-to", params={"url": other_server.url + "/headers"})
    assert _host(response) == other_server.url.removeprefix("http://")
    assert _sent(response) is None


def test_same_origin_redirect_keeps_the_token(api: axios_python.AxiosPython) -> None:
    """A redirect within the origin keeps Authorization."""
    api.plugin(AuthPlugin(token=SECRET))
    response = api.get("/redirect-to", params={"url": "/bearer"})
    assert response.json() == {"authenticated": True, "token": SECRET}


@pytest.mark.anyio
async def test_same_origin_redirect_keeps_the_token_async(
    aapi: axios_python.AxiosPython,
) -> None:
    """The same on async calls, with a per-request max_redirects (followed by hand)."""
    aapi.plugin(AuthPlugin(token=SECRET))
    response = await aapi.async_get("/redirect-to", params={"url": "/bearer"}, max_redirects=3)
    assert response.json() == {"authenticated": True, "token": SECRET}
