"""Tests for the stdlib httpbin-like LocalServer used by the demo and the test suite."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import socket
import struct
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator

import httpx
import pytest
from axios_python_testserver import LocalServer


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A fresh server per test (starting one takes a few milliseconds)."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def client(server: LocalServer) -> Iterator[httpx.Client]:
    """An httpx client bound to the server's URL."""
    with httpx.Client(base_url=server.url) as c:
        yield c


def _wait_for(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Poll a zero-argument callable until it returns true."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.002)


def test_start_close_and_url() -> None:
    """start() serves on an ephemeral loopback port; close() is idempotent and stops it."""
    srv = LocalServer()
    assert srv.start() is srv
    assert srv.url.startswith("http://127.0.0.1:")
    assert not srv.url.endswith("/")
    with urllib.request.urlopen(srv.url + "/ip", timeout=5) as resp:
        assert json.loads(resp.read()) == {"origin": "127.0.0.1"}
    srv.close()
    srv.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(srv.url + "/get", timeout=2)
    with pytest.raises(RuntimeError):
        srv.start()


def test_rejects_non_loopback_host() -> None:
    """Binding anything but a loopback address is refused."""
    with pytest.raises(ValueError, match="loopback"):
        LocalServer("0.0.0.0")
    with pytest.raises(ValueError, match="loopback"):
        LocalServer("example.com")


def test_keep_alive_reuses_one_connection(server: LocalServer, client: httpx.Client) -> None:
    """Mixed requests on one httpx.Client all travel over a single TCP connection."""
    assert client.get("/get").status_code == 200
    assert client.post("/post", content=b"x" * 5000).json()["data"] == "x" * 5000
    assert client.head("/bytes/100").headers["content-length"] == "100"
    assert client.get("/status/204").status_code == 204
    assert client.get("/status/304").status_code == 304
    assert len(client.get("/stream/3").text.splitlines()) == 3
    assert client.get("/missing").status_code == 404
    assert client.get("/get").status_code == 200
    assert server.connections == 1
    assert server.hits["/get"] == 2


def test_echo_args_and_headers(client: httpx.Client) -> None:
    """Query args (repeated ones as lists) and headers (original case) are echoed."""
    body = client.get("/get?a=1&b=2&b=3&empty=", headers={"X-Custom-Header": "v"}).json()
    assert body["method"] == "GET"
    assert body["path"] == "/get"
    assert body["args"] == {"a": "1", "b": ["2", "3"], "empty": ""}
    assert body["headers"]["X-Custom-Header"] == "v"
    assert body["url"].endswith("/get?a=1&b=2&b=3&empty=")
    assert body["origin"] == "127.0.0.1"


def test_echo_json_and_form(client: httpx.Client) -> None:
    """JSON bodies are parsed and urlencoded forms are decoded."""
    body = client.put("/put", json={"x": [1, "ü"]}).json()
    assert body["json"] == {"x": [1, "ü"]}
    assert body["method"] == "PUT"
    body = client.patch("/anything/deep/path", data={"k": "v", "multi": ["1", "2"]}).json()
    assert body["form"] == {"k": "v", "multi": ["1", "2"]}
    assert body["json"] is None
    assert body["path"] == "/anything/deep/path"


def test_echo_multipart_files(client: httpx.Client) -> None:
    """Multipart text fields land in form, file fields in files with size and text."""
    binary = bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"
    body = client.post(
        "/post",
        data={"field": "välue"},
        files={
            "note": ("note.txt", b"hello file", "text/plain"),
            "blob": ("blob.bin", binary, "application/octet-stream"),
        },
    ).json()
    assert body["form"] == {"field": "välue"}
    assert body["files"]["note"] == {
        "filename": "note.txt",
        "content_type": "text/plain",
        "size": 10,
        "text": "hello file",
    }
    assert body["files"]["blob"]["size"] == len(binary)
    assert body["data"] == ""


def test_chunked_upload_keeps_connection_usable(server: LocalServer) -> None:
    """A chunked request body is decoded and the connection serves the next request."""
    conn = http.client.HTTPConnection("127.0.0.1", int(server.url.rsplit(":", 1)[1]), timeout=5)
    try:
        conn.request("POST", "/post", body=iter([b"hello ", b"chunked"]), encode_chunked=True)
        first = conn.getresponse()
        assert json.loads(first.read())["data"] == "hello chunked"
        conn.request("GET", "/headers")
        assert conn.getresponse().status == 200
    finally:
        conn.close()
    assert server.connections == 1


def test_status_codes(client: httpx.Client) -> None:
    """/status/<code> answers with that code, an optional body and Retry-After."""
    for code in (200, 201, 400, 418, 500, 503):
        assert client.get(f"/status/{code}").status_code == code
    resp = client.get("/status/429?Retry-After=7&body=slow+down")
    assert (resp.status_code, resp.headers["retry-after"], resp.text) == (429, "7", "slow down")
    resp = client.get("/status/301")
    assert (resp.status_code, resp.headers["location"]) == (301, "/get")
    assert client.delete("/status/404").status_code == 404


def test_head_has_headers_but_no_body(client: httpx.Client) -> None:
    """HEAD responses carry Content-Length but no body."""
    resp = client.head("/get")
    assert resp.status_code == 200
    assert int(resp.headers["content-length"]) > 0
    assert resp.content == b""


def test_redirect_chain(client: httpx.Client) -> None:
    """/redirect/3 and /absolute-redirect/2 lead to /get through 302s."""
    resp = client.get("/redirect/3", follow_redirects=True)
    assert [r.status_code for r in resp.history] == [302, 302, 302]
    assert resp.url.path == "/get"
    resp = client.get("/absolute-redirect/2", follow_redirects=True)
    assert resp.history[0].headers["location"].startswith("http://127.0.0.1:")
    assert resp.url.path == "/get"
    resp = client.get("/redirect-to?url=/ip&status_code=307")
    assert (resp.status_code, resp.headers["location"]) == (307, "/ip")


def test_gzip(client: httpx.Client) -> None:
    """/gzip sends a gzip-encoded JSON body."""
    resp = client.get("/gzip")
    assert resp.headers["content-encoding"] == "gzip"
    assert resp.json()["gzipped"] is True
    with client.stream("GET", "/gzip") as raw:
        assert json.loads(gzip.decompress(b"".join(raw.iter_raw())))["gzipped"] is True


def test_bytes_and_stream_bytes(client: httpx.Client) -> None:
    """/bytes and /stream-bytes give the same deterministic bytes; the latter chunked."""
    fixed = client.get("/bytes/10000")
    assert fixed.headers["content-type"] == "application/octet-stream"
    assert len(fixed.content) == 10000
    streamed = client.get("/stream-bytes/10000?chunk_size=333")
    assert streamed.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in streamed.headers
    assert streamed.content == fixed.content
    assert client.get("/bytes/10000").content == fixed.content
    assert len(client.get("/big/1048576").content) == 1048576


def test_cookies_auth_cache_counter(client: httpx.Client) -> None:
    """Cookie, auth, cache and counter endpoints behave like httpbin."""
    assert client.get("/cookies/set?a=1&b=2", follow_redirects=True).json() == {
        "cookies": {"a": "1", "b": "2"}
    }
    assert client.get("/basic-auth/u/p", auth=("u", "p")).json()["user"] == "u"
    assert client.get("/basic-auth/u/p", auth=("u", "x")).status_code == 401
    bearer = client.get("/bearer", headers={"Authorization": "Bearer t0k"})
    assert bearer.json() == {"authenticated": True, "token": "t0k"}
    assert client.get("/bearer").status_code == 401
    first = client.get("/cache?max_age=60")
    assert first.headers["cache-control"] == "max-age=60"
    again = client.get("/cache?max_age=60", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/cache?max_age=60").json()["counter"] == first.json()["counter"] + 1
    assert [client.get("/counter/n").json()["count"] for _ in range(3)] == [1, 2, 3]


def test_not_found(client: httpx.Client) -> None:
    """Unknown paths give a JSON 404."""
    resp = client.post("/no/such/thing", content=b"ignored body")
    assert resp.status_code == 404
    assert resp.headers["content-type"] == "application/json"
    assert resp.json() == {"error": "not found"}


def test_close_interrupts_delay() -> None:
    """close() returns within a second while a /delay/30 request is in flight."""
    srv = LocalServer().start()

    def call() -> None:
        with contextlib.suppress(OSError, http.client.HTTPException):
            urllib.request.urlopen(srv.url + "/delay/30", timeout=10).close()

    caller = threading.Thread(target=call)
    caller.start()
    _wait_for(lambda: srv.hits["/delay/30"] == 1)
    started = time.monotonic()
    srv.close()
    assert time.monotonic() - started < 1.0
    caller.join(timeout=2)
    assert not caller.is_alive()


def test_client_disconnect_is_silent(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A client resetting the connection mid-response prints nothing to stderr."""
    size = 32 * 1024 * 1024
    sock = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])))
    sock.sendall(f"GET /big/{size} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    _wait_for(lambda: server.hits[f"/big/{size}"] == 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    server.close()
    assert capsys.readouterr().err == ""
