"""The transport contract, written once and run against every transport, in each kind of call
it sends itself: "httpx" (sync and async), "aiohttp" (async), "urllib3" (sync).

Each test talks to the local server through a client created with `transport=<name>`, through a
`Calls` adapter: in sync mode each call runs `api.request(...)` in a worker thread (so the event
loop stays free to cancel it), in async mode `await api.async_request(...)`. The optional
transports are skipped when their distributions are not installed; tests/conftest.py leaves out
the kinds of call a transport hands to another (see tests/transports.py).
"""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import (
    CancelError,
    CancelToken,
    ConfigError,
    NetworkError,
    ProgressEvent,
    Response,
    TimeoutError,
    TooManyRedirects,
)
from tests.transports import HAVE_AIOHTTP, HAVE_URLLIB3

pytestmark = pytest.mark.anyio


def make(transport: str, server: LocalServer, **options: Any) -> axios_python.AxiosPython:
    return axios_python.create(
        {"transport": transport, "base_url": server.url, "timeout": 5, **options}
    )


class Calls:
    """One client, called the sync or the async way: `await calls.get(...)` either way."""

    def __init__(self, api: axios_python.AxiosPython, mode: str) -> None:
        self.api = api
        self.mode = mode
        self.interceptors = api.interceptors

    async def request(self, method: str, url: str, **options: Any) -> Response:
        if self.mode == "sync":
            return await asyncio.to_thread(lambda: self.api.request(method, url, **options))
        return await self.api.async_request(method, url, **options)

    async def get(self, url: str, **options: Any) -> Response:
        return await self.request("GET", url, **options)

    async def post(self, url: str, **options: Any) -> Response:
        return await self.request("POST", url, **options)

    async def head(self, url: str, **options: Any) -> Response:
        return await self.request("HEAD", url, **options)

    def body(self, parts: list[bytes]) -> Any:
        """An iterator body of `parts`: a generator (sync) or an async generator (async)."""
        if self.mode == "sync":
            return iter(parts)

        async def chunks() -> AsyncIterator[bytes]:
            for part in parts:
                yield part

        return chunks()

    async def chunks(
        self,
        response: Response,
        *,
        lines: bool = False,
        first_only: bool = False,
        each: Callable[[Any], None] | None = None,
    ) -> list[Any]:
        """A streamed response's chunks (or lines), each passed to `each`; then closed."""
        if self.mode == "sync":

            def read() -> list[Any]:
                out: list[Any] = []
                with response:
                    for chunk in response.iter_lines() if lines else response.iter_bytes():
                        out.append(chunk)
                        if each is not None:
                            each(chunk)
                        if first_only:
                            break
                return out

            return await asyncio.to_thread(read)
        out: list[Any] = []
        async with response:
            async for chunk in response.aiter_lines() if lines else response.aiter_bytes():
                out.append(chunk)
                if each is not None:
                    each(chunk)
                if first_only:
                    break
        return out

    async def read(self, response: Response) -> bytes:
        if self.mode == "sync":
            return await asyncio.to_thread(response.read)
        return await response.aread()

    async def close(self, response: Response) -> None:
        if self.mode == "sync":
            response.close()
        else:
            await response.aclose()

    async def gather(self, *urls: str) -> list[Response]:
        return list(await asyncio.gather(*(self.get(url) for url in urls)))


@pytest.fixture
async def client(transport: str, mode: str, server: LocalServer) -> AsyncIterator[Calls]:
    """A client on the local server using the transport under test, closed (async) after."""
    api = make(transport, server)
    try:
        yield Calls(api, mode)
    finally:
        await api.aclose()


@pytest.fixture
async def new_client(
    transport: str, mode: str, server: LocalServer
) -> AsyncIterator[Callable[..., Calls]]:
    """Clients with options of the test's own (and no base URL with `bare=True`)."""
    made: list[axios_python.AxiosPython] = []

    def new(bare: bool = False, **options: Any) -> Calls:
        api = (
            axios_python.create({"transport": transport})
            if bare
            else make(transport, server, **options)
        )
        made.append(api)
        return Calls(api, mode)

    try:
        yield new
    finally:
        for api in made:
            await api.aclose()


