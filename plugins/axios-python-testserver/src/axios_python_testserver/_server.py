"""A small, stdlib-only, httpbin-like HTTP/1.1 server for the demo command and the tests.

:class:`LocalServer` runs a :class:`http.server.ThreadingHTTPServer` in a background
thread. It only ever binds a loopback address (``127.0.0.1`` and an ephemeral port by
default) and never opens a connection of its own. Keep-alive works: every response
carries either ``Content-Length`` or ``Transfer-Encoding: chunked``, and every request
body (including chunked uploads) is read in full before the response is written.

Usage::

    with LocalServer() as server:
        httpx.get(server.url + "/get?a=1").json()["args"]  # {"a": "1"}

Endpoints (any method is accepted everywhere; ``HEAD`` gets the headers only):

=================================  ===================================================
``/``                              JSON index of the endpoints below
``/get`` ``/post`` ``/put``        echo the request as JSON: ``method``, ``url``,
``/patch`` ``/delete``             ``path``, ``args``, ``headers``, ``json``, ``form``,
``/anything[/<rest>]``             ``files``, ``data``, ``origin``
``/headers``                       ``{"headers": {...}}``
``/ip``                            ``{"origin": "127.0.0.1"}``
``/user-agent``                    ``{"user-agent": ...}``
``/json``                          a fixed slideshow-like JSON document
``/status/<code>``                 empty body with that status (``?body=`` adds a text
                                   body, ``?Retry-After=`` echoes that header, 3xx
                                   responses get ``Location: /get``)
``/delay/<seconds>``               like ``/get`` after a wait (capped at 30 s, cut short
                                   by :meth:`LocalServer.close`)
``/bytes/<n>``                     ``n`` deterministic pseudo-random bytes
``/stream-bytes/<n>``              the same bytes, chunked (``?chunk_size=``, 1024)
``/stream/<n>``                    ``n`` newline-delimited JSON objects, chunked
``/drip``                          ``?numbytes=10&duration=2&delay=0&code=200``: bytes
                                   spread over ``duration`` seconds, chunked
``/redirect/<n>``                  302 chain ``/redirect/<n-1>`` ... ``/get``
``/relative-redirect/<n>``         same as ``/redirect/<n>``
``/absolute-redirect/<n>``         the chain with absolute ``Location`` URLs
``/redirect-to``                   ``?url=...&status_code=302``
``/cookies``                       ``{"cookies": {...}}`` from the ``Cookie`` header
``/cookies/set``                   ``?name=value...``: ``Set-Cookie`` each, 302 to
                                   ``/cookies`` (also ``/cookies/set/<name>/<value>``)
``/cookies/delete``                ``?name...``: expire each cookie, 302 to ``/cookies``
``/response-headers``              ``?Name=value...`` echoed as response headers
``/gzip`` ``/deflate``             compressed JSON (``Content-Encoding``)
``/html`` ``/xml`` ``/text``       small documents of those types
``/encoding/utf8``                 non-ASCII ``text/plain; charset=utf-8``
``/basic-auth/<user>/<passwd>``    200 or 401 with ``WWW-Authenticate: Basic``
``/bearer``                        200 with ``Authorization: Bearer <token>``, else 401
``/cache``                         ``?max_age=N``: increasing ``counter``,
                                   ``Cache-Control``, ``ETag``; 304 on ``If-None-Match``
``/etag/<etag>``                   ``If-None-Match`` -> 304, failed ``If-Match`` -> 412
``/counter/<name>``                ``{"name", "count"}``: hits of that name so far
``/flaky/<name>``                  ``?fail=N&status=503``: the first N hits fail with
                                   that status, then ``{"name", "attempt"}``
``/big/<n>``                       ``n`` bytes in one write (throughput benchmarks)
anything else                      404 ``{"error": "not found"}``
=================================  ===================================================
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.parser
import email.policy
import functools
import gzip
import hashlib
import ipaddress
import json
import random
import re
import selectors
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["LocalServer"]

_MAX_DELAY = 30.0
_MAX_BODY = 64 * 1024 * 1024  # largest generated or accepted body
_MAX_FILE_TEXT = 64 * 1024  # multipart files up to this size are echoed as text
_MAX_LINE = 65536
_IDLE_TIMEOUT = 60.0  # seconds a keep-alive connection may sit idle
_JOIN_TIMEOUT = 1.0  # budget for joining handler threads in close()

_SLIDESHOW: dict[str, Any] = {
    "slideshow": {
        "author": "Yours Truly",
        "date": "date of publication",
        "title": "Sample Slide Show",
        "slides": [
            {"title": "Wake up to WonderWidgets!", "type": "all"},
            {"title": "Overview", "type": "all", "items": ["Why WonderWidgets are great"]},
        ],
    }
}
_HTML = (
    b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>axios-python</title></head>"
    b"<body><h1>Hello from axios-python</h1></body></html>\n"
)
_XML = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<slideshow title="Sample Slide Show" author="Yours Truly">'
    b'<slide type="all"><title>Wake up to WonderWidgets!</title></slide></slideshow>\n'
)
_UTF8_TEXT = "Unicode: héllo wörld, ¿qué tal? 日本語, Ελληνικά, emoji 🚀\n"
_MULTIPART_PARSER = email.parser.BytesParser(policy=email.policy.HTTP)


class _BadRequest(Exception):
    """The request cannot be read; answered with a JSON error and a closed connection."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _Request:
    """A fully read request, as seen by the endpoint handlers."""

    method: str
    target: str  # path plus query, exactly as requested
    path: str
    query: dict[str, list[str]]
    headers: list[tuple[str, str]]
    body: bytes
    origin: str
    base_url: str  # this server's own http://host:port

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter ``name`` (case-insensitive fallback)."""
        values = self.query.get(name)
        if values is None:
            lowered = name.lower()
            values = next((v for k, v in self.query.items() if k.lower() == lowered), None)
        return values[-1] if values else default

    def header(self, name: str) -> str | None:
        """The first value of header ``name``, compared case-insensitively."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def url(self) -> str:
        return f"http://{self.header('Host') or urlsplit(self.base_url).netloc}{self.target}"


