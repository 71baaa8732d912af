"""Transports: custom BaseTransport subclasses, MockTransport, respx, HttpxTransport lifecycle."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx
from axios_python_testserver import LocalServer

import axios_python
from axios_python import (
    AxiosPython,
    BaseTransport,
    CancelError,
    CancelToken,
    MockTransport,
    Request,
    Response,
)
from axios_python._transports.default import HttpxTransport

# --- BaseTransport -----------------------------------------------------------------------


class CannedTransport(BaseTransport):
    """The README's example: a canned 200 for every request."""

    def __init__(self) -> None:
        self.sent: list[Request] = []

    def send(self, request: Request) -> Response:
        self.sent.append(request)
        return Response(
            status_code=200,
            headers={"Content-Type": "application/json"},
            data={"mock": True, "url": str(request.url)},
            request=request,
        )

    async def send_async(self, request: Request) -> Response:
        return self.send(request)


class SyncOnlyTransport(BaseTransport):
    def send(self, request: Request) -> Response:
        return Response(200, request=request)


def test_custom_transport_readme_example() -> None:
    """The README's custom transport answers through the whole pipeline."""
    transport = CannedTransport()
    api = AxiosPython(config={"base_url": "https://api.myapp.com"}, transport=transport)
    response = api.get("/users")
    assert response.json() == {"mock": True, "url": "https://api.myapp.com/users"}
    assert response.data == {"mock": True, "url": "https://api.myapp.com/users"}
    assert response.config["url"] == "/users"
    assert api.transport is transport
    assert len(transport.sent) == 1
    assert isinstance(transport.sent[0], httpx.Request)
    assert transport.sent[0].config["method"] == "GET"


@pytest.mark.anyio
async def test_custom_transport_async() -> None:
    """The same transport answers async calls through send_async."""
    api = AxiosPython(config={"base_url": "https://api.myapp.com"}, transport=CannedTransport())
    response = await api.async_post("/items", json={"a": 1})
    assert response.data == {"mock": True, "url": "https://api.myapp.com/items"}


def test_custom_transport_via_config_key() -> None:
    """A transport may also be given as the `transport` config key."""
    transport = CannedTransport()
    api = axios_python.create({"base_url": "https://api.myapp.com", "transport": transport})
    assert api.transport is transport
    assert api.get("/a").data["url"] == "https://api.myapp.com/a"


def test_sync_only_transport_works_sync() -> None:
    """A transport implementing only send() answers sync calls."""
    api = AxiosPython({"base_url": "http://example.test"}, transport=SyncOnlyTransport())
    assert api.get("/x").status_code == 200


@pytest.mark.anyio
async def test_sync_only_transport_used_async() -> None:
    """Using a sync-only transport on an async call raises NotImplementedError naming it."""
    api = AxiosPython({"base_url": "http://example.test"}, transport=SyncOnlyTransport())
    with pytest.raises(NotImplementedError) as info:
        await api.async_get("/x")
    assert str(info.value) == "SyncOnlyTransport does not support async requests"


def test_async_only_transport_used_sync() -> None:
    """And the reverse: an async-only transport on a sync call names itself."""

    class AsyncOnlyTransport(BaseTransport):
        async def send_async(self, request: Request) -> Response:
            return Response(200)

    api = AxiosPython({"base_url": "http://example.test"}, transport=AsyncOnlyTransport())
    with pytest.raises(NotImplementedError, match="AsyncOnlyTransport does not support sync"):
        api.get("/x")


def test_custom_transport_raising_httpx_errors_is_mapped() -> None:
    """An httpx error raised by a custom transport becomes the matching axios_python error."""

    class Failing(BaseTransport):
        def send(self, request: Request) -> Response:
            raise httpx.ConnectTimeout("slow", request=request)

    api = AxiosPython({"base_url": "http://example.test"}, transport=Failing())
    with pytest.raises(axios_python.TimeoutError) as info:
        api.get("/x")
    assert info.value.phase == "connect"
    assert isinstance(info.value.__cause__, httpx.ConnectTimeout)


def test_base_transport_close_is_a_noop() -> None:
    """BaseTransport.close() does nothing and AxiosPython.close() calls it."""
    closed: list[str] = []

    class Closing(SyncOnlyTransport):
        def close(self) -> None:
            closed.append("close")

    with AxiosPython(transport=Closing()):
        pass
    assert closed == ["close"]
    BaseTransport().close()


@pytest.mark.anyio
async def test_base_transport_aclose_calls_close() -> None:
    """The default aclose() calls close()."""
    closed: list[str] = []

    class Closing(SyncOnlyTransport):
        def close(self) -> None:
            closed.append("close")

    async with AxiosPython(transport=Closing()):
        pass
    assert closed == ["close"]


# --- MockTransport -----------------------------------------------------------------------


