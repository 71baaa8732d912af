"""The one place where httpx's exceptions become axios_python's (as httpcore's `map_exceptions`)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from ._exceptions import (
    AxiosPythonError,
    ConfigError,
    NetworkError,
    StreamError,
    TimeoutError,
    TooManyRedirects,
)

__all__ = ["map_httpx_error", "map_httpx_errors"]

_TIMEOUT_PHASES: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}


def map_httpx_error(
    exc: httpx.HTTPError | httpx.InvalidURL | httpx.StreamError, request: Any
) -> AxiosPythonError:
    """The axios_python error for an httpx error. `request` may be None (bad URL)."""
    context: dict[str, Any] = {"request": request, "config": getattr(request, "config", None)}
    message = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        phase = _TIMEOUT_PHASES.get(type(exc), "read")
        return TimeoutError(f"{phase} timeout: {message}", phase=phase, **context)
    if isinstance(exc, httpx.ConnectError):
        refused = _caused_by(exc, ConnectionRefusedError) or "refused" in message.lower()
        return NetworkError(message, code="ECONNREFUSED" if refused else "ERR_NETWORK", **context)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return NetworkError(message, code="ECONNRESET", **context)
    if isinstance(exc, httpx.RemoteProtocolError):
        lowered = message.lower()
        reset = "disconnected" in lowered or "closed" in lowered
        return NetworkError(message, code="ECONNRESET" if reset else "ERR_BAD_RESPONSE", **context)
    if isinstance(exc, httpx.DecodingError):
        return NetworkError(message, code="ERR_BAD_RESPONSE", **context)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return ConfigError(f"invalid URL: {message}", key="url", code="ERR_INVALID_URL", **context)
    if isinstance(exc, httpx.LocalProtocolError):
        return ConfigError(f"invalid request: {message}", code="ERR_BAD_OPTION_VALUE", **context)
    if isinstance(exc, httpx.TooManyRedirects):
        return TooManyRedirects(message, **context)
    if isinstance(exc, httpx.StreamError):
        return StreamError(message, **context)
    return NetworkError(message, **context)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` appears in the chain of causes/contexts of `exc`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@contextmanager
def map_httpx_errors(request: Any) -> Iterator[None]:
    """Re-raise httpx errors raised inside the block as axios_python errors, chained.

    A TLS alert that arrives after the handshake (TLS 1.3 sends "certificate required" with
    the first read) escapes httpcore's async streams as a bare `ssl.SSLError`: a NetworkError.
    """
    try:
        yield
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise map_httpx_error(exc, request) from exc
    except ssl.SSLError as exc:
        context: dict[str, Any] = {"request": request, "config": getattr(request, "config", None)}
        raise NetworkError(f"TLS error: {exc}", code="ERR_NETWORK", **context) from exc
