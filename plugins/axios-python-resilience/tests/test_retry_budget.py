"""RetryBudgetPlugin: retries capped at a fraction of the calls, shared through the store."""

from __future__ import annotations

import pytest
from axios_python_resilience import RetryBudgetError, RetryBudgetPlugin
from axios_python_testserver import LocalServer

import axios_python
from axios_python import ConfigError, RetryError


def fast_retries() -> axios_python.FixedBackoff:
    return axios_python.FixedBackoff(0.0, retry_on_status=frozenset({503}))


def test_retries_beyond_the_budget_are_refused(server: LocalServer) -> None:
    """ratio 0 + min_retries 2: the first two retries go out, the third is refused."""
    plugin = RetryBudgetPlugin(0.0, min_retries=2)
    with axios_python.create({"base_url": server.url, "timeout": 5}) as api:
        api.plugin(plugin)
        with pytest.raises(RetryBudgetError, match="retry budget") as caught:
            api.get("/status/503", max_retries=3, retry_strategy=fast_retries())
    assert caught.value.code == "ERR_RETRY_BUDGET"
    assert plugin.refused == 1


def test_calls_earn_retries(server: LocalServer) -> None:
    """ratio 0.5: each call earns half a retry; within budget the retry engine runs as usual."""
    plugin = RetryBudgetPlugin(0.5, min_retries=0)
    with axios_python.create({"base_url": server.url, "timeout": 5}) as api:
        api.plugin(plugin)
        for _ in range(4):
            api.get("/get")
        with pytest.raises(RetryError):  # 5 calls, 2 retries allowed: exhausted normally
            api.get("/status/503", max_retries=2, retry_strategy=fast_retries())
        with pytest.raises(RetryBudgetError):
            api.get("/status/503", max_retries=2, retry_strategy=fast_retries())


def test_budget_shared_through_redis(server: LocalServer, redis_url: str) -> None:
    """Two clients (processes) on one Redis spend one budget."""
    one = RetryBudgetPlugin(0.0, min_retries=1, storage=redis_url)
    two = RetryBudgetPlugin(0.0, min_retries=1, storage=redis_url)
    with (
        axios_python.create({"base_url": server.url, "timeout": 5}) as api1,
        axios_python.create({"base_url": server.url, "timeout": 5}) as api2,
    ):
        api1.plugin(one)
        api2.plugin(two)
        with pytest.raises(RetryError):
            api1.get("/status/503", max_retries=1, retry_strategy=fast_retries())
        with pytest.raises(RetryBudgetError):
            api2.get("/status/503", max_retries=1, retry_strategy=fast_retries())


def test_bad_options() -> None:
    """Bad options are ConfigErrors naming them."""
    with pytest.raises(ConfigError, match="ratio"):
        RetryBudgetPlugin(-1)
    with pytest.raises(ConfigError, match="window"):
        RetryBudgetPlugin(window=0)
