"""Bodies as log text: pure code that reads nothing from the network.

`body_text(content, content_type, max_length, redactor)` returns `(text, is_summary)`:

- an empty body                                   -> `("", False)`
- a binary type (octet-stream, image/*, multipart) -> `("<N bytes TYPE>", True)`, never the bytes
- JSON                                            -> secret keys redacted, then truncated; a JSON
  body over 1 MiB is summarised rather than shown unredacted
- a form (x-www-form-urlencoded)                  -> secret fields redacted, then truncated
- text (text/*, +json, +xml, ...)                 -> decoded with its charset, then truncated
- no or unknown type                              -> shown if it is valid UTF-8 without control
  characters, summarised otherwise

Truncation keeps the first `max_length` bytes (never splitting a character) and appends
`...(N more bytes)`. A body that is still a stream (`stream=True`, multipart uploads) is never
read: `request_body` / `response_body` return `("<streamed>", True)`.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from axios_python import Response

    from ._redact import Redactor

__all__ = ["STREAMED", "body_text", "request_body", "response_body"]

STREAMED = "<streamed>"
JSON_REDACT_LIMIT = 1 << 20

_TEXT = 0
_BINARY = 1
_UNKNOWN = 2
_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "application/javascript",
        "application/ecmascript",
        "application/x-www-form-urlencoded",
        "application/x-ndjson",
        "application/ndjson",
        "application/yaml",
        "application/x-yaml",
        "application/graphql",
        "application/sql",
        "application/csv",
    }
)
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/", "model/", "multipart/")
_BINARY_TYPES = frozenset(
    {
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-7z-compressed",
        "application/zstd",
        "application/wasm",
        "application/protobuf",
        "application/x-protobuf",
        "application/vnd.google.protobuf",
        "application/grpc",
        "application/msgpack",
        "application/x-msgpack",
        "application/cbor",
        "application/x-sqlite3",
    }
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def request_body(
    request: httpx.Request, max_length: int | None, redactor: Redactor
) -> tuple[str, bool]:
    """The request body as log text; a body that is still a stream is not read."""
    return _message_body(request, max_length, redactor)


def response_body(
    response: Response, max_length: int | None, redactor: Redactor
) -> tuple[str, bool]:
    """The response body as log text; an unread (streamed) body is not read."""
    return _message_body(response.raw, max_length, redactor)


def _message_body(
    message: httpx.Request | httpx.Response, max_length: int | None, redactor: Redactor
) -> tuple[str, bool]:
    try:
        content = message.content
    except (httpx.RequestNotRead, httpx.ResponseNotRead):
        return STREAMED, True
    return body_text(content, message.headers.get("content-type"), max_length, redactor)


def body_text(
    content: bytes, content_type: str | None, max_length: int | None, redactor: Redactor
) -> tuple[str, bool]:
    """`(text, is_summary)` for a body held in memory; see the module docstring."""
    size = len(content)
    if not size:
        return "", False
    mime, charset = _parse_content_type(content_type)
    kind = _kind(mime)
    if kind == _BINARY:
        return summary(size, mime), True
    if mime == "application/json" or mime.endswith("+json"):
        if size > JSON_REDACT_LIMIT:
            return summary(size, mime), True
        content, charset = _redacted_json(content, charset, redactor)
    elif mime == "application/x-www-form-urlencoded":
        text = _decoder(charset).decode(content, final=True)
        redacted = redactor.query(text)
        if redacted is not text:
            content, charset = redacted.encode(), "utf-8"
    size = len(content)
    truncated = max_length is not None and size > max_length
    head = content[:max_length] if truncated else content
    if kind == _UNKNOWN and not _looks_like_text(head, truncated):
        return summary(size, mime), True
    decoder = _decoder(charset)
    text = decoder.decode(head, final=not truncated)
    if truncated:
        consumed = len(head) - len(decoder.getstate()[0])
        text += f"...({size - consumed} more bytes)"
    return text, False


def summary(size: int, mime: str) -> str:
    """`<1024 bytes application/octet-stream>`, or `<1024 bytes>` without a type."""
    return f"<{size} bytes {mime}>" if mime else f"<{size} bytes>"


def _parse_content_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    mime, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return mime.strip().lower(), charset


def _kind(mime: str) -> int:
    if not mime:
        return _UNKNOWN
    if mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith(("+json", "+xml", "+yaml")):
        return _TEXT
    if mime in _BINARY_TYPES or mime.startswith(_BINARY_PREFIXES):
        return _BINARY
    return _UNKNOWN


def _redacted_json(
    content: bytes, charset: str | None, redactor: Redactor
) -> tuple[bytes, str | None]:
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return content, charset  # not JSON after all: shown as text
    redacted = redactor.json(document)
    if redacted == document:
        return content, charset  # keep the original formatting
    return json.dumps(redacted, ensure_ascii=False).encode(), "utf-8"


def _looks_like_text(head: bytes, truncated: bool) -> bool:
    """Valid UTF-8 (a character cut by truncation is fine) without control characters."""
    if _CONTROL.search(head):
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=not truncated)
    except UnicodeDecodeError:
        return False
    return True


def _decoder(charset: str | None) -> codecs.IncrementalDecoder:
    try:
        return codecs.getincrementaldecoder(charset or "utf-8")(errors="replace")
    except LookupError:
        return codecs.getincrementaldecoder("utf-8")(errors="replace")
