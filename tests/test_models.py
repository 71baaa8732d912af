"""`Response.received()`: the cheap response of transports not built on httpx behaves exactly
like a `Response` over a fully read `httpx.Response` (the reference, built the usual way)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest

from axios_python import Request, Response

URL = "http://127.0.0.1:8000/things?x=1"
BODY = json.dumps({"id": 1, "name": "é"}).encode()
CASES = [
    pytest.param(200, [(b"Content-Type", b"application/json")], BODY, id="json"),
    pytest.param(
        201,
        [(b"content-type", b"text/plain; charset=latin-1")],
        "olé".encode("latin-1"),
        id="latin1",
    ),
    pytest.param(
        200,
        [(b"Content-Type", b"application/json"), (b"Content-Encoding", b"gzip")],
        gzip.compress(BODY),
        id="gzip",
    ),
    pytest.param(204, [], b"", id="empty"),
    pytest.param(404, [(b"Content-Type", b"application/octet-stream")], b"\x00\xff", id="binary"),
    pytest.param(
        302, [(b"Location", b"/elsewhere"), (b"Set-Cookie", b"a=1; Path=/")], b"", id="redirect"
    ),
    pytest.param(200, [(b"X-Odd", b"1"), (b"x-odd", b"2")], b"not json {", id="no-type"),
]


def request() -> Request:
    return Request("GET", URL, config={"url": URL})


def pair(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[Response, Response]:
    req = request()
    raw = httpx.Response(
        status, headers=headers, stream=httpx.ByteStream(body), request=req,
        extensions={"http_version": b"HTTP/1.1"},
    )  # fmt: skip
    raw.read()
    reference = Response(raw=raw, request=req, config=req.config)
    received = Response.received(status, list(headers), body, request=req, elapsed=0.25)
    return reference, received


def observed(response: Response) -> dict[str, Any]:
    return {
        "status": (response.status_code, response.status, response.ok, response.reason_phrase),
        "headers": list(response.headers.multi_items()),
        "content": response.content,
        "read": response.read(),
        "text": response.text,
        "encoding": response.encoding,
        "data": response.data,
        "url": str(response.url),
        "version": response.http_version,
        "closed": response.is_closed,
        "redirect": response.is_redirect,
        "cookies": dict(response.cookies),
        "history": response.history,
        "bytes": b"".join(response.iter_bytes()),
        "config": response.config,
    }


@pytest.mark.parametrize(("status", "headers", "body"), CASES)
def test_received_matches_an_httpx_response(
    status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    reference, received = pair(status, headers, body)
    assert observed(received) == observed(reference)


@pytest.mark.parametrize(("status", "headers", "body"), CASES)
def test_received_without_building_raw(
    status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    """What the pipeline and the common accessors read does not need the httpx.Response."""
    reference, received = pair(status, headers, body)
    assert received.status_code == reference.status_code
    assert received.headers.multi_items() == reference.headers.multi_items()
    assert received.data == reference.data
    assert received.is_closed
    received.close()
    if not any(k.lower() == b"content-encoding" for k, _ in headers):
        assert received.content == body
    assert received.elapsed.total_seconds() == 0.25


def test_received_keeps_changes_to_headers_and_data() -> None:
    _, received = pair(200, [(b"Content-Type", b"application/json")], BODY)
    headers = received.headers
    headers["X-Added"] = "yes"
    received.data = {"replaced": True}
    assert received.raw.headers is headers  # building raw keeps the object callers hold
    assert received.headers["x-added"] == "yes"
    assert received.data == {"replaced": True}
    assert received.json() == {"id": 1, "name": "é"}
    assert received.raw.elapsed.total_seconds() == 0.25


def test_received_reason_phrase_and_version() -> None:
    received = Response.received(
        418, [], b"", request=request(), http_version="HTTP/1.0", reason_phrase=b"Teapot"
    )
    assert (received.reason_phrase, received.http_version) == ("Teapot", "HTTP/1.0")
    assert received.raw.reason_phrase == "Teapot"
    assert received.raw.http_version == "HTTP/1.0"
    assert "418 Teapot" in repr(received)


def test_received_bad_gzip_is_a_typed_error() -> None:
    from axios_python import AxiosPythonError

    received = Response.received(
        200, [(b"Content-Encoding", b"gzip")], b"not gzip", request=request()
    )
    with pytest.raises(AxiosPythonError):
        received.content  # noqa: B018


@pytest.mark.anyio
async def test_received_async_reads() -> None:
    reference, received = pair(200, [(b"Content-Type", b"text/plain")], b"a\nb\n")
    assert await received.aread() == await reference.aread()
    assert [line async for line in received.aiter_lines()] == ["a", "b"]
    await received.aclose()
    assert received.is_closed
