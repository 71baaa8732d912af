"""Retries never resend a consumed body, and plugin-made responses carry their request."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

import axios_python
from axios_python import FixedBackoff, Plugin, Response


def flaky_echo() -> tuple[axios_python.MockTransport, list[bytes]]:
    """503 on the first attempt, then 200; records each attempt's body."""
    bodies: list[bytes] = []

    def handler(request: axios_python.Request) -> Response:
        bodies.append(request.read())
        return Response(503 if len(bodies) == 1 else 200)

    return axios_python.MockTransport(handler), bodies


RETRY: dict[str, Any] = {
    "max_retries": 1,
    "retry_strategy": FixedBackoff(0.001, retry_on_status=[503]),
}


def test_seekable_body_is_rewound_for_the_retry() -> None:
    """A file-like body is sent whole on every attempt."""
    transport, bodies = flaky_echo()
    api = axios_python.AxiosPython({"base_url": "http://x.test", **RETRY}, transport=transport)
    body = io.BytesIO(b"xxpayload")
    body.seek(2)
    assert api.put("/p", content=body).status_code == 200
    assert bodies == [b"payload", b"payload"]


def test_one_shot_body_is_not_resent_empty() -> None:
    """A generator body cannot be replayed: the retry stops with a StreamError, nothing is lost."""
    transport, bodies = flaky_echo()
    api = axios_python.AxiosPython({"base_url": "http://x.test", **RETRY}, transport=transport)

    def chunks() -> Iterator[bytes]:
        yield b"abc"

    with pytest.raises(axios_python.StreamError, match="one-shot") as info:
        api.put("/p", content=chunks())
    assert bodies == [b"abc"]
    assert info.value.response is not None
    assert info.value.response.status_code == 503


def test_bytes_bodies_retry_as_before() -> None:
    """Bytes bodies are replayable and retried normally."""
    transport, bodies = flaky_echo()
    api = axios_python.AxiosPython({"base_url": "http://x.test", **RETRY}, transport=transport)
    assert api.put("/p", content=b"abc").status_code == 200
    assert bodies == [b"abc", b"abc"]


def test_on_transport_response_gets_request_and_config() -> None:
    """A Response built by on_transport without a request is tied to the request it answers."""
    seen: list[str] = []

    class Answer(Plugin):
        def on_transport(self, request: axios_python.Request) -> Response:
            return Response(200, json={})

        def on_response(self, response: Response) -> None:
            assert response.request is not None
            seen.append(response.request.method)

    api = axios_python.AxiosPython(transport=axios_python.MockTransport(lambda r: Response(500)))
    api.plugin(Answer())
    response = api.get("http://x.test/a")
    assert seen == ["GET"]
    assert str(response.url) == "http://x.test/a"
    assert response.config["method"] == "GET"


def test_each_attempt_starts_from_the_same_params() -> None:
    """A hook's change to `params` in one attempt does not carry over into the next."""
    seen: list[str] = []

    def handler(request: axios_python.Request) -> Response:
        seen.append(str(request.url.params))
        return Response(503 if len(seen) == 1 else 200)

    class FirstSeen(Plugin):
        name = "first-seen"

        def on_request(self, config: dict[str, Any], attempt: int) -> None:
            config["params"].setdefault("attempt", attempt)

    api = axios_python.AxiosPython(
        {"base_url": "http://x.test", "params": {"q": "1"}, **RETRY},
        transport=axios_python.MockTransport(handler),
    )
    api.plugin(FirstSeen())
    assert api.get("/p").status_code == 200
    assert seen == ["q=1&attempt=1", "q=1&attempt=2"]
