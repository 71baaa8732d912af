"""A urllib3 transport for axios_python: urllib3's sync speed behind the same API.

Select it per client::

    api = axios_python.create({"transport": "urllib3", "base_url": "https://api.example.com"})
    api.get("/users")

Sync calls go through one `urllib3.PoolManager` (thread-safe, one pool per origin). Async calls
on the same client go to an internal `HttpxTransport` sharing the same cookie jar: urllib3 has
no async API. For fast async calls too, pair it with the aiohttp transport:
`{"transport": "fast"}` or `{"transport": {"sync": "urllib3", "async": "aiohttp"}}`.

Everything above the transport (interceptors, middleware, retries, plugins, cancellation) is the
core's and works unchanged. The transport does what httpx's client does for the default
transport: redirects (hop by hop, the cookie jar applied on every hop), cookies, `httpx.Auth`
flows, streaming, progress, per-phase timeouts, cancellation from another thread, and the
mapping of urllib3's errors to axios_python errors.
"""

from __future__ import annotations

from ._transport import Urllib3Transport, map_urllib3_error
from ._version import __version__

__all__ = ["Urllib3Transport", "__version__", "map_urllib3_error"]