@pytest.fixture
def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def blackhole() -> Iterator[str]:
    """A loopback address whose accept queue is full, so new connections never complete."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


# --- basics ------------------------------------------------------------------------------


async def test_get_with_params_and_headers(client: Calls) -> None:
    """GET sends the merged query params and custom headers."""
    response = await client.get("/get", params={"a": "1", "b": ["x", "y"]}, headers={"X-T": "v"})
    assert response.status_code == 200
    assert response.data["args"] == {"a": "1", "b": ["x", "y"]}
    assert response.data["headers"]["X-T"] == "v"
    assert response.data["headers"]["User-Agent"].startswith("axios-python/")


async def test_sends_exactly_the_request_headers(client: Calls) -> None:
    """No transport adds headers of its own: removing the defaults removes them from the wire,
    and a body without a content type is sent without one."""

    def strip_defaults(config: dict[str, Any]) -> dict[str, Any]:
        for name in ("Accept", "Accept-Encoding", "User-Agent"):
            del config["headers"][name]
        return config

    client.interceptors.request.use(strip_defaults)
    sent = (await client.post("/post", content=b"raw bytes")).data["headers"]
    assert {name.lower() for name in sent} == {"host", "content-length"}
    sent = (await client.get("/get", headers={"X-Only": "1"})).data["headers"]
    assert {name.lower() for name in sent} == {"host", "x-only"}


async def test_response_headers_are_received(client: Calls) -> None:
    """Response headers reach the Response, case-insensitively."""
    response = await client.get("/response-headers", params={"X-Answer": "42"})
    assert response.headers["x-answer"] == "42"
    assert response.http_version == "HTTP/1.1"


async def test_post_json(client: Calls) -> None:
    """A json body is sent with its content type and parsed by the server."""
    response = await client.post("/post", json={"n": 1, "s": "é"})
    assert response.data["json"] == {"n": 1, "s": "é"}
    assert response.data["headers"]["Content-Type"] == "application/json"


async def test_post_form(client: Calls) -> None:
    """A dict `data` is sent url-encoded."""
    response = await client.post("/post", data={"a": "1", "b": "two"})
    assert response.data["form"] == {"a": "1", "b": "two"}


async def test_post_raw_bytes_adds_no_content_type(client: Calls) -> None:
    """Raw bytes go out as they are, without a Content-Type the caller did not set."""
    response = await client.post("/post", data=b"\x00\x01raw")
    assert response.data["data"] == "\x00\x01raw"
    assert "Content-Type" not in response.data["headers"]


@pytest.mark.parametrize("write", [5.0, None], ids=["write-timeout", "no-write-timeout"])
async def test_large_bytes_body(client: Calls, write: float | None) -> None:
    """A 2 MiB bytes body goes out in full, with or without a write timeout, and without a
    warning (aiohttp warns, a ResourceWarning, on bytes over 1 MiB handed to it as they are)."""
    body = b"x" * (2 * 1024 * 1024)
    response = await client.post("/post", data=body, timeout={"write": write})
    assert len(response.data["data"]) == len(body)


async def test_upload_files(client: Calls) -> None:
    """`files` are sent multipart, next to form fields."""
    response = await client.post(
        "/post",
        data={"field": "v"},
        files={"upload": ("hello.txt", b"hello world", "text/plain")},
    )
    assert response.data["form"] == {"field": "v"}
    assert response.data["files"]["upload"] == {
        "filename": "hello.txt",
        "content_type": "text/plain",
        "size": 11,
        "text": "hello world",
    }


async def test_streaming_upload(client: Calls) -> None:
    """An iterator body (async iterator for async calls) is uploaded chunked."""
    response = await client.post("/post", content=client.body([b"one ", b"two ", b"three"]))
    assert response.data["data"] == "one two three"


@pytest.mark.parametrize("status", [200, 204, 404, 500])
async def test_status_codes(client: Calls, status: int) -> None:
    """Any status comes back as a Response when validate_status accepts it."""
    response = await client.get(f"/status/{status}", validate_status=lambda s: True)
    assert response.status_code == status
    assert response.ok is (status < 300)


async def test_head(client: Calls) -> None:
    """HEAD gets the headers and no body."""
    response = await client.head("/bytes/100")
    assert response.status_code == 200
    assert response.headers["content-length"] == "100"
    assert response.content == b""


async def test_gzip_is_decoded(client: Calls) -> None:
    """A gzip body is decompressed; the Content-Encoding header is kept."""
    response = await client.get("/gzip")
    assert response.headers["content-encoding"] == "gzip"
    assert response.data["gzipped"] is True


async def test_gzip_stream_is_decoded(client: Calls) -> None:
    """A streamed gzip body is decompressed by aiter_bytes."""
    body = b"".join(await client.chunks(await client.get("/gzip", stream=True)))
    assert json.loads(body)["gzipped"] is True


async def test_elapsed_is_measured(client: Calls) -> None:
    """`elapsed` is set for a read response."""
    response = await client.get("/delay/0.1")
    assert response.elapsed.total_seconds() >= 0.1


@pytest.mark.parametrize("streamed", [False, True], ids=["read", "streamed"])
async def test_a_response_is_freed_without_the_garbage_collector(
    client: Calls, streamed: bool
) -> None:
    """A response, its `raw` and its request hold no reference cycle: they are freed when the
    last reference goes, not left to the collector (a cycle per request is ~50 objects of
    garbage, and collector pauses, under load)."""
    api = client.api
    await client.get("/json")  # the pool and the client's memo set up
    gc.collect()
    gc.disable()
    try:
        if client.mode == "sync":  # in this thread: a worker's future would hold the response
            response = api.get("/json", stream=streamed)
            if streamed:
                response.read()
                response.close()
        else:
            response = await api.async_get("/json", stream=streamed)
            if streamed:
                await response.aread()
                await response.aclose()
        assert response.data
        refs = [weakref.ref(response), weakref.ref(response.raw), weakref.ref(response.request)]
        del response
        assert [ref() for ref in refs] == [None, None, None]
    finally:
        gc.enable()


# --- streaming ---------------------------------------------------------------------------


async def test_stream_aiter_bytes(client: Calls, server: LocalServer) -> None:
    """(a)iter_bytes yields the whole chunked body, identical to the non-streamed one."""
    expected = (await client.get("/bytes/5000")).content
    response = await client.get("/stream-bytes/5000", stream=True)
    assert not response.is_closed
    body = b"".join(await client.chunks(response))
    assert body == expected
    assert len(body) == 5000
    assert response.is_closed


async def test_stream_aiter_lines(client: Calls) -> None:
    """(a)iter_lines yields one JSON object per line."""
    lines = await client.chunks(await client.get("/stream/4", stream=True), lines=True)
    assert [json.loads(line)["id"] for line in lines] == [0, 1, 2, 3]


async def test_stream_early_close_keeps_client_usable(client: Calls) -> None:
    """Closing a stream after the first chunk frees it; the next requests work."""
    response = await client.get("/stream-bytes/200000?chunk_size=1024", stream=True)
    assert all(await client.chunks(response, first_only=True))
    await client.close(response)  # twice: a no-op
    assert response.is_closed
    for _ in range(3):
        assert (await client.get("/get")).status_code == 200


async def test_stream_aread(client: Calls) -> None:
    """A streamed response can be read in full with (a)read(), then `.data` works."""
    response = await client.get("/json", stream=True)
    await client.read(response)
    await client.close(response)
    assert isinstance(response.data, dict)


# --- progress ----------------------------------------------------------------------------


def assert_progress(events: list[ProgressEvent], size: int, total: int | None) -> None:
    """Events count up to `size`; only the last one is done; `total` is the same throughout."""
    assert len(events) >= 2
    loaded = [e.loaded for e in events]
    assert loaded == sorted(loaded)
    assert [e.done for e in events] == [False] * (len(events) - 1) + [True]
    assert events[-1].loaded == size
    assert {e.total for e in events} == {total}
    if total is not None:
        assert events[-1].progress == 1.0
        assert all(e.progress is not None and 0 <= e.progress <= 1 for e in events)


async def test_download_progress(client: Calls) -> None:
    """A read response reports its body before the call returns, total from Content-Length."""
    events: list[ProgressEvent] = []
    response = await client.get("/bytes/150000", on_download_progress=events.append)
    assert len(response.content) == 150000
    assert response.headers["content-length"] == "150000"
    assert_progress(events, 150000, 150000)


async def test_download_progress_chunked(client: Calls) -> None:
    """A chunked body has no total."""
    events: list[ProgressEvent] = []
    response = await client.get(
        "/stream-bytes/3000", params={"chunk_size": 1000}, on_download_progress=events.append
    )
    assert len(response.content) == 3000
    assert_progress(events, 3000, None)


async def test_download_progress_streaming(client: Calls) -> None:
    """With stream=True the events follow the caller's reading, and none come before it."""
    events: list[ProgressEvent] = []
    response = await client.get("/bytes/150000", stream=True, on_download_progress=events.append)
    assert events == []
    sizes: list[int] = []

    def arrived(chunk: bytes) -> None:
        sizes.append(len(chunk))
        assert events[-1].loaded >= sum(sizes)  # reported as it arrives

    await client.chunks(response, each=arrived)
    assert sum(sizes) == 150000
    assert_progress(events, 150000, 150000)
    assert (await client.get("/get")).status_code == 200


