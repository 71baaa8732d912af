"""`AxiosPython`: an isolated client with its own defaults, interceptors, middleware and plugins."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

import httpx
from typing_extensions import TypeVar

from ._config import merge_config, split_client_options
from ._environment import netrc_credentials
from ._exceptions import AxiosPythonError, ConfigError, PluginError
from ._interceptors import Interceptors
from ._middleware import Middleware, MiddlewareStack
from ._pipeline import ASYNC, SYNC, Pipeline, run_sync
from ._plugins import plugin_name

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._manager import PluginManager
    from ._models import Response
    from ._transports.base import BaseTransport
    from ._validation import RequestOptions

__all__ = ["AxiosPython", "create"]

_ENV_NAMES = (  # the environment variables of plugin activation (see _discovery)
    "AXIOS_PYTHON_PLUGINS",
    "AXIOS_PYTHON_PLUGINS_CONFIG",
    "AXIOS_PYTHON_DISABLE_PLUGINS",
)

URL = str | httpx.URL
T = TypeVar("T", default=Any)  # the type of `response.data` (a response_model, else Any)


class AxiosPython:
    """An HTTP client instance. Nothing it holds is shared with any other instance.

    Args:
        config: defaults for every request (see the configuration reference), validated now;
            an unknown key or a wrong type raises `ConfigError` naming it.
        transport: a `BaseTransport` to send with, or the name of an installed transport
            (entry point group `axios_python.transports`, e.g. "httpx", "aiohttp", "urllib3");
            the client-only options (verify, proxy, limits, ...) are passed to a named
            transport. A pair `{"sync": "urllib3", "async": "aiohttp"}` sends each kind of call
            with its own transport (one cookie jar); `"fast"` is that pair.
            Default: "httpx", pooled httpx clients.
    """

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        transport: BaseTransport | str | Mapping[str, Any] | None = None,
    ) -> None:
        options: dict[str, Any] = {}
        if config is not None:
            from ._validation import validate_client_options

            options = validate_client_options(config)
        self.defaults, transport_options = split_client_options(options)
        made = _make_transport(
            transport if transport is not None else options.get("transport"), transport_options
        )
        # netrc credentials by host, under trust_env (as requests): read once, here
        netrc = netrc_credentials() if options.get("trust_env", True) else {}
        self.interceptors = Interceptors()
        self._lock = threading.RLock()  # a plugin's on_register may call use()
        self._stack = MiddlewareStack()
        self._plugin_manager: PluginManager | None = None
        self._owned: dict[str, _Owned] = {}  # plugin name -> what it registered, its origin
        self._pipeline = Pipeline(
            transport=made,
            interceptors=self.interceptors,
            middlewares=self._stack,
            netrc=netrc,
        )
        for plugin in options.get("plugins", ()):
            if isinstance(plugin, tuple) and len(plugin) == 2 and isinstance(plugin[0], str):
                self._add(*_by_name(plugin[0], plugin[1]), "create(plugins=[...])")
            elif isinstance(plugin, str):
                self._add(*_by_name(plugin, {}), "create(plugins=[...])")
            else:
                self._add(*_by_object(plugin), "create(plugins=[...])")
        if options.get("autoload", True) and any(n in os.environ for n in _ENV_NAMES):
            from ._discovery import autoload

            for plugin, activation in autoload():
                self._add(plugin, activation.name, activation.origin, from_environment=True)

    @property
    def transport(self) -> BaseTransport:
        """The transport this client sends with (its pipeline's)."""
        return self._pipeline.transport

    @transport.setter
    def transport(self, transport: BaseTransport) -> None:
        self._pipeline.transport = transport

    # --- composition ---------------------------------------------------------------------

    def use(self, middleware: Middleware, *, outermost: bool = False) -> Middleware:
        """Add a middleware `(ctx, next_fn) -> response` (async def or def); first added is outermost.

        `outermost=True` puts it outside every middleware added so far instead: for a plugin
        that must see each call whole (tracing), including what other middleware answer
        without sending (a cache's hits). Added from a plugin's `on_register`, it belongs to
        that plugin: `unplug()` removes it.
        """
        if not callable(middleware):
            raise TypeError("middleware must be a callable (ctx, next_fn) -> response")
        with self._lock:
            self._stack.add(middleware, outermost=outermost)
        return middleware

    def eject_middleware(self, middleware: Middleware) -> None:
        """Remove a middleware added with `use()` (one that is not there is ignored)."""
        with self._lock:
            self._stack.remove(middleware)

    @property
    def middlewares(self) -> tuple[Middleware, ...]:
        """The middleware added with `use()`, outermost first."""
        return self._stack.entries

    @property
    def _middlewares(self) -> tuple[Middleware, ...]:
        return self._stack.entries

    def plugin(self, plugin: Any, **options: Any) -> Any:
        """Register a plugin on this client only, and return it.

        `plugin` is a plugin object, registered under its `name` (default: its class name), or
        the name of an installed plugin (entry point group `axios_python.plugins`) to
        instantiate with `options` and register under that name: `api.plugin("cache", ttl=120)`.

        A plugin that environment activation registered (`AXIOS_PYTHON_PLUGINS`, a bundle, the
        configuration file) gives way to the same plugin registered here, by name or by class:
        the activated one is unplugged first. Any other clash of names raises `ConfigError`
        naming where both came from.
        """
        if isinstance(plugin, str):
            return self._add(*_by_name(plugin, options), "api.plugin()")
        if options:
            raise ConfigError(
                "options are only accepted with a plugin name: api.plugin('name', **options)"
            )
        return self._add(*_by_object(plugin), "api.plugin()")

    def _add(self, plugin: Any, name: str, origin: str, *, from_environment: bool = False) -> Any:
        with self._lock:
            pm = self._manager()
            if from_environment:
                if self._replaced_by_explicit(plugin, name):
                    return None  # explicit registration wins over environment activation
            else:
                for other in self._activated_like(plugin, name):
                    self.unplug(other)
            if pm.is_registered(plugin) or pm.has_plugin(name):
                raise ConfigError(self._clash(plugin, name, origin), key="plugins")
            self._register(pm, plugin, name, origin, from_environment)
        return plugin

    def _manager(self) -> PluginManager:
        if self._plugin_manager is None:
            from ._manager import PluginManager

            self._plugin_manager = PluginManager()
            self._pipeline.plugins = self._plugin_manager
            self._plugin_manager.hook.on_register.call_historic(kwargs={"client": self})
        return self._plugin_manager

    def _replaced_by_explicit(self, plugin: Any, name: str) -> bool:
        """Whether an explicitly registered plugin already is this activated one."""
        for owned_name, owned in self._owned.items():
            if owned.from_environment:
                continue
            if _same(owned.plugin, owned_name, plugin, name):
                return True
        return False

    def _activated_like(self, plugin: Any, name: str) -> list[Any]:
        """Environment-activated plugins that `plugin`, registered explicitly, replaces."""
        return [
            owned.plugin
            for owned_name, owned in self._owned.items()
            if owned.from_environment and _same(owned.plugin, owned_name, plugin, name)
        ]

    def _clash(self, plugin: Any, name: str, origin: str) -> str:
        owned = self._owned.get(name)
        if owned is None and self._plugin_manager is not None:
            registered_as = self._plugin_manager.get_name(plugin)
            owned = self._owned.get(registered_as or "")
        before = f" by {owned.origin}" if owned is not None else ""
        return (
            f"plugin {name!r} is already registered{before}; this one comes from {origin}. "
            "Unplug the first, or give one of them another name"
        )

    def _register(
        self, pm: PluginManager, plugin: Any, name: str, origin: str, from_environment: bool
    ) -> None:
        """Register, recording the middleware and interceptors `on_register` adds."""
        before = (self._middlewares, _ids(self.interceptors))
        try:
            pm.register(plugin, name)
        except AxiosPythonError:
            self._drop_added(before)
            raise
        except Exception as exc:
            if pm.is_registered(plugin):
                pm.unregister(plugin)
            self._drop_added(before)
            raise PluginError(
                f"plugin {name!r} failed to register: {type(exc).__name__}: {exc}",
                plugin=name,
                hook="on_register",
            ) from exc
        middlewares = tuple(m for m in self._middlewares if m not in before[0])
        request, response = _ids(self.interceptors)
        self._owned[name] = _Owned(
            plugin,
            origin,
            from_environment,
            middlewares,
            request - before[1][0],
            response - before[1][1],
        )

    def _drop_added(self, before: tuple[tuple[Middleware, ...], tuple[set[int], set[int]]]) -> None:
        """A plugin that failed to register keeps nothing it added."""
        added = _Owned(None, "", False, tuple(m for m in self._middlewares if m not in before[0]))
        request, response = _ids(self.interceptors)
        added.request_ids, added.response_ids = request - before[1][0], response - before[1][1]
        self._release(added)

    def _release(self, owned: _Owned) -> None:
        for middleware in owned.middlewares:
            self.eject_middleware(middleware)
        for handler_id in owned.request_ids:
            self.interceptors.request.eject(handler_id)
        for handler_id in owned.response_ids:
            self.interceptors.response.eject(handler_id)

    def unplug(self, plugin: Any) -> None:
        """Unregister a plugin (the object, or the name it is registered under).

        Calls its `on_unregister(client)` hook, then removes its hooks and the middleware and
        interceptors its `on_register` added. A plugin that is not registered is ignored.
        """
        with self._lock:
            pm = self._plugin_manager
            if pm is None:
                return
            name = plugin if isinstance(plugin, str) else pm.get_name(plugin)
            target = pm.get_plugin(name) if name is not None else None
            if name is None or target is None:
                return
            owned = self._owned.pop(name, None)
            try:
                pm.call_unregister(target, self)
            except Exception as exc:
                error: Exception | None = exc
            else:
                error = None
            if owned is not None:
                self._release(owned)
            pm.unregister(target)
        if isinstance(error, AxiosPythonError):
            raise error
        if error is not None:
            raise PluginError(
                f"plugin {name!r} raised in on_unregister: {type(error).__name__}: {error} "
                "(it was unplugged all the same)",
                plugin=name,
                hook="on_unregister",
            ) from error

    @property
    def plugins(self) -> list[Any]:
        """The plugins registered on this client."""
        pm = self._plugin_manager
        return [] if pm is None else [p for _, p in pm.list_name_plugin()]

    def get_plugin(self, name: str) -> Any:
        """The plugin registered under `name`, or None."""
        pm = self._plugin_manager
        return None if pm is None else pm.get_plugin(name)

    def has_plugin(self, plugin: Any) -> bool:
        """Whether `plugin` (an object, or the name it is registered under) is registered."""
        pm = self._plugin_manager
        if pm is None:
            return False
        return pm.has_plugin(plugin) if isinstance(plugin, str) else pm.is_registered(plugin)

    def plugin_origin(self, plugin: Any) -> str | None:
        """Where a registered plugin came from: "api.plugin()", "create(plugins=[...])",
        "AXIOS_PYTHON_PLUGINS", a bundle or a configuration file; None if not registered."""
        pm = self._plugin_manager
        if pm is None:
            return None
        name = plugin if isinstance(plugin, str) else pm.get_name(plugin)
        owned = self._owned.get(name or "")
        return owned.origin if owned is not None else None

    def implements(self, hook: str) -> bool:
        """Whether some registered plugin implements `hook` (e.g. "on_request")."""
        pm = self._plugin_manager
        return pm is not None and hook in pm.active

    # --- requests ------------------------------------------------------------------------

    def _merged(self, method: str, url: URL, options: dict[str, Any]) -> dict[str, Any]:
        if options:
            options = (_validate_options or _load_validator())(options)
        return merge_config(self.defaults, method, url, options)

    def request(
        self,
        method: str,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        """Send a request and return its response (or raise an `AxiosPythonError`).

        `response_model`: a type pydantic's `TypeAdapter` accepts (a model, a dataclass,
        `list[Model]`...); `response.data` is then the validated value, and a body that does
        not match raises `ResponseValidationError` (carrying the response).
        """
        given: dict[str, Any] = dict(options)
        if response_model is not None:
            given["response_model"] = response_model
        pipeline = self._pipeline
        return run_sync(
            pipeline.dispatch(self._merged(method.upper(), url, given), SYNC),
            pipeline.names,
        )

    async def async_request(
        self,
        method: str,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        """`request()`, as a coroutine."""
        given: dict[str, Any] = dict(options)
        if response_model is not None:
            given["response_model"] = response_model
        return await self._pipeline.dispatch(self._merged(method.upper(), url, given), ASYNC)

    def get(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return self.request("GET", url, response_model=response_model, **options)

    def post(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return self.request("POST", url, response_model=response_model, **options)

    def put(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return self.request("PUT", url, response_model=response_model, **options)

    def patch(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return self.request("PATCH", url, response_model=response_model, **options)

    def delete(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return self.request("DELETE", url, response_model=response_model, **options)

    def head(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return self.request("HEAD", url, response_model=response_model, **options)

    def options(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return self.request("OPTIONS", url, response_model=response_model, **options)

    async def async_get(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return await self.async_request("GET", url, response_model=response_model, **options)

    async def async_post(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return await self.async_request("POST", url, response_model=response_model, **options)

    async def async_put(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return await self.async_request("PUT", url, response_model=response_model, **options)

    async def async_patch(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return await self.async_request("PATCH", url, response_model=response_model, **options)

    async def async_delete(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return await self.async_request("DELETE", url, response_model=response_model, **options)

    async def async_head(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return await self.async_request("HEAD", url, response_model=response_model, **options)

    async def async_options(
        self,
        url: URL,
        *,
        response_model: type[T] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Response[T]:
        return await self.async_request("OPTIONS", url, response_model=response_model, **options)

    # --- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Release pooled connections (sync). The client may still be used afterwards."""
        self.transport.close()

    async def aclose(self) -> None:
        """Release pooled connections (async and sync)."""
        await self.transport.aclose()

    def __enter__(self) -> AxiosPython:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> AxiosPython:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        base = self.defaults.get("base_url")
        return f"<AxiosPython base_url={str(base)!r}>" if base else "<AxiosPython>"


_validate_options: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None


def _load_validator() -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The options validator, imported on the first request with options: pydantic stays out
    of `import axios_python`, and later requests skip the import statement's own cost."""
    global _validate_options
    from ._validation import validate_request_options

    _validate_options = validate_request_options
    return validate_request_options


class _Owned:
    """A registered plugin, where it came from, and what its `on_register` added."""

    __slots__ = (
        "from_environment",
        "middlewares",
        "origin",
        "plugin",
        "request_ids",
        "response_ids",
    )

    def __init__(
        self,
        plugin: Any,
        origin: str,
        from_environment: bool,
        middlewares: tuple[Middleware, ...] = (),
        request_ids: set[int] | None = None,
        response_ids: set[int] | None = None,
    ) -> None:
        self.plugin = plugin
        self.origin = origin
        self.from_environment = from_environment
        self.middlewares = middlewares
        self.request_ids = request_ids or set()
        self.response_ids = response_ids or set()


def _same(one: Any, one_name: str, other: Any, other_name: str) -> bool:
    """Whether two plugins are "the same plugin": one name, or one class (modules aside)."""
    if one_name == other_name:
        return True
    return type(one) is type(other) and not isinstance(one, ModuleType)


def _ids(interceptors: Interceptors) -> tuple[set[int], set[int]]:
    return (
        {h.id for h in interceptors.request.handlers},
        {h.id for h in interceptors.response.handlers},
    )


def _by_name(name: str, options: Mapping[str, Any]) -> tuple[Any, str]:
    """An installed plugin, instantiated, and the entry point name it registers under."""
    from ._discovery import load_plugin

    return load_plugin(name, **options), name


def _by_object(plugin: Any) -> tuple[Any, str]:
    return plugin, plugin_name(plugin)


def _make_transport(
    transport: BaseTransport | str | Mapping[str, Any] | None, options: dict[str, Any]
) -> BaseTransport:
    """The client's transport: the default, a named (installed) one, a pair ("fast",
    `{"sync": ..., "async": ...}`), or the given object."""
    if transport == "fast" or isinstance(transport, Mapping):
        from ._transports.pair import make_pair

        return make_pair(transport, options)
    if transport is None:
        from ._transports.default import HttpxTransport

        return HttpxTransport(**options)
    if isinstance(transport, str):
        from ._discovery import load_transport

        loaded: BaseTransport = load_transport(transport, **options)
        return loaded
    if set(options) - {"max_redirects"}:
        keys = ", ".join(sorted(set(options) - {"max_redirects"}))
        raise ConfigError(
            f"{keys} configure the default transport; give them to your own transport instead"
        )
    return transport


def create(config: Mapping[str, Any] | None = None, **options: Any) -> AxiosPython:
    """A new, isolated client: `create({"base_url": ..., "timeout": 15})`."""
    if options:
        if config is not None and not isinstance(config, Mapping):
            from ._validation import validate_client_options

            validate_client_options(config)  # raises the ConfigError for a non-mapping
        config = {**(config or {}), **options}
    return AxiosPython(config)
