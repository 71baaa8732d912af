"""The request API surface, through real sockets to the local server.

Module-level helpers, `create()` isolation, merging, bodies, `Response`, redirects, cookies,
compression, concurrency, streaming, closing, and sync/async parity.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import warnings
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import AxiosPython, Response
from axios_python import _api as api_module

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _lower(headers: dict[str, str]) -> dict[str, str]:
    """The server's echoed headers, keyed in lower case."""
    return {name.lower(): value for name, value in headers.items()}


@pytest.fixture
def clients() -> Iterator[list[AxiosPython]]:
    """Clients a test creates; closed after it."""
    created: list[AxiosPython] = []
    yield created
    for client in created:
        client.close()


# --- module-level helpers ------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_module_helper_sends_its_method(server: LocalServer, method: str) -> None:
    """`axios_python.<method>(url)` sends that method."""
    helper = getattr(axios_python, method.lower())
    response = helper(f"{server.url}/anything/helper", params={"m": method})

    assert response.status_code == 200
    assert response.json()["method"] == method
    assert response.json()["args"] == {"m": method}
    assert response.request.method == method


def test_module_helper_head(server: LocalServer) -> None:
    """`axios_python.head(url)` sends HEAD: headers only, no body."""
    response = axios_python.head(f"{server.url}/anything/helper")

    assert response.status_code == 200
    assert response.request.method == "HEAD"
    assert response.content == b""
    assert response.data is None
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("method", [*METHODS, "HEAD"])
def test_module_request_helper(server: LocalServer, method: str) -> None:
    """`axios_python.request(method, url)` sends any method."""
    response = axios_python.request(method, f"{server.url}/anything")

    assert response.status_code == 200
    assert response.request.method == method
    if method != "HEAD":
        assert response.json()["method"] == method


@pytest.mark.anyio
@pytest.mark.parametrize("method", METHODS)
async def test_module_async_helper_sends_its_method(server: LocalServer, method: str) -> None:
    """`await axios_python.async_<method>(url)` sends that method."""
    helper = getattr(axios_python, f"async_{method.lower()}")
    response = await helper(f"{server.url}/anything/helper", params={"m": method})

    assert response.status_code == 200
    assert response.json()["method"] == method
    assert response.json()["args"] == {"m": method}
    await axios_python.default_client().aclose()


@pytest.mark.anyio
async def test_module_async_head_and_request(server: LocalServer) -> None:
    """`async_head` sends HEAD; `async_request` sends any method."""
    head = await axios_python.async_head(f"{server.url}/anything")
    assert head.request.method == "HEAD"
    assert head.content == b""

    for method in [*METHODS, "HEAD"]:
        response = await axios_python.async_request(method, f"{server.url}/anything")
        assert response.status_code == 200
        assert response.request.method == method
    await axios_python.default_client().aclose()