async def test_upload_progress_bytes(client: Calls) -> None:
    """A bytes body is reported in 64 KiB pieces and still sent with its Content-Length."""
    events: list[ProgressEvent] = []
    body = b"0123456789abcdef" * 9600  # 153600 bytes
    response = await client.post("/post", content=body, on_upload_progress=events.append)
    assert response.data["headers"]["Content-Length"] == str(len(body))
    assert "Transfer-Encoding" not in response.data["headers"]
    assert response.data["data"] == body.decode()
    assert [e.loaded for e in events] == [65536, 131072, 153600, 153600]
    assert_progress(events, len(body), len(body))


async def test_upload_progress_json_and_files(client: Calls) -> None:
    """JSON and multipart bodies are reported with their Content-Length as total."""
    events: list[ProgressEvent] = []
    response = await client.post("/post", json={"a": 1}, on_upload_progress=events.append)
    assert response.data["json"] == {"a": 1}
    assert_progress(events, 7, 7)
    events.clear()
    response = await client.post(
        "/post",
        files={"upload": ("a.txt", b"hello world", "text/plain")},
        on_upload_progress=events.append,
    )
    assert response.data["files"]["upload"]["text"] == "hello world"
    length = int(response.data["headers"]["Content-Length"])
    assert_progress(events, length, length)