@dataclass
class _Response:
    """What an endpoint returns; an iterable body is sent chunked."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


_Endpoint = Callable[[_Request, "re.Match[str]"], _Response]


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _json(
    obj: object, status: int = 200, headers: list[tuple[str, str]] | None = None
) -> _Response:
    return _Response(status, _dumps(obj), "application/json", headers or [])


def _error(message: str, status: int) -> _Response:
    return _json({"error": message}, status)


def _redirect(
    location: str, status: int = 302, headers: list[tuple[str, str]] | None = None
) -> _Response:
    return _Response(status, b"", None, [("Location", location), *(headers or [])])


def _flatten(multi: dict[str, list[Any]]) -> dict[str, Any]:
    """httpbin style: a single value stays scalar, repeated values become a list."""
    return {k: v[0] if len(v) == 1 else v for k, v in multi.items()}


def _int_arg(req: _Request, name: str, default: int) -> int:
    try:
        return int(req.arg(name) or default)
    except ValueError:
        return default


def _float_arg(req: _Request, name: str, default: float) -> float:
    try:
        return float(req.arg(name) or default)
    except ValueError:
        return default


def _clamp(value: float, high: float) -> float:
    return min(max(value, 0.0), high)


def _random_bytes(seed: int, n: int) -> Iterator[bytes]:
    """Deterministic pseudo-random bytes, produced in pieces of at most 64 KiB."""
    rng = random.Random(seed)
    while n > 0:
        size = min(n, 65536)
        yield rng.randbytes(size)
        n -= size


def _rechunk(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    buffer = b""
    for piece in pieces:
        buffer += piece
        while len(buffer) >= size:
            yield buffer[:size]
            buffer = buffer[size:]
    if buffer:
        yield buffer


@functools.lru_cache(maxsize=4)
def _big_body(n: int) -> bytes:
    return b"x" * n


def _etag_list(header: str | None) -> list[str]:
    """The entity tags of an ``If-None-Match``/``If-Match`` header, quotes and ``W/`` removed."""
    if not header:
        return []
    tags = (tag.strip() for tag in header.split(","))
    return [tag.removeprefix("W/").strip('"') for tag in tags if tag]


def _parse_body(req: _Request) -> tuple[Any, dict[str, Any], dict[str, Any], str]:
    """``(json, form, files, data)`` of the request body, per its Content-Type."""
    content_type = req.header("Content-Type") or ""
    mime = content_type.partition(";")[0].strip().lower()
    form: dict[str, Any] = {}
    files: dict[str, Any] = {}
    data = ""
    if mime == "application/x-www-form-urlencoded":
        form = _flatten(parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    elif mime.startswith("multipart/"):
        form, files = _parse_multipart(content_type, req.body)
    else:
        data = req.body.decode("utf-8", "replace")
    parsed: Any = None
    if req.body and (mime == "application/json" or mime.endswith("+json")):
        try:
            parsed = json.loads(req.body)
        except ValueError:
            parsed = None
    return parsed, form, files, data


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Text fields and file fields of a multipart body, parsed with :mod:`email`."""
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    try:
        message = _MULTIPART_PARSER.parsebytes(head + body)
        parts = list(message.iter_parts()) if message.is_multipart() else []
    except (ValueError, TypeError, LookupError) as exc:  # email defects are ValueErrors
        raise _BadRequest(f"malformed multipart body: {exc!r}") from exc
    form: dict[str, list[str]] = {}
    files: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        if not isinstance(part, EmailMessage):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            charset = part.get_content_charset() or "utf-8"
            try:
                text = content.decode(charset, "replace")
            except LookupError:
                text = content.decode("utf-8", "replace")
            form.setdefault(name, []).append(text)
        else:
            files.setdefault(name, []).append(
                {
                    "filename": filename,
                    "content_type": part.get_content_type(),
                    "size": len(content),
                    "text": content.decode("utf-8", "replace")
                    if len(content) <= _MAX_FILE_TEXT
                    else None,
                }
            )
    return _flatten(form), _flatten(files)


