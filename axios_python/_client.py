"""`AxiosPython`: an isolated client with its own defaults, interceptors, middleware and plugins."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
from typing_extensions import TypeVar

from ._config import merge_config, split_client_options
from ._environment import netrc_credentials
from ._exceptions import AxiosPythonError, ConfigError, PluginError
from ._interceptors import Interceptors
from ._pipeline import ASYNC, SYNC, Middleware, Pipeline, run_sync
from ._plugins import plugin_name

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._manager import PluginManager
    from ._models import Response
    from ._transports.base import BaseTransport
    from ._validation import RequestOptions

__all__ = ["AxiosPython", "create"]

URL = str | httpx.URL
T = TypeVar("T", default=Any)  # the type of `response.data` (a response_model, else Any)


class AxiosPython:
    """An HTTP client instance. Nothing it holds is shared with any other instance.

    Args:
        config: defaults for every request (see the configuration reference), validated now;
            an unknown key or a wrong type raises `ConfigError` naming it.
        transport: a `BaseTransport` to send with, or the name of an installed transport
            (entry point group `axios_python.transports`, e.g. "httpx", "aiohttp"); the
            client-only options (verify, proxy, limits, ...) are passed to a named transport.
            Default: "httpx", pooled httpx clients.
    """

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        transport: BaseTransport | str | None = None,
    ) -> None:
        options: dict[str, Any] = {}
        if config is not None:
            from ._validation import validate_client_options

            options = validate_client_options(config)
        self.defaults, transport_options = split_client_options(options)
        self.transport = _make_transport(
            transport if transport is not None else options.get("transport"), transport_options
        )
        # netrc credentials by host, under trust_env (as requests): read once, here
        self._netrc = netrc_credentials() if options.get("trust_env", True) else {}
        self.interceptors = Interceptors()
        self._lock = threading.RLock()  # a plugin's on_register may call use()
        self._middlewares: tuple[Middleware, ...] = ()
        self._plugin_manager: PluginManager | None = None
        self._pipeline = Pipeline(self, ())
        for plugin in options.get("plugins", ()):
            if isinstance(plugin, tuple) and len(plugin) == 2 and isinstance(plugin[0], str):
                self.plugin(plugin[0], **plugin[1])
            else:
                self.plugin(plugin)
        if os.environ.get("AXIOS_PYTHON_PLUGINS"):
            from ._discovery import autoload

            for plugin in autoload():
                self.plugin(plugin)

    # --- composition ---------------------------------------------------------------------

    def use(self, middleware: Middleware) -> Middleware:
        """Add a middleware `(ctx, next_fn) -> response` (async def or def); first added is outermost."""
        if not callable(middleware):
            raise TypeError("middleware must be a callable (ctx, next_fn) -> response")
        with self._lock:
            self._middlewares = (*self._middlewares, middleware)
            self._pipeline = Pipeline(self, self._middlewares)
        return middleware

    def eject_middleware(self, middleware: Middleware) -> None:
        """Remove a middleware added with `use()`."""
        with self._lock:
            self._middlewares = tuple(m for m in self._middlewares if m is not middleware)
            self._pipeline = Pipeline(self, self._middlewares)

    def plugin(self, plugin: Any, **options: Any) -> Any:
        """Register a plugin on this client only, and return it.

        `plugin` is a plugin object, or the name of an installed plugin (entry point group
        `axios_python.plugins`) to instantiate with `options`: `api.plugin("cache", ttl=120)`.
        Registering the same plugin (or plugin name) twice raises `ConfigError`.
        """
        if isinstance(plugin, str):
            from ._discovery import load_plugin

            plugin = load_plugin(plugin, **options)
        elif options:
            raise ConfigError(
                "options are only accepted with a plugin name: api.plugin('name', **options)"
            )
        with self._lock:
            if self._plugin_manager is None:
                from ._manager import PluginManager

                self._plugin_manager = PluginManager()
                self._plugin_manager.hook.on_register.call_historic(kwargs={"client": self})
            pm = self._plugin_manager
            if pm.is_registered(plugin) or pm.has_plugin(plugin_name(plugin)):
                raise ConfigError(
                    f"plugin {plugin_name(plugin)!r} is already registered", key="plugins"
                )
            try:
                pm.register(plugin)
            except AxiosPythonError:
                raise
            except Exception as exc:
                if pm.is_registered(plugin):
                    pm.unregister(plugin)
                raise PluginError(
                    f"plugin {plugin_name(plugin)!r} failed to register: {type(exc).__name__}: {exc}",
                    plugin=plugin_name(plugin),
                    hook="on_register",
                ) from exc
        return plugin

    def unplug(self, plugin: Any) -> None:
        """Unregister a plugin."""
        if self._plugin_manager is not None:
            self._plugin_manager.unregister(plugin)

    @property
    def plugins(self) -> list[Any]:
        """The plugins registered on this client."""
        pm = self._plugin_manager
        return [] if pm is None else [p for _, p in pm.list_name_plugin()]

    # --- requests ------------------------------------------------------------------------

    def _config(self, method: str, url: URL, options: dict[str, Any]) -> dict[str, Any]:
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
            pipeline.dispatch(self._config(method.upper(), url, given), SYNC),
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
        return await self._pipeline.dispatch(self._config(method.upper(), url, given), ASYNC)

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


def _make_transport(
    transport: BaseTransport | str | None, options: dict[str, Any]
) -> BaseTransport:
    """The client's transport: the default, a named (installed) one, or the given object."""
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