async def test_upload_progress_async_iterator(client: Calls) -> None:
    """An iterator body (chunked, no total) is reported chunk by chunk."""
    events: list[ProgressEvent] = []
    body = client.body([b"a" * 10, b"b" * 20])
    response = await client.post("/post", content=body, on_upload_progress=events.append)
    assert response.data["data"] == "a" * 10 + "b" * 20
    assert response.data["headers"]["Transfer-Encoding"] == "chunked"
    assert [(e.loaded, e.total, e.done) for e in events] == [
        (10, None, False),
        (30, None, False),
        (30, None, True),
    ]


async def test_progress_through_redirects(client: Calls) -> None:
    """Downloads report the final body only, with the client's or a per-request redirect limit;
    a 307 sends the body again and its upload count restarts."""
    for options in ({}, {"max_redirects": 5}):
        events: list[ProgressEvent] = []
        response = await client.get(
            "/redirect/2",
            on_download_progress=events.append,
            **options,  # type: ignore[arg-type]
        )
        assert response.data["path"] == "/get"
        assert len(response.history) == 2
        assert_progress(events, len(response.content), len(response.content))
    uploads: list[ProgressEvent] = []
    response = await client.post(
        "/redirect-to",
        params={"url": "/post", "status_code": "307"},
        content=b"x" * 100,
        on_upload_progress=uploads.append,
    )
    assert response.data["data"] == "x" * 100
    assert [(e.loaded, e.done) for e in uploads] == [(100, False), (100, True)] * 2