class _App:
    """The endpoints: a routing table of ``regex -> method`` plus the shared counters."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.hits: Counter[str] = Counter()
        self.base_url = ""
        self._counters: Counter[str] = Counter()
        self._cache_counter = 0
        self._lock = threading.Lock()
        table: list[tuple[str, _Endpoint]] = [
            (r"/", self.index),
            (r"/(?:get|post|put|patch|delete|anything(?:/.*)?)", self.echo),
            (r"/headers", self.headers),
            (r"/ip", self.ip),
            (r"/user-agent", self.user_agent),
            (r"/json", self.json_document),
            (r"/status/(\d+)", self.status),
            (r"/delay/([0-9.]+)", self.delay),
            (r"/bytes/(\d+)", self.random_bytes),
            (r"/stream-bytes/(\d+)", self.stream_bytes),
            (r"/stream/(\d+)", self.stream),
            (r"/drip", self.drip),
            (r"/(?:relative-)?redirect/(\d+)", self.redirect),
            (r"/absolute-redirect/(\d+)", self.absolute_redirect),
            (r"/redirect-to", self.redirect_to),
            (r"/cookies", self.cookies),
            (r"/cookies/set(?:/([^/]+)/([^/]*))?", self.set_cookies),
            (r"/cookies/delete", self.delete_cookies),
            (r"/response-headers", self.response_headers),
            (r"/(gzip|deflate)", self.compressed),
            (r"/html", self.document),
            (r"/xml", self.document),
            (r"/text", self.document),
            (r"/encoding/utf8", self.document),
            (r"/basic-auth/([^/]+)/([^/]+)", self.basic_auth),
            (r"/bearer", self.bearer),
            (r"/cache", self.cache),
            (r"/etag/([^/]+)", self.etag),
            (r"/counter/([^/]+)", self.counter),
            (r"/flaky/([^/]+)", self.flaky),
            (r"/big/(\d+)", self.big),
        ]
        self.routes = [(re.compile(pattern), endpoint) for pattern, endpoint in table]

    def handle(self, req: _Request) -> _Response:
        with self._lock:
            self.hits[req.path] += 1
        for pattern, endpoint in self.routes:
            match = pattern.fullmatch(req.path)
            if match is not None:
                return endpoint(req, match)
        return _error("not found", 404)

    # -- echo ---------------------------------------------------------------------------

    @staticmethod
    def header_dict(req: _Request) -> dict[str, str]:
        result: dict[str, str] = {}
        for name, value in req.headers:
            result[name] = f"{result[name]}, {value}" if name in result else value
        return result

    def echo_body(self, req: _Request) -> dict[str, Any]:
        parsed, form, files, data = _parse_body(req)
        return {
            "method": req.method,
            "url": req.url,
            "path": req.path,
            "args": _flatten(req.query),
            "headers": self.header_dict(req),
            "json": parsed,
            "form": form,
            "files": files,
            "data": data,
            "origin": req.origin,
        }

    def index(self, req: _Request, match: re.Match[str]) -> _Response:
        return _json(
            {"server": "axios-python LocalServer", "routes": [p.pattern for p, _ in self.routes]}
        )

    def echo(self, req: _Request, match: re.Match[str]) -> _Response:
        return _json(self.echo_body(req))

    def headers(self, req: _Request, match: re.Match[str]) -> _Response:
        return _json({"headers": self.header_dict(req)})

    def ip(self, req: _Request, match: re.Match[str]) -> _Response:
        return _json({"origin": req.origin})

    def user_agent(self, req: _Request, match: re.Match[str]) -> _Response:
        return _json({"user-agent": req.header("User-Agent")})

    def json_document(self, req: _Request, match: re.Match[str]) -> _Response:
        return _json(_SLIDESHOW)

    # -- status, timing and bodies ------------------------------------------------------

    def status(self, req: _Request, match: re.Match[str]) -> _Response:
        code = int(match[1])
        if not 200 <= code <= 599:
            return _error(f"unsupported status code {code}", 400)
        headers: list[tuple[str, str]] = []
        if 300 <= code < 400:
            headers.append(("Location", "/get"))
        elif code == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="Fake Realm"'))
        retry_after = req.arg("Retry-After")
        if retry_after is not None:
            headers.append(("Retry-After", retry_after))
        text = req.arg("body")
        if text is None:
            return _Response(code, b"", None, headers)
        return _Response(code, text.encode(), "text/plain; charset=utf-8", headers)

    def delay(self, req: _Request, match: re.Match[str]) -> _Response:
        try:
            seconds = _clamp(float(match[1]), _MAX_DELAY)
        except ValueError:
            return _error("invalid delay", 400)
        self.stopping.wait(seconds)
        return _json(self.echo_body(req))

    def random_bytes(self, req: _Request, match: re.Match[str]) -> _Response:
        n = min(int(match[1]), _MAX_BODY)
        seed = _int_arg(req, "seed", n)
        return _Response(200, b"".join(_random_bytes(seed, n)), "application/octet-stream")

    def stream_bytes(self, req: _Request, match: re.Match[str]) -> _Response:
        n = min(int(match[1]), _MAX_BODY)
        chunk_size = max(_int_arg(req, "chunk_size", 1024), 1)
        seed = _int_arg(req, "seed", n)
        return _Response(
            200, _rechunk(_random_bytes(seed, n), chunk_size), "application/octet-stream"
        )

    def stream(self, req: _Request, match: re.Match[str]) -> _Response:
        n = min(int(match[1]), 1000)
        line = {"url": req.url, "args": _flatten(req.query), "origin": req.origin}
        lines = (_dumps({"id": i, **line}) + b"\n" for i in range(n))
        return _Response(200, lines, "application/x-ndjson")

    def drip(self, req: _Request, match: re.Match[str]) -> _Response:
        numbytes = min(max(_int_arg(req, "numbytes", 10), 0), _MAX_BODY)
        duration = _clamp(_float_arg(req, "duration", 2.0), _MAX_DELAY)
        code = _int_arg(req, "code", 200)
        if not 200 <= code <= 599:
            return _error(f"unsupported status code {code}", 400)
        if self.stopping.wait(_clamp(_float_arg(req, "delay", 0.0), _MAX_DELAY)):
            return _error("server closing", 503)
        pause = duration / numbytes if numbytes else 0.0

        def generate() -> Iterator[bytes]:
            for _ in range(numbytes):
                yield b"*"
                if pause and self.stopping.wait(pause):
                    return

        return _Response(code, generate(), "application/octet-stream")

    def big(self, req: _Request, match: re.Match[str]) -> _Response:
        return _Response(200, _big_body(min(int(match[1]), _MAX_BODY)), "application/octet-stream")

    # -- redirects ----------------------------------------------------------------------

    def redirect(self, req: _Request, match: re.Match[str]) -> _Response:
        n = int(match[1])
        if n < 1:
            return _error("redirect count must be at least 1", 400)
        prefix = "/relative-redirect/" if req.path.startswith("/relative") else "/redirect/"
        return _redirect(f"{prefix}{n - 1}" if n > 1 else "/get")

    def absolute_redirect(self, req: _Request, match: re.Match[str]) -> _Response:
        n = int(match[1])
        if n < 1:
            return _error("redirect count must be at least 1", 400)
        path = f"/absolute-redirect/{n - 1}" if n > 1 else "/get"
        return _redirect(self.base_url + path)

    def redirect_to(self, req: _Request, match: re.Match[str]) -> _Response:
        url = req.arg("url")
        if not url:
            return _error("missing url parameter", 400)
        code = _int_arg(req, "status_code", 302)
        return _redirect(url, code if 300 <= code < 400 else 302)

    # -- cookies and headers ------------------------------------------------------------

    def cookies(self, req: _Request, match: re.Match[str]) -> _Response:
        jar: dict[str, str] = {}
        for header in (v for k, v in req.headers if k.lower() == "cookie"):
            for pair in header.split(";"):
                name, sep, value = pair.strip().partition("=")
                if sep and name:
                    jar[name] = value
        return _json({"cookies": jar})

    def set_cookies(self, req: _Request, match: re.Match[str]) -> _Response:
        pairs = {k: v[-1] for k, v in req.query.items()}
        if match[1] is not None:
            pairs[match[1]] = match[2] or ""
        return _redirect(
            "/cookies", headers=[("Set-Cookie", f"{k}={v}; Path=/") for k, v in pairs.items()]
        )

    def delete_cookies(self, req: _Request, match: re.Match[str]) -> _Response:
        expired = "=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"
        return _redirect("/cookies", headers=[("Set-Cookie", name + expired) for name in req.query])

    def response_headers(self, req: _Request, match: re.Match[str]) -> _Response:
        pairs = [(k, v) for k, values in req.query.items() for v in values]
        return _json(_flatten(req.query), headers=pairs)

    # -- content types ------------------------------------------------------------------

    def compressed(self, req: _Request, match: re.Match[str]) -> _Response:
        coding = match[1]
        flag = "gzipped" if coding == "gzip" else "deflated"
        raw = _dumps(
            {
                flag: True,
                "method": req.method,
                "headers": self.header_dict(req),
                "origin": req.origin,
            }
        )
        body = gzip.compress(raw, mtime=0) if coding == "gzip" else zlib.compress(raw)
        return _Response(200, body, "application/json", [("Content-Encoding", coding)])

    def document(self, req: _Request, match: re.Match[str]) -> _Response:
        if req.path == "/html":
            return _Response(200, _HTML, "text/html; charset=utf-8")
        if req.path == "/xml":
            return _Response(200, _XML, "application/xml")
        if req.path == "/text":
            return _Response(200, b"hello", "text/plain")
        return _Response(200, _UTF8_TEXT.encode(), "text/plain; charset=utf-8")

    # -- auth ---------------------------------------------------------------------------

    def basic_auth(self, req: _Request, match: re.Match[str]) -> _Response:
        scheme, _, credentials = (req.header("Authorization") or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            user, passwd = urllib.parse.unquote(match[1]), urllib.parse.unquote(match[2])
            if decoded == f"{user}:{passwd}":
                return _json({"authenticated": True, "user": user})
        return _json(
            {"authenticated": False},
            401,
            [("WWW-Authenticate", 'Basic realm="Fake Realm"')],
        )

    def bearer(self, req: _Request, match: re.Match[str]) -> _Response:
        scheme, _, token = (req.header("Authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return _json({"authenticated": True, "token": token.strip()})
        return _json({"authenticated": False}, 401, [("WWW-Authenticate", "Bearer")])

    # -- caching and counters -----------------------------------------------------------

    def cache(self, req: _Request, match: re.Match[str]) -> _Response:
        """ETag is stable per URL; ``counter`` grows with every full (200) response."""
        max_age = max(_int_arg(req, "max_age", 60), 0)
        etag = '"' + hashlib.sha1(req.target.encode(), usedforsecurity=False).hexdigest()[:16] + '"'
        headers = [("Cache-Control", f"max-age={max_age}"), ("ETag", etag)]
        candidates = _etag_list(req.header("If-None-Match"))
        if "*" in candidates or etag.strip('"') in candidates:
            return _Response(304, b"", None, headers)
        with self._lock:
            self._cache_counter += 1
            counter = self._cache_counter
        return _json({"counter": counter, "max_age": max_age, "url": req.url}, headers=headers)

    def etag(self, req: _Request, match: re.Match[str]) -> _Response:
        tag = match[1]
        headers = [("ETag", f'"{tag}"')]
        if_none_match = _etag_list(req.header("If-None-Match"))
        if tag in if_none_match or "*" in if_none_match:
            return _Response(304, b"", None, headers)
        if_match = req.header("If-Match")
        if if_match is not None and not {tag, "*"} & set(_etag_list(if_match)):
            return _Response(412, b"", None, headers)
        return _json(self.echo_body(req), headers=headers)

    def counter(self, req: _Request, match: re.Match[str]) -> _Response:
        name = match[1]
        with self._lock:
            self._counters[name] += 1
            count = self._counters[name]
        return _json({"name": name, "count": count})

    def flaky(self, req: _Request, match: re.Match[str]) -> _Response:
        """``?fail=N&status=503``: the first N hits of this name fail with that status."""
        name = match[1]
        fail = int(req.arg("fail") or 1)
        code = int(req.arg("status") or 503)
        with self._lock:
            self._counters["flaky:" + name] += 1
            count = self._counters["flaky:" + name]
        if count <= fail:
            return _Response(code, b"", None, [])
        return _json({"name": name, "attempt": count})


class _Handler(BaseHTTPRequestHandler):
    """Reads each request in full, routes it through :class:`_App`, writes the response."""

    protocol_version = "HTTP/1.1"
    server_version = "axios-python-LocalServer/1.0"
    disable_nagle_algorithm = True
    timeout = _IDLE_TIMEOUT
    server: _Server

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log."""

    def _dispatch(self) -> None:
        app = self.server.app
        try:
            body = self._read_body()
        except _BadRequest as exc:
            self.close_connection = True
            self._send(_error(str(exc), exc.status))
            return
        split = urlsplit(self.path)
        req = _Request(
            method=self.command,
            target=self.path,
            path=split.path or "/",
            query=parse_qs(split.query, keep_blank_values=True),
            headers=list(self.headers.items()),
            body=body,
            origin=str(self.client_address[0]),
            base_url=app.base_url,
        )
        try:
            response = app.handle(req)
        except _BadRequest as exc:
            response = _error(str(exc), exc.status)
        except Exception:
            self.close_connection = True
            self._send(_error("internal server error", 500))
            raise  # handle_error() prints the traceback
        self._send(response)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _read_body(self) -> bytes:
        transfer_encoding = self.headers.get("Transfer-Encoding")
        if transfer_encoding is not None:
            if transfer_encoding.rpartition(",")[2].strip().lower() != "chunked":
                raise _BadRequest(f"unsupported Transfer-Encoding {transfer_encoding!r}", 501)
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        if not length_header.strip().isdigit():
            raise _BadRequest(f"invalid Content-Length {length_header!r}")
        length = int(length_header)
        if length > _MAX_BODY:
            raise _BadRequest("request body too large", 413)
        return self._read_exactly(length)

    def _read_exactly(self, n: int) -> bytes:
        data = self.rfile.read(n) if n else b""
        if len(data) < n:
            raise ConnectionResetError("client closed the connection mid-body")
        return data

    def _read_line(self) -> bytes:
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line:
            raise ConnectionResetError("client closed the connection mid-body")
        if len(line) > _MAX_LINE:
            raise _BadRequest("chunk line too long")
        return line

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_field = self._read_line().partition(b";")[0].strip()
            if not re.fullmatch(rb"[0-9A-Fa-f]{1,16}", size_field):
                raise _BadRequest(f"invalid chunk size {size_field!r}")
            size = int(size_field, 16)
            if size == 0:
                break
            total += size
            if total > _MAX_BODY:
                raise _BadRequest("request body too large", 413)
            chunks.append(self._read_exactly(size))
            if self._read_line().strip():
                raise _BadRequest("chunk data not followed by CRLF")
        while self._read_line().strip():  # skip trailer fields up to the blank line
            pass
        return b"".join(chunks)

    def _send(self, response: _Response) -> None:
        status = response.status
        silent = status < 200 or status in (204, 304) or self.command == "HEAD"  # no body sent
        self.send_response(status)
        if response.content_type is not None:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        body = response.body
        if isinstance(body, bytes):
            self._send_bytes(body, bodiless=status < 200 or status in (204, 304), silent=silent)
        else:
            self._send_stream(body, silent=silent)

    def _send_bytes(self, body: bytes, *, bodiless: bool, silent: bool) -> None:
        if self.close_connection:
            self.send_header("Connection", "close")
        if not bodiless:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and not silent:
            self.wfile.write(body)

    def _send_stream(self, body: Iterable[bytes], *, silent: bool) -> None:
        chunked = self.request_version != "HTTP/1.0"
        if self.close_connection or not chunked:
            self.send_header("Connection", "close")  # an HTTP/1.0 client reads to EOF
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if silent:
            return
        for chunk in body:
            if chunk:
                self.wfile.write(b"%X\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer with its own wakeable accept loop and connection tracking."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: _App) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        self.connections = 0
        self._lock = threading.Lock()
        self._active: dict[socket.socket, threading.Thread] = {}
        self._wake_r, self._wake_w = socket.socketpair()
        try:
            super().__init__(address, _Handler)
        except BaseException:
            self.server_close()
            raise

    def server_bind(self) -> None:
        # HTTPServer.server_bind() would call socket.getfqdn(), a DNS lookup; skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def serve(self) -> None:
        """Accept connections until :meth:`wake` is called after ``app.stopping`` is set."""
        self.socket.setblocking(False)
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self.app.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self.app.stopping.is_set():
                        self._accept()

    def _accept(self) -> None:
        try:
            conn, address = self.socket.accept()
        except OSError:  # nothing pending after all, or the peer already gave up
            return
        conn.setblocking(True)
        with self._lock:
            self.connections += 1
        try:
            self.process_request(conn, address)
        except Exception:
            self.handle_error(conn, address)
            self.shutdown_request(conn)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"axios-python-LocalServer-conn-{self.connections}",
            daemon=True,
        )
        with self._lock:
            self._active[request] = thread
        thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._active.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the client went away: not worth a traceback
        if isinstance(error, OSError) and self.app.stopping.is_set():
            return  # a connection cut by close()
        super().handle_error(request, client_address)

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def abort_connections(self) -> list[threading.Thread]:
        """Cut every open connection (so idle keep-alive reads end); return their threads."""
        with self._lock:
            active = list(self._active.items())
        for conn, _ in active:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        return [thread for _, thread in active]

    def server_close(self) -> None:
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()


