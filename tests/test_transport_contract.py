"""The transport contract, written once and run against every transport ("httpx", "aiohttp").

Each test talks to the local server through a client created with `transport=<name>`; the
aiohttp cases are skipped when the optional axios-python-aiohttp distribution is not installed.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
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
    TimeoutError,
    TooManyRedirects,
)
from tests.transports import HAVE_AIOHTTP

pytestmark = pytest.mark.anyio


def make(transport: str, server: LocalServer, **options: Any) -> axios_python.AxiosPython:
    return axios_python.create(
        {"transport": transport, "base_url": server.url, "timeout": 5, **options}
    )


@pytest.fixture
async def client(transport: str, server: LocalServer) -> AsyncIterator[axios_python.AxiosPython]:
    """A client on the local server using the transport under test, closed (async) after."""
    api = make(transport, server)
    try:
        yield api
    finally:
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


async def test_get_with_params_and_headers(client: axios_python.AxiosPython) -> None:
    """GET sends the merged query params and custom headers."""
    response = await client.async_get(
        "/get", params={"a": "1", "b": ["x", "y"]}, headers={"X-T": "v"}
    )
    assert response.status_code == 200
    assert response.data["args"] == {"a": "1", "b": ["x", "y"]}
    assert response.data["headers"]["X-T"] == "v"
    assert response.data["headers"]["User-Agent"].startswith("axios-python/")


async def test_sends_exactly_the_request_headers(client: axios_python.AxiosPython) -> None:
    """No transport adds headers of its own: removing the defaults removes them from the wire,
    and a body without a content type is sent without one."""

    def strip_defaults(config: dict[str, Any]) -> dict[str, Any]:
        for name in ("Accept", "Accept-Encoding", "User-Agent"):
            del config["headers"][name]
        return config

    client.interceptors.request.use(strip_defaults)
    sent = (await client.async_post("/post", content=b"raw bytes")).data["headers"]
    assert {name.lower() for name in sent} == {"host", "content-length"}
    sent = (await client.async_get("/get", headers={"X-Only": "1"})).data["headers"]
    assert {name.lower() for name in sent} == {"host", "x-only"}


async def test_response_headers_are_received(client: axios_python.AxiosPython) -> None:
    """Response headers reach the Response, case-insensitively."""
    response = await client.async_get("/response-headers", params={"X-Answer": "42"})
    assert response.headers["x-answer"] == "42"
    assert response.http_version == "HTTP/1.1"


async def test_post_json(client: axios_python.AxiosPython) -> None:
    """A json body is sent with its content type and parsed by the server."""
    response = await client.async_post("/post", json={"n": 1, "s": "é"})
    assert response.data["json"] == {"n": 1, "s": "é"}
    assert response.data["headers"]["Content-Type"] == "application/json"


async def test_post_form(client: axios_python.AxiosPython) -> None:
    """A dict `data` is sent url-encoded."""
    response = await client.async_post("/post", data={"a": "1", "b": "two"})
    assert response.data["form"] == {"a": "1", "b": "two"}


async def test_post_raw_bytes_adds_no_content_type(client: axios_python.AxiosPython) -> None:
    """Raw bytes go out as they are, without a Content-Type the caller did not set."""
    response = await client.async_post("/post", data=b"\x00\x01raw")
    assert response.data["data"] == "\x00\x01raw"
    assert "Content-Type" not in response.data["headers"]


async def test_upload_files(client: axios_python.AxiosPython) -> None:
    """`files` are sent multipart, next to form fields."""
    response = await client.async_post(
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


async def test_streaming_upload(client: axios_python.AxiosPython) -> None:
    """An async iterator body is uploaded chunked."""

    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"one ", b"two ", b"three"):
            yield part

    response = await client.async_post("/post", content=chunks())
    assert response.data["data"] == "one two three"


@pytest.mark.parametrize("status", [200, 204, 404, 500])
async def test_status_codes(client: axios_python.AxiosPython, status: int) -> None:
    """Any status comes back as a Response when validate_status accepts it."""
    response = await client.async_get(f"/status/{status}", validate_status=lambda s: True)
    assert response.status_code == status
    assert response.ok is (status < 300)


async def test_head(client: axios_python.AxiosPython) -> None:
    """HEAD gets the headers and no body."""
    response = await client.async_head("/bytes/100")
    assert response.status_code == 200
    assert response.headers["content-length"] == "100"
    assert response.content == b""


async def test_gzip_is_decoded(client: axios_python.AxiosPython) -> None:
    """A gzip body is decompressed; the Content-Encoding header is kept."""
    response = await client.async_get("/gzip")
    assert response.headers["content-encoding"] == "gzip"
    assert response.data["gzipped"] is True


async def test_gzip_stream_is_decoded(client: axios_python.AxiosPython) -> None:
    """A streamed gzip body is decompressed by aiter_bytes."""
    async with await client.async_get("/gzip", stream=True) as response:
        body = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert json.loads(body)["gzipped"] is True


async def test_elapsed_is_measured(client: axios_python.AxiosPython) -> None:
    """`elapsed` is set for a read response."""
    response = await client.async_get("/delay/0.1")
    assert response.elapsed.total_seconds() >= 0.1


# --- streaming ---------------------------------------------------------------------------


async def test_stream_aiter_bytes(client: axios_python.AxiosPython, server: LocalServer) -> None:
    """aiter_bytes yields the whole chunked body, identical to the non-streamed one."""
    expected = (await client.async_get("/bytes/5000")).content
    async with await client.async_get("/stream-bytes/5000", stream=True) as response:
        assert not response.is_closed
        body = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert body == expected
    assert len(body) == 5000
    assert response.is_closed


async def test_stream_aiter_lines(client: axios_python.AxiosPython) -> None:
    """aiter_lines yields one JSON object per line."""
    async with await client.async_get("/stream/4", stream=True) as response:
        lines = [line async for line in response.aiter_lines()]
    assert [json.loads(line)["id"] for line in lines] == [0, 1, 2, 3]


async def test_stream_early_close_keeps_client_usable(client: axios_python.AxiosPython) -> None:
    """Closing a stream after the first chunk frees it; the next requests work."""
    response = await client.async_get("/stream-bytes/200000?chunk_size=1024", stream=True)
    async for chunk in response.aiter_bytes():
        assert chunk
        break
    await response.aclose()
    assert response.is_closed
    for _ in range(3):
        assert (await client.async_get("/get")).status_code == 200


async def test_stream_aread(client: axios_python.AxiosPython) -> None:
    """A streamed response can be read in full with aread(), then `.data` works."""
    response = await client.async_get("/json", stream=True)
    await response.aread()
    await response.aclose()
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


async def test_download_progress(client: axios_python.AxiosPython) -> None:
    """A read response reports its body before the call returns, total from Content-Length."""
    events: list[ProgressEvent] = []
    response = await client.async_get("/bytes/150000", on_download_progress=events.append)
    assert len(response.content) == 150000
    assert response.headers["content-length"] == "150000"
    assert_progress(events, 150000, 150000)


async def test_download_progress_chunked(client: axios_python.AxiosPython) -> None:
    """A chunked body has no total."""
    events: list[ProgressEvent] = []
    response = await client.async_get(
        "/stream-bytes/3000", params={"chunk_size": 1000}, on_download_progress=events.append
    )
    assert len(response.content) == 3000
    assert_progress(events, 3000, None)


async def test_download_progress_streaming(client: axios_python.AxiosPython) -> None:
    """With stream=True the events follow the caller's reading, and none come before it."""
    events: list[ProgressEvent] = []
    async with await client.async_get(
        "/bytes/150000", stream=True, on_download_progress=events.append
    ) as response:
        assert events == []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            assert events[-1].loaded >= size  # reported as it arrives
    assert size == 150000
    assert_progress(events, 150000, 150000)
    assert (await client.async_get("/get")).status_code == 200