def test_default_client_is_created_once_under_concurrency(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """50 threads calling `axios_python.get` at once share one lazily created default client."""
    created: list[AxiosPython] = []
    entered = threading.Event()

    class CountingClient(AxiosPython):
        def __init__(self) -> None:
            entered.set()
            threading.Event().wait(0.05)  # widen the window for a racing second creation
            super().__init__()
            created.append(self)

    monkeypatch.setattr(api_module, "_default", None)
    monkeypatch.setattr(api_module, "AxiosPython", CountingClient)
    barrier = threading.Barrier(50)
    statuses: list[int] = []
    clients: list[AxiosPython] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        response = axios_python.get(f"{server.url}/get")
        with lock:
            statuses.append(response.status_code)
            clients.append(axios_python.default_client())

    threads = [threading.Thread(target=worker) for _ in range(50)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert entered.is_set()
        assert statuses == [200] * 50
        assert len(created) == 1
        assert all(client is created[0] for client in clients)
        assert axios_python.default_client() is created[0]
    finally:
        for client in created:
            client.close()


def test_default_client_is_a_stable_singleton() -> None:
    """`default_client()` returns the same client on every call."""
    assert axios_python.default_client() is axios_python.default_client()
    assert isinstance(axios_python.default_client(), AxiosPython)


# --- create() isolation --------------------------------------------------------------------


def test_clients_are_isolated(server: LocalServer, clients: list[AxiosPython]) -> None:
    """Headers, interceptors and middleware of one client affect neither others nor the helpers."""
    first = axios_python.create({"base_url": server.url, "headers": {"X-Default": "first"}})
    second = axios_python.create({"base_url": server.url})
    clients.extend([first, second])

    def intercept(config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Intercepted"] = "yes"
        return config

    async def middleware(ctx: dict[str, Any], next_fn: Any) -> Any:
        ctx["headers"]["X-Middleware"] = "yes"
        return await next_fn(ctx)

    first.interceptors.request.use(intercept)
    first.use(middleware)

    own = _lower(first.get("/headers").json()["headers"])
    assert own["x-default"] == "first"
    assert own["x-intercepted"] == "yes"
    assert own["x-middleware"] == "yes"

    added = {"x-default", "x-intercepted", "x-middleware"}
    other = _lower(second.get("/headers").json()["headers"])
    assert added.isdisjoint(other)
    helper = _lower(axios_python.get(f"{server.url}/headers").json()["headers"])
    assert added.isdisjoint(helper)
    assert len(second.interceptors.request) == 0
    assert len(axios_python.default_client().interceptors.request) == 0


def test_interceptor_header_mutations_do_not_leak_into_defaults(
    server: LocalServer, clients: list[AxiosPython]
) -> None:
    """Mutating `config["headers"]` in an interceptor leaves the client's defaults alone."""
    api = axios_python.create({"base_url": server.url, "headers": {"X-Base": "1"}})
    clients.append(api)
    count = iter(range(1, 100))

    def mutate(config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Count"] = str(next(count))
        config["headers"]["X-Base"] = "changed"
        return config

    api.interceptors.request.use(mutate)
    first = _lower(api.get("/headers").json()["headers"])
    second = _lower(api.get("/headers").json()["headers"])

    assert first["x-count"] == "1"
    assert second["x-count"] == "2"
    assert second["x-base"] == "changed"
    assert "x-count" not in api.defaults["headers"]
    assert api.defaults["headers"]["x-base"] == "1"


def test_interceptor_params_mutations_do_not_leak_into_defaults(
    server: LocalServer, clients: list[AxiosPython]
) -> None:
    """Mutating `config["params"]` in place in an interceptor leaves the client's defaults alone."""
    api = axios_python.create({"base_url": server.url, "params": {"base": "1"}})
    clients.append(api)
    seen: list[str] = []

    def mutate(config: dict[str, Any]) -> dict[str, Any]:
        config["params"][f"p{len(seen)}"] = "x"
        seen.append("called")
        return config

    api.interceptors.request.use(mutate)
    first = api.get("/get").json()["args"]
    second = api.get("/get").json()["args"]

    assert first == {"base": "1", "p0": "x"}
    assert second == {"base": "1", "p1": "x"}
    assert api.defaults["params"] == {"base": "1"}


def test_per_request_headers_override_defaults_case_insensitively(
    server: LocalServer, clients: list[AxiosPython]
) -> None:
    """`headers={"x-token": ...}` replaces a default `X-Token` (no duplicate is sent)."""
    api = axios_python.create(
        {"base_url": server.url, "headers": {"X-Token": "default", "X-Keep": "kept"}}
    )
    clients.append(api)

    headers = _lower(api.get("/headers", headers={"x-token": "override"}).json()["headers"])

    assert headers["x-token"] == "override"
    assert headers["x-keep"] == "kept"
    accept = _lower(api.get("/headers", headers={"ACCEPT": "text/csv"}).json()["headers"])
    assert accept["accept"] == "text/csv"
    assert api.defaults["headers"]["x-token"] == "default"


def test_params_merge_per_key(server: LocalServer, clients: list[AxiosPython]) -> None:
    """Per-request params merge with the client's, key by key, per-request values winning."""
    api = axios_python.create({"base_url": server.url, "params": {"a": "1", "b": "2"}})
    clients.append(api)

    assert api.get("/get", params={"b": "3", "c": "4"}).json()["args"] == {
        "a": "1",
        "b": "3",
        "c": "4",
    }
    assert api.get("/get").json()["args"] == {"a": "1", "b": "2"}
    assert api.get("/get?z=9").json()["args"] == {"a": "1", "b": "2", "z": "9"}
    assert api.get("/get", params={"multi": ["x", "y"]}).json()["args"]["multi"] == ["x", "y"]


# --- request bodies ------------------------------------------------------------------------


def test_json_body(api: AxiosPython) -> None:
    """`json=` sends a JSON body with its content type."""
    body = api.post("/post", json={"name": "axios", "tags": [1, 2]}).json()

    assert body["json"] == {"name": "axios", "tags": [1, 2]}
    assert _lower(body["headers"])["content-type"] == "application/json"


def test_form_body(api: AxiosPython) -> None:
    """`data=` with a mapping sends a urlencoded form."""
    body = api.put("/put", data={"a": "1", "b": "two words"}).json()

    assert body["form"] == {"a": "1", "b": "two words"}
    assert _lower(body["headers"])["content-type"] == "application/x-www-form-urlencoded"


def test_raw_bodies(api: AxiosPython) -> None:
    """`content=` bytes and `data=` str/bytes are sent as they are."""
    assert api.patch("/patch", content=b"raw bytes").json()["data"] == "raw bytes"
    assert api.post("/post", data="plain text").json()["data"] == "plain text"
    assert api.post("/post", data=b"\x00bin").json()["data"] == "\x00bin"


def test_multipart_files_and_fields(api: AxiosPython) -> None:
    """`files=` (with `data=` fields) sends multipart/form-data."""
    body = api.post(
        "/post",
        data={"field": "value"},
        files={"upload": ("notes.txt", b"hello file", "text/plain")},
    ).json()

    assert body["form"] == {"field": "value"}
    assert body["files"] == {
        "upload": {
            "filename": "notes.txt",
            "content_type": "text/plain",
            "size": 10,
            "text": "hello file",
        }
    }
    assert _lower(body["headers"])["content-type"].startswith("multipart/form-data; boundary=")


# --- Response ------------------------------------------------------------------------------


def test_response_metadata(api: AxiosPython, server: LocalServer) -> None:
    """status_code, status, ok, headers, url, elapsed, request and config of a response."""
    response = api.get("/get", params={"q": "1"}, headers={"X-Req": "r"})

    assert response.status_code == 200
    assert response.status == 200
    assert response.ok is True
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["content-type"] == "application/json"
    assert str(response.url) == f"{server.url}/get?q=1"
    assert response.elapsed > timedelta(0)
    assert response.request.method == "GET"
    assert response.request.headers["x-req"] == "r"
    assert response.config["method"] == "GET"
    assert response.config["url"] == "/get"
    assert response.config["params"] == {"q": "1"}
    assert response.raise_for_status() is response


def test_response_not_ok(api: AxiosPython) -> None:
    """A 4xx is returned (no validate_status by default), `ok` is False, raise_for_status raises."""
    response = api.get("/status/404")

    assert response.status_code == 404
    assert response.ok is False
    with pytest.raises(axios_python.HTTPStatusError) as info:
        response.raise_for_status()
    assert info.value.response is response
    assert info.value.code == "ERR_BAD_REQUEST"


def test_response_data_by_content_type(api: AxiosPython) -> None:
    """`data` is parsed JSON, text, bytes or None, by content type."""
    slideshow = api.get("/json")
    assert slideshow.data["slideshow"]["author"] == "Yours Truly"
    assert slideshow.data == slideshow.json()

    text = api.get("/text")
    assert text.data == "hello"
    assert text.text == "hello"

    utf8 = api.get("/encoding/utf8")
    assert isinstance(utf8.data, str)
    assert "日本語" in utf8.data

    binary = api.get("/bytes/32")
    assert isinstance(binary.data, bytes)
    assert len(binary.data) == 32
    assert binary.data == binary.content

    empty = api.get("/status/204")
    assert empty.status_code == 204
    assert empty.data is None
    assert empty.content == b""
    assert empty.text == ""


def test_response_data_is_assignable(api: AxiosPython) -> None:
    """Assigning `data` changes `data` only; `json()`, `text` and `content` keep the body."""
    response = api.get("/json")
    original = response.content

    response.data = {"replaced": True}

    assert response.data == {"replaced": True}
    assert response.json()["slideshow"]["title"] == "Sample Slide Show"
    assert response.content == original
    response.data = None
    assert response.data is None


def test_json_on_a_non_json_body_raises_value_error(api: AxiosPython) -> None:
    """`json()` on a text body raises a ValueError."""
    with pytest.raises(ValueError, match="Expecting value"):
        api.get("/text").json()


# --- redirects -----------------------------------------------------------------------------


def test_redirects_are_followed_by_default(api: AxiosPython, server: LocalServer) -> None:
    """/redirect/3 ends at /get, with three responses in history."""
    response = api.get("/redirect/3")

    assert response.status_code == 200
    assert str(response.url) == f"{server.url}/get"
    assert len(response.history) == 3
    assert [r.status_code for r in response.history] == [302, 302, 302]
    assert response.json()["path"] == "/get"


def test_follow_redirects_false_returns_the_302(api: AxiosPython) -> None:
    """`follow_redirects=False` returns the redirect itself."""
    response = api.get("/redirect/3", follow_redirects=False)

    assert response.status_code == 302
    assert response.headers["location"] == "/redirect/2"
    assert response.is_redirect
    assert response.history == []


def test_per_request_max_redirects(api: AxiosPython, server: LocalServer) -> None:
    """`max_redirects=1` on /redirect/3 raises TooManyRedirects; 3 is enough."""
    with pytest.raises(axios_python.TooManyRedirects) as info:
        api.get("/redirect/3", max_redirects=1)
    assert info.value.code == "ERR_FR_TOO_MANY_REDIRECTS"

    response = api.get("/redirect/3", max_redirects=3)
    assert str(response.url) == f"{server.url}/get"
    assert len(response.history) == 3


def test_client_max_redirects(server: LocalServer, clients: list[AxiosPython]) -> None:
    """`create({"max_redirects": 1})` applies to every request; a request may raise it."""
    api = axios_python.create({"base_url": server.url, "max_redirects": 1})
    clients.append(api)

    with pytest.raises(axios_python.TooManyRedirects):
        api.get("/redirect/3")
    assert api.get("/redirect/1").status_code == 200
    assert api.get("/redirect/3", max_redirects=5).status_code == 200


@pytest.mark.anyio
async def test_redirects_async(aapi: AxiosPython, server: LocalServer) -> None:
    """The redirect options behave the same on async calls."""
    followed = await aapi.async_get("/redirect/3")
    assert str(followed.url) == f"{server.url}/get"
    assert len(followed.history) == 3

    not_followed = await aapi.async_get("/redirect/3", follow_redirects=False)
    assert not_followed.status_code == 302

    with pytest.raises(axios_python.TooManyRedirects):
        await aapi.async_get("/redirect/3", max_redirects=1)


# --- cookies and compression ---------------------------------------------------------------


def test_cookie_jar_persists_per_client(server: LocalServer, clients: list[AxiosPython]) -> None:
    """Set-Cookie lands in the client's jar and is sent later; other clients do not see it."""
    api = axios_python.create({"base_url": server.url})
    other = axios_python.create({"base_url": server.url})
    clients.extend([api, other])

    set_response = api.get("/cookies/set", params={"a": "1"})
    assert set_response.json() == {"cookies": {"a": "1"}}  # followed the 302 to /cookies

    assert api.get("/cookies").json() == {"cookies": {"a": "1"}}
    assert other.get("/cookies").json() == {"cookies": {}}
    assert api.get("/cookies", cookies={"b": "2"}).json() == {"cookies": {"a": "1", "b": "2"}}
    assert api.get("/cookies").json() == {"cookies": {"a": "1"}}


@pytest.mark.anyio
async def test_cookie_jar_is_shared_by_sync_and_async(aapi: AxiosPython) -> None:
    """A cookie set by a sync call is sent by an async call on the same client."""
    aapi.get("/cookies/set", params={"s": "sync"})
    assert (await aapi.async_get("/cookies")).json() == {"cookies": {"s": "sync"}}


def test_gzip_is_decoded(api: AxiosPython) -> None:
    """A gzip-encoded body is decoded; `Accept-Encoding` advertised it."""
    response = api.get("/gzip")

    assert response.headers["content-encoding"] == "gzip"
    assert response.data["gzipped"] is True
    assert "gzip" in _lower(response.data["headers"])["accept-encoding"]
    assert api.get("/deflate").data["deflated"] is True


# --- concurrency ---------------------------------------------------------------------------


def test_threads_share_one_client_and_its_pool(server: LocalServer) -> None:
    """50 threads x 4 requests on one client all succeed over at most a pool's connections."""
    # A pool at least as large as the thread count: with more threads than connections,
    # httpcore 1.0.9 can close a connection it just handed to a waiting thread
    # (encode/httpcore#1110), which fails that request with EBADF or a read timeout.
    pool_size = 50
    api = axios_python.create(
        {
            "base_url": server.url,
            "limits": httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
        }
    )
    before = server.connections
    barrier = threading.Barrier(50)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(4):
            response = api.get("/get", params={"n": n, "i": i})
            args = response.json()["args"]
            with lock:
                results.append((response.status_code, f"{args['n']}-{args['i']}"))

    with api:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)

    assert len(results) == 200
    assert {status for status, _ in results} == {200}
    assert sorted(tag for _, tag in results) == sorted(
        f"{n}-{i}" for n in range(50) for i in range(4)
    )
    assert 1 <= server.connections - before <= pool_size


@pytest.mark.anyio
async def test_gather_200_requests_on_one_client(aapi: AxiosPython) -> None:
    """200 concurrent `async_get` calls on one client all succeed with their own responses."""
    responses = await asyncio.gather(*(aapi.async_get("/get", params={"n": n}) for n in range(200)))

    assert [r.status_code for r in responses] == [200] * 200
    assert [r.json()["args"]["n"] for r in responses] == [str(n) for n in range(200)]


# --- streaming -----------------------------------------------------------------------------


def test_stream_iter_bytes_and_read(api: AxiosPython) -> None:
    """A streamed body is iterated in chunks, or read() whole; then data works."""
    expected = api.get("/bytes/3000").content

    with api.get("/stream-bytes/3000", stream=True) as response:
        chunks = list(response.iter_bytes(chunk_size=1000))
    assert [len(c) for c in chunks] == [1000, 1000, 1000]
    assert b"".join(chunks) == expected
    assert response.is_closed

    with api.get("/stream-bytes/3000", stream=True) as response:
        assert response.read() == expected
        assert response.data == expected
        assert response.content == expected


def test_stream_iter_lines(api: AxiosPython) -> None:
    """`iter_lines()` yields the newline-delimited records of a streamed body."""
    with api.get("/stream/4", stream=True) as response:
        lines = list(response.iter_lines())
    assert [json.loads(line)["id"] for line in lines] == [0, 1, 2, 3]


def test_data_on_an_unread_stream_raises_stream_error(api: AxiosPython) -> None:
    """`.data` (and `.content`) of a stream not yet read raise StreamError."""
    with api.get("/stream/2", stream=True) as response:
        with pytest.raises(axios_python.StreamError):
            _ = response.data
        with pytest.raises(axios_python.StreamError):
            _ = response.content
        list(response.iter_lines())
        with pytest.raises(axios_python.StreamError):  # consumed, not stored
            response.read()


@pytest.mark.anyio
async def test_stream_async(aapi: AxiosPython) -> None:
    """`aiter_bytes`, `aiter_lines` and `aread` on async streams."""
    expected = (await aapi.async_get("/bytes/2048")).content

    async with await aapi.async_get("/stream-bytes/2048", stream=True) as response:
        chunks = [chunk async for chunk in response.aiter_bytes(chunk_size=512)]
    assert [len(c) for c in chunks] == [512] * 4
    assert b"".join(chunks) == expected
    assert response.is_closed

    async with await aapi.async_get("/stream/3", stream=True) as response:
        lines = [line async for line in response.aiter_lines()]
    assert [json.loads(line)["id"] for line in lines] == [0, 1, 2]

    async with await aapi.async_get("/stream-bytes/2048", stream=True) as response:
        with pytest.raises(axios_python.StreamError):
            _ = response.data
        assert await response.aread() == expected
        assert response.data == expected


# --- closing -------------------------------------------------------------------------------


def _resource_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def test_with_block_closes_connections(server: LocalServer) -> None:
    """After `with create(...) as api:` nothing is left open (no ResourceWarning on collection)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with axios_python.create({"base_url": server.url}) as api:
            assert api.get("/get").status_code == 200
            with api.get("/stream-bytes/100", stream=True) as streamed:
                streamed.read()
        del api, streamed
        gc.collect()
    assert _resource_warnings(caught) == []


@pytest.mark.anyio
async def test_async_with_block_closes_connections(server: LocalServer) -> None:
    """After `async with create(...) as api:` nothing is left open, sync or async."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with axios_python.create({"base_url": server.url}) as api:
            assert (await api.async_get("/get")).status_code == 200
            assert api.get("/get").status_code == 200
        del api
        gc.collect()
    assert _resource_warnings(caught) == []


def test_client_is_usable_after_close(server: LocalServer) -> None:
    """`close()` releases connections; a later request opens new ones."""
    api = axios_python.create({"base_url": server.url})
    api.get("/get")
    api.close()
    assert api.get("/get").status_code == 200
    api.close()


# --- sync/async parity ---------------------------------------------------------------------

SCENARIOS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/get", {"params": {"q": "1", "list": ["a", "b"]}}),
    ("POST", "/post", {"json": {"a": [1, 2, {"b": None}]}}),
    ("PUT", "/put", {"data": {"form": "value"}}),
    ("PATCH", "/patch", {"content": b"raw"}),
    ("DELETE", "/delete", {"headers": {"X-Parity": "yes"}}),
    ("HEAD", "/get", {}),
    ("OPTIONS", "/anything", {}),
    (
        "POST",
        "/post",
        {
            "files": {"f": ("a.txt", b"abc", "text/plain")},
            "headers": {"Content-Type": "multipart/form-data; boundary=parity"},  # not random
        },
    ),
    ("GET", "/status/418", {}),
    ("GET", "/status/204", {}),
    ("GET", "/json", {}),
    ("GET", "/text", {}),
    ("GET", "/xml", {}),
    ("GET", "/bytes/64", {}),
    ("GET", "/gzip", {}),
    ("GET", "/redirect/2", {}),
    ("GET", "/redirect/2", {"follow_redirects": False}),
    ("GET", "/stream/3", {}),
    ("GET", "/cookies", {"cookies": {"c": "1"}}),
    ("GET", "/basic-auth/user/pass", {"auth": ("user", "pass")}),
    ("GET", "/status/500", {"validate_status": lambda s: s < 400}),
    ("GET", "/redirect/3", {"max_redirects": 1}),
    ("GET", "/delay/1", {"timeout": 0.1}),
]


def _outcome(call: Any) -> tuple[Any, ...]:
    """(status, data, history length) of a response, or (error type, code, status)."""
    try:
        response: Response = call()
    except axios_python.AxiosPythonError as exc:
        status = exc.response.status_code if exc.response is not None else None
        return (type(exc).__name__, exc.code, status)
    return (response.status_code, response.data, len(response.history))


async def _async_outcome(call: Any) -> tuple[Any, ...]:
    try:
        response: Response = await call()
    except axios_python.AxiosPythonError as exc:
        status = exc.response.status_code if exc.response is not None else None
        return (type(exc).__name__, exc.code, status)
    return (response.status_code, response.data, len(response.history))


@pytest.mark.anyio
async def test_sync_async_parity(aapi: AxiosPython) -> None:
    """The same scenarios through `request` and `async_request` give equal outcomes."""
    sync_outcomes = [
        _outcome(lambda m=m, u=u, o=o: aapi.request(m, u, **o)) for m, u, o in SCENARIOS
    ]
    async_outcomes = [
        await _async_outcome(lambda m=m, u=u, o=o: aapi.async_request(m, u, **o))
        for m, u, o in SCENARIOS
    ]

    for scenario, sync_outcome, async_outcome in zip(
        SCENARIOS, sync_outcomes, async_outcomes, strict=True
    ):
        assert sync_outcome == async_outcome, scenario
    # a few anchors, so that "both equally wrong" cannot pass
    outcomes = dict(
        zip((f"{m} {u} {sorted(o)}" for m, u, o in SCENARIOS), sync_outcomes, strict=True)
    )
    assert outcomes["GET /status/418 []"] == (418, None, 0)
    assert outcomes["GET /redirect/2 []"][0] == 200
    assert outcomes["GET /redirect/2 []"][2] == 2
    assert outcomes["GET /status/500 ['validate_status']"] == (
        "HTTPStatusError",
        "ERR_BAD_RESPONSE",
        500,
    )
    assert outcomes["GET /redirect/3 ['max_redirects']"][0] == "TooManyRedirects"
    assert outcomes["GET /delay/1 ['timeout']"] == ("TimeoutError", "ETIMEDOUT", None)
    assert outcomes["HEAD /get []"] == (200, None, 0)
    assert outcomes["GET /text []"] == (200, "hello", 0)


@pytest.mark.anyio
async def test_parity_of_request_shortcuts(aapi: AxiosPython) -> None:
    """Each `api.<method>` and `api.async_<method>` send the same method."""
    for method in [*METHODS, "HEAD"]:
        sync_response = getattr(aapi, method.lower())("/anything")
        async_response = await getattr(aapi, f"async_{method.lower()}")("/anything")
        assert sync_response.request.method == async_response.request.method == method
        assert sync_response.data == async_response.data
