"""`MockTransport`: answer requests from a function, for tests of code that uses axios_python."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from .._models import Request, Response
from .base import BaseTransport

__all__ = ["MockTransport"]

Handler = Callable[[Request], "Response | httpx.Response | Awaitable[Response | httpx.Response]"]


class MockTransport(BaseTransport):
    """Calls `handler(request)` for every request and records the requests it saw.

    The handler returns a `Response` (or an `httpx.Response`); on async calls it may be a
    coroutine function. With `stream=True` the body is still in memory, so streaming works::

        transport = MockTransport(lambda request: Response(200, data={"id": 1}))
        api = AxiosPython(transport=transport)
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []

    def send(self, request: Request) -> Response:
        self.requests.append(request)
        result: Any = self.handler(request)
        if inspect.isawaitable(result):
            close = getattr(result, "close", None)
            if close is not None:
                close()
            raise TypeError("MockTransport: an async handler cannot answer a sync request")
        return _as_response(result, request)

    async def send_async(self, request: Request) -> Response:
        self.requests.append(request)
        result: Any = self.handler(request)
        if inspect.isawaitable(result):
            result = await result
        return _as_response(result, request)


def _as_response(result: Response | httpx.Response, request: Request) -> Response:
    if isinstance(result, httpx.Response):
        result.request = request
        return Response(raw=result, request=request, config=request.config)
    if result.request is None:
        result.request = request
        result.config = request.config
    return result
