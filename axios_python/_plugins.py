"""The README's `Plugin` base class and helpers that need no pluggy (see `_manager.py`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "HOOK_NAMES",
    "Config",
    "Middleware",
    "NextFn",
    "Plugin",
    "bad_on_request_result",
    "has_awaitable",
    "plugin_name",
]

Config = dict[str, Any]
"""The merged config of one request, which interceptors, middleware and hooks may mutate."""
NextFn = Callable[[Config], Any]
"""A middleware's `next_fn`: `next_fn(config)` gives the Response (sync calls, plain `def`
middleware) or an awaitable of it (`return await next_fn(ctx)` works on both kinds of call)."""
Middleware = Callable[[Config, NextFn], Any]
"""`(config, next_fn) -> Response`, or an awaitable of it."""

HOOK_NAMES = (
    "on_register",
    "on_unregister",
    "on_request",
    "on_transport",
    "on_response",
    "on_error",
)


class Plugin:
    """Base class for plugins: override any of the hooks, nothing else is required.

    ```python
    class CorrelationIdPlugin(Plugin):
        def on_request(self, config):
            config["headers"]["X-Correlation-Id"] = str(uuid.uuid4())
            return config
    ```

    Only overridden methods become hook implementations, so an empty hook costs nothing. The
    hooks and their order are documented in `axios_python.hookspecs`. `name` (default: the
    class name) identifies the plugin in errors and in `api.plugins`.
    """

    name: str | None = None

    # Placeholders, never called: only overridden methods become hook implementations. Their
    # gradual signatures let an override take any subset of the hook's arguments (see
    # `axios_python.hookspecs`), e.g. `on_response(self, response)` or `on_response(self, response, attempt)`.

    def on_register(self, *args: Any, **kwargs: Any) -> Any:
        """`on_register(client)`: once, when registered on a client."""

    def on_unregister(self, *args: Any, **kwargs: Any) -> Any:
        """`on_unregister(client)`: once, when `client.unplug()` removes the plugin."""

    def on_request(self, *args: Any, **kwargs: Any) -> Any:
        """`on_request(config, attempt)`: before each attempt's request is built."""

    def on_transport(self, *args: Any, **kwargs: Any) -> Any:
        """`on_transport(request, config, attempt)`: return a Response to skip the network."""

    def on_response(self, *args: Any, **kwargs: Any) -> Any:
        """`on_response(response, config, attempt)`: each attempt's response."""

    def on_error(self, *args: Any, **kwargs: Any) -> Any:
        """`on_error(error, config, attempt)`: each failed attempt."""


def plugin_name(plugin: Any) -> str:
    name = getattr(plugin, "name", None)
    if isinstance(name, str) and name:
        return name
    return type(plugin).__name__ if not inspect.ismodule(plugin) else plugin.__name__


def has_awaitable(result: Any) -> bool:
    """Whether a hook result (a list of results, or one value) needs awaiting."""
    if type(result) is list:
        return any(inspect.isawaitable(r) for r in result) if result else False
    return result is not None and inspect.isawaitable(result)


def bad_on_request_result(result: Any, config: Any) -> str | None:
    """What is wrong with a value an `on_request` implementation returned (None if nothing).

    The contract (see `axios_python.hookspecs.on_request`): mutate `config` in place and
    return None, or `config` itself.
    """
    if result is None or result is config:
        return None
    kind = "another mapping" if isinstance(result, Mapping) else type(result).__name__
    return (
        f"on_request returned {kind}; mutate the config in place and return None (or the "
        "config itself): a returned value never replaces the config"
    )