async def test_progress_callback_error(client: Calls) -> None:
    """A callback's exception reaches the caller; the connection is released."""

    def boom(event: ProgressEvent) -> None:
        raise RuntimeError("stop")

    for key in ("on_download_progress", "on_upload_progress"):
        with pytest.raises(RuntimeError, match="stop"):
            await client.post("/post", content=b"x" * 1000, **{key: boom})  # type: ignore[arg-type]
    results = await client.gather(*["/get"] * 4)
    assert [r.status_code for r in results] == [200] * 4


# --- errors ------------------------------------------------------------------------------


async def test_read_timeout(client: Calls) -> None:
    """A server slower than the read timeout raises TimeoutError(phase='read')."""
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        await client.get("/delay/2", timeout=0.2)
    assert info.value.phase == "read"
    assert info.value.code == "ETIMEDOUT"
    assert time.monotonic() - started < 1.5


async def test_connect_timeout(new_client: Callable[..., Calls], blackhole: str) -> None:
    """A connection that never completes raises TimeoutError(phase='connect')."""
    api = new_client(bare=True)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        await api.get(blackhole + "/get", timeout={"connect": 0.2, "read": 5})
    assert info.value.phase == "connect"
    assert time.monotonic() - started < 1.5


async def test_connection_refused(new_client: Callable[..., Calls], free_port: int) -> None:
    """Nothing listening: NetworkError with code ECONNREFUSED."""
    with pytest.raises(NetworkError) as info:
        await new_client(bare=True).get(f"http://127.0.0.1:{free_port}/get")
    assert info.value.code == "ECONNREFUSED"
    assert info.value.request is not None


async def test_unsupported_scheme_is_config_error(client: Calls) -> None:
    """A non-http(s) URL raises ConfigError(key='url')."""
    with pytest.raises(ConfigError) as info:
        await client.get("ftp://127.0.0.1/file")
    assert info.value.key == "url"
    assert info.value.code == "ERR_INVALID_URL"


# --- redirects ---------------------------------------------------------------------------


async def test_redirects_are_followed(client: Calls) -> None:
    """A redirect chain is followed to the end, with its history."""
    response = await client.get("/redirect/3")
    assert response.status_code == 200
    assert str(response.url).endswith("/get")
    assert [r.status_code for r in response.history] == [302, 302, 302]


async def test_follow_redirects_false(client: Calls) -> None:
    """follow_redirects=False returns the redirect response itself."""
    response = await client.get(
        "/redirect/1", follow_redirects=False, validate_status=lambda s: True
    )
    assert response.status_code == 302
    assert response.headers["location"].endswith("/get")


async def test_max_redirects(client: Calls) -> None:
    """More hops than max_redirects raise TooManyRedirects."""
    with pytest.raises(TooManyRedirects) as info:
        await client.get("/redirect/5", max_redirects=2)
    assert info.value.code == "ERR_FR_TOO_MANY_REDIRECTS"
    assert (await client.get("/redirect/2", max_redirects=2)).status_code == 200


async def test_client_max_redirects(new_client: Callable[..., Calls]) -> None:
    """The client-wide max_redirects applies to every request."""
    with pytest.raises(TooManyRedirects):
        await new_client(max_redirects=1).get("/redirect/2")


async def test_post_303_becomes_get(client: Calls) -> None:
    """A 303 after a POST is followed with a GET and no body."""
    response = await client.post(
        "/redirect-to", params={"url": "/get", "status_code": "303"}, json={"a": 1}
    )
    assert response.data["method"] == "GET"
    assert "Content-Length" not in response.data["headers"]


# --- cookies -----------------------------------------------------------------------------