class LocalServer:
    """An httpbin-like server on a loopback address, served from a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if host == "localhost":
            host = "127.0.0.1"
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError(f"LocalServer only binds loopback addresses, not {host!r}")
        self._host = host
        self._port = port
        self._app = _App()
        self.hits: Counter[str] = self._app.hits
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._state_lock = threading.Lock()

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server, without a trailing slash."""
        if self._server is None:
            raise RuntimeError("LocalServer is not started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._server.server_port}"

    @property
    def connections(self) -> int:
        """How many TCP connections have been accepted so far."""
        return self._server.connections if self._server is not None else 0

    def start(self) -> LocalServer:
        """Bind, listen and start serving; connections are accepted once this returns."""
        with self._state_lock:
            if self._closed:
                raise RuntimeError("LocalServer cannot be restarted after close()")
            if self._server is not None:
                return self
            server = _Server((self._host, self._port), self._app)
            self._server = server
            self._app.base_url = self.url
            self._thread = threading.Thread(
                target=server.serve,
                name=f"axios-python-LocalServer-{server.server_port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, wake ``/delay`` and ``/drip`` sleepers, cut open connections."""
        with self._state_lock:
            if self._closed:
                return
            self._closed = True
            server, thread = self._server, self._thread
        self._app.stopping.set()
        if server is None or thread is None:
            return
        server.wake()
        thread.join()
        handlers = server.abort_connections()
        deadline = time.monotonic() + _JOIN_TIMEOUT
        for handler in handlers:
            if handler is not threading.current_thread():
                handler.join(max(deadline - time.monotonic(), 0.0))
        server.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running" if self._server else "new"
        where = f" {self.url}" if self._server is not None else ""
        return f"<LocalServer{where} {state}>"
