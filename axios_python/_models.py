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
from typing import Any

import httpx

from ._errors import map_httpx_errors
from ._exceptions import HTTPStatusError

__all__ = ["Request", "Response"]

_UNSET: Any = object()
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


class Response:
    """A response: status, headers, body, and the request config that produced it.

    Build one yourself in a custom transport or a test::

        Response(status_code=200, headers={"Content-Type": "application/json"}, data={"ok": True})

    `data` is decoded lazily, once, by content type: JSON bodies parse to Python objects, textual
    bodies give `str`, anything else `bytes`; an empty body gives None. Interceptors may assign it.
    `json()`, `text` and `content` always reflect the body as received.
    """

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
        self.raw = raw
        self._data = data
        self.request = request if request is not None else raw._request
        self.config: dict[str, Any] = (
            config if config is not None else getattr(self.request, "config", {})
        )
        self.from_cache = False

    # --- status and metadata -------------------------------------------------------------

    @property
    def status_code(self) -> int:
        return self.raw.status_code

    @property
    def status(self) -> int:
        """`status_code`, under axios's name."""
        return self.raw.status_code

    @property
    def reason_phrase(self) -> str:
        return self.raw.reason_phrase

    @property
    def ok(self) -> bool:
        """True for a 2xx status, i.e. exactly when `raise_for_status()` does not raise."""
        return 200 <= self.raw.status_code < 300

    @property
    def headers(self) -> httpx.Headers:
        return self.raw.headers

    @property
    def url(self) -> httpx.URL | None:
        """The URL the response came from: after redirects, the last one."""
        final = self.raw._request  # what httpx's `response.url` reads, without its RuntimeError
        if final is not None:
            return final.url
        return self.request.url if self.request is not None else None

    @property
    def http_version(self) -> str:
        return self.raw.http_version

    @property
    def history(self) -> list[httpx.Response]:
        return self.raw.history

    @property
    def cookies(self) -> httpx.Cookies:
        return self.raw.cookies

    @property
    def elapsed(self) -> timedelta:
        """Time from sending the request to the end of the body (so far, for open streams)."""
        try:
            return self.raw.elapsed
        except RuntimeError:
            return timedelta(0)

    @property
    def is_redirect(self) -> bool:
        return self.raw.is_redirect

    # --- body ----------------------------------------------------------------------------

    @property
    def content(self) -> bytes:
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
    def data(self) -> Any:
        """The decoded body (see the class docstring). Assignable."""
        if self._data is _UNSET:
            self._data = self._decode()
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    def _decode(self) -> Any:
        content = self.content
        if not content:
            return None
        mime = self.raw.headers.get("content-type", "").partition(";")[0].strip().lower()
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

    def raise_for_status(self) -> Response:
        """Raise `HTTPStatusError` unless the status is 2xx; return the response otherwise."""
        if not self.ok:
            raise HTTPStatusError(_status_message(self), response=self)
        return self

    # --- streaming -----------------------------------------------------------------------

    def read(self) -> bytes:
        with map_httpx_errors(self.request):
            return self.raw.read()

    async def aread(self) -> bytes:
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
        return self.raw.is_closed

    def close(self) -> None:
        self.raw.close()

    async def aclose(self) -> None:
        await self.raw.aclose()

    def __enter__(self) -> Response:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Response:
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


def _status_message(response: Response) -> str:
    kind = "Client error" if 400 <= response.status_code < 500 else "Server error"
    if response.status_code < 400:
        kind = "Unexpected status"
    return f"{kind} '{response.status_code} {response.reason_phrase}' for url '{response.url}'"
