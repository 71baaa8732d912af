"""The distribution: entry points, exports, version, and plugins found by name."""

from __future__ import annotations

import inspect
from importlib.metadata import entry_points, version

import axios_python_resilience
from axios_python_resilience import CircuitBreakerPlugin, RateLimitPlugin, RetryBudgetPlugin

import axios_python


def test_entry_points() -> None:
    """rate-limit, circuit-breaker, retry-budget: entry points of group axios_python.plugins."""
    found = {ep.name: ep.load() for ep in entry_points(group="axios_python.plugins")}
    assert found["rate-limit"] is RateLimitPlugin
    assert found["circuit-breaker"] is CircuitBreakerPlugin
    assert found["retry-budget"] is RetryBudgetPlugin


def test_plugins_by_name() -> None:
    """api.plugin("rate-limit", ...) builds the plugin with those options."""
    with axios_python.create() as api:
        api.plugin("rate-limit", rate="5/second", on_limit="raise")
        api.plugin("circuit-breaker", failure_threshold=2)
        kinds = sorted(type(p).__name__ for p in api.plugins)
    assert kinds == ["CircuitBreakerPlugin", "RateLimitPlugin"]


def test_exports_and_version() -> None:
    """`__all__` lists what the package exports; the version is defined once."""
    public = {
        name
        for name, value in vars(axios_python_resilience).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert public | {"__version__"} == set(axios_python_resilience.__all__)
    assert axios_python_resilience.__version__ == version("axios-python-resilience") == "0.3.0"
    assert issubclass(axios_python_resilience.CircuitOpenError, axios_python.AxiosPythonError)
