"""The core's exchange above the transport seam (axios_python/_exchange.py), driven over a
transport that answers each hop from a table: no network. Each case runs sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from typing import Any

import httpx
import pytest

import axios_python
from axios_python import BaseTransport, Response, TooManyRedirects

Answer = Callable[[httpx.Request], tuple[int, list[tuple[str, str]]]]


class Hops(BaseTransport):
    """Answers each request with `answer(request)`: (status, headers); records every hop."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.hops: list[httpx.Request] = []
        self.sent: list[httpx.Headers] = []  # each hop's headers as sent (a flow may reuse one)

    def handle_request(self, request: httpx.Request, *, stream: bool) -> Response:
        request.read()
        self.hops.append(request)
        self.sent.append(httpx.Headers(request.headers))
        status, headers = self.answer(request)
        raw = [(name.encode(), value.encode()) for name, value in headers]
        return Response.received(status, raw, b"", request=request)

    async def handle_async_request(self, request: httpx.Request, *, stream: bool) -> Response:
        await request.aread()
        return self.handle_request(request, stream=stream)


def call(transport: Hops, mode: str, method: str, url: str, **options: Any) -> Response:
    api = axios_python.create({"transport": transport, "base_url": "http://a.test"})
    if mode == "sync":
        return api.request(method=method, url=url, **options)
    return asyncio.run(api.async_request(method=method, url=url, **options))


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


def redirect_once(status: int, location: str) -> Answer:
    return lambda request: (
        (status, [("Location", location)]) if request.url.path == "/from" else (200, [])
    )


@MODES
def test_303_after_post_is_a_get_without_body(mode: str) -> None:
    """303 turns a POST into a GET; the body and its headers are dropped."""
    transport = Hops(redirect_once(303, "/to"))
    response = call(transport, mode, "POST", "/from", data={"a": 1})
    first, second = transport.hops
    assert (first.method, second.method, second.url.path) == ("POST", "GET", "/to")
    assert second.content == b""
    assert "content-length" not in second.headers
    assert [hop.status_code for hop in response.history] == [303]


@MODES
def test_307_keeps_method_and_body(mode: str) -> None:
    """307 sends the same method and body again."""
    transport = Hops(redirect_once(307, "/to"))
    call(transport, mode, "PUT", "/from", content=b"payload")
    assert [(hop.method, hop.content) for hop in transport.hops] == [
        ("PUT", b"payload"),
        ("PUT", b"payload"),
    ]


@MODES
def test_cross_origin_hop_drops_the_policy_headers(mode: str) -> None:
    """Another origin loses every header of the redaction policy; Host follows the URL."""
    transport = Hops(redirect_once(302, "http://b.test/to"))
    headers = {"Authorization": "Bearer t", "X-Api-Key": "k", "X-Trace": "1"}
    call(transport, mode, "GET", "/from", headers=headers)
    hop = transport.hops[1]
    assert "authorization" not in hop.headers
    assert "x-api-key" not in hop.headers
    assert hop.headers["x-trace"] == "1"
    assert hop.headers["host"] == "b.test"


@MODES
def test_set_cookie_is_sent_on_the_next_hop(mode: str) -> None:
    """A hop's Set-Cookie goes into the jar, and the jar's cookies go with the next hop."""

    def answer(request: httpx.Request) -> tuple[int, list[tuple[str, str]]]:
        if request.url.path == "/from":
            return 302, [("Location", "/to"), ("Set-Cookie", "s=1; Path=/")]
        return 200, []

    transport = Hops(answer)
    call(transport, mode, "GET", "/from")
    assert "cookie" not in transport.hops[0].headers
    assert transport.hops[1].headers["cookie"] == "s=1"
    assert transport.cookies["s"] == "1"


@MODES
def test_the_redirect_limit(mode: str) -> None:
    """More hops than max_redirects is TooManyRedirects, after exactly limit + 1 requests."""
    transport = Hops(lambda request: (302, [("Location", "/again")]))
    with pytest.raises(TooManyRedirects):
        call(transport, mode, "GET", "/from", max_redirects=3)
    assert len(transport.hops) == 4


@MODES
def test_follow_redirects_false_returns_the_redirect(mode: str) -> None:
    """follow_redirects=False: one hop, the 302 itself."""
    transport = Hops(redirect_once(302, "/to"))
    response = call(transport, mode, "GET", "/from", follow_redirects=False)
    assert response.status_code == 302
    assert len(transport.hops) == 1


class Challenge(httpx.Auth):
    """Sends without credentials, then with them after a 401 (a digest-like flow)."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = "Token answer"
            yield request


@MODES
def test_an_auth_flow_runs_step_by_step(mode: str) -> None:
    """An httpx.Auth flow gets each response and sends its next request."""

    def answer(request: httpx.Request) -> tuple[int, list[tuple[str, str]]]:
        return (200, []) if "authorization" in request.headers else (401, [])

    transport = Hops(answer)
    response = call(transport, mode, "GET", "/secret", auth=Challenge())
    assert response.status_code == 200
    assert [headers.get("authorization") for headers in transport.sent] == [None, "Token answer"]
