"""`Request` and `Response`.

`Request` is an `httpx.Request` that also carries the final request config, so any httpx-based
transport can send it as is. `Response` wraps an `httpx.Response` (httpx does the decoding and
streaming) and adds what axios users expect: a lazily decoded, assignable `data`, `config`, `ok`.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import timedelta
from types import TracebackType
from typing import Any, Generic

import httpx
from typing_extensions import Self, TypeVar

from ._exceptions import HTTPStatusError, map_httpx_errors
from ._internals.httpx import request_of
from ._timings import NO_TIMINGS, Timings, TimingsSource

__all__ = ["Request", "Response", "discard"]

_UNSET: Any = object()
DataT = TypeVar("DataT", default=Any)  # what `Response.data` holds: Any unless a response_model
_TEXT_TYPES = frozenset(
    {
        "application/xml",
        "application/javascript",
        "application/x-www-form-urlencoded",
        "application/x-ndjson",
        "application/yaml",
        "application/x-yaml",
        "image/svg+xml",
    }
)


class Request(httpx.Request):
    """An `httpx.Request` that also carries `config`, the merged request config it was built from."""

    config: dict[str, Any]

    def __init__(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        config: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(method, url, **kwargs)
        self.config = {} if config is None else config


class Response(Generic[DataT]):
    """A response: status, headers, body, and the request config that produced it.

    Generic in the type of `data`: `api.get(url, response_model=User)` returns a
    `Response[User]`; a plain `Response` is `Response[Any]`.

    Build one yourself in a custom transport or a test::

        Response(status_code=200, headers={"Content-Type": "application/json"}, data={"ok": True})

    `data` is decoded lazily, once, by content type: JSON bodies parse to Python objects, textual
    bodies give `str`, anything else `bytes`; an empty body gives None. Interceptors may assign it.
    `json()`, `text` and `content` always reflect the body as received.
    """

    _wire: _Received  # set, with `_headers`, by `received()` (then `_raw` starts as None)
    _headers: httpx.Headers | None

    def __init__(
        self,
        status_code: int = 200,
        *,
        headers: Mapping[str, str] | httpx.Headers | None = None,
        data: Any = _UNSET,
        content: bytes | str | None = None,
        json: Any = _UNSET,
        request: httpx.Request | None = None,
        config: dict[str, Any] | None = None,
        raw: httpx.Response | None = None,
    ) -> None:
        if raw is None:
            body: dict[str, Any] = {}
            if content is not None:
                body["content"] = content
            elif json is not _UNSET:
                body["json"] = json
            elif data is not _UNSET and data is not None:
                if isinstance(data, bytes):
                    body["content"] = data
                elif isinstance(data, str):
                    body["text"] = data
                else:
                    body["json"] = data
            raw = httpx.Response(status_code, headers=headers, request=request, **body)
        self._raw: httpx.Response | None = raw
        self._data = data
        self.request = request if request is not None else request_of(raw)
        self.config: dict[str, Any] = (
            config if config is not None else getattr(self.request, "config", {})
        )
        self.from_cache = False
        self._timings: Timings | TimingsSource = NO_TIMINGS

    @classmethod
    def received(
        cls,
        status_code: int,
        headers: list[tuple[bytes, bytes]],
        content: bytes,
        *,
        request: httpx.Request,
        config: dict[str, Any] | None = None,
        http_version: str = "HTTP/1.1",
        reason_phrase: bytes | None = None,
        elapsed: float = 0.0,
        history: list[httpx.Response] | None = None,
    ) -> Response:
        """A response read in full by a transport, built cheaply.

        `headers` are the (name, value) byte pairs as received and `content` the body as
        received (still encoded if a `Content-Encoding` says so); `elapsed` is in seconds. The
        `httpx.Response` behind `raw` is only built when something needs it (`raw`, `text`,
        `cookies`, an encoded body, the streaming methods): status, headers, `content` and
        JSON `data` are served without it. For transports that are not built on httpx.
        """
        self = cls.__new__(cls)
        self._raw = None
        self._wire = _Received(
            status_code, headers, content, http_version, reason_phrase, elapsed, history
        )
        self._headers = None
        self._data = _UNSET
        self.request = request
        self.config = config if config is not None else getattr(request, "config", {})
        self.from_cache = False
        self._timings = NO_TIMINGS
        return self

    @property
    def raw(self) -> httpx.Response:
        """The `httpx.Response` underneath (decoding, streaming, cookies)."""
        raw = self._raw
        if raw is None:
            assert self.request is not None  # `received()` requires one
            raw = self._raw = self._wire.build(self.request, self._headers)
        return raw

    @raw.setter
    def raw(self, value: httpx.Response) -> None:
        self._raw = value

    # --- status and metadata -------------------------------------------------------------

    @property
    def status_code(self) -> int:
        raw = self._raw
        return self._wire.status_code if raw is None else raw.status_code

    @property
    def status(self) -> int:
        """`status_code`, under axios's name."""
        return self.status_code

    @property
    def reason_phrase(self) -> str:
        raw = self._raw
        if raw is None:
            return self._wire.reason()
        return raw.reason_phrase

    @property
    def ok(self) -> bool:
        """True for a 2xx status, i.e. exactly when `raise_for_status()` does not raise."""
        return 200 <= self.status_code < 300

    @property
    def headers(self) -> httpx.Headers:
        raw = self._raw
        if raw is not None:
            return raw.headers
        headers = self._headers
        if headers is None:
            headers = self._headers = httpx.Headers(self._wire.headers)
        return headers

    def _has_header(self, name: bytes) -> bool:
        """Whether header `name` (lower case) is there, without building `headers`."""
        raw = self._raw
        if raw is not None:
            return name.decode("ascii") in raw.headers
        return self._wire.header(name) is not None

    @property
    def url(self) -> httpx.URL | None:
        """The URL the response came from: after redirects, the last one."""
        raw = self._raw
        final = request_of(raw) if raw is not None else None  # httpx's `url` raises without
        if final is not None:
            return final.url
        return self.request.url if self.request is not None else None

    @property
    def http_version(self) -> str:
        raw = self._raw
        return self._wire.http_version if raw is None else raw.http_version

    @property
    def history(self) -> list[httpx.Response]:
        return self.raw.history

    @property
    def cookies(self) -> httpx.Cookies:
        return self.raw.cookies

    @property
    def elapsed(self) -> timedelta:
        """Time from sending the request to the end of the body (so far, for open streams)."""
        if self._raw is None:
            return timedelta(seconds=self._wire.elapsed)
        try:
            return self.raw.elapsed
        except RuntimeError:
            return timedelta(0)

    @property
    def timings(self) -> Timings:
        """How long each phase of the exchange took (`Timings`: dns, connect, tls, send, wait,
        receive, in seconds), as the transport saw it. All None for a response that did not
        come from the network (a cache hit) or from a transport that records none.

        A transport sets it: `response.timings = Timings(...)`, or a function returning the
        `Timings`, called each time they are read (for a body still streaming, whose `receive`
        is only known once it is read).
        """
        timings = self._timings
        return timings if isinstance(timings, Timings) else timings()

    @timings.setter
    def timings(self, value: Timings | TimingsSource) -> None:
        if not isinstance(value, Timings) and not callable(value):
            raise TypeError(
                f"timings must be a Timings or a function returning one, not {type(value).__name__}"
            )
        self._timings = value

    @property
    def is_redirect(self) -> bool:
        return self.raw.is_redirect

    # --- body ----------------------------------------------------------------------------

    @property
    def content(self) -> bytes:
        if self._raw is None and not self._wire.encoded():
            return self._wire.content
        with map_httpx_errors(self.request):
            return self.raw.content

    @property
    def text(self) -> str:
        with map_httpx_errors(self.request):
            return self.raw.text

    @property
    def encoding(self) -> str | None:
        return self.raw.encoding

    def json(self, **kwargs: Any) -> Any:
        """The body parsed as JSON (raises `json.JSONDecodeError`, a ValueError, if it is not)."""
        return jsonlib.loads(self.content, **kwargs)

    @property
    def data(self) -> DataT:
        """The decoded body (see the class docstring), or the value `response_model` validated.
        Assignable."""
        if self._data is _UNSET:
            self._data = self._decode()
        return self._data  # type: ignore[no-any-return]

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    def _decode(self) -> Any:
        plain = self._wire.plain_content_type() if self._raw is None else None
        if plain is not None:  # a received body that needs no decoding: one pass over headers
            content, content_type = self._wire.content, plain
        else:
            content, content_type = self.content, self._content_type()
        if not content:
            return None
        mime = content_type.partition(";")[0].strip().lower()
        if mime == "application/json" or mime.endswith("+json"):
            try:
                return jsonlib.loads(content)
            except ValueError:
                return self.raw.text  # like axios's silent JSON parsing; json() still raises
        if not mime:
            try:
                return content.decode("utf-8")
            except UnicodeDecodeError:
                return content
        if mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith("+xml"):
            return self.raw.text
        return content

    def _content_type(self) -> str:
        if self._raw is None:
            value = self._wire.header(b"content-type")
            return "" if value is None else value.decode("latin-1")
        mime: str = self.raw.headers.get("content-type", "")
        return mime

    def raise_for_status(self) -> Response:
        """Raise `HTTPStatusError` unless the status is 2xx; return the response otherwise."""
        if not self.ok:
            raise HTTPStatusError(_status_message(self), response=self)
        return self

    # --- streaming -----------------------------------------------------------------------

    def read(self) -> bytes:
        if self._raw is None and not self._wire.encoded():
            return self._wire.content
        with map_httpx_errors(self.request):
            return self.raw.read()

    async def aread(self) -> bytes:
        if self._raw is None and not self._wire.encoded():
            return self._wire.content
        with map_httpx_errors(self.request):
            return await self.raw.aread()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        with map_httpx_errors(self.request):
            yield from self.raw.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        with map_httpx_errors(self.request):
            yield from self.raw.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        with map_httpx_errors(self.request):
            yield from self.raw.iter_lines()

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        with map_httpx_errors(self.request):
            yield from self.raw.iter_raw(chunk_size)

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        with map_httpx_errors(self.request):
            async for chunk in self.raw.aiter_bytes(chunk_size):
                yield chunk

    async def aiter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        with map_httpx_errors(self.request):
            async for chunk in self.raw.aiter_text(chunk_size):
                yield chunk

    async def aiter_lines(self) -> AsyncIterator[str]:
        with map_httpx_errors(self.request):
            async for line in self.raw.aiter_lines():
                yield line

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        with map_httpx_errors(self.request):
            async for chunk in self.raw.aiter_raw(chunk_size):
                yield chunk

    @property
    def is_closed(self) -> bool:
        raw = self._raw
        return True if raw is None else raw.is_closed  # a received response is read in full

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()

    async def aclose(self) -> None:
        if self._raw is not None:
            await self._raw.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        cached = ", from cache" if self.from_cache else ""
        return f"<Response [{self.status_code} {self.reason_phrase}]{cached}>"