def test_mock_transport_records_requests() -> None:
    """MockTransport calls the handler and keeps every request, with its final config."""
    transport = MockTransport(lambda request: Response(201, data={"path": request.url.path}))
    api = AxiosPython({"base_url": "http://example.test"}, transport=transport)
    first = api.get("/a", params={"q": "1"})
    api.post("/b", json={"x": 1}, headers={"X-Req": "2"})
    assert first.status_code == 201
    assert first.data == {"path": "/a"}
    assert [(r.method, str(r.url)) for r in transport.requests] == [
        ("GET", "http://example.test/a?q=1"),
        ("POST", "http://example.test/b"),
    ]
    posted = transport.requests[1]
    assert posted.content == b'{"x":1}'
    assert posted.headers["X-Req"] == "2"
    assert posted.config["json"] == {"x": 1}
    assert first.request is transport.requests[0]
    assert first.config is transport.requests[0].config


@pytest.mark.anyio
async def test_mock_transport_async_handler() -> None:
    """On async calls the handler may be a coroutine function."""

    async def handler(request: Request) -> Response:
        return Response(200, data={"async": True})

    transport = MockTransport(handler)
    api = AxiosPython({"base_url": "http://example.test"}, transport=transport)
    response = await api.async_get("/x")
    assert response.data == {"async": True}
    assert len(transport.requests) == 1
    assert response.request is transport.requests[0]


def test_mock_transport_async_handler_on_sync_call() -> None:
    """An async handler cannot answer a sync call: a clear TypeError, no 'never awaited' warning."""

    async def handler(request: Request) -> Response:
        return Response(200)

    api = AxiosPython({"base_url": "http://example.test"}, transport=MockTransport(handler))
    with pytest.raises(TypeError, match="async handler cannot answer a sync request"):
        api.get("/x")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_mock_transport_httpx_response(mode: str) -> None:
    """The handler may return an httpx.Response; it is wrapped with the request and config."""
    transport = MockTransport(
        lambda request: httpx.Response(202, json={"raw": True}, headers={"X-Raw": "1"})
    )
    api = AxiosPython({"base_url": "http://example.test"}, transport=transport)
    response = api.get("/x") if mode == "sync" else asyncio.run(api.async_get("/x"))
    assert isinstance(response, Response)
    assert response.status_code == 202
    assert response.data == {"raw": True}
    assert response.headers["X-Raw"] == "1"
    assert response.request is transport.requests[0]
    assert response.config["url"] == "/x"
    assert response.url == httpx.URL("http://example.test/x")


def test_mock_transport_streaming() -> None:
    """With stream=True the in-memory body can still be iterated."""
    transport = MockTransport(lambda request: Response(200, content=b"line1\nline2\n"))
    api = AxiosPython({"base_url": "http://example.test"}, transport=transport)
    with api.get("/x", stream=True) as response:
        assert list(response.iter_lines()) == ["line1", "line2"]


def test_mock_transport_handler_exception_propagates() -> None:
    """An arbitrary exception from the handler reaches the caller unchanged."""

    def handler(request: Request) -> Response:
        raise LookupError("no route")

    api = AxiosPython({"base_url": "http://example.test"}, transport=MockTransport(handler))
    with pytest.raises(LookupError, match="no route"):
        api.get("/x")


# --- respx with the default transport ----------------------------------------------------


def test_respx_with_default_transport_sync() -> None:
    """respx routes intercept the default HttpxTransport's sync client."""
    with respx.mock(base_url="http://api.example.test") as mock:
        route = mock.get("/users", params={"page": "2"}).respond(200, json=[{"id": 1}])
        with axios_python.create({"base_url": "http://api.example.test"}) as api:
            response = api.get("/users", params={"page": 2}, headers={"X-Test": "1"})
        assert route.called
        assert route.call_count == 1
        assert route.calls.last.request.headers["X-Test"] == "1"
    assert response.data == [{"id": 1}]
    assert isinstance(api.transport, HttpxTransport)


@pytest.mark.anyio
async def test_respx_with_default_transport_async() -> None:
    """respx routes intercept the default HttpxTransport's async client."""
    with respx.mock(base_url="http://api.example.test") as mock:
        route = mock.post("/items", json={"name": "x"}).respond(201, json={"id": 7})
        async with axios_python.create({"base_url": "http://api.example.test"}) as api:
            response = await api.async_post("/items", json={"name": "x"})
        assert route.call_count == 1
    assert response.status_code == 201
    assert response.data == {"id": 7}


def test_respx_sequence_with_retries() -> None:
    """respx side effects drive the retry loop through the default transport."""
    with respx.mock(base_url="http://api.example.test") as mock:
        route = mock.get("/flaky").mock(
            side_effect=[httpx.Response(503), httpx.Response(503), httpx.Response(200, text="ok")]
        )
        with axios_python.create(
            {
                "base_url": "http://api.example.test",
                "max_retries": 2,
                "retry_strategy": axios_python.FixedBackoff(0.001, retry_on_status=[503]),
            }
        ) as api:
            response = api.get("/flaky")
        assert route.call_count == 3
    assert response.text == "ok"


