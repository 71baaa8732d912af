"""RateLimitPlugin in one process: waiting, raising, cancelling, timeouts, pauses, store down."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from axios_python_resilience import RateLimitError, RateLimitPlugin
from axios_python_testserver import LocalServer

import axios_python
from axios_python import CancelError, CancelToken, ConfigError


def send(api: axios_python.AxiosPython, mode: str, path: str, **options: Any) -> Any:
    """One GET on the sync or the async path."""
    if mode == "async":
        return asyncio.run(api.async_get(path, **options))
    return api.get(path, **options)


def client(server: LocalServer, plugin: RateLimitPlugin, **config: Any) -> axios_python.AxiosPython:
    api = axios_python.create({"base_url": server.url, "timeout": 5, **config})
    api.plugin(plugin)
    return api


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_waits_for_a_slot(server: LocalServer, mode: str) -> None:
    """At 5/second, 11 requests wait for the window twice at least: they take 2 s or more."""
    plugin = RateLimitPlugin("5/second")
    with client(server, plugin) as api:
        started = time.monotonic()
        if mode == "async":

            async def run() -> None:
                for _ in range(11):
                    await api.async_get("/get")

            asyncio.run(run())
        else:
            for _ in range(11):
                api.get("/get")
        assert time.monotonic() - started >= 2.0
    assert plugin.waited >= 2


def test_keys_are_per_origin(server: LocalServer) -> None:
    """Another origin has its own limit."""
    plugin = RateLimitPlugin("1/minute", on_limit="raise")
    with client(server, plugin) as api:
        api.get("/get")
        api.get(server.url.replace("127.0.0.1", "localhost") + "/get")
        with pytest.raises(RateLimitError):
            api.get("/get")


def test_raise_instead_of_waiting(server: LocalServer, mode: str) -> None:
    """on_limit="raise": RateLimitError at once, with the key and when to retry."""
    plugin = RateLimitPlugin("2/minute", on_limit="raise")
    with client(server, plugin) as api:
        send(api, mode, "/get")
        send(api, mode, "/get")
        with pytest.raises(RateLimitError) as caught:
            send(api, mode, "/get")
    assert caught.value.key == server.url  # the origin: http://127.0.0.1:<port>
    assert caught.value.retry_after is not None
    assert 0 < caught.value.retry_after <= 60
    assert caught.value.code == "ERR_RATE_LIMITED"


def test_wait_is_cancellable(server: LocalServer, mode: str) -> None:
    """A CancelToken ends the wait for a slot with CancelError, long before the window."""
    plugin = RateLimitPlugin("1/minute")
    with client(server, plugin, timeout=None) as api:
        send(api, mode, "/get")
        started = time.monotonic()
        with pytest.raises(CancelError):
            send(api, mode, "/get", cancel_token=CancelToken.after(0.2))
        assert time.monotonic() - started < 5


def test_wait_is_bounded_by_the_timeout(server: LocalServer, mode: str) -> None:
    """A slot further away than the request's timeout: RateLimitError, without waiting."""
    plugin = RateLimitPlugin("1/minute")
    with client(server, plugin, timeout=1) as api:
        send(api, mode, "/get")
        started = time.monotonic()
        with pytest.raises(RateLimitError, match="past the 1 s"):
            send(api, mode, "/get")
        assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    "path",
    ["/status/429?Retry-After=2", "/response-headers?RateLimit=%22default%22%3Br%3D0%3Bt%3D2"],
    ids=["429-retry-after", "ratelimit-header"],
)
def test_server_asked_pause_is_shared(server: LocalServer, redis_url: str, path: str) -> None:
    """A 429 + Retry-After (or RateLimit r=0) pauses the origin for every client of the store."""
    one = RateLimitPlugin("100/second", storage=redis_url, on_limit="raise")
    two = RateLimitPlugin("100/second", storage=redis_url, on_limit="raise")
    with client(server, one, validate_status=None) as api1, client(server, two) as api2:
        api1.get(path)
        with pytest.raises(RateLimitError) as caught:
            api2.get("/get")
        assert caught.value.retry_after is not None
        assert 0 < caught.value.retry_after <= 2
        time.sleep(2.1)
        assert api2.get("/get").status_code == 200


def test_bad_options() -> None:
    """Bad options are ConfigErrors naming them."""
    with pytest.raises(ConfigError, match="invalid rate"):
        RateLimitPlugin("lots")
    with pytest.raises(ConfigError, match="on_limit"):
        RateLimitPlugin(on_limit="drop")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="strategy"):
        RateLimitPlugin(strategy="token-bucket")
    with pytest.raises(ConfigError, match="key"):
        RateLimitPlugin(key="host")
    with pytest.raises(ConfigError, match="storage"):
        RateLimitPlugin(storage="nosuch://x")


def test_custom_key(server: LocalServer) -> None:
    """A key function picks what shares a limit (here: the path)."""
    plugin = RateLimitPlugin("1/minute", on_limit="raise", key=lambda config: config["url"])
    with client(server, plugin) as api:
        api.get("/get")
        api.get("/ip")
        with pytest.raises(RateLimitError):
            api.get("/ip")


def test_redis_down_fails_open(
    server: LocalServer, own_redis: Any, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis stops: requests go out unlimited, one warning, nothing waits past its timeout."""
    plugin = RateLimitPlugin("2/minute", storage=own_redis.url, on_limit="raise")
    with (
        caplog.at_level(logging.WARNING, "axios_python_resilience"),
        client(server, plugin) as api,
    ):
        send(api, mode, "/get")
        send(api, mode, "/get")
        with pytest.raises(RateLimitError):
            send(api, mode, "/get")
        own_redis.stop()
        started = time.monotonic()
        statuses = [send(api, mode, "/get").status_code for _ in range(3)]
        assert time.monotonic() - started < 3
    assert statuses == [200, 200, 200]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "fail open" in warnings[0].getMessage()
