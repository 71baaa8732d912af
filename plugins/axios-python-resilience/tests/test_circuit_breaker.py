"""CircuitBreakerPlugin in one process: closed -> open -> half-open -> closed or open again."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from axios_python_resilience import CircuitBreakerPlugin, CircuitOpenError
from axios_python_testserver import LocalServer

import axios_python
from axios_python import AxiosPythonError, ConfigError, NetworkError


def client(server: LocalServer, plugin: CircuitBreakerPlugin) -> axios_python.AxiosPython:
    api = axios_python.create({"base_url": server.url, "timeout": 5, "validate_status": None})
    api.plugin(plugin)
    return api


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def send(api: axios_python.AxiosPython, mode: str, path: str) -> Any:
    if mode == "async":
        return asyncio.run(api.async_get(path))
    return api.get(path)


def test_opens_after_consecutive_failures_and_recovers(
    server: LocalServer, name: str, mode: str
) -> None:
    """3 failures open it; open calls never reach the server; after recovery one probe closes it."""
    breaker = CircuitBreakerPlugin(failure_threshold=3, recovery_timeout=1)
    path = f"/flaky/{name}?fail=3"
    with client(server, breaker) as api:
        assert [send(api, mode, path).status_code for _ in range(3)] == [503, 503, 503]
        key = breaker.key({"url": server.url})
        assert breaker.status(key) == "open"
        with pytest.raises(CircuitOpenError) as caught:
            send(api, mode, path)
        assert caught.value.key == key
        assert caught.value.code == "ERR_CIRCUIT_OPEN"
        time.sleep(1.1)
        assert breaker.status(key) == "half-open"
        probe = send(api, mode, path)
        assert probe.data["attempt"] == 4  # the open call never reached the server
        assert breaker.status(key) == "closed"


def test_success_resets_the_count(server: LocalServer, name: str) -> None:
    """Failures must be consecutive: a success in between starts the count again."""
    breaker = CircuitBreakerPlugin(failure_threshold=2, recovery_timeout=1)
    with client(server, breaker) as api:
        api.get("/status/500")
        api.get("/get")
        api.get("/status/500")
        assert api.get("/get").status_code == 200
        api.get("/status/500")
        api.get("/status/502")
        with pytest.raises(CircuitOpenError):
            api.get("/get")


def test_failed_probe_opens_again(server: LocalServer, name: str) -> None:
    """A probe that fails opens the circuit for another recovery_timeout."""
    breaker = CircuitBreakerPlugin(failure_threshold=1, recovery_timeout=1)
    with client(server, breaker) as api:
        api.get("/status/503")
        time.sleep(1.1)
        assert api.get("/status/503").status_code == 503  # the probe
        with pytest.raises(CircuitOpenError):
            api.get("/get")


def test_network_errors_count(name: str) -> None:
    """Connection refused is a failure like a 5xx."""
    breaker = CircuitBreakerPlugin(failure_threshold=2, recovery_timeout=5)
    with axios_python.create({"base_url": "http://127.0.0.1:9", "timeout": 2}) as api:
        api.plugin(breaker)
        for _ in range(2):
            with pytest.raises(NetworkError):
                api.get("/x")
        with pytest.raises(CircuitOpenError):
            api.get("/x")


def test_one_probe_while_half_open(server: LocalServer) -> None:
    """Half-open: the first caller probes; the others fail at once while it is out."""
    breaker = CircuitBreakerPlugin(failure_threshold=1, recovery_timeout=1)
    with client(server, breaker) as api:
        api.get("/status/500")
        time.sleep(1.1)
        results: list[Any] = []

        def probe() -> None:
            results.append(api.get("/delay/1").status_code)

        thread = threading.Thread(target=probe)
        thread.start()
        time.sleep(0.3)
        with pytest.raises(CircuitOpenError, match="probe is in flight"):
            api.get("/get")
        thread.join()
        assert results == [200]
        assert api.get("/get").status_code == 200  # closed again


def test_not_retried(server: LocalServer) -> None:
    """CircuitOpenError is not retried by the retry engine."""
    breaker = CircuitBreakerPlugin(failure_threshold=1, recovery_timeout=30)
    with client(server, breaker) as api:
        api.get("/status/500")
        started = time.monotonic()
        with pytest.raises(CircuitOpenError):
            api.get("/get", max_retries=3)
        assert time.monotonic() - started < 1


def test_bad_options() -> None:
    """Bad options are ConfigErrors naming them."""
    with pytest.raises(ConfigError, match="failure_threshold"):
        CircuitBreakerPlugin(failure_threshold=0)
    with pytest.raises(ConfigError, match="recovery_timeout"):
        CircuitBreakerPlugin(recovery_timeout=-1)
    assert issubclass(CircuitOpenError, AxiosPythonError)
