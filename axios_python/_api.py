"""Module-level helpers (`axios_python.get(...)`), sharing one lazily created default client.

The default client is created on first use, under a lock, and keeps its connections alive
between calls; it is an ordinary `AxiosPython()`, so it is thread-safe like any client.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ._client import URL, AxiosPython, T

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._models import Response
    from ._validation import RequestOptions

__all__ = [
    "async_delete",
    "async_get",
    "async_head",
    "async_options",
    "async_patch",
    "async_post",
    "async_put",
    "async_request",
    "default_client",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "request",
]

_default: AxiosPython | None = None
_lock = threading.Lock()


def default_client() -> AxiosPython:
    """The client behind the module-level helpers."""
    global _default
    client = _default
    if client is None:
        with _lock:
            if _default is None:
                _default = AxiosPython()
            client = _default
    return client


def request(
    method: str,
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return default_client().request(method, url, response_model=response_model, **options)


def get(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return default_client().request("GET", url, response_model=response_model, **options)


def post(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return default_client().request("POST", url, response_model=response_model, **options)


def put(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return default_client().request("PUT", url, response_model=response_model, **options)


def patch(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return default_client().request("PATCH", url, response_model=response_model, **options)


def delete(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return default_client().request("DELETE", url, response_model=response_model, **options)


def head(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return default_client().request("HEAD", url, response_model=response_model, **options)


def options(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return default_client().request("OPTIONS", url, response_model=response_model, **options)


async def async_request(
    method: str,
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return await default_client().async_request(
        method, url, response_model=response_model, **options
    )


async def async_get(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return await default_client().async_request(
        "GET", url, response_model=response_model, **options
    )


async def async_post(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return await default_client().async_request(
        "POST", url, response_model=response_model, **options
    )


async def async_put(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return await default_client().async_request(
        "PUT", url, response_model=response_model, **options
    )


async def async_patch(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return await default_client().async_request(
        "PATCH", url, response_model=response_model, **options
    )


async def async_delete(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return await default_client().async_request(
        "DELETE", url, response_model=response_model, **options
    )


async def async_head(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return await default_client().async_request(
        "HEAD", url, response_model=response_model, **options
    )


async def async_options(
    url: URL,
    *,
    response_model: type[T] | None = None,
    **options: Unpack[RequestOptions],
) -> Response[T]:
    return await default_client().async_request(
        "OPTIONS", url, response_model=response_model, **options
    )
