"""Upload and download progress callbacks (on_upload_progress / on_download_progress)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import ProgressEvent


def test_download_progress_non_streaming(api: axios_python.AxiosPython) -> None:
    """A plain request reports the body as it is read, then a final done event."""
    events: list[ProgressEvent] = []
    response = api.get("/stream-bytes/4096", on_download_progress=events.append)
    assert len(response.content) == 4096
    assert events[-1].done is True
    assert events[-1].loaded == 4096
    assert all(not e.done for e in events[:-1])
    assert len(events) >= 3  # chunked: several reports before the final one
    loaded = [e.loaded for e in events]
    assert loaded == sorted(loaded)


def test_download_progress_with_content_length(api: axios_python.AxiosPython) -> None:
    """With Content-Length the total and the 0..1 progress are known."""
    events: list[ProgressEvent] = []
    api.get("/bytes/2048", on_download_progress=events.append)
    final = events[-1]
    assert (final.loaded, final.total, final.progress, final.done) == (2048, 2048, 1.0, True)
    assert final.rate is None or final.rate > 0
    assert all(e.progress is not None and 0 <= e.progress <= 1 for e in events)


def test_download_progress_unknown_total(api: axios_python.AxiosPython) -> None:
    """A chunked body has no total, so progress is None."""
    events: list[ProgressEvent] = []
    api.get("/stream-bytes/3000", params={"chunk_size": 1000}, on_download_progress=events.append)
    assert [e.loaded for e in events] == [1000, 2000, 3000, 3000]
    assert {e.total for e in events} == {None}
    assert {e.progress for e in events} == {None}


def test_download_progress_streaming(api: axios_python.AxiosPython) -> None:
    """With stream=True the events follow the caller's iteration."""
    events: list[ProgressEvent] = []
    with api.get(
        "/stream-bytes/3000",
        params={"chunk_size": 1000},
        stream=True,
        on_download_progress=events.append,
    ) as response:
        assert events == []  # nothing read yet
        chunks = list(response.iter_bytes())
    assert sum(map(len, chunks)) == 3000
    assert [e.loaded for e in events] == [1000, 2000, 3000, 3000]
    assert events[-1].done


def test_empty_body_reports_one_done_event(api: axios_python.AxiosPython) -> None:
    """A response without a body reports a single done event."""
    events: list[ProgressEvent] = []
    api.get("/status/204", on_download_progress=events.append)
    assert len(events) == 1
    assert events[0].done
    assert events[0].loaded == 0


def test_upload_progress_bytes(api: axios_python.AxiosPython) -> None:
    """A bytes body is reported in 64 KiB pieces with its Content-Length as total."""
    events: list[ProgressEvent] = []
    body = b"x" * 150_000
    response = api.post("/post", content=body, on_upload_progress=events.append)
    assert response.status_code == 200
    assert [e.loaded for e in events] == [65536, 131072, 150000, 150000]
    assert {e.total for e in events} == {150000}
    assert events[-1].progress == 1.0
    assert events[-1].done


def test_upload_progress_iterable(api: axios_python.AxiosPython) -> None:
    """A generator body (chunked, no total) is reported chunk by chunk."""
    events: list[ProgressEvent] = []

    def body() -> Iterator[bytes]:
        yield b"a" * 10
        yield b"b" * 20

    response = api.post("/post", content=body(), on_upload_progress=events.append)
    assert response.data["data"] == "a" * 10 + "b" * 20
    assert [(e.loaded, e.total, e.done) for e in events] == [
        (10, None, False),
        (30, None, False),
        (30, None, True),
    ]


def test_client_default_callbacks(server: LocalServer) -> None:
    """Callbacks given to create() apply to every request of the client."""
    uploads: list[ProgressEvent] = []
    downloads: list[ProgressEvent] = []
    with axios_python.create(
        {
            "base_url": server.url,
            "on_upload_progress": uploads.append,
            "on_download_progress": downloads.append,
        }
    ) as api:
        api.post("/post", json={"a": 1})
    assert uploads[-1].done
    assert uploads[-1].loaded == uploads[-1].total == 7
    assert downloads[-1].done
    assert downloads[-1].loaded > 0


@pytest.mark.anyio
async def test_async_download_and_upload(aapi: axios_python.AxiosPython) -> None:
    """Async requests report both directions too."""
    uploads: list[ProgressEvent] = []
    downloads: list[ProgressEvent] = []

    async def body() -> AsyncIterator[bytes]:
        yield b"12345"
        yield b"678"

    response = await aapi.async_post(
        "/post",
        content=body(),
        on_upload_progress=uploads.append,
        on_download_progress=downloads.append,
    )
    assert response.data["data"] == "12345678"
    assert [e.loaded for e in uploads] == [5, 8, 8]
    assert downloads[-1].done
    assert downloads[-1].loaded == len(response.content)


@pytest.mark.anyio
async def test_async_streaming_download(aapi: axios_python.AxiosPython) -> None:
    """Async streaming reports as the caller iterates."""
    events: list[ProgressEvent] = []
    async with await aapi.async_get(
        "/stream-bytes/2000",
        params={"chunk_size": 500},
        stream=True,
        on_download_progress=events.append,
    ) as response:
        total = sum([len(chunk) async for chunk in response.aiter_bytes()])
    assert total == 2000
    assert [e.loaded for e in events] == [500, 1000, 1500, 2000, 2000]


def test_callback_error_propagates_and_closes(api: axios_python.AxiosPython) -> None:
    """An exception raised by the callback reaches the caller; the connection is released."""

    def boom(event: ProgressEvent) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        api.get("/bytes/100", on_download_progress=boom)
    assert api.get("/get").status_code == 200


@pytest.mark.parametrize("key", ["on_upload_progress", "on_download_progress"])
def test_option_must_be_callable(api: axios_python.AxiosPython, key: str) -> None:
    """A non-callable value is a ConfigError naming the key."""
    with pytest.raises(axios_python.ConfigError) as info:
        api.get("/get", **{key: 42})  # type: ignore[arg-type]
    assert info.value.key == key


def test_event_is_frozen() -> None:
    """ProgressEvent is an immutable value."""
    event = ProgressEvent(loaded=1, total=2, progress=0.5, rate=None, done=False)
    with pytest.raises(AttributeError):
        event.loaded = 2  # type: ignore[misc]
    assert event == ProgressEvent(1, 2, 0.5, None, False)


def test_download_progress_through_redirects(api: axios_python.AxiosPython) -> None:
    """Only the final response's body is reported, also with a per-request max_redirects."""
    for options in ({}, {"max_redirects": 5}):
        events: list[ProgressEvent] = []
        response = api.get("/redirect/2", on_download_progress=events.append, **options)  # type: ignore[arg-type]
        assert response.data["path"] == "/get"
        assert len(response.history) == 2
        assert events[-1].loaded == events[-1].total == len(response.content)


@pytest.mark.anyio
async def test_async_download_progress_through_limited_redirects(
    aapi: axios_python.AxiosPython,
) -> None:
    """The async hand-followed redirect path reports the final body too."""
    events: list[ProgressEvent] = []
    response = await aapi.async_get(
        "/redirect/1", max_redirects=3, on_download_progress=events.append
    )
    assert response.data["path"] == "/get"
    assert events[-1].done
    assert events[-1].loaded == len(response.content)