class _Received:
    """What a transport received, kept as is until `Response.raw` is needed."""

    __slots__ = (
        "content",
        "elapsed",
        "headers",
        "history",
        "http_version",
        "reason_phrase",
        "status_code",
    )

    def __init__(
        self,
        status_code: int,
        headers: list[tuple[bytes, bytes]],
        content: bytes,
        http_version: str,
        reason_phrase: bytes | None,
        elapsed: float,
        history: list[httpx.Response] | None,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.http_version = http_version
        self.reason_phrase = reason_phrase
        self.elapsed = elapsed
        self.history = history

    def header(self, name: bytes) -> bytes | None:
        """The first value of header `name` (lower case)."""
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def plain_content_type(self) -> str | None:
        """The Content-Type ("" if none) when the body needs no decoding, else None."""
        content_type = b""
        for key, value in self.headers:
            name = key.lower()
            if name == b"content-type":
                if not content_type:
                    content_type = value
            elif name == b"content-encoding" and value.strip().lower() not in (b"", b"identity"):
                return None
        return content_type.decode("latin-1")

    def encoded(self) -> bool:
        """Does the body need decoding (a Content-Encoding other than identity)?"""
        coding = self.header(b"content-encoding")
        return coding is not None and coding.strip().lower() not in (b"", b"identity")

    def reason(self) -> str:
        if self.reason_phrase is not None:
            return self.reason_phrase.decode("latin-1")
        return httpx.codes.get_reason_phrase(self.status_code)

    def build(self, request: httpx.Request, headers: httpx.Headers | None) -> httpx.Response:
        extensions: dict[str, Any] = {"http_version": self.http_version.encode("ascii")}
        if self.reason_phrase is not None:
            extensions["reason_phrase"] = self.reason_phrase
        raw = httpx.Response(
            self.status_code,
            headers=self.headers,
            stream=httpx.ByteStream(self.content),
            request=request,
            extensions=extensions,
            history=self.history,
        )
        if headers is not None:  # keep the object callers already hold (and may have changed)
            raw.headers = headers
        with map_httpx_errors(request):
            raw.read()  # decodes a Content-Encoding; the stream was already consumed
        raw.elapsed = timedelta(seconds=self.elapsed)
        return raw


def _status_message(response: Response) -> str:
    kind = "Client error" if 400 <= response.status_code < 500 else "Server error"
    if response.status_code < 400:
        kind = "Unexpected status"
    return f"{kind} '{response.status_code} {response.reason_phrase}' for url '{response.url}'"


async def discard(response: Response, is_async: bool) -> None:
    """Close a response that will not be handed on, from a sync or an async call."""
    if is_async:
        await response.aclose()
    else:
        response.close()
