"""`BaseTransport`: the seam where axios_python hands a request to the network."""

from __future__ import annotations

from .._models import Request, Response

__all__ = ["BaseTransport"]


class BaseTransport:
    """Subclass and implement `send` (sync calls) and `send_async` (async calls).

    `request` is an `httpx.Request` whose `.config` holds the final request config (`stream`,
    `follow_redirects`, `cancel_token`, ...). Return a `Response`. Raise axios_python errors, or
    httpx errors, which the pipeline maps to axios_python errors. The pipeline owns retries,
    cancellation checks between phases, interceptors, middleware and plugins: a transport only
    sends.
    """

    def send(self, request: Request) -> Response:
        raise NotImplementedError(f"{type(self).__name__} does not support sync requests")

    async def send_async(self, request: Request) -> Response:
        raise NotImplementedError(f"{type(self).__name__} does not support async requests")

    def close(self) -> None:
        """Release connections held for sync requests."""

    async def aclose(self) -> None:
        """Release connections held for async requests (and sync ones)."""
        self.close()
