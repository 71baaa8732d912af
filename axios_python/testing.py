"""Test code that uses axios_python without a network, and test plugins against the contract.

The pytest plugin is registered through the `pytest11` entry point, so installing axios_python
is enough: any test can ask for the `axios_mock` fixture::

    def test_profile(axios_mock):
        route = axios_mock.get("https://api.example.com/users/1", json={"name": "Ada"})
        assert fetch_user_name(1) == "Ada"  # your code, calling axios_python.get(...)
        assert route.call_count == 1

While the fixture is active, every client is answered by the router instead of the network,
whatever its transport ("httpx", "aiohttp", or a transport object of your own), including the
module-level helpers and clients created before the test; only clients given a
`MockTransport` of their own keep it. `axios_mock.client(config)` also gives a client wired to
it directly (with environment plugin activation applied, as `create()` does).
An unmatched request raises `UnmatchedRequest` (an `AssertionError`) naming it.

`MockRouter` works without pytest too: `AxiosPython(transport=MockTransport(router))`.

Plugin authors: `PluginContract` is a battery of tests a plugin must pass (sync and async
calls, retries, streaming, error paths, unplug and replug, on every installed transport)::

    from axios_python.testing import PluginContract

    class TestMyPluginContract(PluginContract):
        def make_plugin(self):
            return MyPlugin(option=1)
"""

from __future__ import annotations

import contextlib
import inspect
import json as jsonlib
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from ._client import AxiosPython
from ._models import Request, Response
from ._transports.mock import MockTransport

if TYPE_CHECKING:
    from ._cancel import CancelToken
    from ._transports.base import BaseTransport

__all__ = ["MockRouter", "PluginContract", "Route", "UnmatchedRequest", "axios_mock"]

_UNSET: Any = object()
Handler = Callable[[Request], Any]
Pattern = str | re.Pattern[str] | httpx.URL


class UnmatchedRequest(AssertionError):
    """A request that no route of the router matches."""


class Route:
    """One route: a method and URL pattern, what to answer, and the requests it matched.

    The answer is built anew for every call, so a route can answer many requests.
    """

    def __init__(
        self,
        method: str | None,
        url: Pattern,
        *,
        response: Response | httpx.Response | Sequence[Response | httpx.Response] | None = None,
        status: int = 200,
        json: Any = _UNSET,
        data: Any = _UNSET,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        handler: Handler | None = None,
        raises: BaseException | type[BaseException] | None = None,
    ) -> None:
        given = [
            response is not None,
            handler is not None,
            raises is not None,
            json is not _UNSET or data is not _UNSET or content is not None,
        ]
        if sum(given) > 1:
            raise TypeError("give only one of response=, handler=, raises= or a body")
        self.method = None if method in (None, "*") else str(method).upper()
        self.pattern = url
        self._matcher = _compile(url)
        self.status = status
        self.json = json
        self.data = data
        self.content = content
        self.headers = dict(headers or {})
        self.handler = handler
        self.raises = raises
        self._responses: list[Response | httpx.Response] | None = None
        if isinstance(response, (Response, httpx.Response)):
            self._responses = [response]
        elif response is not None:
            self._responses = list(response)
            if not self._responses:
                raise ValueError("response= needs at least one response")
        self.calls: list[Request] = []

    # --- what tests look at ----------------------------------------------------------------

    @property
    def called(self) -> bool:
        return bool(self.calls)

    @property
    def call_count(self) -> int:
        return len(self.calls)

    @property
    def last_request(self) -> Request:
        if not self.calls:
            raise AssertionError(f"route {self} was never called")
        return self.calls[-1]

    def __repr__(self) -> str:
        return f"<Route {self.method or '*'} {_describe(self.pattern)}>"

    # --- matching and answering --------------------------------------------------------------

    def matches(self, request: httpx.Request) -> bool:
        if self.method is not None and request.method != self.method:
            return False
        return self._matcher(request.url)

    def answer(self, request: Request) -> Any:
        """Build this route's answer to `request` (a Response, or an awaitable for async handlers)."""
        if self.raises is not None:
            raise self.raises
        if self.handler is not None:
            return self.handler(request)
        if self._responses is not None:
            index = min(len(self.calls) - 1, len(self._responses) - 1)
            return _copy(self._responses[index])
        return self._build()

    def _build(self) -> Response:
        if self.content is not None:
            return Response(self.status, headers=self.headers, content=self.content)
        if self.json is not _UNSET:
            return Response(self.status, headers=self.headers, json=self.json)
        if self.data is not _UNSET:
            return Response(self.status, headers=self.headers, data=self.data)
        return Response(self.status, headers=self.headers)


