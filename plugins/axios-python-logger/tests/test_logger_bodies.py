"""Bodies: truncated with a marker, binary summarised, streams left unread, or not logged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from axios_python_logger import LoggerPlugin
from axios_python_logger._body import body_text
from axios_python_logger._redact import Redactor

pytestmark = pytest.mark.anyio
MODES = pytest.mark.parametrize("mode", ["sync", "async"])
REDACTOR = Redactor()


@MODES
async def test_text_bodies_are_truncated_with_a_marker(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """Request and response bodies show max_body_length bytes, then how many more there were."""
    api = make_api(LoggerPlugin(max_body_length=100))
    response = await send(
        api, mode, "POST", "/post", content=b"a" * 3000, headers={"Content-Type": "text/plain"}
    )
    request, reply = logs()
    assert request.http_body == "a" * 100 + "...(2900 more bytes)"
    assert request.getMessage().endswith(f"body={'a' * 100 + '...(2900 more bytes)'!r}")
    content = response.content
    assert len(content) > 3000
    assert reply.http_body == content[:100].decode() + f"...({len(content) - 100} more bytes)"


@MODES
async def test_default_limit_is_1024_bytes(mode: str, make_api: Any, send: Any, logs: Any) -> None:
    """Without max_body_length a response shows its first 1024 bytes."""
    api = make_api()
    response = await send(api, mode, "GET", "/stream/50")
    (reply,) = logs("response")
    content = response.content
    assert reply.http_body == content[:1024].decode() + f"...({len(content) - 1024} more bytes)"


@MODES
async def test_no_limit(mode: str, make_api: Any, send: Any, logs: Any) -> None:
    """max_body_length=None shows whole bodies."""
    api = make_api(LoggerPlugin(max_body_length=None))
    response = await send(api, mode, "GET", "/stream/50")
    (reply,) = logs("response")
    assert reply.http_body == response.text


@MODES
async def test_binary_response_is_summarised(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """An application/octet-stream body is summarised by size and type, never dumped."""
    api = make_api()
    response = await send(api, mode, "GET", "/bytes/1024")
    assert len(response.content) == 1024
    (reply,) = logs("response")
    assert reply.http_body == "<1024 bytes application/octet-stream>"
    assert reply.getMessage().endswith(" body=<1024 bytes application/octet-stream>")


@MODES
async def test_binary_request_is_summarised(mode: str, make_api: Any, send: Any, logs: Any) -> None:
    """Binary uploads are summarised, typed or not (untyped ones are sniffed)."""
    api = make_api()
    blob = bytes(range(256)) * 4
    await send(api, mode, "PUT", "/put", content=blob, headers={"Content-Type": "image/png"})
    await send(api, mode, "PUT", "/put", content=blob)
    first, second = logs("request")
    assert first.http_body == "<1024 bytes image/png>"
    assert second.http_body == "<1024 bytes>"


@MODES
async def test_streamed_response_is_not_read(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """With stream=True the body is logged as <streamed> and the caller still gets every byte."""
    api = make_api()
    response = await send(api, mode, "GET", "/stream-bytes/5000", stream=True)
    (reply,) = logs("response")
    assert reply.http_body == "<streamed>"
    if mode == "sync":
        with response:
            received = b"".join(response.iter_bytes())
    else:
        async with response:
            received = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert len(received) == 5000


@MODES
async def test_multipart_upload_is_not_read(mode: str, make_api: Any, send: Any, logs: Any) -> None:
    """A multipart upload (a stream) is logged as <streamed>, and the server receives the file."""
    api = make_api()
    response = await send(
        api, mode, "POST", "/post", files={"file": ("a.txt", b"hello file", "text/plain")}
    )
    assert response.data["files"]["file"]["text"] == "hello file"
    request, _ = logs()
    assert request.http_body == "<streamed>"


@MODES
async def test_log_body_false_logs_no_body(mode: str, make_api: Any, send: Any, logs: Any) -> None:
    """log_body=False: no http_body field and no body in the message."""
    api = make_api(LoggerPlugin(log_body=False))
    await send(api, mode, "POST", "/post", json={"a": 1})
    records = logs()
    assert len(records) == 2
    assert all(not hasattr(r, "http_body") for r in records)
    assert all("body=" not in r.getMessage() for r in records)


# --- body_text on its own ---------------------------------------------------------------


def test_empty_body() -> None:
    """An empty body is an empty string, not a summary."""
    assert body_text(b"", "application/json", 10, REDACTOR) == ("", False)


def test_truncation_never_splits_a_character() -> None:
    """A cut inside a multi-byte character stops before it and counts its bytes as remaining."""
    text, is_summary = body_text(("é" * 100).encode(), "text/plain; charset=utf-8", 11, REDACTOR)
    assert (text, is_summary) == ("é" * 5 + "...(190 more bytes)", False)


def test_charset_is_honoured() -> None:
    """A declared charset decodes the body; an unknown one falls back to UTF-8."""
    assert body_text("café".encode("latin-1"), "text/plain; charset=latin-1", None, REDACTOR) == (
        "café",
        False,
    )
    assert body_text(b"plain", 'text/plain; charset="nope"', None, REDACTOR) == ("plain", False)


def test_untyped_bodies_are_sniffed() -> None:
    """No Content-Type: UTF-8 text is shown, control bytes or invalid UTF-8 are summarised."""
    assert body_text(b"hello\nworld\t!", None, None, REDACTOR) == ("hello\nworld\t!", False)
    assert body_text(b"\x00\x01abc", None, None, REDACTOR) == ("<5 bytes>", True)
    assert body_text(b"\xff\xfeab", "application/x-custom", None, REDACTOR) == (
        "<4 bytes application/x-custom>",
        True,
    )
    assert body_text(("é" * 10).encode(), None, 5, REDACTOR) == ("éé...(16 more bytes)", False)


def test_binary_types_are_summarised_even_when_printable() -> None:
    """A declared binary type is never shown, whatever its bytes look like."""
    for mime in ("application/octet-stream", "image/svg", "audio/ogg", "multipart/form-data"):
        assert body_text(b"abc", mime, None, REDACTOR) == (f"<3 bytes {mime}>", True)
    assert body_text(b"<svg/>", "image/svg+xml", None, REDACTOR) == ("<svg/>", False)


def test_json_is_redacted_before_truncation() -> None:
    """Redaction happens on the whole document, so a cut cannot reveal a secret's start."""
    body = json.dumps({"token": "x" * 50, "n": 1}).encode()
    assert body_text(body, "application/problem+json", 12, REDACTOR) == (
        '{"token": "[...(19 more bytes)',
        False,
    )
    assert body_text(b"not json", "application/json", None, REDACTOR) == ("not json", False)


def test_huge_json_is_summarised_rather_than_shown_unredacted() -> None:
    """A JSON body over 1 MiB is not parsed for redaction, so it is summarised."""
    body = b'{"token": "' + b"x" * (1 << 20) + b'"}'
    assert body_text(body, "application/json", 100, REDACTOR) == (
        f"<{len(body)} bytes application/json>",
        True,
    )
