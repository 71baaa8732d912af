"""Upload and download progress: `on_upload_progress` / `on_download_progress` callbacks.

The core's exchange (`_exchange`) wraps the request body stream (uploads) and the response
body stream (downloads) in counting streams only when a callback is set, so requests without one pay
nothing. Each chunk that goes over the wire calls the callback with a `ProgressEvent`; a last
event with `done=True` follows the end of the body (it is the only event for an empty body).

Bytes are counted as they travel: for a compressed response, `loaded` and `total`
(`Content-Length`) count the compressed bytes, as axios does.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["ProgressCallback", "ProgressEvent"]

_UPLOAD_CHUNK = 64 * 1024  # one big body (bytes, JSON) is reported in pieces of this size


@dataclass(frozen=True)
class ProgressEvent:
    """One progress report.

    Attributes:
        loaded: bytes transferred so far.
        total: the body's size in bytes (from `Content-Length`), or None when unknown.
        progress: `loaded / total` between 0 and 1, or None when the total is unknown.
        rate: average bytes per second since the transfer started, or None before any time passed.
        done: True on the last event, sent once the whole body has been transferred.
    """

    loaded: int
    total: int | None
    progress: float | None
    rate: float | None
    done: bool


ProgressCallback = Callable[[ProgressEvent], Any]


class _Tracker:
    __slots__ = ("callback", "loaded", "started", "total")

    def __init__(self, callback: ProgressCallback, total: int | None) -> None:
        self.callback = callback
        self.total = total
        self.loaded = 0
        self.started = time.monotonic()

    def restart(self) -> None:
        self.loaded = 0
        self.started = time.monotonic()

    def report(self, size: int, *, done: bool = False) -> None:
        self.loaded += size
        loaded, total = self.loaded, self.total
        elapsed = time.monotonic() - self.started
        if total:
            progress: float | None = min(loaded / total, 1.0)
        else:
            progress = 1.0 if total == 0 and done else None
        self.callback(
            ProgressEvent(
                loaded=loaded,
                total=total,
                progress=progress,
                rate=loaded / elapsed if elapsed > 0 else None,
                done=done,
            )
        )


def _content_length(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    try:
        length = int(value)
    except ValueError:
        return None
    return length if length >= 0 else None


def _pieces(chunk: bytes) -> Iterable[bytes]:
    if len(chunk) <= _UPLOAD_CHUNK:
        return (chunk,)
    view = memoryview(chunk)
    return (bytes(view[i : i + _UPLOAD_CHUNK]) for i in range(0, len(chunk), _UPLOAD_CHUNK))


class UploadStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A request body that reports each chunk as httpx hands it to the connection."""

    def __init__(self, inner: Any, tracker: _Tracker) -> None:
        self._inner = inner
        self._tracker = tracker

    def __iter__(self) -> Iterator[bytes]:
        tracker = self._tracker
        tracker.restart()  # a 307/308 redirect sends the body again
        for chunk in self._inner:
            for piece in _pieces(chunk):
                yield piece
                tracker.report(len(piece))
        tracker.report(0, done=True)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        tracker = self._tracker
        tracker.restart()
        async for chunk in self._inner:
            for piece in _pieces(chunk):
                yield piece
                tracker.report(len(piece))
        tracker.report(0, done=True)

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()

    async def aclose(self) -> None:
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()


class DownloadStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body (sync or async) that reports each chunk as it is read."""

    def __init__(self, inner: Any, tracker: _Tracker) -> None:
        self._inner = inner
        self._tracker = tracker

    def __iter__(self) -> Iterator[bytes]:
        tracker = self._tracker
        for chunk in self._inner:
            tracker.report(len(chunk))
            yield chunk
        tracker.report(0, done=True)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        tracker = self._tracker
        async for chunk in self._inner:
            tracker.report(len(chunk))
            yield chunk
        tracker.report(0, done=True)

    def close(self) -> None:
        self._inner.close()

    async def aclose(self) -> None:
        await self._inner.aclose()


def track_upload(request: httpx.Request, callback: ProgressCallback) -> None:
    """Make `request`'s body report upload progress to `callback`."""
    tracker = _Tracker(callback, _content_length(request.headers))
    request.stream = UploadStream(request.stream, tracker)


def track_download(raw: httpx.Response, callback: ProgressCallback) -> None:
    """Make `raw`'s (still unread) body report download progress to `callback`."""
    raw.stream = DownloadStream(raw.stream, _Tracker(callback, _content_length(raw.headers)))