class MockRouter:
    """A route table that answers requests: use it as a `MockTransport` handler.

    Routes are tried most recently added first, so a test can override a broader route.
    URL patterns:

    - `"/users/1"` (starts with "/"): matches that path on any host;
    - `"https://api.example.com/users/1"`: matches scheme, host, port and path;
    - either may end with `?key=value&...`: those query parameters must be present (others may be too);
    - `*` in a string pattern matches any run of characters within the path;
    - a compiled regular expression: `re.search` against the whole URL.
    """

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.calls: list[Request] = []
        self.transport = MockTransport(self)

    # --- registering -------------------------------------------------------------------------

    def route(self, method: str | None, url: Pattern, **answer: Any) -> Route:
        """Add a route for `method` (None or "*" for any) and `url`; see `Route` for `answer`."""
        route = Route(method, url, **answer)
        self.routes.append(route)
        return route

    def get(self, url: Pattern, **answer: Any) -> Route:
        return self.route("GET", url, **answer)

    def post(self, url: Pattern, **answer: Any) -> Route:
        return self.route("POST", url, **answer)

    def put(self, url: Pattern, **answer: Any) -> Route:
        return self.route("PUT", url, **answer)

    def patch(self, url: Pattern, **answer: Any) -> Route:
        return self.route("PATCH", url, **answer)

    def delete(self, url: Pattern, **answer: Any) -> Route:
        return self.route("DELETE", url, **answer)

    def head(self, url: Pattern, **answer: Any) -> Route:
        return self.route("HEAD", url, **answer)

    def options(self, url: Pattern, **answer: Any) -> Route:
        return self.route("OPTIONS", url, **answer)

    def any(self, url: Pattern, **answer: Any) -> Route:
        """A route for every method."""
        return self.route(None, url, **answer)

    # --- checking ----------------------------------------------------------------------------

    def assert_all_called(self) -> None:
        """Fail naming every route that no request matched."""
        missing = [route for route in self.routes if not route.called]
        if missing:
            names = ", ".join(repr(route) for route in missing)
            raise AssertionError(f"{len(missing)} route(s) never called: {names}")

    def reset(self) -> None:
        """Forget the recorded calls (routes stay)."""
        self.calls.clear()
        self.transport.requests.clear()
        for route in self.routes:
            route.calls.clear()

    # --- clients -----------------------------------------------------------------------------

    def client(self, config: Mapping[str, Any] | None = None) -> AxiosPython:
        """A client with `config` whose requests this router answers.

        Like `create()`, it gets the plugins environment activation registers
        (`AXIOS_PYTHON_PLUGINS`, the configuration file); `{"autoload": False}` opts out.
        """
        return AxiosPython(config, transport=self.transport)

    # --- the MockTransport handler -----------------------------------------------------------

    def __call__(self, request: Request) -> Any:
        self.calls.append(request)
        for route in reversed(self.routes):
            if route.matches(request):
                route.calls.append(request)
                result = route.answer(request)
                if inspect.isawaitable(result):
                    return _convert_later(result)
                return _as_answer(result)
        known = "\n  ".join(repr(route) for route in self.routes) or "(none)"
        raise UnmatchedRequest(
            f"no route matches {request.method} {request.url}; routes:\n  {known}"
        )

    @contextlib.contextmanager
    def patched(self) -> Iterator[MockRouter]:
        """Within the block, every client is answered by this router, whatever its transport
        (clients with a `MockTransport` of their own keep it)."""
        from ._pipeline import AsyncIO, SyncIO

        router_transport = self.transport
        sync_send, async_send = SyncIO.send, AsyncIO.send

        async def send(
            io: SyncIO, transport: BaseTransport, request: Request, token: CancelToken | None
        ) -> Response:
            if not isinstance(transport, MockTransport):
                transport = router_transport
            return await sync_send(io, transport, request, token)

        def send_async(
            io: AsyncIO, transport: BaseTransport, request: Request, token: CancelToken | None
        ) -> Coroutine[Any, Any, Response]:
            if not isinstance(transport, MockTransport):
                transport = router_transport
            return async_send(io, transport, request, token)

        SyncIO.send = send  # type: ignore[method-assign,assignment]
        AsyncIO.send = send_async  # type: ignore[method-assign,assignment]
        try:
            yield self
        finally:
            SyncIO.send = sync_send  # type: ignore[method-assign]
            AsyncIO.send = async_send  # type: ignore[method-assign]