async def test_upload_progress_bytes(client: axios_python.AxiosPython) -> None:
    """A bytes body is reported in 64 KiB pieces and still sent with its Content-Length."""
    events: list[ProgressEvent] = []
    body = b"0123456789abcdef" * 9600  # 153600 bytes
    response = await client.async_post("/post", content=body, on_upload_progress=events.append)
    assert response.data["headers"]["Content-Length"] == str(len(body))
    assert "Transfer-Encoding" not in response.data["headers"]
    assert response.data["data"] == body.decode()
    assert [e.loaded for e in events] == [65536, 131072, 153600, 153600]
    assert_progress(events, len(body), len(body))


async def test_upload_progress_json_and_files(client: axios_python.AxiosPython) -> None:
    """JSON and multipart bodies are reported with their Content-Length as total."""
    events: list[ProgressEvent] = []
    response = await client.async_post("/post", json={"a": 1}, on_upload_progress=events.append)
    assert response.data["json"] == {"a": 1}
    assert_progress(events, 7, 7)
    events.clear()
    response = await client.async_post(
        "/post",
        files={"upload": ("a.txt", b"hello world", "text/plain")},
        on_upload_progress=events.append,
    )
    assert response.data["files"]["upload"]["text"] == "hello world"
    length = int(response.data["headers"]["Content-Length"])
    assert_progress(events, length, length)


