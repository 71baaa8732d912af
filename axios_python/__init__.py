"""axios_python: an axios-style orchestration layer on httpx.

Interceptors, middleware, retries, cancellation and plugins around one request pipeline that
sync (`api.get`) and async (`await api.async_get`) calls share.
"""

import typing

from . import _known
from ._api import (
    async_delete,
    async_get,
    async_head,
    async_options,
    async_patch,
    async_post,
    async_put,
    async_request,
    default_client,
    delete,
    get,
    head,
    options,
    patch,
    post,
    put,
    request,
)
from ._calls import needs_event_loop
from ._cancel import CancelToken
from ._client import AxiosPython, create
from ._environment import ProxyEnvironment, environment_proxies, proxy_parts, ssl_context
from ._exceptions import (
    AxiosPythonError,
    CancelError,
    ConfigError,
    ContentTooLargeError,
    HTTPStatusError,
    MiddlewareError,
    NetworkError,
    PluginError,
    ResponseValidationError,
    RetryError,
    StreamError,
    TimeoutError,
    TooManyRedirects,
)
from ._fastpaths import HeaderItems, cookies_empty, header_items, stored_response
from ._flight import SingleFlight, WouldDeadlock
from ._interceptors import InterceptorManager, Interceptors
from ._limits import ConnectionLimiter
from ._models import Request, Response
from ._origins import HostPolicy
from ._pipeline import is_async_call
from ._plugins import Config, Middleware, NextFn, Plugin
from ._progress import ProgressEvent
from ._retry import ExponentialBackoff, FixedBackoff, LinearBackoff, RetryStrategy
from ._sockets import connect_tcp
from ._timings import Timings
from ._transports.base import BaseTransport, LoopLocal, StreamedBody
from ._transports.mock import MockTransport
from ._transports.pair import TransportPair
from ._urls import resolve_url
from ._version import __version__

if typing.TYPE_CHECKING:  # imported lazily at run time (see __getattr__): pluggy loads on use
    from ._transports.default import HttpxTransport
    from .hookspecs import hookimpl, hookspec

__all__ = [
    "AuthPlugin",
    "AxiosPython",
    "AxiosPythonError",
    "BaseTransport",
    "CachePlugin",
    "CancelError",
    "CancelToken",
    "Config",
    "ConfigError",
    "ConnectionLimiter",
    "ContentTooLargeError",
    "ExponentialBackoff",
    "FixedBackoff",
    "HTTPStatusError",
    "HeaderItems",
    "HostPolicy",
    "HttpxTransport",
    "InterceptorManager",
    "Interceptors",
    "LinearBackoff",
    "LoggerPlugin",
    "LoopLocal",
    "Middleware",
    "MiddlewareError",
    "MockTransport",
    "NetworkError",
    "NextFn",
    "OtelPlugin",
    "Plugin",
    "PluginError",
    "ProgressEvent",
    "ProxyEnvironment",
    "Request",
    "Response",
    "ResponseValidationError",
    "RetryError",
    "RetryStrategy",
    "SingleFlight",
    "StreamError",
    "StreamedBody",
    "TimeoutError",
    "Timings",
    "TooManyRedirects",
    "TransportPair",
    "WouldDeadlock",
    "__version__",
    "async_delete",
    "async_get",
    "async_head",
    "async_options",
    "async_patch",
    "async_post",
    "async_put",
    "async_request",
    "connect_tcp",
    "cookies_empty",
    "create",
    "default_client",
    "delete",
    "environment_proxies",
    "get",
    "head",
    "header_items",
    "hookimpl",
    "hookspec",
    "is_async_call",
    "needs_event_loop",
    "options",
    "patch",
    "post",
    "proxy_parts",
    "put",
    "request",
    "resolve_url",
    "ssl_context",
    "stored_response",
]

# Names that live in separately installed plugin distributions, and the extra that installs each.
_PLUGIN_DISTRIBUTIONS = _known.CLASSES


def __getattr__(name: str) -> typing.Any:
    """Import heavy or optional names on first use, so `import axios_python` stays fast."""
    if name in ("hookimpl", "hookspec"):
        from . import hookspecs

        return getattr(hookspecs, name)
    if name == "HttpxTransport":
        from ._transports.default import HttpxTransport

        return HttpxTransport
    if name in _PLUGIN_DISTRIBUTIONS:
        module_name, extra = _PLUGIN_DISTRIBUTIONS[name]
        try:
            module = __import__(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise  # the plugin is installed but broken: show the real error
            raise ImportError(
                f"{name} lives in the {module_name.replace('_', '-')} distribution, which is not "
                f'installed: pip install "axios-python[{extra}]"',
                name=module_name,
            ) from exc
        return getattr(module, name)
    raise AttributeError(f"module 'axios_python' has no attribute {name!r}")
