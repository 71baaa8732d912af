"""Several processes sharing a store (a real redis-server): the limits hold for the fleet."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from axios_python_testserver import LocalServer


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_rate_limit_holds_for_four_processes(
    server: LocalServer, redis_url: str, workers: Any, mode: str
) -> None:
    """4 processes, 20/second on Redis, 120 requests: at least 5 s all together."""
    spec = {
        "plugin": "rate-limit",
        "options": {"rate": "20/second", "storage": redis_url},
        "base_url": server.url,
        "path": "/get",
        "n": 30,
        "mode": mode,
    }
    started = time.time()
    results = workers([spec] * 4)
    times = sorted(r["t"] for result in results for r in result)
    assert len(times) == 120
    assert all(r.get("status") == 200 for res in results for r in res)
    assert times[-1] - started >= 5.0  # 20 at once, then 20 per second: 5 s for 100 more


def test_memory_limits_each_process_alone(server: LocalServer, workers: Any) -> None:
    """With memory:// each process has its own 20/second: the fleet sends 4x as much."""
    spec = {
        "plugin": "rate-limit",
        "options": {"rate": "20/second", "storage": "memory://"},
        "base_url": server.url,
        "path": "/get",
        "n": 30,
        "mode": "sync",
    }
    results = workers([spec] * 4)
    for result in results:  # each alone: 30 requests at 20/second take a second or more
        assert result[-1]["t"] - result[0]["t"] >= 0.9
    times = sorted(r["t"] for result in results for r in result)
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) > 40


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_breaker_opened_by_one_process_protects_another(
    server: LocalServer, redis_url: str, workers: Any, name: str, mode: str
) -> None:
    """A trips the breaker; B's next call fails at once; after recovery B's probe goes out."""
    path = f"/flaky/{name}?fail=3"
    options = {"failure_threshold": 3, "recovery_timeout": 3, "storage": redis_url}
    spec = {
        "plugin": "circuit-breaker",
        "options": options,
        "base_url": server.url,
        "path": path,
        "mode": mode,
    }
    # A fails three times at once; B, started with it, calls 1 s later, while it is open.
    first, second = workers([{**spec, "n": 3}, {**spec, "n": 1, "delay": 1.0}])
    assert [r["status"] for r in first] == [503, 503, 503]
    tripped = first[-1]["t"]
    assert second[0]["t"] - tripped < 3
    assert second == [{"t": second[0]["t"], "error": "CircuitOpenError"}]
    time.sleep(max(tripped + 3.1 - time.time(), 0))
    (third,) = workers([{**spec, "n": 1}])  # after recovery_timeout: the probe goes out
    assert third[0]["status"] == 200
    assert third[0]["data"] == {"name": name, "attempt": 4}  # B's call never reached it
    after = httpx.get(f"{server.url}/flaky/{name}?fail=3").json()
    assert after["attempt"] == 5