def _compile(url: Pattern) -> Callable[[httpx.URL], bool]:
    if isinstance(url, re.Pattern):
        regex = url
        return lambda target: regex.search(str(target)) is not None
    text = str(url)
    path_only = text.startswith("/")
    parsed = httpx.URL(text)
    query = list(httpx.QueryParams(parsed.query).multi_items())
    path = re.compile(
        "".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", parsed.path))
        + r"\Z"
    )
    origin = None if path_only else (parsed.scheme, parsed.host, parsed.port)

    def match(target: httpx.URL) -> bool:
        if origin is not None and (target.scheme, target.host, target.port) != origin:
            return False
        if not path.match(target.path):
            return False
        if query:
            have = target.params
            return all(value in have.get_list(key) for key, value in query)
        return True

    return match


def _describe(pattern: Pattern) -> str:
    return f"re:{pattern.pattern}" if isinstance(pattern, re.Pattern) else str(pattern)


def _copy(response: Response | httpx.Response) -> Response:
    """A fresh response with the same status, headers and body (a Response answers once)."""
    raw = response.raw if isinstance(response, Response) else response
    raw.read()
    return Response(raw.status_code, headers=raw.headers, content=raw.content)


def _as_answer(result: Any) -> Response | httpx.Response:
    if isinstance(result, (Response, httpx.Response)):
        return result
    if isinstance(result, int):
        return Response(result)
    if isinstance(result, (bytes, str)):
        return Response(200, content=result)
    return Response(
        200, headers={"Content-Type": "application/json"}, content=jsonlib.dumps(result)
    )


async def _convert_later(result: Awaitable[Any]) -> Response | httpx.Response:
    return _as_answer(await result)


def __getattr__(name: str) -> Any:
    """`PluginContract` is imported on first use: it reads the installed transports."""
    if name == "PluginContract":
        from ._contract import PluginContract

        return PluginContract
    raise AttributeError(f"module 'axios_python.testing' has no attribute {name!r}")


if TYPE_CHECKING:
    from ._contract import PluginContract

# --- the pytest plugin ---------------------------------------------------------------------

try:
    import pytest
except ImportError:  # pragma: no cover - only the pytest plugin needs pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def axios_mock(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockRouter]:
        """A `MockRouter` answering every request, whatever the client's transport.

        It covers the module-level helpers (`axios_python.get`), `create()` clients on any
        transport ("httpx", "aiohttp", your own), and clients made before the test; only a
        client given its own `MockTransport` keeps it. `axios_mock.client(config)` gives one
        wired to it directly.
        """
        from . import _api

        router = MockRouter()
        monkeypatch.setattr(_api, "_default", None)  # a fresh default client for the test
        with router.patched():
            yield router