async def test_upload_progress_async_iterator(client: axios_python.AxiosPython) -> None:
    """An async iterator body (chunked, no total) is reported chunk by chunk."""
    events: list[ProgressEvent] = []

    async def body() -> AsyncIterator[bytes]:
        yield b"a" * 10
        yield b"b" * 20

    response = await client.async_post("/post", content=body(), on_upload_progress=events.append)
    assert response.data["data"] == "a" * 10 + "b" * 20
    assert response.data["headers"]["Transfer-Encoding"] == "chunked"
    assert [(e.loaded, e.total, e.done) for e in events] == [
        (10, None, False),
        (30, None, False),
        (30, None, True),
    ]


async def test_progress_through_redirects(client: axios_python.AxiosPython) -> None:
    """Downloads report the final body only, with the client's or a per-request redirect limit;
    a 307 sends the body again and its upload count restarts."""
    for options in ({}, {"max_redirects": 5}):
        events: list[ProgressEvent] = []
        response = await client.async_get(
            "/redirect/2",
            on_download_progress=events.append,
            **options,  # type: ignore[arg-type]
        )
        assert response.data["path"] == "/get"
        assert len(response.history) == 2
        assert_progress(events, len(response.content), len(response.content))
    uploads: list[ProgressEvent] = []
    response = await client.async_post(
        "/redirect-to",
        params={"url": "/post", "status_code": "307"},
        content=b"x" * 100,
        on_upload_progress=uploads.append,
    )
    assert response.data["data"] == "x" * 100
    assert [(e.loaded, e.done) for e in uploads] == [(100, False), (100, True)] * 2


async def test_progress_callback_error(client: axios_python.AxiosPython) -> None:
    """A callback's exception reaches the caller; the connection is released."""

    def boom(event: ProgressEvent) -> None:
        raise RuntimeError("stop")

    for key in ("on_download_progress", "on_upload_progress"):
        with pytest.raises(RuntimeError, match="stop"):
            await client.async_post("/post", content=b"x" * 1000, **{key: boom})  # type: ignore[arg-type]
    results = await asyncio.gather(*(client.async_get("/get") for _ in range(4)))
    assert [r.status_code for r in results] == [200] * 4


# --- errors ------------------------------------------------------------------------------


async def test_read_timeout(client: axios_python.AxiosPython) -> None:
    """A server slower than the read timeout raises TimeoutError(phase='read')."""
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        await client.async_get("/delay/2", timeout=0.2)
    assert info.value.phase == "read"
    assert info.value.code == "ETIMEDOUT"
    assert time.monotonic() - started < 1.5


async def test_connect_timeout(transport: str, blackhole: str) -> None:
    """A connection that never completes raises TimeoutError(phase='connect')."""
    api = axios_python.create({"transport": transport})
    try:
        with pytest.raises(TimeoutError) as info:
            await api.async_get(blackhole + "/get", timeout={"connect": 0.2, "read": 5})
        assert info.value.phase == "connect"
    finally:
        await api.aclose()


async def test_connection_refused(transport: str, free_port: int) -> None:
    """Nothing listening: NetworkError with code ECONNREFUSED."""
    api = axios_python.create({"transport": transport})
    try:
        with pytest.raises(NetworkError) as info:
            await api.async_get(f"http://127.0.0.1:{free_port}/get")
        assert info.value.code == "ECONNREFUSED"
        assert info.value.request is not None
    finally:
        await api.aclose()


async def test_unsupported_scheme_is_config_error(client: axios_python.AxiosPython) -> None:
    """A non-http(s) URL raises ConfigError(key='url')."""
    with pytest.raises(ConfigError) as info:
        await client.async_get("ftp://127.0.0.1/file")
    assert info.value.key == "url"
    assert info.value.code == "ERR_INVALID_URL"


# --- redirects ---------------------------------------------------------------------------


async def test_redirects_are_followed(client: axios_python.AxiosPython) -> None:
    """A redirect chain is followed to the end, with its history."""
    response = await client.async_get("/redirect/3")
    assert response.status_code == 200
    assert str(response.url).endswith("/get")
    assert [r.status_code for r in response.history] == [302, 302, 302]


