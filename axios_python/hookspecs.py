"""Every hook a plugin can implement, and the types they use. The plugin author's reference.

Hooks are pluggy hooks of the project `axios_python`. Mark implementations with
`axios_python.hookimpl` (or subclass `axios_python.Plugin`, whose overridden `on_*` methods are
hook implementations without a marker). An implementation may take any subset of the arguments;
`attempt` is the attempt number (1 for the first, 2 for the first retry, ...).

Once per plugin and client: `on_register(client)` when the plugin is registered (a pluggy
*historic* hook: a plugin registered later is still called), and `on_unregister(client)` when
`client.unplug(plugin)` removes it. Middleware and interceptors that `on_register` adds belong
to the plugin: `unplug()` removes them (after `on_unregister`), so a plugin needs no clean-up
code for them.

Per attempt (the retry engine runs this once per attempt), in this order:

1. `on_request(config)`       before the request is built: mutate `config` in place.
2. `on_transport(request)`    firstresult: return a `Response` to answer without the network.
3. `on_response(response)`    after the transport (or `on_transport`) answered.
4. `on_error(error)`          instead of 3, when the attempt failed.

pluggy calls the implementations of one hook most recently registered first; use
`@hookimpl(tryfirst=True)` / `@hookimpl(trylast=True)` to pin an order. pluggy collects return
values rather than chaining them, so hooks change the flow only where stated below. An
implementation may return an awaitable: it is awaited on async calls, and on sync calls too as
long as it completes without suspending on asyncio I/O (otherwise `PluginError` names it).

Types for annotating hooks and middleware:

- `Config`: the merged config of one request (a `dict`; `config["headers"]` is an
  `httpx.Headers`), which interceptors, middleware and hooks may mutate.
- `NextFn`: what a middleware is given as `next_fn`: `next_fn(config)` returns the `Response`
  on sync calls made by a plain `def` middleware, and an awaitable of it otherwise
  (`return await next_fn(ctx)` in an `async def` middleware works on both kinds of call).
- `Middleware`: `(config, next_fn) -> Response` (or an awaitable of it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from ._plugins import Config, Middleware, NextFn

if TYPE_CHECKING:
    from ._client import AxiosPython
    from ._exceptions import AxiosPythonError
    from ._models import Request, Response

__all__ = [
    "PROJECT",
    "Config",
    "Middleware",
    "NextFn",
    "hookimpl",
    "hookspec",
    "on_error",
    "on_register",
    "on_request",
    "on_response",
    "on_transport",
    "on_unregister",
]

PROJECT = "axios_python"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(historic=True)
def on_register(client: AxiosPython) -> None:
    """Called once when the plugin is registered on `client` (e.g. to `client.use(middleware)`).

    Middleware (`client.use`) and interceptors (`client.interceptors.*.use`) added here are
    owned by the plugin: `client.unplug(plugin)` removes them.
    """


@hookspec
def on_unregister(client: AxiosPython) -> None:
    """Called once when `client.unplug(plugin)` removes the plugin, before what it owns goes.

    For clean-up that `unplug()` cannot do itself: middleware added after `on_register`,
    background work, caches tied to the client.
    """


@hookspec
def on_request(config: Config, attempt: int) -> None:
    """Called before each attempt's request is built from `config`.

    Mutate `config` in place (`config["headers"]["X-Id"] = ...`) and return None (returning
    `config` itself is accepted too). Any other return value is a `PluginError` naming the
    plugin: there is no replacing the config with another mapping.

    Each attempt starts from the config as it entered the retry loop (headers and params
    copied), so changes made here last one attempt; the hook runs again for every retry, so a
    rotated token is picked up.
    """


@hookspec(firstresult=True)
def on_transport(request: Request, config: Config, attempt: int) -> Response | None:
    """Answer `request` without the network by returning a `Response` (a cache hit).

    The first non-None result wins and the transport is skipped; return None to pass. A
    coroutine (an `async def` implementation's result) counts by its value: one that gives None
    passes too, to the next implementation.
    `on_response` still runs for the returned response.
    """


@hookspec
def on_response(response: Response, config: Config, attempt: int) -> Response | None:
    """Called with each attempt's response, before `validate_status` and response interceptors.

    Mutate the response in place (assign `response.data`, set attributes) and return None or
    the response. Returning a different `Response` replaces it; if several implementations do,
    the one called last wins (the earliest registered, by pluggy's order).
    """


@hookspec
def on_error(error: AxiosPythonError, config: Config, attempt: int) -> None:
    """Called when an attempt fails (network error, timeout, rejected status). Observe only;
    the error is then handled by the retry engine and the rejected interceptors."""