async def test_cookie_jar_persists(client: Calls) -> None:
    """Set-Cookie is kept across the redirect and later requests."""
    first = await client.get("/cookies/set", params={"flavour": "oat"})
    assert first.data == {"cookies": {"flavour": "oat"}}
    again = await client.get("/cookies")
    assert again.data == {"cookies": {"flavour": "oat"}}


async def test_per_request_cookies(client: Calls) -> None:
    """A request's `cookies` are sent with it only."""
    response = await client.get("/cookies", cookies={"once": "1"})
    assert response.data == {"cookies": {"once": "1"}}
    assert (await client.get("/cookies")).data == {"cookies": {}}


async def test_client_cookies(new_client: Callable[..., Calls]) -> None:
    """Cookies given to create() are sent on every request."""
    api = new_client(cookies={"sid": "abc"})
    assert (await api.get("/cookies")).data == {"cookies": {"sid": "abc"}}


# --- cancellation ------------------------------------------------------------------------


async def test_cancel_token_mid_request(client: Calls) -> None:
    """Cancelling during a slow request raises CancelError at once; the client stays usable.
    In sync mode the cancel comes from another thread (the event loop's)."""
    token = CancelToken()
    asyncio.get_running_loop().call_later(0.2, token.cancel, "user left")
    started = time.monotonic()
    with pytest.raises(CancelError) as info:
        await client.get("/delay/5", cancel_token=token)
    assert time.monotonic() - started < 1.0
    assert info.value.code == "ERR_CANCELED"
    assert str(info.value) == "user left"
    assert (await client.get("/get")).status_code == 200


async def test_task_cancel_releases_connection(transport: str, server: LocalServer) -> None:
    """Cancelling the awaiting task frees the connection; later requests work (async calls)."""
    async with make(transport, server) as api:
        task = asyncio.ensure_future(api.async_get("/delay/5"))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        results = await asyncio.gather(*(api.async_get("/get") for _ in range(4)))
        assert [r.status_code for r in results] == [200] * 4


# --- options and modes -------------------------------------------------------------------


async def test_verify_false_constructs(new_client: Callable[..., Calls]) -> None:
    """verify=False is accepted and plain http still works."""
    assert (await new_client(verify=False).get("/get")).status_code == 200


async def test_concurrent_requests(client: Calls) -> None:
    """Concurrent requests on one client all succeed."""
    results = await client.gather(*(f"/get?i={i}" for i in range(16)))
    assert [r.data["args"]["i"] for r in results] == [str(i) for i in range(16)]


async def test_sync_calls_work(transport: str, server: LocalServer) -> None:
    """Sync and async calls work on every transport (aiohttp hands sync calls to httpx, urllib3
    async ones), sharing the cookie jar."""
    api = make(transport, server)
    try:
        assert api.get("/cookies/set", params={"s": "1"}).data == {"cookies": {"s": "1"}}
        assert (await api.async_get("/cookies")).data == {"cookies": {"s": "1"}}
        assert api.post("/post", json={"a": 1}).data["json"] == {"a": 1}
    finally:
        await api.aclose()


def test_aiohttp_rejects_http2(server: LocalServer) -> None:
    """http2=True is refused by the aiohttp transport with a ConfigError naming the key."""
    if not HAVE_AIOHTTP:
        pytest.skip("axios-python-aiohttp not installed")
    with pytest.raises(ConfigError) as info:
        axios_python.create({"transport": "aiohttp", "http2": True})
    assert info.value.key in ("http2", "transport")
    assert "HTTP/1.1" in str(info.value)


def test_urllib3_rejects_http2_and_socks() -> None:
    """http2=True and a socks proxy are refused by the urllib3 transport, naming the key."""
    if not HAVE_URLLIB3:
        pytest.skip("axios-python-urllib3 not installed")
    with pytest.raises(ConfigError) as info:
        axios_python.create({"transport": "urllib3", "http2": True})
    assert info.value.key in ("http2", "transport")
    assert "HTTP/1.1" in str(info.value)
    with pytest.raises(ConfigError, match="socks5://") as info:
        axios_python.create({"transport": "urllib3", "proxy": "socks5://127.0.0.1:1080"})
    assert info.value.key in ("proxy", "transport")