# --- HttpxTransport lifecycle ------------------------------------------------------------


def test_httpx_transport_is_the_default() -> None:
    """A client without a transport gets an HttpxTransport, exported lazily."""
    with axios_python.create() as api:
        assert type(api.transport) is HttpxTransport
        assert axios_python.HttpxTransport is HttpxTransport


def test_close_is_idempotent_and_client_reusable(api: AxiosPython) -> None:
    """close() twice is fine, and the client still works afterwards (a new pool)."""
    assert api.get("/get").status_code == 200
    api.close()
    api.close()
    assert api.get("/get").status_code == 200
    api.close()
    assert api.get("/get").status_code == 200


def test_close_before_any_request() -> None:
    """Closing a client that never sent anything is fine."""
    api = axios_python.create()
    api.close()
    api.close()


@pytest.mark.anyio
async def test_aclose_is_idempotent_and_client_reusable(aapi: AxiosPython) -> None:
    """aclose() twice is fine, and the client still works afterwards, sync and async."""
    assert (await aapi.async_get("/get")).status_code == 200
    await aapi.aclose()
    await aapi.aclose()
    assert (await aapi.async_get("/get")).status_code == 200
    assert aapi.get("/get").status_code == 200
    await aapi.aclose()
    assert (await aapi.async_get("/get")).status_code == 200


@pytest.mark.anyio
async def test_aclose_closes_the_sync_pool_too(aapi: AxiosPython, server: LocalServer) -> None:
    """aclose() releases the sync pool as well: the next sync request opens a new connection."""
    assert aapi.get("/get").status_code == 200
    before = server.connections
    assert aapi.get("/get").status_code == 200
    assert server.connections == before  # kept alive
    await aapi.aclose()
    assert aapi.get("/get").status_code == 200
    assert server.connections == before + 1


def test_keep_alive_reuses_the_connection(api: AxiosPython, server: LocalServer) -> None:
    """Sequential requests on one client share a pooled connection; a close opens a new one."""
    before = server.connections
    assert api.get("/get").status_code == 200
    assert api.get("/get").status_code == 200
    assert server.connections - before == 1
    api.close()
    assert api.get("/get").status_code == 200
    assert server.connections - before == 2


# --- cancellation before the transport ---------------------------------------------------


def test_cancelled_token_never_reaches_the_transport() -> None:
    """A request given an already-cancelled token fails with CancelError; nothing is sent."""
    transport = MockTransport(lambda request: Response(200))
    api = AxiosPython({"base_url": "http://example.test"}, transport=transport)
    token = CancelToken()
    token.cancel("stop")
    with pytest.raises(CancelError, match="stop"):
        api.get("/x", cancel_token=token)
    with pytest.raises(CancelError, match="stop"):
        api.post("/x", json={}, cancel_token=token, max_retries=3)
    assert transport.requests == []


@pytest.mark.anyio
async def test_cancelled_token_never_reaches_the_transport_async() -> None:
    """The same on async calls."""
    transport = MockTransport(lambda request: Response(200))
    api = AxiosPython({"base_url": "http://example.test"}, transport=transport)
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelError) as info:
        await api.async_get("/x", cancel_token=token)
    assert info.value.code == "ERR_CANCELED"
    assert transport.requests == []


def test_token_cancelled_by_interceptor_stops_before_transport() -> None:
    """A token cancelled after the first check (by an interceptor) still stops before sending."""
    transport = MockTransport(lambda request: Response(200))
    api = AxiosPython({"base_url": "http://example.test"}, transport=transport)
    token = CancelToken()
    api.interceptors.request.use(lambda config: token.cancel("late"))
    with pytest.raises(CancelError, match="late"):
        api.get("/x", cancel_token=token)
    assert transport.requests == []


def test_loop_local_gives_one_resource_per_loop_closed_on_that_loop() -> None:
    """LoopLocal creates one resource per event loop and closes each at its loop's shutdown."""
    import asyncio

    created: list[object] = []
    closed: list[tuple[object, asyncio.AbstractEventLoop]] = []

    def create() -> object:
        created.append(object())
        return created[-1]

    async def close(resource: object) -> None:
        closed.append((resource, asyncio.get_running_loop()))

    local = axios_python.LoopLocal(create, close)

    async def use() -> tuple[object, asyncio.AbstractEventLoop]:
        assert local.current() is None  # nothing for this loop yet
        first, second = await local.get(), await local.get()
        assert first is second is local.current()
        return first, asyncio.get_running_loop()

    one = asyncio.run(use())
    two = asyncio.run(use())
    assert one[0] is not two[0]
    assert closed == [one, two]  # each closed on its own loop, by asyncio.run's shutdown

    async def explicit() -> None:
        resource = await local.get()
        await local.aclose()
        assert closed[-1][0] is resource
        assert local.current() is None

    asyncio.run(explicit())
    assert len(created) == 3
    assert len(closed) == 3