async def test_follow_redirects_false(client: axios_python.AxiosPython) -> None:
    """follow_redirects=False returns the redirect response itself."""
    response = await client.async_get(
        "/redirect/1", follow_redirects=False, validate_status=lambda s: True
    )
    assert response.status_code == 302
    assert response.headers["location"].endswith("/get")


async def test_max_redirects(client: axios_python.AxiosPython) -> None:
    """More hops than max_redirects raise TooManyRedirects."""
    with pytest.raises(TooManyRedirects) as info:
        await client.async_get("/redirect/5", max_redirects=2)
    assert info.value.code == "ERR_FR_TOO_MANY_REDIRECTS"
    assert (await client.async_get("/redirect/2", max_redirects=2)).status_code == 200


async def test_client_max_redirects(transport: str, server: LocalServer) -> None:
    """The client-wide max_redirects applies to every request."""
    api = make(transport, server, max_redirects=1)
    try:
        with pytest.raises(TooManyRedirects):
            await api.async_get("/redirect/2")
    finally:
        await api.aclose()


async def test_post_303_becomes_get(client: axios_python.AxiosPython) -> None:
    """A 303 after a POST is followed with a GET and no body."""
    response = await client.async_post(
        "/redirect-to", params={"url": "/get", "status_code": "303"}, json={"a": 1}
    )
    assert response.data["method"] == "GET"
    assert "Content-Length" not in response.data["headers"]


# --- cookies -----------------------------------------------------------------------------


async def test_cookie_jar_persists(client: axios_python.AxiosPython) -> None:
    """Set-Cookie is kept across the redirect and later requests."""
    first = await client.async_get("/cookies/set", params={"flavour": "oat"})
    assert first.data == {"cookies": {"flavour": "oat"}}
    again = await client.async_get("/cookies")
    assert again.data == {"cookies": {"flavour": "oat"}}


async def test_per_request_cookies(client: axios_python.AxiosPython) -> None:
    """A request's `cookies` are sent with it only."""
    response = await client.async_get("/cookies", cookies={"once": "1"})
    assert response.data == {"cookies": {"once": "1"}}
    assert (await client.async_get("/cookies")).data == {"cookies": {}}


async def test_client_cookies(transport: str, server: LocalServer) -> None:
    """Cookies given to create() are sent on every request."""
    api = make(transport, server, cookies={"sid": "abc"})
    try:
        assert (await api.async_get("/cookies")).data == {"cookies": {"sid": "abc"}}
    finally:
        await api.aclose()


# --- cancellation ------------------------------------------------------------------------


async def test_cancel_token_mid_request(client: axios_python.AxiosPython) -> None:
    """Cancelling during a slow request raises CancelError at once; the client stays usable."""
    token = CancelToken()
    asyncio.get_running_loop().call_later(0.2, token.cancel, "user left")
    started = time.monotonic()
    with pytest.raises(CancelError) as info:
        await client.async_get("/delay/5", cancel_token=token)
    assert time.monotonic() - started < 1.0
    assert info.value.code == "ERR_CANCELED"
    assert str(info.value) == "user left"
    assert (await client.async_get("/get")).status_code == 200


async def test_task_cancel_releases_connection(client: axios_python.AxiosPython) -> None:
    """Cancelling the awaiting task frees the connection; later requests work."""
    task = asyncio.ensure_future(client.async_get("/delay/5"))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    results = await asyncio.gather(*(client.async_get("/get") for _ in range(4)))
    assert [r.status_code for r in results] == [200] * 4


# --- options and modes -------------------------------------------------------------------


async def test_verify_false_constructs(transport: str, server: LocalServer) -> None:
    """verify=False is accepted and plain http still works."""
    api = make(transport, server, verify=False)
    try:
        assert (await api.async_get("/get")).status_code == 200
    finally:
        await api.aclose()


async def test_concurrent_requests(client: axios_python.AxiosPython) -> None:
    """Concurrent requests on one client all succeed."""
    results = await asyncio.gather(*(client.async_get(f"/get?i={i}") for i in range(16)))
    assert [r.data["args"]["i"] for r in results] == [str(i) for i in range(16)]


async def test_sync_calls_work(transport: str, server: LocalServer) -> None:
    """Sync calls work on every transport (aiohttp falls back to httpx), sharing the cookie jar."""
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
