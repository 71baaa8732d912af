"""The fast paths agree with httpx's public API, on the versions they were checked against."""

from __future__ import annotations

import gzip

import httpx

import axios_python


def test_header_items_are_the_raw_headers_with_lowercased_names() -> None:
    """The triples equal `(k, k.lower(), v)` over `headers.raw`, in order, repeats kept."""
    headers = httpx.Headers([("Accept", "a"), ("X-Key", "1"), ("x-key", "2")])
    assert axios_python.header_items(headers) == [
        (name, name.lower(), value) for name, value in headers.raw
    ]


def test_stored_response_keeps_the_decoded_body_and_the_headers() -> None:
    """A gzip entry's decoded body is not decoded again; the headers are a copy."""
    body = b'{"ok": true}'
    headers = httpx.Headers({"Content-Encoding": "gzip", "Content-Type": "application/json"})
    request = httpx.Request("GET", "https://api.test/x")
    response = axios_python.stored_response(200, headers, body, request=request, config={})
    assert response.raw.content is body
    assert response.data == {"ok": True}
    assert response.raw.is_stream_consumed
    assert response.raw.is_closed
    assert response.headers["content-encoding"] == "gzip"
    response.raw.headers["Age"] = "1"
    assert "age" not in headers
    assert b"".join(response.raw.iter_bytes()) == body  # read: the kept content, not gunzipped
    assert gzip.compress(body) != body


def test_cookies_empty_agrees_with_len() -> None:
    """Empty, then not once a cookie is set, then empty once the jar is cleared."""
    cookies = httpx.Cookies()
    assert axios_python.cookies_empty(cookies) is (len(cookies) == 0) is True
    cookies.set("session", "1", domain="api.test")
    assert axios_python.cookies_empty(cookies) is (len(cookies) == 0) is False
    cookies.clear()
    assert axios_python.cookies_empty(cookies) is True
